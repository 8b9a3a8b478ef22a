"""The running gateway: a small container of its services, and their start and stop.

Each service is built by its own function in ``proxy/services.py``; handlers reach
them through ``request.app.state.gateway``.
"""

from __future__ import annotations

import asyncio
import logging
import time
from pathlib import Path

from tarash_gateway.proxy import services
from tarash_gateway.proxy.metrics import watch_health
from tarash_gateway.proxy.outbound import Outbound
from tarash_gateway.proxy.store.accounts import AccountStore
from tarash_gateway.proxy.store.database import Database
from tarash_gateway.proxy.store.jobs import JobStore
from tarash_gateway.proxy.workers.config_watch import ConfigWatcher
from tarash_gateway.router import (
    ConfigError,
    ConfigIssue,
    GatewayConfig,
    Router,
    aclose_sessions,
    load_config,
)

logger = logging.getLogger("tarash.gateway")

MASTER_OWNER = "master"


class Gateway:
    """Everything request handlers need, built once per process.

    ``config``, ``router``, ``inputs`` and ``master_key`` are swapped together by
    ``reload``; the rest (stores, workers, limiters, outbound) live as long as the
    process and read the current config through the gateway when they need it.
    """

    def __init__(
        self,
        config: GatewayConfig,
        router: Router | None = None,
        config_path: Path | None = None,
        instance_id: str | None = None,
    ) -> None:
        settings = config.general_settings
        self.config, self.config_path = config, config_path
        self.instance_id = instance_id or services.default_instance_id()
        self.shared = services.shared_state(config, self.instance_id)
        self.master_key = services.master_key(config)
        self.inputs = services.input_publisher(config, lambda: self.master_key)
        self.router = router or Router(config, shared=self.shared, publisher=self.inputs)
        if self.router.publisher is None:
            self.router.publisher = self.inputs
        self.database = Database(settings.database_url)
        self.store = JobStore(self.database)
        self.accounts = AccountStore(self.database, settings.key_cache_seconds)
        self.rate_limiter = services.rate_limiter(self.shared)
        self.poller = services.poller(config, self.store, lambda: self.router, self.instance_id)
        self.webhooks = services.webhook_sender(config, self.database, self.instance_id)
        self.poller.on_final = lambda _record, _status: self.webhooks.wake()
        #: Fetches and relays what providers point at, under the outbound policy.
        self.outbound = Outbound(lambda: self.config.general_settings)
        self.started_at = int(time.time())
        self._watcher: ConfigWatcher | None = None
        watch_health(self.router.health)

    async def start(self, watch_config: bool = False) -> None:
        for warning in self.router.config_warnings():
            logger.warning("config: %s", warning)
        await self.database.open()
        if self.shared is None:  # with Redis, the shared counts already include them
            await self._restore_in_flight()
        self.poller.start()
        self.webhooks.start()
        if watch_config and self.config_path is not None:
            self._watcher = ConfigWatcher(self.config_path, self._reload_for_watch).start()

    async def _restore_in_flight(self) -> None:
        """Least-busy and parallel limits count the jobs a previous run left running."""
        for deployment_id, count in (await self.store.in_flight_by_deployment()).items():
            for _ in range(count):
                self.router.health.job_started(deployment_id)

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
            issue = ConfigIssue(
                "<none>", 1, 1, "", "the gateway was started without a config file to reload"
            )
            raise ConfigError([issue])
        config = await asyncio.to_thread(load_config, self.config_path)
        inputs = services.input_publisher(config, lambda: self.master_key)
        router = Router(
            config,
            health=self.router.health,
            previous=self.router,
            shared=self.shared,
            publisher=inputs,
        )
        # One assignment: never half-applied.
        self.config, self.router, self.inputs, self.master_key = (
            config,
            router,
            inputs,
            services.master_key(config),
        )
        logger.info("config reloaded from %s: %d aliases", self.config_path, len(router.aliases))
        return config

    async def _reload_for_watch(self) -> int:
        """The watcher's reload: it logs the alias count with the content hash."""
        await self.reload()
        return len(self.router.aliases)
