"""The Replicate adapter sends the same HTTP requests as Replicate's official SDK, 1.0.7.

Each unified request goes through our adapter against the strict emulator
(tests/emulators/replicate.py, which records what arrived and validates each official
model's published input schema); the equivalent call goes through ``replicate.Client``
on a mock transport (nothing is sent), with the ``input`` a Replicate user would write
from the model's API page (replicate.com/<owner>/<name>/versions/<id>/api, read
2026-12-03). Method, path, query, auth scheme and JSON body must match.

The SDK puts ``input`` on the wire as given, so what this pins is twofold: the paths and
envelope (``/v1/models/{owner}/{name}/predictions`` with ``{input}`` for official
models, ``/v1/predictions`` with ``{version, input}`` for pinned versions, ``GET
/v1/predictions/{id}``, ``POST /v1/predictions/{id}/cancel``) and the input names,
types and defaults per family. What the two do not share is named and asserted:
- ``SDK_ONLY``: create parameters the SDK takes that the adapter never sends (webhooks,
  streaming, ``Prefer: wait``): the gateway polls, and delivers its own webhooks;
- ``DEFAULTS_SENT``: nothing; every documented default the adapter fills is written
  out in the expected input below, as a user reading the page would send it.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest
import replicate
from replicate.client import Client
from replicate.prediction import _create_prediction_body, _create_prediction_headers

from tarash_gateway.adapters import ImageInput, VideoGenerationConfig, VideoGenerationRequest
from tarash_gateway.adapters.providers.replicate import ReplicateProvider
from tests.conformance.capture import SdkRecorder, WireRequest, from_call, from_httpx
from tests.emulators.replicate import SCHEMAS, ReplicateEmulator, validate_input

KEY = "test-key"
FIRST = "https://example.com/first.jpg"
LAST = "https://example.com/last.jpg"
PROMPT = "a lighthouse in a storm"
VERSION = "5c7d5dc6dd8bf75c1acaa8565735e7986bc5b66206b55cca93cb72c9bf15ccaa"
PREDICTION = {
    "id": "gm3qorzdhgbfurvjtvhg6dckhu",
    "model": "google/veo-3.1",
    "version": "hidden",
    "status": "starting",
    "input": {},
    "output": None,
    "logs": "",
    "error": None,
    "metrics": {},
    "created_at": "2026-12-03T12:00:00.000Z",
    "urls": {},
}
SDK_ONLY = frozenset({"webhook", "webhook_completed", "webhook_events_filter", "stream"})


@pytest.fixture(scope="module")
def server() -> Iterator[ReplicateEmulator]:
    with ReplicateEmulator(job_seconds=30, api_key=KEY) as emulator:
        yield emulator


@pytest.fixture
def emulator(server: ReplicateEmulator) -> ReplicateEmulator:
    server.calls.clear()
    server.jobs.clear()
    server.faults.clear()
    return server


def sdk_request(call: Callable[[Client], Any]) -> WireRequest:
    """The one request ``replicate.Client`` makes for ``call``, answered with a canned
    prediction. The SDK takes a ``transport`` (wrapped in its RetryTransport); it is a
    mock that hands each request to the recorder's client."""
    recorder = SdkRecorder(lambda request: httpx.Response(201, json=PREDICTION))
    with recorder.client() as recording:
        transport = httpx.MockTransport(recording.send)
        call(Client(api_token=KEY, transport=transport))
    (request,) = recorder.requests
    return from_httpx(request)


def config(emulator: ReplicateEmulator, model: str) -> VideoGenerationConfig:
    return VideoGenerationConfig(
        provider="replicate", model=model, api_key=KEY, base_url=emulator.base_url
    )


async def adapter_submit(
    emulator: ReplicateEmulator, model: str, request: VideoGenerationRequest
) -> WireRequest:
    before = len(emulator.calls)
    await ReplicateProvider().submit_video(config(emulator, model), request)
    (call,) = emulator.calls[before:]
    assert call.operation == "submit"
    return from_call(call)


def frames(*roles: str) -> list[ImageInput]:
    urls = {"first_frame": FIRST, "last_frame": LAST, "reference": FIRST}
    return [ImageInput(image=urls[role], role=role) for role in roles]  # type: ignore[arg-type]


