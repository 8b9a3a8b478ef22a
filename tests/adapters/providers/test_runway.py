"""The Runway adapter against a loopback Runway API (tests/emulators/runway.py)."""

from __future__ import annotations

import asyncio
import base64
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tarash_gateway.adapters import (
    ContentModerationError,
    GenerationFailedError,
    HTTPError,
    ImageInput,
    PollTimeoutError,
    ProviderAuthenticationError,
    ProviderConnectionError,
    RateLimitError,
    TarashError,
    ValidationError,
    VideoGenerationConfig,
    VideoGenerationRequest,
)
from tarash_gateway.adapters.field_mappers import get_provider_field_mapping, lookup_mapping
from tarash_gateway.adapters.media import SAMPLE_VIDEO
from tarash_gateway.adapters.models import ProgressUpdate
from tarash_gateway.adapters.polling import follow_job, run_video_job
from tarash_gateway.adapters.providers.runway import (
    MAX_DATA_URI_BYTES,
    MODEL_MAPPINGS,
    RunwayProvider,
    decode_request_id,
    encode_request_id,
    is_safety_code,
    task_progress,
)
from tarash_gateway.adapters.providers.runway_models import MODELS, sizes
from tests.emulators.base import Fault
from tests.emulators.runway import RunwayEmulator

IMAGE = "https://example.com/first.png"
LAST = "https://example.com/last.png"
SECRET = "key_0123456789abcdefSECRET"


@pytest.fixture(scope="module")
def server() -> Iterator[RunwayEmulator]:
    emulator = RunwayEmulator(job_seconds=0.2)
    with emulator:
        yield emulator


@pytest.fixture
def emulator(server: RunwayEmulator) -> RunwayEmulator:
    server.calls.clear()
    server.faults.clear()
    server.jobs.clear()
    server.uploads.clear()
    server.next_job_outcome = "success"
    server.job_seconds = 0.2
    return server


def make_config(emulator: RunwayEmulator, **overrides: Any) -> VideoGenerationConfig:
    settings: dict[str, Any] = {
        "provider": "runway",
        "model": "gen4_turbo",
        "api_key": "test-key",
        "base_url": emulator.base_url,
        "poll_interval": 0.05,
        "request_timeout": 2.0,
    }
    settings.update(overrides)
    return VideoGenerationConfig(**settings)


def image_request(**fields: Any) -> VideoGenerationRequest:
    fields.setdefault("image_list", [ImageInput(image=IMAGE, role="first_frame")])
    return VideoGenerationRequest(prompt="a lighthouse in a storm", **fields)


# -- 1. full cycle ----------------------------------------------------------------------


async def test_full_cycle_image_to_video(emulator: RunwayEmulator) -> None:
    updates: list[ProgressUpdate] = []
    config = make_config(emulator)
    request = image_request(duration_seconds=5, aspect_ratio="16:9", seed=7)

    result = await run_video_job(RunwayProvider(), config, request, on_progress=updates.append)

    assert result.status == "completed"
    assert (result.duration, result.resolution, result.aspect_ratio) == (5.0, "720p", "16:9")
    assert result.content_type == "video/mp4"
    assert result.raw_response["status"] == "SUCCEEDED"
    async with httpx.AsyncClient() as client:
        download = await client.get(str(result.video))
    assert download.content == SAMPLE_VIDEO.read_bytes()

    (submit,) = emulator.calls_of("submit")
    assert (submit.method, submit.path) == ("POST", "/v1/image_to_video")
    assert submit.headers["authorization"] == "Bearer test-key"
    assert submit.headers["x-runway-version"] == "2024-11-06"
    assert submit.body == {
        "model": "gen4_turbo",
        "promptText": "a lighthouse in a storm",
        "promptImage": IMAGE,
        "ratio": "1280:720",
        "duration": 5,
        "seed": 7,
    }
    task_id = decode_request_id(result.request_id)[0]
    assert all(call.path == f"/v1/tasks/{task_id}" for call in emulator.calls_of("status"))
    assert updates[-1].status == "completed"
    assert updates[-1].progress_percent == 100
    assert {update.status for update in updates} <= {"queued", "in_progress", "completed"}


async def test_full_cycle_text_to_video_veo(emulator: RunwayEmulator) -> None:
    config = make_config(emulator, model="veo3.1")
    request = VideoGenerationRequest(
        prompt="a hummingbird",
        resolution="1080p",
        aspect_ratio="9:16",
        duration_seconds=6,
        generate_audio=True,
        negative_prompt="blur",
        seed=3,
    )

    result = await run_video_job(RunwayProvider(), config, request)

    assert (result.duration, result.resolution, result.aspect_ratio) == (6.0, "1080p", "9:16")
    (submit,) = emulator.calls_of("submit")
    assert submit.path == "/v1/text_to_video"
    # runwayml 5.24 lists seed for Veo 3.1 on text_to_video too; it used to be dropped.
    assert submit.body == {
        "model": "veo3.1",
        "promptText": "a hummingbird",
        "ratio": "1080:1920",
        "duration": 6,
        "audio": True,
        "negativePrompt": "blur",
        "seed": 3,
    }


