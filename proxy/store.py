"""The durable job store: one row per video, in SQLite (default) or any SQLAlchemy URL.

A row is written before the provider is called and updated as the job advances, so an
accepted job survives a crash or restart and the poller can pick it up again.
"""

from __future__ import annotations

import dataclasses
import json
import time
from dataclasses import dataclass, field
from typing import Any, Literal

import sqlalchemy as sa
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

IN_FLIGHT = ("queued", "in_progress")

metadata = sa.MetaData()

videos = sa.Table(
    "videos",
    metadata,
    sa.Column("seq", sa.BigInteger().with_variant(sa.Integer, "sqlite"), primary_key=True),
    sa.Column("id", sa.String(64), nullable=False, unique=True),
    sa.Column("owner", sa.String(128), nullable=False),
    sa.Column("alias", sa.String(256), nullable=False),
    sa.Column("deployment_id", sa.String(512), nullable=False),
    sa.Column("upstream_id", sa.String(512)),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("progress", sa.Integer, nullable=False, default=0),
    sa.Column("prompt", sa.Text),
    sa.Column("seconds", sa.String(16), nullable=False),
    sa.Column("size", sa.String(32), nullable=False),
    sa.Column("request_json", sa.Text, nullable=False),
    sa.Column("result_json", sa.Text),
    sa.Column("error_code", sa.String(64)),
    sa.Column("error_message", sa.Text),
    sa.Column("attempts", sa.Integer, nullable=False, default=1),
    sa.Column("polls", sa.Integer, nullable=False, default=0),
    sa.Column("poll_failures", sa.Integer, nullable=False, default=0),
    sa.Column("remixed_from_video_id", sa.String(64)),
    sa.Column("created_at", sa.Float, nullable=False),
    sa.Column("updated_at", sa.Float, nullable=False),
    sa.Column("completed_at", sa.Float),
    sa.Column("expires_at", sa.Float),
    sa.Column("next_poll_at", sa.Float),
    sa.Index("ix_videos_owner_seq", "owner", "seq"),
    sa.Index("ix_videos_next_poll_at", "next_poll_at"),
)


@dataclass(slots=True)
class VideoRecord:
    """A row of ``videos``. ``next_poll_at`` is None once the job is final."""

    id: str
    owner: str
    alias: str
    deployment_id: str
    status: str
    seconds: str
    size: str
    request_json: str
    created_at: float
    updated_at: float
    prompt: str | None = None
    upstream_id: str | None = None
    progress: int = 0
    result_json: str | None = None
    error_code: str | None = None
    error_message: str | None = None
    attempts: int = 1
    polls: int = 0
    poll_failures: int = 0
    remixed_from_video_id: str | None = None
    completed_at: float | None = None
    expires_at: float | None = None
    next_poll_at: float | None = None
    seq: int | None = field(default=None)

    @property
    def result(self) -> dict[str, Any]:
        """Where the finished media lives (``video``, ``thumbnail``, ``content_type``)."""
        return dict(json.loads(self.result_json)) if self.result_json else {}

    @property
    def in_flight(self) -> bool:
        return self.status in IN_FLIGHT


_COLUMNS = [f.name for f in dataclasses.fields(VideoRecord)]


def _record(row: sa.Row[Any]) -> VideoRecord:
    return VideoRecord(**row._mapping)


def async_database_url(url: str) -> str:
    """Pick the async driver for a plain URL (sqlite → aiosqlite, postgresql → asyncpg)."""
    parsed = make_url(url)
    drivers = {"sqlite": "sqlite+aiosqlite", "postgresql": "postgresql+asyncpg"}
    if parsed.drivername in drivers:
        parsed = parsed.set(drivername=drivers[parsed.drivername])
    return parsed.render_as_string(hide_password=False)


class JobStore:
    """Async access to the videos table."""

    def __init__(self, database_url: str) -> None:
        self.url = async_database_url(database_url)
        self._engine: AsyncEngine | None = None

    @property
    def engine(self) -> AsyncEngine:
        if self._engine is None:
            raise RuntimeError("JobStore.open() has not been called")
        return self._engine

    async def open(self) -> None:
        """Connect and create the schema if it does not exist."""
        engine = create_async_engine(self.url)
        if engine.dialect.name == "sqlite":
            sa.event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
        async with engine.begin() as conn:
            await conn.run_sync(metadata.create_all)
        self._engine = engine

    async def close(self) -> None:
        if self._engine is not None:
            await self._engine.dispose()
            self._engine = None

    async def insert(self, record: VideoRecord) -> None:
        values = {name: getattr(record, name) for name in _COLUMNS if name != "seq"}
        async with self.engine.begin() as conn:
            await conn.execute(videos.insert().values(**values))

    async def update(self, video_id: str, **values: Any) -> None:
        values.setdefault("updated_at", time.time())
        async with self.engine.begin() as conn:
            await conn.execute(videos.update().where(videos.c.id == video_id).values(**values))

    async def get(self, video_id: str, owner: str | None = None) -> VideoRecord | None:
        """A video by id; with ``owner``, only if it belongs to that owner."""
        query = videos.select().where(videos.c.id == video_id)
        if owner is not None:
            query = query.where(videos.c.owner == owner)
        async with self.engine.connect() as conn:
            row = (await conn.execute(query)).first()
        return _record(row) if row is not None else None

    async def delete(self, video_id: str, owner: str | None = None) -> bool:
        query = videos.delete().where(videos.c.id == video_id)
        if owner is not None:
            query = query.where(videos.c.owner == owner)
        async with self.engine.begin() as conn:
            result = await conn.execute(query)
        return bool(result.rowcount)

    async def page(
        self,
        owner: str | None,
        *,
        after_seq: int | None = None,
        limit: int = 20,
        order: Literal["asc", "desc"] = "desc",
    ) -> tuple[list[VideoRecord], bool]:
        """One page of videos and whether more follow, newest first by default."""
        query = videos.select()
        if owner is not None:
            query = query.where(videos.c.owner == owner)
        if order == "asc":
            if after_seq is not None:
                query = query.where(videos.c.seq > after_seq)
            query = query.order_by(videos.c.seq.asc())
        else:
            if after_seq is not None:
                query = query.where(videos.c.seq < after_seq)
            query = query.order_by(videos.c.seq.desc())
        async with self.engine.connect() as conn:
            rows = (await conn.execute(query.limit(limit + 1))).all()
        records = [_record(row) for row in rows[:limit]]
        return records, len(rows) > limit

    async def due(self, now: float, limit: int) -> list[VideoRecord]:
        """In-flight jobs whose next poll time has come, earliest first."""
        query = (
            videos.select()
            .where(videos.c.next_poll_at.is_not(None), videos.c.next_poll_at <= now)
            .order_by(videos.c.next_poll_at)
            .limit(limit)
        )
        async with self.engine.connect() as conn:
            rows = (await conn.execute(query)).all()
        return [_record(row) for row in rows]

    async def next_due_at(self) -> float | None:
        """When the next in-flight job wants polling, or None if there is none."""
        query = sa.select(sa.func.min(videos.c.next_poll_at))
        async with self.engine.connect() as conn:
            value = (await conn.execute(query)).scalar()
        return float(value) if value is not None else None


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    """WAL lets readers proceed during writes; NORMAL sync is durable across app crashes."""
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.close()
