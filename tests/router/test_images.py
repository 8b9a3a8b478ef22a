"""Router.generate_image: images take the same send loop as videos (issue 16, item 3):
strategy, breaker, retries, alias fallbacks, attempts and health."""

from __future__ import annotations

import random

import pytest

from tarash_gateway.adapters import (
    AttemptRecord,
    ContentModerationError,
    HTTPError,
    ImageGenerationRequest,
    ValidationError,
)
from tarash_gateway.router import Router, parse_config
from tarash_gateway.router.errors import NoDeploymentAvailableError

REQUEST = ImageGenerationRequest(prompt="a lighthouse", n=2)

CONFIG = """
model_list:
  - model_name: art
    params:
      provider: mock
      model: broken
      id: art-broken
      order: 1
      cost_per_image: 0.01
      mock: {responses: [{error: {code: upstream_http_error, status_code: 503, at: submit}}]}
  - model_name: art
    params: {provider: mock, model: ok, id: art-ok, order: 2, cost_per_image: 0.04}
  - model_name: cheap
    params: {provider: mock, model: a, id: cheap-dear, cost_per_image: 0.09}
  - model_name: cheap
    params: {provider: mock, model: b, id: cheap-cheap, cost_per_image: 0.02}
  - model_name: dead
    params:
      provider: mock
      model: d
      id: dead-1
      mock: {responses: [{error: {code: upstream_http_error, status_code: 500}}]}
  - model_name: solo
    params:
      provider: mock
      model: s
      id: solo-1
      mock: {responses: [{error: {code: upstream_http_error, status_code: 503}}]}
  - model_name: video-only
    params: {provider: minimax, model: MiniMax-Hailuo-02, id: minimax-1, api_key: k}
  - model_name: backup
    params: {provider: mock, model: b, id: backup-1, cost_per_image: 0.5}
  - model_name: strict
    params:
      provider: mock
      model: s
      id: strict-1
      mock: {responses: [{error: {code: moderation_blocked}}]}
router_settings:
  num_retries: 1
  retry_backoff_seconds: 0
  fallbacks: [{dead: [video-only, backup]}, {strict: [backup]}]
  strategy_per_alias: {cheap: lowest-cost}
  cooldown: {failure_ratio: 0.5, min_requests: 1, seconds: 60}
general_settings: {master_key: k}
"""


def router() -> Router:
    return Router(parse_config(CONFIG), rng=random.Random(3))


def trail(attempts: list[AttemptRecord]) -> list[tuple[str | None, str]]:
    return [(a.deployment_id, a.status) for a in attempts]


async def test_a_retryable_failure_moves_to_the_next_deployment() -> None:
    r = router()
    attempts: list[AttemptRecord] = []
    served = await r.generate_image("art", REQUEST, attempts=attempts)
    assert served.deployment.id == "art-ok"
    assert len(served.response.images) == 2
    assert trail(attempts) == [("art-broken", "failed"), ("art-ok", "success")]
    assert served.attempts is attempts
    # The failure is the breaker's business, as a failed video submit is.
    assert not r.health.available("art-broken")
    assert r.health.available("art-ok")


async def test_tiers_come_first_whatever_the_draw() -> None:
    """``order: 1`` before ``order: 2`` for images as for videos, for every random seed
    (the weighted strategy alone would put the second tier first about half the time)."""
    for seed in range(20):
        attempts: list[AttemptRecord] = []
        r = Router(parse_config(CONFIG), rng=random.Random(seed))
        await r.generate_image("art", REQUEST, attempts=attempts)
        assert attempts[0].deployment_id == "art-broken", seed


async def test_the_fallback_alias_serves_and_an_alias_without_images_is_skipped() -> None:
    attempts: list[AttemptRecord] = []
    served = await router().generate_image("dead", REQUEST, attempts=attempts)
    assert served.deployment.id == "backup-1"
    # dead-1 once, its breaker opens, video-only is skipped (it makes no images).
    assert trail(attempts) == [("dead-1", "failed"), ("backup-1", "success")]


async def test_lowest_cost_ranks_by_the_image_price() -> None:
    r = router()
    served = [(await r.generate_image("cheap", REQUEST)).deployment.id for _ in range(5)]
    assert served == ["cheap-cheap"] * 5


def test_the_reservation_is_the_dearest_image_deployment_of_the_chain() -> None:
    r = router()
    assert r.max_image_cost("art", 2) == pytest.approx(0.08)
    assert r.max_image_cost("dead", 3) == pytest.approx(1.5)  # backup-1 at 0.5 each
    assert [d.id for d in r.image_deployments("video-only")] == []


async def test_an_alias_that_makes_no_images_is_refused_before_any_call() -> None:
    attempts: list[AttemptRecord] = []
    with pytest.raises(ValidationError, match="does not generate images") as caught:
        await router().generate_image("video-only", REQUEST, attempts=attempts)
    assert caught.value.param == "model"
    assert attempts == []


async def test_moderation_is_final_unless_the_alias_opted_in() -> None:
    r = router()
    with pytest.raises(ContentModerationError):
        await r.generate_image("strict", REQUEST)
    opted = parse_config(
        CONFIG.replace("  fallbacks:", "  moderation_fallbacks: [strict]\n  fallbacks:")
    )
    served = await Router(opted).generate_image("strict", REQUEST)
    assert served.deployment.id == "backup-1"


async def test_an_open_breaker_refuses_with_when_to_retry() -> None:
    r = router()
    attempts: list[AttemptRecord] = []
    with pytest.raises(HTTPError):
        await r.generate_image("solo", REQUEST, attempts=attempts)
    # One failure opened the breaker (min_requests 1): the retry found it cooling.
    assert trail(attempts) == [("solo-1", "failed")]
    with pytest.raises(NoDeploymentAvailableError) as caught:
        await r.generate_image("solo", REQUEST, attempts=attempts)
    assert 0 < caught.value.retry_after <= 60
    assert len(attempts) == 1  # nothing was sent
