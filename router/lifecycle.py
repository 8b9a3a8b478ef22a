"""Driving the job lifecycle: the I/O around :mod:`router.jobs`'s transitions.

:func:`advance` is the one step every job takes, in the library and in the server:
it asks :mod:`router.jobs` what to do, does it (poll, fetch, cancel, resubmit through
the router, book health and latency), feeds the outcome back, and stops when the job
must wait or is final. What becomes of the new state is the :class:`JobStore`'s
business: the library keeps it in memory (:class:`MemoryJobStore`), the server writes
it to its database. The server's poller is ``claim → advance → save``; the library's
:func:`run_video` is ``submit → (wait, advance, save)* → result``.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Protocol

from tarash_gateway.adapters import (
    AttemptRecord,
    ExecutionMetadata,
    ProgressUpdate,
    TarashError,
    VideoGenerationRequest,
    VideoGenerationResponse,
)
from tarash_gateway.adapters.polling import ProgressCallback, notify
from tarash_gateway.router import jobs
from tarash_gateway.router.config import Deployment
from tarash_gateway.router.jobs import Job

if TYPE_CHECKING:
    from tarash_gateway.router.routing import Route, Router

logger = logging.getLogger("tarash.jobs")

PollErrorHook = Callable[[Deployment, TarashError], None]


class JobStore(Protocol):
    """Where a job's state lives between steps: the seam between the one lifecycle and
    the library (memory) or the server (its database)."""

    async def save(self, job: Job) -> None:
        """Keep ``job``'s new state; a final job is settled (charged or refunded) once."""


class MemoryJobStore:
    """The library's store: the latest state of each job, in a dict."""

    def __init__(self) -> None:
        self.jobs: dict[str, Job] = {}

    async def save(self, job: Job) -> None:
        self.jobs[job.id] = job


def limits_for(deployment: Deployment) -> jobs.Limits:
    params = deployment.params
    return jobs.Limits(params.poll_interval, params.timeout, params.max_poll_attempts)


def attempt_budget(router: Router, alias: str) -> int:
    """Submits one video may use over its whole life: one plus ``num_retries`` for each
    alias of its chain (an alias no longer configured allows one)."""
    try:
        chain = router.chain(alias)
    except TarashError:
        return 1
    return (router.settings.num_retries + 1) * len(chain)


class _Run:
    """One :func:`advance` call: the job, its deployment and the router, as it moves."""

    def __init__(
        self,
        router: Router,
        job: Job,
        request: Callable[[], VideoGenerationRequest],
        on_progress: ProgressCallback | None,
        on_poll_error: PollErrorHook | None,
    ) -> None:
        self.router = router
        self.job = job
        self.request = request
        self.on_progress = on_progress
        self.on_poll_error = on_poll_error
        self.settings = router.settings.jobs

    def budget(self) -> int:
        return attempt_budget(self.router, self.job.alias) - self.job.submits

    async def step(self, deployment: Deployment, action: jobs.Action) -> jobs.Action | None:
        """Carry out one action and return the next (None: the job is saved as it is)."""
        job, now = self.job, time.time()
        if isinstance(action, jobs.PollAt):
            return None
        if isinstance(action, jobs.Poll | jobs.Fetch):
            return await self._ask(deployment, action, now)
        if isinstance(action, jobs.Cancel):
            return await self._cancel(deployment, action.error)
        if isinstance(action, jobs.Resubmit):
            return await self._resubmit(action, now)
        if isinstance(action, jobs.Settle):
            seconds = jobs.video_seconds(job, action.result)
            await self.router.job_finished(
                deployment, video_seconds=seconds, elapsed=now - job.started_at
            )
            self.job = jobs.settled(job, action.result, deployment.cost(seconds), now)
            return None
        self.job = jobs.failed(job, action.error, now)
        return None

    async def _ask(
        self, deployment: Deployment, action: jobs.Poll | jobs.Fetch, now: float
    ) -> jobs.Action:
        job = self.job
        assert job.upstream_id is not None
        try:
            if isinstance(action, jobs.Fetch):
                result = await self.router.fetch(deployment, job.upstream_id)
                return jobs.Settle(result)
            progress = await self.router.poll(deployment, job.upstream_id)
        except TarashError as error:
            if self.on_poll_error is not None:
                self.on_poll_error(deployment, error)
            self.job, next_action = jobs.poll_failed(
                job, error, limits_for(deployment), self.settings, now
            )
            if isinstance(next_action, jobs.PollAt):
                logger.warning(
                    "poll of video %s failed (%s); retrying in %.1fs",
                    job.id,
                    error.message,
                    next_action.at - now,
                )
            return next_action
        await self._notify(deployment, progress.status, progress.progress)
        if progress.status == "failed":
            reported = progress.failure(request_id=job.upstream_id)
            await self.router.job_finished(deployment, error=reported)
        self.job, next_action = jobs.polled(job, progress, limits_for(deployment), now, self.budget)
        return next_action

    async def _cancel(self, deployment: Deployment, error: TarashError) -> jobs.Action:
        job = self.job
        assert job.upstream_id is not None
        try:
            await self.router.cancel(deployment, job.upstream_id)
        except TarashError as refused:
            logger.warning("could not cancel job of video %s: %s", job.id, refused.message)
            await self.router.job_finished(deployment, error=error)
            self.job, action = jobs.cancel_refused(job, error)
            return action
        await self.router.job_finished(deployment, error=error)
        self.job, action = jobs.upstream_failed(job, error, self.budget())
        return action

    async def _resubmit(self, action: jobs.Resubmit, now: float) -> jobs.Action:
        job, router = self.job, self.router
        request = self.request()
        attempts = list(job.attempts)
        try:
            route = router.route(job.alias, request)
            submission = await router.submit(
                job.alias,
                request,
                route=route,
                exclude=_exclude(route, action.avoid),
                attempts=attempts,
                budget=max(action.budget, 1),
            )
        except TarashError as error:
            logger.info("video %s could not be resubmitted: %s", job.id, error.message)
            self.job, next_action = jobs.resubmit_failed(job, action, error, tuple(attempts))
            return next_action
        logger.info("video %s resubmitted to %s", job.id, submission.deployment.id)
        sent = submission.resolved.request if submission.resolved is not None else request
        self.job, next_action = jobs.resubmitted(
            job,
            deployment_id=submission.deployment.id,
            upstream_id=submission.job.request_id,
            attempts=tuple(attempts),
            sent=sent,
            poll_interval=submission.deployment.params.poll_interval,
            now=now,
        )
        return next_action

    async def _notify(self, deployment: Deployment, status: str, progress: int) -> None:
        if self.on_progress is None:
            return
        await notify(
            self.on_progress,
            ProgressUpdate(
                request_id=self.job.upstream_id or self.job.id,
                status=status,
                progress_percent=100 if status == "completed" else progress,
                provider=deployment.params.provider,
                model=deployment.params.model,
            ),
        )


