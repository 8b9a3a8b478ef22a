"""Serving a finished video's bytes: local files and remote URLs, streamed, with Range."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import unquote, urljoin, urlparse

import anyio
import httpx
from starlette.background import BackgroundTask
from starlette.requests import Request
from starlette.responses import FileResponse, Response, StreamingResponse

from proxy.errors import APIError

CHUNK_SIZE = 256 * 1024
MAX_REDIRECTS = 5
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
    http: httpx.AsyncClient,
    location: str,
    default_type: str,
    auth_headers: dict[str, str] | None = None,
) -> Response:
    """Stream ``location`` (``file://`` or ``http(s)://``) to the client.

    Range requests are honoured: ``FileResponse`` handles them for files; for URLs
    the client's ``Range`` is forwarded and the upstream's 206 passed through.
    """
    media_type = _guess_type(location, default_type)
    parsed = urlparse(location)
    if parsed.scheme == "file":
        path = Path(unquote(parsed.path))
        if not await anyio.Path(path).is_file():
            raise APIError(404, "The video file is no longer available.", code="content_gone")
        return FileResponse(path, media_type=media_type)
    if parsed.scheme not in ("http", "https"):
        raise APIError(404, "The video content is not available.", code="content_unavailable")
    headers = dict(auth_headers or {})  # the provider's credentials, never sent to the client
    ranged = {"range": request.headers["range"]} if "range" in request.headers else {}
    origin = urlparse(location)[:2]
    try:
        for _hop in range(MAX_REDIRECTS + 1):
            upstream = await http.send(
                http.build_request("GET", location, headers={**headers, **ranged}), stream=True
            )
            target = upstream.headers.get("location")
            if upstream.status_code not in (301, 302, 303, 307, 308) or not target:
                break
            await upstream.aclose()
            location = urljoin(location, target)
            if urlparse(location)[:2] != origin:
                headers = {}  # credentials stay with the host that issued the URL
    except httpx.HTTPError:
        raise APIError(
            502,
            "Could not fetch the video from the provider.",
            type="api_error",
            code="content_fetch_failed",
        ) from None
    if upstream.status_code not in (200, 206):
        await upstream.aclose()
        if upstream.status_code == 416:
            raise APIError(
                416, "The requested range is not satisfiable.", code="range_not_satisfiable"
            )
        raise APIError(
            502,
            f"The provider answered {upstream.status_code} for the video content.",
            type="api_error",
            code="content_fetch_failed",
        )
    passed = {k: v for k, v in upstream.headers.items() if k.lower() in _PASSED_HEADERS}
    passed.setdefault("content-type", media_type)
    return StreamingResponse(
        upstream.aiter_raw(CHUNK_SIZE),
        status_code=upstream.status_code,
        headers=passed,
        background=BackgroundTask(upstream.aclose),
    )
