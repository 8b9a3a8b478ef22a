"""One way for adapters to turn uploaded images into what their provider reads
(adapters/uploads.py, issue 15 item 5): the provider's own upload API first, else the
caller's publisher, else a 400 naming ``general_settings.public_url``; and the router
calls the hook for the deployment it chose, right before the paid submit."""

from __future__ import annotations

import asyncio
import base64
from collections.abc import Iterator

import httpx
import pytest

from tarash_gateway.adapters.errors import HTTPError, ValidationError
from tarash_gateway.adapters.models import ImageInput, VideoGenerationConfig, VideoGenerationRequest
from tarash_gateway.adapters.providers.luma import LumaProvider
from tarash_gateway.adapters.providers.replicate import ReplicateProvider
from tarash_gateway.adapters.uploads import images_as_urls, inline_image
from tarash_gateway.router.config import GatewayConfig
from tarash_gateway.router.loader import parse_config
from tarash_gateway.router.routing import Router
from tests.emulators.base import Fault
from tests.emulators.luma import LumaEmulator
from tests.emulators.replicate import ReplicateEmulator

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 24
DATA_URI = "data:image/png;base64," + base64.b64encode(PNG).decode()


class FakePublisher:
    """Hands out one URL per publish and remembers what it was given. (mypy checks that
    it is a ``Publisher`` wherever it is passed as one.)"""

    def __init__(self) -> None:
        self.published: list[tuple[bytes, str]] = []

    async def publish(self, data: bytes, content_type: str) -> str:
        self.published.append((data, content_type))
        return f"https://gw.example.com/v1/inputs/{len(self.published)}.png"


def _request(*images: ImageInput) -> VideoGenerationRequest:
    return VideoGenerationRequest(prompt="a lighthouse", image_list=list(images))


def test_inline_images_are_decoded_and_urls_are_not() -> None:
    assert inline_image("https://example.com/a.png") is None
    found = inline_image(DATA_URI)
    assert found is not None
    assert found.data == PNG
    assert found.content_type == "image/png"
    raw = inline_image(base64.b64encode(b"\xff\xd8\xff\xe0rest").decode())
    assert raw is not None
    assert raw.content_type == "image/jpeg"
    assert inline_image("data:image/png,not-base64") is None
    assert inline_image("not base64 at all!") is None


def test_a_request_without_uploads_comes_back_unchanged() -> None:
    request = _request(ImageInput(image="https://example.com/a.png", role="first_frame"))
    result = asyncio.run(images_as_urls(request, provider="p", model="m", publisher=None))
    assert result is request


def test_the_publisher_serves_uploads_and_the_same_bytes_once() -> None:
    publisher = FakePublisher()
    request = _request(
        ImageInput(image=DATA_URI, role="first_frame"),
        ImageInput(image="https://example.com/b.png", role="last_frame"),
        ImageInput(image=DATA_URI, role="reference"),
    )
    result = asyncio.run(images_as_urls(request, provider="p", model="m", publisher=publisher))
    assert publisher.published == [(PNG, "image/png")]
    assert [image.image for image in result.image_list] == [
        "https://gw.example.com/v1/inputs/1.png",
        "https://example.com/b.png",
        "https://gw.example.com/v1/inputs/1.png",
    ]
    assert [image.role for image in result.image_list] == ["first_frame", "last_frame", "reference"]


def test_the_providers_own_upload_comes_before_the_publisher() -> None:
    publisher = FakePublisher()
    seen: list[tuple[bytes, str]] = []

    async def upload(data: bytes, content_type: str) -> str:
        seen.append((data, content_type))
        return "https://provider.example.com/files/1"

    request = _request(ImageInput(image=DATA_URI, role="first_frame"))
    result = asyncio.run(
        images_as_urls(request, provider="p", model="m", publisher=publisher, upload=upload)
    )
    assert seen == [(PNG, "image/png")]
    assert publisher.published == []
    assert result.image_list[0].image == "https://provider.example.com/files/1"


def test_with_neither_the_refusal_names_both_ways_out() -> None:
    request = _request(ImageInput(image=DATA_URI, role="first_frame"))
    with pytest.raises(ValidationError) as caught:
        asyncio.run(images_as_urls(request, provider="luma", model="ray-2", publisher=None))
    error = caught.value
    assert error.param == "input_reference"
    assert "general_settings.public_url" in error.message
    assert "input_reference[image_url]" in error.message
    assert "luma" in error.message
    assert "first_frame" in error.message


# -- adapters ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def luma() -> Iterator[LumaEmulator]:
    with LumaEmulator(job_seconds=0.2) as emulator:
        yield emulator


@pytest.fixture(scope="module")
def replicate() -> Iterator[ReplicateEmulator]:
    with ReplicateEmulator(job_seconds=0.2) as emulator:
        yield emulator


