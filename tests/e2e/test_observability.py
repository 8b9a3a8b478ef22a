"""Metrics, logs, health and webhooks after a scripted run through emulators."""

from __future__ import annotations

import json
import shutil
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import openai
import pytest
from prometheus_client.parser import text_string_to_metric_families

from tests.conftest import write_config
from tests.emulators.base import Fault
from tests.emulators.runway import RunwayEmulator
from tests.servers import GatewayProcess
from tests.webhook_receiver import WebhookReceiver

MASTER = "sk-observability-master-key"
PROVIDER_KEY = "runway-secret-key-123"
PRIVATE_PROMPT = "a confidential storyboard 4711"


@dataclass
class Run:
    server: GatewayProcess
    runway: RunwayEmulator
    receiver: WebhookReceiver
    team: dict[str, Any]
    key: dict[str, Any]
    before: dict[tuple[str, tuple[tuple[str, str], ...]], float]
    videos: dict[str, openai.types.Video]
    request_ids: dict[str, str]

    def scrape(self) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
        return scrape(self.server)


def scrape(server: GatewayProcess) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    text = httpx.get(f"{server.base_url}/metrics").text
    samples = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            samples[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return samples


def value(samples: dict[Any, float], name: str, **labels: str) -> float:
    """Sum of the samples of ``name`` whose labels include ``labels``."""
    return sum(
        v
        for (n, ls), v in samples.items()
        if n == name and all(dict(ls).get(k) == want for k, want in labels.items())
    )


def config_text(directory: Path, runway: RunwayEmulator) -> str:
    return f"""
        model_list:
          - model_name: fast
            params: {{provider: mock, model: f, id: fast-1, cost_per_second: 0.1,
                      poll_interval: 0.05, mock: {{job_seconds: 0.3}}}}
          - model_name: broken
            params:
              provider: mock
              model: b
              id: broken-1
              poll_interval: 0.05
              mock: {{job_seconds: 0.2, responses: [{{error: {{code: generation_failed}}}}]}}
          - model_name: rw
            params: {{provider: runway, model: gen4.5, id: runway-1, api_key: {PROVIDER_KEY},
                      base_url: "{runway.base_url}", poll_interval: 0.05,
                      cost_per_second: 0.05}}
        general_settings:
          master_key: {MASTER}
          database_url: sqlite:///{directory / "jobs.db"}
          webhook_retry_base_seconds: 0.2
    """


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Run]:
    directory = tmp_path_factory.mktemp("observability")
    with (
        RunwayEmulator(job_seconds=0.3, api_key=PROVIDER_KEY) as runway,
        WebhookReceiver(fail_first=2) as receiver,
    ):
        config = write_config(directory, config_text(directory, runway))
        server = GatewayProcess(config, directory / "gateway.log", log_level="info").start()
        try:
            admin = httpx.Client(
                base_url=server.base_url, headers={"Authorization": f"Bearer {MASTER}"}
            )
            team = admin.post(
                "/admin/teams", json={"name": "studio", "webhook_url": receiver.url}
            ).json()
            key = admin.post("/admin/keys", json={"team_id": team["id"]}).json()
            before = scrape(server)
            client = openai.OpenAI(
                base_url=f"{server.base_url}/v1", api_key=key["key"], max_retries=0
            )
            videos: dict[str, openai.types.Video] = {}
            request_ids: dict[str, str] = {}
            raw = client.videos.with_raw_response.create(
                model="fast",
                prompt=PRIVATE_PROMPT,
                seconds="4",
                extra_headers={"X-Request-Id": "req-from-client-1"},
            )
            request_ids["sent"] = raw.headers["x-request-id"]
            videos["fast"] = client.videos.poll(raw.parse().id, poll_interval_ms=50)
            videos["broken"] = client.videos.create_and_poll(
                model="broken", prompt="x", poll_interval_ms=50
            )
            runway.fail_next("status", Fault(status=503, body={"error": "busy"}))
            generated = client.videos.with_raw_response.create(
                model="rw", prompt="runway", seconds="4"
            )
            request_ids["generated"] = generated.headers["x-request-id"]
            videos["rw"] = client.videos.poll(generated.parse().id, poll_interval_ms=50)
            httpx.get(f"{server.base_url}/v1/nowhere")
            yield Run(server, runway, receiver, team, key, before, videos, request_ids)
        finally:
            server.stop()


