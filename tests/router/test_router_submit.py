"""Router.submit: capability filtering, tiers, limits, retries and alias fallbacks."""

from __future__ import annotations

import random
import textwrap
import time
from pathlib import Path

import pytest

from tarash_gateway.adapters import (
    ContentModerationError,
    HTTPError,
    ValidationError,
    VideoGenerationRequest,
)
from tarash_gateway.router import Router, parse_config
from tarash_gateway.router.errors import NoDeploymentAvailableError

REQUEST = VideoGenerationRequest(prompt="p", duration_seconds=4)

CONFIG = """
model_list:
  - model_name: main
    params:
      provider: mock
      model: flaky
      id: main-flaky
      order: 1
      mock: {responses: [{error: {code: upstream_http_error, status_code: 503, at: submit}}]}
  - model_name: main
    params: {provider: mock, model: ok, id: main-ok, order: 2, mock: {job_seconds: 0}}
  - model_name: down
    params:
      provider: mock
      model: dead
      id: down-1
      mock: {responses: [{error: {code: upstream_http_error, status_code: 500, at: submit}}]}
  - model_name: backup
    params: {provider: mock, model: b, id: backup-1, mock: {job_seconds: 0}}
  - model_name: strict
    params:
      provider: mock
      model: s
      id: strict-1
      mock: {responses: [{error: {code: moderation_blocked, at: submit}}]}
  - model_name: limited
    params: {provider: mock, model: l, id: limited-1, rpm: 1}
router_settings:
  num_retries: 2
  retry_backoff_seconds: 0
  fallbacks: [{down: [backup]}, {strict: [backup]}]
  cooldown: {failure_ratio: 0.5, min_requests: 1, seconds: 60}
general_settings: {master_key: k}
"""


def router(text: str = CONFIG) -> Router:
    return Router(parse_config(text), rng=random.Random(1))


async def test_retryable_failure_moves_to_the_next_tier() -> None:
    submission = await router().submit("main", REQUEST)
    assert submission.deployment.id == "main-ok"
    assert [(a.deployment_id, a.status) for a in submission.attempts] == [
        ("main-flaky", "failed"),
        ("main-ok", "success"),
    ]
    assert submission.attempts[0].error_type == "HTTPError"


async def test_fallback_alias_after_the_alias_is_exhausted() -> None:
    submission = await router().submit("down", REQUEST)
    assert submission.deployment.id == "backup-1"
    assert [a.deployment_id for a in submission.attempts] == ["down-1", "backup-1"]


async def test_non_retryable_error_returns_at_once() -> None:
    with pytest.raises(ContentModerationError):
        await router().submit("strict", REQUEST)


async def test_alias_may_opt_in_to_moderation_fallback() -> None:
    text = CONFIG.replace("fallbacks: [", "moderation_fallbacks: [strict]\n  fallbacks: [")
    submission = await router(text).submit("strict", REQUEST)
    assert submission.deployment.id == "backup-1"


async def test_breaker_skips_a_cooling_deployment_then_503() -> None:
    r = router()
    await r.submit("down", REQUEST)  # down-1 fails and opens its breaker (min_requests 1)
    submission = await r.submit("down", REQUEST)
    assert [a.deployment_id for a in submission.attempts] == ["backup-1"]  # not retried
    lonely = router(
        textwrap.dedent("""
        model_list:
          - model_name: solo
            params:
              provider: mock
              model: dead
              mock:
                responses: [{error: {code: upstream_http_error, status_code: 500, at: submit}}]
        router_settings: {retry_backoff_seconds: 0, cooldown: {min_requests: 1, seconds: 60}}
        general_settings: {master_key: k}
    """)
    )
    with pytest.raises(HTTPError) as first:
        await lonely.submit("solo", REQUEST)
    assert first.value.status_code == 500
    with pytest.raises(NoDeploymentAvailableError) as caught:
        await lonely.submit("solo", REQUEST)
    assert caught.value.limited is False
    assert 50 < caught.value.retry_after <= 60


async def test_rpm_limit_of_a_deployment_gives_a_429_kind_of_refusal() -> None:
    r = router()
    await r.submit("limited", REQUEST)
    with pytest.raises(NoDeploymentAvailableError) as caught:
        await r.submit("limited", REQUEST)
    assert caught.value.limited is True
    assert caught.value.retry_after > 0


