"""Multipart bodies in one comparable shape, whichever side sent them.

The official SDKs send ``multipart/form-data`` with their own boundary, so the raw bytes
never match ours. Both sides are read here by the same parser the emulators use
(:func:`tests.emulators.openai.read_form`): fields as strings, files as name, type, size
and base64 data.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import httpx
from starlette.requests import Request
from starlette.types import Message

from tests.conformance.capture import WireRequest, from_httpx
from tests.emulators.openai import read_form


async def parse_multipart(content: bytes, content_type: str) -> dict[str, Any]:
    """``content`` (a whole multipart body) as the emulators record it."""
    delivered = False

    async def receive() -> Message:
        nonlocal delivered
        if delivered:
            return {"type": "http.disconnect"}
        delivered = True
        return {"type": "http.request", "body": content, "more_body": False}

    scope: dict[str, Any] = {
        "type": "http",
        "method": "POST",
        "path": "/",
        "query_string": b"",
        "headers": [(b"content-type", content_type.encode())],
    }
    return await read_form(Request(scope, receive))


async def sdk_wire(request: httpx.Request, key_headers: tuple[str, ...] = ()) -> WireRequest:
    """:func:`from_httpx`, with a multipart body parsed instead of left as bytes."""
    wire = from_httpx(request, key_headers)
    content_type = request.headers.get("content-type", "")
    if content_type.startswith("multipart/form-data"):
        return replace(wire, body=await parse_multipart(request.content, content_type))
    return wire