def _video_config(provider: str, model: str, base_url: str) -> VideoGenerationConfig:
    return VideoGenerationConfig(
        provider=provider, model=model, api_key="test-key", base_url=base_url
    )


def test_replicate_uploads_to_its_files_api(replicate: ReplicateEmulator) -> None:
    config = _video_config("replicate", "google/veo-3", replicate.base_url)
    request = _request(ImageInput(image=DATA_URI, role="first_frame"))
    publisher = FakePublisher()
    prepared = asyncio.run(ReplicateProvider().prepare_images(config, request, publisher))
    url = prepared.image_list[0].image
    (record, data), *_ = [
        found for found in replicate.files.values() if found[0]["urls"]["get"] == url
    ]
    assert data == PNG
    assert record["content_type"] == "image/png"
    assert record["name"] == "input.png"
    assert publisher.published == []  # its own API, not the gateway's links


def test_a_failed_replicate_upload_is_classified(replicate: ReplicateEmulator) -> None:
    config = _video_config("replicate", "google/veo-3", replicate.base_url)
    replicate.fail_next("upload", Fault(status=503, body={"detail": "busy", "status": 503}))
    request = _request(ImageInput(image=DATA_URI, role="first_frame"))
    with pytest.raises(HTTPError) as caught:
        asyncio.run(ReplicateProvider().prepare_images(config, request, None))
    assert caught.value.status_code == 503
    assert caught.value.is_retryable


def test_the_replicate_emulator_refuses_a_file_without_content(
    replicate: ReplicateEmulator,
) -> None:
    headers = {"authorization": "Bearer test-key"}
    empty = httpx.post(
        f"{replicate.base_url}/v1/files", headers=headers, files={"other": ("a", b"x")}
    )
    assert empty.status_code == 422
    missing = httpx.post(
        f"{replicate.base_url}/v1/files", headers=headers, data={"metadata": "{}"}, files={}
    )
    assert missing.status_code in (400, 422)
    assert httpx.get(f"{replicate.base_url}/v1/files/nope", headers=headers).status_code == 404


def test_luma_uses_the_publisher(luma: LumaEmulator) -> None:
    config = _video_config("luma", "ray-2", luma.base_url)
    publisher = FakePublisher()
    request = _request(ImageInput(image=DATA_URI, role="first_frame"))
    prepared = asyncio.run(LumaProvider().prepare_images(config, request, publisher))
    assert prepared.image_list[0].image == "https://gw.example.com/v1/inputs/1.png"


# -- through the router (the library path and the gateway's) -----------------------------


def _router_config(luma: LumaEmulator) -> GatewayConfig:
    return parse_config(
        f"""
model_list:
  - model_name: clip
    params: {{provider: luma, model: ray-2, api_key: test-key, base_url: "{luma.base_url}"}}
general_settings:
  master_key: sk-test
"""
    )


def test_the_router_publishes_right_before_the_submit(luma: LumaEmulator) -> None:
    publisher = FakePublisher()
    router = Router(_router_config(luma), publisher=publisher)
    before = len(luma.calls_of("submit"))
    request = _request(ImageInput(image=DATA_URI, role="first_frame"))
    submission = asyncio.run(router.submit("clip", request))
    assert submission.job.request_id
    assert publisher.published == [(PNG, "image/png")]
    body = luma.calls_of("submit")[before].body
    assert body["keyframes"]["frame0"]["url"] == "https://gw.example.com/v1/inputs/1.png"


def test_the_library_router_refuses_uploads_for_luma_without_a_call(luma: LumaEmulator) -> None:
    router = Router(_router_config(luma))  # no publisher: the library path
    before = len(luma.calls)
    request = _request(ImageInput(image=DATA_URI, role="first_frame"))
    with pytest.raises(ValidationError) as caught:
        asyncio.run(router.submit("clip", request))
    assert "general_settings.public_url" in caught.value.message
    assert len(luma.calls) == before


def test_a_request_luma_refuses_publishes_nothing(luma: LumaEmulator) -> None:
    config = _video_config("luma", "ray-2", luma.base_url)
    publisher = FakePublisher()
    request = _request(ImageInput(image=DATA_URI, role="first_frame")).model_copy(
        update={"negative_prompt": "rain"}
    )
    with pytest.raises(ValidationError, match="negative prompt"):
        asyncio.run(LumaProvider().prepare_images(config, request, publisher))
    assert publisher.published == []


def test_a_request_replicate_refuses_uploads_nothing(replicate: ReplicateEmulator) -> None:
    config = _video_config("replicate", "google/veo-3", replicate.base_url)
    before = len(replicate.calls_of("upload"))
    request = _request(ImageInput(image=DATA_URI, role="first_frame")).model_copy(
        update={"number_of_videos": 2}
    )
    with pytest.raises(ValidationError):
        asyncio.run(ReplicateProvider().prepare_images(config, request, None))
    assert len(replicate.calls_of("upload")) == before
