"""Reading a JSON body within limits: size while it streams in, then depth and item
count from cheap byte scans, all before ``json.loads`` sees it.

``json.loads`` runs on the event loop and holds the GIL, so an unbounded body (21 MB,
1.5 M keys) stalls every other request for seconds; 300 levels of nesting used to end
in a RecursionError (a 500). The scans below run at C speed: strings are blanked first
so brackets, colons and commas inside them do not count, and every container counts as
an item, so the depth scan only ever sees ``max_items`` brackets.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from starlette.requests import Request

from tarash_gateway.proxy.http.errors import APIError
from tarash_gateway.proxy.http.numbers import json_constant, json_float, json_int

_STRING = re.compile(rb'"[^"]*"')
_INNERMOST = re.compile(rb"\[\]|\{\}")
_NOT_BRACKETS = bytes(b for b in range(256) if b not in b"[]{}")


@dataclass(frozen=True, slots=True)
class JsonLimits:
    max_bytes: int
    max_depth: int
    max_items: int


async def read_capped(request: Request, max_bytes: int) -> bytes:
    """The body, refused with a 413 as soon as it passes ``max_bytes``."""
    declared = request.headers.get("content-length", "")
    if declared.isascii() and declared.isdigit() and int(declared) > max_bytes:
        raise too_large(max_bytes)
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > max_bytes:
            raise too_large(max_bytes)
        chunks.append(chunk)
    return b"".join(chunks)


def too_large(max_bytes: int) -> APIError:
    return APIError(
        413,
        f"The JSON body is larger than the limit of {max_bytes} bytes; "
        "send large images as multipart uploads.",
        code="request_too_large",
    )


def check_shape(body: bytes, limits: JsonLimits) -> None:
    """400 when the body nests deeper than ``max_depth`` or holds more than ``max_items``
    keys and array elements. Malformed bodies are left for the parser to describe."""
    unescaped = body.replace(b"\\\\", b"").replace(b'\\"', b"")  # no quote left in a string
    structure = _STRING.sub(b'""', unescaped)
    brackets = structure.translate(None, _NOT_BRACKETS)
    items = structure.count(b":") + structure.count(b",") + len(brackets) // 2
    if items > limits.max_items:
        raise APIError(
            400,
            f"The JSON body has more than {limits.max_items} keys and elements.",
            code="json_too_large",
        )
    for _ in range(limits.max_depth):
        if not brackets:
            return
        brackets, removed = _INNERMOST.subn(b"", brackets)
        if not removed:
            return  # unbalanced: not JSON, and json.loads will say where
    if brackets:
        raise APIError(
            400,
            f"The JSON body is nested deeper than {limits.max_depth} levels.",
            code="json_too_deep",
        )


def loads(body: bytes, limits: JsonLimits) -> Any:
    """Parse a body that passed :func:`check_shape`; numbers must be finite and fit in
    64 bits (see ``proxy.numbers``)."""
    check_shape(body, limits)
    try:
        return json.loads(
            body, parse_float=json_float, parse_int=json_int, parse_constant=json_constant
        )
    except (ValueError, UnicodeDecodeError, RecursionError) as exc:
        raise APIError(400, f"We could not parse the JSON body of your request: {exc}") from None