async def advance(
    router: Router,
    job: Job,
    request: Callable[[], VideoGenerationRequest],
    *,
    on_progress: ProgressCallback | None = None,
    on_poll_error: PollErrorHook | None = None,
) -> Job:
    """Move ``job`` forward until it must wait (its ``next_poll_at``) or is final.

    ``request`` gives the video's unified request, read only when a resubmission needs
    it (the server keeps it as JSON). Provider errors never escape: they are
    transitions. A deployment no longer configured fails the job.
    """
    run = _Run(router, job, request, on_progress, on_poll_error)
    try:
        deployment = router.deployment(job.deployment_id)
    except TarashError as error:
        return jobs.failed(job, error, time.time())
    run.job, action = jobs.due(job, limits_for(deployment), time.time(), run.budget)
    if isinstance(action, jobs.Cancel):
        action = jobs.Cancel(_attributed(action.error, deployment))
    next_action: jobs.Action | None = action
    while next_action is not None:
        next_action = await run.step(deployment, next_action)
        if run.job.deployment_id != deployment.id and not run.job.final:
            deployment = router.deployment(run.job.deployment_id)
    return run.job


def _exclude(route: Route, avoid: str | None) -> list[str]:
    """Skip the deployment that just failed when any other deployment of the chain can
    serve the request; with none, it gets the job again."""
    if avoid is None:
        return []
    return [avoid] if any(d.id != avoid for d in route.servable()) else []


def _attributed(error: TarashError, deployment: Deployment) -> TarashError:
    error.provider = error.provider or deployment.params.provider
    error.model = error.model or deployment.params.model
    return error


# -- the library: one video from submit to result --------------------------------------


async def run_video(
    router: Router,
    alias: str,
    request: VideoGenerationRequest,
    on_progress: ProgressCallback | None = None,
    *,
    store: JobStore | None = None,
    configs_in_chain: int | None = None,
) -> VideoGenerationResponse:
    """The gateway's lifecycle, in-process: submit through the alias (strategies,
    retries, fallbacks), then advance the job exactly as the server's poller does
    (same transitions, same backoff and limits) until it completes or fails."""
    store = store or MemoryJobStore()
    attempts: list[AttemptRecord] = []
    started = time.monotonic()
    try:
        submission = await router.submit(
            alias, request, attempts=attempts, budget=attempt_budget(router, alias)
        )
    except TarashError as error:
        error.execution_metadata = execution_metadata(attempts, started, configs_in_chain)
        raise
    now = time.time()
    sent = submission.resolved.request if submission.resolved is not None else request
    job = Job(
        id=f"video_{secrets.token_hex(12)}",
        alias=alias,
        deployment_id=submission.deployment.id,
        upstream_id=submission.job.request_id,
        created_at=now,
        submitted_at=now,
        next_poll_at=now,
        submits=len(attempts),
        attempts=tuple(attempts),
        seconds=float(sent.duration_seconds or 0),
    )
    while not job.final:
        await store.save(job)
        if job.next_poll_at is not None:
            await asyncio.sleep(max(0.0, job.next_poll_at - time.time()))
        job = await advance(router, job, lambda: request, on_progress=on_progress)
    await store.save(job)
    metadata = execution_metadata(list(job.attempts), started, configs_in_chain)
    if job.error is not None:
        job.error.execution_metadata = metadata
        raise job.error
    assert job.result is not None
    job.result.execution_metadata = metadata
    return job.result


def execution_metadata(
    attempts: list[AttemptRecord], started: float, configs_in_chain: int | None = None
) -> ExecutionMetadata:
    """What a caller sees of every submit its call took: which succeeded, whether a
    fallback was needed, and how long it all took."""
    deployments = {attempt.deployment_id for attempt in attempts}
    succeeded = [i for i, attempt in enumerate(attempts) if attempt.status == "success"]
    return ExecutionMetadata(
        total_attempts=len(attempts),
        successful_attempt=succeeded[-1] + 1 if succeeded else None,
        attempts=list(attempts),
        fallback_triggered=len(deployments) > 1,
        configs_in_chain=configs_in_chain if configs_in_chain is not None else len(deployments),
        total_elapsed_seconds=round(time.monotonic() - started, 6),
    )
