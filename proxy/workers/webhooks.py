"""Signed webhooks for finished videos, delivered from the outbox with retries.

Events use OpenAI's webhook shape (``video.completed`` / ``video.failed`` with
``data.id``) and the Standard Webhooks signature scheme (``webhook-id``,
``webhook-timestamp``, ``webhook-signature: v1,<base64 HMAC-SHA256>``), so the OpenAI
SDK's ``client.webhooks.unwrap(...)`` verifies them. Each event row is written in the
same transaction as the video's final status; the sender retries failed deliveries
with exponential backoff for a bounded time, and a restart simply resumes them.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import json
import logging
import secrets
import time
from datetime import UTC, datetime
from typing import Any

import httpx
import sqlalchemy as sa
from standardwebhooks.webhooks import Webhook

from tarash_gateway.proxy.store.database import Database
from tarash_gateway.proxy.store.leases import claim, release
from tarash_gateway.proxy.store.schema import api_keys, teams, webhook_deliveries

logger = logging.getLogger("tarash.webhooks")

MAX_IDLE_SLEEP = 1.0
MAX_BACKOFF_SECONDS = 3600.0


def new_webhook_secret() -> str:
    """A Standard Webhooks secret: ``whsec_`` and 32 random bytes in base64."""
    return "whsec_" + base64.b64encode(secrets.token_bytes(32)).decode()


def event_body(event_id: str, event_type: str, video_id: str, created_at: float) -> str:
    return json.dumps(
        {
            "id": event_id,
            "object": "event",
            "type": event_type,
            "created_at": int(created_at),
            "data": {"id": video_id},
        },
        separators=(",", ":"),
    )


def sign(secret: str, event_id: str, body: str, now: float) -> dict[str, str]:
    """The three Standard Webhooks headers for ``body``."""
    signature = Webhook(secret).sign(event_id, datetime.fromtimestamp(now, tz=UTC), body)
    return {
        "webhook-id": event_id,
        "webhook-timestamp": str(int(now)),
        "webhook-signature": signature,
    }


class WebhookSender:
    """Delivers pending events; one background task per process."""

    def __init__(
        self,
        database: Database,
        *,
        retry_base_seconds: float = 5.0,
        max_retry_seconds: float = 86400.0,
        timeout_seconds: float = 10.0,
        concurrency: int = 16,
        instance_id: str = "",
        lease_seconds: float = 60.0,
    ) -> None:
        self._db = database
        self.instance_id = instance_id or f"instance-{secrets.token_hex(4)}"
        self.lease_seconds = max(lease_seconds, timeout_seconds * 2)
        self.retry_base_seconds = retry_base_seconds
        self.max_retry_seconds = max_retry_seconds
        self._http = httpx.AsyncClient(timeout=timeout_seconds, follow_redirects=False)
        self._limit = asyncio.Semaphore(concurrency)
        self._wakeup = asyncio.Event()
        self._active: set[str] = set()
        self._tasks: set[asyncio.Task[None]] = set()
        self._runner: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._runner = asyncio.create_task(self._run(), name="tarash-webhooks")

    def wake(self) -> None:
        self._wakeup.set()

    async def stop(self) -> None:
        if self._runner is not None:
            self._runner.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._runner
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        await self._http.aclose()
        with contextlib.suppress(Exception):  # leases also expire on their own
            await release(self._db, webhook_deliveries, self.instance_id)

    async def _run(self) -> None:
        while True:
            try:
                await self._dispatch_due()
            except Exception:
                logger.exception("webhook sender could not read its outbox")
            self._wakeup.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wakeup.wait(), timeout=MAX_IDLE_SLEEP)

    async def _dispatch_due(self) -> None:
        rows = await claim(
            self._db,
            webhook_deliveries,
            due=sa.and_(
                webhook_deliveries.c.status == "pending",
                webhook_deliveries.c.next_attempt_at <= time.time(),
            ),
            order_by=webhook_deliveries.c.next_attempt_at,
            owner=self.instance_id,
            now=time.time(),
            lease_seconds=self.lease_seconds,
            limit=100,
        )
        for row in rows:
            if row.id in self._active:
                continue
            self._active.add(row.id)
            task = asyncio.create_task(self._deliver_guarded(row))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

    async def _deliver_guarded(self, row: Any) -> None:
        try:
            async with self._limit:
                await self.deliver(row)
        except Exception:
            logger.exception("unexpected error delivering webhook %s", row.id)
        finally:
            self._active.discard(row.id)

    async def _target(self, row: Any) -> tuple[str, str] | None:
        """(url, secret): the key's own webhook if it has one, else its team's."""
        async with self._db.connect() as conn:
            for table, row_id in ((api_keys, row.key_id), (teams, row.owner)):
                if row_id is None:
                    continue
                found = (
                    await conn.execute(
                        sa.select(table.c.webhook_url, table.c.webhook_secret).where(
                            table.c.id == row_id
                        )
                    )
                ).first()
                if found is not None and found.webhook_url and found.webhook_secret:
                    return found.webhook_url, found.webhook_secret
        return None

    async def deliver(self, row: Any) -> None:
        """One attempt at one event."""
        target = await self._target(row)
        if target is None:
            await self._update(row.id, status="skipped", next_attempt_at=None)
            return
        url, secret = target
        now = time.time()
        body = event_body(row.id, row.type, row.video_id, row.created_at)
        headers = {
            "content-type": "application/json",
            "user-agent": "tarash-gateway-webhooks",
            **sign(secret, row.id, body, now),
        }
        attempts = row.attempts + 1
        try:
            response = await self._http.post(url, content=body, headers=headers)
        except httpx.HTTPError as exc:
            await self._retry_later(row, attempts, url, None, type(exc).__name__)
            return
        if 200 <= response.status_code < 300:
            await self._update(
                row.id,
                status="delivered",
                attempts=attempts,
                url=url,
                last_status_code=response.status_code,
                last_error=None,
                delivered_at=time.time(),
                next_attempt_at=None,
            )
            logger.info(
                "webhook %s delivered",
                row.type,
                extra={"video_id": row.video_id, "event_id": row.id, "team": row.owner},
            )
            return
        await self._retry_later(
            row, attempts, url, response.status_code, f"HTTP {response.status_code}"
        )

    async def _retry_later(
        self, row: Any, attempts: int, url: str, status: int | None, error: str
    ) -> None:
        now = time.time()
        delay = min(MAX_BACKOFF_SECONDS, self.retry_base_seconds * 2.0 ** (attempts - 1))
        give_up = now + delay - row.created_at > self.max_retry_seconds
        await self._update(
            row.id,
            attempts=attempts,
            url=url,
            last_status_code=status,
            last_error=error,
            status="failed" if give_up else "pending",
            next_attempt_at=None if give_up else now + delay,
        )
        logger.warning(
            "webhook %s to team %s failed (%s); %s",
            row.id,
            row.owner,
            error,
            "giving up" if give_up else f"retrying in {delay:.1f}s",
        )

    async def _update(self, event_id: str, **values: Any) -> None:
        async with self._db.begin() as conn:
            await conn.execute(
                webhook_deliveries.update()
                .where(webhook_deliveries.c.id == event_id)
                .values(**values)
            )