def test_metrics_move_after_a_scripted_run(run: Run) -> None:
    after, before = run.scrape(), run.before

    def moved(name: str, **labels: str) -> float:
        return value(after, name, **labels) - value(before, name, **labels)

    assert moved("tarash_http_requests_total", method="POST", route="/v1/videos", status="200") == 3
    assert moved("tarash_http_requests_total", route="unmatched", status="404") == 1
    assert (
        moved(
            "tarash_videos_total",
            alias="fast",
            deployment="fast-1",
            provider="mock",
            status="completed",
        )
        == 1
    )
    assert moved("tarash_videos_total", alias="broken", status="failed") == 1
    assert moved("tarash_videos_total", alias="rw", provider="runway", status="completed") == 1
    assert moved("tarash_create_overhead_seconds_count") == 3
    assert moved("tarash_create_overhead_seconds_sum") < 1.0
    assert moved("tarash_video_completion_seconds_count") == 3
    assert moved("tarash_poll_errors_total", deployment="runway-1", provider="runway") == 1
    assert value(after, "tarash_jobs_in_flight", deployment="runway-1") == 0
    assert value(after, "tarash_deployment_breaker_state", deployment="fast-1") == 0
    team = run.team["id"]
    assert moved("tarash_spend_usd_total", team=team, alias="fast") == pytest.approx(0.4)
    assert moved("tarash_spend_usd_total", team=team, alias="rw") == pytest.approx(0.2)


def log_lines(run: Run) -> list[dict[str, Any]]:
    lines = []
    for line in run.server.log().splitlines():
        if line.startswith("{"):
            lines.append(json.loads(line))
    return lines


def test_logs_are_json_with_request_context(run: Run) -> None:
    lines = log_lines(run)
    assert lines
    assert run.request_ids["sent"] == "req-from-client-1"
    assert run.request_ids["generated"].startswith("req_")
    created = [line for line in lines if line["message"] == "video created"]
    assert len(created) == 3
    first = next(line for line in created if line["request_id"] == "req-from-client-1")
    assert first["alias"] == "fast"
    assert first["deployment"] == "fast-1"
    assert first["upstream_id"].startswith("mock_")
    assert first["team"] == run.team["id"]
    assert first["key_prefix"] == run.key["key_prefix"].rstrip("…")
    assert "prompt" not in first
    access = [line for line in lines if line["logger"] == "tarash.access"]
    assert {line["request_id"] for line in access} >= {
        "req-from-client-1",
        run.request_ids["generated"],
    }
    assert all("duration_ms" in line and "route" in line for line in access)


def test_logs_contain_no_secret_and_no_prompt(run: Run) -> None:
    text = run.server.log()
    for secret in (MASTER, PROVIDER_KEY, run.key["key"], run.team["webhook_secret"]):
        assert secret not in text
    assert PRIVATE_PROMPT not in text


def test_webhooks_are_signed_retried_and_delivered_once(run: Run) -> None:
    successes = run.receiver.wait_for_successes(3)
    verifier = openai.OpenAI(api_key="unused")
    events = [
        verifier.webhooks.unwrap(r.body, r.headers, secret=run.team["webhook_secret"])
        for r in successes
    ]
    by_video = {event.data.id: event.type for event in events}
    assert by_video == {
        run.videos["fast"].id: "video.completed",
        run.videos["broken"].id: "video.failed",
        run.videos["rw"].id: "video.completed",
    }
    assert len(successes) == 3  # exactly one success per video
    assert len(run.receiver.received) == 9  # two 500s before each success
    with pytest.raises(openai.InvalidWebhookSignatureError):
        verifier.webhooks.unwrap(
            successes[0].body, successes[0].headers, secret="whsec_" + "A" * 44
        )
    log = httpx.get(
        f"{run.server.base_url}/admin/webhooks/deliveries",
        params={"team_id": run.team["id"]},
        headers={"Authorization": f"Bearer {MASTER}"},
    ).json()["data"]
    assert {row["video_id"] for row in log} == set(by_video)
    assert all(row["status"] == "delivered" and row["attempts"] == 3 for row in log)
    assert all(row["last_status_code"] == 200 for row in log)


