"""Client bodies are bounded before they are parsed or stored: JSON size while it
streams in, nesting depth and item count before ``json.loads``, provider-specific
extras before they are written with the video, and file uploads only where a file is
expected (issue 14, findings 7 and 8)."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tarash_gateway.adapters.media import SAMPLE_THUMBNAIL
from tests.security.inprocess import App, assert_openai_error, running_app

JSON = {"content-type": "application/json"}


@pytest.fixture
async def app(tmp_path: Path) -> AsyncIterator[App]:
    async with running_app(tmp_path, "max_json_body_bytes: 200000") as running:
        yield running


def nested(depth: int) -> dict[str, object]:
    value: object = "leaf"
    for _ in range(depth):
        value = {"k": value}
    return {"model": "quick", "prompt": "p", "style": value}


async def test_a_json_body_over_the_limit_is_a_413_before_it_is_parsed(app: App) -> None:
    body = json.dumps({"model": "quick", "prompt": "p", "pad": "x" * 300_000}).encode()
    for path in ("/v1/videos", "/admin/teams", "/v1/images/generations"):
        response = await app.client.post(path, content=body, headers=JSON)
        assert assert_openai_error(response, 413)["code"] == "request_too_large"
    assert await app.rows() == {"videos": 0, "teams": 0, "api_keys": 0, "images": 0}


async def test_a_json_body_streamed_without_content_length_is_cut_off_too(app: App) -> None:
    async def chunks() -> AsyncIterator[bytes]:
        yield b'{"model": "quick", "prompt": "p", "pad": "'
        for _ in range(30):
            yield b"x" * 10_000
        yield b'"}'

    response = await app.client.post("/v1/videos", content=chunks(), headers=JSON)
    assert_openai_error(response, 413)
    assert (await app.rows())["videos"] == 0


@pytest.mark.parametrize("depth", [40, 300, 5000])
async def test_deeply_nested_json_is_a_400(app: App, depth: int) -> None:
    body = json.dumps(nested(depth)) if depth < 900 else '{"a":' + "[" * depth + "]" * depth + "}"
    for path in ("/v1/videos", "/admin/teams"):
        response = await app.client.post(path, content=body, headers=JSON)
        assert_openai_error(response, 400)
    assert await app.rows() == {"videos": 0, "teams": 0, "api_keys": 0, "images": 0}


async def test_nesting_within_the_depth_limit_is_accepted(app: App) -> None:
    response = await app.client.post("/v1/videos", json=nested(20))
    assert response.status_code == 200, response.text


async def test_deeply_nested_form_keys_are_a_400(app: App) -> None:
    key = "style" + "[a]" * 300
    response = await app.client.post("/v1/videos", data={"model": "quick", "prompt": "p", key: "v"})
    assert_openai_error(response, 400)
    assert (await app.rows())["videos"] == 0


async def test_a_body_with_too_many_keys_is_a_400(app: App) -> None:
    many = {f"k{i}": 0 for i in range(12_000)}
    body = json.dumps({"model": "quick", "prompt": "p", **many})
    response = await app.client.post("/v1/videos", content=body, headers=JSON)
    assert assert_openai_error(response, 400)["code"] == "json_too_large"
    assert (await app.rows())["videos"] == 0


async def test_brackets_and_quotes_inside_strings_do_not_count(app: App) -> None:
    prompt = '[[[[{{{{ "quoted" \\ :,:,' * 1000
    response = await app.client.post("/v1/videos", json={"model": "quick", "prompt": prompt})
    assert response.status_code == 200, response.text


async def test_stored_extras_are_capped(app: App) -> None:
    response = await app.client.post(
        "/v1/videos", json={"model": "quick", "prompt": "p", "blob": "x" * 70_000}
    )
    error = assert_openai_error(response, 400)
    assert (error["code"], error["param"]) == ("extra_params_too_large", "blob")
    assert (await app.rows())["videos"] == 0
    small = await app.client.post(
        "/v1/videos", json={"model": "quick", "prompt": "p", "blob": "x" * 1000}
    )
    assert small.status_code == 200, small.text


async def test_extras_cap_follows_the_setting(tmp_path: Path) -> None:
    async with running_app(tmp_path, "max_extra_params_bytes: 100") as app:
        response = await app.client.post(
            "/v1/videos", json={"model": "quick", "prompt": "p", "blob": "x" * 200}
        )
        assert assert_openai_error(response, 400)["code"] == "extra_params_too_large"


@pytest.mark.parametrize("field", ["prompt", "camera_motion", "seconds", "input_reference[x]"])
async def test_a_file_where_no_file_belongs_is_a_400_that_costs_no_rate_slot(
    app: App, field: str
) -> None:
    key = await app.team_key(rpm=1)
    auth = {"Authorization": f"Bearer {key}"}
    form = {"model": "quick", "prompt": "p"}
    files = {field: ("f.jpg", SAMPLE_THUMBNAIL.read_bytes(), "image/jpeg")}
    before = await app.rows()
    response = await app.client.post("/v1/videos", headers=auth, data=form, files=files)
    assert assert_openai_error(response, 400)["code"] == "unexpected_file"
    assert await app.rows() == before
    accepted = await app.client.post("/v1/videos", headers=auth, data=form)
    assert accepted.status_code == 200, accepted.text


async def test_admin_and_image_bodies_take_no_files(app: App) -> None:
    files = {"metadata[x]": ("f.jpg", b"\xff\xd8data", "image/jpeg")}
    for path, form in (
        ("/admin/teams", {"name": "t"}),
        ("/v1/images/generations", {"model": "pics", "prompt": "p"}),
    ):
        response = await app.client.post(path, data=form, files=files)
        assert assert_openai_error(response, 400)["code"] == "unexpected_file"
    assert await app.rows() == {"videos": 0, "teams": 0, "api_keys": 0, "images": 0}


async def test_the_reported_21_mb_body_is_refused_unparsed(tmp_path: Path) -> None:
    """The reproduction, under the default limits (25 MiB body, 8 MiB JSON)."""
    async with running_app(tmp_path) as app:
        keys = ",".join(f'"k{i}":{i % 10}' for i in range(1_500_000))
        body = ('{"model":"quick","prompt":"p",' + keys + "}").encode()
        response = await app.client.post("/v1/videos", content=body, headers=JSON)
        assert_openai_error(response, 413)
        assert (await app.rows())["videos"] == 0
