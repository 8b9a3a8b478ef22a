"""The MiniMax adapter sends the requests MiniMax's API reference documents.

MiniMax publishes no Python SDK, so the reference's own request/response examples stand
in for it: ``fixtures/minimax/video_generation.json`` (URLs and the date they were read
are in the file). Each unified request goes through our adapter against the strict
emulator (tests/emulators/minimax.py, which records what arrived); the recorded call
must be the documented request: method, path, query, auth scheme and JSON body. The
documented responses are then served back to the adapter, which must read them.

What differs from an example is named and asserted, not skipped:
- ``DEFAULTS_SENT``: the adapter sends the model's documented defaults explicitly where
  an example leaves them out (the same values MiniMax would use);
- ``NOT_EXPRESSIBLE``: documented fields the unified request has no name for (reachable
  only through ``extra_params``).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tarash_gateway.adapters import (
    GenerationFailedError,
    ImageInput,
    ProviderAuthenticationError,
    ValidationError,
    VideoGenerationConfig,
    VideoGenerationRequest,
)
from tarash_gateway.adapters.providers.minimax import MiniMaxProvider
from tests.conformance.capture import WireRequest, from_call
from tests.emulators.base import Fault
from tests.emulators.minimax import FIELDS, MiniMaxEmulator

KEY = "test-key"
FIXTURE: dict[str, Any] = json.loads(
    (Path(__file__).parent / "fixtures" / "minimax" / "video_generation.json").read_text()
)

DEFAULTS_SENT: dict[str, dict[str, Any]] = {
    # The S2V example names neither; S2V-01 makes 6 s at 720P, and the adapter says so.
    "subject_reference": {"duration": 6, "resolution": "720P"},
}
NOT_EXPRESSIBLE = frozenset({"callback_url", "fast_pretreatment", "aigc_watermark"})
"""Create fields with no unified name: extras only (the gateway has its own webhooks)."""


@pytest.fixture(scope="module")
def server() -> Iterator[MiniMaxEmulator]:
    with MiniMaxEmulator(job_seconds=0.05, api_key=KEY) as emulator:
        yield emulator


@pytest.fixture
def emulator(server: MiniMaxEmulator) -> MiniMaxEmulator:
    server.calls.clear()
    server.faults.clear()
    server.jobs.clear()
    return server


def config(emulator: MiniMaxEmulator, model: str) -> VideoGenerationConfig:
    return VideoGenerationConfig(
        provider="minimax", model=model, api_key=KEY, base_url=emulator.base_url
    )


def documented(case: str) -> WireRequest:
    """The reference's request for ``case`` as a comparable WireRequest."""
    example = FIXTURE[case]
    return WireRequest(
        method=example["method"],
        path=example["path"],
        query=example.get("query", {}),
        auth_scheme=example["headers"]["Authorization"].split(" ", 1)[0],
        body={**example.get("body", {}), **DEFAULTS_SENT.get(case, {})} or None,
    )


def unified(case: str) -> tuple[str, VideoGenerationRequest]:
    """The unified request a client would send for the documented ``case``."""
    body = FIXTURE[case]["body"]
    images = []
    if "first_frame_image" in body:
        images.append(ImageInput(image=body["first_frame_image"], role="first_frame"))
    if "last_frame_image" in body:
        images.append(ImageInput(image=body["last_frame_image"], role="last_frame"))
    for subject in body.get("subject_reference", []):
        images.extend(ImageInput(image=url, role="reference") for url in subject["image"])
    resolution = {"1080P": "1080p", "768P": "720p", "720P": "720p", "512P": "480p"}
    fields: dict[str, Any] = {
        "prompt": body["prompt"],
        "duration_seconds": body.get("duration"),
        "resolution": resolution.get(body.get("resolution", "")),
        "image_list": images,
        "enhance_prompt": body.get("prompt_optimizer"),
        "extra_params": {key: body[key] for key in NOT_EXPRESSIBLE if key in body},
    }
    return body["model"], VideoGenerationRequest(**fields)


