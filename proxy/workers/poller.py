"""The background poller: advances every in-flight job through its provider.

It runs inside the server process, reads due jobs from the store (so it picks up
where a previous process left off), and steps them concurrently with a bound, so a
slow provider never blocks request handling or other jobs. What happens to a job is
not decided here: each due row goes through :func:`router.lifecycle.advance`, the
same step the library takes, and the new state is saved (claim → advance → save).
"""

from __future__ import annotations

import asyncio
import base64
import logging
import os
import time
from collections.abc import Callable
from pathlib import Path

from tarash_gateway.proxy.http.echo import video_echo
from tarash_gateway.proxy.metrics import COMPLETION, POLL_ERRORS, SPEND, VIDEOS
from tarash_gateway.proxy.store.jobs import (
    JobStore,
    VideoChanges,
    VideoRecord,
    job_of,
    progress_values,
)
from tarash_gateway.proxy.workers.leased import LeasedWorker
from tarash_gateway.router import (
    Deployment,
    Router,
    TarashError,
    VideoGenerationRequest,
    VideoGenerationResponse,
)
from tarash_gateway.router.config import JobSettings
from tarash_gateway.router.jobs import Job
from tarash_gateway.router.lifecycle import advance

logger = logging.getLogger("tarash.poller")

MAX_IDLE_SLEEP = 1.0
"""Upper bound on how long the poller sleeps without re-reading the store."""
SUBMIT_GRACE_SECONDS = JobSettings().submit_grace_seconds
"""When a new row is first looked at if its submit never recorded an upstream id."""


def store_inline_media(result: VideoGenerationResponse, media_dir: Path, video_id: str) -> None:
    """Results that arrive as bytes or ``data:`` URLs are written to a file and served
    from there (with Range support) instead of living in the database."""
    video = result.video
    if isinstance(video, str) and video.startswith("data:"):
        header, _, payload = video.partition(",")
        video = base64.b64decode(payload) if ";base64" in header else payload.encode()
    if isinstance(video, bytes):
        media_dir.mkdir(parents=True, exist_ok=True)
        path = media_dir / f"{video_id}.mp4"
        path.write_bytes(video)
        result.video = path.resolve().as_uri()


class Poller(LeasedWorker[VideoRecord]):
    """Polls due jobs until they complete or fail (the loop is ``LeasedWorker``'s;
    ``advance`` is the step for one job)."""

    def __init__(
        self,
        store: JobStore,
        router: Callable[[], Router],
        concurrency: int = 64,
        media_dir: Path = Path("tarash-media"),
        *,
        instance_id: str = "",
        lease_seconds: float = 60.0,
    ) -> None:
        super().__init__(
            name="tarash-poller",
            logger=logger,
            concurrency=concurrency,
            instance_id=instance_id or f"instance-{os.getpid()}",
            lease_seconds=lease_seconds,
            max_idle_sleep=MAX_IDLE_SLEEP,
        )
        self._media_dir = media_dir
        #: Called with (record, "completed" | "failed") when a video reaches a final status.
        self.on_final: Callable[[VideoRecord, str], None] | None = None
        self._store = store
        self._router = router
        #: Progress of jobs still running, written in one transaction per round (see
        #: flush) rather than one per poll.
        self._progress: dict[str, VideoChanges] = {}

    async def claim(self, now: float, limit: int) -> list[VideoRecord]:
        return await self._store.claim_due(now, limit, self.instance_id, self.lease_seconds)

    def row_id(self, row: VideoRecord) -> str:
        return row.id

    async def handle(self, row: VideoRecord) -> None:
        await self.advance(row)

    async def next_due(self, now: float) -> float | None:
        return await self._store.next_due_at(self.instance_id, now)

    async def release(self) -> int:
        return await self._store.release_leases(self.instance_id)

    async def flush(self) -> None:
        """Write the progress recorded since the last round (at most ``MAX_IDLE_SLEEP``
        old). Runs before every claim, so a job is never claimed again while its new poll
        time is still unwritten; a crash loses only poll counts, and those jobs are
        polled again early."""
        if self._progress:
            pending, self._progress = self._progress, {}
            await self._store.update_many(pending)

    async def handle_error(self, row: VideoRecord, error: Exception) -> None:
        """A step that raised is tried again a little later, counted as a failed poll."""
        await self._store.update(
            row.id, next_poll_at=time.time() + 5.0, poll_failures=row.poll_failures + 1
        )

    async def advance(self, record: VideoRecord) -> None:
        """One step of one job, through the one lifecycle, and its new state saved."""
        router = self._router()
        before = job_of(record)
        job = await advance(
            router,
            before,
            lambda: VideoGenerationRequest.model_validate_json(record.request_json),
            on_poll_error=_count_poll_error,
        )
        await self._save(record, before, job)

    async def _save(self, record: VideoRecord, before: Job, job: Job) -> None:
        if job.status == "completed" and job.result is not None:
            await asyncio.to_thread(store_inline_media, job.result, self._media_dir, record.id)
        if _only_progress(before, job):
            self._progress[record.id] = progress_values(job, time.time())
            return
        if job.sent is not None:
            seconds, size = video_echo(job.sent, record.size)
            await self._store.save(job, seconds=seconds, size=size)
        else:
            await self._store.save(job)
        if job.final:
            record.upstream_id = job.upstream_id
            self._finished(record, job)

    def _finished(self, record: VideoRecord, job: Job) -> None:
        """Metrics, log line and webhook for a video that reached a final status."""
        provider = self._provider(job.deployment_id)
        VIDEOS.labels(record.alias, job.deployment_id, provider, job.status).inc()
        COMPLETION.labels(record.alias, provider, job.status).observe(
            time.time() - record.created_at
        )
        if job.cost:
            SPEND.labels(record.owner, record.alias).inc(job.cost)
        if job.error is not None:
            logger.info("video %s failed: %s (%s)", record.id, job.error.message, job.error.code)
        logger.info(
            "video %s %s",
            record.id,
            job.status,
            extra={
                "video_id": record.id,
                "alias": record.alias,
                "deployment": job.deployment_id,
                "upstream_id": job.upstream_id,
                "team": record.owner,
                "cost_usd": job.cost,
            },
        )
        if self.on_final is not None:
            self.on_final(record, job.status)

    def _provider(self, deployment_id: str) -> str:
        try:
            return self._router().deployment(deployment_id).params.provider
        except TarashError:
            return "unknown"


def _only_progress(before: Job, after: Job) -> bool:
    """Whether a step changed only poll bookkeeping (status, progress, counts, next poll
    time): those writes are batched, one transaction per round."""
    return (
        not after.final
        and after.deployment_id == before.deployment_id
        and after.upstream_id == before.upstream_id
        and after.submits == before.submits
        and after.attempts is before.attempts
    )


def _count_poll_error(deployment: Deployment, error: TarashError) -> None:
    POLL_ERRORS.labels(deployment.id, deployment.params.provider, error.code).inc()
