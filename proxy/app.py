"""The Starlette application: routes, middleware and lifecycle of one gateway."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from importlib.metadata import version
from pathlib import Path

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from proxy import admin, images, models_api, videos
from proxy.errors import EXCEPTION_HANDLERS
from proxy.gateway import Gateway
from proxy.limits import BodySizeLimitMiddleware
from proxy.openapi import openapi_document
from router import GatewayConfig, Router


async def liveness(request: Request) -> Response:
    """The process is up. Touches no provider, so it never costs money."""
    return JSONResponse({"status": "ok"})


async def openapi(request: Request) -> Response:
    """The OpenAPI document of every endpoint (no auth: it holds no secrets)."""
    return JSONResponse(request.app.state.openapi)


def create_app(
    config: GatewayConfig,
    router: Router | None = None,
    *,
    config_path: Path | None = None,
    watch_config: bool = False,
) -> Starlette:
    """Build the ASGI app for ``config``; ``router`` may be injected (e.g. seeded) by tests.

    With ``config_path`` the config can be reloaded (``POST /admin/config/reload``), and
    with ``watch_config`` it is reloaded whenever the file changes.
    """
    gateway = Gateway(config, router, config_path)

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        await gateway.start(watch_config=watch_config)
        try:
            yield
        finally:
            await gateway.stop()

    app = Starlette(
        routes=[
            Route("/health/liveness", liveness, methods=["GET"]),
            Route("/openapi.json", openapi, methods=["GET"]),
            *videos.routes,
            *images.routes,
            *models_api.routes,
            *admin.routes,
        ],
        middleware=[
            Middleware(
                BodySizeLimitMiddleware, max_bytes=config.general_settings.max_request_body_bytes
            )
        ],
        exception_handlers=EXCEPTION_HANDLERS,
        lifespan=lifespan,
    )
    app.state.gateway = gateway
    app.state.openapi = openapi_document(version("tarash-gateway"))
    return app
