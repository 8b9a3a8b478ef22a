"""Routing strategies: each orders an alias's candidate deployments by preference.

The router tries candidates in that order, skipping any that are cooling down or at a
limit, so a strategy only has to say who is best, not who is available.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence

from tarash_gateway.router.config import Deployment, RoutingStrategy
from tarash_gateway.router.health import HealthBook


def weighted_order(candidates: Sequence[Deployment], rng: random.Random) -> list[Deployment]:
    """A random order in which heavier deployments tend to come first: each position is
    drawn by weight from those not yet placed (so the first pick follows the weights)."""
    remaining = [d for d in candidates if d.params.weight > 0]
    ordered: list[Deployment] = []
    while remaining:
        choice = rng.choices(remaining, weights=[d.params.weight for d in remaining])[0]
        ordered.append(choice)
        remaining.remove(choice)
    return ordered


def _by_key(
    candidates: Sequence[Deployment], key: Callable[[Deployment], float], rng: random.Random
) -> list[Deployment]:
    """Ascending by ``key``; equal keys keep a weighted random order (ties go by weight)."""
    shuffled = weighted_order(candidates, rng)
    position = {d.id: i for i, d in enumerate(shuffled)}
    return sorted(shuffled, key=lambda d: (key(d), position[d.id]))


def rank(
    strategy: RoutingStrategy,
    candidates: Sequence[Deployment],
    *,
    seconds: float | Callable[[Deployment], float],
    health: HealthBook,
    rng: random.Random,
    cost: Callable[[Deployment], float] | None = None,
) -> list[Deployment]:
    """Candidates in the order ``strategy`` prefers them. ``seconds`` is the video's
    duration, or per deployment when it differs (each model's own default applies to
    a request that names none); ``cost`` prices a candidate when a video's price does
    not apply (images)."""
    duration = seconds if callable(seconds) else lambda _deployment: seconds
    if strategy == "lowest-cost":
        price = cost or (lambda d: d.cost(duration(d)))
        return _by_key(candidates, price, rng)
    if strategy == "least-busy":
        return _by_key(candidates, lambda d: health.of(d.id).in_flight, rng)
    if strategy == "lowest-latency":

        def latency(deployment: Deployment) -> float:
            # Never observed: try it first, that is how it gets an estimate.
            expected = health.expected_latency(deployment.id, duration(deployment))
            return -1.0 if expected is None else expected

        return _by_key(candidates, latency, rng)
    return weighted_order(candidates, rng)
