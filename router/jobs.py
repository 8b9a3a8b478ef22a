"""The job lifecycle: what happens to a video job between submit and its final state.

This module is the one place that decides it, for the library and the server alike.
Every function here is pure: it takes a :class:`Job` and what just happened (a poll
answer, a failed poll, a confirmed cancel, a resubmission) and returns the next state
with the :data:`Action` to carry out. The I/O (calling the provider, the store, the
clock) is :mod:`router.lifecycle`'s, which loops ``action → I/O → transition`` until
the action is to wait (:class:`PollAt`) or the job is final.

    queued / in_progress ──poll──▶ in_progress ──poll──▶ completed (Fetch?) ─▶ Settle
          │   ▲                         │
          │   └── PollAt (backoff) ◀────┤ poll failed (retryable, under the limit)
          │                             ▼
          ├── timed out / unpollable ─▶ Cancel ─▶ confirmed ─▶ upstream failed
          │                                    └▶ not confirmed ─▶ Fail
          └── failed upstream ─▶ upstream failed ─▶ Resubmit (budget left, retryable)
                                                 └▶ Fail (refund)
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass, field

from tarash_gateway.adapters import (
    AttemptRecord,
    JobProgress,
    PollTimeoutError,
    TarashError,
    VideoGenerationRequest,
    VideoGenerationResponse,
)
from tarash_gateway.router.config import JobSettings

IN_FLIGHT = ("queued", "in_progress")
FINAL = ("completed", "failed")


@dataclass(frozen=True, slots=True)
class Limits:
    """How long and how often one deployment's job may be polled."""

    poll_interval: float
    timeout: float
    max_polls: int


@dataclass(frozen=True, slots=True)
class Job:
    """One video job as the lifecycle sees it (the store keeps the rest of the row)."""

    id: str
    alias: str
    deployment_id: str
    upstream_id: str | None
    created_at: float
    status: str = "queued"
    progress: int = 0
    polls: int = 0
    poll_failures: int = 0
    submits: int = 1
    """Submits this job has used from its retry budget (retries and resubmissions)."""
    attempts: tuple[AttemptRecord, ...] = ()
    submitted_at: float | None = None
    next_poll_at: float | None = None
    completed_at: float | None = None
    seconds: float = 0.0
    """The duration the deployment was asked for (what is charged when the provider
    does not say what it made)."""
    sent: VideoGenerationRequest | None = field(default=None, repr=False)
    """The request as the current deployment was sent it, when a resubmission changed
    deployment (the store reports its duration and size on the Video)."""
    result: VideoGenerationResponse | None = field(default=None, repr=False)
    cost: float = 0.0
    error: TarashError | None = None

    @property
    def final(self) -> bool:
        return self.status in FINAL

    @property
    def started_at(self) -> float:
        return self.submitted_at or self.created_at


# -- actions: what the driver does next ------------------------------------------------


@dataclass(frozen=True, slots=True)
class PollAt:
    """Nothing to do until ``at`` (epoch seconds): save the job and wait."""

    at: float


@dataclass(frozen=True, slots=True)
class Poll:
    """Ask the provider how the job is doing, now."""


@dataclass(frozen=True, slots=True)
class Fetch:
    """The job completed but its status answer did not carry the result: fetch it."""


@dataclass(frozen=True, slots=True)
class Cancel:
    """Stop the upstream job (``error`` says why); a video is only resubmitted once the
    provider confirmed the cancel, so it never has two live upstream jobs."""

    error: TarashError


@dataclass(frozen=True, slots=True)
class Resubmit:
    """Submit the request again under the same video id.

    ``avoid`` is the deployment that just failed (None for an orphaned first submit):
    the driver skips it when another deployment can serve the request. ``budget`` is
    how many submits remain; ``error`` is what to fail with if no submit succeeds.
    """

    avoid: str | None
    budget: int
    error: TarashError | None = None


@dataclass(frozen=True, slots=True)
class Settle:
    """The job completed with ``result``: book it and charge its cost."""

    result: VideoGenerationResponse


@dataclass(frozen=True, slots=True)
class Fail:
    """The job is over without a video: fail it and refund its reservation."""

    error: TarashError


Action = PollAt | Poll | Fetch | Cancel | Resubmit | Settle | Fail
Step = tuple[Job, Action]


# -- transitions ---------------------------------------------------------------------


def due(job: Job, limits: Limits, now: float, budget: Callable[[], int]) -> Step:
    """The job's time has come: submit it if a crash left it without an upstream job
    (``budget`` gives the submits left, asked only then), give up on it if it ran out
    of time or polls, else poll it."""
    if job.upstream_id is None:
        # Still none when its row fell due (``submit_grace_seconds`` after it was
        # written): the submit that should have set it died with its process.
        return job, Resubmit(avoid=None, budget=max(budget(), 1))
    if now - job.started_at > limits.timeout or job.polls >= limits.max_polls:
        error = PollTimeoutError(
            f"the job did not finish within {limits.timeout:.0f}s or {limits.max_polls} polls"
        )
        return job, Cancel(error)
    return job, Poll()


