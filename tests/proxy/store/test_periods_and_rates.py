"""Budget period boundaries and the sliding rpm window."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import pytest

from tarash_gateway.proxy.http import ratelimit
from tarash_gateway.proxy.store.periods import period_start


def at(text: str) -> float:
    return datetime.fromisoformat(text).replace(tzinfo=UTC).timestamp()


@pytest.mark.parametrize(
    ("period", "now", "start"),
    [
        ("daily", "2026-11-25T17:30:00", "2026-11-25T00:00:00"),
        ("daily", "2026-11-25T00:00:00", "2026-11-25T00:00:00"),
        ("weekly", "2026-11-25T17:30:00", "2026-11-23T00:00:00"),  # a Wednesday → Monday
        ("weekly", "2026-11-23T00:00:01", "2026-11-23T00:00:00"),
        ("monthly", "2026-11-25T17:30:00", "2026-11-01T00:00:00"),
        ("monthly", "2027-01-01T00:00:00", "2027-01-01T00:00:00"),
    ],
)
def test_period_start(period: str, now: str, start: str) -> None:
    assert period_start(period, at(now)) == at(start)


def test_total_never_resets() -> None:
    assert period_start("total", at("2030-05-05T05:05:05")) == 0.0


def test_unknown_period_is_an_error() -> None:
    with pytest.raises(ValueError, match="hourly"):
        period_start("hourly", 0.0)


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def monotonic(self) -> float:
        return self.now


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    fake = Clock()
    monkeypatch.setattr(ratelimit, "time", fake)
    return fake


def test_sliding_window(clock: Clock) -> None:
    limiter = ratelimit.RateLimiter()
    for _ in range(3):
        assert asyncio.run(limiter.try_acquire([("k", 3)])) == 0
        clock.now += 10
    assert (
        asyncio.run(limiter.try_acquire([("k", 3)])) == 30
    )  # the first request leaves the window at 60 s
    clock.now += 30
    assert asyncio.run(limiter.try_acquire([("k", 3)])) == 0


def test_refused_request_is_counted_nowhere(clock: Clock) -> None:
    limiter = ratelimit.RateLimiter()
    assert asyncio.run(limiter.try_acquire([("key", 1), ("team", 5)])) == 0
    assert asyncio.run(limiter.try_acquire([("key", 1), ("team", 5)])) > 0
    for _ in range(4):  # the refused request did not use up one of the team's five
        assert asyncio.run(limiter.try_acquire([("other-key", None), ("team", 5)])) == 0
    assert asyncio.run(limiter.try_acquire([("other-key", None), ("team", 5)])) > 0


def test_no_limit_means_no_bookkeeping(clock: Clock) -> None:
    limiter = ratelimit.RateLimiter()
    for _ in range(1000):
        assert asyncio.run(limiter.try_acquire([("k", None), ("team", None)])) == 0
    assert limiter._windows == {}  # no window kept for an account without a limit
    # Nothing was counted either: with a limit of one, the first request is admitted.
    assert asyncio.run(limiter.try_acquire([("k", 1)])) == 0
    assert asyncio.run(limiter.try_acquire([("k", 1)])) > 0
