"""The durable job store: one row per video, in SQLite (default) or any SQLAlchemy URL.

A row is written before the provider is called and updated as the job advances, so an
accepted job survives a crash or restart and the poller can pick it up again.
"""

from __future__ import annotations

import dataclasses
import json
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal, TypedDict, Unpack

import sqlalchemy as sa

from tarash_gateway.proxy.store.database import Database
from tarash_gateway.proxy.store.leases import claim, claimable, release
from tarash_gateway.proxy.store.ledger import Holder, reserve, settle
from tarash_gateway.proxy.store.outbox import enqueue
from tarash_gateway.proxy.store.schema import idempotency_keys, videos, webhook_deliveries
from tarash_gateway.router import AttemptRecord, VideoGenerationResponse
from tarash_gateway.router.jobs import Job

IN_FLIGHT = ("queued", "in_progress")


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
    attempts_json: str | None = None
    polls: int = 0
    poll_failures: int = 0
    remixed_from_video_id: str | None = None
    key_id: str | None = None
    estimated_cost_usd: float = 0.0
    reserved_usd: float = 0.0
    cost_usd: float | None = None
    holds_slot: bool = False
    submitted_at: float | None = None
    completed_at: float | None = None
    expires_at: float | None = None
    next_poll_at: float | None = None
    lease_owner: str | None = None
    lease_expires_at: float | None = None
    deleted_at: float | None = None
    seq: int | None = field(default=None)
    provider_seconds: float = field(default=0.0, repr=False)
    """Time the create spent waiting on providers (not stored; for the overhead metric)."""
    coerced: dict[str, tuple[object, object]] = field(default_factory=dict, repr=False)
    """Unified field → (asked, used) moved by ``coerce: nearest`` (not stored; for the
    create response's header)."""

    @property
    def result(self) -> dict[str, Any]:
        """Where the finished media lives (``video``, ``thumbnail``, ``content_type``)."""
        return dict(json.loads(self.result_json)) if self.result_json else {}

    @property
    def attempt_records(self) -> list[AttemptRecord]:
        """Every submit of this video (retries, fallbacks, resubmissions after failures)."""
        if not self.attempts_json:
            return []
        return [AttemptRecord.model_validate(item) for item in json.loads(self.attempts_json)]

    @property
    def in_flight(self) -> bool:
        return self.status in IN_FLIGHT


class VideoChanges(TypedDict, total=False):
    """The columns of ``videos`` that change after insert, typed: what
    :meth:`JobStore.update` and :meth:`JobStore.finish` accept (mypy checks each
    call's names and values)."""

    deployment_id: str
    status: str
    seconds: str
    size: str
    upstream_id: str | None
    progress: int
    result_json: str | None
    error_code: str | None
    error_message: str | None
    attempts: int
    attempts_json: str | None
    polls: int
    poll_failures: int
    cost_usd: float | None
    submitted_at: float | None
    completed_at: float | None
    expires_at: float | None
    next_poll_at: float | None
    lease_owner: str | None
    lease_expires_at: float | None
    deleted_at: float | None
    updated_at: float


_COLUMNS = [
    f.name for f in dataclasses.fields(VideoRecord) if f.name not in ("provider_seconds", "coerced")
]

# The hot statements are built once: SQLAlchemy then reuses their compiled form without
# building and hashing a new statement tree on every request.
_INSERT = videos.insert()
_UPDATE = videos.update().where(videos.c.id == sa.bindparam("video_id_"))
# Progress is recorded a moment after the poll; a video deleted meanwhile stays deleted.
_UPDATE_LIVE = _UPDATE.where(videos.c.deleted_at.is_(None))
_GET = videos.select().where(
    videos.c.id == sa.bindparam("video_id_"), videos.c.deleted_at.is_(None)
)
_GET_OWNED = _GET.where(videos.c.owner == sa.bindparam("owner_"))


FINAL = ("completed", "failed")


class IdempotencyKeyTaken(Exception):  # noqa: N818 - a condition the caller resolves
    """Another request claimed this Idempotency-Key first."""