def polled(
    job: Job, progress: JobProgress, limits: Limits, now: float, budget: Callable[[], int]
) -> Step:
    """A poll answered: completed (settle, fetching first when the answer lacks the
    result), failed upstream (:func:`upstream_failed`; ``budget`` gives the submits
    left, asked only then), or still running."""
    if progress.status == "completed" or progress.status == "failed":
        job = dataclasses.replace(job, polls=job.polls + 1, poll_failures=0)
        if progress.status == "failed":
            return upstream_failed(job, progress.failure(request_id=job.upstream_id), budget())
        if progress.result is not None:
            return job, Settle(progress.result)
        return job, Fetch()
    at = now + limits.poll_interval
    job = dataclasses.replace(
        job,
        status=progress.status,
        progress=progress.progress,
        polls=job.polls + 1,
        poll_failures=0,
        next_poll_at=at,
    )
    return job, PollAt(at)


def poll_failed(
    job: Job, error: TarashError, limits: Limits, settings: JobSettings, now: float
) -> Step:
    """A poll (or the fetch of a completed job) raised: back off and poll again while
    the error is retryable and under the limit, else abandon the upstream job."""
    failures = job.poll_failures + 1
    if not error.is_retryable or failures >= settings.max_poll_failures:
        return job, Cancel(error)
    backoff = min(settings.poll_backoff_max_seconds, limits.poll_interval * 2.0**failures)
    job = dataclasses.replace(
        job, polls=job.polls + 1, poll_failures=failures, next_poll_at=now + backoff
    )
    return job, PollAt(now + backoff)


def cancel_refused(job: Job, error: TarashError) -> Step:
    """The provider did not confirm the cancel: the job may still be running there, so
    it is not resubmitted (that could make two videos); it fails with ``error``."""
    return job, Fail(error)


def upstream_failed(job: Job, error: TarashError, budget: int) -> Step:
    """The upstream job is over without a video (failed, or cancelled by us): record
    why on the submit that started it, then resubmit elsewhere if the error allows and
    the retry budget has submits left, else fail."""
    job = dataclasses.replace(job, attempts=mark_last_failed(job.attempts, error))
    if error.is_retryable and budget > 0:
        return job, Resubmit(avoid=job.deployment_id, budget=budget, error=error)
    return job, Fail(error)


def resubmitted(
    job: Job,
    *,
    deployment_id: str,
    upstream_id: str,
    attempts: tuple[AttemptRecord, ...],
    sent: VideoGenerationRequest,
    poll_interval: float,
    now: float,
) -> Step:
    """A new upstream job runs for this video: poll it from the start."""
    used = len(attempts) - len(job.attempts)
    job = dataclasses.replace(
        job,
        deployment_id=deployment_id,
        upstream_id=upstream_id,
        attempts=attempts,
        submits=job.submits + used,
        status="queued",
        progress=0,
        polls=0,
        poll_failures=0,
        submitted_at=now,
        seconds=float(sent.duration_seconds or 0),
        sent=sent,
        next_poll_at=now + poll_interval,
    )
    return job, PollAt(now + poll_interval)


def resubmit_failed(
    job: Job, action: Resubmit, error: TarashError, attempts: tuple[AttemptRecord, ...]
) -> Step:
    """No submit succeeded: fail with the error that made the job need one (or, for an
    orphan that never had an upstream job, with the submit's own error)."""
    used = len(attempts) - len(job.attempts)
    job = dataclasses.replace(job, attempts=attempts, submits=job.submits + used)
    return job, Fail(action.error or error)


def settled(job: Job, result: VideoGenerationResponse, cost: float, now: float) -> Job:
    """The final state of a completed job: what it made and what it costs."""
    return dataclasses.replace(
        job,
        status="completed",
        progress=100,
        result=result,
        cost=cost,
        poll_failures=0,
        next_poll_at=None,
        completed_at=now,
        error=None,
    )


def failed(job: Job, error: TarashError, now: float) -> Job:
    """The final state of a job that made nothing: refunded in full."""
    return dataclasses.replace(
        job, status="failed", error=error, cost=0.0, next_poll_at=None, completed_at=now
    )


def video_seconds(job: Job, result: VideoGenerationResponse) -> float:
    """What a completed job is charged for: the duration the provider reports it made,
    else the duration it was asked for."""
    return float(result.duration or job.seconds)


def mark_last_failed(
    attempts: tuple[AttemptRecord, ...], error: TarashError
) -> tuple[AttemptRecord, ...]:
    """The submit that started a job that later failed is recorded as failed, with why."""
    if not attempts or attempts[-1].status != "success":
        return attempts
    last = attempts[-1].model_copy(
        update={
            "status": "failed",
            "error_type": type(error).__name__,
            "error_message": error.message,
        }
    )
    return (*attempts[:-1], last)
