"""Route helpers."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from starlette.types import ASGIApp, Receive, Scope, Send

from tarash_gateway.proxy.http.errors import APIError

Endpoint = Callable[[Request], Awaitable[Response]]

ROUTE_TEMPLATES: dict[Callable[..., object], str] = {}
"""Endpoint → its path template, so metrics and logs can label requests by route
(``/v1/videos/{video_id}``) rather than by raw path (unbounded label values)."""


def route(path: str, **handlers: Endpoint) -> Route:
    """One route per path with a handler per method (``GET=...``, ``POST=...``).

    Starlette matches paths before methods; declaring each path once makes a wrong
    method answer 405 with an ``Allow`` header naming every method the path has.
    A GET path also answers HEAD (Starlette routes HEAD to it, and load balancers probe
    with it) by running the GET handler; the server sends the headers without the body.
    """
    by_method = {method.upper(): handler for method, handler in handlers.items()}
    if "GET" in by_method:
        by_method.setdefault("HEAD", by_method["GET"])
    allow = ", ".join(by_method)

    async def dispatch(request: Request) -> Response:
        handler = by_method.get(request.method)
        if handler is None:  # Starlette checks methods first; this is a second guard
            raise APIError(
                405,
                f"Method {request.method} is not allowed on {path}.",
                code="method_not_allowed",
                headers={"allow": allow},
            )
        return await handler(request)

    ROUTE_TEMPLATES[dispatch] = path
    return Route(path, dispatch, methods=list(by_method))


class StripTrailingSlash:
    """Serves ``/v1/videos/`` as ``/v1/videos`` instead of redirecting to it.

    Starlette's own redirect builds its ``Location`` from the request's ``Host`` header,
    so any client could make the gateway answer a redirect to a host of its choosing
    (a cache in front would keep it); a redirected POST would also be sent twice.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "")
        if scope["type"] == "http" and len(path) > 1 and path.endswith("/"):
            stripped = path.rstrip("/") or "/"
            scope = {**scope, "path": stripped, "raw_path": stripped.encode()}
        await self.app(scope, receive, send)