async def adapter_submit(emulator: MiniMaxEmulator, case: str) -> WireRequest:
    model, request = unified(case)
    before = len(emulator.calls)
    job = await MiniMaxProvider().submit_video(config(emulator, model), request)
    (call,) = emulator.calls[before:]
    assert call.operation == "submit"
    assert job.request_id.startswith(f"{next(iter(emulator.jobs.values())).id}:")
    return from_call(call)


@pytest.mark.parametrize(
    "case",
    [
        "text_to_video",
        "image_to_video",
        "first_last_frame",
        "subject_reference",
        "with_callback_and_optimizer",
    ],
)
async def test_create_is_the_documented_request(emulator: MiniMaxEmulator, case: str) -> None:
    assert await adapter_submit(emulator, case) == documented(case)


def test_every_documented_body_field_is_known_to_the_emulator() -> None:
    for case in ("text_to_video", "image_to_video", "first_last_frame", "subject_reference"):
        assert set(FIXTURE[case]["body"]) <= set(FIELDS), case
    assert set(FIELDS) >= NOT_EXPRESSIBLE


@pytest.mark.parametrize(("seconds", "resolution"), [(6, "768P"), (10, "768P"), (6, "1080P")])
async def test_each_duration_is_a_plain_integer(
    emulator: MiniMaxEmulator, seconds: int, resolution: str
) -> None:
    """MiniMax takes ``duration`` as a JSON integer (6 | 10), never "6" or "6s"."""
    unified_resolution = {"768P": "720p", "1080P": "1080p"}[resolution]
    await MiniMaxProvider().submit_video(
        config(emulator, "MiniMax-Hailuo-02"),
        VideoGenerationRequest(prompt="x", duration_seconds=seconds, resolution=unified_resolution),
    )
    body = emulator.calls_of("submit")[0].body
    assert type(body["duration"]) is int
    assert (body["duration"], body["resolution"]) == (seconds, resolution)


async def test_query_and_retrieve_are_the_documented_requests_and_are_read(
    emulator: MiniMaxEmulator,
) -> None:
    task_id = FIXTURE["query"]["query"]["task_id"]
    emulator.fail_next("status", Fault(status=200, body=FIXTURE["query_processing"]["response"]))
    progress = await MiniMaxProvider().poll_video(
        config(emulator, "MiniMax-Hailuo-2.3"), f"{task_id}:6"
    )
    assert progress.status == "in_progress"
    assert from_call(emulator.calls_of("status")[0]) == documented("query")

    emulator.calls.clear()
    emulator.fail_next("status", Fault(status=200, body=FIXTURE["query"]["response"]))
    emulator.fail_next("result", Fault(status=200, body=FIXTURE["retrieve"]["response"]))
    result = await MiniMaxProvider().fetch_video(
        config(emulator, "MiniMax-Hailuo-2.3"), f"{task_id}:6"
    )
    assert from_call(emulator.calls_of("status")[0]) == documented("query")
    assert from_call(emulator.calls_of("result")[0]) == documented("retrieve")
    assert result.video == FIXTURE["retrieve"]["response"]["file"]["download_url"]
    assert (result.resolution, result.aspect_ratio, result.duration) == ("1080p", "9:16", 6.0)


async def test_documented_error_answers_are_classified(emulator: MiniMaxEmulator) -> None:
    emulator.fail_next("submit", Fault(status=200, body=FIXTURE["invalid_params"]["response"]))
    with pytest.raises(ValidationError) as invalid:
        await MiniMaxProvider().submit_video(
            config(emulator, "MiniMax-Hailuo-2.3"), VideoGenerationRequest(prompt="x")
        )
    assert invalid.value.param == "seconds"
    emulator.fail_next("submit", Fault(status=200, body=FIXTURE["invalid_api_key"]["response"]))
    with pytest.raises(ProviderAuthenticationError):
        await MiniMaxProvider().submit_video(
            config(emulator, "MiniMax-Hailuo-2.3"), VideoGenerationRequest(prompt="x")
        )
    failed = {**FIXTURE["query_processing"]["response"], "status": "Fail"}
    emulator.fail_next("status", Fault(status=200, body=failed))
    progress = await MiniMaxProvider().poll_video(
        config(emulator, "MiniMax-Hailuo-2.3"), "176843862716480:6"
    )
    assert isinstance(progress.error, GenerationFailedError)
