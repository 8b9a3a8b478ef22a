"""The job lifecycle's transitions (router/jobs.py): plain functions, no servers."""

from __future__ import annotations

import pytest

from tarash_gateway.adapters import (
    AttemptRecord,
    GenerationFailedError,
    JobProgress,
    PollTimeoutError,
    ProviderConnectionError,
    ValidationError,
    VideoGenerationRequest,
    VideoGenerationResponse,
)
from tarash_gateway.router import jobs
from tarash_gateway.router.config import JobSettings
from tarash_gateway.router.jobs import Job

SETTINGS = JobSettings()
LIMITS = jobs.Limits(poll_interval=5.0, timeout=600.0, max_polls=120)
NOW = 1_000_000.0
RESULT = VideoGenerationResponse(request_id="up-1", video="https://cdn.example/v.mp4", duration=6)


def attempt(status: str = "success", deployment: str = "dep-a") -> AttemptRecord:
    return AttemptRecord(
        provider="mock", model="m", deployment_id=deployment, status=status, elapsed_seconds=0.1
    )


def running(**changes: object) -> Job:
    values: dict[str, object] = {
        "id": "video_1",
        "alias": "cinematic",
        "deployment_id": "dep-a",
        "upstream_id": "up-1",
        "created_at": NOW - 10,
        "submitted_at": NOW - 10,
        "attempts": (attempt(),),
        "seconds": 4.0,
    }
    values.update(changes)
    return Job(**values)  # type: ignore[arg-type]


# -- due -------------------------------------------------------------------------------


def test_a_due_job_is_polled() -> None:
    _, action = jobs.due(running(), LIMITS, NOW, budget=lambda: 2)
    assert action == jobs.Poll()


def test_a_job_past_its_timeout_is_cancelled_with_a_timeout_error() -> None:
    job = running(submitted_at=NOW - 601)
    _, action = jobs.due(job, LIMITS, NOW, budget=lambda: 2)
    assert isinstance(action, jobs.Cancel)
    assert isinstance(action.error, PollTimeoutError)
    assert "600s" in action.error.message


def test_a_job_out_of_polls_is_cancelled() -> None:
    _, action = jobs.due(running(polls=120), LIMITS, NOW, budget=lambda: 2)
    assert isinstance(action, jobs.Cancel)
    assert "120 polls" in action.error.message


def test_an_orphan_is_submitted_once_due() -> None:
    orphan = running(upstream_id=None, created_at=NOW - SETTINGS.submit_grace_seconds)
    _, action = jobs.due(orphan, LIMITS, NOW, budget=lambda: 0)
    assert action == jobs.Resubmit(avoid=None, budget=1)


# -- polled ----------------------------------------------------------------------------


def test_progress_schedules_the_next_poll_and_clears_failures() -> None:
    job, action = jobs.polled(
        running(poll_failures=3, polls=7),
        JobProgress(status="in_progress", progress=40),
        LIMITS,
        NOW,
        budget=lambda: 2,
    )
    assert action == jobs.PollAt(NOW + 5.0)
    assert (job.status, job.progress, job.polls, job.poll_failures) == ("in_progress", 40, 8, 0)
    assert job.next_poll_at == NOW + 5.0


def test_completion_with_the_result_in_the_answer_settles_without_a_fetch() -> None:
    _, action = jobs.polled(
        running(), JobProgress(status="completed", result=RESULT), LIMITS, NOW, budget=lambda: 2
    )
    assert action == jobs.Settle(RESULT)


def test_completion_without_the_result_fetches_it() -> None:
    _, action = jobs.polled(
        running(), JobProgress(status="completed"), LIMITS, NOW, budget=lambda: 2
    )
    assert action == jobs.Fetch()


def test_a_retryable_upstream_failure_resubmits_avoiding_the_deployment() -> None:
    error = GenerationFailedError("render farm on fire")
    job, action = jobs.polled(
        running(), JobProgress(status="failed", error=error), LIMITS, NOW, budget=lambda: 2
    )
    assert action == jobs.Resubmit(avoid="dep-a", budget=2, error=error)
    assert job.attempts[-1].status == "failed"
    assert job.attempts[-1].error_type == "GenerationFailedError"
    assert job.attempts[-1].error_message == "render farm on fire"


def test_an_upstream_failure_with_no_budget_left_fails() -> None:
    error = GenerationFailedError("again")
    _, action = jobs.polled(
        running(), JobProgress(status="failed", error=error), LIMITS, NOW, budget=lambda: 0
    )
    assert action == jobs.Fail(error)


def test_a_non_retryable_upstream_failure_fails_at_once() -> None:
    error = ValidationError("bad prompt")
    _, action = jobs.polled(
        running(), JobProgress(status="failed", error=error), LIMITS, NOW, budget=lambda: 5
    )
    assert action == jobs.Fail(error)


def test_an_unclassified_failure_becomes_a_provider_error() -> None:
    _, action = jobs.polled(
        running(), JobProgress(status="failed", error="it broke"), LIMITS, NOW, budget=lambda: 0
    )
    assert isinstance(action, jobs.Fail)
    assert action.error.message == "it broke"
    assert action.error.request_id == "up-1"


# -- poll failures ---------------------------------------------------------------------


