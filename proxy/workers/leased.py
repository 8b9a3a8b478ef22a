"""The leased-worker loop shared by the job poller and the webhook sender.

Both do the same thing with different rows: claim the due rows under a lease (so each
row is handled by one instance at a time), handle each claimed row concurrently under
a bound, sleep until the next row is due or someone calls ``wake()``, and on ``stop()``
hand the leases back so a restarted or sibling instance resumes at once. This module
owns that loop once; a subclass says what its rows are and what handling one means.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from abc import ABC, abstractmethod
from collections.abc import Sequence
from typing import Generic, TypeVar

Row = TypeVar("Row")

MIN_SLEEP = 0.01
"""Shortest pause between rounds, so a row due in the past cannot spin the loop."""


class LeasedWorker(ABC, Generic[Row]):
    """Claim → handle under a bound → sleep until due or woken; release leases on stop.

    Subclasses implement ``claim``, ``row_id``, ``handle`` and ``release``, and may
    override ``flush`` (write buffered results before each claim), ``next_due`` (when
    to look again), ``handle_error`` (what a failed ``handle`` leaves in the store)
    and ``close`` (resources to free after the leases are released).
    """

    def __init__(
        self,
        *,
        name: str,
        logger: logging.Logger,
        concurrency: int,
        instance_id: str,
        lease_seconds: float,
        claim_limit: int | None = None,
        max_idle_sleep: float = 1.0,
    ) -> None:
        self.instance_id = instance_id
        self.lease_seconds = lease_seconds
        #: How many rows one claim may lease; more than ``concurrency`` so the next rows
        #: are queued when a slot frees, but bounded so one instance cannot hoard them.
        self.claim_limit = claim_limit if claim_limit is not None else concurrency * 4
        self.max_idle_sleep = max_idle_sleep
        self._name = name
        self._log = logger
        self._limit = asyncio.Semaphore(concurrency)
        self._wakeup = asyncio.Event()
        self._active: set[str] = set()
        self._tasks: set[asyncio.Task[None]] = set()
        self._runner: asyncio.Task[None] | None = None
        #: Set while every due row is one this instance is already handling: the loop
        #: then waits for a handler to finish instead of claiming the same rows again.
        self._waiting_for_handlers = False

    # -- hooks ---------------------------------------------------------------------

    @abstractmethod
    async def claim(self, now: float, limit: int) -> Sequence[Row]:
        """Lease up to ``limit`` rows due at ``now`` to ``self.instance_id``."""

    @abstractmethod
    def row_id(self, row: Row) -> str:
        """The row's key: a row still being handled is not dispatched again."""

    @abstractmethod
    async def handle(self, row: Row) -> None:
        """One step for one claimed row (poll a job, send a webhook)."""

    @abstractmethod
    async def release(self) -> int:
        """Give back every lease this instance holds; returns how many."""

    async def flush(self) -> None:
        """Write results buffered since the last round (before each claim and on stop)."""

    async def next_due(self, now: float) -> float | None:
        """When a row can next be claimed; None means look again after the idle sleep."""
        return None

    async def handle_error(self, row: Row, error: Exception) -> None:
        """Record that ``handle`` raised (the error is already logged)."""

    async def close(self) -> None:
        """Free what the worker holds, after its leases are released."""

    # -- lifecycle -----------------------------------------------------------------

    def start(self) -> None:
        self._runner = asyncio.create_task(self._run(), name=self._name)

    def wake(self) -> None:
        """Look at the store now rather than after the current sleep."""
        self._wakeup.set()

    async def stop(self) -> None:
        """Stop the loop and the handlers, write what is buffered, and hand this
        instance's leases back so the rows are resumed at once, not after the lease."""
        if self._runner is not None:
            self._runner.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._runner
            self._runner = None
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        try:
            await self.flush()
        except Exception:
            self._log.exception("%s could not write its last results", self._name)
        try:
            released = await self.release()
            self._log.info("%s released %d leases", self._name, released)
        except Exception:
            self._log.exception("%s could not release its leases; they expire", self._name)
        await self.close()

    async def _run(self) -> None:
        while True:
            # Cleared before the round, so a wake() during the claim is not lost.
            self._wakeup.clear()
            started = 0
            try:
                started = await self._dispatch_due()
                next_due = await self.next_due(time.time())
            except Exception:
                self._log.exception("%s could not read its rows", self._name)
                next_due = None
            await self._sleep(self._delay(next_due, started))

    def _delay(self, next_due: float | None, started: int) -> float:
        """Until the next row is due, within ``MIN_SLEEP`` and the idle sleep. A row due
        already that this round did not start is one of ours still being handled (the
        store counts our own leases as claimable): then nothing is due for us until a
        handler finishes, and ``_handle_guarded`` wakes the loop when one does."""
        now = time.time()
        self._waiting_for_handlers = (
            started == 0 and bool(self._active) and next_due is not None and next_due <= now
        )
        if next_due is None or self._waiting_for_handlers:
            return self.max_idle_sleep
        return min(max(next_due - now, MIN_SLEEP), self.max_idle_sleep)

    async def _sleep(self, delay: float) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._wakeup.wait(), timeout=delay)

    async def _dispatch_due(self) -> int:
        """Flush, claim, and start a handler for each claimed row not already running;
        returns how many started. The flush comes first so a row is never claimed while
        its new due time is still unwritten."""
        await self.flush()
        started = 0
        for row in await self.claim(time.time(), self.claim_limit):
            key = self.row_id(row)
            if key in self._active:
                continue
            self._active.add(key)
            task = asyncio.create_task(self._handle_guarded(key, row))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)
            started += 1
        return started

    async def _handle_guarded(self, key: str, row: Row) -> None:
        try:
            async with self._limit:
                await self.handle(row)
        except Exception as error:
            self._log.exception("%s: unexpected error handling %s", self._name, key)
            try:
                await self.handle_error(row, error)
            except Exception:
                self._log.exception("%s could not record the failure of %s", self._name, key)
        finally:
            self._active.discard(key)
            if self._waiting_for_handlers:
                self._waiting_for_handlers = False
                self._wakeup.set()
