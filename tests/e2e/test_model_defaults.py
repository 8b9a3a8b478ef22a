"""A create with only ``model`` and ``prompt`` reaches the provider with the model's own
defaults (never OpenAI's 4 s / 720x1280), the Video says what was requested, and an
impossible value is a 400 unless the alias opts into ``coerce: nearest``."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest

from tarash_gateway.adapters import VideoGenerationRequest
from tarash_gateway.adapters.field_mappers import Capabilities, ModelMapping
from tarash_gateway.proxy.app import create_app
from tarash_gateway.proxy.gateway import Gateway
from tarash_gateway.proxy.http.echo import video_echo
from tarash_gateway.router import Router, parse_config
from tests.db_backends import adapt_config
from tests.e2e.test_app_inprocess import wait_for
from tests.tables import registered_tables

KEY = "sk-defaults-master-0123"
# A mock model that behaves like Kling 2.5 on fal: 5 or 10 s, 1080p by default.
KLING = ModelMapping(
    fields=(),
    capabilities=Capabilities(
        durations=(5, 10),
        resolutions=("720p", "1080p"),
        aspect_ratios=("16:9", "9:16", "1:1"),
        default_duration=5,
        default_resolution="1080p",
        default_aspect_ratio="16:9",
    ),
)
# One whose only duration, and so its default, is 10 s.
LONG = ModelMapping(fields=(), capabilities=Capabilities(durations=(10,), default_duration=10))


@pytest.fixture(autouse=True)
def mock_tables() -> Iterator[None]:
    with registered_tables("mock", {"mock-kling": KLING, "mock-long": LONG}):
        yield


@pytest.fixture
async def client(tmp_path: Path) -> AsyncIterator[tuple[httpx.AsyncClient, Gateway]]:
    config = parse_config(
        adapt_config(f"""
model_list:
  - model_name: kling
    params: {{provider: mock, model: mock-kling, id: kling-1, cost_per_second: 0.1,
              poll_interval: 0.02, mock: {{job_seconds: 0.05}}}}
  - model_name: kling-nearest
    params: {{provider: mock, model: mock-kling, id: kling-2, cost_per_second: 0.1,
              poll_interval: 0.02, mock: {{job_seconds: 0.05}}}}
router_settings:
  coerce_per_alias: {{kling-nearest: nearest}}
general_settings: {{master_key: {KEY}, database_url: "sqlite:///{tmp_path / "d.db"}"}}
""")
    )
    app = create_app(config)
    gateway: Gateway = app.state.gateway
    await gateway.start()
    try:
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app),
            base_url="http://gateway",
            headers={"Authorization": f"Bearer {KEY}"},
        ) as http:
            yield http, gateway
    finally:
        await gateway.stop()


async def test_only_a_prompt_uses_the_models_defaults_and_bills_them(
    client: tuple[httpx.AsyncClient, Gateway],
) -> None:
    http, gateway = client
    response = await http.post("/v1/videos", json={"model": "kling", "prompt": "p"})
    assert response.status_code == 200, response.text
    video = response.json()
    assert (video["seconds"], video["size"]) == ("5", "1920x1080")
    assert "x-tarash-coerced" not in response.headers
    record = await wait_for(gateway, video["id"], "completed")
    assert record.cost_usd == pytest.approx(0.5)  # the mock made 5 s, and 5 s were billed
    again = (await http.get(f"/v1/videos/{video['id']}")).json()
    assert (again["seconds"], again["size"]) == ("5", "1920x1080")


async def test_an_omitted_size_with_a_given_aspect_ratio_keeps_the_ratio(
    client: tuple[httpx.AsyncClient, Gateway],
) -> None:
    http, _gateway = client
    body = {"model": "kling", "prompt": "p", "seconds": "10", "aspect_ratio": "9:16"}
    video = (await http.post("/v1/videos", json=body)).json()
    assert (video["seconds"], video["size"]) == ("10", "1080x1920")


async def test_a_value_the_model_cannot_make_is_a_400_naming_the_allowed_ones(
    client: tuple[httpx.AsyncClient, Gateway],
) -> None:
    http, _gateway = client
    response = await http.post("/v1/videos", json={"model": "kling", "prompt": "p", "seconds": "4"})
    assert response.status_code == 400
    assert "5, 10" in response.json()["error"]["message"]
    listed = (await http.get("/v1/videos")).json()
    assert listed["data"] == []  # nothing was written, nothing submitted


async def test_coerce_nearest_uses_the_closest_values_and_says_so(
    client: tuple[httpx.AsyncClient, Gateway],
) -> None:
    http, gateway = client
    response = await http.post(
        "/v1/videos",
        json={"model": "kling-nearest", "prompt": "p", "seconds": "4", "size": "3840x2160"},
    )
    assert response.status_code == 200, response.text
    video = response.json()
    assert (video["seconds"], video["size"]) == ("5", "1920x1080")
    assert (
        response.headers["x-tarash-coerced"] == "seconds=5 (asked 4), resolution=1080p (asked 4k)"
    )
    record = await wait_for(gateway, video["id"], "completed")
    assert record.cost_usd == pytest.approx(0.5)


def test_a_model_that_fixes_its_resolution_reports_the_aspect_it_was_sent() -> None:
    sent = VideoGenerationRequest(prompt="p", duration_seconds=5, aspect_ratio="16:9")
    assert video_echo(sent, None) == ("5", "1280x720")
    assert video_echo(sent.model_copy(update={"aspect_ratio": None}), None) == ("5", "720x1280")
    asked = VideoGenerationRequest(prompt="p", duration_seconds=8, resolution="1080p")
    assert video_echo(asked.model_copy(update={"aspect_ratio": "9:16"}), "1080x1920") == (
        "8",
        "1080x1920",
    )


def test_lowest_cost_prices_each_deployment_at_its_own_default() -> None:
    """A request that names no duration costs 5 s on Kling (0.1/s = 0.50) but 10 s on
    a model whose default is 10 s (0.06/s = 0.60): the cheaper one is Kling, although
    its price per second is higher."""
    router = Router(
        parse_config(f"""
model_list:
  - model_name: cheap
    params: {{provider: mock, model: mock-long, id: long, cost_per_second: 0.06}}
  - model_name: cheap
    params: {{provider: mock, model: mock-kling, id: kling, cost_per_second: 0.1}}
router_settings: {{routing_strategy: lowest-cost}}
general_settings: {{master_key: {KEY}}}
""")
    )
    request = VideoGenerationRequest(prompt="p")
    assert [d.id for d in router.plan("cheap", request)] == ["kling", "long"]
    assert router.max_cost("cheap", request) == pytest.approx(0.6)
    asked = VideoGenerationRequest(prompt="p", duration_seconds=10)
    assert [d.id for d in router.plan("cheap", asked)] == ["long", "kling"]  # 0.60 < 1.00
