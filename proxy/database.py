"""One async SQLAlchemy engine per process, shared by every store."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from proxy import sqlite_inline

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def async_database_url(url: str) -> str:
    """Pick the async driver for a plain URL (sqlite → aiosqlite, postgresql → asyncpg)."""
    parsed = make_url(url)
    drivers = {"sqlite": "sqlite+aiosqlite", "postgresql": "postgresql+asyncpg"}
    if parsed.drivername in drivers:
        parsed = parsed.set(drivername=drivers[parsed.drivername])
    return parsed.render_as_string(hide_password=False)


class Database:
    """Owns the engine; ``open`` creates the schema if it does not exist."""

    def __init__(self, url: str) -> None:
        self.url = async_database_url(url)
        self._engine: AsyncEngine | None = None

    @property
    def engine(self) -> AsyncEngine:
        if self._engine is None:
            raise RuntimeError("Database.open() has not been called")
        return self._engine

    async def open(self) -> None:
        """Connect and bring the schema to the latest migration."""
        engine = _create_engine(self.url)
        async with engine.begin() as conn:
            if engine.dialect.name == "postgresql":
                # Several instances may start together: one migrates, the others wait.
                await conn.execute(sa.text("SELECT pg_advisory_xact_lock(7261827)"))
            await conn.run_sync(_migrate)
        self._engine = engine

    async def close(self) -> None:
        if self._engine is not None:
            await self._engine.dispose()
            self._engine = None


def _create_engine(url: str) -> AsyncEngine:
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return create_async_engine(url, pool_size=10, max_overflow=20)
    # SQLite runs inline on the event loop through one connection (sqlite_inline.py):
    # one connection means this process never waits on its own locks.
    engine = create_async_engine(
        url,
        async_creator=sqlite_inline.creator(parsed.database or ":memory:"),
        **(
            {} if parsed.database in (None, "", ":memory:") else {"pool_size": 1, "max_overflow": 0}
        ),
    )
    sa.event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
    return engine


def _migrate(connection: sa.Connection) -> None:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    tables = set(sa.inspect(connection).get_table_names())
    if "videos" in tables and "alembic_version" not in tables:
        # A store created before migrations existed has exactly the first version's schema.
        command.stamp(config, "0001")
    command.upgrade(config, "head")


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    """WAL lets readers proceed during writes; NORMAL sync is durable across app crashes;
    the busy timeout makes concurrent writers queue instead of failing."""
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()
