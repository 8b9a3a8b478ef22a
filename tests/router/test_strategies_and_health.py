"""Strategies on synthetic statistics, tiers, and the circuit breaker."""

from __future__ import annotations

import random
from collections import Counter

import pytest

from tarash_gateway.adapters import HTTPError, ProviderAuthenticationError, RateLimitError
from tarash_gateway.router import parse_config
from tarash_gateway.router.config import CooldownSettings, Deployment, build_deployments
from tarash_gateway.router.health import HealthBook
from tarash_gateway.router.strategies import rank

CONFIG = """
model_list:
  - model_name: a
    params: {provider: mock, model: m1, id: cheap-light, weight: 1, cost_per_second: 0.1}
  - model_name: a
    params: {provider: mock, model: m2, id: cheap-heavy, weight: 9, cost_per_second: 0.1}
  - model_name: a
    params: {provider: mock, model: m3, id: pricey, weight: 50, cost_per_video: 5}
general_settings: {master_key: k}
"""


def deployments() -> list[Deployment]:
    return build_deployments(parse_config(CONFIG))["a"]


def book() -> HealthBook:
    return HealthBook(
        CooldownSettings(failure_ratio=0.5, window_seconds=60, min_requests=4, seconds=30)
    )


def firsts(
    strategy: str, health: HealthBook, draws: int = 2000, seconds: float = 8
) -> Counter[str]:
    rng = random.Random(5)
    return Counter(
        rank(strategy, deployments(), seconds=seconds, health=health, rng=rng)[0].id  # type: ignore[arg-type]
        for _ in range(draws)
    )


def test_weighted_first_choice_follows_weights() -> None:
    counts = firsts("weighted", book(), draws=6000)
    assert counts["pricey"] / 6000 == pytest.approx(50 / 60, abs=0.02)
    assert counts["cheap-heavy"] / 6000 == pytest.approx(9 / 60, abs=0.02)


def test_lowest_cost_breaks_ties_by_weight() -> None:
    counts = firsts("lowest-cost", book())
    assert "pricey" not in counts  # 5 USD per video vs 0.8 USD for 8 s
    assert counts["cheap-heavy"] / 2000 == pytest.approx(0.9, abs=0.03)


def test_lowest_cost_uses_the_requested_seconds() -> None:
    # At 100 s the per-second deployments cost 10 USD; the per-video one wins.
    assert firsts("lowest-cost", book(), seconds=100) == Counter({"pricey": 2000})


def test_least_busy() -> None:
    health = book()
    for _ in range(3):
        health.job_started("pricey")
        health.job_started("cheap-heavy")
    assert firsts("least-busy", health) == Counter({"cheap-light": 2000})


def test_lowest_latency_prefers_fast_and_explores_unknown() -> None:
    health = book()
    health.record_completion("cheap-light", video_seconds=8, elapsed=80)
    health.record_completion("cheap-heavy", video_seconds=8, elapsed=40)
    assert firsts("lowest-latency", health) == Counter({"pricey": 2000})  # never observed
    health.record_completion("pricey", video_seconds=8, elapsed=400)
    assert firsts("lowest-latency", health) == Counter({"cheap-heavy": 2000})


def test_latency_estimate_is_a_moving_average_plus_submit_time() -> None:
    health = book()
    health.record_completion("d", video_seconds=10, elapsed=100)  # 10 s per video second
    health.record_completion("d", video_seconds=10, elapsed=200)  # 20 → average moves 30 %
    health.record_submit("d", latency=2.0)
    assert health.expected_latency("d", 4) == pytest.approx(2.0 + 13.0 * 4)


def test_breaker_opens_on_failure_ratio_after_min_requests() -> None:
    health = book()
    error = HTTPError("boom", status_code=503)
    health.record_success("d", now=0)
    health.record_failure("d", error, now=1)
    health.record_failure("d", error, now=2)
    assert health.available("d", now=3)  # 3 requests < min_requests 4
    health.record_failure("d", error, now=3)
    assert not health.available("d", now=4)  # 3 of 4 failed ≥ 50 %
    assert health.of("d").state(4) == "open"
    assert health.cooldown_remaining("d", now=4) == pytest.approx(29)


def test_breaker_half_open_trial_then_recovery() -> None:
    health = book()
    health.record_failure("d", ProviderAuthenticationError("bad key"), now=0)
    assert not health.available("d", now=10)
    assert health.available("d", now=31)  # cooled down: half-open
    health.begin_attempt("d", now=31)
    assert not health.available("d", now=31.5)  # only one trial at a time
    health.record_success("d", now=32)
    assert health.of("d").state(32) == "closed"
    assert health.available("d", now=32)


def test_failed_trial_reopens_the_breaker() -> None:
    health = book()
    health.record_failure("d", ProviderAuthenticationError("bad key"), now=0)
    health.begin_attempt("d", now=31)
    health.record_failure("d", HTTPError("still down", status_code=500), now=32)
    assert not health.available("d", now=33)
    assert health.cooldown_remaining("d", now=33) == pytest.approx(29)


def test_429_cools_down_for_retry_after() -> None:
    health = book()
    health.record_failure("d", RateLimitError("slow down", retry_after=7), now=0)
    assert not health.available("d", now=6.9)
    assert health.available("d", now=7.1)


def test_old_outcomes_leave_the_window() -> None:
    health = book()
    error = HTTPError("boom", status_code=500)
    for moment in range(3):
        health.record_failure("d", error, now=moment)
    health.record_success("d", now=100)  # the failures are > 60 s old now
    health.record_failure("d", error, now=101)
    assert health.available("d", now=102)


def test_rpm_window() -> None:
    health = book()
    for moment in (0, 1):
        health.record_submit("d", latency=0.1, now=moment)
    assert health.rpm_wait("d", 2, now=30) == pytest.approx(30)
    assert health.rpm_wait("d", 2, now=61) == 0
    assert health.rpm_wait("d", None, now=0) == 0


def test_submit_history_stays_bounded_without_an_rpm() -> None:
    health = book()
    for moment in range(1000):
        health.record_submit("d", latency=0.1, now=float(moment))
    assert len(health.of("d").recent_submits) <= 61
