"""Who is calling: the master key, or a team's virtual key (checked on every request)."""

from __future__ import annotations

import fnmatch
import hmac
import time
from dataclasses import dataclass

from starlette.requests import Request

from tarash_gateway.proxy.gateway import MASTER_OWNER, Gateway
from tarash_gateway.proxy.http.errors import APIError
from tarash_gateway.proxy.logs import bind
from tarash_gateway.proxy.store.accounts import KeyRecord, TeamRecord
from tarash_gateway.proxy.store.ledger import Holder


@dataclass(frozen=True, slots=True)
class Caller:
    """An authenticated caller. ``owner`` scopes every video query."""

    owner: str
    key: KeyRecord | None = None
    team: TeamRecord | None = None

    @property
    def is_master(self) -> bool:
        return self.key is None

    @property
    def scope(self) -> str | None:
        """The owner filter for store queries; the master key sees every video."""
        return None if self.is_master else self.owner

    @property
    def holder(self) -> Holder | None:
        if self.key is None or self.team is None:
            return None
        return Holder(key=self.key, team=self.team)

    def allows(self, alias: str) -> bool:
        """Whether both the key's and the team's allowlists admit ``alias``."""
        return all(
            allowed is None or any(fnmatch.fnmatchcase(alias, pattern) for pattern in allowed)
            for allowed in (
                self.key.models if self.key else None,
                self.team.models if self.team else None,
            )
        )


def bearer_token(request: Request) -> str | None:
    """The bearer key, or None when there is none. Two Authorization headers are refused:
    a proxy in front may check one while we would read the other."""
    values = request.headers.getlist("authorization")
    if len(values) > 1:
        raise APIError(
            400,
            "Send exactly one Authorization header.",
            param="Authorization",
            code="duplicate_header",
        )
    header = values[0] if values else ""
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return token.strip()


async def authenticate(request: Request) -> Caller:
    """The caller behind the request's bearer key; 401 unless it is valid right now."""
    gateway: Gateway = request.app.state.gateway
    token = bearer_token(request)
    if token is None:
        raise APIError(
            401,
            "You didn't provide an API key. Send it as 'Authorization: Bearer <key>'.",
            code="missing_api_key",
        )
    if hmac.compare_digest(token.encode(), gateway.master_key):
        bind(key_prefix="master")
        return Caller(owner=MASTER_OWNER)
    found = await gateway.accounts.find_key(token)
    if found is None:
        raise APIError(401, "Incorrect API key provided.", code="invalid_api_key")
    key, team = found
    bind(key_prefix=key.key_prefix, team=team.id)
    if key.revoked_at is not None:
        raise APIError(401, "This API key has been revoked.", code="invalid_api_key")
    if key.expires_at is not None and key.expires_at <= time.time():
        raise APIError(401, "This API key has expired.", code="key_expired")
    return Caller(owner=team.id, key=key, team=team)


def require_metrics_access(request: Request) -> None:
    """``/metrics`` with ``metrics_token`` set: that token or the master key, else 401.
    Checked without the database so a scraper never adds load to it."""
    gateway: Gateway = request.app.state.gateway
    expected = gateway.config.general_settings.metrics_token
    if expected is None:
        return
    token = bearer_token(request)
    if token is None:
        raise APIError(
            401,
            "/metrics needs the metrics token. Send it as 'Authorization: Bearer <token>'.",
            code="missing_api_key",
        )
    given = token.encode()
    if not (
        hmac.compare_digest(given, expected.get_secret_value().encode())
        or hmac.compare_digest(given, gateway.master_key)
    ):
        raise APIError(401, "Incorrect metrics token provided.", code="invalid_api_key")


async def require_master(request: Request) -> Caller:
    """Admin endpoints: only the master key."""
    caller = await authenticate(request)
    if not caller.is_master:
        raise APIError(
            403,
            "Admin endpoints need the master key.",
            type="permission_error",
            code="admin_only",
        )
    return caller
