"""The running gateway's shared state: config, router, stores, poller and limiters."""

from __future__ import annotations

import asyncio
import logging
import secrets
import socket
import time
from pathlib import Path

from tarash_gateway.proxy.http.inputs import InputPublisher
from tarash_gateway.proxy.http.ratelimit import RateLimiter, SharedRateLimiter
from tarash_gateway.proxy.metrics import watch_health
from tarash_gateway.proxy.outbound import Outbound
from tarash_gateway.proxy.store.accounts import AccountStore
from tarash_gateway.proxy.store.database import Database
from tarash_gateway.proxy.store.jobs import JobStore
from tarash_gateway.proxy.workers.config_watch import ConfigWatcher
from tarash_gateway.proxy.workers.poller import Poller
from tarash_gateway.proxy.workers.webhooks import WebhookSender
from tarash_gateway.router import (
    ConfigError,
    ConfigIssue,
    GatewayConfig,
    Router,
    aclose_sessions,
    load_config,
)
from tarash_gateway.router.shared import SharedState

logger = logging.getLogger("tarash.gateway")

MASTER_OWNER = "master"


class Gateway:
    """Everything request handlers need, built once per process."""

    def __init__(
        self,
        config: GatewayConfig,
        router: Router | None = None,
        config_path: Path | None = None,
        instance_id: str | None = None,
    ) -> None:
        self.config = config
        self.config_path = config_path
        self._watcher: ConfigWatcher | None = None
        settings = config.general_settings
        #: Stable across restarts of the same instance (host:port by default in `serve`),
        #: so a restarted instance resumes its own leases at once.
        self.instance_id = instance_id or f"{socket.gethostname()}-{secrets.token_hex(4)}"
        #: Router state and rate windows shared with other instances, when configured.
        self.shared = (
            SharedState.from_url(settings.redis_url, self.instance_id)
            if settings.redis_url
            else None
        )
        #: Serves uploaded input images to providers that only fetch URLs (None
        #: without ``public_url``: those providers then refuse uploads with a 400).
        self.inputs = self._input_publisher(config)
        self.router = router or Router(config, shared=self.shared, publisher=self.inputs)
        if self.router.publisher is None:
            self.router.publisher = self.inputs
        self.database = Database(settings.database_url)
        self.store = JobStore(self.database)
        self.accounts = AccountStore(self.database, settings.key_cache_seconds)
        self.rate_limiter = (
            SharedRateLimiter(self.shared) if self.shared is not None else RateLimiter()
        )
        self.poller = Poller(
            self.store,
            lambda: self.router,
            settings.poller_concurrency,
            Path(settings.media_dir),
            instance_id=self.instance_id,
            lease_seconds=settings.lease_seconds,
        )
        self.webhooks = WebhookSender(
            self.database,
            retry_base_seconds=settings.webhook_retry_base_seconds,
            max_retry_seconds=settings.webhook_max_retry_seconds,
            timeout_seconds=settings.webhook_timeout_seconds,
            instance_id=self.instance_id,
            lease_seconds=settings.lease_seconds,
        )
        self.poller.on_final = lambda _record, _status: self.webhooks.wake()
        #: Fetches and relays what providers point at, under the outbound policy.
        self.outbound = Outbound(lambda: self.config.general_settings)
        self.started_at = int(time.time())
        self.master_key = config.general_settings.master_key.get_secret_value().encode()
        watch_health(self.router.health)

    def _input_publisher(self, config: GatewayConfig) -> InputPublisher | None:
        settings = config.general_settings
        if settings.public_url is None:
            return None
        return InputPublisher(
            settings.public_url,
            Path(settings.media_dir) / "inputs",
            lambda: self.master_key,
            settings.input_url_seconds,
        )

    async def start(self, watch_config: bool = False) -> None:
        for warning in self.router.config_warnings():
            logger.warning("config: %s", warning)
        await self.database.open()
        if self.shared is None:  # with Redis, the shared counts already include them
            for deployment_id, count in (await self.store.in_flight_by_deployment()).items():
                for _ in range(count):  # least-busy and parallel limits need these
                    self.router.health.job_started(deployment_id)
        self.poller.start()
        self.webhooks.start()
        if watch_config and self.config_path is not None:
            self._watcher = ConfigWatcher(self.config_path, self._reload_for_watch).start()

    async def stop(self) -> None:
        if self._watcher is not None:
            await self._watcher.close()
        await self.poller.stop()
        await self.webhooks.stop()
        await aclose_sessions()  # the adapters' pooled provider connections
        await self.outbound.close()
        await self.database.close()
        if self.shared is not None:
            await self.shared.close()

    async def reload(self) -> GatewayConfig:
        """Load the config file again and swap it in atomically, or raise ConfigError and
        keep running on the current one. Jobs in flight stay on their deployments (the
        new router still resolves retired deployment ids), and health carries over."""
        if self.config_path is None:
            raise ConfigError(
                [
                    ConfigIssue(
                        "<none>",
                        1,
                        1,
                        "",
                        "the gateway was started without a config file to reload",
                    )
                ]
            )
        config = await asyncio.to_thread(load_config, self.config_path)
        inputs = self._input_publisher(config)
        router = Router(
            config,
            health=self.router.health,
            previous=self.router,
            shared=self.shared,
            publisher=inputs,
        )
        # One assignment each: never half-applied.
        self.config, self.router, self.inputs = config, router, inputs
        self.master_key = config.general_settings.master_key.get_secret_value().encode()
        logger.info("config reloaded from %s: %d aliases", self.config_path, len(router.aliases))
        return config

    async def _reload_for_watch(self) -> int:
        """The watcher's reload: it logs the alias count with the content hash."""
        await self.reload()
        return len(self.router.aliases)
