"""The azure adapter against Azure's own clients and reference, call for call.

- The v1 videos API (``provider_config.api: videos``, the default): the official SDK's
  ``openai.AzureOpenAI(api_key=..., base_url="{endpoint}/openai/v1", api_version=...)``
  (openai 3.60), driven through :class:`SdkRecorder`, against what the adapter sent to
  the strict :class:`AzureEmulator`: method, path, ``api-version`` query, the ``api-key``
  header (no bearer token) and the body.
- The preview jobs API (``api: preview-jobs``), which no SDK covers: Microsoft's
  documented requests, in ``fixtures/azure/video_generation_jobs.json`` (URLs and date
  inside). Differences are named: :data:`EXPLICIT_DEFAULTS`, :data:`NOT_IN_THE_UNIFIED_API`.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, cast

import httpx
import openai
import pytest
from openai.types import VideoSeconds, VideoSize

from tarash_gateway.adapters.media import SAMPLE_THUMBNAIL
from tarash_gateway.adapters.models import (
    ImageGenerationConfig,
    ImageGenerationRequest,
    ImageInput,
    VideoGenerationConfig,
    VideoGenerationRequest,
)
from tarash_gateway.adapters.providers.azure import AzureProvider
from tests.conformance.capture import SdkRecorder, WireRequest, from_call
from tests.conformance.multipart import sdk_wire
from tests.emulators.azure import AzureEmulator
from tests.emulators.openai import png_frame

KEY = "test-key"
KEY_HEADERS = ("api-key",)
FIXTURE = json.loads(
    (Path(__file__).parent / "fixtures" / "azure" / "video_generation_jobs.json").read_text()
)
IMAGE = SAMPLE_THUMBNAIL.read_bytes()
IMAGE_DATA_URL = "data:image/jpeg;base64," + base64.b64encode(IMAGE).decode()
FRAME = png_frame(1280, 720)
"""A first frame at exactly the video's size (1280x720), which Sora requires."""
FRAME_DATA_URL = "data:image/png;base64," + base64.b64encode(FRAME).decode()
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

EXPLICIT_DEFAULTS = {"n_variants": 1}
"""The adapter always sends the variant count (the unified request always has one); 1 is
the reference's default, which Microsoft's text example leaves out."""
NOT_IN_THE_UNIFIED_API = ("crop_bounds",)
"""Microsoft's image example crops the input; a unified first frame has no crop, so the
adapter's ``inpaint_items`` entry has none (the whole image is used)."""


@pytest.fixture(scope="module")
def running() -> Iterator[AzureEmulator]:
    with AzureEmulator(job_seconds=0, api_key=KEY) as emulator:
        yield emulator


@pytest.fixture
def emulator(running: AzureEmulator) -> AzureEmulator:
    running.calls.clear()
    running.accepted_extras = set()
    running.deployment_families = {}
    running.next_job_outcome = "success"
    return running


def config(emulator: AzureEmulator, model: str = "sora-2", **extra: Any) -> VideoGenerationConfig:
    return VideoGenerationConfig(
        provider="azure", model=model, base_url=emulator.base_url, api_key=KEY, **extra
    )


def sdk_request(
    emulator: AzureEmulator,
    call: Callable[[openai.AzureOpenAI], object],
    *,
    api_version: str = "preview",
    answer: dict[str, Any] | None = None,
) -> httpx.Request:
    recorder = SdkRecorder(lambda _: httpx.Response(200, json=answer or VIDEO))
    client = openai.AzureOpenAI(
        api_key=KEY,
        base_url=f"{emulator.base_url}/openai/v1",
        api_version=api_version,
        # Typed as an httpx2 client; openai 3.60 takes the legacy httpx one SdkRecorder gives.
        http_client=cast(Any, recorder.client()),
        max_retries=0,
    )
    call(client)
    (request,) = recorder.requests
    return request


def ours(emulator: AzureEmulator, operation: str) -> WireRequest:
    (call,) = emulator.calls_of(operation)
    return from_call(call, KEY_HEADERS)


# -- the v1 videos API, against AzureOpenAI ---------------------------------------------


