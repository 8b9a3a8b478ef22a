"""The job store's database: one per process, shared by every store.

Stores use it one way whatever the backend::

    async with database.begin() as conn:    # or database.connect() to read
        await conn.execute(statement, parameters)

PostgreSQL goes through SQLAlchemy's async engine (asyncpg). SQLite goes through
SQLAlchemy's *synchronous* engine, inline on the event loop's thread: a primary-key read
or a WAL commit takes tens of microseconds, less than handing the statement to another
thread and back. The async SQLite driver did exactly that hand-off for every cursor call
and commit (about fifty per create), and its greenlet bridge, task-per-close and queued
pool came on top; see docs/performance.md for what each cost.

Running inline is safe because no transaction body in the gateway awaits anything but
its own statements, so a transaction never yields to the loop halfway: two of them never
interleave, and this process never waits on its own SQLite locks.
"""

from __future__ import annotations

import contextlib
import logging
import os
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any, Protocol, TypeVar

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from tarash_gateway.proxy.store.checkpoint import (
    CHECKPOINT_SECONDS,
    FALLBACK_AUTOCHECKPOINT_PAGES,
    Checkpointer,
)

logger = logging.getLogger("tarash.database")

MIGRATIONS = Path(__file__).resolve().parent / "migrations"

T = TypeVar("T")


class Connection(Protocol):
    """What stores use of a connection: the async face of SQLAlchemy's Connection."""

    async def execute(self, statement: Any, parameters: Any = None) -> Any:
        """A CursorResult (typed loosely: Core rows are read by name or index)."""

    def begin_nested(self) -> contextlib.AbstractAsyncContextManager[Any]: ...

    async def run_sync(self, fn: Callable[[sa.Connection], T]) -> T: ...


class InlineConnection:
    """A synchronous SQLAlchemy connection behind :class:`Connection`'s async methods;
    each call runs to completion before it returns (SQLite, see the module docstring)."""

    __slots__ = ("_connection",)

    def __init__(self, connection: sa.Connection) -> None:
        self._connection = connection

    async def execute(self, statement: Any, parameters: Any = None) -> Any:
        return self._connection.execute(statement, parameters)

    @contextlib.asynccontextmanager
    async def begin_nested(self) -> AsyncIterator[None]:
        with self._connection.begin_nested():
            yield

    async def run_sync(self, fn: Callable[[sa.Connection], T]) -> T:
        return fn(self._connection)


def async_database_url(url: str) -> str:
    """Pick the async driver for a plain URL (sqlite → aiosqlite, postgresql → asyncpg)."""
    parsed = make_url(url)
    drivers = {"sqlite": "sqlite+aiosqlite", "postgresql": "postgresql+asyncpg"}
    if parsed.drivername in drivers:
        parsed = parsed.set(drivername=drivers[parsed.drivername])
    return parsed.render_as_string(hide_password=False)


