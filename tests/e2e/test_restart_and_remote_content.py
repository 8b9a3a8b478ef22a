"""Tests that need their own gateway process: restarts, and results hosted elsewhere."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import openai
import pytest

from tarash_gateway.adapters.media import SAMPLE_VIDEO
from tests.conftest import write_config
from tests.db_backends import database_url_of, query
from tests.media_server import MediaServer
from tests.servers import GatewayProcess

KEY = "sk-own-process"


def gateway_config(
    directory: Path, video_url: str | None = None, job_seconds: float = 3, redirect: bool = False
) -> Path:
    response = f"responses: [{{video_url: '{video_url}'}}]" if video_url else "responses: []"
    # The "CDN" of these tests is a loopback server, which the outbound policy refuses
    # unless the operator allows it (a mock deployment has no base_url host to trust).
    allow = "outbound_allow_networks: [127.0.0.1/32]" if video_url else ""
    return write_config(
        directory,
        f"""
        model_list:
          - model_name: slow
            params:
              provider: mock
              model: mock-slow
              id: slow-1
              poll_interval: 0.2
              content_redirect: {str(redirect).lower()}
              mock: {{job_seconds: {job_seconds}, {response}}}
        general_settings:
          master_key: {KEY}
          database_url: sqlite:///{directory / "jobs.db"}
          {allow}
    """,
    )


def sdk(server: GatewayProcess) -> openai.OpenAI:
    return openai.OpenAI(base_url=f"{server.base_url}/v1", api_key=KEY, max_retries=0)


def test_restart_mid_job_still_completes(tmp_path: Path) -> None:
    config = gateway_config(tmp_path, job_seconds=2.5)
    server = GatewayProcess(config, tmp_path / "gateway.log").start()
    try:
        video = sdk(server).videos.create(model="slow", prompt="survive a crash")
        assert video.status == "queued"
        server.kill()  # SIGKILL: no graceful shutdown, no chance to save anything more
        [row] = query(
            database_url_of(config),
            "select status, upstream_id from videos where id = :id",
            {"id": video.id},
        )
        assert row[0] in ("queued", "in_progress")
        assert row[1] is not None
        server = GatewayProcess(config, tmp_path / "gateway.log", port=server.port).start()
        done = sdk(server).videos.poll(video.id, poll_interval_ms=100)
        assert done.status == "completed"
        assert sdk(server).videos.download_content(video.id).read() == SAMPLE_VIDEO.read_bytes()
    finally:
        server.stop()


def test_graceful_stop_releases_the_leases_of_running_jobs(tmp_path: Path) -> None:
    config = gateway_config(tmp_path, job_seconds=30)
    server = GatewayProcess(config, tmp_path / "gateway.log").start()
    video = sdk(server).videos.create(model="slow", prompt="still running")
    url = database_url_of(config)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:  # the poller has taken the job
        [(owner,)] = query(url, "select lease_owner from videos where id = :id", {"id": video.id})
        if owner is not None:
            break
        time.sleep(0.1)
    assert owner is not None
    server.stop()  # SIGTERM: drain, then hand the leases back
    [(owner, status)] = query(
        url, "select lease_owner, status from videos where id = :id", {"id": video.id}
    )
    assert owner is None
    assert status in ("queued", "in_progress")


def test_graceful_stop_and_restart_keeps_history(tmp_path: Path) -> None:
    config = gateway_config(tmp_path, job_seconds=0.2)
    server = GatewayProcess(config, tmp_path / "gateway.log").start()
    try:
        first = sdk(server).videos.create_and_poll(model="slow", prompt="one", poll_interval_ms=50)
        server.stop()
        server = GatewayProcess(config, tmp_path / "gateway.log", port=server.port).start()
        again = sdk(server).videos.retrieve(first.id)
        assert again.status == "completed"
        assert again.completed_at == first.completed_at
    finally:
        server.stop()


@pytest.fixture
def media(tmp_path: Path) -> Iterator[tuple[MediaServer, bytes]]:
    payload = os.urandom(3 * 1024 * 1024 + 17)
    (tmp_path / "big.mp4").write_bytes(payload)
    with MediaServer(tmp_path) as server:
        yield server, payload


def test_result_at_a_remote_url_is_streamed_through(
    tmp_path: Path, media: tuple[MediaServer, bytes]
) -> None:
    media_server, payload = media
    config = gateway_config(tmp_path, video_url=media_server.url("big.mp4"), job_seconds=0.1)
    server = GatewayProcess(config, tmp_path / "gateway.log").start()
    try:
        client = sdk(server)
        video = client.videos.create_and_poll(model="slow", prompt="remote", poll_interval_ms=50)
        assert client.videos.download_content(video.id).read() == payload
        ranged = httpx.get(
            f"{server.base_url}/v1/videos/{video.id}/content",
            headers={"Authorization": f"Bearer {KEY}", "Range": "bytes=1000000-1000099"},
        )
        assert ranged.status_code == 206
        assert ranged.content == payload[1_000_000:1_000_100]
        assert media_server.requests[-1]["range"] == "bytes=1000000-1000099"
        # A custom URL has no shipped thumbnail.
        with pytest.raises(openai.NotFoundError):
            client.videos.download_content(video.id, variant="thumbnail")
    finally:
        server.stop()


def test_remote_result_that_vanished_is_a_502(
    tmp_path: Path, media: tuple[MediaServer, bytes]
) -> None:
    media_server, _ = media
    config = gateway_config(tmp_path, video_url=media_server.url("missing.mp4"), job_seconds=0.1)
    server = GatewayProcess(config, tmp_path / "gateway.log").start()
    try:
        client = sdk(server)
        video = client.videos.create_and_poll(model="slow", prompt="gone", poll_interval_ms=50)
        with pytest.raises(openai.InternalServerError) as caught:
            client.videos.download_content(video.id)
        assert caught.value.status_code == 502
    finally:
        server.stop()


def test_deployment_can_answer_content_with_a_redirect(
    tmp_path: Path, media: tuple[MediaServer, bytes]
) -> None:
    media_server, payload = media
    url = media_server.url("big.mp4")
    config = gateway_config(tmp_path, video_url=url, job_seconds=0.1, redirect=True)
    server = GatewayProcess(config, tmp_path / "gateway.log").start()
    try:
        client = sdk(server)
        video = client.videos.create_and_poll(model="slow", prompt="redirect", poll_interval_ms=50)
        response = httpx.get(
            f"{server.base_url}/v1/videos/{video.id}/content",
            headers={"Authorization": f"Bearer {KEY}"},
        )
        assert response.status_code == 302
        assert response.headers["location"] == url
        assert client.videos.download_content(video.id).read() == payload  # SDK follows it
    finally:
        server.stop()