@pytest.mark.parametrize(
    ("seconds", "aspect", "size"),
    [(s, a, z) for s in (4, 8, 12) for a, z in (("9:16", "720x1280"), ("16:9", "1280x720"))],
)
async def test_create_matches_azure_openai(
    emulator: AzureEmulator, seconds: int, aspect: str, size: str
) -> None:
    request = VideoGenerationRequest(
        prompt="a lighthouse at dawn",
        duration_seconds=seconds,
        resolution="720p",
        aspect_ratio=aspect,
    )
    await AzureProvider().submit_video(config(emulator), request)
    expected = await sdk_wire(
        sdk_request(
            emulator,
            lambda c: c.videos.create(
                prompt="a lighthouse at dawn",
                model="sora-2",
                seconds=cast(VideoSeconds, str(seconds)),
                size=cast(VideoSize, size),
            ),
        ),
        KEY_HEADERS,
    )
    got = ours(emulator, "submit")
    assert got == expected
    assert got.auth_scheme == "header:api-key"
    assert got.query == {"api-version": "preview"}
    (call,) = emulator.calls_of("submit")
    assert "authorization" not in call.headers  # the key never travels as a bearer token


async def test_create_with_a_first_frame_and_a_named_api_version(emulator: AzureEmulator) -> None:
    request = VideoGenerationRequest(
        prompt="a lighthouse at dawn",
        duration_seconds=8,
        resolution="720p",
        aspect_ratio="16:9",
        image_list=[ImageInput(image=FRAME_DATA_URL, role="first_frame")],
    )
    await AzureProvider().submit_video(
        config(emulator, "prod-video", api_version="2025-04-01-preview"), request
    )
    expected = await sdk_wire(
        sdk_request(
            emulator,
            lambda c: c.videos.create(
                prompt="a lighthouse at dawn",
                model="prod-video",
                seconds="8",
                size="1280x720",
                input_reference=("input_reference.png", FRAME, "image/png"),
            ),
            api_version="2025-04-01-preview",
        ),
        KEY_HEADERS,
    )
    assert ours(emulator, "submit") == expected


async def _video(emulator: AzureEmulator) -> str:
    job = await AzureProvider().submit_video(
        config(emulator), VideoGenerationRequest(prompt="a lighthouse at dawn")
    )
    emulator.calls.clear()
    return job.request_id


async def test_retrieve_remix_and_delete_match_azure_openai(emulator: AzureEmulator) -> None:
    provider = AzureProvider()
    video_id = await _video(emulator)
    await provider.poll_video(config(emulator), video_id)
    retrieve = sdk_request(emulator, lambda c: c.videos.retrieve(video_id))
    assert ours(emulator, "status") == await sdk_wire(retrieve, KEY_HEADERS)

    request = VideoGenerationRequest(prompt="at dusk")
    await provider.remix_video(config(emulator), video_id, request)
    remix = sdk_request(emulator, lambda c: c.videos.remix(video_id, prompt="at dusk"))
    assert ours(emulator, "remix") == await sdk_wire(remix, KEY_HEADERS)

    await provider.cancel_video(config(emulator), video_id)
    deleted = {"id": video_id, "object": "video.deleted", "deleted": True}
    delete = sdk_request(emulator, lambda c: c.videos.delete(video_id), answer=deleted)
    assert ours(emulator, "cancel") == await sdk_wire(delete, KEY_HEADERS)


# -- the preview jobs API, against Microsoft's reference ---------------------------------


PREVIEW = {"api": "preview-jobs"}


async def test_jobs_text_prompt_is_microsofts_example(emulator: AzureEmulator) -> None:
    example = FIXTURE["text_prompt"]
    request = VideoGenerationRequest(
        prompt=example["body"]["prompt"],
        duration_seconds=example["body"]["n_seconds"],
        resolution="480p",
        aspect_ratio="1:1",
    )
    await AzureProvider().submit_video(config(emulator, "sora", provider_config=PREVIEW), request)
    got = ours(emulator, "submit")
    assert (got.method, got.path, got.query) == (
        example["method"],
        example["path"],
        example["query"],
    )
    assert got.auth_scheme == "header:api-key"
    assert got.body == {**example["body"], **EXPLICIT_DEFAULTS}