def test_capability_filter_names_why() -> None:
    r = router()
    r.servable("main", REQUEST)  # mock: no table, so nothing is ruled out
    from tarash_gateway.adapters.field_mappers import Capabilities, ModelMapping
    from tests.tables import registered_tables

    picky_table = ModelMapping(fields=(), capabilities=Capabilities(durations=(5, 10)))
    picky = router(
        textwrap.dedent("""
        model_list:
          - model_name: p
            params: {provider: mock, model: picky-1}
        general_settings: {master_key: k}
    """)
    )
    with (
        registered_tables("mock", {"picky": picky_table}),
        pytest.raises(ValidationError) as caught,
    ):
        picky.plan("p", REQUEST)
    assert caught.value.param == "seconds"
    assert "5, 10" in caught.value.message


def test_extras_that_override_a_deployments_fields_rule_it_out_before_any_call() -> None:
    r = router(
        textwrap.dedent("""
        model_list:
          - model_name: v
            params: {provider: fal, model: someone/new-model, id: via-fal, api_key: k}
          - model_name: v
            params: {provider: google, model: veo-3.1-generate-preview, id: via-google,
                     api_key: k}
          - model_name: only-fal
            params: {provider: fal, model: someone/new-model, id: only-fal, api_key: k}
        general_settings: {master_key: k}
    """)
    )
    sneaky = VideoGenerationRequest(prompt="p", duration_seconds=4, extra_params={"duration": 60})
    # fal maps seconds to "duration", Google does not: only Google may serve this.
    assert [d.id for d in r.plan("v", sneaky)] == ["via-google"]
    with pytest.raises(ValidationError) as caught:
        r.plan("only-fal", sneaky)
    assert caught.value.param == "duration"
    assert "use 'seconds'" in caught.value.message


async def test_from_yaml_runs_routing_in_process(tmp_path: Path) -> None:
    path = tmp_path / "gateway.yaml"
    path.write_text(
        textwrap.dedent("""
        model_list:
          - model_name: cinematic
            params:
              provider: mock
              model: breaks-later
              id: first
              order: 1
              poll_interval: 0.01
              mock: {job_seconds: 0.02, responses: [{error: {code: generation_failed}}]}
          - model_name: cinematic
            params: {provider: mock, model: fine, id: second, order: 2, poll_interval: 0.01,
                     mock: {job_seconds: 0.02}}
        general_settings: {master_key: k}
    """)
    )
    result = await Router.from_yaml(path).generate_video("cinematic", REQUEST)
    metadata = result.execution_metadata
    assert metadata is not None
    assert [(a.deployment_id, a.status) for a in metadata.attempts] == [
        ("first", "failed"),
        ("second", "success"),
    ]
    assert metadata.attempts[0].error_type == "GenerationFailedError"
    assert metadata.successful_attempt == 2
    assert metadata.fallback_triggered is True


async def test_adapter_refusal_moves_on_without_counting_as_a_failure() -> None:
    text = textwrap.dedent("""
        model_list:
          - model_name: picky
            params:
              provider: mock
              model: refuses
              id: refuses
              order: 1
              mock: {responses: [{error: {code: invalid_request, at: submit}}]}
          - model_name: picky
            params: {provider: mock, model: ok, id: accepts, order: 2}
        router_settings: {num_retries: 0, retry_backoff_seconds: 0}
        general_settings: {master_key: k}
    """)
    r = router(text)
    submission = await r.submit("picky", REQUEST)  # num_retries 0, yet the second is tried
    assert submission.deployment.id == "accepts"
    assert r.health.of("refuses").failures == 0
    only_refusing = text.replace("order: 2}", "order: 2, weight: 0}")
    with pytest.raises(ValidationError):
        await router(only_refusing).submit("picky", REQUEST)


async def test_an_accepted_submit_closes_a_half_open_breaker() -> None:
    r = router()
    r.health.record_failure("main-ok", HTTPError("down", status_code=500), now=0)
    r.health.of("main-ok").cooldown_until = 0.001  # cooled down: the next request is a trial
    submission = await r.submit("main", REQUEST)
    assert submission.deployment.id == "main-ok"
    assert r.health.of("main-ok").state(time.monotonic()) == "closed"
    assert r.health.available("main-ok")
