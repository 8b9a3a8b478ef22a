"""Serving a finished video's bytes: local files and remote URLs, streamed, with Range."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from urllib.parse import urljoin, urlparse

import aiohttp
import anyio
from starlette.background import BackgroundTask
from starlette.requests import Request
from starlette.responses import Response, StreamingResponse

from tarash_gateway.proxy.http.errors import APIError
from tarash_gateway.proxy.http.ranges import RangedFileResponse
from tarash_gateway.proxy.outbound import (
    MAX_REDIRECTS,
    Outbound,
    refusal,
    refused_by_policy,
    require_http,
    warn_refused,
)

_PASSED_HEADERS = (
    "content-type",
    "content-length",
    "content-range",
    "content-encoding",
    "accept-ranges",
    "etag",
    "last-modified",
)


def _guess_type(location: str, default: str) -> str:
    suffix = Path(urlparse(location).path).suffix.lower()
    return {
        ".mp4": "video/mp4",
        ".webm": "video/webm",
        ".mov": "video/quicktime",
        ".jpg": "image/jpeg",
        ".jpeg": "image/jpeg",
        ".png": "image/png",
        ".webp": "image/webp",
    }.get(suffix, default)


async def serve_location(
    request: Request,
    outbound: Outbound,
    location: str,
    default_type: str,
    auth_headers: dict[str, str] | None = None,
    base_url: str | None = None,
) -> Response:
    """Stream ``location`` (``file://`` or ``http(s)://``) to the client, under the
    outbound policy (:mod:`proxy.outbound`) of the deployment whose ``base_url`` is given.

    Range requests are honoured: ``RangedFileResponse`` handles them for files; for URLs
    the client's ``Range`` is forwarded and the upstream's 206 passed through.
    """
    media_type = _guess_type(location, default_type)
    if urlparse(location).scheme == "file":
        path = outbound.local_file(location)
        if not await anyio.Path(path).is_file():
            raise APIError(404, "The video file is no longer available.", code="content_gone")
        return RangedFileResponse(path, media_type=media_type)
    require_http(location)
    http = await outbound.session(base_url)
    upstream = await _open(http, location, dict(auth_headers or {}), request.headers.get("range"))
    if upstream.status not in (200, 206):
        upstream.release()
        if upstream.status == 416:
            size = upstream.headers.get("content-range")
            raise APIError(
                416,
                "The requested range is not satisfiable.",
                code="range_not_satisfiable",
                headers={"content-range": size} if size else None,
            )
        raise APIError(
            502,
            f"The provider answered {upstream.status} for the video content.",
            type="api_error",
            code="content_fetch_failed",
        )
    passed = {k: v for k, v in upstream.headers.items() if k.lower() in _PASSED_HEADERS}
    passed.setdefault("content-type", media_type)
    return StreamingResponse(
        _relay(upstream),
        status_code=upstream.status,
        headers=passed,
        background=BackgroundTask(upstream.release),
    )


async def _relay(upstream: aiohttp.ClientResponse) -> AsyncIterator[bytes]:
    """The body as the socket delivered it: each buffer is passed on as it is, never
    joined to the next (joining copied every byte once more)."""
    async for data, _end_of_chunk in upstream.content.iter_chunks():
        yield data


async def _open(
    http: aiohttp.ClientSession, location: str, headers: dict[str, str], ranged: str | None
) -> aiohttp.ClientResponse:
    """GET ``location``, following redirects by hand so the provider's credentials go
    only to the host that issued the URL (a redirect elsewhere is followed without them).
    ``http`` is a policy session: each hop connects only where the policy allows."""
    extra = {"range": ranged} if ranged else {}
    origin = urlparse(location)[:2]
    try:
        for _hop in range(MAX_REDIRECTS + 1):
            upstream = await http.get(location, headers={**headers, **extra}, allow_redirects=False)
            target = upstream.headers.get("location")
            if upstream.status not in (301, 302, 303, 307, 308) or not target:
                return upstream
            upstream.release()
            location = urljoin(location, target)
            require_http(location)
            if urlparse(location)[:2] != origin:
                headers = {}  # credentials stay with the host that issued the URL
    except (aiohttp.ClientError, TimeoutError) as error:
        if refused_by_policy(error):
            warn_refused(location, "address not allowed")
            raise refusal() from None
    raise APIError(
        502,
        "Could not fetch the video from the provider.",
        type="api_error",
        code="content_fetch_failed",
    )