# (model, unified request fields, the input a user writes from the model's API page)
CASES: dict[str, tuple[str, dict[str, Any], dict[str, Any]]] = {
    "text only, defaults filled (veo-3.1)": (
        "google/veo-3.1",
        {},
        {"prompt": PROMPT, "duration": 8, "resolution": "1080p", "aspect_ratio": "16:9"},
    ),
    "text, every setting, audio off (veo-3.1)": (
        "google/veo-3.1",
        {
            "duration_seconds": 4,
            "resolution": "720p",
            "aspect_ratio": "9:16",
            "negative_prompt": "fog",
            "seed": 11,
            "generate_audio": False,
        },
        {
            "prompt": PROMPT,
            "duration": 4,
            "resolution": "720p",
            "aspect_ratio": "9:16",
            "negative_prompt": "fog",
            "seed": 11,
            "generate_audio": False,
        },
    ),
    "first and last frame (veo-3.1)": (
        "google/veo-3.1",
        {"image_list": frames("first_frame", "last_frame"), "duration_seconds": 6},
        {
            "prompt": PROMPT,
            "duration": 6,
            "resolution": "1080p",
            "aspect_ratio": "16:9",
            "image": FIRST,
            "last_frame": LAST,
        },
    ),
    "first frame (kling-v2.1, standard mode)": (
        "kwaivgi/kling-v2.1",
        {"image_list": frames("first_frame")},
        {"prompt": PROMPT, "duration": 5, "mode": "standard", "start_image": FIRST},
    ),
    "last frame (kling-v2.1, pro mode)": (
        "kwaivgi/kling-v2.1",
        {"image_list": frames("first_frame", "last_frame"), "duration_seconds": 10},
        {
            "prompt": PROMPT,
            "duration": 10,
            "mode": "pro",
            "start_image": FIRST,
            "end_image": LAST,
        },
    ),
    "text (kling-v2.5-turbo-pro)": (
        "kwaivgi/kling-v2.5-turbo-pro",
        {"aspect_ratio": "1:1", "duration_seconds": 10, "negative_prompt": "rain"},
        {"prompt": PROMPT, "negative_prompt": "rain", "aspect_ratio": "1:1", "duration": 10},
    ),
    "10 s at 768p (hailuo-02 on Replicate)": (
        "minimax/hailuo-02",
        {"duration_seconds": 10, "enhance_prompt": False},
        {"prompt": PROMPT, "duration": 10, "resolution": "768p", "prompt_optimizer": False},
    ),
    "first and last frame (hailuo-02 on Replicate)": (
        "minimax/hailuo-02",
        {"image_list": frames("first_frame", "last_frame"), "resolution": "1080p"},
        {
            "prompt": PROMPT,
            "duration": 6,
            "resolution": "1080p",
            "first_frame_image": FIRST,
            "last_frame_image": LAST,
        },
    ),
    "first frame (hailuo-2.3 on Replicate)": (
        "minimax/hailuo-2.3",
        {"image_list": frames("first_frame")},
        {"prompt": PROMPT, "duration": 6, "resolution": "768p", "first_frame_image": FIRST},
    ),
    "seed and size (wan-2.5-t2v)": (
        "wan-video/wan-2.5-t2v",
        {"seed": 42, "aspect_ratio": "9:16", "resolution": "1080p"},
        {"prompt": PROMPT, "duration": 5, "seed": 42, "size": "1080*1920"},
    ),
    "first frame (wan-2.5-i2v)": (
        "wan-video/wan-2.5-i2v",
        {"image_list": frames("first_frame"), "duration_seconds": 10},
        {"prompt": PROMPT, "duration": 10, "resolution": "720p", "image": FIRST},
    ),
    "first and last frame, seed (seedance-1-pro)": (
        "bytedance/seedance-1-pro",
        {"image_list": frames("first_frame", "last_frame"), "seed": 7, "duration_seconds": 12},
        {
            "prompt": PROMPT,
            "duration": 12,
            "resolution": "1080p",
            "aspect_ratio": "16:9",
            "seed": 7,
            "image": FIRST,
            "last_frame_image": LAST,
        },
    ),
    "references (seedance-1-lite)": (
        "bytedance/seedance-1-lite",
        {"image_list": frames("reference"), "duration_seconds": 3},
        {
            "prompt": PROMPT,
            "duration": 3,
            "resolution": "720p",
            "aspect_ratio": "16:9",
            "reference_images": [FIRST],
        },
    ),
    "audio on (seedance-1.5-pro)": (
        "bytedance/seedance-1.5-pro",
        {"generate_audio": True},
        {"prompt": PROMPT, "duration": 5, "aspect_ratio": "16:9", "generate_audio": True},
    ),
    "9 s (luma ray-2-720p)": (
        "luma/ray-2-720p",
        {"duration_seconds": 9, "image_list": frames("first_frame", "last_frame")},
        {
            "prompt": PROMPT,
            "duration": 9,
            "aspect_ratio": "16:9",
            "start_image": FIRST,
            "end_image": LAST,
        },
    ),
}


