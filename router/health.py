"""Per-deployment health: a circuit breaker, in-flight counts, rpm windows and the
latency estimates the routing strategies read.

Everything here is learned from real traffic; nothing in this module ever calls a
provider, so asking for health never starts a paid generation.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal

from tarash_gateway.adapters import ProviderAuthenticationError, RateLimitError, TarashError
from tarash_gateway.router.config import CooldownSettings

BreakerState = Literal["closed", "open", "half_open"]
LATENCY_SMOOTHING = 0.3
"""Weight of the newest observation in the moving averages."""


@dataclass
class DeploymentHealth:
    """What the router knows about one deployment right now."""

    outcomes: deque[tuple[float, bool]] = field(default_factory=deque)
    cooldown_until: float = 0.0
    trial_in_progress: bool = False
    in_flight: int = 0
    recent_submits: deque[float] = field(default_factory=deque)
    seconds_per_video_second: float | None = None
    """Moving estimate of completion time per second of requested video."""
    submit_latency: float | None = None
    last_error: str | None = None
    successes: int = 0
    failures: int = 0

    def state(self, now: float) -> BreakerState:
        if now < self.cooldown_until:
            return "open"
        return "half_open" if self.cooldown_until > 0 else "closed"


RATE_WINDOW_SECONDS = 60.0


def prune_window(times: deque[float], now: float) -> None:
    """Drop the times that have left the sliding 60-second window."""
    while times and times[0] <= now - RATE_WINDOW_SECONDS:
        times.popleft()


def window_wait(times: deque[float], limit: int, now: float) -> float:
    """Seconds until a sliding 60-second window of ``times`` has room for one more under
    ``limit`` (0 if it has room now)."""
    prune_window(times, now)
    if len(times) < limit:
        return 0.0
    return times[len(times) - limit] + RATE_WINDOW_SECONDS - now


def _average(current: float | None, sample: float) -> float:
    if current is None:
        return sample
    return (1 - LATENCY_SMOOTHING) * current + LATENCY_SMOOTHING * sample


class HealthBook:
    """Health of every deployment by id; survives config reloads (ids are stable)."""

    def __init__(self, settings: CooldownSettings) -> None:
        self.settings = settings
        self._health: dict[str, DeploymentHealth] = {}
        #: Called with a deployment id whenever its health changes (e.g. to export it).
        self.on_change: Callable[[str], None] | None = None

    def _changed(self, deployment_id: str) -> None:
        if self.on_change is not None:
            self.on_change(deployment_id)

    def of(self, deployment_id: str) -> DeploymentHealth:
        return self._health.setdefault(deployment_id, DeploymentHealth())

    # -- breaker -------------------------------------------------------------------------

    def available(self, deployment_id: str, now: float | None = None) -> bool:
        """Closed, or half-open with no trial running (the caller then runs the trial)."""
        now = time.monotonic() if now is None else now
        health = self.of(deployment_id)
        state = health.state(now)
        if state == "open":
            return False
        return not (state == "half_open" and health.trial_in_progress)

    def cooldown_remaining(self, deployment_id: str, now: float | None = None) -> float:
        now = time.monotonic() if now is None else now
        return max(0.0, self.of(deployment_id).cooldown_until - now)

    def begin_attempt(self, deployment_id: str, now: float | None = None) -> None:
        """Mark a half-open deployment's trial as taken, so only one request probes it."""
        now = time.monotonic() if now is None else now
        health = self.of(deployment_id)
        if health.state(now) == "half_open":
            health.trial_in_progress = True

    def record_success(self, deployment_id: str, now: float | None = None) -> None:
        now = time.monotonic() if now is None else now
        health = self.of(deployment_id)
        health.successes += 1
        if health.state(now) == "half_open":
            health.cooldown_until = 0.0  # the trial worked: close the breaker
            health.outcomes.clear()
        health.trial_in_progress = False
        self._remember(health, now, ok=True)
        self._changed(deployment_id)

    def record_failure(
        self, deployment_id: str, error: TarashError, now: float | None = None
    ) -> None:
        """Count a failure; open the breaker at once on 429 / 401 / 403 or a failed trial,
        else when the failure ratio over the window crosses the threshold."""
        now = time.monotonic() if now is None else now
        health = self.of(deployment_id)
        health.failures += 1
        health.last_error = f"{type(error).__name__}: {error.message}"[:300]
        was_trial = health.state(now) == "half_open"
        health.trial_in_progress = False
        self._remember(health, now, ok=False)
        cooldown: float | None = None
        if isinstance(error, RateLimitError):
            cooldown = error.retry_after if error.retry_after is not None else self.settings.seconds
        elif isinstance(error, ProviderAuthenticationError) or was_trial:
            cooldown = self.settings.seconds
        elif error.is_retryable:
            recent = [ok for _when, ok in health.outcomes]
            failed = recent.count(False)
            if (
                len(recent) >= self.settings.min_requests
                and failed / len(recent) >= self.settings.failure_ratio
            ):
                cooldown = self.settings.seconds
        if cooldown is not None:
            health.cooldown_until = max(health.cooldown_until, now + max(cooldown, 0.001))
        self._changed(deployment_id)

    def _remember(self, health: DeploymentHealth, now: float, *, ok: bool) -> None:
        health.outcomes.append((now, ok))
        horizon = now - self.settings.window_seconds
        while health.outcomes and health.outcomes[0][0] < horizon:
            health.outcomes.popleft()

    # -- load and latency ----------------------------------------------------------------

    def rpm_wait(self, deployment_id: str, rpm: int | None, now: float | None = None) -> float:
        """Seconds until the deployment may take another submit under its rpm."""
        if rpm is None:
            return 0.0
        now = time.monotonic() if now is None else now
        return window_wait(self.of(deployment_id).recent_submits, rpm, now)

    def record_submit(self, deployment_id: str, latency: float, now: float | None = None) -> None:
        now = time.monotonic() if now is None else now
        health = self.of(deployment_id)
        health.recent_submits.append(now)
        prune_window(health.recent_submits, now)  # bounded even for deployments without rpm
        health.submit_latency = _average(health.submit_latency, latency)

    def job_started(self, deployment_id: str) -> None:
        self.of(deployment_id).in_flight += 1
        self._changed(deployment_id)

    def job_finished(self, deployment_id: str) -> None:
        health = self.of(deployment_id)
        health.in_flight = max(0, health.in_flight - 1)
        self._changed(deployment_id)

    def record_completion(self, deployment_id: str, video_seconds: float, elapsed: float) -> None:
        """Learn how long this deployment takes per second of video it makes."""
        if video_seconds <= 0:
            return
        health = self.of(deployment_id)
        health.seconds_per_video_second = _average(
            health.seconds_per_video_second, elapsed / video_seconds
        )

    def expected_latency(self, deployment_id: str, video_seconds: float) -> float | None:
        """Submit latency plus learned time per second times seconds; None if never observed."""
        health = self.of(deployment_id)
        if health.seconds_per_video_second is None:
            return None
        return (health.submit_latency or 0.0) + health.seconds_per_video_second * video_seconds