def test_health_endpoints_never_call_providers(run: Run) -> None:
    calls_before = len(run.runway.calls)
    live = httpx.get(f"{run.server.base_url}/health/liveness")
    ready = httpx.get(f"{run.server.base_url}/health/readiness")
    deployments = httpx.get(
        f"{run.server.base_url}/admin/deployments", headers={"Authorization": f"Bearer {MASTER}"}
    )
    assert live.json() == {"status": "ok"}
    assert ready.status_code == 200
    assert ready.json()["checks"]["database"] == "ok"
    assert {row["id"] for row in deployments.json()["data"]} == {"fast-1", "broken-1", "runway-1"}
    assert len(run.runway.calls) == calls_before


def test_pending_webhooks_survive_a_restart(tmp_path: Path) -> None:
    with RunwayEmulator(api_key=PROVIDER_KEY) as runway, WebhookReceiver() as receiver:
        config = write_config(tmp_path, config_text(tmp_path, runway))
        server = GatewayProcess(config, tmp_path / "gateway.log").start()
        admin = httpx.Client(
            base_url=server.base_url, headers={"Authorization": f"Bearer {MASTER}"}
        )
        # The receiver answers 500 to everything while the gateway is first up.
        receiver.fail_first = 1000
        team = admin.post("/admin/teams", json={"name": "t", "webhook_url": receiver.url}).json()
        key = admin.post("/admin/keys", json={"team_id": team["id"]}).json()
        client = openai.OpenAI(base_url=f"{server.base_url}/v1", api_key=key["key"], max_retries=0)
        video = client.videos.create_and_poll(model="fast", prompt="p", poll_interval_ms=50)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and not receiver.received:
            time.sleep(0.05)
        server.stop()
        assert receiver.received
        assert not receiver.successes()
        receiver.fail_first = 0
        server = GatewayProcess(config, tmp_path / "gateway.log", port=server.port).start()
        try:
            [success] = receiver.wait_for_successes(1)
            event = openai.OpenAI(api_key="unused").webhooks.unwrap(
                success.body, success.headers, secret=team["webhook_secret"]
            )
            assert event.data.id == video.id
        finally:
            server.stop()


def test_metrics_aggregate_across_worker_processes(tmp_path: Path) -> None:
    shared = tmp_path / "prometheus"
    shared.mkdir()
    env = {"PROMETHEUS_MULTIPROC_DIR": str(shared)}
    servers = []
    for name in ("a", "b"):
        directory = tmp_path / name
        directory.mkdir()
        config = write_config(
            directory,
            f"""
            model_list: [{{model_name: m, params: {{provider: mock, model: m}}}}]
            general_settings: {{master_key: {MASTER},
                                database_url: "sqlite:///{directory / "jobs.db"}"}}
        """,
        )
        servers.append(GatewayProcess(config, directory / "gateway.log", env=env).start())
    try:
        for server in servers:
            for _ in range(2):
                httpx.get(
                    f"{server.base_url}/v1/models", headers={"Authorization": f"Bearer {MASTER}"}
                )
        for server in servers:  # either process reports both processes' requests
            assert (
                value(
                    scrape(server), "tarash_http_requests_total", route="/v1/models", status="200"
                )
                == 4
            )
    finally:
        for server in servers:
            server.stop()
        shutil.rmtree(shared, ignore_errors=True)
