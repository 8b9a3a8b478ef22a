"""The openai adapter sends what the official ``openai`` SDK (3.60) sends, call for call.

The SDK is driven through :class:`SdkRecorder` (nothing leaves the machine); the adapter
runs against the strict :class:`OpenAIEmulator`, whose recorded calls are compared with
the SDK's requests: method, path, query, auth scheme and body (multipart bodies parsed
the same way on both sides, so boundaries and field order do not matter).

Where the two cannot be the same, the difference is named and asserted below:
:data:`SDK_CANNOT_TAKE_AN_IMAGE_URL_OBJECT`, :data:`NOT_IN_THE_SORA_API`,
:data:`DEFAULTS_MAY_BE_EXPLICIT`.
"""

from __future__ import annotations

import base64
from collections.abc import Callable, Iterator
from typing import Any, cast

import httpx
import openai
import pytest

from tarash_gateway.adapters.errors import ValidationError
from tarash_gateway.adapters.media import SAMPLE_THUMBNAIL
from tarash_gateway.adapters.models import (
    ImageGenerationConfig,
    ImageGenerationRequest,
    ImageInput,
    VideoGenerationConfig,
    VideoGenerationRequest,
)
from tarash_gateway.adapters.providers.openai import OpenAIProvider
from tests.conformance.capture import SdkRecorder, WireRequest, from_call
from tests.conformance.multipart import sdk_wire
from tests.emulators.openai import OpenAIEmulator, png_frame

KEY = "test-key"
IMAGE = SAMPLE_THUMBNAIL.read_bytes()
IMAGE_DATA_URL = "data:image/jpeg;base64," + base64.b64encode(IMAGE).decode()
FRAME = png_frame(1280, 720)
"""A first frame at exactly the video's size (1280x720), which Sora requires."""
FRAME_DATA_URL = "data:image/png;base64," + base64.b64encode(FRAME).decode()
IMAGE_URL = "https://images.example/first.jpg"
VIDEO = {
    "id": "video_1",
    "object": "video",
    "model": "sora-2",
    "status": "completed",
    "progress": 100,
    "created_at": 1,
    "seconds": "4",
    "size": "720x1280",
}

SDK_CANNOT_TAKE_AN_IMAGE_URL_OBJECT = True
"""openai 3.60's ``videos.create(input_reference={"image_url": ...})`` raises (it takes
only a file there, though the type allows the object), so an image URL goes through
``extra_body``, which the SDK sends as ``input_reference[image_url]``: what the adapter
sends too."""
NOT_IN_THE_SORA_API = ("seed", "negative_prompt", "generate_audio", "enhance_prompt")
"""Unified fields the videos API has no parameter for (Sora always makes audio): the SDK
cannot express them and the adapter leaves them out for Sora models."""
DEFAULTS_MAY_BE_EXPLICIT = {"seconds": "4", "size": "720x1280"}
"""The API's defaults. A request naming no duration or size may reach the upstream with
these filled in (the gateway fills table defaults in) or without them; both are the
same request to the API."""

SORA_2_SIZES = {("720p", "9:16"): "720x1280", ("720p", "16:9"): "1280x720"}
SORA_2_PRO_SIZES = {
    **SORA_2_SIZES,
    ("1080p", "9:16"): "1024x1792",
    ("1080p", "16:9"): "1792x1024",
}


@pytest.fixture(scope="module")
def running() -> Iterator[OpenAIEmulator]:
    with OpenAIEmulator(job_seconds=0, api_key=KEY) as emulator:
        yield emulator


@pytest.fixture
def emulator(running: OpenAIEmulator) -> OpenAIEmulator:
    running.calls.clear()
    running.accepted_extras = set()
    running.next_job_outcome = "success"
    return running


def config(emulator: OpenAIEmulator, model: str = "sora-2") -> VideoGenerationConfig:
    return VideoGenerationConfig(
        provider="openai", model=model, base_url=emulator.base_url, api_key=KEY
    )


def sdk_request(
    emulator: OpenAIEmulator,
    call: Callable[[openai.OpenAI], object],
    answer: dict[str, Any] | None = None,
) -> httpx.Request:
    """The one HTTP request the SDK makes for ``call`` (answered with ``answer``)."""
    recorder = SdkRecorder(lambda _: httpx.Response(200, json=answer or VIDEO))
    client = openai.OpenAI(
        api_key=KEY,
        base_url=f"{emulator.base_url}/v1",
        # openai 3.60 types http_client as an httpx2 client but takes a legacy httpx one
        # (openai/_httpx2.py), which is what SdkRecorder gives.
        http_client=cast(Any, recorder.client()),
        max_retries=0,
    )
    call(client)
    (request,) = recorder.requests
    return request