def test_failed_polls_back_off_exponentially_up_to_the_ceiling() -> None:
    job = running()
    waits = []
    for _ in range(SETTINGS.max_poll_failures - 1):
        job, action = jobs.poll_failed(job, ProviderConnectionError("reset"), LIMITS, SETTINGS, NOW)
        assert isinstance(action, jobs.PollAt)
        waits.append(action.at - NOW)
    assert waits[:3] == [10.0, 20.0, 40.0]
    assert max(waits) == SETTINGS.poll_backoff_max_seconds
    assert job.poll_failures == SETTINGS.max_poll_failures - 1


def test_the_last_tolerated_poll_failure_abandons_the_job() -> None:
    job = running(poll_failures=SETTINGS.max_poll_failures - 1)
    error = ProviderConnectionError("reset")
    _, action = jobs.poll_failed(job, error, LIMITS, SETTINGS, NOW)
    assert action == jobs.Cancel(error)


def test_a_non_retryable_poll_error_abandons_at_once() -> None:
    error = ValidationError("unknown id")
    _, action = jobs.poll_failed(running(), error, LIMITS, SETTINGS, NOW)
    assert action == jobs.Cancel(error)


def test_the_tolerance_comes_from_the_settings() -> None:
    strict = JobSettings(max_poll_failures=1)
    error = ProviderConnectionError("reset")
    _, action = jobs.poll_failed(running(), error, LIMITS, strict, NOW)
    assert action == jobs.Cancel(error)


# -- cancel and resubmit ---------------------------------------------------------------


def test_a_refused_cancel_fails_rather_than_risking_two_videos() -> None:
    error = PollTimeoutError("too slow")
    _, action = jobs.cancel_refused(running(), error)
    assert action == jobs.Fail(error)


def test_a_confirmed_cancel_counts_as_an_upstream_failure() -> None:
    error = PollTimeoutError("too slow")
    job, action = jobs.upstream_failed(running(), error, budget=1)
    assert action == jobs.Resubmit(avoid="dep-a", budget=1, error=error)
    assert job.attempts[-1].error_type == "PollTimeoutError"


def test_a_resubmission_restarts_polling_on_the_new_deployment() -> None:
    job = running(polls=30, poll_failures=2, progress=70, status="in_progress")
    attempts = (*job.attempts, attempt("failed", "dep-b"), attempt("success", "dep-c"))
    sent = VideoGenerationRequest(prompt="p", duration_seconds=8)
    job, action = jobs.resubmitted(
        job,
        deployment_id="dep-c",
        upstream_id="up-2",
        attempts=attempts,
        sent=sent,
        poll_interval=2.0,
        now=NOW,
    )
    assert action == jobs.PollAt(NOW + 2.0)
    assert (job.deployment_id, job.upstream_id, job.status) == ("dep-c", "up-2", "queued")
    assert (job.polls, job.poll_failures, job.progress) == (0, 0, 0)
    assert job.submits == 3
    assert job.seconds == 8.0
    assert job.sent is sent
    assert job.submitted_at == NOW


def test_a_failed_resubmission_fails_with_the_error_that_needed_it() -> None:
    original = GenerationFailedError("first failure")
    action = jobs.Resubmit(avoid="dep-a", budget=2, error=original)
    attempts = (attempt("failed"), attempt("failed", "dep-b"))
    job, next_action = jobs.resubmit_failed(
        running(), action, ProviderConnectionError("down"), attempts
    )
    assert next_action == jobs.Fail(original)
    assert job.submits == 2
    assert job.attempts == attempts


def test_an_orphan_whose_submit_fails_fails_with_that_error() -> None:
    submit_error = ProviderConnectionError("down")
    _, action = jobs.resubmit_failed(
        running(upstream_id=None), jobs.Resubmit(avoid=None, budget=1), submit_error, ()
    )
    assert action == jobs.Fail(submit_error)


# -- final states ----------------------------------------------------------------------


def test_settling_records_the_result_and_cost() -> None:
    job = jobs.settled(running(), RESULT, cost=0.6, now=NOW)
    assert (job.status, job.progress, job.cost, job.completed_at) == ("completed", 100, 0.6, NOW)
    assert job.result is RESULT
    assert job.final
    assert job.next_poll_at is None


def test_a_failed_job_costs_nothing() -> None:
    error = GenerationFailedError("no")
    job = jobs.failed(running(cost=1.0), error, NOW)
    assert (job.status, job.cost, job.error, job.next_poll_at) == ("failed", 0.0, error, None)


@pytest.mark.parametrize(("duration", "expected"), [(6, 6.0), (None, 4.0)])
def test_the_charged_duration_is_what_the_provider_made(
    duration: int | None, expected: float
) -> None:
    result = RESULT.model_copy(update={"duration": duration})
    assert jobs.video_seconds(running(seconds=4.0), result) == expected


def test_only_a_successful_last_attempt_is_marked_failed() -> None:
    error = GenerationFailedError("x")
    already = (attempt("failed"),)
    assert jobs.mark_last_failed(already, error) == already
    assert jobs.mark_last_failed((), error) == ()


def test_a_running_job_never_asks_for_its_budget() -> None:
    """Working out the retry budget walks the alias chain: the hot path of a poll that
    changed nothing but progress must not pay for it."""

    def budget() -> int:
        raise AssertionError("the budget was asked for")

    _, action = jobs.due(running(), LIMITS, NOW, budget=budget)
    assert action == jobs.Poll()
    _, action = jobs.polled(running(), JobProgress(status="in_progress"), LIMITS, NOW, budget)
    assert isinstance(action, jobs.PollAt)
