"""What an unlucky operator or a curious scraper meets: a SQLite file deleted under a
running gateway, an open ``/metrics`` showing per-team spend, and webhook URLs whose
tokens the HTTP client would log in full."""

from __future__ import annotations

import logging
import os
import shutil
from pathlib import Path

import httpx
import openai
import pytest

from tarash_gateway.proxy.logs import RedactFilter
from tests.conftest import write_config
from tests.security.inprocess import MASTER, assert_openai_error, running_app
from tests.servers import GatewayProcess
from tests.webhook_receiver import WebhookReceiver

METRICS_TOKEN = "metrics-token-5e1f0a"


def _sqlite_only(directory: Path) -> None:
    if os.environ.get("TARASH_TEST_DATABASE", "sqlite") != "sqlite":
        pytest.skip("the file check is about a SQLite database file")
    assert directory.is_dir()


async def test_a_deleted_database_file_makes_readiness_fail_and_logs_once(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    _sqlite_only(tmp_path)
    async with running_app(tmp_path) as app:
        assert (await app.client.get("/health/readiness")).status_code == 200
        (tmp_path / "jobs.db").unlink()
        with caplog.at_level(logging.ERROR, logger="tarash.database"):
            first = await app.client.get("/health/readiness")
            second = await app.client.get("/health/readiness")
        assert first.status_code == second.status_code == 503
        assert "was deleted" in first.json()["checks"]["database"]
        errors = [r for r in caplog.records if r.name == "tarash.database"]
        assert len(errors) == 1
        assert "lost at restart" in errors[0].getMessage()


async def test_a_database_file_replaced_by_another_is_noticed(tmp_path: Path) -> None:
    _sqlite_only(tmp_path)
    async with running_app(tmp_path) as app:
        shutil.copy(tmp_path / "jobs.db", tmp_path / "copy.db")
        os.replace(tmp_path / "copy.db", tmp_path / "jobs.db")
        response = await app.client.get("/health/readiness")
        assert response.status_code == 503
        assert "replaced" in response.json()["checks"]["database"]


async def test_metrics_are_open_without_a_token(tmp_path: Path) -> None:
    async with running_app(tmp_path) as app:
        response = await app.client.get("/metrics", headers={"Authorization": ""})
        assert response.status_code == 200
        assert "tarash_http_requests_total" in response.text


@pytest.mark.parametrize(
    ("authorization", "status"),
    [
        (None, 401),
        ("Bearer wrong-token-123", 401),
        ("Basic " + METRICS_TOKEN, 401),
        (f"Bearer {METRICS_TOKEN}", 200),
        (f"Bearer {MASTER}", 200),
    ],
)
async def test_metrics_need_the_token_once_one_is_set(
    tmp_path: Path, authorization: str | None, status: int
) -> None:
    async with running_app(tmp_path, f"metrics_token: {METRICS_TOKEN}") as app:
        headers = {"Authorization": authorization} if authorization else {}
        app.client.headers.pop("Authorization")
        response = await app.client.get("/metrics", headers=headers)
        if status == 200:
            assert response.status_code == 200
            assert "tarash_spend_usd_total" in response.text
        else:
            assert assert_openai_error(response, 401)["code"] in (
                "missing_api_key",
                "invalid_api_key",
            )
            assert METRICS_TOKEN not in response.text


async def test_a_team_key_is_not_a_metrics_token(tmp_path: Path) -> None:
    async with running_app(tmp_path, f"metrics_token: {METRICS_TOKEN}") as app:
        team_key = await app.team_key()
        response = await app.client.get("/metrics", headers={"Authorization": f"Bearer {team_key}"})
        assert_openai_error(response, 401)


def test_log_lines_lose_url_userinfo_and_query_values() -> None:
    record = logging.LogRecord(
        "httpx", logging.INFO, __file__, 1, "HTTP Request: POST %s", ("x",), None
    )
    record.args = ("https://user:pw-9f8e7d@hooks.example/in?token=hook-token-42&v=1",)
    RedactFilter().filter(record)
    message = record.getMessage()
    assert "pw-9f8e7d" not in message
    assert "hook-token-42" not in message
    assert "hooks.example/in" in message


def test_a_webhook_url_token_never_reaches_the_log(tmp_path: Path) -> None:
    config = write_config(
        tmp_path,
        f"""
        model_list:
          - model_name: quick
            params: {{provider: mock, model: m, id: quick-1, poll_interval: 0.05,
                      mock: {{job_seconds: 0.1}}}}
        general_settings:
          master_key: {MASTER}
          database_url: sqlite:///{tmp_path / "jobs.db"}
        """,
    )
    secret = "hook-secret-0c4d9b"
    with WebhookReceiver() as receiver:
        server = GatewayProcess(config, tmp_path / "gateway.log", log_level="info").start()
        try:
            admin = httpx.Client(
                base_url=server.base_url, headers={"Authorization": f"Bearer {MASTER}"}
            )
            team = admin.post(
                "/admin/teams",
                json={"name": "hooked", "webhook_url": f"{receiver.url}?token={secret}"},
            ).json()
            key = admin.post("/admin/keys", json={"team_id": team["id"]}).json()["key"]
            sdk = openai.OpenAI(base_url=f"{server.base_url}/v1", api_key=key, max_retries=0)
            sdk.videos.create_and_poll(model="quick", prompt="hook me", poll_interval_ms=50)
            assert len(receiver.wait_for_successes(1)) == 1
        finally:
            server.stop()
    log = server.log()
    assert "webhook video.completed delivered" in log  # the INFO lines were written
    assert secret not in log


async def test_a_signed_input_link_never_reaches_the_access_log(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """The path of ``/v1/inputs/{token}`` is the credential: logged by its template."""
    png = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
    async with running_app(tmp_path, "public_url: https://gateway.example") as app:
        assert app.gateway.inputs is not None
        url = await app.gateway.inputs.publish(png, "image/png")
        path = url.removeprefix("https://gateway.example")
        token = path.rsplit("/", 1)[-1]
        with caplog.at_level(logging.INFO, logger="tarash.access"):
            response = await app.client.get(path, headers={"Authorization": ""})
        assert response.status_code == 200
        assert response.content == png
    lines = [r.getMessage() for r in caplog.records if r.name == "tarash.access"]
    assert any("/v1/inputs/{token}" in line for line in lines), lines
    assert not any(token in line for line in lines)
