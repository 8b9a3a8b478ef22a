"""The webhook outbox: one row per event to deliver (``webhook_deliveries``).

An event is enqueued in the same transaction as the video's final status, so it is
never lost to a crash; the sender (proxy/workers/webhooks.py) claims due rows under a
lease, sends them and records the outcome here. Every change is a named, typed method,
so the states a delivery can be in (pending, delivered, failed, skipped) are all
written in this one module.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from tarash_gateway.proxy.store.database import Connection, Database
from tarash_gateway.proxy.store.leases import claim, release
from tarash_gateway.proxy.store.schema import api_keys, teams, webhook_deliveries

LIST_LIMIT = 500
"""Most rows the delivery log returns in one answer."""


@dataclass(frozen=True, slots=True)
class Delivery:
    """A row of ``webhook_deliveries``; ``next_attempt_at`` is None once it is final."""

    id: str
    video_id: str
    type: str
    owner: str
    key_id: str | None
    status: str
    url: str | None
    attempts: int
    last_status_code: int | None
    last_error: str | None
    created_at: float
    next_attempt_at: float | None
    delivered_at: float | None


def _delivery(row: sa.Row[Any]) -> Delivery:
    return Delivery(
        id=row.id,
        video_id=row.video_id,
        type=row.type,
        owner=row.owner,
        key_id=row.key_id,
        status=row.status,
        url=row.url,
        attempts=row.attempts,
        last_status_code=row.last_status_code,
        last_error=row.last_error,
        created_at=row.created_at,
        next_attempt_at=row.next_attempt_at,
        delivered_at=row.delivered_at,
    )


async def enqueue(
    conn: Connection,
    *,
    video_id: str,
    event_type: str,
    owner: str,
    key_id: str | None,
    now: float,
) -> str | None:
    """Record an event inside the caller's transaction, once per video and type.
    Returns the new event id, or None if that event was already queued."""
    exists = await conn.execute(
        sa.select(webhook_deliveries.c.id).where(
            webhook_deliveries.c.video_id == video_id, webhook_deliveries.c.type == event_type
        )
    )
    if exists.first() is not None:
        return None
    event_id = f"evt_{secrets.token_hex(12)}"
    await conn.execute(
        webhook_deliveries.insert().values(
            id=event_id,
            video_id=video_id,
            type=event_type,
            owner=owner,
            key_id=key_id,
            status="pending",
            attempts=0,
            created_at=now,
            next_attempt_at=now,
        )
    )
    return event_id


class Outbox:
    """Claims, outcomes and the log of webhook deliveries."""

    def __init__(self, database: Database) -> None:
        self._db = database

    async def claim(
        self, owner: str, now: float, *, lease_seconds: float, limit: int
    ) -> list[Delivery]:
        """Lease up to ``limit`` pending deliveries that are due, oldest first."""
        rows = await claim(
            self._db,
            webhook_deliveries,
            due=sa.and_(
                webhook_deliveries.c.status == "pending",
                webhook_deliveries.c.next_attempt_at <= now,
            ),
            order_by=webhook_deliveries.c.next_attempt_at,
            owner=owner,
            now=now,
            lease_seconds=lease_seconds,
            limit=limit,
        )
        return [_delivery(row) for row in rows]

    async def release(self, owner: str) -> int:
        """Give back every lease ``owner`` holds."""
        return await release(self._db, webhook_deliveries, owner)

    async def target(self, delivery: Delivery) -> tuple[str, str] | None:
        """(url, secret): the key's own webhook if it has one, else its team's."""
        async with self._db.connect() as conn:
            for table, row_id in ((api_keys, delivery.key_id), (teams, delivery.owner)):
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
                    return str(found.webhook_url), str(found.webhook_secret)
        return None

    async def mark_skipped(self, event_id: str) -> None:
        """Nobody to send to (neither the key nor the team has a webhook)."""
        await self._set(event_id, {"status": "skipped", "next_attempt_at": None})

    async def mark_delivered(
        self, event_id: str, *, attempts: int, url: str, status_code: int, at: float
    ) -> None:
        await self._set(
            event_id,
            {
                "status": "delivered",
                "attempts": attempts,
                "url": url,
                "last_status_code": status_code,
                "last_error": None,
                "delivered_at": at,
                "next_attempt_at": None,
            },
        )

    async def mark_failed(
        self,
        event_id: str,
        *,
        attempts: int,
        url: str,
        status_code: int | None,
        error: str,
        retry_at: float | None,
    ) -> None:
        """An attempt failed: pending again at ``retry_at``, or failed for good if None."""
        await self._set(
            event_id,
            {
                "attempts": attempts,
                "url": url,
                "last_status_code": status_code,
                "last_error": error,
                "status": "pending" if retry_at is not None else "failed",
                "next_attempt_at": retry_at,
            },
        )

    async def list(
        self,
        *,
        team_id: str | None = None,
        video_id: str | None = None,
        status: str | None = None,
        limit: int = LIST_LIMIT,
    ) -> list[Delivery]:
        """The delivery log, newest first, filtered by whichever arguments are given."""
        query = webhook_deliveries.select().order_by(webhook_deliveries.c.created_at.desc())
        for column, value in (
            (webhook_deliveries.c.owner, team_id),
            (webhook_deliveries.c.video_id, video_id),
            (webhook_deliveries.c.status, status),
        ):
            if value:
                query = query.where(column == value)
        async with self._db.connect() as conn:
            rows = (await conn.execute(query.limit(limit))).all()
        return [_delivery(row) for row in rows]

    async def _set(self, event_id: str, values: dict[str, object]) -> None:
        async with self._db.begin() as conn:
            await conn.execute(
                webhook_deliveries.update()
                .where(webhook_deliveries.c.id == event_id)
                .values(values)
            )
