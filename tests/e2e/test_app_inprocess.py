"""In-process tests of the app where a test needs to reach inside: injected providers,
the stored request, orphaned jobs, unexpected exceptions."""

from __future__ import annotations

import asyncio
import base64
import json
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import httpx
import pytest

from tarash_gateway.adapters import (
    JobProgress,
    SubmittedJob,
    VideoGenerationConfig,
    VideoGenerationRequest,
    VideoGenerationResponse,
    VideoProvider,
    register_provider,
)
from tarash_gateway.adapters.media import SAMPLE_THUMBNAIL
from tarash_gateway.proxy.app import create_app
from tarash_gateway.proxy.gateway import Gateway
from tarash_gateway.proxy.store.jobs import VideoRecord
from tarash_gateway.router import parse_config
from tests.db_backends import adapt_config

KEY = "sk-inprocess"


class ExplodingProvider(VideoProvider):
    """A provider with a bug: it raises something no adapter should."""

    async def submit_video(
        self, config: VideoGenerationConfig, request: VideoGenerationRequest
    ) -> SubmittedJob:
        raise RuntimeError("secret internal detail /etc/passwd")

    async def poll_video(self, config: VideoGenerationConfig, request_id: str) -> JobProgress:
        raise AssertionError("unreachable")

    async def fetch_video(
        self, config: VideoGenerationConfig, request_id: str
    ) -> VideoGenerationResponse:
        raise AssertionError("unreachable")


class CountingProvider(VideoProvider):
    """Completes instantly and remembers what it was asked."""

    def __init__(self) -> None:
        self.submitted: list[VideoGenerationRequest] = []

    async def submit_video(
        self, config: VideoGenerationConfig, request: VideoGenerationRequest
    ) -> SubmittedJob:
        self.submitted.append(request)
        return SubmittedJob(request_id=f"job-{len(self.submitted)}")

    async def poll_video(self, config: VideoGenerationConfig, request_id: str) -> JobProgress:
        return JobProgress(status="completed", progress=100)

    async def fetch_video(
        self, config: VideoGenerationConfig, request_id: str
    ) -> VideoGenerationResponse:
        return VideoGenerationResponse(request_id=request_id, video=SAMPLE_THUMBNAIL.as_uri())


COUNTING = CountingProvider()
register_provider("test-exploding", ExplodingProvider())
register_provider("test-counting", COUNTING)


def config_text(db: Path) -> str:
    return f"""
model_list:
  - model_name: explode
    params: {{provider: test-exploding, model: bug}}
  - model_name: counted
    params: {{provider: test-counting, model: c, id: counted-1, poll_interval: 0.05}}
  - model_name: quick
    params: {{provider: mock, model: m, id: quick-1, poll_interval: 0.05,
              mock: {{job_seconds: 0.1}}}}
general_settings:
  master_key: {KEY}
  database_url: sqlite:///{db}
"""


@pytest.fixture
async def app_client(tmp_path: Path) -> AsyncIterator[tuple[httpx.AsyncClient, Gateway]]:
    app = create_app(parse_config(adapt_config(config_text(tmp_path / "jobs.db"))))
    gateway: Gateway = app.state.gateway
    await gateway.start()
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(
        transport=transport, base_url="http://gateway", headers={"Authorization": f"Bearer {KEY}"}
    ) as client:
        yield client, gateway
    await gateway.stop()


async def wait_for(gateway: Gateway, video_id: str, status: str) -> VideoRecord:
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        record = await gateway.store.get(video_id)
        if record is not None and record.status == status:
            return record
        await asyncio.sleep(0.02)
    raise AssertionError(f"{video_id} never reached {status}")


async def test_unexpected_exception_is_a_clean_500(app_client: Any) -> None:
    client, _gateway = app_client
    response = await client.post("/v1/videos", json={"model": "explode", "prompt": "x"})
    assert response.status_code == 500
    error = response.json()["error"]
    assert error["code"] == "internal_error"
    assert error["type"] == "server_error"
    assert "passwd" not in response.text
    assert "Traceback" not in response.text
    listing = await client.get("/v1/videos")
    assert listing.json()["data"] == []  # the write-ahead row was removed


async def test_unified_fields_and_extras_reach_the_provider(app_client: Any) -> None:
    client, gateway = app_client
    files = {"input_reference": ("frame.jpg", SAMPLE_THUMBNAIL.read_bytes(), "image/jpeg")}
    form = {
        "model": "counted",
        "prompt": "p",
        "seconds": "6",
        "size": "1920x1080",
        "negative_prompt": "blur",
        "seed": "7",
        "generate_audio": "true",
        "camera_motion": "dolly",
        "style[look]": "noir",
    }
    response = await client.post("/v1/videos", data=form, files=files)
    assert response.status_code == 200, response.text
    sent = COUNTING.submitted[-1]
    assert sent.duration_seconds == 6
    assert (sent.resolution, sent.aspect_ratio) == ("1080p", "16:9")
    assert sent.negative_prompt == "blur"
    assert sent.seed == 7
    assert sent.generate_audio is True
    assert sent.extra_params == {"camera_motion": "dolly", "style": {"look": "noir"}}
    assert len(sent.image_list) == 1
    assert sent.image_list[0].role == "first_frame"
    assert sent.image_list[0].image.startswith("data:image/jpeg;base64,")
    record = await gateway.store.get(response.json()["id"])
    assert json.loads(record.request_json)["seed"] == 7


async def test_input_reference_by_url(app_client: Any) -> None:
    client, _ = app_client
    form = {
        "model": "counted",
        "prompt": "p",
        "input_reference[image_url]": "https://example.com/frame.png",
    }
    response = await client.post("/v1/videos", data=form)
    assert response.status_code == 200, response.text
    image = COUNTING.submitted[-1].image_list[0]
    assert (image.image, image.role) == ("https://example.com/frame.png", "first_frame")


