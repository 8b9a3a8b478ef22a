"""SQLite's WAL is checkpointed on its own thread, not inside a request's commit."""

from __future__ import annotations

import logging
import sqlite3
import time
from collections.abc import Callable
from pathlib import Path

import pytest
import sqlalchemy as sa

from tarash_gateway.proxy.store.checkpoint import FALLBACK_AUTOCHECKPOINT_PAGES, Checkpointer
from tarash_gateway.proxy.store.database import Database


def wait_for(condition: Callable[[], bool], timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.01)


async def test_a_sqlite_file_is_checkpointed_by_the_thread(tmp_path: Path) -> None:
    path = tmp_path / "jobs.db"
    database = Database(f"sqlite:///{path}", checkpoint_seconds=0.02)
    await database.open()
    try:
        checkpointer = database.checkpointer
        assert checkpointer is not None
        assert checkpointer.running
        async with database.begin() as conn:
            # The request path only checkpoints as a distant fallback.
            pages = (await conn.execute(sa.text("PRAGMA wal_autocheckpoint"))).scalar()
            assert pages == FALLBACK_AUTOCHECKPOINT_PAGES
            await conn.execute(sa.text("CREATE TABLE big (payload TEXT)"))
        size_before = path.stat().st_size
        for _ in range(20):
            async with database.begin() as conn:
                await conn.execute(sa.text("INSERT INTO big VALUES (:p)"), {"p": "x" * 20_000})
        runs = checkpointer.runs

        def everything_copied() -> bool:
            last = checkpointer.last
            return checkpointer.runs > runs and last is not None and last[0] == last[1] > 50

        wait_for(everything_copied)
        # The rows reached the database file itself, not only the log.
        assert path.stat().st_size > size_before + 20 * 20_000
    finally:
        await database.close()
    assert not checkpointer.running
    assert database.checkpointer is None


async def test_a_memory_database_has_no_checkpointer() -> None:
    database = Database("sqlite://")
    await database.open()
    try:
        assert database.checkpointer is None
    finally:
        await database.close()


def test_a_failing_checkpoint_is_logged_once_and_retried(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "broken.db"
    path.write_bytes(b"this is not a database" * 100)
    checkpointer = Checkpointer(str(path), interval=0.01)
    with caplog.at_level(logging.WARNING, logger="tarash.database"):
        checkpointer.start()
        try:
            time.sleep(0.2)  # many failed attempts
            assert checkpointer.running
            assert checkpointer.runs == 0
            warnings = [r.getMessage() for r in caplog.records if r.name == "tarash.database"]
            assert len(warnings) == 1
            assert "WAL checkpoint failed; will retry" in warnings[0]
            path.write_bytes(b"")  # same file, now an empty database: the next try works
            with sqlite3.connect(path) as repaired:
                repaired.execute("PRAGMA journal_mode=WAL")
            wait_for(lambda: checkpointer.runs > 0)
        finally:
            checkpointer.stop()
    assert not checkpointer.running