def ours(emulator: OpenAIEmulator, operation: str) -> WireRequest:
    (call,) = emulator.calls_of(operation)
    return from_call(call)


async def submit(emulator: OpenAIEmulator, model: str, **fields: Any) -> WireRequest:
    request = VideoGenerationRequest(prompt="a lighthouse at dawn", **fields)
    await OpenAIProvider().submit_video(config(emulator, model), request)
    return ours(emulator, "submit")


def sdk_create(emulator: OpenAIEmulator, **arguments: Any) -> Callable[[], httpx.Request]:
    return lambda: sdk_request(
        emulator, lambda client: client.videos.create(prompt="a lighthouse at dawn", **arguments)
    )


# -- create: every seconds and size value ---------------------------------------------


CASES = [
    ("sora-2", seconds, resolution, aspect, size)
    for seconds in (4, 8, 12)
    for (resolution, aspect), size in SORA_2_SIZES.items()
] + [
    ("sora-2-pro", seconds, resolution, aspect, size)
    for seconds in (4, 8, 12)
    for (resolution, aspect), size in SORA_2_PRO_SIZES.items()
]


@pytest.mark.parametrize(("model", "seconds", "resolution", "aspect", "size"), CASES)
async def test_create_with_each_seconds_and_size(
    emulator: OpenAIEmulator, model: str, seconds: int, resolution: str, aspect: str, size: str
) -> None:
    expected = await sdk_wire(sdk_create(emulator, model=model, seconds=str(seconds), size=size)())
    got = await submit(
        emulator, model, duration_seconds=seconds, resolution=resolution, aspect_ratio=aspect
    )
    assert got == expected
    assert (got.method, got.path, got.auth_scheme) == ("POST", "/v1/videos", "Bearer")
    assert got.body["seconds"] == str(seconds)  # a string enum, never an integer


async def test_text_only_with_nothing_named(emulator: OpenAIEmulator) -> None:
    expected = await sdk_wire(sdk_create(emulator, model="sora-2")())
    got = await submit(emulator, "sora-2")
    extra = {key: got.body[key] for key in got.body if key not in expected.body}
    assert extra.items() <= DEFAULTS_MAY_BE_EXPLICIT.items()
    assert {k: v for k, v in got.body.items() if k not in extra} == expected.body
    assert (got.method, got.path, got.query, got.auth_scheme) == (
        expected.method,
        expected.path,
        expected.query,
        expected.auth_scheme,
    )


async def test_the_sdk_always_sends_create_as_multipart(emulator: OpenAIEmulator) -> None:
    request = sdk_create(emulator, model="sora-2")()
    assert request.headers["content-type"].startswith("multipart/form-data")
    await submit(emulator, "sora-2")
    (call,) = emulator.calls_of("submit")
    assert call.headers["content-type"].startswith("multipart/form-data")


# -- create: the first frame ---------------------------------------------------------


async def test_first_frame_inline_is_a_file_upload(emulator: OpenAIEmulator) -> None:
    expected = await sdk_wire(
        sdk_create(
            emulator,
            model="sora-2",
            seconds="8",
            size="1280x720",
            input_reference=("input_reference.png", FRAME, "image/png"),
        )()
    )
    got = await submit(
        emulator,
        "sora-2",
        duration_seconds=8,
        resolution="720p",
        aspect_ratio="16:9",
        image_list=[ImageInput(image=FRAME_DATA_URL, role="first_frame")],
    )
    assert got == expected
    assert got.body["input_reference"]["content_type"] == "image/png"


async def test_first_frame_url_is_an_image_url_reference(emulator: OpenAIEmulator) -> None:
    assert SDK_CANNOT_TAKE_AN_IMAGE_URL_OBJECT
    with pytest.raises(RuntimeError, match="input_reference"):
        sdk_create(emulator, model="sora-2", input_reference={"image_url": IMAGE_URL})()
    expected = await sdk_wire(
        sdk_create(
            emulator,
            model="sora-2",
            seconds="4",
            size="720x1280",
            extra_body={"input_reference": {"image_url": IMAGE_URL}},
        )()
    )
    got = await submit(
        emulator,
        "sora-2",
        duration_seconds=4,
        resolution="720p",
        aspect_ratio="9:16",
        image_list=[ImageInput(image=IMAGE_URL, role="first_frame")],
    )
    assert got == expected
    assert got.body["input_reference[image_url]"] == IMAGE_URL