async def test_orphaned_row_is_submitted_by_the_poller(app_client: Any) -> None:
    """A crash between writing the row and the provider's answer leaves no upstream id."""
    client, gateway = app_client
    now = time.time()
    request = VideoGenerationRequest(prompt="orphan", duration_seconds=4)
    await gateway.store.insert(
        VideoRecord(
            id="video_orphan",
            owner="master",
            alias="quick",
            deployment_id="quick-1",
            status="queued",
            seconds="4",
            size="720x1280",
            prompt="orphan",
            request_json=request.model_dump_json(),
            created_at=now,
            updated_at=now,
            next_poll_at=now - 1,
        )
    )
    gateway.poller.wake()
    record = await wait_for(gateway, "video_orphan", "completed")
    assert record.upstream_id is not None
    assert record.upstream_id.startswith("mock_")
    assert record.attempts == 2
    body = (await client.get("/v1/videos/video_orphan")).json()
    assert body["status"] == "completed"


async def test_job_whose_deployment_vanished_fails_clearly(app_client: Any) -> None:
    _client, gateway = app_client
    now = time.time()
    await gateway.store.insert(
        VideoRecord(
            id="video_gone",
            owner="master",
            alias="old",
            deployment_id="removed-deployment",
            status="in_progress",
            seconds="4",
            size="720x1280",
            upstream_id="x",
            request_json=VideoGenerationRequest(prompt="x").model_dump_json(),
            created_at=now,
            updated_at=now,
            next_poll_at=now - 1,
        )
    )
    gateway.poller.wake()
    record = await wait_for(gateway, "video_gone", "failed")
    assert record.error_code == "deployment_unavailable"
    assert "removed-deployment" in (record.error_message or "")


class FourMethods:
    """A custom provider written as the library's generate methods, served by the proxy."""

    async def generate_video_async(
        self, config: VideoGenerationConfig, request: VideoGenerationRequest
    ) -> VideoGenerationResponse:
        return VideoGenerationResponse(
            request_id="x", video=SAMPLE_THUMBNAIL.as_uri(), content_type="image/jpeg"
        )


async def test_custom_four_method_provider_through_the_proxy(tmp_path: Path) -> None:
    register_provider("test-four-methods-proxy", FourMethods())
    config = parse_config(
        adapt_config(f"""
model_list:
  - model_name: custom
    params: {{provider: test-four-methods-proxy, model: c, poll_interval: 0.05}}
general_settings: {{master_key: {KEY}, database_url: "sqlite:///{tmp_path / "c.db"}"}}
""")
    )
    app = create_app(config)
    gateway: Gateway = app.state.gateway
    await gateway.start()
    try:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(
            transport=transport,
            base_url="http://gateway",
            headers={"Authorization": f"Bearer {KEY}"},
        ) as client:
            created = (
                await client.post("/v1/videos", json={"model": "custom", "prompt": "p"})
            ).json()
            await wait_for(gateway, created["id"], "completed")
            content = await client.get(f"/v1/videos/{created['id']}/content")
            assert content.content == SAMPLE_THUMBNAIL.read_bytes()
    finally:
        await gateway.stop()


async def test_inline_video_bytes_are_written_to_the_media_dir(tmp_path: Path) -> None:
    class InlineBytes(FourMethods):
        async def generate_video_async(
            self, config: VideoGenerationConfig, request: VideoGenerationRequest
        ) -> VideoGenerationResponse:
            data = base64.b64encode(b"\x00\x00\x00\x18ftypmp42 fake").decode()
            return VideoGenerationResponse(request_id="y", video=f"data:video/mp4;base64,{data}")

    register_provider("test-inline-bytes", InlineBytes())
    config = parse_config(
        adapt_config(f"""
model_list:
  - model_name: inline
    params: {{provider: test-inline-bytes, model: c, poll_interval: 0.05}}
general_settings: {{master_key: {KEY}, database_url: "sqlite:///{tmp_path / "c.db"}",
                    media_dir: "{tmp_path / "media"}"}}
""")
    )
    app = create_app(config)
    gateway: Gateway = app.state.gateway
    await gateway.start()
    try:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(
            transport=transport,
            base_url="http://gateway",
            headers={"Authorization": f"Bearer {KEY}"},
        ) as client:
            created = (
                await client.post("/v1/videos", json={"model": "inline", "prompt": "p"})
            ).json()
            record = await wait_for(gateway, created["id"], "completed")
            assert record.result["video"].startswith("file://")
            assert (tmp_path / "media" / f"{created['id']}.mp4").is_file()
            ranged = await client.get(
                f"/v1/videos/{created['id']}/content", headers={"Range": "bytes=4-7"}
            )
            assert ranged.status_code == 206
            assert ranged.content == b"ftyp"
    finally:
        await gateway.stop()


async def test_image_list_from_sdk_style_form_keys(app_client: Any) -> None:
    client, _gateway = app_client
    form = [
        ("model", "counted"),
        ("prompt", "p"),
        ("image_list[][image]", "https://x/first.png"),
        ("image_list[][role]", "first_frame"),
        ("image_list[][image]", "https://x/last.png"),
        ("image_list[][role]", "last_frame"),
    ]
    response = await client.post(
        "/v1/videos",
        content=urlencode(form),
        headers={"content-type": "application/x-www-form-urlencoded"},
    )
    assert response.status_code == 200, response.text
    images = COUNTING.submitted[-1].image_list
    assert [(i.image, i.role) for i in images] == [
        ("https://x/first.png", "first_frame"),
        ("https://x/last.png", "last_frame"),
    ]
