"""Serving a local file with Range, with range errors in the OpenAI error shape.

Starlette's ``FileResponse`` answers a malformed or unsatisfiable ``Range`` with a
text/plain body, which the OpenAI SDKs cannot read as an error. This subclass keeps its
range handling and only replaces those two answers. It hooks ``_parse_range_header``
(Starlette's own parser, not public API); tests/security/test_ranges.py guards that.
"""

from __future__ import annotations

from starlette.responses import FileResponse, MalformedRangeHeader, RangeNotSatisfiable
from starlette.types import Receive, Scope, Send

from tarash_gateway.proxy.http.errors import APIError


class _RangeRefusedError(Exception):
    def __init__(self, error: APIError) -> None:
        self.error = error


class RangedFileResponse(FileResponse):
    """A ``FileResponse`` whose range errors are JSON: 400 ``invalid_range`` for a
    header that does not parse, 416 ``range_not_satisfiable`` (with ``Content-Range:
    bytes */size``, as RFC 9110 asks) for ranges outside the file."""

    @classmethod
    def _parse_range_header(cls, http_range: str, file_size: int) -> list[tuple[int, int]]:
        try:
            return super()._parse_range_header(http_range, file_size)
        except MalformedRangeHeader as exc:
            raise _RangeRefusedError(
                APIError(
                    400,
                    f"Invalid Range header ({exc.content.rstrip('.')}); "
                    "expected e.g. bytes=0-1023.",
                    code="invalid_range",
                )
            ) from None
        except RangeNotSatisfiable as exc:
            raise _RangeRefusedError(
                APIError(
                    416,
                    f"The requested range is not satisfiable: the content is {exc.max_size} bytes.",
                    code="range_not_satisfiable",
                    headers={"content-range": f"bytes */{exc.max_size}"},
                )
            ) from None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        try:
            await super().__call__(scope, receive, send)
        except _RangeRefusedError as refused:  # raised before anything was sent
            await refused.error.response()(scope, receive, send)
