"""The leased-worker loop on its own, against an in-memory store: the bound on
concurrent handlers, one handler per row, wake-ups, leases handed back on stop, and a
loop that survives failing hooks. Every wait is on an event with a deadline."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field

import pytest

from tarash_gateway.proxy.workers.leased import LeasedWorker

DEADLINE = 5.0
FOREVER = 3600.0
"""An idle sleep no test outlives: a test that passes did not wait for it."""


@dataclass
class FakeRow:
    id: str
    due_at: float | None
    lease_owner: str | None = None


@dataclass
class FakeStore:
    """Rows with a due time and a lease owner, claimed the way leases.claim does."""

    rows: dict[str, FakeRow] = field(default_factory=dict)
    claims: int = 0
    limits: list[int] = field(default_factory=list)
    claimed: asyncio.Event = field(default_factory=asyncio.Event)
    fail_next_claim: bool = False

    def add(self, row_id: str, due_at: float = 0.0, owner: str | None = None) -> FakeRow:
        self.rows[row_id] = row = FakeRow(row_id, due_at, owner)
        return row

    def claim(self, owner: str, now: float, limit: int) -> list[FakeRow]:
        self.claims += 1
        self.limits.append(limit)
        self.claimed.set()
        if self.fail_next_claim:
            self.fail_next_claim = False
            raise RuntimeError("the store is down")
        due = [
            row
            for row in self.rows.values()
            if row.due_at is not None and row.due_at <= now and row.lease_owner in (None, owner)
        ]
        for row in due[:limit]:
            row.lease_owner = owner
        return due[:limit]

    def release(self, owner: str) -> int:
        mine = [row for row in self.rows.values() if row.lease_owner == owner]
        for row in mine:
            row.lease_owner = None
        return len(mine)


Handler = Callable[[FakeRow], Awaitable[None]]


class FakeWorker(LeasedWorker[FakeRow]):
    """A worker whose step is whatever the test passes as ``handler``."""

    def __init__(self, store: FakeStore, handler: Handler, *, concurrency: int = 4) -> None:
        super().__init__(
            name="fake-worker",
            logger=logging.getLogger("tests.leased"),
            concurrency=concurrency,
            instance_id="me",
            lease_seconds=60.0,
            max_idle_sleep=FOREVER,
        )
        self.store = store
        self.handler = handler
        self.failures: list[tuple[str, str]] = []
        self.flushes = 0
        self.closed = False

    async def claim(self, now: float, limit: int) -> list[FakeRow]:
        return self.store.claim(self.instance_id, now, limit)

    def row_id(self, row: FakeRow) -> str:
        return row.id

    async def handle(self, row: FakeRow) -> None:
        await self.handler(row)

    async def release(self) -> int:
        return self.store.release(self.instance_id)

    async def next_due(self, now: float) -> float | None:
        waiting = [
            row.due_at
            for row in self.store.rows.values()
            if row.due_at is not None and row.due_at > now
        ]
        return min(waiting, default=None)

    async def flush(self) -> None:
        self.flushes += 1

    async def handle_error(self, row: FakeRow, error: Exception) -> None:
        self.failures.append((row.id, str(error)))

    async def close(self) -> None:
        self.closed = True


@dataclass
class Recorder:
    """A handler that records each row, marks it done and signals whoever waits."""

    handled: list[str] = field(default_factory=list)
    events: dict[str, asyncio.Event] = field(default_factory=dict)

    def done(self, row_id: str) -> asyncio.Event:
        return self.events.setdefault(row_id, asyncio.Event())

    async def __call__(self, row: FakeRow) -> None:
        self.handled.append(row.id)
        row.due_at = None
        self.done(row.id).set()


async def wait(event: asyncio.Event) -> None:
    await asyncio.wait_for(event.wait(), timeout=DEADLINE)


@pytest.fixture
async def store() -> FakeStore:
    return FakeStore()


@pytest.fixture
async def stopped() -> AsyncIterator[list[FakeWorker]]:
    """Workers a test started; each is stopped at the end even if the test fails."""
    workers: list[FakeWorker] = []
    yield workers
    for worker in workers:
        await worker.stop()


def started(workers: list[FakeWorker], worker: FakeWorker) -> FakeWorker:
    worker.start()
    workers.append(worker)
    return worker


async def test_no_more_rows_than_the_bound_are_handled_at_once(
    store: FakeStore, stopped: list[FakeWorker]
) -> None:
    for number in range(6):
        store.add(f"row-{number}")
    gate = asyncio.Event()
    two_running = asyncio.Event()
    running = 0
    most = 0
    finished: list[str] = []
    all_done = asyncio.Event()

    async def blocking(row: FakeRow) -> None:
        nonlocal running, most
        running += 1
        most = max(most, running)
        if running == 2:
            two_running.set()
        await gate.wait()
        running -= 1
        row.due_at = None
        finished.append(row.id)
        if len(finished) == 6:
            all_done.set()

    started(stopped, FakeWorker(store, blocking, concurrency=2))
    await wait(two_running)
    # All six handlers were created in one step, before the second one ran, so the
    # other four have already tried to start by now: the bound held them back.
    assert running == 2
    gate.set()
    await wait(all_done)
    assert most == 2
    assert sorted(finished) == [f"row-{number}" for number in range(6)]
    assert store.limits[0] == 2 * 4  # one claim leases a few rounds' worth, not all


async def test_a_row_claimed_again_while_it_is_handled_is_not_handled_twice(
    store: FakeStore, stopped: list[FakeWorker]
) -> None:
    store.add("row-1")
    handled: list[str] = []
    finished = asyncio.Event()
    worker: FakeWorker

    async def slow(row: FakeRow) -> None:
        handled.append(row.id)
        # The row is still due and leased to us; let the loop claim it again twice.
        for _ in range(2):
            store.claimed.clear()
            worker.wake()
            await wait(store.claimed)
        row.due_at = None
        finished.set()

    worker = started(stopped, FakeWorker(store, slow))
    await wait(finished)
    store.claimed.clear()
    worker.wake()
    await wait(store.claimed)
    assert store.claims >= 4
    assert handled == ["row-1"]


class StoreLikeWorker(FakeWorker):
    """Answers ``next_due`` as the real stores do: the earliest row this instance may
    claim, its own leased rows included, so a row it is handling reads as due."""

    async def next_due(self, now: float) -> float | None:
        mine = [
            row.due_at
            for row in self.store.rows.values()
            if row.due_at is not None and row.lease_owner in (None, self.instance_id)
        ]
        return min(mine, default=None)


async def test_rows_still_being_handled_do_not_spin_the_loop(
    store: FakeStore, stopped: list[FakeWorker]
) -> None:
    store.add("slow")
    gate = asyncio.Event()
    entered = asyncio.Event()
    recorder = Recorder()

    async def blocked(row: FakeRow) -> None:
        entered.set()
        await gate.wait()
        await recorder(row)

    started(stopped, StoreLikeWorker(store, blocked))
    await wait(entered)
    await asyncio.sleep(0.2)  # twenty rounds' worth of MIN_SLEEP
    # The row is due and ours, but already in hand: one more look at most, then the
    # loop waits for the handler rather than claiming the same row every 10 ms.
    assert store.claims <= 2
    store.claimed.clear()
    store.add("next")
    gate.set()
    await wait(recorder.done("next"))  # the finished handler woke the loop at once
    assert recorder.handled == ["slow", "next"]


async def test_a_row_leased_to_another_instance_is_left_alone(
    store: FakeStore, stopped: list[FakeWorker]
) -> None:
    store.add("theirs", owner="someone-else")
    store.add("ours")
    recorder = Recorder()
    started(stopped, FakeWorker(store, recorder))
    await wait(recorder.done("ours"))
    assert recorder.handled == ["ours"]
    assert store.rows["theirs"].lease_owner == "someone-else"


async def test_wake_cuts_the_idle_sleep_short(store: FakeStore, stopped: list[FakeWorker]) -> None:
    recorder = Recorder()
    worker = started(stopped, FakeWorker(store, recorder))
    await wait(store.claimed)  # the first round found nothing; the loop sleeps FOREVER
    store.add("late")
    worker.wake()
    await wait(recorder.done("late"))
    assert recorder.handled == ["late"]


async def test_the_loop_sleeps_only_until_the_next_row_is_due(
    store: FakeStore, stopped: list[FakeWorker]
) -> None:
    store.add("soon", due_at=time.time() + 0.05)
    recorder = Recorder()
    started(stopped, FakeWorker(store, recorder))
    await wait(recorder.done("soon"))  # no wake(): next_due ended the sleep
    assert recorder.handled == ["soon"]


async def test_stop_releases_this_instances_leases_and_flushes(store: FakeStore) -> None:
    store.add("stuck-1")
    store.add("stuck-2")
    store.add("theirs", owner="someone-else")
    both = asyncio.Event()
    entered: list[str] = []

    async def never_finishes(row: FakeRow) -> None:
        entered.append(row.id)
        if len(entered) == 2:
            both.set()
        await asyncio.Event().wait()

    worker = FakeWorker(store, never_finishes)
    worker.start()
    await wait(both)
    assert store.rows["stuck-1"].lease_owner == "me"
    flushes = worker.flushes
    await worker.stop()
    assert store.rows["stuck-1"].lease_owner is None
    assert store.rows["stuck-2"].lease_owner is None
    assert store.rows["theirs"].lease_owner == "someone-else"
    assert worker.flushes == flushes + 1
    assert worker.closed


async def test_a_handler_that_raises_is_recorded_and_the_loop_goes_on(
    store: FakeStore, stopped: list[FakeWorker]
) -> None:
    store.add("bad")
    recorder = Recorder()
    failed = asyncio.Event()

    async def sometimes(row: FakeRow) -> None:
        if row.id == "bad":
            row.due_at = None
            failed.set()
            raise ValueError("boom")
        await recorder(row)

    worker = started(stopped, FakeWorker(store, sometimes))
    await wait(failed)
    store.add("good")
    worker.wake()
    await wait(recorder.done("good"))
    assert worker.failures == [("bad", "boom")]
    assert recorder.handled == ["good"]


async def test_a_claim_that_raises_does_not_kill_the_loop(
    store: FakeStore, stopped: list[FakeWorker]
) -> None:
    store.fail_next_claim = True
    recorder = Recorder()
    worker = started(stopped, FakeWorker(store, recorder))
    await wait(store.claimed)
    assert store.claims == 1
    assert not store.fail_next_claim  # the first claim raised
    store.add("after")
    worker.wake()
    await wait(recorder.done("after"))
    assert recorder.handled == ["after"]
