"""How each of the gateway's services is built from the config, one function each.

``Gateway`` (proxy/gateway.py) holds what these return; keeping the construction here
lets each service be read (and built in a test) on its own.
"""

from __future__ import annotations

import secrets
import socket
from collections.abc import Callable
from pathlib import Path

from tarash_gateway.proxy.http.inputs import InputPublisher
from tarash_gateway.proxy.http.ratelimit import RateLimiter, SharedRateLimiter
from tarash_gateway.proxy.store.database import Database
from tarash_gateway.proxy.store.jobs import JobStore
from tarash_gateway.proxy.workers.poller import Poller
from tarash_gateway.proxy.workers.webhooks import WebhookSender
from tarash_gateway.router import GatewayConfig, Router
from tarash_gateway.router.shared import SharedState


def default_instance_id() -> str:
    """Unique per process when ``serve`` names none (it uses host:port, stable across
    restarts, so a restarted instance resumes its own leases at once)."""
    return f"{socket.gethostname()}-{secrets.token_hex(4)}"


def shared_state(config: GatewayConfig, instance_id: str) -> SharedState | None:
    """Router state and rate windows shared with other instances, when Redis is set."""
    url = config.general_settings.redis_url
    return SharedState.from_url(url, instance_id) if url else None


def master_key(config: GatewayConfig) -> bytes:
    return config.general_settings.master_key.get_secret_value().encode()


def input_publisher(
    config: GatewayConfig, signing_key: Callable[[], bytes]
) -> InputPublisher | None:
    """Serves uploaded input images to providers that only fetch URLs (None without
    ``public_url``: those providers then refuse uploads with a 400)."""
    settings = config.general_settings
    if settings.public_url is None:
        return None
    return InputPublisher(
        settings.public_url,
        Path(settings.media_dir) / "inputs",
        signing_key,
        settings.input_url_seconds,
    )


def rate_limiter(shared: SharedState | None) -> RateLimiter:
    """Per-key request rates: in this process, or across instances through Redis."""
    return SharedRateLimiter(shared) if shared is not None else RateLimiter()


def poller(
    config: GatewayConfig, store: JobStore, router: Callable[[], Router], instance_id: str
) -> Poller:
    """Follows jobs to their end; ``router`` is read per step, so a reload applies."""
    settings = config.general_settings
    return Poller(
        store,
        router,
        settings.poller_concurrency,
        Path(settings.media_dir),
        instance_id=instance_id,
        lease_seconds=settings.lease_seconds,
    )


def webhook_sender(config: GatewayConfig, database: Database, instance_id: str) -> WebhookSender:
    """Delivers the outbox's final-status notifications, with retries."""
    settings = config.general_settings
    return WebhookSender(
        database,
        retry_base_seconds=settings.webhook_retry_base_seconds,
        max_retry_seconds=settings.webhook_max_retry_seconds,
        timeout_seconds=settings.webhook_timeout_seconds,
        instance_id=instance_id,
        lease_seconds=settings.lease_seconds,
    )