async def test_last_frame_is_refused_before_any_call(emulator: OpenAIEmulator) -> None:
    with pytest.raises(ValidationError) as caught:
        await submit(
            emulator, "sora-2", image_list=[ImageInput(image=IMAGE_URL, role="last_frame")]
        )
    assert caught.value.param == "image_list"
    assert emulator.calls == []


# -- fields the Sora API does not have -------------------------------------------------


async def test_seed_audio_and_negative_prompt_are_not_sent_to_sora(
    emulator: OpenAIEmulator,
) -> None:
    expected = await sdk_wire(sdk_create(emulator, model="sora-2", seconds="4")())
    got = await submit(
        emulator,
        "sora-2",
        duration_seconds=4,
        seed=7,
        negative_prompt="text",
        generate_audio=True,
        enhance_prompt=True,
    )
    assert not set(NOT_IN_THE_SORA_API) & set(got.body)
    extra = {key: got.body[key] for key in got.body if key not in expected.body}
    assert extra.items() <= DEFAULTS_MAY_BE_EXPLICIT.items()


async def test_a_generic_upstream_gets_them_as_the_sdk_extra_body_sends_them(
    emulator: OpenAIEmulator,
) -> None:
    emulator.accepted_extras = {"seed", "negative_prompt", "generate_audio"}
    expected = await sdk_wire(
        sdk_create(
            emulator,
            model="acme-video-1",
            seconds="5",
            size="1920x1080",
            extra_body={"negative_prompt": "text", "seed": 7, "generate_audio": False},
        )()
    )
    got = await submit(
        emulator,
        "acme-video-1",
        duration_seconds=5,
        resolution="1080p",
        aspect_ratio="16:9",
        seed=7,
        negative_prompt="text",
        generate_audio=False,
    )
    assert got == expected
    assert got.body["generate_audio"] == "false"  # form values are strings, as the SDK's


# -- the other video calls -------------------------------------------------------------


async def _finished_video(emulator: OpenAIEmulator) -> str:
    job = await OpenAIProvider().submit_video(
        config(emulator), VideoGenerationRequest(prompt="a lighthouse at dawn")
    )
    emulator.calls.clear()
    return job.request_id


async def test_retrieve(emulator: OpenAIEmulator) -> None:
    video_id = await _finished_video(emulator)
    await OpenAIProvider().poll_video(config(emulator), video_id)
    expected = await sdk_wire(sdk_request(emulator, lambda c: c.videos.retrieve(video_id)))
    assert ours(emulator, "status") == expected


async def test_remix(emulator: OpenAIEmulator) -> None:
    video_id = await _finished_video(emulator)
    request = VideoGenerationRequest(prompt="the same scene at dusk")
    await OpenAIProvider().remix_video(config(emulator), video_id, request)
    expected = await sdk_wire(
        sdk_request(emulator, lambda c: c.videos.remix(video_id, prompt="the same scene at dusk"))
    )
    got = ours(emulator, "remix")
    assert got == expected
    assert got.body == {"prompt": "the same scene at dusk"}


async def test_delete(emulator: OpenAIEmulator) -> None:
    video_id = await _finished_video(emulator)
    await OpenAIProvider().cancel_video(config(emulator), video_id)
    deleted = {"id": video_id, "object": "video.deleted", "deleted": True}
    expected = await sdk_wire(sdk_request(emulator, lambda c: c.videos.delete(video_id), deleted))
    assert ours(emulator, "cancel") == expected


# -- images (the adapter calls the SDK itself; this pins what reaches the wire) -----------


IMAGES = {"created": 1, "data": [{"b64_json": base64.b64encode(IMAGE).decode()}]}


@pytest.mark.parametrize(
    ("model", "unified", "sdk"),
    [
        (
            "gpt-image-1",
            {"aspect_ratio": "16:9", "quality": "high", "n": 2},
            {"size": "1536x1024", "quality": "high", "n": 2},
        ),
        (
            "dall-e-3",
            {"size": "1792x1024", "style": "vivid"},
            {"size": "1792x1024", "style": "vivid", "n": 1},
        ),
    ],
)
async def test_images_generate(
    emulator: OpenAIEmulator, model: str, unified: dict[str, Any], sdk: dict[str, Any]
) -> None:
    cfg = ImageGenerationConfig(
        provider="openai", model=model, base_url=emulator.base_url, api_key=KEY
    )
    await OpenAIProvider().generate_image(cfg, ImageGenerationRequest(prompt="a fox", **unified))
    arguments = {"n": 1, **sdk}
    expected = await sdk_wire(
        sdk_request(
            emulator,
            lambda c: c.images.generate(prompt="a fox", model=model, **arguments),
            IMAGES,
        )
    )
    assert ours(emulator, "image") == expected
