"""The openai provider against the OpenAI-videos-API emulator, at the HTTP level."""

from __future__ import annotations

import asyncio
import base64
import re
import time
from collections.abc import Iterator
from typing import Any, cast

import httpx
import openai
import pytest
from starlette.requests import Request
from starlette.responses import Response

from tarash_gateway.adapters.errors import (
    ContentModerationError,
    GenerationFailedError,
    HTTPError,
    ProviderAuthenticationError,
    ProviderConnectionError,
    RateLimitError,
    ValidationError,
)
from tarash_gateway.adapters.field_mappers import get_provider_field_mapping, lookup_mapping
from tarash_gateway.adapters.http import classify_status
from tarash_gateway.adapters.media import SAMPLE_THUMBNAIL, SAMPLE_VIDEO
from tarash_gateway.adapters.models import (
    ImageGenerationConfig,
    ImageGenerationRequest,
    ImageInput,
    ProgressUpdate,
    VideoGenerationConfig,
    VideoGenerationRequest,
)
from tarash_gateway.adapters.polling import follow_job, run_video_job
from tarash_gateway.adapters.providers import openai as openai_module
from tarash_gateway.adapters.providers.image_size import image_size
from tarash_gateway.adapters.providers.openai import OpenAIProvider
from tarash_gateway.adapters.providers.openai_errors import is_moderation
from tarash_gateway.adapters.providers.openai_forms import create_form
from tarash_gateway.adapters.providers.openai_models import GENERIC, SORA_2, SORA_2_PRO
from tarash_gateway.adapters.providers.openai_shutdown import config_warnings
from tarash_gateway.adapters.sizes import describe_size, formula_size
from tests.emulators.base import Fault
from tests.emulators.openai import OpenAIEmulator, error_body, png_frame
from tests.servers import free_port

IMAGE_BYTES = SAMPLE_THUMBNAIL.read_bytes()
IMAGE_DATA_URL = "data:image/jpeg;base64," + base64.b64encode(IMAGE_BYTES).decode()
FRAME = png_frame(1280, 720)
"""A first frame at exactly 1280x720: Sora takes a first frame only at the video's size."""
FRAME_DATA_URL = "data:image/png;base64," + base64.b64encode(FRAME).decode()


@pytest.fixture(scope="module")
def running() -> Iterator[OpenAIEmulator]:
    with OpenAIEmulator(job_seconds=0.2) as emulator:
        yield emulator


@pytest.fixture
def emulator(running: OpenAIEmulator) -> OpenAIEmulator:
    running.calls.clear()
    running.faults.clear()
    running.next_job_outcome = "success"
    running.moderation_at = "submit"
    running.accepted_extras = set()
    return running


def config(emulator: OpenAIEmulator, **overrides: Any) -> VideoGenerationConfig:
    settings: dict[str, Any] = {
        "provider": "openai",
        "model": "sora-2",
        "base_url": emulator.base_url,
        "api_key": "test-key",
        "poll_interval": 0.05,
        "request_timeout": 5,
        "timeout": 10,
    }
    return VideoGenerationConfig(**{**settings, **overrides})


def request(**fields: Any) -> VideoGenerationRequest:
    return VideoGenerationRequest(**{"prompt": "a lighthouse at dawn", **fields})


# -- 1. the full cycle ---------------------------------------------------------------------


async def test_full_cycle_downloads_the_real_bytes(emulator: OpenAIEmulator) -> None:
    provider = OpenAIProvider()
    cfg = config(emulator)
    updates: list[ProgressUpdate] = []
    result = await run_video_job(
        provider,
        cfg,
        request(
            duration_seconds=8,
            resolution="720p",
            aspect_ratio="16:9",
            image_list=[ImageInput(image=FRAME_DATA_URL, role="first_frame")],
        ),
        on_progress=updates.append,
    )
    assert result.status == "completed"
    assert (result.duration, result.resolution, result.aspect_ratio) == (8.0, "720p", "16:9")
    assert result.video == f"{emulator.base_url}/v1/videos/{result.request_id}/content"
    assert result.provider_metadata["auth"] == "bearer"
    assert "test-key" not in repr(result.provider_metadata)
    assert updates[-1].status == "completed"
    assert updates[-1].progress_percent == 100

    assert isinstance(result.video, str)
    headers = provider.download_headers(cfg, result.video)
    async with httpx.AsyncClient() as http:
        video = await http.get(result.video, headers=headers)
        unauthenticated = await http.get(result.video)
        assert isinstance(result.thumbnail, str)
        thumbnail = await http.get(result.thumbnail, headers=headers)
    assert video.content == SAMPLE_VIDEO.read_bytes()
    assert unauthenticated.status_code == 401
    assert thumbnail.content == IMAGE_BYTES

    (submit,) = emulator.calls_of("submit")
    assert (submit.method, submit.path) == ("POST", "/v1/videos")
    assert submit.headers["authorization"] == "Bearer test-key"
    assert submit.headers["content-type"].startswith("multipart/form-data")
    body = submit.body
    assert {k: body[k] for k in ("prompt", "model", "seconds", "size")} == {
        "prompt": "a lighthouse at dawn",
        "model": "sora-2",
        "seconds": "8",
        "size": "1280x720",
    }
    upload = body["input_reference"]
    assert upload["content_type"] == "image/png"
    assert base64.b64decode(upload["data"]) == FRAME
    assert all(
        call.path == f"/v1/videos/{result.request_id}" for call in emulator.calls_of("status")
    )