async def test_progress_is_reported_while_running(emulator: RunwayEmulator) -> None:
    emulator.job_seconds = 1.0
    provider, config = RunwayProvider(), make_config(emulator)
    job = await provider.submit_video(config, image_request())
    assert (await provider.poll_video(config, job.request_id)).status == "queued"
    await asyncio.sleep(0.5)
    running = await provider.poll_video(config, job.request_id)
    assert running.status == "in_progress"
    assert 30 <= running.progress <= 99


# -- 2-6. HTTP failures -----------------------------------------------------------------


async def test_429_at_submit_is_retryable_with_retry_after(emulator: RunwayEmulator) -> None:
    emulator.fail_next(
        "submit",
        Fault(status=429, headers={"Retry-After": "3"}, body={"error": "Too many requests"}),
    )
    with pytest.raises(RateLimitError) as caught:
        await RunwayProvider().submit_video(make_config(emulator), image_request())
    assert caught.value.retry_after == 3
    assert caught.value.is_retryable
    assert caught.value.raw_response == {"error": "Too many requests"}


@pytest.mark.parametrize(("status", "retryable"), [(500, True), (503, True), (400, False)])
async def test_http_status_classes(emulator: RunwayEmulator, status: int, retryable: bool) -> None:
    emulator.fail_next("submit", Fault(status=status, body={"error": "something broke"}))
    with pytest.raises(HTTPError) as caught:
        await RunwayProvider().submit_video(make_config(emulator), image_request())
    assert caught.value.status_code == status
    assert caught.value.is_retryable is retryable
    assert "something broke" in caught.value.message


async def test_5xx_while_polling_is_retried_by_the_loop(emulator: RunwayEmulator) -> None:
    emulator.fail_next("status", Fault(status=502, body={"error": "shedding load"}), times=2)
    result = await run_video_job(RunwayProvider(), make_config(emulator), image_request())
    assert result.status == "completed"


async def test_hang_past_request_timeout(emulator: RunwayEmulator) -> None:
    emulator.fail_next("submit", Fault(hang_seconds=1.5))
    config = make_config(emulator, request_timeout=0.5)
    with pytest.raises(ProviderConnectionError) as caught:
        await RunwayProvider().submit_video(config, image_request())
    assert caught.value.is_retryable


async def test_malformed_json_is_a_retryable_502(emulator: RunwayEmulator) -> None:
    provider, config = RunwayProvider(), make_config(emulator)
    job = await provider.submit_video(config, image_request())
    emulator.fail_next("status", Fault(malformed=True))
    with pytest.raises(HTTPError) as caught:
        await provider.poll_video(config, job.request_id)
    assert caught.value.status_code == 502
    assert caught.value.is_retryable


async def test_bad_key_never_leaks(emulator: RunwayEmulator) -> None:
    config = make_config(emulator, api_key=SECRET)
    with pytest.raises(ProviderAuthenticationError) as caught:
        await RunwayProvider().submit_video(config, image_request())
    assert caught.value.status_code == 401
    assert not caught.value.is_retryable
    assert SECRET not in str(caught.value)
    assert SECRET not in repr(caught.value.raw_response)


