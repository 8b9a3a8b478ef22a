"""router/lifecycle.py: the one step every job takes, driven through a JobStore.

The library (``Router.generate_video``, ``generate_video``) and the server's poller both
go through :func:`advance`; the last test shows it by spying on the transition both
call."""

from __future__ import annotations

import asyncio
import dataclasses
import time
from pathlib import Path
from typing import Any

import pytest

from tarash_gateway.adapters import (
    GenerationFailedError,
    MockConfig,
    PollTimeoutError,
    VideoGenerationConfig,
    VideoGenerationRequest,
)
from tarash_gateway.proxy.store.database import Database
from tarash_gateway.proxy.store.jobs import JobStore, VideoRecord
from tarash_gateway.proxy.workers.poller import Poller
from tarash_gateway.router import Router, generate_video_async, jobs, lifecycle, parse_config
from tarash_gateway.router.jobs import Job

REQUEST = VideoGenerationRequest(prompt="a lighthouse", duration_seconds=4)

CONFIG = """
model_list:
  - model_name: quick
    params: {provider: mock, model: mock-quick, id: quick-1, poll_interval: 0.01,
             cost_per_second: 0.1, mock: {job_seconds: 0.02}}
  - model_name: flaky
    params:
      provider: mock
      model: mock-broken
      id: flaky-broken
      order: 1
      poll_interval: 0.01
      mock:
        job_seconds: 0.02
        responses: [{error: {code: generation_failed, message: "render farm on fire"}}]
  - model_name: flaky
    params: {provider: mock, model: mock-ok, id: flaky-ok, order: 2, poll_interval: 0.01,
             mock: {job_seconds: 0.02}}
  - model_name: stuck
    params: {provider: mock, model: mock-stuck, id: stuck-1, poll_interval: 0.01,
             timeout: 0.05, mock: {job_seconds: 60}}
router_settings: {num_retries: 1, retry_backoff_seconds: 0}
general_settings: {master_key: sk-lifecycle-test}
"""


def router() -> Router:
    return Router(parse_config(CONFIG, "<test>"))


async def submitted_job(router: Router, alias: str) -> Job:
    attempts: list[Any] = []
    submission = await router.submit(alias, REQUEST, attempts=attempts)
    now = time.time()
    return Job(
        id="video_1",
        alias=alias,
        deployment_id=submission.deployment.id,
        upstream_id=submission.job.request_id,
        created_at=now,
        submitted_at=now,
        next_poll_at=now,
        submits=len(attempts),
        attempts=tuple(attempts),
        seconds=4.0,
    )


async def run_until_final(router: Router, job: Job, store: lifecycle.MemoryJobStore) -> Job:
    deadline = time.monotonic() + 10
    while not job.final:
        assert time.monotonic() < deadline, f"job stuck in {job.status}"
        await store.save(job)
        await wait_until_due(job)
        job = await lifecycle.advance(router, job, lambda: REQUEST)
    await store.save(job)
    return job


async def wait_until_due(job: Job) -> None:
    """What the poller's claim does: a job is stepped when its next poll time comes."""
    if job.next_poll_at is not None:
        await asyncio.sleep(max(0.0, job.next_poll_at - time.time()))


async def test_a_job_completes_and_is_charged_for_what_was_made() -> None:
    routing = router()
    store = lifecycle.MemoryJobStore()
    job = await run_until_final(routing, await submitted_job(routing, "quick"), store)
    assert job.status == "completed"
    assert job.result is not None
    assert job.cost == pytest.approx(0.4)  # 4 s at 0.1 $/s
    assert store.jobs["video_1"] is job
    assert routing.health.of("quick-1").in_flight == 0


async def test_a_job_that_fails_mid_way_is_resubmitted_on_another_deployment() -> None:
    routing = router()
    store = lifecycle.MemoryJobStore()
    job = await submitted_job(routing, "flaky")
    assert job.deployment_id == "flaky-broken"
    job = await run_until_final(routing, job, store)
    assert job.status == "completed"
    assert job.deployment_id == "flaky-ok"
    assert [(a.deployment_id, a.status) for a in job.attempts] == [
        ("flaky-broken", "failed"),
        ("flaky-ok", "success"),
    ]
    assert job.attempts[0].error_message == "render farm on fire"
    assert job.submits == 2


async def test_a_job_past_its_timeout_is_cancelled_and_fails_when_no_budget_is_left() -> None:
    routing = router()
    job = await submitted_job(routing, "stuck")
    job = await run_until_final(routing, job, lifecycle.MemoryJobStore())
    assert job.status == "failed"
    assert isinstance(job.error, PollTimeoutError)
    assert job.error.provider == "mock"
    assert job.cost == 0.0
    assert job.attempts[-1].status == "failed"


async def test_a_deployment_removed_by_a_reload_fails_the_job() -> None:
    routing = router()
    job = await submitted_job(routing, "quick")
    gone = dataclasses.replace(job, deployment_id="removed-by-a-reload")
    failed = await lifecycle.advance(routing, gone, lambda: REQUEST)
    assert failed.status == "failed"
    assert failed.error is not None
    assert "no longer configured" in failed.error.message


async def test_the_library_and_the_poller_take_the_same_transition(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: list[str] = []
    original = jobs.polled

    def spy(job: Job, *args: Any, **kwargs: Any) -> jobs.Step:
        seen.append(job.id)
        return original(job, *args, **kwargs)

    monkeypatch.setattr(jobs, "polled", spy)

    # The library, through a config chain ...
    config = VideoGenerationConfig(
        provider="mock", model="m", poll_interval=0.01, mock=MockConfig(job_seconds=0.02)
    )
    assert (await generate_video_async(config, REQUEST)).video
    library_calls = len(seen)
    assert library_calls >= 1

    # ... and the server's poller, on a row in its SQL store.
    routing = router()
    database = Database(f"sqlite:///{tmp_path / 'jobs.db'}")
    await database.open()
    try:
        store = JobStore(database)
        job = await submitted_job(routing, "quick")
        now = time.time()
        await store.insert(
            VideoRecord(
                id="video_server",
                owner="master",
                alias="quick",
                deployment_id=job.deployment_id,
                status="queued",
                seconds="4",
                size="720x1280",
                request_json=REQUEST.model_dump_json(),
                created_at=now,
                updated_at=now,
                upstream_id=job.upstream_id,
                submitted_at=now,
                next_poll_at=now,
            )
        )
        poller = Poller(store, lambda: routing, media_dir=tmp_path, instance_id="one")
        deadline = time.monotonic() + 10
        while (record := await store.get("video_server")) is not None and record.in_flight:
            assert time.monotonic() < deadline
            await poller.advance(record)
            await poller.flush()
            await asyncio.sleep(0.01)  # pace the polls like the poll interval would
        assert record is not None
        assert record.status == "completed"
        assert record.cost_usd == pytest.approx(0.4)
    finally:
        await database.close()
    assert "video_server" in seen[library_calls:]


async def test_a_failure_the_provider_reports_is_classified_once() -> None:
    routing = router()
    job = await submitted_job(routing, "flaky")
    job = await lifecycle.advance(routing, job, lambda: REQUEST)
    while job.deployment_id == "flaky-broken" and not job.final:
        await wait_until_due(job)
        job = await lifecycle.advance(routing, job, lambda: REQUEST)
    assert job.attempts[0].error_type == GenerationFailedError.__name__