async def test_jobs_image_prompt_is_microsofts_multipart_example(
    emulator: AzureEmulator,
) -> None:
    example = FIXTURE["image_prompt"]
    form = example["form"]
    request = VideoGenerationRequest(
        prompt=form["prompt"],
        duration_seconds=int(form["n_seconds"]),
        resolution="1080p",
        aspect_ratio="16:9",
        image_list=[ImageInput(image=IMAGE_DATA_URL, role="first_frame")],
    )
    await AzureProvider().submit_video(config(emulator, "sora", provider_config=PREVIEW), request)
    (call,) = emulator.calls_of("submit")
    assert (call.method, call.path) == (example["method"], example["path"])
    assert call.headers["content-type"].startswith("multipart/form-data")
    body = dict(call.body)
    items = json.loads(body.pop("inpaint_items"))
    upload = body.pop("files")
    assert body == {key: value for key, value in form.items() if key != "inpaint_items"}
    (documented,) = form["inpaint_items"]
    (item,) = items
    dropped = {key: value for key, value in documented.items() if key not in item}
    assert set(dropped) == set(NOT_IN_THE_UNIFIED_API)
    assert {key: documented[key] for key in ("frame_index", "type")} == {
        key: item[key] for key in ("frame_index", "type")
    }
    # The item names the uploaded file, as in Microsoft's example.
    assert item["file_name"] == upload["filename"]
    assert upload["content_type"] == example["files"][0]["content_type"]


def test_the_documented_job_answer_is_understood() -> None:
    cfg = VideoGenerationConfig(provider="azure", model="sora", api_key=KEY, base_url="http://h")
    job = FIXTURE["created_job"]
    progress = AzureProvider()._job_progress(cfg, job["id"], job)
    assert (progress.status, progress.progress) == ("queued", 0)
    stages = [
        AzureProvider()._job_progress(cfg, job["id"], {**job, "status": s}).status
        for s in FIXTURE["status_sequence"]
    ]
    assert stages == ["queued", "in_progress", "in_progress", "completed"]


# -- images on the v1 surface -----------------------------------------------------------

AZURE_OPENAI_REWRITES_IMAGES = "/deployments/"
"""``openai.AzureOpenAI`` posts images to ``…/deployments/{model}/images/generations``
(openai 3.60 ``lib/azure.py`` ``_deployments_endpoints``), the pre-v1 layout. Microsoft's
v1 reference has ``POST {endpoint}/openai/v1/images/generations?api-version=preview``
with the deployment as ``model``, which is what the adapter (the plain ``openai`` client
on the v1 base URL) sends; the body and query are AzureOpenAI's. That client also
carries the key as a bearer token next to ``api-key`` (Microsoft's own v1 examples use
the plain client, which sends only the bearer token, so the v1 surface takes both)."""


async def test_images_go_to_the_v1_path_with_azure_openais_body(emulator: AzureEmulator) -> None:
    images = {"created": 1, "data": [{"b64_json": base64.b64encode(IMAGE).decode()}]}
    cfg = ImageGenerationConfig(
        provider="azure", model="gpt-image-1", base_url=emulator.base_url, api_key=KEY
    )
    await AzureProvider().generate_image(
        cfg, ImageGenerationRequest(prompt="a fox", size="1024x1024")
    )
    expected = await sdk_wire(
        sdk_request(
            emulator,
            lambda c: c.images.generate(prompt="a fox", model="gpt-image-1", size="1024x1024", n=1),
            answer=images,
        ),
        KEY_HEADERS,
    )
    got = ours(emulator, "image")
    assert AZURE_OPENAI_REWRITES_IMAGES in expected.path
    assert got.path == expected.path.replace("/deployments/gpt-image-1", "")
    assert (got.method, got.query, got.body) == (expected.method, expected.query, expected.body)
    (call,) = emulator.calls_of("image")
    assert call.headers["api-key"] == KEY
    assert got.auth_scheme == "Bearer"  # the named difference above
