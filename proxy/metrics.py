"""Prometheus metrics: what operators page on.

With ``PROMETHEUS_MULTIPROC_DIR`` set (several worker processes), every process writes
its samples there and ``/metrics`` aggregates them; gauges say how to combine
(in-flight jobs are summed, breaker state takes the worst).
"""

from __future__ import annotations

import os
import time

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
    multiprocess,
)
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from tarash_gateway.proxy.http.routes import ROUTE_TEMPLATES
from tarash_gateway.router.health import HealthBook

REQUESTS = Counter(
    "tarash_http_requests_total",
    "HTTP requests by route template and status.",
    ["method", "route", "status"],
)
VIDEOS = Counter(
    "tarash_videos_total",
    "Videos that reached a final status.",
    ["alias", "deployment", "provider", "status"],
)
CREATE_OVERHEAD = Histogram(
    "tarash_create_overhead_seconds",
    "The gateway's own time on a create: the whole request minus provider calls and retry backoff.",
    buckets=(0.0002, 0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1.0),
)
COMPLETION = Histogram(
    "tarash_video_completion_seconds",
    "From create to a final status.",
    ["alias", "provider", "status"],
    buckets=(1, 5, 15, 30, 60, 120, 300, 600, 1200, 1800, 3600),
)
POLL_ERRORS = Counter(
    "tarash_poll_errors_total",
    "Failed polls of upstream jobs.",
    ["deployment", "provider", "error"],
)
BREAKER = Gauge(
    "tarash_deployment_breaker_state",
    "Circuit breaker: 0 closed, 1 half-open, 2 open.",
    ["deployment"],
    multiprocess_mode="max",
)
IN_FLIGHT = Gauge(
    "tarash_jobs_in_flight",
    "Upstream jobs running, per deployment.",
    ["deployment"],
    multiprocess_mode="livesum",
)
SPEND = Counter(
    "tarash_spend_usd_total",
    "Settled spend in USD.",
    ["team", "alias"],
)

_STATE_VALUE = {"closed": 0, "half_open": 1, "open": 2}


def watch_health(book: HealthBook) -> None:
    """Keep the breaker and in-flight gauges in step with the router's health book."""

    def changed(deployment_id: str) -> None:
        health = book.of(deployment_id)
        BREAKER.labels(deployment_id).set(_STATE_VALUE[health.state(time.monotonic())])
        IN_FLIGHT.labels(deployment_id).set(health.in_flight)

    book.on_change = changed


async def metrics_endpoint(request: Request) -> Response:
    """The Prometheus exposition (aggregated across processes when configured)."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
        body = generate_latest(registry)
    else:
        body = generate_latest()
    return Response(body, media_type=CONTENT_TYPE_LATEST)


class MetricsMiddleware:
    """Counts every HTTP request by method, route template and status."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        status = 500

        async def recording_send(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, recording_send)
        finally:
            route = ROUTE_TEMPLATES.get(scope.get("endpoint"), "unmatched")  # type: ignore[arg-type]
            REQUESTS.labels(scope["method"], route, str(status)).inc()
