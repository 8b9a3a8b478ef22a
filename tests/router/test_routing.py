"""Weighted deployment selection."""

from __future__ import annotations

import random
from collections import Counter

import pytest

from tarash_gateway.router import Router, UnknownAliasError, parse_config

CONFIG = """
model_list:
  - model_name: cinematic
    params: {provider: mock, model: a, id: heavy, weight: 3}
  - model_name: cinematic
    params: {provider: mock, model: b, id: light, weight: 1}
  - model_name: cinematic
    params: {provider: mock, model: c, id: disabled, weight: 0}
  - model_name: fast
    params: {provider: mock, model: f}
general_settings: {master_key: k}
"""


def make_router(seed: int = 0) -> Router:
    return Router(parse_config(CONFIG), rng=random.Random(seed))


def test_pick_follows_weights() -> None:
    router = make_router()
    counts = Counter(router.pick("cinematic").id for _ in range(8000))
    assert counts["heavy"] / 8000 == pytest.approx(0.75, abs=0.02)
    assert counts["light"] / 8000 == pytest.approx(0.25, abs=0.02)
    assert counts["disabled"] == 0


def test_injected_randomness_makes_picks_deterministic() -> None:
    def sequence(seed: int) -> list[str]:
        router = make_router(seed)
        return [router.pick("cinematic").id for _ in range(30)]

    assert sequence(7) == sequence(7)
    assert sequence(7) != sequence(8)


def test_unknown_alias_lists_the_available_ones() -> None:
    with pytest.raises(UnknownAliasError) as caught:
        make_router().pick("cinematc")
    assert caught.value.alias == "cinematc"
    assert caught.value.available == ["cinematic", "fast"]
    assert "cinematc" in caught.value.message
    assert "cinematic, fast" in caught.value.message


def test_deployment_lookup_by_id() -> None:
    router = make_router()
    assert router.deployment("heavy").alias == "cinematic"
    assert router.deployment("fast:mock:f").params.model == "f"
    assert router.aliases == ["cinematic", "fast"]
