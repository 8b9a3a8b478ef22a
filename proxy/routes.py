"""Route helpers."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

Endpoint = Callable[[Request], Awaitable[Response]]

ROUTE_TEMPLATES: dict[Callable[..., object], str] = {}
"""Endpoint → its path template, so metrics and logs can label requests by route
(``/v1/videos/{video_id}``) rather than by raw path (unbounded label values)."""


def route(path: str, **handlers: Endpoint) -> Route:
    """One route per path with a handler per method (``GET=...``, ``POST=...``).

    Starlette matches paths before methods; declaring each path once makes a wrong
    method answer 405 with an ``Allow`` header naming every method the path has.
    """
    by_method = {method.upper(): handler for method, handler in handlers.items()}

    async def dispatch(request: Request) -> Response:
        return await by_method[request.method](request)

    ROUTE_TEMPLATES[dispatch] = path
    return Route(path, dispatch, methods=list(by_method))
