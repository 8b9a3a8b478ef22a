"""Calling a provider's HTTP API, with every outcome classified in one place.

Adapters without an official SDK go through :func:`call`; adapters with an SDK map the
SDK's exceptions with :func:`classify_status`, so a 429 at submit is as retryable as a
429 at poll (the predecessor SDK got this wrong).

Every :func:`call` on an event loop shares that loop's one pooled ``aiohttp`` session
(:func:`pooled_session`), so a provider call reuses a kept-alive connection instead of
paying for a new session, TCP connection and TLS handshake each time. A session belongs
to the loop it was created on; sessions of closed loops are dropped.
"""

from __future__ import annotations

import asyncio
import functools
import json
import os
from collections.abc import AsyncGenerator, Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import aiohttp

from tarash_gateway.adapters.errors import (
    ContentModerationError,
    HTTPError,
    ProviderAuthenticationError,
    ProviderConnectionError,
    RateLimitError,
    TarashError,
)

Moderation = Callable[[int, Any], bool]
"""Provider hook: does this error response mean a content-moderation refusal?"""

# -- the pooled session ------------------------------------------------------------------

MAX_CONNECTIONS = 1000
"""Open connections per loop, over all upstreams (the openai SDK's httpx default)."""

KEEPALIVE_SECONDS = 4.0
"""How long an idle connection is kept: below the common 5 s server-side keep-alive
(uvicorn, gunicorn, many load balancers), so the gateway closes first and does not send
a create down a connection the upstream is closing at that moment."""


@dataclass(frozen=True)
class _Pooled:
    loop: asyncio.AbstractEventLoop
    session: aiohttp.ClientSession
    lifetime: AsyncGenerator[aiohttp.ClientSession, None]


_pool: dict[int, _Pooled] = {}
"""One session per running loop, by ``id(loop)`` (the loop itself is checked too: ids of
closed loops are reused)."""


def _new_session() -> aiohttp.ClientSession:
    return aiohttp.ClientSession(
        connector=aiohttp.TCPConnector(
            limit=MAX_CONNECTIONS, limit_per_host=0, keepalive_timeout=KEEPALIVE_SECONDS
        ),
        # A shared session must not carry one caller's cookies into another's calls.
        cookie_jar=aiohttp.DummyCookieJar(),
    )


async def _session_lifetime() -> AsyncGenerator[aiohttp.ClientSession, None]:
    """Create a loop's session and close it when the loop shuts down.

    ``asyncio.run`` (and every ``asyncio.Runner``, so pytest and uvicorn too) closes the
    async generators still open on its loop before closing the loop, which runs this
    ``finally``: a library user who never calls :func:`aclose_sessions` leaks nothing and
    sees no "Unclosed client session" warning.
    """
    session = _new_session()
    try:
        yield session
    finally:
        await session.close()


async def pooled_session() -> aiohttp.ClientSession:
    """The running loop's shared session, created on first use (or after a close)."""
    loop = asyncio.get_running_loop()
    pooled = _pool.get(id(loop))
    if pooled is not None and pooled.loop is loop and not pooled.session.closed:
        return pooled.session
    _drop_closed_loops()
    lifetime = _session_lifetime()
    # Runs to the ``yield`` without suspending, so two first calls cannot both create one.
    session = await anext(lifetime)
    _pool[id(loop)] = _Pooled(loop, session, lifetime)
    return session


def _drop_closed_loops() -> None:
    for loop_id, pooled in list(_pool.items()):
        if pooled.loop.is_closed():
            _pool.pop(loop_id, None)


async def aclose_sessions() -> None:
    """Close the running loop's pooled session (at application shutdown).

    Safe to call more than once; a later :func:`call` on this loop opens a new session.
    """
    pooled = _pool.pop(id(asyncio.get_running_loop()), None)
    if pooled is not None:
        await pooled.lifetime.aclose()


