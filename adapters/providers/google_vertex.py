"""Vertex AI plumbing for the google provider: where calls go and the OAuth token they carry.

Vertex AI authenticates with an OAuth access token minted from a service-account key
through the JWT-bearer grant (RFC 7523). google-auth parses the key and signs the
assertion; that work (reading the key file, RSA signing) blocks, so it runs in a worker
thread. The token exchange itself goes through :func:`adapters.http.call` like every
other provider call, so its failures are classified the same way and it honours
``request_timeout`` (google-auth's own refresh would need a sync HTTP transport, which
is not among the dependencies). Tokens are cached per key until shortly before expiry.

``provider_config["access_token"]`` skips all of this and sends a ready token: meant for
workload identity set up outside the gateway, and for tests.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import os
import re
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import google.auth.exceptions
from google.auth import jwt
from google.oauth2 import service_account

from tarash_gateway.adapters.errors import (
    HTTPError,
    ProviderAuthenticationError,
    RateLimitError,
    ValidationError,
)
from tarash_gateway.adapters.http import call, error_message
from tarash_gateway.adapters.models import ProviderSettings

PROVIDER = "google"
SCOPE = "https://www.googleapis.com/auth/cloud-platform"
JWT_BEARER_GRANT = "urn:ietf:params:oauth:grant-type:jwt-bearer"
DEFAULT_LOCATION = "us-central1"
ASSERTION_LIFETIME = 3600
REFRESH_MARGIN = 300.0
"""Seconds before expiry at which a cached token is replaced."""
CREDENTIALS_ENV = "GOOGLE_APPLICATION_CREDENTIALS"

_OPERATION = re.compile(
    r"^projects/(?P<project>[^/]+)/locations/(?P<location>[^/]+)/publishers/google/"
    r"models/(?P<model>[^/]+)/operations/[^/]+$"
)
_SAFE_SEGMENT = re.compile(r"^[A-Za-z0-9._-]+$")
_TOKENS: dict[str, tuple[str, float]] = {}


def is_vertex(settings: ProviderSettings) -> bool:
    """Vertex AI when asked for by name, or when a GCP project is configured."""
    api = str(settings.provider_config.get("api") or "").lower().replace("_", "")
    if api in ("vertex", "vertexai"):
        return True
    if api in ("gemini", "geminiapi", "mldev"):
        return False
    return bool(settings.provider_config.get("project"))


def location(settings: ProviderSettings) -> str:
    value = str(
        settings.provider_config.get("location")
        or os.environ.get("GOOGLE_CLOUD_LOCATION")
        or DEFAULT_LOCATION
    )
    return _segment(value, "provider_config.location", settings.model)


def host(settings: ProviderSettings, region: str) -> str:
    """``config.base_url`` (tests, private endpoints) or the regional Vertex host."""
    if settings.base_url:
        return settings.base_url.rstrip("/")
    if region == "global":
        return "https://aiplatform.googleapis.com"
    return f"https://{region}-aiplatform.googleapis.com"


def model_url(settings: ProviderSettings) -> str:
    """``…/v1/projects/{p}/locations/{l}/publishers/google/models/{model}``."""
    region = location(settings)
    model = _segment(settings.model, "model", settings.model)
    return (
        f"{host(settings, region)}/v1/projects/{project(settings)}/locations/{region}"
        f"/publishers/google/models/{model}"
    )


def operation_model_url(settings: ProviderSettings, operation: str) -> str:
    """The model URL an operation belongs to, rebuilt from the operation's own name, so
    a job is polled where it was submitted even if the config moved region since."""
    match = _OPERATION.match(operation)
    if match is None:
        raise ValidationError(
            f"not a Vertex AI video operation name: {operation!r}",
            param="video_id",
            provider=PROVIDER,
            model=settings.model,
        )
    region = _segment(match["location"], "video_id", settings.model)
    prefix = operation.rsplit("/operations/", 1)[0]
    return f"{host(settings, region)}/v1/{prefix}"


def project(settings: ProviderSettings) -> str:
    """provider_config.project, GOOGLE_CLOUD_PROJECT, or the service account's project."""
    value = settings.provider_config.get("project") or os.environ.get("GOOGLE_CLOUD_PROJECT")
    if not value:
        source = _source(settings)
        info = source.inline if source.inline is not None else _read_key_file(source.path or "")
        value = info.get("project_id")
    if not value:
        raise ValidationError(
            "no GCP project for google (Vertex AI): set provider_config.project",
            param="provider_config.project",
            provider=PROVIDER,
            model=settings.model,
        )
    return _segment(str(value), "provider_config.project", settings.model)


async def auth_headers(settings: ProviderSettings) -> dict[str, str]:
    """The ``Authorization`` header for a Vertex call, minting a token when needed."""
    return {"Authorization": f"Bearer {await access_token(settings)}"}


async def access_token(settings: ProviderSettings) -> str:
    static = settings.provider_config.get("access_token")
    if static:
        return str(static)
    source = _source(settings)
    cached = _TOKENS.get(source.key)
    if cached is not None and cached[1] - REFRESH_MARGIN > time.time():
        return cached[0]
    token, expires_at = await _mint(settings, source)
    _TOKENS[source.key] = (token, expires_at)
    return token


def cached_access_token(settings: ProviderSettings) -> str | None:
    """A still-valid token if one is at hand, without any I/O (for sync callers)."""
    static = settings.provider_config.get("access_token")
    if static:
        return str(static)
    try:
        source = _source(settings)
    except ValidationError:
        return None
    cached = _TOKENS.get(source.key)
    if cached is not None and cached[1] - REFRESH_MARGIN > time.time():
        return cached[0]
    return None


