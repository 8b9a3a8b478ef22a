"""The database front: SQLite inline on the loop, the same API as the async engine."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from tarash_gateway.proxy.store.database import Database

ROWS = sa.table("rows", sa.column("id", sa.Integer), sa.column("name", sa.String))


@pytest.fixture
async def database(tmp_path: Path) -> AsyncIterator[Database]:
    db = Database(f"sqlite:///{tmp_path / 'inline.db'}")
    await db.open()
    async with db.begin() as conn:
        await conn.execute(sa.text("CREATE TABLE rows (id INTEGER PRIMARY KEY, name TEXT)"))
    yield db
    await db.close()


async def count(db: Database) -> int:
    async with db.connect() as conn:
        return int((await conn.execute(sa.select(sa.func.count()).select_from(ROWS))).scalar())


def test_sqlite_runs_inline_and_postgres_does_not() -> None:
    assert Database("sqlite:///x.db").inline
    assert not Database("postgresql://u@h/db").inline


async def test_a_failed_transaction_leaves_nothing(database: Database) -> None:
    async def half_written() -> None:
        async with database.begin() as conn:
            await conn.execute(ROWS.insert(), {"id": 1, "name": "half-written"})
            raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        await half_written()
    assert await count(database) == 0


async def test_a_savepoint_rolls_back_alone(database: Database) -> None:
    async with database.begin() as conn:
        await conn.execute(ROWS.insert(), {"id": 1, "name": "kept"})
        with pytest.raises(sa.exc.IntegrityError):
            async with conn.begin_nested():
                await conn.execute(ROWS.insert(), {"id": 1, "name": "duplicate"})
    assert await count(database) == 1


async def test_concurrent_transactions_all_land_without_waiting(database: Database) -> None:
    async def write(row_id: int) -> None:
        async with database.begin() as conn:
            await conn.execute(ROWS.insert(), {"id": row_id, "name": "x"})
            await conn.execute(
                ROWS.update().where(ROWS.c.id == row_id).values(name=f"row {row_id}")
            )

    await asyncio.wait_for(asyncio.gather(*(write(i) for i in range(200))), timeout=10)
    assert await count(database) == 200


async def test_using_it_before_open_says_so(tmp_path: Path) -> None:
    with pytest.raises(RuntimeError, match="open"):
        async with Database(f"sqlite:///{tmp_path / 'closed.db'}").connect():
            pass
