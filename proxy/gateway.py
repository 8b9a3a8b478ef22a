"""The running gateway's shared state: config, router, stores, poller and limiters."""

from __future__ import annotations

import time
from pathlib import Path

import httpx

from proxy.accounts import AccountStore
from proxy.database import Database
from proxy.poller import Poller
from proxy.ratelimit import RateLimiter
from proxy.store import JobStore
from router import GatewayConfig, Router

MASTER_OWNER = "master"


class Gateway:
    """Everything request handlers need, built once per process."""

    def __init__(self, config: GatewayConfig, router: Router | None = None) -> None:
        self.config = config
        self.router = router or Router(config)
        self.database = Database(config.general_settings.database_url)
        self.store = JobStore(self.database)
        self.accounts = AccountStore(self.database)
        self.rate_limiter = RateLimiter()
        settings = config.general_settings
        self.poller = Poller(
            self.store, lambda: self.router, settings.poller_concurrency, Path(settings.media_dir)
        )
        self.http = httpx.AsyncClient(timeout=httpx.Timeout(30.0, read=300.0))
        self.started_at = int(time.time())
        self.master_key = config.general_settings.master_key.get_secret_value().encode()

    async def start(self) -> None:
        await self.database.open()
        for deployment_id, count in (await self.store.in_flight_by_deployment()).items():
            for _ in range(count):  # the router's least-busy and parallel limits need these
                self.router.health.job_started(deployment_id)
        self.poller.start()

    async def stop(self) -> None:
        await self.poller.stop()
        await self.http.aclose()
        await self.database.close()
