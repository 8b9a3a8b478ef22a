"""Bearer authentication for the OpenAI-compatible routes."""

from __future__ import annotations

import hmac

from starlette.requests import Request

from proxy.errors import APIError
from proxy.gateway import MASTER_OWNER, Gateway


def bearer_token(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return token.strip()


def authenticate(request: Request) -> str:
    """The owner (tenant) the caller acts as; 401 unless the key is valid."""
    gateway: Gateway = request.app.state.gateway
    token = bearer_token(request)
    if token is None:
        raise APIError(
            401,
            "You didn't provide an API key. Send it as 'Authorization: Bearer <key>'.",
            code="missing_api_key",
        )
    if hmac.compare_digest(token.encode(), gateway.master_key):
        return MASTER_OWNER
    raise APIError(401, "Incorrect API key provided.", code="invalid_api_key")
