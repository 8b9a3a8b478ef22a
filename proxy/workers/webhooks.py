"""Signed webhooks for finished videos, delivered from the outbox with retries.

Events use OpenAI's webhook shape (``video.completed`` / ``video.failed`` with
``data.id``) and the Standard Webhooks signature scheme (``webhook-id``,
``webhook-timestamp``, ``webhook-signature: v1,<base64 HMAC-SHA256>``), so the OpenAI
SDK's ``client.webhooks.unwrap(...)`` verifies them. Each event row is written in the
same transaction as the video's final status; the sender retries failed deliveries
with exponential backoff for a bounded time, and a restart simply resumes them.
"""

from __future__ import annotations

import base64
import json
import logging
import secrets
import time
from datetime import UTC, datetime

import httpx
from standardwebhooks.webhooks import Webhook

from tarash_gateway.proxy.store.database import Database
from tarash_gateway.proxy.store.outbox import Delivery, Outbox
from tarash_gateway.proxy.workers.leased import LeasedWorker

logger = logging.getLogger("tarash.webhooks")

MAX_IDLE_SLEEP = 1.0
"""Upper bound on how long the sender sleeps without looking at the outbox."""
MAX_BACKOFF_SECONDS = 3600.0
"""Longest wait between two attempts at one event."""
CLAIM_LIMIT = 100
"""Most events one round leases."""


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


class WebhookSender(LeasedWorker[Delivery]):
    """Delivers pending events; one background task per process (the loop is
    ``LeasedWorker``'s, the outbox rows live in ``proxy.store.outbox``)."""

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
        super().__init__(
            name="tarash-webhooks",
            logger=logger,
            concurrency=concurrency,
            instance_id=instance_id or f"instance-{secrets.token_hex(4)}",
            # A lease must outlive the slowest attempt, or another instance re-sends.
            lease_seconds=max(lease_seconds, timeout_seconds * 2),
            claim_limit=CLAIM_LIMIT,
            max_idle_sleep=MAX_IDLE_SLEEP,
        )
        self.outbox = Outbox(database)
        self.retry_base_seconds = retry_base_seconds
        self.max_retry_seconds = max_retry_seconds
        self._http = httpx.AsyncClient(timeout=timeout_seconds, follow_redirects=False)

    async def claim(self, now: float, limit: int) -> list[Delivery]:
        return await self.outbox.claim(
            self.instance_id, now, lease_seconds=self.lease_seconds, limit=limit
        )

    def row_id(self, row: Delivery) -> str:
        return row.id

    async def handle(self, row: Delivery) -> None:
        await self.deliver(row)

    async def release(self) -> int:
        return await self.outbox.release(self.instance_id)

    async def close(self) -> None:
        await self._http.aclose()

    async def deliver(self, row: Delivery) -> None:
        """One attempt at one event."""
        target = await self.outbox.target(row)
        if target is None:
            await self.outbox.mark_skipped(row.id)
            return
        url, secret = target
        body = event_body(row.id, row.type, row.video_id, row.created_at)
        headers = {
            "content-type": "application/json",
            "user-agent": "tarash-gateway-webhooks",
            **sign(secret, row.id, body, time.time()),
        }
        attempts = row.attempts + 1
        try:
            response = await self._http.post(url, content=body, headers=headers)
        except httpx.HTTPError as exc:
            await self._retry_later(row, attempts, url, None, type(exc).__name__)
            return
        if 200 <= response.status_code < 300:
            await self.outbox.mark_delivered(
                row.id, attempts=attempts, url=url, status_code=response.status_code, at=time.time()
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
        self, row: Delivery, attempts: int, url: str, status: int | None, error: str
    ) -> None:
        """Exponential backoff, until the event is older than ``max_retry_seconds``."""
        now = time.time()
        delay = min(MAX_BACKOFF_SECONDS, self.retry_base_seconds * 2.0 ** (attempts - 1))
        give_up = now + delay - row.created_at > self.max_retry_seconds
        await self.outbox.mark_failed(
            row.id,
            attempts=attempts,
            url=url,
            status_code=status,
            error=error,
            retry_at=None if give_up else now + delay,
        )
        logger.warning(
            "webhook %s to team %s failed (%s); %s",
            row.id,
            row.owner,
            error,
            "giving up" if give_up else f"retrying in {delay:.1f}s",
        )