def clear_token_cache() -> None:
    """Forget every cached token (tests; key rotation)."""
    _TOKENS.clear()


@dataclass(frozen=True)
class _Source:
    """Where the service-account key comes from; ``key`` identifies it in the cache
    without holding any secret material."""

    key: str
    inline: dict[str, Any] | None = None
    path: str | None = None


def _source(settings: ProviderSettings) -> _Source:
    configured = settings.provider_config.get("credentials")
    if isinstance(configured, Mapping):
        return _inline(dict(configured))
    if isinstance(configured, str) and configured.strip():
        if configured.lstrip().startswith("{"):
            return _inline(_parse_json(configured, "provider_config.credentials"))
        return _Source(key=f"path:{configured}", path=configured)
    if settings.api_key is not None:
        secret = settings.api_key.get_secret_value()
        if secret.lstrip().startswith("{"):
            return _inline(_parse_json(secret, "api_key"))
        raise ValidationError(
            "for Vertex AI, api_key must hold a service-account JSON key "
            "(or use provider_config.credentials / GOOGLE_APPLICATION_CREDENTIALS)",
            param="api_key",
            provider=PROVIDER,
            model=settings.model,
        )
    path = os.environ.get(CREDENTIALS_ENV)
    if path:
        return _Source(key=f"path:{path}", path=path)
    raise ValidationError(
        "no API key for google (Vertex AI): set provider_config.credentials, "
        f"api_key (service-account JSON) or {CREDENTIALS_ENV}",
        param="api_key",
        provider=PROVIDER,
        model=settings.model,
    )


def _inline(info: dict[str, Any]) -> _Source:
    digest = hashlib.sha256(json.dumps(info, sort_keys=True).encode()).hexdigest()
    return _Source(key=f"inline:{digest}", inline=info)


def _parse_json(text: str, param: str) -> dict[str, Any]:
    try:
        value = json.loads(text)
    except ValueError:
        value = None
    if not isinstance(value, dict):
        raise ValidationError(
            f"{param} is not a service-account JSON object", param=param, provider=PROVIDER
        )
    return value


def _read_key_file(path: str) -> dict[str, Any]:
    try:
        text = Path(path).read_text()
    except OSError as exc:
        raise ValidationError(
            f"cannot read the service-account key file {path}: {exc.strerror or 'unreadable'}",
            param="credentials",
            provider=PROVIDER,
        ) from None
    return _parse_json(text, "credentials")


def _sign(source: _Source) -> tuple[str, str, str]:
    """(token_uri, signed assertion, account email); blocking, so run in a thread."""
    info = source.inline if source.inline is not None else _read_key_file(source.path or "")
    if info.get("type", "service_account") != "service_account":
        raise ValidationError(
            f"google (Vertex AI) needs a service-account key, not {info.get('type')!r} "
            "credentials; set provider_config.access_token for other kinds of identity",
            param="credentials",
            provider=PROVIDER,
        )
    try:
        credentials = service_account.Credentials.from_service_account_info(  # type: ignore[no-untyped-call]
            info, scopes=[SCOPE]
        )
    except (ValueError, KeyError, TypeError, google.auth.exceptions.GoogleAuthError):
        raise ValidationError(
            "the service-account key is incomplete or malformed "
            "(it needs client_email, private_key and token_uri)",
            param="credentials",
            provider=PROVIDER,
        ) from None
    token_uri = str(info["token_uri"])
    email = str(credentials.service_account_email)
    now = int(time.time())
    claims = {
        "iss": email,
        "scope": SCOPE,
        "aud": token_uri,
        "iat": now,
        "exp": now + ASSERTION_LIFETIME,
    }
    assertion = jwt.encode(credentials.signer, claims)  # type: ignore[no-untyped-call]
    return token_uri, assertion.decode("ascii"), email


async def _mint(settings: ProviderSettings, source: _Source) -> tuple[str, float]:
    token_uri, assertion, email = await asyncio.to_thread(_sign, source)
    try:
        body = await call(
            "POST",
            token_uri,
            provider=PROVIDER,
            model=settings.model,
            request_timeout=settings.request_timeout,
            data={"grant_type": JWT_BEARER_GRANT, "assertion": assertion},
        )
    except HTTPError as error:
        if isinstance(error, RateLimitError) or error.status_code not in (400, 401, 403):
            raise
        detail = error_message(error.raw_response, "no details")
        if isinstance(error.raw_response, dict) and error.raw_response.get("error_description"):
            detail = f"{detail}: {error.raw_response['error_description']}"
        raise ProviderAuthenticationError(
            f"google token endpoint refused the service account {email}: {detail}",
            status_code=error.status_code,
            provider=PROVIDER,
            model=settings.model,
            raw_response=error.raw_response,
        ) from None
    token = body.get("access_token") if isinstance(body, dict) else None
    if not isinstance(token, str) or not token:
        raise HTTPError(
            "google token endpoint answered without an access_token",
            status_code=502,
            provider=PROVIDER,
            model=settings.model,
            raw_response={"keys": sorted(body) if isinstance(body, dict) else None},
        )
    try:
        lifetime = float(body.get("expires_in", ASSERTION_LIFETIME))
    except (TypeError, ValueError):
        lifetime = float(ASSERTION_LIFETIME)
    return token, time.time() + lifetime


def _segment(value: str, param: str, model: str) -> str:
    """A URL path segment taken from configuration: refuse anything that could reshape
    the URL (slashes, ``..``, query characters)."""
    if not _SAFE_SEGMENT.match(value) or value in (".", ".."):
        raise ValidationError(
            f"{param} {value!r} is not a valid identifier",
            param=param,
            provider=PROVIDER,
            model=model,
        )
    return value
