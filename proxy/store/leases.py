"""Leases: how several gateway instances share one store and still handle each due row
(a job to poll, a webhook to send) in exactly one instance at a time.

A row is claimed by one conditional UPDATE that sets ``lease_owner`` and
``lease_expires_at``; rows leased by another live instance are skipped, and a dead
instance's rows become claimable again when its leases expire. On PostgreSQL the
candidate rows are locked with ``FOR UPDATE SKIP LOCKED`` so concurrent claimers never
wait on each other; SQLite serialises writers anyway.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from tarash_gateway.proxy.store.database import Database


def claimable(table: sa.Table, owner: str, now: float) -> sa.ColumnElement[bool]:
    return sa.or_(
        table.c.lease_expires_at.is_(None),
        table.c.lease_expires_at < now,
        table.c.lease_owner == owner,
    )


async def claim(
    database: Database,
    table: sa.Table,
    *,
    due: sa.ColumnElement[bool],
    order_by: sa.ColumnElement[Any],
    owner: str,
    now: float,
    lease_seconds: float,
    limit: int,
) -> list[sa.Row[Any]]:
    """Lease up to ``limit`` due rows to ``owner`` and return them."""
    candidates = (
        sa.select(table.c.id)
        .where(due, claimable(table, owner, now))
        .order_by(order_by)
        .limit(limit)
    )
    if database.dialect == "postgresql":
        candidates = candidates.with_for_update(skip_locked=True)
    statement = (
        table.update()
        .where(table.c.id.in_(candidates.scalar_subquery()))
        .values(lease_owner=owner, lease_expires_at=now + lease_seconds)
        .returning(*table.c)
    )
    async with database.begin() as conn:
        return list((await conn.execute(statement)).all())


async def release(database: Database, table: sa.Table, owner: str) -> int:
    """Give back every lease ``owner`` holds (on a graceful stop)."""
    async with database.begin() as conn:
        result = await conn.execute(
            table.update()
            .where(table.c.lease_owner == owner)
            .values(lease_owner=None, lease_expires_at=None)
        )
    return int(result.rowcount or 0)
