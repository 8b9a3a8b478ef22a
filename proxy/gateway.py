"""The running gateway's shared state: the config, its router, the store and the poller."""

from __future__ import annotations

import time

import httpx

from proxy.poller import Poller
from proxy.store import JobStore
from router import GatewayConfig, Router

MASTER_OWNER = "master"


class Gateway:
    """Everything request handlers need, built once per process."""

    def __init__(self, config: GatewayConfig, router: Router | None = None) -> None:
        self.config = config
        self.router = router or Router(config)
        self.store = JobStore(config.general_settings.database_url)
        self.poller = Poller(
            self.store, lambda: self.router, config.general_settings.poller_concurrency
        )
        self.http = httpx.AsyncClient(timeout=httpx.Timeout(30.0, read=300.0))
        self.started_at = int(time.time())
        self.master_key = config.general_settings.master_key.get_secret_value().encode()

    async def start(self) -> None:
        await self.store.open()
        self.poller.start()

    async def stop(self) -> None:
        await self.poller.stop()
        await self.http.aclose()
        await self.store.close()
