"""The azure provider against the Azure OpenAI emulator: the v1 videos API (through the
openai SDK) and the preview jobs API (through adapters.http.call)."""

from __future__ import annotations

import asyncio
import base64
import json
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

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
from tarash_gateway.adapters.media import SAMPLE_THUMBNAIL, SAMPLE_VIDEO
from tarash_gateway.adapters.models import (
    ImageGenerationConfig,
    ImageGenerationRequest,
    ImageInput,
    VideoGenerationConfig,
    VideoGenerationRequest,
)
from tarash_gateway.adapters.polling import follow_job, run_video_job
from tarash_gateway.adapters.providers.azure import SORA_1_JOBS, AzureProvider
from tarash_gateway.adapters.providers.openai_models import GENERIC, SORA_2, SORA_2_PRO
from tests.emulators.azure import AzureEmulator, azure_error
from tests.emulators.base import Fault

IMAGE_BYTES = SAMPLE_THUMBNAIL.read_bytes()
IMAGE_DATA_URL = "data:image/jpeg;base64," + base64.b64encode(IMAGE_BYTES).decode()
VIDEO_BYTES = SAMPLE_VIDEO.read_bytes()
PREVIEW = {"api": "preview-jobs"}


@pytest.fixture(scope="module")
def running() -> Iterator[AzureEmulator]:
    with AzureEmulator(job_seconds=0.2) as emulator:
        yield emulator


@pytest.fixture
def emulator(running: AzureEmulator) -> AzureEmulator:
    running.calls.clear()
    running.faults.clear()
    running.next_job_outcome = "success"
    running.moderation_at = "submit"
    running.accepted_extras = set()
    running.deployment_families = {}
    return running


def config(emulator: AzureEmulator, **overrides: Any) -> VideoGenerationConfig:
    settings: dict[str, Any] = {
        "provider": "azure",
        "model": "sora-2",
        "base_url": emulator.base_url,
        "api_key": "test-key",
        "poll_interval": 0.05,
        "request_timeout": 5,
        "timeout": 10,
    }
    return VideoGenerationConfig(**{**settings, **overrides})


def preview(emulator: AzureEmulator, **overrides: Any) -> VideoGenerationConfig:
    return config(emulator, model="sora", provider_config=PREVIEW, **overrides)


def replace(cfg: VideoGenerationConfig, **changes: Any) -> VideoGenerationConfig:
    return VideoGenerationConfig.model_validate({**cfg.model_dump(), **changes})


def request(**fields: Any) -> VideoGenerationRequest:
    return VideoGenerationRequest(**{"prompt": "a lighthouse at dawn", **fields})


async def download(provider: AzureProvider, cfg: VideoGenerationConfig, url: str) -> bytes:
    async with httpx.AsyncClient() as http:
        response = await http.get(url, headers=provider.download_headers(cfg, url))
    assert response.status_code == 200, response.text
    return response.content


# -- 1. full cycles ----------------------------------------------------------------------------


async def test_v1_full_cycle(emulator: AzureEmulator) -> None:
    provider = AzureProvider()
    cfg = config(emulator, api_version="2025-04-01-preview")
    result = await run_video_job(
        provider, cfg, request(duration_seconds=12, resolution="720p", aspect_ratio="9:16")
    )
    assert (result.duration, result.resolution, result.aspect_ratio) == (12.0, "720p", "9:16")
    assert result.provider_metadata["auth"] == "api-key"
    assert isinstance(result.video, str)
    assert result.video == (
        f"{emulator.base_url}/openai/v1/videos/{result.request_id}/content"
        "?api-version=2025-04-01-preview"
    )
    assert await download(provider, cfg, result.video) == VIDEO_BYTES

    (submit,) = emulator.calls_of("submit")
    assert (submit.method, submit.path) == ("POST", "/openai/v1/videos")
    assert submit.headers["api-key"] == "test-key"
    assert {k: submit.body[k] for k in ("model", "seconds", "size")} == {
        "model": "sora-2",
        "seconds": "12",
        "size": "720x1280",
    }
    assert all(call.headers["api-key"] == "test-key" for call in emulator.calls)


