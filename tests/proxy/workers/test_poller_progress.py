"""Polls of jobs still running are written in one batch per poller round, and the batch
is never lost on a graceful stop."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tarash_gateway.adapters import VideoGenerationRequest
from tarash_gateway.proxy.store.database import Database
from tarash_gateway.proxy.store.jobs import JobStore, VideoRecord
from tarash_gateway.proxy.workers.poller import Poller
from tarash_gateway.router import Router, parse_config

CONFIG = """
model_list:
  - model_name: slow
    params: {provider: mock, model: mock-slow, id: slow-1, poll_interval: 0.05,
             mock: {job_seconds: 60}}
general_settings: {master_key: sk-poller-test}
"""


@dataclass
class Setup:
    store: JobStore
    router: Router
    poller: Poller


@pytest.fixture
async def setup(tmp_path: Path) -> AsyncIterator[Setup]:
    """A store on a fresh SQLite file and a poller following jobs of the ``slow`` mock."""
    database = Database(f"sqlite:///{tmp_path / 'jobs.db'}")
    await database.open()
    store = JobStore(database)
    router = Router(parse_config(CONFIG, "<test>"))
    yield Setup(store, router, Poller(store, lambda: router, media_dir=tmp_path, instance_id="one"))
    await database.close()


async def start_jobs(router: Router, store: JobStore, count: int) -> list[str]:
    request = VideoGenerationRequest(prompt="a long render", duration_seconds=4)
    ids = []
    for index in range(count):
        submission = await router.submit("slow", request)
        now = time.time()
        record = VideoRecord(
            id=f"video_{index}",
            owner="master",
            alias="slow",
            deployment_id=submission.deployment.id,
            status="queued",
            seconds="4",
            size="720x1280",
            request_json=request.model_dump_json(),
            created_at=now,
            updated_at=now,
            upstream_id=submission.job.request_id,
            submitted_at=now,
            next_poll_at=now,
        )
        await store.insert(record)
        ids.append(record.id)
    return ids


async def test_running_jobs_record_their_polls_in_batches(setup: Setup) -> None:
    store, poller = setup.store, setup.poller
    ids = await start_jobs(setup.router, store, 5)
    updates = 0
    original = store.update_many

    async def counting_update_many(changes: dict[str, dict[str, object]]) -> None:
        nonlocal updates
        updates += 1
        await original(changes)

    store.update_many = counting_update_many  # type: ignore[method-assign]
    poller.start()
    try:
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:
            records = [await store.get(video_id) for video_id in ids]
            if all(r is not None and r.polls >= 3 for r in records):
                break
            await asyncio.sleep(0.05)
    finally:
        await poller.stop()
    records = [await store.get(video_id) for video_id in ids]
    assert all(r is not None and r.in_flight and r.polls >= 3 for r in records)
    total_polls = sum(r.polls for r in records if r is not None)
    assert updates < total_polls  # several polls shared each write


async def polled_once(setup: Setup) -> VideoRecord:
    """A job that has been polled once, its progress only buffered so far."""
    [video_id] = await start_jobs(setup.router, setup.store, 1)
    record = await setup.store.get(video_id)
    assert record is not None
    await setup.poller.advance(record)
    return record


async def test_a_graceful_stop_writes_the_last_polls(setup: Setup) -> None:
    record = await polled_once(setup)
    unwritten = await setup.store.get(record.id)
    assert unwritten is not None
    assert unwritten.polls == 0
    await setup.poller.stop()
    written = await setup.store.get(record.id)
    assert written is not None
    assert written.polls == 1
    assert written.in_flight
    assert written.next_poll_at is not None
    assert written.next_poll_at > record.created_at


async def test_progress_recorded_after_a_delete_does_not_bring_the_video_back(
    setup: Setup,
) -> None:
    record = await polled_once(setup)  # polled: progress buffered…
    await setup.store.delete(record.id)  # …then the client deletes the video
    await setup.poller.stop()  # the buffered progress is written
    assert await setup.store.get(record.id) is None
    due = await setup.store.claim_due(time.time() + 3600, 10, "one", 60)
    assert [r.id for r in due] == []  # and the poller never picks it up again
