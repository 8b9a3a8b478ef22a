"""Remixes and images through the running app with the real OpenAI SDK (issue 16, item
3): both take the router's send path, so their failures reach ``/admin/deployments``
health, their tries reach attempts, and an image alias falls back like a video one."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import openai
import pytest
import sqlalchemy as sa

from tarash_gateway.adapters import HTTPError
from tarash_gateway.adapters.mock import MockProvider
from tarash_gateway.proxy.app import create_app
from tarash_gateway.proxy.gateway import Gateway
from tarash_gateway.proxy.store.schema import image_generations
from tarash_gateway.router import parse_config
from tests.db_backends import adapt_config

KEY = "sk-remix-images"


def config_text(db: Path) -> str:
    return f"""
model_list:
  - model_name: pics
    params:
      provider: mock
      model: broken
      id: pics-broken
      order: 1
      cost_per_image: 0.01
      mock: {{responses: [{{error: {{code: upstream_http_error, status_code: 503}}}}]}}
  - model_name: pics
    params: {{provider: mock, model: ok, id: pics-ok, order: 2, cost_per_image: 0.04}}
  - model_name: clip
    params: {{provider: mock, model: m, id: clip-1, poll_interval: 0.05,
              mock: {{job_seconds: 0.1}}}}
router_settings:
  num_retries: 2
  retry_backoff_seconds: 0
general_settings:
  master_key: {KEY}
  database_url: sqlite:///{db}
"""


@pytest.fixture
async def app(
    tmp_path: Path,
) -> AsyncIterator[tuple[openai.AsyncOpenAI, httpx.AsyncClient, Gateway]]:
    application = create_app(parse_config(adapt_config(config_text(tmp_path / "jobs.db"))))
    gateway: Gateway = application.state.gateway
    await gateway.start()
    transport = httpx.ASGITransport(app=application)
    async with httpx.AsyncClient(
        transport=transport, base_url="http://gateway", headers={"Authorization": f"Bearer {KEY}"}
    ) as http:
        sdk = openai.AsyncOpenAI(
            api_key=KEY, base_url="http://gateway/v1", http_client=http, max_retries=0
        )
        yield sdk, http, gateway
    await gateway.stop()


async def health_of(http: httpx.AsyncClient, deployment_id: str) -> dict[str, Any]:
    answer = await http.get("/admin/deployments")
    assert answer.status_code == 200
    rows = {row["id"]: row for row in answer.json()["data"]}
    return dict(rows[deployment_id])


async def completed(sdk: openai.AsyncOpenAI, video_id: str) -> Any:
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        video = await sdk.videos.retrieve(video_id)
        if video.status in ("completed", "failed"):
            return video
        await asyncio.sleep(0.05)
    raise AssertionError(f"{video_id} never finished")


async def test_an_image_alias_falls_back_and_books_health_and_attempts(app: Any) -> None:
    sdk, http, gateway = app
    result = await sdk.images.generate(model="pics", prompt="a red kite", n=2)
    assert len(result.data) == 2
    broken = await health_of(http, "pics-broken")
    assert broken["failures"] >= 1
    assert broken["last_error"]
    assert (await health_of(http, "pics-ok"))["successes"] == 1
    async with gateway.database.connect() as conn:
        row = (await conn.execute(sa.select(image_generations))).one()
    assert row.status == "completed"
    assert row.deployment_id == "pics-ok"
    assert row.cost_usd == pytest.approx(0.08)  # the serving deployment's price, n = 2
    tries = [(a["deployment_id"], a["status"]) for a in json.loads(row.attempts_json)]
    assert tries[0] == ("pics-broken", "failed")
    assert tries[-1] == ("pics-ok", "success")


async def test_a_remix_is_retried_and_shows_in_health_and_attempts(
    app: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    sdk, http, _gateway = app
    source = await completed(sdk, (await sdk.videos.create(model="clip", prompt="a fox")).id)
    assert source.status == "completed"
    failures_before = (await health_of(http, "clip-1"))["failures"]

    original = MockProvider.remix_video
    calls: list[str] = []

    async def flaky_remix(self: MockProvider, config: Any, upstream: str, request: Any) -> Any:
        calls.append(upstream)
        if len(calls) == 1:
            raise HTTPError("upstream 503", status_code=503, provider="mock", model=config.model)
        return await original(self, config, upstream, request)

    monkeypatch.setattr(MockProvider, "remix_video", flaky_remix)
    remix = await sdk.videos.remix(source.id, prompt="a fox at night")
    assert remix.remixed_from_video_id == source.id
    assert len(calls) == 2
    tarash = (await http.get(f"/v1/videos/{remix.id}")).json()["tarash"]
    assert [(a["deployment_id"], a["status"]) for a in tarash["attempts"]] == [
        ("clip-1", "failed"),
        ("clip-1", "success"),
    ]
    assert (await health_of(http, "clip-1"))["failures"] == failures_before + 1
    assert (await completed(sdk, remix.id)).status == "completed"
