"""The stability adapter against Stability's API reference (no official Python SDK).

Each documented request in ``fixtures/stability/generate.json`` (URLs and date inside) is
rebuilt from a unified image request, sent to the strict :class:`StabilityEmulator`, and
the recorded call compared with the fixture: method, path, Bearer auth, ``Accept`` and
every multipart field. The documented answers are fed back to the adapter.
Differences are named: :data:`EXPLICIT_DEFAULTS`.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tarash_gateway.adapters.errors import ContentModerationError
from tarash_gateway.adapters.http import classify_status
from tarash_gateway.adapters.models import ImageGenerationConfig, ImageGenerationRequest
from tarash_gateway.adapters.providers.stability import StabilityProvider, _moderated
from tests.conformance.capture import from_call
from tests.emulators.base import Fault
from tests.emulators.stability import StabilityEmulator

KEY = "test-key"
FIXTURE = json.loads(
    (Path(__file__).parent / "fixtures" / "stability" / "generate.json").read_text()
)
EXPLICIT_DEFAULTS = {"output_format": "png"}
"""The adapter always names its output format (the documented default, png, unless an
extra asks for another), so a request that leaves it out is sent with it."""


@pytest.fixture(scope="module")
def running() -> Iterator[StabilityEmulator]:
    with StabilityEmulator(api_key=KEY) as emulator:
        yield emulator


@pytest.fixture
def emulator(running: StabilityEmulator) -> StabilityEmulator:
    running.calls.clear()
    running.faults.clear()
    return running


def config(emulator: StabilityEmulator, model: str) -> ImageGenerationConfig:
    return ImageGenerationConfig(
        provider="stability", model=model, base_url=emulator.base_url, api_key=KEY
    )


async def send(emulator: StabilityEmulator, model: str, **fields: Any) -> dict[str, Any]:
    await StabilityProvider().generate_image(
        config(emulator, model), ImageGenerationRequest(**fields)
    )
    (call,) = emulator.calls_of("image")
    wire = from_call(call)
    assert wire.auth_scheme == "Bearer"
    assert call.headers["accept"] == "application/json"
    assert call.headers["content-type"].startswith("multipart/form-data")
    return {"method": wire.method, "path": wire.path, "form": wire.body}


def documented(name: str) -> dict[str, Any]:
    example = FIXTURE[name]
    return {"method": example["method"], "path": example["path"], "form": example["form"]}


async def test_core_is_the_published_example(emulator: StabilityEmulator) -> None:
    form = FIXTURE["core"]["form"]
    got = await send(
        emulator,
        "core",
        prompt=form["prompt"],
        negative_prompt=form["negative_prompt"],
        aspect_ratio=form["aspect_ratio"],
        seed=int(form["seed"]),
        style=form["style_preset"],
    )
    assert got == documented("core")


async def test_ultra(emulator: StabilityEmulator) -> None:
    form = FIXTURE["ultra"]["form"]
    got = await send(
        emulator,
        "ultra",
        prompt=form["prompt"],
        aspect_ratio=form["aspect_ratio"],
        extra_params={"output_format": form["output_format"]},
    )
    assert got == documented("ultra")


async def test_sd3_with_its_model_field(emulator: StabilityEmulator) -> None:
    form = FIXTURE["sd3"]["form"]
    got = await send(
        emulator,
        form["model"],
        prompt=form["prompt"],
        extra_params={"output_format": form["output_format"]},
    )
    assert got == documented("sd3")


async def test_nothing_named_sends_only_the_prompt_and_the_format(
    emulator: StabilityEmulator,
) -> None:
    got = await send(emulator, "ultra", prompt="a lighthouse")
    assert got["form"] == {"prompt": "a lighthouse", **EXPLICIT_DEFAULTS}
    assert FIXTURE["defaults"]["output_format"] == EXPLICIT_DEFAULTS["output_format"]


async def test_documented_answers_are_understood(emulator: StabilityEmulator) -> None:
    emulator.fail_next("image", Fault(status=200, body=FIXTURE["json_response"]))
    result = await StabilityProvider().generate_image(
        config(emulator, "core"), ImageGenerationRequest(prompt="a lighthouse")
    )
    assert result.images == [FIXTURE["json_response"]["image"]]
    assert result.provider_metadata["seed"] == 42

    emulator.fail_next("image", Fault(status=200, body=FIXTURE["filtered_response"]))
    with pytest.raises(ContentModerationError):
        await StabilityProvider().generate_image(
            config(emulator, "core"), ImageGenerationRequest(prompt="a lighthouse")
        )

    refusal = FIXTURE["moderation_error"]
    error = classify_status(
        refusal["status"],
        refusal["body"],
        provider="stability",
        model="core",
        moderation=_moderated,
    )
    assert isinstance(error, ContentModerationError)