async def test_image_url_is_sent_as_an_image_url_reference(emulator: OpenAIEmulator) -> None:
    url = "https://images.example/frame.png"
    await OpenAIProvider().submit_video(
        config(emulator), request(image_list=[ImageInput(image=url, role="first_frame")])
    )
    (submit,) = emulator.calls_of("submit")
    assert submit.body["input_reference[image_url]"] == url
    # Nothing asked: the API's documented defaults, sent explicitly (issue 15).
    assert (submit.body["seconds"], submit.body["size"]) == ("4", "720x1280")


# -- 2-6. transport and HTTP failures ------------------------------------------------------


async def test_rate_limit_at_submit_is_retryable_with_retry_after(
    emulator: OpenAIEmulator,
) -> None:
    emulator.fail_next(
        "submit",
        Fault(
            status=429,
            headers={"Retry-After": "2"},
            body={"error": {"message": "Rate limit reached", "type": "requests", "code": None}},
        ),
    )
    with pytest.raises(RateLimitError) as caught:
        await OpenAIProvider().submit_video(config(emulator), request())
    assert caught.value.retry_after == 2.0
    assert caught.value.is_retryable
    assert caught.value.raw_response["error"]["message"] == "Rate limit reached"
    assert len(emulator.calls_of("submit")) == 1  # the SDK's own retries are off


@pytest.mark.parametrize("status", [500, 502, 503])
async def test_server_errors_are_retryable(emulator: OpenAIEmulator, status: int) -> None:
    emulator.fail_next("status", Fault(status=status, body={"error": {"message": "boom"}}))
    provider = OpenAIProvider()
    job = await provider.submit_video(config(emulator), request())
    with pytest.raises(HTTPError) as caught:
        await provider.poll_video(config(emulator), job.request_id)
    assert caught.value.status_code == status
    assert caught.value.is_retryable


async def test_a_real_400_is_not_retryable(emulator: OpenAIEmulator) -> None:
    # Extras can no longer override the size, so the upstream's own refusal is injected.
    body = error_body("Invalid value: '999x999'.", param="size", code="invalid_value")
    emulator.fail_next("submit", Fault(status=400, body=body))
    with pytest.raises(HTTPError) as caught:
        await OpenAIProvider().submit_video(config(emulator), request())
    assert caught.value.status_code == 400
    assert not caught.value.is_retryable
    assert not isinstance(caught.value, ContentModerationError)
    assert caught.value.raw_response["error"]["param"] == "size"


async def test_422_is_not_retryable(emulator: OpenAIEmulator) -> None:
    emulator.fail_next("submit", Fault(status=422, body={"error": {"message": "bad input"}}))
    with pytest.raises(HTTPError) as caught:
        await OpenAIProvider().submit_video(config(emulator), request())
    assert (caught.value.status_code, caught.value.is_retryable) == (422, False)


async def test_hang_past_request_timeout_is_a_connection_error(emulator: OpenAIEmulator) -> None:
    jobs = len(emulator.jobs)
    emulator.fail_next("submit", Fault(hang_seconds=0.8))
    with pytest.raises(ProviderConnectionError) as caught:
        await OpenAIProvider().submit_video(config(emulator, request_timeout=0.3), request())
    assert caught.value.is_retryable
    await emulator.wait_for_a_job_after(jobs)


async def test_unreachable_upstream_is_a_connection_error() -> None:
    cfg = VideoGenerationConfig(
        provider="openai",
        model="sora-2",
        base_url=f"http://127.0.0.1:{free_port()}",
        api_key="test-key",
        request_timeout=2,
    )
    with pytest.raises(ProviderConnectionError):
        await OpenAIProvider().submit_video(cfg, request())


async def test_malformed_json_is_a_retryable_502(emulator: OpenAIEmulator) -> None:
    provider = OpenAIProvider()
    job = await provider.submit_video(config(emulator), request())
    emulator.fail_next("status", Fault(malformed=True))
    with pytest.raises(HTTPError) as caught:
        await provider.poll_video(config(emulator), job.request_id)
    assert caught.value.status_code == 502
    assert caught.value.is_retryable


async def test_bad_key_is_an_auth_error_without_the_key(emulator: OpenAIEmulator) -> None:
    secret = "sk-wrong-0123456789abcdef"
    with pytest.raises(ProviderAuthenticationError) as caught:
        await OpenAIProvider().submit_video(config(emulator, api_key=secret), request())
    assert caught.value.status_code == 401
    assert not caught.value.is_retryable
    assert secret not in str(caught.value)
    assert secret not in repr(caught.value.raw_response)
    assert caught.value.raw_response["error"]["code"] == "invalid_api_key"


async def test_a_key_echoed_in_full_is_masked(emulator: OpenAIEmulator) -> None:
    emulator.fail_next(
        "submit", Fault(status=403, body={"error": {"message": "key test-key is not allowed"}})
    )
    with pytest.raises(ProviderAuthenticationError) as caught:
        await OpenAIProvider().submit_video(config(emulator), request())
    assert "test-key" not in str(caught.value)
    assert "test-key" not in repr(caught.value.raw_response)