def attempts_json(attempts: list[AttemptRecord]) -> str:
    return json.dumps([attempt.model_dump() for attempt in attempts])


def _record(row: sa.Row[Any]) -> VideoRecord:
    return VideoRecord(**row._mapping)


def job_of(record: VideoRecord) -> Job:
    """The lifecycle's view of a row (router/jobs.py decides what happens to it)."""
    return Job(
        id=record.id,
        alias=record.alias,
        deployment_id=record.deployment_id,
        upstream_id=record.upstream_id,
        created_at=record.created_at,
        status=record.status,
        progress=record.progress,
        polls=record.polls,
        poll_failures=record.poll_failures,
        submits=record.attempts,
        attempts=tuple(record.attempt_records),
        submitted_at=record.submitted_at,
        next_poll_at=record.next_poll_at,
        seconds=_seconds(record.seconds),
    )


def _seconds(text: str) -> float:
    try:
        return float(text)
    except ValueError:
        return 0.0


def result_json(result: VideoGenerationResponse) -> str:
    """The parts of a result the content endpoint needs, never the raw provider answer."""
    video = result.video if isinstance(result.video, str) else None
    return json.dumps(
        {
            "video": video,
            "thumbnail": result.thumbnail,
            "content_type": result.content_type,
            "duration": result.duration,
        }
    )


def progress_values(job: Job, now: float) -> VideoChanges:
    """The columns a poll that changed nothing but progress writes (batched by the
    poller into one transaction per round)."""
    return {
        "status": job.status,
        "progress": job.progress,
        "polls": job.polls,
        "poll_failures": job.poll_failures,
        "next_poll_at": job.next_poll_at,
        "updated_at": now,
    }


