"""Routing seen from a client: resubmission under the same id, attempts on the Video,
response headers, and config reloads (admin endpoint and file watching) mid-flight."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import openai
import pytest

from tests.conftest import write_config
from tests.servers import GatewayProcess

KEY = "sk-routing"

BASE = f"""
model_list:
  - model_name: cinematic
    params:
      provider: mock
      model: breaks-mid-job
      id: tier1-broken
      order: 1
      poll_interval: 0.05
      mock: {{job_seconds: 0.2, responses: [{{error: {{code: generation_failed}}}}]}}
  - model_name: cinematic
    params: {{provider: mock, model: steady, id: tier2-ok, order: 2, poll_interval: 0.05,
              mock: {{job_seconds: 0.2}}}}
  - model_name: long
    params: {{provider: mock, model: long, id: long-1, poll_interval: 0.1,
              mock: {{job_seconds: 2}}}}
  - model_name: limited
    params: {{provider: mock, model: l, id: limited-1, rpm: 1}}
  - model_name: dead
    params:
      provider: mock
      model: d
      id: dead-1
      mock: {{responses: [{{error: {{code: upstream_http_error, status_code: 500, at: submit}}}}]}}
router_settings:
  num_retries: 1
  retry_backoff_seconds: 0
  cooldown: {{min_requests: 2, failure_ratio: 0.5, seconds: 60}}
general_settings:
  master_key: {KEY}
  database_url: sqlite:///{{db}}
"""


@pytest.fixture
def gateway(tmp_path: Path) -> Iterator[GatewayProcess]:
    config = write_config(tmp_path, BASE.replace("{db}", str(tmp_path / "jobs.db")))
    server = GatewayProcess(config, tmp_path / "gateway.log").start()
    yield server
    server.stop()


def sdk(server: GatewayProcess) -> openai.OpenAI:
    return openai.OpenAI(base_url=f"{server.base_url}/v1", api_key=KEY, max_retries=0)


def admin(server: GatewayProcess) -> httpx.Client:
    return httpx.Client(base_url=server.base_url, headers={"Authorization": f"Bearer {KEY}"})


def test_failed_job_is_resubmitted_under_the_same_id(gateway: GatewayProcess) -> None:
    client = sdk(gateway)
    created = client.videos.with_raw_response.create(model="cinematic", prompt="p")
    assert created.headers["x-tarash-alias"] == "cinematic"
    assert created.headers["x-tarash-deployment"] == "tier1-broken"
    video_id = created.parse().id
    done = client.videos.poll(video_id, poll_interval_ms=50)
    assert done.status == "completed"
    assert done.id == video_id
    extra = done.model_extra or {}
    attempts = extra["tarash"]["attempts"]
    assert [(a["deployment_id"], a["status"]) for a in attempts] == [
        ("tier1-broken", "failed"),
        ("tier2-ok", "success"),
    ]
    assert attempts[0]["error_type"] == "GenerationFailedError"  # accepted, then failed
    assert extra["tarash"]["deployment_id"] == "tier2-ok"
    assert "x-tarash-deployment" in client.videos.with_raw_response.retrieve(video_id).headers


def test_reload_keeps_in_flight_jobs_on_their_deployment(
    gateway: GatewayProcess, tmp_path: Path
) -> None:
    client = sdk(gateway)
    running = client.videos.create(model="long", prompt="survives a reload")
    config_path = gateway.config_path
    text = config_path.read_text()
    # The new config drops the `long` alias entirely and adds `fresh`.
    cut = text.index("  - model_name: long")
    end = text.index("  - model_name: limited")
    new_text = (
        text[:cut] + "  - model_name: fresh\n    params: {provider: mock, model: f}\n" + text[end:]
    )
    config_path.write_text(new_text)
    response = admin(gateway).post("/admin/config/reload")
    assert response.status_code == 200, response.text
    assert response.json()["aliases"] == ["cinematic", "dead", "fresh", "limited"]
    assert [m.id for m in client.models.list()] == ["cinematic", "dead", "fresh", "limited"]
    done = client.videos.poll(running.id, poll_interval_ms=100)
    assert done.status == "completed"  # finished on the deployment it started on
    with pytest.raises(openai.NotFoundError):
        client.videos.create(model="long", prompt="gone now")


def test_invalid_reload_is_refused_and_the_old_config_stays(gateway: GatewayProcess) -> None:
    config_path = gateway.config_path
    good = config_path.read_text()
    config_path.write_text(
        good.replace("provider: mock, model: long", "provider: nope, model: long")
    )
    response = admin(gateway).post("/admin/config/reload")
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid_config"
    assert "unknown provider 'nope'" in error["message"]
    assert "keeps running the previous one" in error["message"]
    assert sorted(m.id for m in sdk(gateway).models.list()) == [
        "cinematic",
        "dead",
        "limited",
        "long",
    ]
    assert "config change refused" in wait_for_log(gateway, "config change refused")


def test_file_watching_applies_a_valid_change(gateway: GatewayProcess) -> None:
    config_path = gateway.config_path
    config_path.write_text(
        config_path.read_text().replace("model_name: long", "model_name: lengthy")
    )
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        if "lengthy" in [m.id for m in sdk(gateway).models.list()]:
            break
        time.sleep(0.1)
    assert sorted(m.id for m in sdk(gateway).models.list()) == [
        "cinematic",
        "dead",
        "lengthy",
        "limited",
    ]


def wait_for_log(server: GatewayProcess, text: str, seconds: float = 10) -> str:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        log = server.log()
        if text in log:
            return log
        time.sleep(0.1)
    return server.log()


def test_deployment_rpm_limit_is_a_429_with_retry_after(gateway: GatewayProcess) -> None:
    client = sdk(gateway)
    client.videos.create(model="limited", prompt="one")
    with pytest.raises(openai.RateLimitError) as caught:
        client.videos.create(model="limited", prompt="two")
    assert caught.value.code == "rate_limit_exceeded"
    assert 1 <= int(caught.value.response.headers["retry-after"]) <= 60


def test_open_breaker_gives_503_and_health_shows_it(gateway: GatewayProcess) -> None:
    client = sdk(gateway)
    with pytest.raises(openai.InternalServerError) as first:
        client.videos.create(model="dead", prompt="x")  # two attempts fail: breaker opens
    assert first.value.status_code == 502
    with pytest.raises(openai.InternalServerError) as cooling:
        client.videos.create(model="dead", prompt="x")
    assert cooling.value.status_code == 503
    assert 50 <= int(cooling.value.response.headers["retry-after"]) <= 60
    health = {row["id"]: row for row in admin(gateway).get("/admin/deployments").json()["data"]}
    assert health["dead-1"]["state"] == "open"
    assert health["dead-1"]["cooldown_until"] > time.time() + 50
    assert health["dead-1"]["failures"] == 2
    assert "500" in health["dead-1"]["last_error"] or "injected" in health["dead-1"]["last_error"]
    assert health["limited-1"]["state"] == "closed"
