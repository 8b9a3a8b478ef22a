"""Requests-per-minute limits for keys and teams over a sliding 60-second window.

In process memory for a single instance; with ``redis_url`` configured the windows live
in Redis and are checked and taken by one script, so the limits stay exact however many
instances share them.
"""

from __future__ import annotations

import math
import time
from collections import deque

from tarash_gateway.router.health import window_wait
from tarash_gateway.router.shared import SharedState


class RateLimiter:
    """Per-account sliding windows of recent request times."""

    def __init__(self) -> None:
        self._windows: dict[str, deque[float]] = {}

    def _wait(self, account_id: str, rpm: int, now: float) -> float:
        window = self._windows.get(account_id)
        return 0.0 if window is None else window_wait(window, rpm, now)

    async def try_acquire(self, limits: list[tuple[str, int | None]]) -> float:
        """Count one request against every (account, rpm) pair, or against none.

        Returns 0 when admitted, else whole seconds to wait (for Retry-After). There is
        no await between check and record, so this is atomic within the event loop.
        """
        now = time.monotonic()
        active = [(account, rpm) for account, rpm in limits if rpm is not None]
        wait = max((self._wait(account, rpm, now) for account, rpm in active), default=0.0)
        if wait > 0:
            return float(max(1, math.ceil(wait)))
        for account, rpm in active:
            window = self._windows.setdefault(account, deque())
            window.append(now)
            while len(window) > rpm:
                window.popleft()
        return 0.0


class SharedRateLimiter(RateLimiter):
    """The same contract, with the windows shared through Redis."""

    def __init__(self, shared: SharedState) -> None:
        super().__init__()
        self.shared = shared

    async def try_acquire(self, limits: list[tuple[str, int | None]]) -> float:
        active = [("account:" + account, rpm) for account, rpm in limits if rpm is not None]
        wait = await self.shared.take_slots(active)
        return float(max(1, math.ceil(wait))) if wait > 0 else 0.0
