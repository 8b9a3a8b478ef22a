"""Calling a provider's HTTP API, with every outcome classified in one place.

Adapters without an official SDK go through :func:`call`; adapters with an SDK map the
SDK's exceptions with :func:`classify_status`, so a 429 at submit is as retryable as a
429 at poll (the predecessor SDK got this wrong).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import Any

import aiohttp

from adapters.errors import (
    ContentModerationError,
    HTTPError,
    ProviderAuthenticationError,
    ProviderConnectionError,
    RateLimitError,
    TarashError,
)

Moderation = Callable[[int, Any], bool]
"""Provider hook: does this error response mean a content-moderation refusal?"""


def retry_after_seconds(headers: Mapping[str, str], body: Any = None) -> float | None:
    """Seconds from ``Retry-After`` / ``retry-after-ms`` headers or a ``retry_after`` body."""
    lowered = {key.lower(): value for key, value in headers.items()}
    if "retry-after-ms" in lowered:
        try:
            return float(lowered["retry-after-ms"]) / 1000
        except ValueError:
            pass
    if "retry-after" in lowered:
        try:
            return float(lowered["retry-after"])
        except ValueError:
            pass
    if isinstance(body, dict) and isinstance(body.get("retry_after"), int | float):
        return float(body["retry_after"])
    return None


def error_message(body: Any, default: str) -> str:
    """The human part of an error body, whatever shape the provider uses."""
    if isinstance(body, dict):
        for key in ("message", "detail", "error", "failure", "title", "status_msg", "errors"):
            value = body.get(key)
            if isinstance(value, dict):
                value = value.get("message") or json.dumps(value)
            if isinstance(value, list) and value:
                value = "; ".join(
                    str(item.get("msg", item) if isinstance(item, dict) else item) for item in value
                )
            if value:
                return str(value)
    if isinstance(body, str) and body.strip():
        return body.strip()[:500]
    return default


def classify_status(
    status: int,
    body: Any,
    *,
    provider: str,
    model: str,
    headers: Mapping[str, str] | None = None,
    request_id: str | None = None,
    moderation: Moderation | None = None,
) -> TarashError:
    """The error class for an HTTP error response (SPEC §4)."""
    common: dict[str, Any] = {
        "provider": provider,
        "model": model,
        "request_id": request_id,
        "raw_response": body,
    }
    message = f"{provider} answered HTTP {status}: {error_message(body, 'no details')}"
    if moderation is not None and moderation(status, body):
        return ContentModerationError(message, **common)
    if status == 429:
        return RateLimitError(
            message, retry_after=retry_after_seconds(headers or {}, body), **common
        )
    if status in (401, 403):
        return ProviderAuthenticationError(message, status_code=status, **common)
    return HTTPError(message, status_code=status, **common)


async def call(
    method: str,
    url: str,
    *,
    provider: str,
    model: str,
    request_timeout: float,
    headers: Mapping[str, str] | None = None,
    json_body: Any = None,
    params: Mapping[str, str] | None = None,
    data: Any = None,
    request_id: str | None = None,
    moderation: Moderation | None = None,
    expect_json: bool = True,
) -> Any:
    """One HTTP call; the parsed JSON (or bytes) on success, a TarashError otherwise."""
    client_timeout = aiohttp.ClientTimeout(total=request_timeout)
    try:
        async with (
            aiohttp.ClientSession(timeout=client_timeout) as session,
            session.request(
                method, url, headers=headers, json=json_body, params=params, data=data
            ) as response,
        ):
            raw = await response.read()
            status = response.status
            response_headers = dict(response.headers)
    except TimeoutError:
        raise ProviderConnectionError(
            f"{provider} did not answer within {request_timeout:g}s",
            provider=provider,
            model=model,
            request_id=request_id,
        ) from None
    except aiohttp.ClientError as exc:
        raise ProviderConnectionError(
            f"could not reach {provider}: {type(exc).__name__}",
            provider=provider,
            model=model,
            request_id=request_id,
        ) from None
    body: Any
    try:
        body = json.loads(raw) if raw else None
    except ValueError:
        body = raw.decode(errors="replace")
        if status < 400 and expect_json:
            raise HTTPError(
                f"{provider} answered with malformed JSON",
                status_code=502,
                provider=provider,
                model=model,
                request_id=request_id,
                raw_response=body[:2000],
            ) from None
    if status >= 400:
        raise classify_status(
            status,
            body,
            provider=provider,
            model=model,
            headers=response_headers,
            request_id=request_id,
            moderation=moderation,
        )
    return body if expect_json else raw