async def test_api_version_goes_on_every_call(emulator: AzureEmulator) -> None:
    provider = AzureProvider()
    cfg = config(emulator)
    job = await provider.submit_video(cfg, request())
    await provider.poll_video(cfg, job.request_id)
    await provider.cancel_video(cfg, job.request_id)
    assert len(emulator.calls) == 3
    # The emulator answers 404 without it, so all three calls carrying it is proved by
    # their success; the default is "preview".
    async with httpx.AsyncClient() as http:
        bare = await http.get(
            f"{emulator.base_url}/openai/v1/videos/{job.request_id}",
            headers={"api-key": "test-key"},
        )
    assert bare.status_code == 404


async def test_preview_jobs_full_cycle_with_variants_and_a_first_frame(
    emulator: AzureEmulator,
) -> None:
    provider = AzureProvider()
    cfg = preview(emulator, base_url=f"{emulator.base_url}/openai/v1/")
    result = await run_video_job(
        provider,
        cfg,
        request(
            duration_seconds=10,
            resolution="480p",
            aspect_ratio="16:9",
            number_of_videos=3,
            image_list=[ImageInput(image=IMAGE_DATA_URL, role="first_frame")],
        ),
    )
    assert (result.duration, result.resolution, result.aspect_ratio) == (10.0, "480p", "16:9")
    variants = result.provider_metadata["variants"]
    assert len(variants) == 3
    assert result.video == variants[0]
    assert "/openai/v1/video/generations/gen_" in variants[0]
    assert variants[0].endswith("/content/video?api-version=preview")
    for url in variants:
        assert await download(provider, cfg, url) == VIDEO_BYTES
    assert isinstance(result.thumbnail, str)
    assert await download(provider, cfg, result.thumbnail) == IMAGE_BYTES

    (submit,) = emulator.calls_of("submit")
    assert submit.path == "/openai/v1/video/generations/jobs"
    assert submit.headers["api-key"] == "test-key"
    assert submit.headers["content-type"].startswith("multipart/form-data")
    body = submit.body
    assert {
        k: body[k] for k in ("model", "prompt", "width", "height", "n_seconds", "n_variants")
    } == {
        "model": "sora",
        "prompt": "a lighthouse at dawn",
        "width": "854",
        "height": "480",
        "n_seconds": "10",
        "n_variants": "3",
    }
    assert json.loads(body["inpaint_items"]) == [
        {"frame_index": 0, "type": "image", "file_name": "first_frame.jpg"}
    ]
    assert base64.b64decode(body["files"]["data"]) == IMAGE_BYTES


async def test_preview_jobs_json_body_without_images(emulator: AzureEmulator) -> None:
    await AzureProvider().submit_video(preview(emulator), request(duration_seconds=5))
    (submit,) = emulator.calls_of("submit")
    assert submit.body == {
        "prompt": "a lighthouse at dawn",
        "n_seconds": 5,
        "n_variants": 1,
        "width": 720,
        "height": 1280,
        "model": "sora",
    }


# -- 2-6. transport and HTTP failures, both APIs ---------------------------------------------


@pytest.fixture(params=["videos", "preview-jobs"])
def any_api(request: pytest.FixtureRequest, emulator: AzureEmulator) -> VideoGenerationConfig:
    return preview(emulator) if request.param == "preview-jobs" else config(emulator)


async def test_rate_limit_at_submit(
    emulator: AzureEmulator, any_api: VideoGenerationConfig
) -> None:
    emulator.fail_next(
        "submit",
        Fault(
            status=429,
            headers={"Retry-After": "3"},
            body={"error": {"code": "429", "message": "Rate limit is exceeded."}},
        ),
    )
    with pytest.raises(RateLimitError) as caught:
        await AzureProvider().submit_video(any_api, request())
    assert (caught.value.retry_after, caught.value.is_retryable) == (3.0, True)
    assert len(emulator.calls_of("submit")) == 1


@pytest.mark.parametrize("status", [500, 503])
async def test_server_errors_are_retryable(
    emulator: AzureEmulator, any_api: VideoGenerationConfig, status: int
) -> None:
    emulator.fail_next("submit", Fault(status=status, body={"error": {"message": "down"}}))
    with pytest.raises(HTTPError) as caught:
        await AzureProvider().submit_video(any_api, request())
    assert (caught.value.status_code, caught.value.is_retryable) == (status, True)


