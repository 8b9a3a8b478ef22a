"""The background poller: advances every in-flight job through its provider.

It runs inside the server process, reads due jobs from the store (so it picks up
where a previous process left off), and polls them concurrently with a bound, so a
slow provider never blocks request handling or other jobs.
"""

from __future__ import annotations

import asyncio
import base64
import json
import logging
import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from tarash_gateway.adapters import (
    AttemptRecord,
    PollTimeoutError,
    TarashError,
    VideoGenerationRequest,
    VideoGenerationResponse,
)
from tarash_gateway.proxy.http.echo import video_echo
from tarash_gateway.proxy.metrics import COMPLETION, POLL_ERRORS, SPEND, VIDEOS
from tarash_gateway.proxy.store.jobs import JobStore, VideoRecord, attempts_json
from tarash_gateway.proxy.workers.leased import LeasedWorker
from tarash_gateway.router import Deployment, Router

logger = logging.getLogger("tarash.poller")

MAX_IDLE_SLEEP = 1.0
"""Upper bound on how long the poller sleeps without re-reading the store."""
SUBMIT_GRACE_SECONDS = 120.0
"""A row left without an upstream id this long was orphaned by a crash mid-submit."""
MAX_POLL_FAILURES = 10
"""Consecutive failed polls (network errors) before the job is declared failed."""


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
        self._progress: dict[str, dict[str, Any]] = {}

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
        """One step of one job: submit it if orphaned, else poll it and record the outcome."""
        router = self._router()
        try:
            deployment = router.deployment(record.deployment_id)
        except TarashError as error:
            await self._fail(record, error)
            return
        if record.upstream_id is None:
            if not await self._resubmit(router, record, failed=None):
                await self._fail(record, PollTimeoutError("the job was never submitted"))
            return
        config = deployment.video_config
        now = time.time()
        started = record.submitted_at or record.created_at
        if now - started > config.timeout or record.polls >= config.max_poll_attempts:
            await self._give_up(router, deployment, record)
            return
        try:
            progress = await router.poll(deployment, record.upstream_id)
        except TarashError as error:
            POLL_ERRORS.labels(deployment.id, deployment.params.provider, error.code).inc()
            if not error.is_retryable or record.poll_failures + 1 >= MAX_POLL_FAILURES:
                await self._abandon(router, deployment, record, error)
                return
            backoff = min(60.0, config.poll_interval * 2.0 ** (record.poll_failures + 1))
            logger.warning(
                "poll of video %s failed (%s); retrying in %.1fs", record.id, error.message, backoff
            )
            await self._store.update(
                record.id,
                polls=record.polls + 1,
                poll_failures=record.poll_failures + 1,
                next_poll_at=now + backoff,
            )
            return
        if progress.status == "completed":
            result = await router.fetch(deployment, record.upstream_id)
            await asyncio.to_thread(store_inline_media, result, self._media_dir, record.id)
            finished = time.time()
            seconds = result.duration or float(record.seconds)
            await router.job_finished(deployment, video_seconds=seconds, elapsed=finished - started)
            charge = deployment.cost(seconds)
            await self._store.finish(
                record.id,
                charge,
                status="completed",
                progress=100,
                result_json=result_json(result),
                completed_at=finished,
                next_poll_at=None,
                polls=record.polls + 1,
                poll_failures=0,
            )
            self._finished(
                record,
                "completed",
                charge,
                provider=deployment.params.provider,
                deployment_id=deployment.id,
            )
        elif progress.status == "failed":
            reported = progress.error
            if not isinstance(reported, TarashError):
                reported = TarashError(str(reported or "the provider reported a failure"))
            await self._job_failed(router, deployment, record, reported)
        else:
            self._progress[record.id] = {
                "status": progress.status,
                "progress": progress.progress,
                "polls": record.polls + 1,
                "poll_failures": 0,
                "next_poll_at": now + config.poll_interval,
                "updated_at": now,
            }

    async def _job_failed(
        self, router: Router, deployment: Deployment, record: VideoRecord, error: TarashError
    ) -> None:
        """The upstream job is over and failed: resubmit it elsewhere under the same video
        id if the error allows and attempts remain, else fail the video (full refund)."""
        await router.job_finished(deployment, error=error)
        record.attempts_json = attempts_json(_mark_last_failed(record.attempt_records, error))
        await self._store.update(record.id, attempts_json=record.attempts_json)
        if error.is_retryable and await self._resubmit(router, record, failed=deployment):
            return
        await self._fail(record, error)

    async def _abandon(
        self, router: Router, deployment: Deployment, record: VideoRecord, error: TarashError
    ) -> None:
        """Stop following a job we can no longer trust (timeout, unpollable). It is only
        resubmitted once the provider confirmed the cancel, so a video never has two
        live upstream jobs."""
        assert record.upstream_id is not None
        try:
            await router.cancel(deployment, record.upstream_id)
        except TarashError as cancel_error:
            logger.warning("could not cancel job of video %s: %s", record.id, cancel_error.message)
            await router.job_finished(deployment, error=error)
            await self._fail(record, error)
            return
        await self._job_failed(router, deployment, record, error)

    def _max_attempts(self, router: Router, alias: str) -> int:
        try:
            chain = router.chain(alias)
        except TarashError:
            return 1
        return (router.settings.num_retries + 1) * len(chain)

    async def _resubmit(
        self, router: Router, record: VideoRecord, failed: Deployment | None
    ) -> bool:
        """Submit the video's request again through the router; False if it cannot be."""
        budget = self._max_attempts(router, record.alias) - record.attempts
        if failed is not None and budget <= 0:
            return False
        request = VideoGenerationRequest.model_validate_json(record.request_json)
        attempts = record.attempt_records
        tried_before = len(attempts)
        exclude: list[str] = []
        if failed is not None:
            try:
                others = [d for d in router.plan(record.alias, request) if d.id != failed.id]
            except TarashError:
                others = []
            exclude = [failed.id] if others else []
        try:
            submission = await router.submit(
                record.alias,
                request,
                exclude=exclude,
                attempts=attempts,
                budget=max(budget, 1),
            )
        except TarashError as error:
            logger.info("video %s could not be resubmitted: %s", record.id, error.message)
            if failed is None:
                await self._fail(record, error)
                return True
            await self._store.update(
                record.id,
                attempts=record.attempts + len(attempts) - tried_before,
                attempts_json=attempts_json(attempts),
            )
            return False
        now = time.time()
        logger.info("video %s resubmitted to %s", record.id, submission.deployment.id)
        # Another deployment may make another duration or size when the client left
        # them to the model: the Video reports what this one was asked for.
        sent = submission.resolved.request if submission.resolved is not None else request
        seconds, size = video_echo(sent, record.size)
        await self._store.update(
            record.id,
            deployment_id=submission.deployment.id,
            seconds=seconds,
            size=size,
            upstream_id=submission.job.request_id,
            status="queued",
            progress=0,
            polls=0,
            poll_failures=0,
            attempts=record.attempts + len(attempts) - tried_before,
            attempts_json=attempts_json(attempts),
            submitted_at=now,
            next_poll_at=now + submission.deployment.params.poll_interval,
        )
        return True

    async def _give_up(self, router: Router, deployment: Deployment, record: VideoRecord) -> None:
        error = PollTimeoutError(
            f"the job did not finish within {deployment.video_config.timeout:.0f}s "
            f"or {deployment.video_config.max_poll_attempts} polls",
            provider=deployment.params.provider,
            model=deployment.params.model,
        )
        await self._abandon(router, deployment, record, error)

    def _finished(
        self,
        record: VideoRecord,
        status: str,
        charge: float,
        *,
        provider: str,
        deployment_id: str,
    ) -> None:
        """Metrics, log line and webhook for a video that reached a final status."""
        VIDEOS.labels(record.alias, deployment_id, provider, status).inc()
        COMPLETION.labels(record.alias, provider, status).observe(time.time() - record.created_at)
        if charge:
            SPEND.labels(record.owner, record.alias).inc(charge)
        logger.info(
            "video %s %s",
            record.id,
            status,
            extra={
                "video_id": record.id,
                "alias": record.alias,
                "deployment": deployment_id,
                "upstream_id": record.upstream_id,
                "team": record.owner,
                "cost_usd": charge,
            },
        )
        if self.on_final is not None:
            self.on_final(record, status)

    async def _fail(self, record: VideoRecord, error: TarashError, **values: int) -> None:
        """Mark the job failed and refund its whole reservation."""
        logger.info("video %s failed: %s (%s)", record.id, error.message, error.code)
        await self._store.finish(
            record.id,
            0.0,
            status="failed",
            error_code=error.code,
            error_message=error.message,
            completed_at=time.time(),
            next_poll_at=None,
            **values,
        )
        try:
            provider = self._router().deployment(record.deployment_id).params.provider
        except TarashError:
            provider = "unknown"
        self._finished(record, "failed", 0.0, provider=provider, deployment_id=record.deployment_id)


def _mark_last_failed(attempts: list[AttemptRecord], error: TarashError) -> list[AttemptRecord]:
    """The submit that started a job that later failed is recorded as failed, with why."""
    if attempts and attempts[-1].status == "success":
        attempts[-1] = attempts[-1].model_copy(
            update={
                "status": "failed",
                "error_type": type(error).__name__,
                "error_message": error.message,
            }
        )
    return attempts
