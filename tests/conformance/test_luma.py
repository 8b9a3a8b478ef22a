"""The Luma adapter sends the same HTTP requests as Luma's official SDK, lumaai 1.21.

Each unified request goes through our adapter against the strict emulator
(tests/emulators/luma.py, which records what arrived); the equivalent call goes through
``lumaai.LumaAI`` on a mock transport (nothing is sent). Method, path, query, auth
scheme and JSON body must match.

What the two cannot share is named and asserted below, not skipped:
- ``NOT_IN_SDK``: unified fields Luma has no wire field for (the adapter sends nothing);
- ``REFUSED``: unified fields the adapter refuses for Luma with a 400;
- ``SDK_ONLY``: SDK values the unified API cannot ask for (reachable through nothing:
  the extras that could set them are protected, billed fields).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any, Literal, cast, get_args, get_type_hints

import httpx
import pytest
from lumaai import LumaAI
from lumaai.types import generation_create_params
from lumaai.types.generations import image_create_params, video_create_params

from tarash_gateway.adapters import (
    ImageGenerationConfig,
    ImageGenerationRequest,
    ImageInput,
    ValidationError,
    VideoGenerationConfig,
    VideoGenerationRequest,
)
from tarash_gateway.adapters.providers.luma import LumaProvider
from tests.conformance.capture import SdkRecorder, WireRequest, from_call, from_httpx
from tests.emulators import luma as emulator_schema
from tests.emulators.luma import LumaEmulator

KEY = "test-key"
FIRST = "https://example.com/first.jpg"
LAST = "https://example.com/last.jpg"
GENERATION = {"id": "8c6b6a44-1f0e-4bdc-9d65-6c8c1a9b2f10", "state": "queued"}


@pytest.fixture(scope="module")
def emulator() -> Iterator[LumaEmulator]:
    with LumaEmulator(job_seconds=0.05, api_key=KEY) as server:
        yield server


def sdk_request(call: Callable[[LumaAI], Any], status: int = 201) -> WireRequest:
    """The one request the official SDK makes for ``call`` (answered with a canned
    generation; the SDK's default base URL is kept, so the path prefix is the real one)."""

    def respond(request: httpx.Request) -> httpx.Response:
        if request.method == "DELETE":
            return httpx.Response(204)
        return httpx.Response(status, json=GENERATION)

    recorder = SdkRecorder(respond)
    with recorder.client() as http_client:
        call(LumaAI(auth_token=KEY, http_client=http_client, max_retries=0))
    (request,) = recorder.requests
    return from_httpx(request)


def video_config(emulator: LumaEmulator, model: str) -> VideoGenerationConfig:
    return VideoGenerationConfig(
        provider="luma", model=model, api_key=KEY, base_url=emulator.base_url, poll_interval=0.01
    )


async def adapter_submit(
    emulator: LumaEmulator, model: str, request: VideoGenerationRequest
) -> WireRequest:
    before = len(emulator.calls)
    await LumaProvider().submit_video(video_config(emulator, model), request)
    (call,) = emulator.calls[before:]
    assert call.operation == "submit"
    return from_call(call)


# -- video create -----------------------------------------------------------------------

Sdk = dict[str, Any]
RayModel = Literal["ray-2", "ray-flash-2"]
VIDEO_CASES: list[tuple[str, str, dict[str, Any], Sdk]] = [
    (
        "text only: Luma's defaults sent explicitly",
        "ray-2",
        {},
        {"duration": "5s", "resolution": "720p", "aspect_ratio": "16:9"},
    ),
    (
        "first frame",
        "ray-2",
        {"image_list": [ImageInput(image=FIRST, role="first_frame")]},
        {
            "duration": "5s",
            "resolution": "720p",
            "aspect_ratio": "16:9",
            "keyframes": {"frame0": {"type": "image", "url": FIRST}},
        },
    ),
    (
        "last frame",
        "ray-flash-2",
        {"image_list": [ImageInput(image=LAST, role="last_frame")]},
        {
            "duration": "5s",
            "resolution": "720p",
            "aspect_ratio": "16:9",
            "keyframes": {"frame1": {"type": "image", "url": LAST}},
        },
    ),
    (
        "both frames",
        "ray-2",
        {
            "image_list": [
                ImageInput(image=FIRST, role="first_frame"),
                ImageInput(image=LAST, role="last_frame"),
            ]
        },
        {
            "duration": "5s",
            "resolution": "720p",
            "aspect_ratio": "16:9",
            "keyframes": {
                "frame0": {"type": "image", "url": FIRST},
                "frame1": {"type": "image", "url": LAST},
            },
        },
    ),
    (
        "loop and callback_url (extras)",
        "ray-2",
        {"extra_params": {"loop": True, "callback_url": "https://hooks.example.com/luma"}},
        {
            "duration": "5s",
            "resolution": "720p",
            "aspect_ratio": "16:9",
            "loop": True,
            "callback_url": "https://hooks.example.com/luma",
        },
    ),
    (
        "camera concepts (extra)",
        "ray-flash-2",
        {"extra_params": {"concepts": [{"key": "dolly_zoom"}]}},
        {
            "duration": "5s",
            "resolution": "720p",
            "aspect_ratio": "16:9",
            "concepts": [{"key": "dolly_zoom"}],
        },
    ),
    (
        "extend a generation (keyframes extra, no frame images)",
        "ray-2",
        {"extra_params": {"keyframes": {"frame0": {"type": "generation", "id": "g-1"}}}},
        {
            "duration": "5s",
            "resolution": "720p",
            "aspect_ratio": "16:9",
            "keyframes": {"frame0": {"type": "generation", "id": "g-1"}},
        },
    ),
    *[
        (
            f"duration {seconds}s",
            model,
            {"duration_seconds": seconds},
            {"duration": f"{seconds}s", "resolution": "720p", "aspect_ratio": "16:9"},
        )
        for seconds in (5, 9)
        for model in ("ray-2", "ray-flash-2")
    ],
    *[
        (
            f"resolution {resolution}",
            "ray-flash-2",
            {"resolution": resolution},
            {"duration": "5s", "resolution": resolution, "aspect_ratio": "16:9"},
        )
        for resolution in ("720p", "1080p", "4k")
    ],
    *[
        (
            f"aspect {aspect}",
            "ray-2",
            {"aspect_ratio": aspect},
            {"duration": "5s", "resolution": "720p", "aspect_ratio": aspect},
        )
        for aspect in ("16:9", "9:16", "1:1", "4:3", "21:9")
    ],
    (
        "everything at once",
        "ray-2",
        {
            "duration_seconds": 9,
            "resolution": "4k",
            "aspect_ratio": "21:9",
            "image_list": [ImageInput(image=FIRST, role="first_frame")],
            "extra_params": {"loop": False},
        },
        {
            "duration": "9s",
            "resolution": "4k",
            "aspect_ratio": "21:9",
            "loop": False,
            "keyframes": {"frame0": {"type": "image", "url": FIRST}},
        },
    ),
]


@pytest.mark.parametrize(
    ("model", "unified", "sdk"),
    [case[1:] for case in VIDEO_CASES],
    ids=[case[0] for case in VIDEO_CASES],
)
@pytest.mark.parametrize("entry", ["generations.create", "generations.video.create"])
async def test_video_create_matches_the_sdk(
    emulator: LumaEmulator, entry: str, model: str, unified: dict[str, Any], sdk: Sdk
) -> None:
    ours = await adapter_submit(
        emulator, model, VideoGenerationRequest(prompt="a koi pond at dawn", **unified)
    )

    def create(client: LumaAI) -> Any:
        resource = client.generations if entry == "generations.create" else client.generations.video
        return resource.create(
            model=cast(RayModel, model), prompt="a koi pond at dawn", generation_type="video", **sdk
        )

    theirs = sdk_request(create)
    assert ours == theirs
    assert ours.path == "/dream-machine/v1/generations/video"  # not the list endpoint
    assert ours.auth_scheme == "Bearer"


NOT_IN_SDK = {"seed": 7, "enhance_prompt": True}
"""Unified fields with no Luma video field: the adapter sends nothing for them."""

REFUSED = {
    "generate_audio": True,
    "negative_prompt": "blur",
    "number_of_videos": 2,
    "video": "https://example.com/in.mp4",
}
"""Unified fields Luma video cannot honour: a 400 before any call."""

SDK_ONLY = {"resolution": "540p", "aspect_ratio": ("3:4", "9:21")}
"""SDK values outside the unified enums (and protected from extras)."""


@pytest.mark.parametrize(("field", "value"), list(NOT_IN_SDK.items()))
async def test_fields_luma_has_no_wire_field_for_are_not_sent(
    emulator: LumaEmulator, field: str, value: Any
) -> None:
    ours = await adapter_submit(
        emulator, "ray-2", VideoGenerationRequest(prompt="p", **{field: value})
    )
    plain = await adapter_submit(emulator, "ray-2", VideoGenerationRequest(prompt="p"))
    assert ours == plain
    assert field not in ours.body
    sdk_fields = get_type_hints(video_create_params.VideoCreateParams)
    assert field not in sdk_fields


@pytest.mark.parametrize(("field", "value"), list(REFUSED.items()))
async def test_fields_luma_cannot_honour_are_refused_before_any_call(
    emulator: LumaEmulator, field: str, value: Any
) -> None:
    before = len(emulator.calls)
    with pytest.raises(ValidationError) as caught:
        await LumaProvider().submit_video(
            video_config(emulator, "ray-2"), VideoGenerationRequest(prompt="p", **{field: value})
        )
    assert caught.value.param == field
    assert len(emulator.calls) == before


def test_sdk_only_values_are_outside_the_unified_api() -> None:
    unified = get_type_hints(VideoGenerationRequest)
    unified_resolutions = set(get_args(get_args(unified["resolution"])[0]))
    unified_aspects = set(get_args(get_args(unified["aspect_ratio"])[0]))
    assert SDK_ONLY["resolution"] not in unified_resolutions
    assert not set(SDK_ONLY["aspect_ratio"]) & unified_aspects
    sdk = get_type_hints(video_create_params.VideoCreateParams)
    assert SDK_ONLY["resolution"] in _literals(sdk["resolution"])
    assert set(SDK_ONLY["aspect_ratio"]) <= _literals(sdk["aspect_ratio"])


# -- the emulator's schema is the SDK's -------------------------------------------------


def _literals(annotation: Any) -> set[str]:
    """Every string Literal inside ``annotation`` (through Union/Required wrappers)."""
    if getattr(annotation, "__origin__", None) is Literal:
        return {arg for arg in get_args(annotation) if isinstance(arg, str)}
    found: set[str] = set()
    for arg in get_args(annotation):
        found |= _literals(arg)
    return found


def test_emulator_schema_is_the_sdk_schema() -> None:
    for params in (
        video_create_params.VideoCreateParams,
        generation_create_params.GenerationCreateParams,
    ):
        hints = get_type_hints(params)
        assert set(hints) == set(emulator_schema.VIDEO_SCHEMA)
        assert _literals(hints["model"]) == emulator_schema.VIDEO_MODELS
        assert _literals(hints["aspect_ratio"]) == emulator_schema.ASPECTS
        assert _literals(hints["duration"]) == emulator_schema.DURATIONS
        assert _literals(hints["resolution"]) == emulator_schema.RESOLUTIONS
    image = get_type_hints(image_create_params.ImageCreateParams)
    assert set(image) == set(emulator_schema.IMAGE_SCHEMA)
    assert _literals(image["model"]) == emulator_schema.IMAGE_MODELS
    assert _literals(image["aspect_ratio"]) == emulator_schema.ASPECTS
    assert _literals(image["format"]) == emulator_schema.IMAGE_FORMATS


# -- poll, delete, images ---------------------------------------------------------------


async def test_poll_and_delete_match_the_sdk(emulator: LumaEmulator) -> None:
    provider, config = LumaProvider(), video_config(emulator, "ray-2")
    job = await provider.submit_video(config, VideoGenerationRequest(prompt="p"))

    before = len(emulator.calls)
    await provider.poll_video(config, job.request_id)
    (poll,) = emulator.calls[before:]
    assert from_call(poll) == sdk_request(lambda c: c.generations.get(job.request_id), 200)

    before = len(emulator.calls)
    await provider.cancel_video(config, job.request_id)
    (delete,) = emulator.calls[before:]
    assert from_call(delete) == sdk_request(lambda c: c.generations.delete(job.request_id))


IMAGE_CASES: list[tuple[str, dict[str, Any], Sdk]] = [
    ("text only (Luma's 16:9 default, omitted)", {}, {}),
    ("aspect", {"aspect_ratio": "9:16"}, {"aspect_ratio": "9:16"}),
    ("size as an exact ratio", {"size": "1024x1024"}, {"aspect_ratio": "1:1"}),
    (
        "reference and style images",
        {
            "image_list": [
                ImageInput(image=FIRST, role="reference"),
                ImageInput(image=LAST, role="style"),
            ]
        },
        {"image_ref": [{"url": FIRST}], "style_ref": [{"url": LAST}]},
    ),
    ("format (extra)", {"extra_params": {"format": "png"}}, {"format": "png"}),
]


@pytest.mark.parametrize(
    ("unified", "sdk"), [case[1:] for case in IMAGE_CASES], ids=[case[0] for case in IMAGE_CASES]
)
@pytest.mark.parametrize("model", ["photon-1", "photon-flash-1"])
async def test_image_create_matches_the_sdk(
    emulator: LumaEmulator, model: str, unified: dict[str, Any], sdk: Sdk
) -> None:
    config = ImageGenerationConfig(
        provider="luma", model=model, api_key=KEY, base_url=emulator.base_url, poll_interval=0.01
    )
    before = len(emulator.calls)
    await LumaProvider().generate_image(
        config, ImageGenerationRequest(prompt="a teapot", **unified)
    )
    (create,) = [call for call in emulator.calls[before:] if call.operation == "image"]

    theirs = sdk_request(
        lambda c: c.generations.image.create(model=model, prompt="a teapot", **sdk)  # type: ignore[arg-type]
    )
    assert from_call(create) == theirs
    assert theirs.path == "/dream-machine/v1/generations/image"


def test_canned_generation_is_a_valid_sdk_generation() -> None:
    """The canned answer above parses as the SDK's Generation (a sanity check on it)."""
    from lumaai.types import Generation

    assert Generation.model_validate(json.loads(json.dumps(GENERATION))).state == "queued"