@functools.lru_cache(maxsize=64)
def _timeout(seconds: float) -> aiohttp.ClientTimeout:
    return aiohttp.ClientTimeout(total=seconds)


# -- request bodies ----------------------------------------------------------------------

FormFile = tuple[str, bytes, str]
"""A multipart file part: (filename, bytes, content type)."""

_FORM_ESCAPES = {'"': "%22", "\\": "\\\\", **{chr(c): f"%{c:02X}" for c in range(32) if c != 27}}
_FORM_ESCAPE_TABLE = str.maketrans(_FORM_ESCAPES)


def _form_param(name: str, value: str) -> bytes:
    """``name="value"`` in a part header, escaped as HTML5 forms (and httpx) do."""
    return f'{name}="{value.translate(_FORM_ESCAPE_TABLE)}"'.encode()


def encode_multipart(
    fields: Iterable[tuple[str, str]], files: Iterable[tuple[str, FormFile]] = ()
) -> tuple[bytes, str]:
    """A ``multipart/form-data`` body and its Content-Type, byte for byte the layout the
    openai SDK (httpx) sends: fields first, then files; only file parts carry a
    Content-Type. Built in one join, as it is on every video create."""
    boundary = os.urandom(16).hex().encode()
    parts: list[bytes] = []
    for name, value in fields:
        parts += (
            b"--",
            boundary,
            b"\r\nContent-Disposition: form-data; ",
            _form_param("name", name),
            b"\r\n\r\n",
            value.encode(),
            b"\r\n",
        )
    for name, (filename, data, content_type) in files:
        parts += (
            b"--",
            boundary,
            b"\r\nContent-Disposition: form-data; ",
            _form_param("name", name),
            b"; ",
            _form_param("filename", filename),
            b"\r\nContent-Type: ",
            content_type.encode(),
            b"\r\n\r\n",
            data,
            b"\r\n",
        )
    parts += (b"--", boundary, b"--\r\n")
    return b"".join(parts), f"multipart/form-data; boundary={boundary.decode()}"


# -- classification ----------------------------------------------------------------------


def scrub(value: Any, secret: str) -> Any:
    """``value`` with every occurrence of ``secret`` masked (upstreams may echo keys)."""
    if not secret:
        return value
    if isinstance(value, str):
        return value.replace(secret, "***")
    if isinstance(value, dict):
        return {key: scrub(item, secret) for key, item in value.items()}
    if isinstance(value, list):
        return [scrub(item, secret) for item in value]
    return value


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


async def _send(
    method: str,
    url: str,
    *,
    provider: str,
    model: str,
    request_timeout: float,
    request_id: str | None,
    **options: Any,
) -> tuple[int, bytes, Mapping[str, str]]:
    """The exchange itself over the pooled session: (status, body bytes, headers), or a
    ``ProviderConnectionError`` when the upstream could not be reached in time."""
    try:
        session = await pooled_session()
        async with session.request(
            method, url, timeout=_timeout(request_timeout), **options
        ) as response:
            return response.status, await response.read(), response.headers
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
    secret: str = "",
) -> Any:
    """One HTTP call; the parsed JSON (or bytes) on success, a TarashError otherwise.

    ``request_timeout`` bounds this call alone (the pooled session has no timeout of its
    own). ``secret`` (the provider key) is masked in whatever the upstream echoed back,
    before it reaches an error message or ``raw_response``.
    """
    status, raw, response_headers = await _send(
        method,
        url,
        provider=provider,
        model=model,
        request_timeout=request_timeout,
        request_id=request_id,
        headers=headers,
        json=json_body,
        params=params,
        data=data,
    )
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
                raw_response=scrub(body[:2000], secret),
            ) from None
    if status >= 400:
        raise classify_status(
            status,
            scrub(body, secret),
            provider=provider,
            model=model,
            headers=response_headers,
            request_id=request_id,
            moderation=moderation,
        )
    return body if expect_json else raw
