"""One comparable shape for an HTTP request, from an official SDK or from an emulator.

Official SDKs are driven with an ``httpx.MockTransport`` (:class:`SdkRecorder`): each
request is recorded and answered with a canned response, so nothing leaves the machine.
Our adapters are driven against a strict emulator, whose ``calls`` record what arrived.
Both become a :class:`WireRequest`, compared field by field.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl

import httpx

from tests.emulators.base import Call


@dataclass(frozen=True)
class WireRequest:
    """What the provider would see: method, path, query, auth scheme and body."""

    method: str
    path: str
    query: dict[str, str] = field(default_factory=dict)
    auth_scheme: str | None = None
    """``Bearer``, ``Key``… or, for header-key auth, ``header:<name>``."""
    body: Any = None


def auth_scheme(
    headers: httpx.Headers | dict[str, str], key_headers: tuple[str, ...] = ()
) -> str | None:
    """``Authorization``'s scheme word, or ``header:<name>`` for the first of
    ``key_headers`` present (``x-goog-api-key``, ``x-api-key``)."""
    lowered = {k.lower(): v for k, v in headers.items()}
    if "authorization" in lowered:
        return lowered["authorization"].split(" ", 1)[0]
    for name in key_headers:
        if name.lower() in lowered:
            return f"header:{name.lower()}"
    return None


def _body(content: bytes, content_type: str) -> Any:
    if not content:
        return None
    if "json" in content_type:
        return json.loads(content)
    return content


def from_httpx(request: httpx.Request, key_headers: tuple[str, ...] = ()) -> WireRequest:
    return WireRequest(
        method=request.method,
        path=request.url.path,
        query=dict(parse_qsl(request.url.query.decode())),
        auth_scheme=auth_scheme(request.headers, key_headers),
        body=_body(request.content, request.headers.get("content-type", "")),
    )


def from_call(call: Call, key_headers: tuple[str, ...] = ()) -> WireRequest:
    return WireRequest(
        method=call.method,
        path=call.path,
        query=dict(parse_qsl(call.query)),
        auth_scheme=auth_scheme(call.headers, key_headers),
        body=call.body,
    )


Responder = Callable[[httpx.Request], httpx.Response]


class SdkRecorder:
    """An ``httpx`` transport for an official SDK: records each request and answers with
    ``respond`` (a canned provider answer), so the SDK goes through its normal path."""

    def __init__(self, respond: Responder) -> None:
        self.requests: list[httpx.Request] = []
        self._respond = respond

    def _handle(self, request: httpx.Request) -> httpx.Response:
        request.read()
        self.requests.append(request)
        return self._respond(request)

    def client(self) -> httpx.Client:
        return httpx.Client(transport=httpx.MockTransport(self._handle))

    def async_client(self) -> httpx.AsyncClient:
        async def handle(request: httpx.Request) -> httpx.Response:
            return self._handle(request)

        return httpx.AsyncClient(transport=httpx.MockTransport(handle))