class JobStore:
    """Async access to the videos table."""

    def __init__(self, database: Database) -> None:
        self._db = database

    async def insert(
        self,
        record: VideoRecord,
        holder: Holder | None = None,
        idempotency: tuple[str, str] | None = None,
    ) -> None:
        """Write a new job; with a ``holder``, first take its slot and reserve its
        estimated cost, in the same transaction (so a refusal writes nothing). With
        ``idempotency`` (key, request hash) the key is claimed in that transaction too:
        a concurrent request with the same key fails with IdempotencyKeyTaken."""
        if holder is not None:
            record.holds_slot = True
            record.reserved_usd = record.estimated_cost_usd
            record.key_id = holder.key.id
        values = {name: getattr(record, name) for name in _COLUMNS if name != "seq"}
        async with self._db.begin() as conn:
            if holder is not None:
                await reserve(conn, holder, record.estimated_cost_usd, record.created_at)
            await conn.execute(_INSERT, values)
            if idempotency is not None:
                key, request_hash = idempotency
                try:
                    async with conn.begin_nested():
                        await conn.execute(
                            idempotency_keys.insert().values(
                                owner=record.owner,
                                key=key,
                                request_hash=request_hash,
                                video_id=record.id,
                                created_at=record.created_at,
                            )
                        )
                except sa.exc.IntegrityError:
                    raise IdempotencyKeyTaken(key) from None

    async def idempotent_video(self, owner: str, key: str) -> tuple[str, str] | None:
        """(video id, request hash) recorded for ``key``, if the key was used before."""
        query = sa.select(idempotency_keys.c.video_id, idempotency_keys.c.request_hash).where(
            idempotency_keys.c.owner == owner, idempotency_keys.c.key == key
        )
        async with self._db.connect() as conn:
            row = (await conn.execute(query)).first()
        return (row.video_id, row.request_hash) if row is not None else None

    async def finish(self, video_id: str, charge: float, **values: Unpack[VideoChanges]) -> None:
        """Record a final state; settle the budget exactly once (``charge`` 0 refunds)."""
        now = time.time()
        values.setdefault("updated_at", now)
        values["cost_usd"] = charge
        if values.get("status") in FINAL:  # nothing left to poll: no instance holds it
            values.update({"lease_owner": None, "lease_expires_at": None})
        async with self._db.begin() as conn:
            row = (
                await conn.execute(
                    sa.select(videos.c.owner, videos.c.key_id, videos.c.reserved_usd).where(
                        videos.c.id == video_id
                    )
                )
            ).first()
            if row is None:
                return
            claimed = await conn.execute(
                videos.update()
                .where(videos.c.id == video_id, videos.c.holds_slot.is_(True))
                .values(holds_slot=False, reserved_usd=0.0, **values)
            )
            if claimed.rowcount == 1 and row.key_id is not None:
                await settle(conn, row.key_id, row.owner, row.reserved_usd, charge, now)
            elif claimed.rowcount == 0:
                await conn.execute(videos.update().where(videos.c.id == video_id).values(**values))
            if values.get("status") in FINAL and row.owner != "master":
                await enqueue(
                    conn,
                    video_id=video_id,
                    event_type=f"video.{values['status']}",
                    owner=row.owner,
                    key_id=row.key_id,
                    now=now,
                )

    async def save(self, job: Job, *, seconds: str | None = None, size: str | None = None) -> None:
        """Write a job's new lifecycle state: a final job is settled (charged, or
        refunded in full) exactly once; a running one gets its lifecycle columns, and,
        after a resubmission, the new deployment and the ``seconds``/``size`` its Video
        now reports."""
        attempts = attempts_json(list(job.attempts))
        if job.status == "completed":
            assert job.result is not None
            await self.finish(
                job.id,
                job.cost,
                status="completed",
                progress=100,
                result_json=result_json(job.result),
                completed_at=job.completed_at,
                next_poll_at=None,
                polls=job.polls,
                poll_failures=0,
                attempts=job.submits,
                attempts_json=attempts,
            )
        elif job.status == "failed":
            assert job.error is not None
            await self.finish(
                job.id,
                0.0,
                status="failed",
                error_code=job.error.code,
                error_message=job.error.message,
                completed_at=job.completed_at,
                next_poll_at=None,
                attempts=job.submits,
                attempts_json=attempts,
            )
        else:
            values = progress_values(job, time.time())
            values.update(
                {
                    "deployment_id": job.deployment_id,
                    "upstream_id": job.upstream_id,
                    "submitted_at": job.submitted_at,
                    "attempts": job.submits,
                    "attempts_json": attempts,
                }
            )
            if seconds is not None and size is not None:
                values.update({"seconds": seconds, "size": size})
            await self.update(job.id, **values)

    async def update(self, video_id: str, **values: Unpack[VideoChanges]) -> None:
        values.setdefault("updated_at", time.time())
        async with self._db.begin() as conn:
            await conn.execute(_UPDATE, {"video_id_": video_id, **values})

    async def update_many(self, changes: Mapping[str, VideoChanges]) -> None:
        """Apply several rows' updates in one transaction: one commit for a whole round
        of polls instead of one per poll (rows changing the same columns go together
        in one executemany). Rows deleted since are left alone."""
        groups: dict[tuple[str, ...], list[dict[str, Any]]] = {}
        for video_id, values in changes.items():
            groups.setdefault(tuple(sorted(values)), []).append({"video_id_": video_id, **values})
        async with self._db.begin() as conn:
            for rows in groups.values():
                await conn.execute(_UPDATE_LIVE, rows)

    async def get(self, video_id: str, owner: str | None = None) -> VideoRecord | None:
        """A video by id; with ``owner``, only if it belongs to that owner."""
        if owner is None:
            query, params = _GET, {"video_id_": video_id}
        else:
            query, params = _GET_OWNED, {"video_id_": video_id, "owner_": owner}
        async with self._db.connect() as conn:
            row = (await conn.execute(query, params)).first()
        return _record(row) if row is not None else None

    async def delete(self, video_id: str) -> bool:
        """Delete a video for its owner, first releasing any slot and reservation it still
        holds. The row is kept, marked deleted, so spend reports still count what it cost."""
        await self.finish_if_holding(video_id)
        async with self._db.begin() as conn:
            await conn.execute(
                idempotency_keys.delete().where(idempotency_keys.c.video_id == video_id)
            )
            result = await conn.execute(
                videos.update()
                .where(videos.c.id == video_id, videos.c.deleted_at.is_(None))
                .values(
                    deleted_at=time.time(),
                    next_poll_at=None,
                    lease_owner=None,
                    lease_expires_at=None,
                )
            )
        return bool(result.rowcount)

    async def discard(self, video_id: str) -> None:
        """Remove a row whose submit was refused: it never became a video, so nothing of it
        is kept (its slot and reservation are released first)."""
        await self.finish_if_holding(video_id)
        async with self._db.begin() as conn:
            await conn.execute(
                idempotency_keys.delete().where(idempotency_keys.c.video_id == video_id)
            )
            await conn.execute(
                webhook_deliveries.delete().where(webhook_deliveries.c.video_id == video_id)
            )
            await conn.execute(videos.delete().where(videos.c.id == video_id))

    async def finish_if_holding(self, video_id: str) -> None:
        """Release an unfinished video's reservation (it is being deleted or refused)."""
        async with self._db.connect() as conn:
            holding = (
                await conn.execute(sa.select(videos.c.holds_slot).where(videos.c.id == video_id))
            ).scalar()
        if holding:
            await self.finish(video_id, 0.0)

    async def page(
        self,
        owner: str | None,
        *,
        after_seq: int | None = None,
        limit: int = 20,
        order: Literal["asc", "desc"] = "desc",
    ) -> tuple[list[VideoRecord], bool]:
        """One page of videos and whether more follow, newest first by default."""
        query = videos.select().where(videos.c.deleted_at.is_(None))
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
        async with self._db.connect() as conn:
            rows = (await conn.execute(query.limit(limit + 1))).all()
        records = [_record(row) for row in rows[:limit]]
        return records, len(rows) > limit

    async def claim_due(
        self, now: float, limit: int, owner: str, lease_seconds: float
    ) -> list[VideoRecord]:
        """Lease in-flight jobs whose next poll time has come to ``owner``, earliest first."""
        rows = await claim(
            self._db,
            videos,
            due=sa.and_(videos.c.next_poll_at.is_not(None), videos.c.next_poll_at <= now),
            order_by=videos.c.next_poll_at,
            owner=owner,
            now=now,
            lease_seconds=lease_seconds,
            limit=limit,
        )
        return [_record(row) for row in rows]

    async def release_leases(self, owner: str) -> int:
        return await release(self._db, videos, owner)

    async def ping(self) -> None:
        async with self._db.connect() as conn:
            await conn.execute(sa.text("SELECT 1"))

    async def in_flight_by_deployment(self) -> dict[str, int]:
        """Jobs still running per deployment (restores the router's counts after a restart)."""
        query = (
            sa.select(videos.c.deployment_id, sa.func.count())
            .where(
                videos.c.status.in_(IN_FLIGHT),
                videos.c.upstream_id.is_not(None),
                videos.c.deleted_at.is_(None),
            )
            .group_by(videos.c.deployment_id)
        )
        async with self._db.connect() as conn:
            rows = (await conn.execute(query)).all()
        return {row[0]: int(row[1]) for row in rows}

    async def next_due_at(self, owner: str, now: float) -> float | None:
        """When ``owner`` can next poll an in-flight job, or None if none is claimable.

        Walks the ``next_poll_at`` index from the earliest row and stops at the first one
        this instance may claim, so the poller's idle check costs the same with ten jobs
        in flight or ten thousand (a minimum over every row took 10-20 ms at 30 000). Rows
        another live instance holds are skipped, so an idle poller never spins on them;
        the poller looks again within ``MAX_IDLE_SLEEP`` anyway.
        """
        query = (
            sa.select(videos.c.next_poll_at)
            .where(videos.c.next_poll_at.is_not(None), claimable(videos, owner, now))
            .order_by(videos.c.next_poll_at)
            .limit(1)
        )
        async with self._db.connect() as conn:
            value = (await conn.execute(query)).scalar()
        return float(value) if value is not None else None