class Database:
    """Owns the engine; ``open`` brings the schema to the latest migration."""

    def __init__(self, url: str, *, checkpoint_seconds: float = CHECKPOINT_SECONDS) -> None:
        #: ``sqlite``, ``postgresql``…: SQLite runs inline through the synchronous engine,
        #: anything else through the async one.
        self.dialect = make_url(url).get_backend_name()
        self.inline = self.dialect == "sqlite"
        self.url = url if self.inline else async_database_url(url)
        self.checkpoint_seconds = checkpoint_seconds
        #: A SQLite file's WAL checkpoints, off the event loop (proxy/store/checkpoint.py).
        self.checkpointer: Checkpointer | None = None
        self._engine: AsyncEngine | None = None
        self._sync_engine: sa.Engine | None = None
        #: The SQLite file's (device, inode) when it was opened: a file deleted or
        #: replaced under a running gateway keeps taking writes on the old inode, which
        #: vanish at restart, so readiness compares the path against it.
        self._file_identity: tuple[int, int] | None = None
        self._file_problem_logged = False

    async def open(self) -> None:
        """Connect and bring the schema to the latest migration."""
        if self.inline:
            self._sync_engine = _sqlite_engine(self.url)
        else:
            self._engine = create_async_engine(self.url, pool_size=10, max_overflow=20)
        async with self.begin() as conn:
            if self.dialect == "postgresql":
                # Several instances may start together: one migrates, the others wait.
                await conn.execute(sa.text("SELECT pg_advisory_xact_lock(7261827)"))
            await conn.run_sync(_migrate)
        path = make_url(self.url).database
        if self.inline and path and path != ":memory:":
            stat = os.stat(path)
            self._file_identity = (stat.st_dev, stat.st_ino)
            self.checkpointer = Checkpointer(path, self.checkpoint_seconds)
            self.checkpointer.start()

    @contextlib.asynccontextmanager
    async def connect(self) -> AsyncIterator[Connection]:
        """A connection from the pool, returned to it on exit."""
        if self._sync_engine is not None:
            with self._sync_engine.connect() as sync_conn:
                yield InlineConnection(sync_conn)
        elif self._engine is not None:
            async with self._engine.connect() as conn:
                yield conn
        else:
            raise RuntimeError("Database.open() has not been called")

    @contextlib.asynccontextmanager
    async def begin(self) -> AsyncIterator[Connection]:
        """A connection in a transaction: committed on exit, rolled back on an error."""
        if self._sync_engine is not None:
            with self._sync_engine.begin() as sync_conn:
                yield InlineConnection(sync_conn)
        elif self._engine is not None:
            async with self._engine.begin() as conn:
                yield conn
        else:
            raise RuntimeError("Database.open() has not been called")

    def file_problem(self) -> str | None:
        """Why the SQLite file this process writes to is no longer the one at its path
        (deleted, replaced), or None. Logged once as an error: every write from then on
        is lost when the process exits."""
        if self._file_identity is None:
            return None
        path = make_url(self.url).database
        assert path is not None
        try:
            stat = os.stat(path)
        except FileNotFoundError:
            problem = f"the database file {path} was deleted"
        else:
            if (stat.st_dev, stat.st_ino) == self._file_identity:
                self._file_problem_logged = False
                return None
            problem = f"the database file {path} was replaced by another file"
        if not self._file_problem_logged:
            self._file_problem_logged = True
            logger.error(
                "%s while the gateway is running: writes now go to a file nothing can "
                "reach and are lost at restart; restore it and restart the gateway",
                problem,
            )
        return problem

    async def close(self) -> None:
        if self.checkpointer is not None:
            self.checkpointer.stop()
            self.checkpointer = None
        if self._engine is not None:
            await self._engine.dispose()
            self._engine = None
        if self._sync_engine is not None:
            self._sync_engine.dispose()
            self._sync_engine = None


def _sqlite_engine(url: str) -> sa.Engine:
    """The synchronous engine for a SQLite URL. One connection serves every transaction
    (they never overlap); the overflow only covers a connection held open while another
    reads, and a memory database is one shared connection."""
    parsed = make_url(url).set(drivername="sqlite+pysqlite")  # the stdlib driver, in this thread
    in_memory = parsed.database in (None, "", ":memory:")
    pool: dict[str, Any] = (
        {"poolclass": sa.StaticPool}
        if in_memory
        else {"pool_size": 1, "max_overflow": 4, "pool_timeout": 0}
    )
    engine = sa.create_engine(parsed, connect_args={"check_same_thread": False}, **pool)
    sa.event.listen(engine, "connect", _sqlite_pragmas)
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
    checkpoints happen on their own thread, with commits as a distant fallback; the busy
    timeout makes a writer in another process (an admin script) queue instead of failing."""
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute(f"PRAGMA wal_autocheckpoint={FALLBACK_AUTOCHECKPOINT_PAGES}")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()