@pytest.mark.parametrize("case", sorted(CASES))
async def test_official_model_create_is_the_sdks_request(
    emulator: ReplicateEmulator, case: str
) -> None:
    model, fields, model_input = CASES[case]
    assert validate_input(model, model_input) == [], "the expected input breaks the schema"
    ours = await adapter_submit(emulator, model, VideoGenerationRequest(prompt=PROMPT, **fields))
    theirs = sdk_request(
        lambda client: client.models.predictions.create(model=model, input=model_input)
    )
    assert ours == theirs
    assert ours.path == f"/v1/models/{model}/predictions"
    assert ours.auth_scheme == "Bearer"


@pytest.mark.parametrize("case", sorted(CASES))
async def test_each_duration_is_a_json_integer(emulator: ReplicateEmulator, case: str) -> None:
    """Every Replicate video model takes ``duration`` as an integer (an enum of ints or
    an integer range on its API page), never "8" or "8s"."""
    model, fields, _ = CASES[case]
    ours = await adapter_submit(emulator, model, VideoGenerationRequest(prompt=PROMPT, **fields))
    duration = ours.body["input"].get("duration")
    assert duration is None or type(duration) is int


async def test_pinned_version_create_is_the_sdks_request(emulator: ReplicateEmulator) -> None:
    model_input = {"prompt": PROMPT, "first_frame_image": FIRST}
    ours = await adapter_submit(
        emulator,
        f"minimax/video-01:{VERSION}",
        VideoGenerationRequest(prompt=PROMPT, image_list=frames("first_frame")),
    )
    theirs = sdk_request(
        lambda client: client.predictions.create(version=VERSION, input=model_input)
    )
    assert ours == theirs
    assert (ours.path, ours.body["version"]) == ("/v1/predictions", VERSION)


async def test_get_and_cancel_are_the_sdks_requests(emulator: ReplicateEmulator) -> None:
    provider = ReplicateProvider()
    cfg = config(emulator, "google/veo-3.1")
    job = await provider.submit_video(cfg, VideoGenerationRequest(prompt=PROMPT))
    await provider.poll_video(cfg, job.request_id)
    await provider.cancel_video(cfg, job.request_id)
    (status,) = emulator.calls_of("status")
    (cancel,) = emulator.calls_of("cancel")
    assert from_call(status) == sdk_request(lambda client: client.predictions.get(job.request_id))
    assert from_call(cancel) == sdk_request(
        lambda client: client.predictions.cancel(job.request_id)
    )


def test_sdk_only_create_parameters_are_named_and_never_sent() -> None:
    body_params = set(inspect.signature(_create_prediction_body).parameters) - {
        "version",
        "input",
        "_kwargs",
    }
    assert body_params == SDK_ONLY
    assert _create_prediction_headers(wait=True) == {"Prefer": "wait"}
    assert _create_prediction_headers(wait=None) == {}
    assert replicate.__name__ == "replicate"


async def test_the_adapter_sends_no_sdk_only_field_and_no_prefer_header(
    emulator: ReplicateEmulator,
) -> None:
    await adapter_submit(emulator, "google/veo-3.1", VideoGenerationRequest(prompt=PROMPT))
    (call,) = emulator.calls_of("submit")
    assert set(call.body) == {"input"}
    assert "prefer" not in call.headers
    assert "cancel-after" not in call.headers


def test_every_case_model_has_a_published_schema() -> None:
    for model, _, _ in CASES.values():
        assert model in SCHEMAS, model
