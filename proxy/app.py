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

from tarash_gateway.proxy.gateway import Gateway
from tarash_gateway.proxy.http import admin, images, models_api, videos
from tarash_gateway.proxy.http.auth import require_metrics_access
from tarash_gateway.proxy.http.errors import EXCEPTION_HANDLERS
from tarash_gateway.proxy.http.inputs import serve_input
from tarash_gateway.proxy.http.limits import BodySizeLimitMiddleware
from tarash_gateway.proxy.http.openapi import openapi_document
from tarash_gateway.proxy.http.routes import StripTrailingSlash, route
from tarash_gateway.proxy.logs import RequestLogMiddleware
from tarash_gateway.proxy.metrics import MetricsMiddleware, metrics_endpoint
from tarash_gateway.router import GatewayConfig, Router


async def liveness(request: Request) -> Response:
    """The process is up. Touches no provider, so it never costs money."""
    return JSONResponse({"status": "ok"})


async def readiness(request: Request) -> Response:
    """Ready to serve: the database answers and a config with aliases is loaded.
    Like liveness, it never calls a provider."""
    gateway: Gateway = request.app.state.gateway
    checks: dict[str, str] = {}
    try:
        await gateway.store.ping()
        problem = gateway.database.file_problem()
        checks["database"] = f"error: {problem}" if problem else "ok"
    except Exception as exc:  # any failure means "not ready", whatever the driver raised
        checks["database"] = f"error: {type(exc).__name__}"
    checks["config"] = "ok" if gateway.router.aliases else "error: no aliases"
    if gateway.shared is None:
        checks["redis"] = "not configured"
    else:
        try:
            await gateway.shared.ping()
            checks["redis"] = "ok"
        except Exception as exc:  # any failure means "not ready"
            checks["redis"] = f"error: {type(exc).__name__}"
    ready = all(value in ("ok", "not configured") for value in checks.values())
    return JSONResponse(
        {"status": "ready" if ready else "not ready", "checks": checks},
        status_code=200 if ready else 503,
    )


async def metrics(request: Request) -> Response:
    """The Prometheus metrics; behind ``metrics_token`` when one is configured."""
    require_metrics_access(request)
    return await metrics_endpoint(request)


async def openapi(request: Request) -> Response:
    """The OpenAPI document of every endpoint (no auth: it holds no secrets)."""
    return JSONResponse(request.app.state.openapi)


def create_app(
    config: GatewayConfig,
    router: Router | None = None,
    *,
    config_path: Path | None = None,
    watch_config: bool = False,
    instance_id: str | None = None,
) -> Starlette:
    """Build the ASGI app for ``config``; ``router`` may be injected (e.g. seeded) by tests.

    With ``config_path`` the config can be reloaded (``POST /admin/config/reload``), and
    with ``watch_config`` it is reloaded whenever the file changes.
    """
    gateway = Gateway(config, router, config_path, instance_id)

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        await gateway.start(watch_config=watch_config)
        try:
            yield
        finally:
            await gateway.stop()

    app = Starlette(
        routes=[
            route("/health/liveness", GET=liveness),
            route("/health/readiness", GET=readiness),
            route("/metrics", GET=metrics),
            route("/openapi.json", GET=openapi),
            route("/v1/inputs/{token}", GET=serve_input),
            *videos.routes,
            *images.routes,
            *models_api.routes,
            *admin.routes,
        ],
        middleware=[
            Middleware(StripTrailingSlash),
            Middleware(RequestLogMiddleware),
            Middleware(MetricsMiddleware),
            Middleware(
                BodySizeLimitMiddleware, max_bytes=config.general_settings.max_request_body_bytes
            ),
        ],
        exception_handlers=EXCEPTION_HANDLERS,
        lifespan=lifespan,
    )
    app.router.redirect_slashes = False  # StripTrailingSlash serves those paths instead
    app.state.gateway = gateway
    app.state.openapi = openapi_document(version("tarash-gateway"))
    return app