async def test_missing_key_is_a_validation_error_before_any_call(
    emulator: OpenAIEmulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    with pytest.raises(ValidationError) as caught:
        await OpenAIProvider().submit_video(config(emulator, api_key=None), request())
    assert caught.value.param == "api_key"
    assert "OPENAI_API_KEY" in str(caught.value)
    assert emulator.calls == []


async def test_key_from_the_environment(
    emulator: OpenAIEmulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "test-key")
    job = await OpenAIProvider().submit_video(config(emulator, api_key=None), request())
    assert job.request_id.startswith("video_")


# -- 7-8. moderation and failed jobs ------------------------------------------------------


async def test_moderation_at_submit(emulator: OpenAIEmulator) -> None:
    emulator.next_job_outcome = "moderation"
    with pytest.raises(ContentModerationError) as caught:
        await OpenAIProvider().submit_video(config(emulator), request())
    assert not caught.value.is_retryable
    assert caught.value.raw_response["error"]["code"] == "moderation_blocked"


async def test_moderation_of_the_output(emulator: OpenAIEmulator) -> None:
    emulator.next_job_outcome = "moderation"
    emulator.moderation_at = "job"
    with pytest.raises(ContentModerationError) as caught:
        await run_video_job(OpenAIProvider(), config(emulator), request())
    assert not caught.value.is_retryable


async def test_job_that_fails_raises_generation_failed(emulator: OpenAIEmulator) -> None:
    emulator.next_job_outcome = "fail"
    with pytest.raises(GenerationFailedError) as caught:
        await run_video_job(OpenAIProvider(), config(emulator), request())
    assert caught.value.is_retryable
    assert caught.value.raw_response["status"] == "failed"
    assert "internal_error" in str(caught.value)


# -- 9. requests the model cannot serve -----------------------------------------------------


@pytest.mark.parametrize(
    ("model", "fields", "param"),
    [
        ("sora-2", {"duration_seconds": 5}, "seconds"),
        ("sora-2", {"resolution": "1080p"}, "resolution"),
        ("sora-2-pro", {"resolution": "4k"}, "resolution"),
        ("sora-2", {"aspect_ratio": "1:1"}, "aspect_ratio"),
        ("sora-2", {"number_of_videos": 2}, "n"),
        ("sora-2", {"image_list": [{"image": IMAGE_DATA_URL, "role": "last_frame"}]}, "image_list"),
        ("sora-2", {"video": "https://x.example/in.mp4"}, "video"),
        (
            "sora-2",
            {"image_list": [{"image": "not an image!", "role": "first_frame"}]},
            "input_reference",
        ),
        ("my-model", {"number_of_videos": 3}, "n"),
    ],
)
async def test_impossible_requests_fail_before_any_call(
    emulator: OpenAIEmulator, model: str, fields: dict[str, Any], param: str
) -> None:
    with pytest.raises(ValidationError) as caught:
        await OpenAIProvider().submit_video(config(emulator, model=model), request(**fields))
    assert caught.value.param == param
    assert emulator.calls == []


async def test_validation_error_names_the_allowed_values(emulator: OpenAIEmulator) -> None:
    with pytest.raises(ValidationError) as caught:
        await OpenAIProvider().submit_video(config(emulator), request(duration_seconds=10))
    assert "4, 8, 12" in str(caught.value)


# -- 10. field mappers ---------------------------------------------------------------------


def test_registered_families_and_longest_prefix_lookup() -> None:
    families = get_provider_field_mapping("openai")
    assert families["sora-2"] is SORA_2
    assert families["sora-2-pro"] is SORA_2_PRO
    assert families[""] is GENERIC
    assert lookup_mapping("openai", "sora-2-pro-2025-10-06") is SORA_2_PRO
    assert lookup_mapping("openai", "sora-2-2025-12-08") is SORA_2
    assert lookup_mapping("openai", "some-self-hosted-model") is GENERIC


def test_capabilities() -> None:
    assert SORA_2.capabilities.durations == (4, 8, 12)
    assert SORA_2.capabilities.resolutions == ("720p",)
    assert SORA_2_PRO.capabilities.resolutions == ("720p", "1080p")
    assert SORA_2.capabilities.aspect_ratios == ("16:9", "9:16")
    assert SORA_2.capabilities.image_roles == ("first_frame",)
    assert SORA_2.capabilities.audio
    assert SORA_2.duration_format == "string"
    assert GENERIC.capabilities.durations is None


def _create(model: str, **fields: Any) -> dict[str, Any]:
    cfg = VideoGenerationConfig(provider="openai", model=model, api_key="k")
    return OpenAIProvider().build_create(cfg, request(**fields))


def test_sora_2_payload() -> None:
    assert _create("sora-2", duration_seconds=12, aspect_ratio="9:16") == {
        "prompt": "a lighthouse at dawn",
        "seconds": "12",
        "size": "720x1280",
        "model": "sora-2",
    }
    # Only the resolution given: OpenAI's default orientation (portrait).
    assert _create("sora-2", resolution="720p")["size"] == "720x1280"
    # Unified fields OpenAI does not have are not sent to a Sora model.
    assert "seed" not in _create("sora-2", seed=7, negative_prompt="text")


def test_sora_2_pro_payload_has_the_large_sizes() -> None:
    assert _create("sora-2-pro", resolution="1080p", aspect_ratio="9:16")["size"] == "1024x1792"
    assert _create("sora-2-pro", resolution="1080p", aspect_ratio="16:9")["size"] == "1792x1024"


def test_generic_payload_passes_the_unified_extras() -> None:
    payload = _create(
        "acme-video-1",
        duration_seconds=5,
        resolution="1080p",
        aspect_ratio="4:3",
        seed=42,
        negative_prompt="text",
        generate_audio=False,
        style="noir",
    )
    assert payload == {
        "prompt": "a lighthouse at dawn",
        "seconds": "5",
        "negative_prompt": "text",
        "seed": 42,
        "generate_audio": False,
        "style": "noir",
        "size": "1440x1080",
        "model": "acme-video-1",
    }


def test_image_roles_map_to_input_reference() -> None:
    url_payload = _create(
        "sora-2", image_list=[{"image": "https://x.example/a.png", "role": "first_frame"}]
    )
    assert url_payload["input_reference"] == {"image_url": "https://x.example/a.png"}
    portrait = png_frame(720, 1280)  # the default size, since none is asked
    raw_b64 = base64.b64encode(portrait).decode()
    file_payload = _create("sora-2", image_list=[{"image": raw_b64, "role": "first_frame"}])
    assert file_payload["input_reference"] == ("input_reference.png", portrait, "image/png")


def test_size_helpers() -> None:
    assert formula_size("720p", "16:9") == "1280x720"
    assert formula_size("480p", "9:16") == "480x854"
    assert describe_size("1792x1024") == ("1080p", "16:9")
    assert describe_size("720x1280") == ("720p", "9:16")
    assert describe_size("1000x300") == ("360p", None)
    assert describe_size(None) == (None, None)


def test_moderation_detection() -> None:
    assert is_moderation(400, {"error": {"code": "moderation_blocked"}})
    assert is_moderation(400, {"error": {"type": "content_policy_violation"}})
    assert is_moderation(
        400, {"error": {"code": "x", "inner_error": {"code": "ResponsibleAIPolicyViolation"}}}
    )
    assert is_moderation(400, {"error": {"message": "Blocked by our safety system."}})
    assert not is_moderation(400, {"error": {"code": "invalid_value", "message": "bad size"}})
    assert not is_moderation(500, {"error": {"code": "moderation_blocked"}})
    assert not is_moderation(429, {"error": {"code": "moderation_blocked"}})


# -- 11. cancel, remix, statelessness -----------------------------------------------------


async def test_cancel_deletes_the_video(emulator: OpenAIEmulator) -> None:
    provider = OpenAIProvider()
    cfg = config(emulator)
    job = await provider.submit_video(cfg, request())
    await provider.cancel_video(cfg, job.request_id)
    (cancel,) = emulator.calls_of("cancel")
    assert (cancel.method, cancel.path) == ("DELETE", f"/v1/videos/{job.request_id}")
    assert emulator.jobs[job.request_id].cancelled
    await provider.cancel_video(cfg, job.request_id)  # already gone: no error


async def test_poll_after_restart_with_a_fresh_provider(emulator: OpenAIEmulator) -> None:
    cfg = config(emulator)
    job = await OpenAIProvider().submit_video(cfg, request(duration_seconds=4))
    restarted = OpenAIProvider()
    for _ in range(100):
        progress = await restarted.poll_video(cfg, job.request_id)
        if progress.status == "completed":
            break
        assert progress.status in ("queued", "in_progress")
        await asyncio.sleep(0.05)
    result = await OpenAIProvider().fetch_video(cfg, job.request_id)
    assert result.request_id == job.request_id
    assert result.duration == 4.0


async def test_remix(emulator: OpenAIEmulator) -> None:
    provider = OpenAIProvider()
    cfg = config(emulator)
    assert provider.supports_remix(cfg)
    first = await run_video_job(provider, cfg, request())
    remix = await provider.remix_video(cfg, first.request_id, request(prompt="at dusk"))
    (call,) = emulator.calls_of("remix")
    assert call.path == f"/v1/videos/{first.request_id}/remix"
    assert call.body == {"prompt": "at dusk"}
    assert remix.request_id != first.request_id
    assert remix.raw_response["remixed_from_video_id"] == first.request_id


async def test_fetch_of_an_unfinished_video_is_an_error(emulator: OpenAIEmulator) -> None:
    provider = OpenAIProvider()
    job = await provider.submit_video(config(emulator), request())
    with pytest.raises(GenerationFailedError):
        await provider.fetch_video(config(emulator), job.request_id)


async def test_unknown_video_is_a_404(emulator: OpenAIEmulator) -> None:
    with pytest.raises(HTTPError) as caught:
        await OpenAIProvider().poll_video(config(emulator), "video_nope")
    assert (caught.value.status_code, caught.value.is_retryable) == (404, False)


# -- configuration ------------------------------------------------------------------------


def test_base_url_and_download_headers() -> None:
    provider = OpenAIProvider()
    bare = VideoGenerationConfig(provider="openai", model="m", api_key="k", base_url="http://h:1/")
    assert provider.base_url(bare) == "http://h:1/v1"
    pathed = VideoGenerationConfig(
        provider="openai", model="m", api_key="k", base_url="https://gw.example/api/v1"
    )
    assert provider.base_url(pathed) == "https://gw.example/api/v1"
    assert provider.download_headers(pathed, "https://gw.example/api/v1/videos/v/content") == {
        "Authorization": "Bearer k"
    }
    # Credentials never go to another origin.
    assert provider.download_headers(pathed, "https://cdn.example/v.mp4") == {}
    assert provider.download_headers(pathed, "http://gw.example/api/v1/videos/v/content") == {}


async def test_one_client_per_credentials_and_loop(emulator: OpenAIEmulator) -> None:
    provider = OpenAIProvider()
    cfg = config(emulator)
    assert provider.client(cfg) is provider.client(config(emulator))
    assert provider.client(cfg) is not provider.client(config(emulator, api_key="other"))


# -- images --------------------------------------------------------------------------------


def image_config(emulator: OpenAIEmulator, model: str) -> ImageGenerationConfig:
    return ImageGenerationConfig(
        provider="openai", model=model, base_url=emulator.base_url, api_key="test-key"
    )


async def test_gpt_image_returns_base64(emulator: OpenAIEmulator) -> None:
    result = await OpenAIProvider().generate_image(
        image_config(emulator, "gpt-image-1.5"),
        ImageGenerationRequest(prompt="a fox", n=2, aspect_ratio="9:16", quality="high"),
    )
    assert [base64.b64decode(image) for image in result.images] == [IMAGE_BYTES, IMAGE_BYTES]
    assert result.content_type == "image/png"
    assert result.raw_response["data"][0]["b64_json"] == "<base64>"
    (call,) = emulator.calls_of("image")
    assert call.path == "/v1/images/generations"
    assert call.body == {
        "model": "gpt-image-1.5",
        "prompt": "a fox",
        "n": 2,
        "size": "1024x1536",
        "quality": "high",
    }


async def test_dall_e_3_returns_urls(emulator: OpenAIEmulator) -> None:
    result = await OpenAIProvider().generate_image(
        image_config(emulator, "dall-e-3"),
        ImageGenerationRequest(prompt="a fox", style="vivid", aspect_ratio="16:9"),
    )
    assert result.images[0].startswith(emulator.base_url)
    assert result.revised_prompt == "a fox!"
    assert emulator.calls_of("image")[0].body["size"] == "1792x1024"


@pytest.mark.parametrize(
    ("model", "fields", "param"),
    [
        ("dall-e-3", {"n": 2}, "n"),
        ("gpt-image-1", {"style": "vivid"}, "style"),
        ("gpt-image-1", {"size": "640x480"}, "size"),
        ("gpt-image-1", {"quality": "hd"}, "quality"),
        ("gpt-image-1", {"aspect_ratio": "21:9"}, "aspect_ratio"),
        ("gpt-image-1", {"image_list": [{"image": IMAGE_DATA_URL}]}, "image"),
    ],
)
async def test_impossible_image_requests_fail_before_any_call(
    emulator: OpenAIEmulator, model: str, fields: dict[str, Any], param: str
) -> None:
    with pytest.raises(ValidationError) as caught:
        await OpenAIProvider().generate_image(
            image_config(emulator, model), ImageGenerationRequest(prompt="x", **fields)
        )
    assert caught.value.param == param
    assert emulator.calls == []


async def test_image_moderation(emulator: OpenAIEmulator) -> None:
    emulator.next_job_outcome = "moderation"
    with pytest.raises(ContentModerationError):
        await OpenAIProvider().generate_image(
            image_config(emulator, "gpt-image-1"), ImageGenerationRequest(prompt="x")
        )


async def test_image_rate_limit(emulator: OpenAIEmulator) -> None:
    emulator.fail_next("image", Fault(status=429, headers={"retry-after-ms": "1500"}))
    with pytest.raises(RateLimitError) as caught:
        await OpenAIProvider().generate_image(
            image_config(emulator, "gpt-image-1"), ImageGenerationRequest(prompt="x")
        )
    assert caught.value.retry_after == 1.5


# -- the videos API without the SDK: same bytes, pooled connections ------------------------


def test_create_form_is_byte_for_byte_what_the_sdk_sends() -> None:
    """The SDK (through an in-memory transport) and :func:`create_form` build the same
    multipart body for the same create, boundaries aside."""
    sent: list[httpx.Request] = []

    def upstream(request: httpx.Request) -> httpx.Response:
        sent.append(request)
        return httpx.Response(200, json={"id": "video_1", "object": "video"})

    extras = {"seed": 42, "generate_audio": False, "tags": ["a", "b"], "meta": {"k": 1.5}}
    upload = ("input_reference.jpg", IMAGE_BYTES, "image/jpeg")
    transport = httpx.Client(transport=httpx.MockTransport(upstream))
    # openai 3.60 types http_client as httpx2's but takes a legacy httpx client.
    client = cast(Any, transport)
    with openai.OpenAI(api_key="k", base_url="http://up/v1", http_client=client) as sdk:
        sdk.videos.create(
            prompt='a "quoted" prompt',
            model="sora-2",
            seconds="8",
            size="1280x720",
            input_reference=upload,
            extra_body={**extras, "none": None},
        )
        # The SDK's argument takes only files: a URL reference travels in extra_body.
        sdk.videos.create(
            prompt="p",
            model="sora-2",
            extra_body={"input_reference": {"image_url": "https://x.example/a.png"}},
        )
    with_file, with_url = sent

    def same(request: httpx.Request, payload: dict[str, Any]) -> None:
        body, content_type = create_form(payload)
        theirs = re.sub(r".*boundary=", "", request.headers["content-type"]).encode()
        ours = content_type.removeprefix("multipart/form-data; boundary=").encode()
        assert content_type.startswith("multipart/form-data; boundary=")
        assert body.replace(ours, theirs) == request.read()

    # build_create's order (mapped fields, size, reference, model) does not matter.
    same(
        with_file,
        {
            "prompt": 'a "quoted" prompt',
            "seconds": "8",
            **extras,
            "none": None,
            "size": "1280x720",
            "input_reference": upload,
            "model": "sora-2",
        },
    )
    same(
        with_url,
        {
            "prompt": "p",
            "input_reference": {"image_url": "https://x.example/a.png"},
            "model": "sora-2",
        },
    )


class PortRecordingEmulator(OpenAIEmulator):
    """Records each caller's source port: one port for many calls is one connection."""

    def __init__(self) -> None:
        self.ports: list[int] = []
        super().__init__(job_seconds=0.2)

    async def enter(self, request: Request, operation: str) -> Response | None:
        assert request.client is not None
        self.ports.append(request.client.port)
        return await super().enter(request, operation)


async def test_video_calls_share_one_kept_alive_connection() -> None:
    with PortRecordingEmulator() as upstream:
        cfg = config(upstream)
        provider = OpenAIProvider()
        first = await provider.submit_video(cfg, request())
        await provider.poll_video(cfg, first.request_id)
        second = await OpenAIProvider().submit_video(cfg, request())  # providers share it
        await provider.cancel_video(cfg, second.request_id)
        await provider.aclose()
        assert len(upstream.ports) == 4
        assert len(set(upstream.ports)) == 1


def test_a_new_event_loop_gets_a_new_connection(running: OpenAIEmulator) -> None:
    provider = OpenAIProvider()
    cfg = config(running)
    job = asyncio.run(provider.submit_video(cfg, request()))
    progress = asyncio.run(provider.poll_video(cfg, job.request_id))  # the first loop is gone
    assert progress.status in ("queued", "in_progress")


async def test_a_200_without_a_video_id_is_a_retryable_502(emulator: OpenAIEmulator) -> None:
    emulator.fail_next("submit", Fault(status=200, body={"object": "video", "echo": "test-key"}))
    with pytest.raises(HTTPError) as caught:
        await OpenAIProvider().submit_video(config(emulator), request())
    assert (caught.value.status_code, caught.value.is_retryable) == (502, True)
    assert caught.value.raw_response == {"object": "video", "echo": "***"}


async def test_a_malformed_create_answer_is_a_retryable_502(emulator: OpenAIEmulator) -> None:
    emulator.fail_next("submit", Fault(malformed=True))
    with pytest.raises(HTTPError) as caught:
        await OpenAIProvider().submit_video(config(emulator), request())
    assert (caught.value.status_code, caught.value.is_retryable) == (502, True)


async def test_an_id_that_is_not_a_path_segment_is_refused(emulator: OpenAIEmulator) -> None:
    with pytest.raises(HTTPError) as caught:
        await OpenAIProvider().poll_video(config(emulator), "..")
    assert caught.value.status_code == 502
    assert emulator.calls == []


async def test_ids_are_percent_encoded_in_the_path(emulator: OpenAIEmulator) -> None:
    with pytest.raises(HTTPError) as caught:
        await OpenAIProvider().poll_video(config(emulator), "video one+two")
    assert caught.value.status_code == 404
    assert "video one+two" in caught.value.message  # the emulator's own not-found answer
    (status,) = emulator.calls_of("status")
    assert status.path == "/v1/videos/video one+two"


@pytest.mark.parametrize(
    ("extras", "param"),
    [
        ({"size": "1792x1024"}, "size"),
        ({"Seconds": "12"}, "Seconds"),
        ({"model": "sora-2-pro"}, "model"),
    ],
)
async def test_extras_cannot_override_size_seconds_or_model(
    emulator: OpenAIEmulator, extras: dict[str, Any], param: str
) -> None:
    with pytest.raises(ValidationError) as caught:
        await OpenAIProvider().submit_video(config(emulator), request(extra_params=extras))
    assert caught.value.param == param
    assert "override" in caught.value.message
    assert emulator.calls_of("submit") == []


async def test_extras_cannot_override_the_image_count_or_size(emulator: OpenAIEmulator) -> None:
    cfg = image_config(emulator, "gpt-image-1")
    for extras, param in (({"n": 4}, "n"), ({"size": "1536x1024"}, "size")):
        image = ImageGenerationRequest(prompt="a cat", extra_params=extras)
        with pytest.raises(ValidationError) as caught:
            await OpenAIProvider().generate_image(cfg, image)
        assert caught.value.param == param
    assert emulator.calls == []


async def test_remix_sends_extra_params_in_the_json_body(emulator: OpenAIEmulator) -> None:
    emulator.accepted_extras = {"style"}  # an upstream whose remix takes a style
    provider = OpenAIProvider()
    cfg = config(emulator)
    first = await run_video_job(provider, cfg, request())
    await provider.remix_video(cfg, first.request_id, request(prompt="at dusk", style="noir"))
    (call,) = emulator.calls_of("remix")
    assert call.body == {"prompt": "at dusk", "style": "noir"}
    assert call.headers["content-type"] == "application/json"
    with pytest.raises(ValidationError) as caught:
        await provider.remix_video(cfg, first.request_id, request(extra_params={"seconds": "12"}))
    assert caught.value.param == "seconds"
    assert len(emulator.calls_of("remix")) == 1


# -- 11. api.openai.com's videos API is gone (issue 15) ----------------------------------


def test_sora_families_carry_the_api_defaults() -> None:
    # openai 3.60, video_create_params.py: "Defaults to 4 seconds", "Defaults to 720x1280".
    for family in (SORA_2, SORA_2_PRO):
        caps = family.capabilities
        assert (caps.default_duration, caps.default_resolution, caps.default_aspect_ratio) == (
            4,
            "720p",
            "9:16",
        )
        assert caps.durations is not None
        assert caps.default_duration in caps.durations
    generic = GENERIC.capabilities
    assert (generic.default_duration, generic.default_resolution) == (None, None)


async def test_a_404_from_api_openai_com_names_the_shutdown(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    async def gone(method: str, url: str, **kwargs: Any) -> Any:
        assert url.startswith("https://api.openai.com/v1/videos")
        raise classify_status(
            404,
            error_body("Invalid URL (POST /v1/videos)"),
            provider="openai",
            model="sora-2",
        )

    monkeypatch.setattr(openai_module, "call", gone)
    monkeypatch.delenv("OPENAI_BASE_URL", raising=False)
    cfg = VideoGenerationConfig(provider="openai", model="sora-2", api_key="k")
    with pytest.raises(HTTPError) as caught:
        await OpenAIProvider().submit_video(cfg, request())
    assert caught.value.status_code == 404
    assert "2026-09-24" in caught.value.message
    assert "base_url" in caught.value.message
    assert caught.value.raw_response == error_body("Invalid URL (POST /v1/videos)")


async def test_a_404_from_another_upstream_stays_a_plain_404(emulator: OpenAIEmulator) -> None:
    with pytest.raises(HTTPError) as caught:
        await OpenAIProvider().poll_video(config(emulator), "video_missing")
    assert caught.value.status_code == 404
    assert "2026-09-24" not in caught.value.message


def test_config_warnings_flag_video_deployments_on_api_openai_com(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("OPENAI_BASE_URL", raising=False)
    (warning,) = config_warnings({"provider": "openai", "model": "sora-2"})
    assert "2026-09-24" in warning
    assert "base_url" in warning
    explicit = {
        "provider": "openai",
        "model": "sora-2-pro",
        "base_url": "https://api.openai.com/v1",
    }
    assert len(config_warnings(explicit)) == 1
    cfg = VideoGenerationConfig(provider="openai", model="sora-2", api_key="k")
    assert len(config_warnings(cfg)) == 1  # any object with provider/model/base_url
    # Fine: another upstream, images on OpenAI itself, another provider.
    assert config_warnings({"provider": "openai", "model": "sora-2", "base_url": "http://gw"}) == []
    assert config_warnings({"provider": "openai", "model": "gpt-image-1"}) == []
    assert config_warnings({"provider": "fal", "model": "sora-2"}) == []
    azure = {"provider": "azure", "model": "sora-2", "base_url": "https://r.openai.azure.com"}
    assert config_warnings(azure) == []
    monkeypatch.delenv("AZURE_OPENAI_ENDPOINT", raising=False)
    (no_endpoint,) = config_warnings({"provider": "azure", "model": "sora-2"})
    assert "AZURE_OPENAI_ENDPOINT" in no_endpoint
    monkeypatch.setenv("OPENAI_BASE_URL", "https://gw.example/v1")
    assert config_warnings({"provider": "openai", "model": "sora-2"}) == []


# -- 12. the emulator refuses what OpenAI refuses -----------------------------------------


def _post_form(emulator: OpenAIEmulator, fields: dict[str, str], **kwargs: Any) -> httpx.Response:
    return httpx.post(
        f"{emulator.base_url}/v1/videos",
        headers={"Authorization": "Bearer test-key"},
        files={name: (None, value) for name, value in fields.items()},
        **kwargs,
    )


@pytest.mark.parametrize(
    ("fields", "param", "code"),
    [
        ({"prompt": "p", "seed": "7"}, "seed", "unknown_parameter"),
        ({"prompt": "p", "seconds": "5"}, "seconds", "invalid_value"),
        ({"prompt": "p", "seconds": "8s"}, "seconds", "invalid_value"),
        ({"prompt": "p", "size": "1792x1024"}, "size", "invalid_value"),
        (
            {"prompt": "p", "model": "sora-2-2025-12-08", "size": "1024x1024"},
            "size",
            "invalid_value",
        ),
        (
            {"prompt": "p", "input_reference[url]": "https://x/a.png"},
            "input_reference.url",
            "unknown_parameter",
        ),
        (
            {"prompt": "p", "input_reference[image_url]": "ftp://x/a.png"},
            "input_reference.image_url",
            "invalid_value",
        ),
        ({"seconds": "4"}, "prompt", "missing"),
    ],
)
def test_emulator_refuses_what_openai_refuses(
    emulator: OpenAIEmulator, fields: dict[str, str], param: str, code: str
) -> None:
    answer = _post_form(emulator, fields)
    assert answer.status_code == 400
    error = answer.json()["error"]
    assert (error["param"], error["code"], error["type"]) == (param, code, "invalid_request_error")


def test_emulator_unknown_parameter_has_openais_exact_shape(emulator: OpenAIEmulator) -> None:
    answer = _post_form(emulator, {"prompt": "p", "x": "1"})
    assert answer.json() == {
        "error": {
            "message": "Unknown parameter: 'x'.",
            "type": "invalid_request_error",
            "param": "x",
            "code": "unknown_parameter",
        }
    }


def test_emulator_accepts_every_documented_value(emulator: OpenAIEmulator) -> None:
    for model, sizes in (
        ("sora-2", ("720x1280", "1280x720")),
        ("sora-2-pro", ("1024x1792", "1792x1024")),
    ):
        for size in sizes:
            for seconds in ("4", "8", "12"):
                fields = {"prompt": "p", "model": model, "seconds": seconds, "size": size}
                assert _post_form(emulator, fields).status_code == 200


def test_emulator_refuses_an_integer_seconds_and_a_text_file(emulator: OpenAIEmulator) -> None:
    auth = {"Authorization": "Bearer test-key"}
    answer = httpx.post(
        f"{emulator.base_url}/v1/videos", headers=auth, json={"prompt": "p", "seconds": 8}
    )
    assert answer.status_code == 400
    assert answer.json()["error"]["code"] == "invalid_type"
    upload = httpx.post(
        f"{emulator.base_url}/v1/videos",
        headers=auth,
        data={"prompt": "p"},
        files={"input_reference": ("a.txt", b"hello", "text/plain")},
    )
    assert upload.status_code == 400
    assert upload.json()["error"]["param"] == "input_reference"


def test_emulator_unknown_paths_and_methods_are_openai_404s(emulator: OpenAIEmulator) -> None:
    auth = {"Authorization": "Bearer test-key"}
    for method, path in (("POST", "/v1/video"), ("GET", "/v1/videos/x/y"), ("PUT", "/v1/videos")):
        answer = httpx.request(method, f"{emulator.base_url}{path}", headers=auth)
        assert answer.status_code == 404
        assert answer.json()["error"]["message"] == f"Invalid URL ({method} {path})"


def test_emulator_remix_and_images_refuse_unknown_parameters(emulator: OpenAIEmulator) -> None:
    auth = {"Authorization": "Bearer test-key"}
    created = _post_form(emulator, {"prompt": "p"}).json()
    url = f"{emulator.base_url}/v1/videos/{created['id']}"
    deadline = time.monotonic() + 10
    while httpx.get(url, headers=auth).json()["status"] != "completed":
        assert time.monotonic() < deadline, "the emulated video never finished"
    remix = httpx.post(
        f"{emulator.base_url}/v1/videos/{created['id']}/remix",
        headers=auth,
        json={"prompt": "q", "seconds": "8"},
    )
    assert remix.json()["error"]["code"] == "unknown_parameter"
    image = httpx.post(
        f"{emulator.base_url}/v1/images/generations",
        headers=auth,
        json={"prompt": "q", "aspect_ratio": "16:9"},
    )
    assert image.json()["error"]["param"] == "aspect_ratio"


# -- 13. a first frame must be the video's size (issue 15) ----------------------------------


@pytest.mark.parametrize(
    ("image", "fields"),
    [
        (IMAGE_BYTES, {"resolution": "720p", "aspect_ratio": "16:9"}),  # a 256x144 JPEG
        (png_frame(1280, 720), {}),  # landscape, but nothing asked: 720x1280
        (png_frame(1024, 1792), {"resolution": "720p", "aspect_ratio": "9:16"}),
    ],
)
async def test_a_first_frame_of_another_size_is_refused_before_the_call(
    emulator: OpenAIEmulator, image: bytes, fields: dict[str, Any]
) -> None:
    frame = ImageInput(image=base64.b64encode(image).decode(), role="first_frame")
    with pytest.raises(ValidationError) as caught:
        await OpenAIProvider().submit_video(config(emulator), request(image_list=[frame], **fields))
    assert caught.value.param == "input_reference"
    assert "exactly" in caught.value.message
    assert emulator.calls == []


async def test_a_first_frame_at_the_size_passes_and_urls_are_not_checked(
    emulator: OpenAIEmulator,
) -> None:
    provider = OpenAIProvider()
    cfg = config(emulator, model="sora-2-pro")
    big = ImageInput(image=base64.b64encode(png_frame(1792, 1024)).decode(), role="first_frame")
    await provider.submit_video(
        cfg, request(image_list=[big], resolution="1080p", aspect_ratio="16:9")
    )
    url = ImageInput(image="https://images.example/any-size.png", role="first_frame")
    await provider.submit_video(cfg, request(image_list=[url]))
    assert len(emulator.calls_of("submit")) == 2


def test_emulator_refuses_a_first_frame_of_another_size(emulator: OpenAIEmulator) -> None:
    answer = httpx.post(
        f"{emulator.base_url}/v1/videos",
        headers={"Authorization": "Bearer test-key"},
        data={"prompt": "p", "size": "1280x720"},
        files={"input_reference": ("f.jpg", IMAGE_BYTES, "image/jpeg")},
    )
    assert answer.status_code == 400
    assert answer.json()["error"]["param"] == "input_reference"


def test_image_size_reads_png_jpeg_gif_and_webp_headers() -> None:
    assert image_size(IMAGE_BYTES) == (256, 144)  # the sample JPEG
    assert image_size(png_frame(720, 1280)) == (720, 1280)
    assert image_size(b"GIF89a" + (640).to_bytes(2, "little") + (360).to_bytes(2, "little")) == (
        640,
        360,
    )
    vp8x = (
        b"RIFF\x00\x00\x00\x00WEBPVP8X"
        + b"\x0a\x00\x00\x00\x00\x00\x00\x00"
        + (1279).to_bytes(3, "little")
        + (719).to_bytes(3, "little")
    )
    assert image_size(vp8x) == (1280, 720)
    assert image_size(b"not an image") is None
    assert image_size(IMAGE_BYTES[:20]) is None  # cut short before the frame header


# -- completion in one read (issue 16, item 3) ---------------------------------------------


async def test_a_finished_job_is_read_once(
    emulator: OpenAIEmulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The poll that sees the job finished carries its result, so completing it takes one
    GET (the old lifecycle polled, then fetched the same resource again)."""
    monkeypatch.setattr(emulator, "job_seconds", 0)
    provider = OpenAIProvider()
    cfg = config(emulator)
    job = await provider.submit_video(cfg, request())
    emulator.calls.clear()

    result = await follow_job(provider, cfg, job)

    assert [call.method for call in emulator.calls] == ["GET"]
    progress = await provider.poll_video(cfg, job.request_id)
    assert progress.status == "completed"
    assert progress.result == result
    assert await provider.fetch_video(cfg, job.request_id) == result