async def test_key_from_environment(
    emulator: RunwayEmulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("RUNWAYML_API_SECRET", raising=False)
    monkeypatch.setenv("RUNWAY_API_KEY", "test-key")
    job = await RunwayProvider().submit_video(make_config(emulator, api_key=None), image_request())
    assert job.request_id
    monkeypatch.setenv("RUNWAYML_API_SECRET", "test-key")
    monkeypatch.setenv("RUNWAY_API_KEY", "wrong")
    assert await RunwayProvider().submit_video(make_config(emulator, api_key=None), image_request())


async def test_missing_key_is_a_validation_error(
    emulator: RunwayEmulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("RUNWAYML_API_SECRET", raising=False)
    monkeypatch.delenv("RUNWAY_API_KEY", raising=False)
    with pytest.raises(ValidationError) as caught:
        await RunwayProvider().submit_video(make_config(emulator, api_key=None), image_request())
    assert caught.value.param == "api_key"
    assert "RUNWAYML_API_SECRET" in caught.value.message
    assert emulator.calls == []


async def test_emulator_rejects_a_wrong_version_header(emulator: RunwayEmulator) -> None:
    config = make_config(emulator, api_version="2023-01-01")
    with pytest.raises(HTTPError) as caught:
        await RunwayProvider().submit_video(config, image_request())
    assert caught.value.status_code == 400
    assert "X-Runway-Version" in caught.value.message
    async with httpx.AsyncClient() as client:
        missing = await client.get(
            f"{emulator.base_url}/v1/tasks/x", headers={"Authorization": "Bearer test-key"}
        )
    assert missing.status_code == 400


# -- 7-8. moderation and failed jobs ----------------------------------------------------


async def test_moderation_failure_code(emulator: RunwayEmulator) -> None:
    emulator.next_job_outcome = "moderation"
    with pytest.raises(ContentModerationError) as caught:
        await run_video_job(RunwayProvider(), make_config(emulator), image_request())
    assert not caught.value.is_retryable
    assert caught.value.raw_response["failureCode"] == "SAFETY.INPUT.TEXT"


async def test_moderation_refusal_at_submit(emulator: RunwayEmulator) -> None:
    emulator.fail_next(
        "submit",
        Fault(status=400, body={"error": "Prompt rejected", "failureCode": "SAFETY.INPUT.TEXT"}),
    )
    with pytest.raises(ContentModerationError):
        await RunwayProvider().submit_video(make_config(emulator), image_request())


async def test_accepted_then_failing_job(emulator: RunwayEmulator) -> None:
    emulator.next_job_outcome = "fail"
    with pytest.raises(GenerationFailedError) as caught:
        await run_video_job(RunwayProvider(), make_config(emulator), image_request())
    assert caught.value.is_retryable
    assert "INTERNAL.BAD_OUTPUT.CODE01" in caught.value.message
    assert caught.value.raw_response["status"] == "FAILED"


def test_safety_codes() -> None:
    assert is_safety_code("SAFETY.INPUT.TEXT")
    assert is_safety_code("SAFETY.OUTPUT.VIDEO")
    assert is_safety_code("INPUT_PREPROCESSING.SAFETY.TEXT")
    assert not is_safety_code("INTERNAL.BAD_OUTPUT.CODE01")
    assert not is_safety_code("INPUT_PREPROCESSING.INTERNAL")
    assert not is_safety_code(None)


# -- 9. requests the model cannot serve -------------------------------------------------


@pytest.mark.parametrize(
    ("model", "request_fields", "param"),
    [
        ("gen4_turbo", {"duration_seconds": 12}, "seconds"),
        ("gen4_turbo", {"resolution": "1080p"}, "resolution"),
        ("gen4_turbo", {"image_list": []}, "input_reference"),
        ("gen4_turbo", {"generate_audio": True}, "generate_audio"),
        ("veo3.1", {"aspect_ratio": "1:1"}, "aspect_ratio"),
        ("veo3.1", {"duration_seconds": 5}, "seconds"),
        ("veo3.1", {"image_list": [ImageInput(image=LAST, role="last_frame")]}, "image_list"),
        ("gen4.5", {"image_list": [], "aspect_ratio": "1:1"}, "aspect_ratio"),
        ("gen4.5", {"image_list": [ImageInput(image=IMAGE, role="reference")]}, "image_list"),
        ("veo3", {"duration_seconds": 4}, "seconds"),
        ("veo3", {"image_list": [ImageInput(image=IMAGE, role="first_frame"),
                                 ImageInput(image=LAST, role="last_frame")]}, "image_list"),
        ("veo3", {"generate_audio": False}, "generate_audio"),
        ("seedance2_fast", {"resolution": "1080p"}, "resolution"),
        ("happyhorse_1_0", {"seed": 3}, "seed"),
        ("happyhorse_1_0", {"resolution": "480p"}, "resolution"),
        ("gemini_omni_flash", {"negative_prompt": "blur"}, "negative_prompt"),
        ("gemini_omni_flash", {"duration_seconds": 2}, "seconds"),
        ("gen4_turbo", {"negative_prompt": "blur"}, "negative_prompt"),
        ("gen4_aleph", {}, "model"),
        ("gen3a_turbo", {}, "model"),
        ("gen4_turbo", {"number_of_videos": 2}, "number_of_videos"),
        ("veo3.1", {"enhance_prompt": True}, "enhance_prompt"),
        ("hailuo3", {"resolution": "1080p"}, "resolution"),
        ("kling_4", {"resolution": "480p"}, "resolution"),
        ("gen4_turbo", {"image_list": [ImageInput(image="http://x/f.png", role="first_frame")]},
         "input_reference"),
    ],
)  # fmt: skip
async def test_impossible_requests_fail_before_any_call(
    emulator: RunwayEmulator, model: str, request_fields: dict[str, Any], param: str
) -> None:
    with pytest.raises(ValidationError) as caught:
        await RunwayProvider().submit_video(
            make_config(emulator, model=model), image_request(**request_fields)
        )
    assert caught.value.param == param
    assert model in caught.value.message
    assert emulator.calls == []


# -- 10. field mappers ------------------------------------------------------------------


def test_every_model_has_its_own_table() -> None:
    """No catch-all: each model id is registered exactly, with its own capabilities."""
    assert get_provider_field_mapping("runway") == MODEL_MAPPINGS
    assert set(MODEL_MAPPINGS) == set(MODELS)
    assert "" not in MODEL_MAPPINGS
    assert lookup_mapping("runway", "veo3.1_fast") is MODEL_MAPPINGS["veo3.1_fast"]
    assert lookup_mapping("runway", "veo3") is MODEL_MAPPINGS["veo3"]
    for spec in MODELS.values():
        for endpoint in (spec.image, spec.text):
            if endpoint is not None and endpoint.ratios:
                # one pixel ratio per (resolution, aspect): no two collide
                named = [r for r in endpoint.ratios if sizes((r,))]
                assert len(sizes(endpoint.ratios)) == len(named)


@pytest.mark.parametrize("model", sorted(MODELS))
def test_defaults_are_the_models_own(model: str) -> None:
    """A request naming no duration, resolution or aspect still makes a valid body, with
    the model's own defaults (never OpenAI's 4 s / 720x1280), on each endpoint."""
    caps = MODEL_MAPPINGS[model].capabilities
    spec = MODELS[model]
    assert caps.default_duration == spec.default_duration
    assert caps.durations == spec.durations
    if spec.durations is not None and spec.default_duration is not None:
        assert spec.default_duration in spec.durations
    assert caps.resolutions is None or caps.default_resolution in caps.resolutions
    assert caps.aspect_ratios is None or caps.default_aspect_ratio in caps.aspect_ratios
    config = VideoGenerationConfig(provider="runway", model=model, api_key="k")
    requests = [image_request()] if spec.image is not None else []
    if spec.text is not None:
        requests.append(VideoGenerationRequest(prompt="p"))
    for request in requests:
        _path, payload = RunwayProvider().build_request(config, request)
        assert payload.get("duration") == spec.default_duration


@pytest.mark.parametrize(
    ("aspect", "ratio"),
    [("16:9", "1280:720"), ("9:16", "720:1280"), ("1:1", "960:960"), ("4:3", "1104:832"),
     ("21:9", "1584:672")],
)  # fmt: skip
def test_gen4_ratios(aspect: str, ratio: str) -> None:
    config = VideoGenerationConfig(provider="runway", model="gen4.5", api_key="k")
    path, payload = RunwayProvider().build_request(config, image_request(aspect_ratio=aspect))
    assert path == "/v1/image_to_video"
    assert payload["ratio"] == ratio
    assert payload["duration"] == 5  # gen4.5 requires one; 5 s is the default sent


def test_veo_first_and_last_frames_become_positioned_images() -> None:
    config = VideoGenerationConfig(provider="runway", model="veo3.1_fast", api_key="k")
    request = image_request(
        image_list=[
            ImageInput(image=LAST, role="last_frame"),
            ImageInput(image=IMAGE, role="first_frame"),
        ],
        seed=11,
        generate_audio=False,
    )
    path, payload = RunwayProvider().build_request(config, request)
    assert path == "/v1/image_to_video"
    assert payload == {
        "model": "veo3.1_fast",
        "promptText": "a lighthouse in a storm",
        "promptImage": [{"uri": IMAGE, "position": "first"}, {"uri": LAST, "position": "last"}],
        "ratio": "1280:720",
        "duration": 8,
        "audio": False,
        "seed": 11,
    }


def test_seedance_sizes_and_extra_params() -> None:
    config = VideoGenerationConfig(provider="runway", model="seedance2", api_key="k")
    request = VideoGenerationRequest(
        prompt="p",
        duration_seconds=12,
        aspect_ratio="1:1",
        resolution="4k",
        generate_audio=True,
        seed=5,
        extra_params={"referenceAudio": [{"type": "audio", "uri": "https://x/a.mp3"}]},
    )
    path, payload = RunwayProvider().build_request(config, request)
    assert path == "/v1/text_to_video"
    assert payload == {
        "model": "seedance2",
        "promptText": "p",
        "duration": 12,
        "ratio": "3840:3840",
        "audio": True,
        "seed": 5,
        "referenceAudio": [{"type": "audio", "uri": "https://x/a.mp3"}],
    }
    # ratio is the validated size and promptImage an image field: extras may not set them
    # (they used to override both).
    for extras in ({"ratio": "1470:630"}, {"promptImage": "data:image/png;"}):
        with pytest.raises(ValidationError) as caught:
            RunwayProvider().build_request(config, VideoGenerationRequest(prompt="p", **extras))
        assert caught.value.param == next(iter(extras))


@pytest.mark.parametrize(
    "extras", [{"duration": 10}, {"model": "veo3.1"}, {"audio": True}, {"seed": 3}]
)
def test_extras_cannot_override_length_model_or_sound(extras: dict[str, Any]) -> None:
    config = VideoGenerationConfig(provider="runway", model="gen4_turbo", api_key="k")
    request = VideoGenerationRequest(
        prompt="p",
        duration_seconds=5,
        image_list=[ImageInput(image="https://x/f.png", role="first_frame")],
        extra_params=extras,
    )
    with pytest.raises(ValidationError) as caught:
        RunwayProvider().build_request(config, request)
    assert caught.value.param == next(iter(extras))


def test_veo3_also_does_image_to_video_eight_seconds_only() -> None:
    config = VideoGenerationConfig(provider="runway", model="veo3", api_key="k")
    path, payload = RunwayProvider().build_request(config, VideoGenerationRequest(prompt="p"))
    assert (path, payload["duration"], payload["ratio"]) == ("/v1/text_to_video", 8, "1280:720")
    path, payload = RunwayProvider().build_request(config, image_request())
    assert path == "/v1/image_to_video"
    assert payload == {
        "model": "veo3",
        "promptText": "a lighthouse in a storm",
        "promptImage": IMAGE,
        "duration": 8,
        "ratio": "1280:720",
    }
    caps = MODEL_MAPPINGS["veo3"].capabilities
    assert caps.image_roles == ("first_frame",)
    assert caps.durations == (8,)


def test_happyhorse_image_to_video_sizes_by_tier() -> None:
    config = VideoGenerationConfig(provider="runway", model="happyhorse_1_0", api_key="k")
    path, payload = RunwayProvider().build_request(config, image_request(resolution="720p"))
    assert path == "/v1/image_to_video"
    assert payload == {
        "model": "happyhorse_1_0",
        "promptText": "a lighthouse in a storm",
        "promptImage": IMAGE,
        "duration": 5,
        "resolution": "720P",
    }


def test_build_request_refuses_a_data_uri_over_5_mb() -> None:
    """Runway takes data URIs up to 5 MB; the adapter used to send up to 20 MiB. A larger
    one that reaches build_request (not through prepare_images) is still a 400."""
    assert MAX_DATA_URI_BYTES == 5_000_000
    config = VideoGenerationConfig(provider="runway", model="gen4_turbo", api_key="k")
    prefix = "data:image/png;base64,"
    fits = prefix + "A" * (5_000_000 - len(prefix))
    _path, payload = RunwayProvider().build_request(
        config, image_request(image_list=[ImageInput(image=fits, role="first_frame")])
    )
    assert payload["promptImage"] == fits
    with pytest.raises(ValidationError) as caught:
        RunwayProvider().build_request(
            config, image_request(image_list=[ImageInput(image=fits + "A", role="first_frame")])
        )
    assert caught.value.param == "input_reference"
    assert "5 MB" in caught.value.message
    assert "uploads API" in caught.value.message


BIG_PNG = b"\x89PNG\r\n\x1a\n" + b"\1" * 4_000_000
"""Over 5 MB once base64-encoded as a data URI."""


def _big_request(**fields: Any) -> VideoGenerationRequest:
    big = "data:image/png;base64," + base64.b64encode(BIG_PNG).decode()
    fields.setdefault("image_list", [ImageInput(image=big, role="first_frame")])
    return image_request(**fields)


async def test_data_uri_over_5_mb_goes_through_runways_uploads_api(
    emulator: RunwayEmulator,
) -> None:
    """The task gets a runway:// URI whose bytes are the upload; was: a 400 (or the
    gateway's signed URL) for every image past 5 MB."""
    config = make_config(emulator, model="veo3.1")
    small = base64.b64encode(PNG).decode()
    request = _big_request(image_list=[
        ImageInput(image="data:image/png;base64," + base64.b64encode(BIG_PNG).decode(),
                   role="first_frame"),
        ImageInput(image=small, role="last_frame"),
    ])  # fmt: skip
    publisher = _Publisher()
    ready = await RunwayProvider().prepare_images(config, request, publisher)
    uri = ready.image_list[0].image
    assert uri.startswith("runway://uploads/")
    assert ready.image_list[1].image == f"data:image/png;base64,{small}"
    assert publisher.published == []
    stored = emulator.uploads[uri]
    assert (stored.filename, stored.data, stored.content_type) == (
        "input.png",
        BIG_PNG,
        "image/png",
    )
    create = emulator.calls_of("upload_create")[-1]
    assert create.body == {"filename": "input.png", "type": "ephemeral"}
    assert create.headers["authorization"] == "Bearer test-key"
    assert "authorization" not in emulator.calls_of("upload_file")[-1].headers
    await RunwayProvider().submit_video(config, ready)
    assert emulator.calls_of("submit")[-1].body["promptImage"][0] == {
        "uri": uri,
        "position": "first",
    }


async def test_a_refused_upload_uses_the_publisher_else_is_a_400(
    emulator: RunwayEmulator,
) -> None:
    """Runway's uploads API first; when it refuses, the gateway's HTTPS URL; without a
    publisher that serves https, a 400 naming public_url, and no task."""
    config = make_config(emulator)
    refusal = Fault(status=400, body={"error": "Invalid parameter: filename"})
    emulator.fail_next("upload_create", refusal)
    publisher = _Publisher()
    ready = await RunwayProvider().prepare_images(config, _big_request(), publisher)
    assert ready.image_list[0].image == "https://gw.example.com/v1/inputs/1"
    assert publisher.published == [(BIG_PNG, "image/png")]
    for refused_by in (None, _Publisher("http")):
        emulator.fail_next("upload_create", refusal)
        with pytest.raises(ValidationError) as caught:
            await RunwayProvider().prepare_images(config, _big_request(), refused_by)
        assert caught.value.param == "input_reference"
        assert "public_url" in caught.value.message
        assert "Invalid parameter: filename" in caught.value.message
    assert emulator.calls_of("submit") == []


async def test_upload_trouble_that_a_retry_may_fix_is_not_a_400(
    emulator: RunwayEmulator,
) -> None:
    """A 503 from the uploads API stays retryable; a bad key stays an auth error and the
    publisher is not tried (the task would be refused with that key too)."""
    emulator.fail_next("upload_create", Fault(status=503))
    with pytest.raises(HTTPError) as caught:
        await RunwayProvider().prepare_images(make_config(emulator), _big_request(), None)
    assert caught.value.status_code == 503
    assert caught.value.is_retryable
    publisher = _Publisher()
    with pytest.raises(ProviderAuthenticationError):
        await RunwayProvider().prepare_images(
            make_config(emulator, api_key="wrong"), _big_request(), publisher
        )
    assert publisher.published == []


async def test_a_request_runway_would_refuse_uploads_nothing(emulator: RunwayEmulator) -> None:
    """gen4_turbo takes no last frame: the 400 comes before the upload."""
    request = _big_request(image_list=[
        ImageInput(image=IMAGE, role="first_frame"),
        _big_request().image_list[0].model_copy(update={"role": "last_frame"}),
    ])  # fmt: skip
    with pytest.raises(ValidationError):
        await RunwayProvider().prepare_images(make_config(emulator), request, _Publisher())
    assert emulator.calls_of("upload_create") == []


@pytest.mark.parametrize(
    ("model", "limit"),
    [("gen4.5", 1000), ("happyhorse_1_0", 2500), ("seedance2", 3500), ("seedance2_5", 15000)],
)
def test_prompt_length_is_counted_in_utf16_units(model: str, limit: int) -> None:
    """Runway counts prompts in UTF-16 code units: an emoji is two."""
    config = VideoGenerationConfig(provider="runway", model=model, api_key="k")
    RunwayProvider().build_request(config, VideoGenerationRequest(prompt="a" * limit))
    RunwayProvider().build_request(config, VideoGenerationRequest(prompt="🌊" * (limit // 2)))
    for prompt in ("a" * (limit + 1), "🌊" * (limit // 2) + "a"):
        with pytest.raises(ValidationError) as caught:
            RunwayProvider().build_request(config, VideoGenerationRequest(prompt=prompt))
        assert caught.value.param == "prompt"


class _Publisher:
    def __init__(self, scheme: str = "https") -> None:
        self.scheme = scheme
        self.published: list[tuple[bytes, str]] = []

    async def publish(self, data: bytes, content_type: str) -> str:
        self.published.append((data, content_type))
        return f"{self.scheme}://gw.example.com/v1/inputs/{len(self.published)}"


PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 64


async def test_inline_images_are_made_readable_for_runway() -> None:
    """Raw base64 becomes a data URI; a URL or a small data URI is left alone (no upload,
    no publish, no call)."""
    config = VideoGenerationConfig(provider="runway", model="veo3.1", api_key="k")
    publisher = _Publisher()
    small = base64.b64encode(PNG).decode()
    request = image_request(image_list=[ImageInput(image=small, role="first_frame"),
                                        ImageInput(image=LAST, role="last_frame")])  # fmt: skip
    ready = await RunwayProvider().prepare_images(config, request, publisher)
    assert ready.image_list[0].image == f"data:image/png;base64,{small}"
    assert ready.image_list[1].image == LAST
    assert publisher.published == []
    untouched = image_request()
    assert await RunwayProvider().prepare_images(config, untouched, publisher) is untouched


def test_throttled_is_queued() -> None:
    progress = task_progress({"id": "t", "status": "THROTTLED"}, model="m", request_id="t")
    assert (progress.status, progress.progress) == ("queued", 0)


def test_request_id_round_trip() -> None:
    encoded = encode_request_id("9f1c", 10, "1280:720")
    assert decode_request_id(encoded) == ("9f1c", 10, "1280:720")
    assert decode_request_id("9f1c") == ("9f1c", None, None)


# -- 11. cancel and statelessness -------------------------------------------------------


async def test_cancel_hits_delete_task(emulator: RunwayEmulator) -> None:
    emulator.job_seconds = 5
    provider, config = RunwayProvider(), make_config(emulator)
    job = await provider.submit_video(config, image_request())
    await provider.cancel_video(config, job.request_id)
    (cancel,) = emulator.calls_of("cancel")
    task_id = decode_request_id(job.request_id)[0]
    assert (cancel.method, cancel.path) == ("DELETE", f"/v1/tasks/{task_id}")
    progress = await provider.poll_video(config, job.request_id)
    assert progress.status == "failed"
    assert isinstance(progress.error, GenerationFailedError)
    await provider.cancel_video(config, encode_request_id("no-such-task", 5, None))  # 404: fine


async def test_poll_timeout_cancels_the_task(emulator: RunwayEmulator) -> None:
    emulator.job_seconds = 5
    config = make_config(emulator, timeout=0.2)
    with pytest.raises(PollTimeoutError):
        await run_video_job(RunwayProvider(), config, image_request())
    assert len(emulator.calls_of("cancel")) == 1


async def test_a_fresh_provider_resumes_a_job(emulator: RunwayEmulator) -> None:
    config = make_config(emulator, model="gen4.5")
    job = await RunwayProvider().submit_video(
        config, image_request(duration_seconds=10, aspect_ratio="21:9")
    )
    await asyncio.sleep(0.3)
    restarted = RunwayProvider()
    assert (await restarted.poll_video(config, job.request_id)).status == "completed"
    result = await restarted.fetch_video(config, job.request_id)
    assert (result.duration, result.aspect_ratio, result.resolution) == (10.0, "21:9", "720p")
    assert result.video == emulator.media_url(emulator.jobs[decode_request_id(job.request_id)[0]])


async def test_fetch_before_completion_is_refused(emulator: RunwayEmulator) -> None:
    emulator.job_seconds = 5
    provider, config = RunwayProvider(), make_config(emulator)
    job = await provider.submit_video(config, image_request())
    with pytest.raises(TarashError, match="has not finished"):
        await provider.fetch_video(config, job.request_id)


# -- 12. the emulator refuses what Runway refuses ---------------------------------------

FRAME = {"promptImage": IMAGE}
BIG = "data:image/png;base64," + "A" * 5_000_000


@pytest.mark.parametrize(
    ("path", "body", "needle"),
    [
        ("/v1/text_to_video", {"model": "veo3", "promptText": "p", "duration": 8,
                               "ratio": "1280:720", "seed": 1}, "seed: Unrecognized key"),
        ("/v1/image_to_video", {"model": "happyhorse_1_0", **FRAME, "ratio": "1280:720"},
         "ratio: Unrecognized key"),
        ("/v1/image_to_video", {"model": "gemini_omni_flash", **FRAME, "seed": 1},
         "seed: Unrecognized key"),
        ("/v1/text_to_video", {"model": "gen4_turbo", "promptText": "p", "ratio": "1280:720"},
         "model: Invalid enum value"),
        ("/v1/text_to_video", {"model": "gen4.5", "promptText": "p", "ratio": "1280:720",
                               "duration": "5"}, "duration"),
        ("/v1/text_to_video", {"model": "veo3.1", "promptText": "p", "ratio": "1280:720",
                               "duration": "8s"}, "duration"),
        ("/v1/text_to_video", {"model": "gen4.5", "promptText": "p", "ratio": "1280:720",
                               "duration": 11}, "from 2 to 10"),
        ("/v1/text_to_video", {"model": "gen4.5", "promptText": "p", "ratio": "960:960",
                               "duration": 5}, "ratio: Invalid enum value"),
        ("/v1/text_to_video", {"model": "veo3.1", "promptText": "p"}, "ratio: Required"),
        ("/v1/text_to_video", {"model": "veo3.1", "promptText": "p", "ratio": "1280:720",
                               "audio": 1}, "audio"),
        ("/v1/text_to_video", {"model": "veo3.1", **FRAME, "promptText": "p",
                               "ratio": "1280:720"}, "promptImage: Unrecognized key"),
        ("/v1/image_to_video", {"model": "gen4_turbo", "promptImage": BIG, "ratio": "1280:720"},
         "5MB"),
        ("/v1/image_to_video", {"model": "gen4_turbo", "promptImage": "http://x/a.png",
                               "ratio": "1280:720"}, "HTTPS"),
        ("/v1/image_to_video", {"model": "veo3.1", "ratio": "1280:720",
                               "promptImage": [{"uri": LAST, "position": "last"}]},
         "requires a first frame"),
        ("/v1/image_to_video", {"model": "gen4_turbo", "ratio": "1280:720",
                               "promptImage": [{"uri": IMAGE, "position": "last"}]}, "position"),
        ("/v1/image_to_video", {"model": "veo3", "duration": 8, "ratio": "1280:720",
                               "promptImage": [{"uri": IMAGE, "position": "first"},
                                               {"uri": LAST, "position": "last"}]}, "first"),
        ("/v1/image_to_video", {"model": "gen3a_turbo", **FRAME}, "model: Invalid enum value"),
        ("/v1/text_to_video", {"model": "veo3.1", "promptText": "🌊" * 501, "ratio": "1280:720"},
         "at most 1000"),
    ],
)  # fmt: skip
async def test_emulator_refuses_bodies_runway_refuses(
    emulator: RunwayEmulator, path: str, body: dict[str, Any], needle: str
) -> None:
    async with httpx.AsyncClient() as client:
        answer = await client.post(
            emulator.base_url + path,
            json=body,
            headers={"Authorization": "Bearer test-key", "X-Runway-Version": "2024-11-06"},
        )
    assert answer.status_code == 400
    assert needle in answer.json()["error"]
    assert emulator.jobs == {}


@pytest.mark.parametrize(
    ("method", "path", "headers", "status"),
    [
        ("POST", "/v1/videos", {}, 404),
        ("POST", "/v1/generations", {}, 404),
        ("GET", "/v1/image_to_video", {}, 405),
        ("POST", "/v1/tasks/abc", {}, 405),
        ("GET", "/v1/tasks/abc", {"X-Runway-Version": "2023-01-01"}, 400),
        ("GET", "/v1/tasks/abc", {"Authorization": "Bearer wrong"}, 401),
        ("GET", "/v1/tasks/abc", {}, 404),
    ],
)
async def test_emulator_refuses_paths_methods_and_headers(
    emulator: RunwayEmulator, method: str, path: str, headers: dict[str, str], status: int
) -> None:
    sent = {"Authorization": "Bearer test-key", "X-Runway-Version": "2024-11-06", **headers}
    async with httpx.AsyncClient() as client:
        answer = await client.request(method, emulator.base_url + path, headers=sent)
    assert answer.status_code == status
    assert "error" in answer.json()


RUNWAY_HEADERS = {"Authorization": "Bearer test-key", "X-Runway-Version": "2024-11-06"}


@pytest.mark.parametrize(
    ("body", "needle"),
    [
        ({"filename": "a.png"}, "type"),
        ({"type": "ephemeral"}, "filename: Required"),
        ({"filename": "a.png", "type": "permanent"}, "type"),
        ({"filename": "a.png", "type": "ephemeral", "size": 3}, "size: Unrecognized key"),
    ],
)
async def test_emulator_refuses_upload_starts_runway_refuses(
    emulator: RunwayEmulator, body: dict[str, Any], needle: str
) -> None:
    """``POST /v1/uploads`` takes exactly what runwayml 5.24 sends: {filename, type}."""
    async with httpx.AsyncClient() as client:
        answer = await client.post(
            emulator.base_url + "/v1/uploads", json=body, headers=RUNWAY_HEADERS
        )
    assert answer.status_code == 400
    assert needle in answer.json()["error"]
    assert emulator.uploads == {}


async def test_emulator_upload_target_and_tasks_are_strict(emulator: RunwayEmulator) -> None:
    """The presigned POST wants the returned fields, a ``file`` part and no key; a task
    may only name a runway:// URI whose bytes arrived."""
    async with httpx.AsyncClient() as client:
        started = await client.post(
            emulator.base_url + "/v1/uploads",
            json={"filename": "a.png", "type": "ephemeral"},
            headers=RUNWAY_HEADERS,
        )
        assert started.status_code == 200
        start = started.json()
        url, fields, uri = start["uploadUrl"], start["fields"], start["runwayUri"]
        file = {"file": ("a.png", PNG, "image/png")}
        task = {"model": "gen4_turbo", "ratio": "1280:720", "promptImage": uri}

        async def create() -> httpx.Response:
            return await client.post(
                emulator.base_url + "/v1/image_to_video", json=task, headers=RUNWAY_HEADERS
            )

        assert (await create()).status_code == 400  # started, but no bytes yet
        assert (await client.post(url, data=fields)).status_code == 400  # no file
        tampered = {**fields, "policy": "other"}
        assert (await client.post(url, data=tampered, files=file)).status_code == 403
        keyed = await client.post(url, data=fields, files=file, headers=RUNWAY_HEADERS)
        assert keyed.status_code == 400
        assert (await client.post(url, data=fields, files=file)).status_code == 204
        assert emulator.uploads[uri].data == PNG
        assert (await create()).status_code == 200
        task["promptImage"] = "runway://uploads/never-made"
        never = await create()
    assert never.status_code == 400
    assert "not a Runway upload" in never.json()["error"]


# -- completion in one read (issue 16, item 3) ---------------------------------------------


async def test_a_finished_job_is_read_once(
    emulator: RunwayEmulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The poll that sees the job finished carries its result, so completing it takes one
    GET (the old lifecycle polled, then fetched the same resource again)."""
    monkeypatch.setattr(emulator, "job_seconds", 0)
    provider = RunwayProvider()
    cfg = make_config(emulator)
    job = await provider.submit_video(cfg, image_request())
    emulator.calls.clear()

    result = await follow_job(provider, cfg, job)

    assert [call.method for call in emulator.calls] == ["GET"]
    progress = await provider.poll_video(cfg, job.request_id)
    assert progress.status == "completed"
    assert progress.result == result
    assert await provider.fetch_video(cfg, job.request_id) == result
