"""Router.remix: a remix is sent like any job (issue 16, item 3): under its source
deployment's breaker and limits, retried there, every try in attempts and health, and
never moved to a deployment that does not know the source job."""

from __future__ import annotations

import random
from typing import Any

import pytest

from tarash_gateway.adapters import AttemptRecord, HTTPError, VideoGenerationRequest
from tarash_gateway.adapters.mock import MockProvider
from tarash_gateway.router import Router, parse_config
from tarash_gateway.router.errors import NoDeploymentAvailableError

REQUEST = VideoGenerationRequest(prompt="the same, at night")

CONFIG = """
model_list:
  - model_name: clip
    params: {provider: mock, model: a, id: clip-a, max_parallel_jobs: 2}
  - model_name: clip
    params: {provider: mock, model: b, id: clip-b}
router_settings:
  num_retries: 2
  retry_backoff_seconds: 0
  cooldown: {failure_ratio: 0.9, min_requests: 3, seconds: 60}
general_settings: {master_key: k}
"""


def router() -> Router:
    return Router(parse_config(CONFIG), rng=random.Random(5))


async def source_job(r: Router) -> str:
    submission = await r.submit("clip", REQUEST)
    return submission.job.request_id


def failing(monkeypatch: pytest.MonkeyPatch, times: int) -> list[str]:
    """Make the mock's remix answer 503 ``times`` times, then work; returns the calls."""
    calls: list[str] = []
    original = MockProvider.remix_video

    async def remix_video(self: MockProvider, config: Any, source: str, request: Any) -> Any:
        calls.append(config.model)
        if len(calls) <= times:
            raise HTTPError("upstream 503", status_code=503, provider="mock", model=config.model)
        return await original(self, config, source, request)

    monkeypatch.setattr(MockProvider, "remix_video", remix_video)
    return calls


async def test_a_remix_is_retried_on_its_source_and_recorded(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    r = router()
    source = r.deployment("clip-a")
    upstream_id = await source_job(r)
    calls = failing(monkeypatch, times=1)
    attempts: list[AttemptRecord] = []
    submission = await r.remix(source, upstream_id, REQUEST, attempts=attempts)
    assert submission.deployment is source
    assert calls == ["a", "a"]  # never clip-b, which does not know the job
    assert [(a.deployment_id, a.status) for a in attempts] == [
        ("clip-a", "failed"),
        ("clip-a", "success"),
    ]
    assert attempts[0].error_type == "HTTPError"
    # The remix is a job in flight on clip-a, as a create is.
    assert r.health.of("clip-a").in_flight >= 1


async def test_a_remix_storm_opens_the_breaker(monkeypatch: pytest.MonkeyPatch) -> None:
    r = router()
    source = r.deployment("clip-a")
    calls = failing(monkeypatch, times=100)
    attempts: list[AttemptRecord] = []
    with pytest.raises(HTTPError):
        await r.remix(source, "mock_x", REQUEST, attempts=attempts)
    assert len(attempts) == 3  # one plus num_retries
    assert not r.health.available("clip-a")
    with pytest.raises(NoDeploymentAvailableError) as caught:
        await r.remix(source, "mock_x", REQUEST)
    assert len(calls) == 3  # the open breaker sent nothing
    assert not caught.value.limited


async def test_a_remix_honours_the_parallel_job_limit() -> None:
    r = router()
    source = r.deployment("clip-a")
    r.health.of("clip-a").in_flight = 2  # max_parallel_jobs
    with pytest.raises(NoDeploymentAvailableError) as caught:
        await r.remix(source, "mock_x", REQUEST)
    assert caught.value.limited