async def test_client_errors_are_not_retryable(
    emulator: AzureEmulator, any_api: VideoGenerationConfig
) -> None:
    emulator.fail_next("submit", Fault(status=422, body={"error": {"message": "no"}}))
    with pytest.raises(HTTPError) as caught:
        await AzureProvider().submit_video(any_api, request())
    assert (caught.value.status_code, caught.value.is_retryable) == (422, False)


async def test_a_real_400_from_the_jobs_api(emulator: AzureEmulator) -> None:
    # Extras can no longer set the dimensions, so the jobs API's refusal is injected.
    body = azure_error("invalid_value", "Unsupported dimensions 100x100.", param="width")
    emulator.fail_next("submit", Fault(status=400, body=body))
    with pytest.raises(HTTPError) as caught:
        await AzureProvider().submit_video(preview(emulator), request())
    assert (caught.value.status_code, caught.value.is_retryable) == (400, False)
    assert caught.value.raw_response["error"]["param"] == "width"


@pytest.mark.parametrize(
    "extras",
    [
        {"size": "100x100"},
        {"width": 100},
        {"n_seconds": 20},
        {"n_variants": 4},
        {"inpaint_items": []},
    ],
)
async def test_jobs_api_extras_cannot_override_size_length_or_count(
    emulator: AzureEmulator, extras: dict[str, Any]
) -> None:
    with pytest.raises(ValidationError) as caught:
        await AzureProvider().submit_video(preview(emulator), request(extra_params=extras))
    assert caught.value.param == next(iter(extras))
    assert emulator.calls_of("submit") == []


async def test_jobs_api_extras_still_add_new_fields(emulator: AzureEmulator) -> None:
    # The reference lists no "user" field; the emulator takes it only when told to, as an
    # API version that adds a field would.
    emulator.accepted_extras = {"user"}
    await AzureProvider().submit_video(preview(emulator), request(extra_params={"user": "u1"}))
    (submit,) = emulator.calls_of("submit")
    assert submit.body["user"] == "u1"


async def test_hang_is_a_connection_error(
    emulator: AzureEmulator, any_api: VideoGenerationConfig
) -> None:
    jobs = len(emulator.jobs)
    emulator.fail_next("submit", Fault(hang_seconds=0.8))
    cfg = replace(any_api, request_timeout=0.3)
    with pytest.raises(ProviderConnectionError) as caught:
        await AzureProvider().submit_video(cfg, request())
    assert caught.value.is_retryable
    await emulator.wait_for_a_job_after(jobs)


async def test_malformed_json_is_a_retryable_502(
    emulator: AzureEmulator, any_api: VideoGenerationConfig
) -> None:
    provider = AzureProvider()
    job = await provider.submit_video(any_api, request())
    emulator.fail_next("status", Fault(malformed=True))
    with pytest.raises(HTTPError) as caught:
        await provider.poll_video(any_api, job.request_id)
    assert (caught.value.status_code, caught.value.is_retryable) == (502, True)


async def test_bad_key(emulator: AzureEmulator, any_api: VideoGenerationConfig) -> None:
    secret = "azure-wrong-key-0123456789"
    cfg = replace(any_api, api_key=secret)
    with pytest.raises(ProviderAuthenticationError) as caught:
        await AzureProvider().submit_video(cfg, request())
    assert (caught.value.status_code, caught.value.is_retryable) == (401, False)
    assert secret not in str(caught.value)
    assert secret not in repr(caught.value.raw_response)
    assert emulator.calls_of("submit")[0].headers["api-key"] == secret


async def test_a_key_echoed_by_the_jobs_api_is_masked(emulator: AzureEmulator) -> None:
    emulator.fail_next("submit", Fault(status=401, body={"error": {"message": "bad test-key"}}))
    with pytest.raises(ProviderAuthenticationError) as caught:
        await AzureProvider().submit_video(preview(emulator), request())
    assert "test-key" not in str(caught.value)
    assert "test-key" not in repr(caught.value.raw_response)


async def test_missing_key_and_endpoint_fail_before_any_call(
    emulator: AzureEmulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("AZURE_OPENAI_API_KEY", raising=False)
    monkeypatch.delenv("AZURE_OPENAI_ENDPOINT", raising=False)
    with pytest.raises(ValidationError) as caught:
        await AzureProvider().submit_video(config(emulator, api_key=None), request())
    assert caught.value.param == "api_key"
    assert "AZURE_OPENAI_API_KEY" in str(caught.value)
    with pytest.raises(ValidationError) as caught:
        await AzureProvider().submit_video(config(emulator, base_url=None), request())
    assert caught.value.param == "base_url"
    assert emulator.calls == []


async def test_key_and_endpoint_from_the_environment(
    emulator: AzureEmulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AZURE_OPENAI_API_KEY", "test-key")
    monkeypatch.setenv("AZURE_OPENAI_ENDPOINT", emulator.base_url + "/")
    job = await AzureProvider().submit_video(
        config(emulator, api_key=None, base_url=None), request()
    )
    assert job.request_id.startswith("video_")


# -- 7-8. moderation and failed jobs ----------------------------------------------------------


async def test_v1_moderation_at_submit(emulator: AzureEmulator) -> None:
    emulator.next_job_outcome = "moderation"
    with pytest.raises(ContentModerationError) as caught:
        await AzureProvider().submit_video(config(emulator), request())
    assert not caught.value.is_retryable
    inner = caught.value.raw_response["error"]["inner_error"]
    assert inner["code"] == "ResponsibleAIPolicyViolation"


async def test_preview_moderation_at_submit(emulator: AzureEmulator) -> None:
    emulator.next_job_outcome = "moderation"
    with pytest.raises(ContentModerationError):
        await AzureProvider().submit_video(preview(emulator), request())


async def test_moderation_failure_of_the_job(
    emulator: AzureEmulator, any_api: VideoGenerationConfig
) -> None:
    emulator.next_job_outcome = "moderation"
    emulator.moderation_at = "job"
    with pytest.raises(ContentModerationError) as caught:
        await run_video_job(AzureProvider(), any_api, request())
    assert not caught.value.is_retryable


async def test_failed_job(emulator: AzureEmulator, any_api: VideoGenerationConfig) -> None:
    emulator.next_job_outcome = "fail"
    with pytest.raises(GenerationFailedError) as caught:
        await run_video_job(AzureProvider(), any_api, request())
    assert caught.value.is_retryable
    assert "internal_error" in str(caught.value)


async def test_preview_statuses_map_onto_the_unified_ones(emulator: AzureEmulator) -> None:
    provider = AzureProvider()
    cfg = preview(emulator)
    seen: list[tuple[str, str]] = []
    job = await provider.submit_video(cfg, request())
    while True:
        progress = await provider.poll_video(cfg, job.request_id)
        seen.append((progress.raw_response["status"], progress.status))
        if progress.status == "completed":
            break
        await asyncio.sleep(0.01)
    mapping = dict(seen)
    assert mapping["succeeded"] == "completed"
    assert set(mapping.values()) <= {"queued", "in_progress", "completed"}
    assert mapping.get("running", "in_progress") == "in_progress"
    assert mapping.get("preprocessing", "queued") == "queued"


async def test_preview_cancelled_job_is_failed(emulator: AzureEmulator) -> None:
    provider = AzureProvider()
    cfg = preview(emulator)
    job = await provider.submit_video(cfg, request())
    emulator.jobs[job.request_id].cancelled = True
    progress = await provider.poll_video(cfg, job.request_id)
    assert progress.status == "failed"
    assert isinstance(progress.error, GenerationFailedError)


# -- 9. requests the deployment cannot serve ----------------------------------------------------


@pytest.mark.parametrize(
    ("api", "fields", "param"),
    [
        ("videos", {"resolution": "1080p"}, "resolution"),
        ("videos", {"duration_seconds": 20}, "seconds"),
        ("videos", {"aspect_ratio": "1:1"}, "aspect_ratio"),
        ("preview-jobs", {"duration_seconds": 25}, "seconds"),
        ("preview-jobs", {"aspect_ratio": "4:3"}, "aspect_ratio"),
        ("preview-jobs", {"resolution": "720p", "number_of_videos": 3}, "n"),
        ("preview-jobs", {"resolution": "1080p", "number_of_videos": 2}, "n"),
        ("preview-jobs", {"generate_audio": True}, "generate_audio"),
        ("preview-jobs", {"size": "big"}, "size"),
        (
            "preview-jobs",
            {"image_list": [{"image": "https://x.example/a.png", "role": "first_frame"}]},
            "image_list",
        ),
    ],
)
async def test_impossible_requests_fail_before_any_call(
    emulator: AzureEmulator, api: str, fields: dict[str, Any], param: str
) -> None:
    cfg = preview(emulator) if api == "preview-jobs" else config(emulator)
    with pytest.raises(ValidationError) as caught:
        await AzureProvider().submit_video(cfg, request(**fields))
    assert caught.value.param == param
    assert emulator.calls == []


async def test_unknown_api_is_a_validation_error(emulator: AzureEmulator) -> None:
    with pytest.raises(ValidationError) as caught:
        await AzureProvider().submit_video(
            config(emulator, provider_config={"api": "deployments"}), request()
        )
    assert caught.value.param == "provider_config.api"
    assert emulator.calls == []


# -- 10. field mappers ----------------------------------------------------------------------


def test_registered_families_and_lookup() -> None:
    families = get_provider_field_mapping("azure")
    assert (families["sora-2"], families["sora-2-pro"], families[""]) == (
        SORA_2,
        SORA_2_PRO,
        GENERIC,
    )
    assert lookup_mapping("azure", "sora-2-pro-eastus") is SORA_2_PRO
    assert lookup_mapping("azure", "sora-2") is SORA_2
    assert lookup_mapping("azure", "my-deployment") is GENERIC


def test_model_family_overrides_an_arbitrary_deployment_name() -> None:
    provider = AzureProvider()
    cfg = VideoGenerationConfig(
        provider="azure",
        model="prod-video",
        api_key="k",
        base_url="https://r.openai.azure.com",
        provider_config={"model_family": "sora-2-pro"},
    )
    assert provider.mapping(cfg) is SORA_2_PRO
    payload = provider.build_create(cfg, request(resolution="1080p", aspect_ratio="16:9"))
    assert payload["size"] == "1792x1024"
    assert payload["model"] == "prod-video"


def test_preview_jobs_mapping() -> None:
    assert SORA_1_JOBS.capabilities.durations == tuple(range(1, 21))
    assert SORA_1_JOBS.capabilities.aspect_ratios == ("1:1", "16:9", "9:16")
    assert SORA_1_JOBS.duration_format == "int"
    cfg = VideoGenerationConfig(
        provider="azure",
        model="sora",
        api_key="k",
        base_url="https://r.openai.azure.com/openai",
        provider_config=PREVIEW,
    )
    provider = AzureProvider()
    assert provider.base_url(cfg) == "https://r.openai.azure.com/openai/v1"
    payload = provider.build_job(
        cfg, request(duration_seconds=7, resolution="1080p", aspect_ratio="1:1")
    )
    assert payload == {
        "prompt": "a lighthouse at dawn",
        "n_seconds": 7,
        "n_variants": 1,
        "width": 1080,
        "height": 1080,
        "model": "sora",
    }
    raw = base64.b64encode(IMAGE_BYTES).decode()
    with_image = provider.build_job(
        cfg, request(image_list=[ImageInput(image=raw, role="first_frame")])
    )
    assert with_image["__image__"] == (IMAGE_BYTES, "image/jpeg")


def test_download_headers_only_for_the_resource() -> None:
    provider = AzureProvider()
    cfg = VideoGenerationConfig(
        provider="azure", model="sora-2", api_key="k", base_url="https://r.openai.azure.com"
    )
    url = "https://r.openai.azure.com/openai/v1/videos/v/content?api-version=preview"
    assert provider.download_headers(cfg, url) == {"api-key": "k"}
    assert provider.download_headers(cfg, "https://elsewhere.example/v.mp4") == {}


# -- 11. cancel, remix, statelessness ---------------------------------------------------------


async def test_v1_cancel_deletes_the_video(emulator: AzureEmulator) -> None:
    provider = AzureProvider()
    cfg = config(emulator)
    job = await provider.submit_video(cfg, request())
    await provider.cancel_video(cfg, job.request_id)
    (cancel,) = emulator.calls_of("cancel")
    assert (cancel.method, cancel.path) == ("DELETE", f"/openai/v1/videos/{job.request_id}")


async def test_preview_cancel_deletes_the_job(emulator: AzureEmulator) -> None:
    provider = AzureProvider()
    cfg = preview(emulator)
    job = await provider.submit_video(cfg, request())
    await provider.cancel_video(cfg, job.request_id)
    (cancel,) = emulator.calls_of("cancel")
    assert cancel.path == f"/openai/v1/video/generations/jobs/{job.request_id}"
    assert emulator.jobs[job.request_id].cancelled
    await provider.cancel_video(cfg, job.request_id)  # already gone: fine


async def test_poll_after_restart_with_fresh_instances(
    emulator: AzureEmulator, any_api: VideoGenerationConfig
) -> None:
    job = await AzureProvider().submit_video(any_api, request(duration_seconds=4))
    for _ in range(100):
        progress = await AzureProvider().poll_video(any_api, job.request_id)
        if progress.status == "completed":
            break
        await asyncio.sleep(0.05)
    result = await AzureProvider().fetch_video(any_api, job.request_id)
    assert (result.request_id, result.duration) == (job.request_id, 4.0)


async def test_remix_on_v1_only(emulator: AzureEmulator) -> None:
    provider = AzureProvider()
    cfg = config(emulator)
    first = await run_video_job(provider, cfg, request())
    remix = await provider.remix_video(cfg, first.request_id, request(prompt="at dusk"))
    (call,) = emulator.calls_of("remix")
    assert call.path == f"/openai/v1/videos/{first.request_id}/remix"
    assert call.headers["api-key"] == "test-key"
    assert remix.raw_response["remixed_from_video_id"] == first.request_id

    assert not provider.supports_remix(preview(emulator))
    with pytest.raises(ValidationError):
        await provider.remix_video(preview(emulator), "task_x", request())


# -- images ---------------------------------------------------------------------------------


async def test_images_through_the_v1_surface(emulator: AzureEmulator) -> None:
    cfg = ImageGenerationConfig(
        provider="azure", model="gpt-image-1", base_url=emulator.base_url, api_key="test-key"
    )
    result = await AzureProvider().generate_image(cfg, ImageGenerationRequest(prompt="a fox"))
    assert base64.b64decode(result.images[0]) == IMAGE_BYTES
    (call,) = emulator.calls_of("image")
    assert call.path == "/openai/v1/images/generations"  # not /deployments/{name}/…
    assert call.headers["api-key"] == "test-key"
    assert call.body["model"] == "gpt-image-1"


async def test_image_moderation(emulator: AzureEmulator) -> None:
    emulator.next_job_outcome = "moderation"
    cfg = ImageGenerationConfig(
        provider="azure", model="gpt-image-1", base_url=emulator.base_url, api_key="test-key"
    )
    with pytest.raises(ContentModerationError):
        await AzureProvider().generate_image(cfg, ImageGenerationRequest(prompt="x"))


# -- issue 15: auth as AzureOpenAI sends it, documented defaults, strict emulator ----------


async def test_video_calls_send_the_key_only_as_api_key(
    emulator: AzureEmulator, any_api: VideoGenerationConfig
) -> None:
    # openai.AzureOpenAI(api_key=...) sends "api-key" and no Authorization header; Azure
    # reads a bearer token as an Entra ID token.
    provider = AzureProvider()
    job = await provider.submit_video(any_api, request())
    await provider.poll_video(any_api, job.request_id)
    assert emulator.calls
    for call in emulator.calls:
        assert call.headers["api-key"] == "test-key"
        assert "authorization" not in call.headers


def test_jobs_family_carries_the_documented_defaults() -> None:
    caps = SORA_1_JOBS.capabilities
    # n_seconds defaults to 5 in Microsoft's reference; width/height have no default, so
    # the gateway's is Azure Sora 2's 720x1280.
    assert (caps.default_duration, caps.default_resolution, caps.default_aspect_ratio) == (
        5,
        "720p",
        "9:16",
    )


def test_jobs_payload_with_nothing_named_is_valid() -> None:
    cfg = VideoGenerationConfig(
        provider="azure", model="sora", api_key="k", base_url="http://h", provider_config=PREVIEW
    )
    payload = AzureProvider().build_job(cfg, request())
    assert payload == {
        "prompt": "a lighthouse at dawn",
        "n_seconds": 5,
        "n_variants": 1,
        "width": 720,
        "height": 1280,
        "model": "sora",
    }


def _azure_post(emulator: AzureEmulator, path: str, **kwargs: Any) -> httpx.Response:
    return httpx.post(
        f"{emulator.base_url}/openai/v1{path}",
        params={"api-version": "preview"},
        headers={"api-key": "test-key"},
        **kwargs,
    )


def test_emulator_refuses_unknown_fields_in_azures_shape(emulator: AzureEmulator) -> None:
    job = _azure_post(
        emulator,
        "/video/generations/jobs",
        json={"prompt": "p", "model": "sora", "width": 480, "height": 480, "fps": 30},
    )
    assert job.status_code == 400
    assert job.json()["error"]["code"] == "unknown_parameter"
    assert job.json()["error"]["param"] == "fps"
    video = _azure_post(emulator, "/videos", files={"prompt": (None, "p"), "seed": (None, "1")})
    assert video.status_code == 400
    assert video.json()["error"]["param"] == "seed"


def test_emulator_checks_sizes_by_the_deployments_model(emulator: AzureEmulator) -> None:
    emulator.deployment_families = {"prod-video": "sora-2"}
    fields = {"prompt": (None, "p"), "model": (None, "prod-video"), "size": (None, "1792x1024")}
    answer = _azure_post(emulator, "/videos", files=fields)
    assert answer.status_code == 400
    assert answer.json()["error"]["param"] == "size"
    emulator.deployment_families = {"prod-video": "sora-2-pro"}
    assert _azure_post(emulator, "/videos", files=fields).status_code == 200


def test_emulator_unknown_paths_are_azure_404s(emulator: AzureEmulator) -> None:
    answer = _azure_post(emulator, "/video/generation/jobs", json={})
    assert answer.status_code == 404
    assert answer.json() == {"error": {"code": "404", "message": "Resource not found"}}


def test_the_router_sees_the_family_the_adapter_uses() -> None:
    # A deployment name that says nothing: the router must still see Sora 2 Pro's limits
    # and defaults (and the jobs API's), or it would bill and fill what is not sent.
    base = {"provider": "azure", "model": "prod-video", "api_key": "k", "base_url": "http://h"}
    pro = VideoGenerationConfig(**base, provider_config={"model_family": "sora-2-pro"})
    assert AzureProvider().capabilities(pro) is SORA_2_PRO.capabilities
    jobs = VideoGenerationConfig(**base, provider_config=PREVIEW)
    caps = AzureProvider().capabilities(jobs)
    assert caps is SORA_1_JOBS.capabilities
    assert caps.default_duration == 5


# -- completion in one read (issue 16, item 3) ---------------------------------------------


async def test_a_finished_job_is_read_once(
    emulator: AzureEmulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The poll that sees the job finished carries its result, so completing it takes one
    GET (the old lifecycle polled, then fetched the same resource again)."""
    monkeypatch.setattr(emulator, "job_seconds", 0)
    provider = AzureProvider()
    cfg = config(emulator)
    job = await provider.submit_video(cfg, request())
    emulator.calls.clear()

    result = await follow_job(provider, cfg, job)

    assert [call.method for call in emulator.calls] == ["GET"]
    progress = await provider.poll_video(cfg, job.request_id)
    assert progress.status == "completed"
    assert progress.result == result
    assert await provider.fetch_video(cfg, job.request_id) == result


async def test_a_finished_preview_job_is_read_once(
    emulator: AzureEmulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The preview jobs API's finished job carries its generations: one GET completes it."""
    monkeypatch.setattr(emulator, "job_seconds", 0)
    provider = AzureProvider()
    cfg = preview(emulator)
    job = await provider.submit_video(cfg, request())
    emulator.calls.clear()

    result = await follow_job(provider, cfg, job)

    assert [call.method for call in emulator.calls] == ["GET"]
    progress = await provider.poll_video(cfg, job.request_id)
    assert progress.result == result
    assert await provider.fetch_video(cfg, job.request_id) == result
