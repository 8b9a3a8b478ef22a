"""The Luma adapter against a loopback Dream Machine API (tests/emulators/luma.py)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tarash_gateway.adapters import (
    ContentModerationError,
    GenerationFailedError,
    HTTPError,
    ImageGenerationConfig,
    ImageGenerationRequest,
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
from tarash_gateway.adapters.media import SAMPLE_THUMBNAIL, SAMPLE_VIDEO
from tarash_gateway.adapters.polling import follow_job, run_video_job
from tarash_gateway.adapters.providers.luma import (
    MODEL_MAPPINGS,
    LumaProvider,
    image_payload,
    is_moderation,
    video_payload,
)
from tests.emulators.base import Fault
from tests.emulators.luma import LumaEmulator

FIRST = "https://example.com/first.jpg"
LAST = "https://example.com/last.jpg"
SECRET = "luma-SECRET-0123456789abcdef"


@pytest.fixture(scope="module")
def server() -> Iterator[LumaEmulator]:
    emulator = LumaEmulator(job_seconds=0.2)
    with emulator:
        yield emulator


@pytest.fixture
def emulator(server: LumaEmulator) -> LumaEmulator:
    server.calls.clear()
    server.faults.clear()
    server.jobs.clear()
    server.next_job_outcome = "success"
    server.job_seconds = 0.2
    return server


def make_config(emulator: LumaEmulator, **overrides: Any) -> VideoGenerationConfig:
    settings: dict[str, Any] = {
        "provider": "luma",
        "model": "ray-2",
        "api_key": "test-key",
        "base_url": emulator.base_url,
        "poll_interval": 0.05,
        "request_timeout": 2.0,
    }
    settings.update(overrides)
    return VideoGenerationConfig(**settings)


def image_config(emulator: LumaEmulator, **overrides: Any) -> ImageGenerationConfig:
    settings: dict[str, Any] = {
        "provider": "luma",
        "model": "photon-1",
        "api_key": "test-key",
        "base_url": emulator.base_url,
        "poll_interval": 0.05,
        "request_timeout": 2.0,
    }
    settings.update(overrides)
    return ImageGenerationConfig(**settings)


REQUEST = VideoGenerationRequest(prompt="a koi pond at dawn")


# -- 1. full cycle ----------------------------------------------------------------------


async def test_full_cycle_with_keyframes(emulator: LumaEmulator) -> None:
    request = VideoGenerationRequest(
        prompt="a koi pond at dawn",
        duration_seconds=9,
        resolution="1080p",
        aspect_ratio="21:9",
        image_list=[
            ImageInput(image=FIRST, role="first_frame"),
            ImageInput(image=LAST, role="last_frame"),
        ],
        extra_params={"loop": True},
    )

    result = await run_video_job(LumaProvider(), make_config(emulator), request)

    assert result.status == "completed"
    assert (result.duration, result.resolution, result.aspect_ratio) == (9.0, "1080p", "21:9")
    assert result.content_type == "video/mp4"
    async with httpx.AsyncClient() as client:
        video = await client.get(str(result.video))
        thumbnail = await client.get(str(result.thumbnail))
    assert video.content == SAMPLE_VIDEO.read_bytes()
    assert thumbnail.content == SAMPLE_THUMBNAIL.read_bytes()

    (submit,) = emulator.calls_of("submit")
    assert (submit.method, submit.path) == ("POST", "/dream-machine/v1/generations/video")
    assert submit.headers["authorization"] == "Bearer test-key"
    assert submit.body == {
        "prompt": "a koi pond at dawn",
        "model": "ray-2",
        "generation_type": "video",
        "aspect_ratio": "21:9",
        "duration": "9s",
        "resolution": "1080p",
        "loop": True,
        "keyframes": {
            "frame0": {"type": "image", "url": FIRST},
            "frame1": {"type": "image", "url": LAST},
        },
    }
    assert all(
        call.path == f"/dream-machine/v1/generations/{result.request_id}"
        for call in emulator.calls_of("status")
    )


async def test_states_map_to_unified_statuses(emulator: LumaEmulator) -> None:
    emulator.job_seconds = 30.0  # queued for 6 s, then dreaming: ample room for both polls
    provider, config = LumaProvider(), make_config(emulator, model="ray-flash-2")
    job = await provider.submit_video(config, REQUEST)
    assert (await provider.poll_video(config, job.request_id)).status == "queued"
    emulator.jobs[job.request_id].created -= 7.0  # now well inside "dreaming"
    assert (await provider.poll_video(config, job.request_id)).status == "in_progress"
    emulator.jobs[job.request_id].created -= 30.0
    assert (await provider.poll_video(config, job.request_id)).status == "completed"


# -- 2-6. HTTP failures -----------------------------------------------------------------


async def test_429_at_submit_is_retryable_with_retry_after(emulator: LumaEmulator) -> None:
    emulator.fail_next(
        "submit", Fault(status=429, headers={"Retry-After": "4"}, body={"detail": "Rate limit"})
    )
    with pytest.raises(RateLimitError) as caught:
        await LumaProvider().submit_video(make_config(emulator), REQUEST)
    assert caught.value.retry_after == 4
    assert caught.value.is_retryable


@pytest.mark.parametrize(("status", "retryable"), [(500, True), (503, True), (422, False)])
async def test_http_status_classes(emulator: LumaEmulator, status: int, retryable: bool) -> None:
    emulator.fail_next("submit", Fault(status=status, body={"detail": "it broke"}))
    with pytest.raises(HTTPError) as caught:
        await LumaProvider().submit_video(make_config(emulator), REQUEST)
    assert caught.value.status_code == status
    assert caught.value.is_retryable is retryable
    assert "it broke" in caught.value.message


async def test_emulator_validation_is_a_non_retryable_400(emulator: LumaEmulator) -> None:
    # An add-on extra the upstream refuses (extras may not touch resolution any more).
    request = VideoGenerationRequest(
        prompt="p", extra_params={"keyframes": {"frame0": {"type": "bogus"}}}
    )
    with pytest.raises(HTTPError) as caught:
        await LumaProvider().submit_video(make_config(emulator), request)
    assert caught.value.status_code == 400
    assert not caught.value.is_retryable
    assert not isinstance(caught.value, ContentModerationError)


async def test_hang_past_request_timeout(emulator: LumaEmulator) -> None:
    emulator.fail_next("submit", Fault(hang_seconds=1.5))
    with pytest.raises(ProviderConnectionError):
        await LumaProvider().submit_video(make_config(emulator, request_timeout=0.5), REQUEST)


async def test_malformed_json_is_a_retryable_502(emulator: LumaEmulator) -> None:
    emulator.fail_next("submit", Fault(malformed=True, status=201))
    with pytest.raises(HTTPError) as caught:
        await LumaProvider().submit_video(make_config(emulator), REQUEST)
    assert caught.value.status_code == 502
    assert caught.value.is_retryable


async def test_bad_key_never_leaks(emulator: LumaEmulator) -> None:
    with pytest.raises(ProviderAuthenticationError) as caught:
        await LumaProvider().submit_video(make_config(emulator, api_key=SECRET), REQUEST)
    assert caught.value.status_code == 401
    assert SECRET not in str(caught.value)
    assert SECRET not in repr(caught.value.raw_response)


async def test_key_from_environment_or_refused(
    emulator: LumaEmulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LUMAAI_API_KEY", "test-key")
    assert await LumaProvider().submit_video(make_config(emulator, api_key=None), REQUEST)
    monkeypatch.delenv("LUMAAI_API_KEY")
    emulator.calls.clear()
    with pytest.raises(ValidationError) as caught:
        await LumaProvider().submit_video(make_config(emulator, api_key=None), REQUEST)
    assert caught.value.param == "api_key"
    assert "LUMAAI_API_KEY" in caught.value.message
    assert emulator.calls == []


# -- 7-8. moderation and failed jobs ----------------------------------------------------


async def test_moderation_failure(emulator: LumaEmulator) -> None:
    emulator.next_job_outcome = "moderation"
    with pytest.raises(ContentModerationError) as caught:
        await run_video_job(LumaProvider(), make_config(emulator), REQUEST)
    assert not caught.value.is_retryable
    assert caught.value.raw_response["state"] == "failed"


async def test_moderation_refusal_at_submit(emulator: LumaEmulator) -> None:
    emulator.fail_next(
        "submit",
        Fault(status=400, body={"detail": "prompt not allowed because advanced moderation failed"}),
    )
    with pytest.raises(ContentModerationError):
        await LumaProvider().submit_video(make_config(emulator), REQUEST)


async def test_accepted_then_failing_job(emulator: LumaEmulator) -> None:
    emulator.next_job_outcome = "fail"
    with pytest.raises(GenerationFailedError) as caught:
        await run_video_job(LumaProvider(), make_config(emulator), REQUEST)
    assert caught.value.is_retryable
    assert "Generation failed" in caught.value.message


def test_moderation_reasons() -> None:
    assert is_moderation("Advanced moderation failed")
    assert is_moderation("400: prompt not allowed because advanced moderation failed")
    assert is_moderation("anything", "content_moderated")
    assert not is_moderation("400: failed to moderate image")
    assert not is_moderation("Generation failed")
    assert not is_moderation(None)


# -- 9. requests the model cannot serve -------------------------------------------------


@pytest.mark.parametrize(
    ("model", "fields", "param"),
    [
        ("ray-2", {"duration_seconds": 10}, "seconds"),
        ("ray-flash-2", {"resolution": "480p"}, "resolution"),
        ("ray-2", {"generate_audio": True}, "generate_audio"),
        ("ray-2", {"image_list": [ImageInput(image=FIRST, role="reference")]}, "image_list"),
        ("ray-2", {"video": "https://example.com/v.mp4"}, "video"),
        ("ray-2", {"number_of_videos": 2}, "number_of_videos"),
        ("ray-2", {"negative_prompt": "blur"}, "negative_prompt"),
        ("photon-1", {}, "model"),
    ],
)
async def test_impossible_requests_fail_before_any_call(
    emulator: LumaEmulator, model: str, fields: dict[str, Any], param: str
) -> None:
    request = VideoGenerationRequest(prompt="p", **fields)
    with pytest.raises(ValidationError) as caught:
        await LumaProvider().submit_video(make_config(emulator, model=model), request)
    assert caught.value.param == param
    assert model in caught.value.message
    assert emulator.calls == []


# -- 10. field mappers ------------------------------------------------------------------


def test_families_are_registered_and_found_by_longest_prefix() -> None:
    assert get_provider_field_mapping("luma") == MODEL_MAPPINGS
    assert lookup_mapping("luma", "ray-2") is MODEL_MAPPINGS["ray-2"]
    assert lookup_mapping("luma", "ray-flash-2") is MODEL_MAPPINGS["ray-flash-2"]
    assert lookup_mapping("luma", "photon-flash-1") is MODEL_MAPPINGS["photon-flash-1"]
    assert lookup_mapping("luma", "photon-2") is MODEL_MAPPINGS["photon"]
    assert lookup_mapping("luma", "ray-1-6") is MODEL_MAPPINGS[""]


def test_video_payload_encodings() -> None:
    first_only = VideoGenerationRequest(
        prompt="p", duration_seconds=5, image_list=[ImageInput(image=FIRST, role="first_frame")]
    )
    assert video_payload("ray-flash-2", first_only) == {
        "prompt": "p",
        "duration": "5s",
        "resolution": "720p",
        "aspect_ratio": "16:9",
        "keyframes": {"frame0": {"type": "image", "url": FIRST}},
        "model": "ray-flash-2",
        "generation_type": "video",
    }
    generic = VideoGenerationRequest(prompt="p", duration_seconds=7, resolution="480p")
    assert video_payload("ray-1-6", generic) == {
        "prompt": "p",
        "duration": "7s",
        "resolution": "480p",
        "model": "ray-1-6",
        "generation_type": "video",
    }
    # Keyframes from extras are an add-on when there are no frame images (they cannot
    # change length or price) ...
    explicit = VideoGenerationRequest(
        prompt="p", extra_params={"keyframes": {"frame0": {"type": "generation", "id": "abc"}}}
    )
    defaulted = video_payload("ray-2", explicit)
    assert defaulted["keyframes"] == {"frame0": {"type": "generation", "id": "abc"}}
    assert (defaulted["duration"], defaulted["resolution"]) == ("5s", "720p")
    # ... but never replace the keyframes the gateway built from the request's images.
    with pytest.raises(ValidationError) as caught:
        video_payload(
            "ray-2",
            explicit.model_copy(
                update={"image_list": [ImageInput(image=FIRST, role="first_frame")]}
            ),
        )
    assert caught.value.param == "keyframes"


@pytest.mark.parametrize(
    "extras",
    [
        {"duration": "9s"},
        {"resolution": "4k"},
        {"model": "ray-2"},
        {"frame0": "https://x/y.png"},
        {"generation_type": "image"},
        {"aspect_ratio": "9:21"},
    ],
)
def test_extras_cannot_override_mapped_or_billed_fields(extras: dict[str, Any]) -> None:
    request = VideoGenerationRequest(prompt="p", duration_seconds=5, extra_params=extras)
    with pytest.raises(ValidationError) as caught:
        video_payload("ray-flash-2", request)
    assert caught.value.param == next(iter(extras))


def test_extras_still_add_new_fields() -> None:
    request = VideoGenerationRequest(prompt="p", extra_params={"loop": True})
    assert video_payload("ray-2", request)["loop"] is True


def test_image_payload() -> None:
    request = ImageGenerationRequest(
        prompt="a teapot",
        size="1792x1024",
        seed=3,
        image_list=[
            ImageInput(image=FIRST, role="reference"),
            ImageInput(image=LAST, role="style"),
        ],
    )
    with pytest.raises(ValidationError) as caught:
        image_payload("photon-1", request)
    assert caught.value.param == "size"
    payload, ignored = image_payload("photon-1", request.model_copy(update={"size": "1920x1080"}))
    assert payload == {
        "prompt": "a teapot",
        "model": "photon-1",
        "aspect_ratio": "16:9",
        "image_ref": [{"url": FIRST}],
        "style_ref": [{"url": LAST}],
    }
    assert ignored == ["seed"]


@pytest.mark.parametrize(
    ("model", "fields", "param"),
    [
        ("photon-1", {"n": 2}, "n"),
        ("photon-1", {"negative_prompt": "x"}, "negative_prompt"),
        ("photon-1", {"mask_image": "https://e/m.png"}, "mask_image"),
        ("photon-1", {"image_list": [ImageInput(image=FIRST, role="first_frame")]}, "image_list"),
        ("ray-2", {}, "model"),
    ],
)
def test_image_requests_photon_cannot_serve(model: str, fields: dict[str, Any], param: str) -> None:
    with pytest.raises(ValidationError) as caught:
        image_payload(model, ImageGenerationRequest(prompt="p", **fields))
    assert caught.value.param == param


# -- images -----------------------------------------------------------------------------


async def test_photon_image_through_the_poll_loop(emulator: LumaEmulator) -> None:
    request = ImageGenerationRequest(prompt="a teapot", aspect_ratio="1:1", quality="hd")
    result = await LumaProvider().generate_image(image_config(emulator), request)

    assert result.content_type == "image/jpeg"
    assert result.provider_metadata["ignored_fields"] == ["quality"]
    async with httpx.AsyncClient() as client:
        image = await client.get(result.images[0])
    assert image.content == SAMPLE_THUMBNAIL.read_bytes()
    (create,) = emulator.calls_of("image")
    assert create.path == "/dream-machine/v1/generations/image"
    assert create.body == {"prompt": "a teapot", "model": "photon-1", "aspect_ratio": "1:1"}
    assert emulator.calls_of("status")


async def test_photon_image_failures(emulator: LumaEmulator) -> None:
    emulator.next_job_outcome = "moderation"
    with pytest.raises(ContentModerationError):
        await LumaProvider().generate_image(
            image_config(emulator), ImageGenerationRequest(prompt="p")
        )
    emulator.fail_next("image", Fault(status=429, headers={"Retry-After": "1"}))
    with pytest.raises(RateLimitError):
        await LumaProvider().generate_image(
            image_config(emulator), ImageGenerationRequest(prompt="p")
        )


async def test_photon_image_timeout_deletes_the_generation(emulator: LumaEmulator) -> None:
    emulator.job_seconds = 5
    with pytest.raises(PollTimeoutError):
        await LumaProvider().generate_image(
            image_config(emulator, timeout=0.2), ImageGenerationRequest(prompt="p")
        )
    assert len(emulator.calls_of("cancel")) == 1


# -- 11. cancel and statelessness -------------------------------------------------------


async def test_cancel_deletes_the_generation(emulator: LumaEmulator) -> None:
    emulator.job_seconds = 5
    provider, config = LumaProvider(), make_config(emulator)
    job = await provider.submit_video(config, REQUEST)
    await provider.cancel_video(config, job.request_id)
    (cancel,) = emulator.calls_of("cancel")
    assert (cancel.method, cancel.path) == (
        "DELETE",
        f"/dream-machine/v1/generations/{job.request_id}",
    )
    await provider.cancel_video(config, job.request_id)  # already gone (404): fine
    with pytest.raises(HTTPError) as caught:
        await provider.poll_video(config, job.request_id)
    assert caught.value.status_code == 404


async def test_a_fresh_provider_resumes_a_job(emulator: LumaEmulator) -> None:
    emulator.job_seconds = 30.0
    config = make_config(emulator, model="ray-flash-2")
    request = VideoGenerationRequest(prompt="p", aspect_ratio="9:16")
    job = await LumaProvider().submit_video(config, request)
    restarted = LumaProvider()
    with pytest.raises(TarashError, match="has not finished"):
        await restarted.fetch_video(config, job.request_id)
    emulator.jobs[job.request_id].created -= 31.0  # the generation finishes
    assert (await restarted.poll_video(config, job.request_id)).status == "completed"
    result = await restarted.fetch_video(config, job.request_id)
    assert (result.duration, result.resolution, result.aspect_ratio) == (5.0, "720p", "9:16")
    assert result.provider_metadata["generation_id"] == job.request_id


# -- issue 15: the create path, image URLs, defaults ------------------------------------

RAW_BASE64 = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR4nGNgYGBg"  # a PNG, cut short
DATA_URI = f"data:image/png;base64,{RAW_BASE64}"


async def test_submit_uses_the_create_path_not_the_list_endpoint(emulator: LumaEmulator) -> None:
    """lumaai 1.21 ``generations.create`` posts to ``/generations/video``; ``/generations``
    only lists, and the strict emulator answers a POST there with a 405 like the host."""
    job = await LumaProvider().submit_video(make_config(emulator), REQUEST)
    (submit,) = emulator.calls_of("submit")
    assert (submit.method, submit.path) == ("POST", "/dream-machine/v1/generations/video")
    assert emulator.calls_of("refused") == []
    assert job.request_id in emulator.jobs


async def test_the_old_create_path_is_a_405_the_adapter_would_surface(
    emulator: LumaEmulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What the pre-fix adapter met: the old path fails loudly, it is never accepted."""
    original = LumaProvider._create

    async def old_path(self: LumaProvider, config: Any, path: str, payload: Any) -> Any:
        return await original(self, config, "/generations", payload)

    monkeypatch.setattr(LumaProvider, "_create", old_path)
    with pytest.raises(HTTPError) as caught:
        await LumaProvider().submit_video(make_config(emulator), REQUEST)
    assert caught.value.status_code == 405
    assert not caught.value.is_retryable
    (refused,) = emulator.calls_of("refused")
    assert (refused.method, refused.path) == ("POST", "/dream-machine/v1/generations")
    assert emulator.jobs == {}


@pytest.mark.parametrize("image", [DATA_URI, RAW_BASE64, "/tmp/frame.png"])
@pytest.mark.parametrize("role", ["first_frame", "last_frame"])
async def test_frame_images_must_be_urls(emulator: LumaEmulator, image: str, role: str) -> None:
    request = VideoGenerationRequest(prompt="p", image_list=[ImageInput(image=image, role=role)])
    with pytest.raises(ValidationError) as caught:
        await LumaProvider().submit_video(make_config(emulator), request)
    assert caught.value.param == "image_list"
    assert "needs an image URL" in caught.value.message
    assert role in caught.value.message
    assert emulator.calls == []


@pytest.mark.parametrize("role", ["reference", "style"])
async def test_photon_reference_images_must_be_urls(emulator: LumaEmulator, role: str) -> None:
    request = ImageGenerationRequest(prompt="p", image_list=[ImageInput(image=DATA_URI, role=role)])
    with pytest.raises(ValidationError) as caught:
        await LumaProvider().generate_image(image_config(emulator), request)
    assert caught.value.param == "image_list"
    assert "needs an image URL" in caught.value.message
    assert emulator.calls == []


async def test_a_request_naming_nothing_gets_lumas_defaults(emulator: LumaEmulator) -> None:
    for model in ("ray-2", "ray-flash-2"):
        caps = MODEL_MAPPINGS[model].capabilities
        defaults = (caps.default_duration, caps.default_resolution, caps.default_aspect_ratio)
        assert defaults == (5, "720p", "16:9")
        assert caps.default_duration in (caps.durations or ())
        assert caps.default_resolution in (caps.resolutions or ())
        assert caps.default_aspect_ratio in (caps.aspect_ratios or ())
    assert MODEL_MAPPINGS["photon-1"].capabilities.default_aspect_ratio == "16:9"
    generic = MODEL_MAPPINGS[""].capabilities
    assert (generic.default_duration, generic.default_resolution) == (None, None)

    result = await run_video_job(LumaProvider(), make_config(emulator), REQUEST)
    (submit,) = emulator.calls_of("submit")
    assert submit.body == {
        "prompt": "a koi pond at dawn",
        "model": "ray-2",
        "generation_type": "video",
        "duration": "5s",
        "resolution": "720p",
        "aspect_ratio": "16:9",
    }
    assert (result.duration, result.resolution, result.aspect_ratio) == (5.0, "720p", "16:9")


def test_an_unknown_luma_model_gets_no_invented_defaults() -> None:
    assert video_payload("ray-3", REQUEST) == {
        "prompt": "a koi pond at dawn",
        "model": "ray-3",
        "generation_type": "video",
    }


# -- the strict emulator refuses what Luma refuses --------------------------------------

VALID_VIDEO: dict[str, Any] = {
    "model": "ray-2",
    "prompt": "p",
    "duration": "5s",
    "resolution": "720p",
    "aspect_ratio": "16:9",
}
VALID_IMAGE: dict[str, Any] = {"model": "photon-1", "prompt": "p"}
VIDEO = "/dream-machine/v1/generations/video"
IMAGE = "/dream-machine/v1/generations/image"


def frames(frame: Any) -> dict[str, Any]:
    return {**VALID_VIDEO, "keyframes": {"frame0": frame}}


@pytest.mark.parametrize(
    ("method", "path", "body", "status"),
    [
        ("POST", "/dream-machine/v1/generations", VALID_VIDEO, 405),  # the list endpoint
        ("POST", "/dream-machine/v1/generations/videos", VALID_VIDEO, 404),
        ("POST", "/v1/generations/video", VALID_VIDEO, 404),
        ("POST", VIDEO, {**VALID_VIDEO, "seed": 1}, 400),  # unknown field
        ("POST", VIDEO, {**VALID_VIDEO, "duration": 5}, 400),  # wrong encoding
        ("POST", VIDEO, {**VALID_VIDEO, "duration": "5"}, 400),
        ("POST", VIDEO, {**VALID_VIDEO, "duration": "10s"}, 400),
        ("POST", VIDEO, {**VALID_VIDEO, "resolution": "480p"}, 400),
        ("POST", VIDEO, {**VALID_VIDEO, "aspect_ratio": "2:1"}, 400),
        ("POST", VIDEO, {**VALID_VIDEO, "model": "ray-1-6"}, 400),  # gone since lumaai 1.18
        ("POST", VIDEO, {**VALID_VIDEO, "model": "photon-1"}, 400),
        ("POST", VIDEO, {"prompt": "p"}, 400),  # model is required
        ("POST", VIDEO, {**VALID_VIDEO, "loop": "yes"}, 400),
        ("POST", VIDEO, {**VALID_VIDEO, "generation_type": "image"}, 400),
        ("POST", VIDEO, frames({"type": "image", "url": DATA_URI}), 400),
        ("POST", VIDEO, frames({"type": "image", "url": "frame.png"}), 400),
        ("POST", VIDEO, frames({"type": "image", "url": FIRST, "weight": 1}), 400),
        ("POST", VIDEO, frames({"type": "generation"}), 400),
        ("POST", VIDEO, {**VALID_VIDEO, "keyframes": {"frame2": {}}}, 400),
        ("POST", VIDEO, [VALID_VIDEO], 400),
        ("POST", IMAGE, {**VALID_IMAGE, "image_ref": [{"url": DATA_URI}]}, 400),
        ("POST", IMAGE, {**VALID_IMAGE, "style_ref": [{"url": FIRST, "weight": "1"}]}, 400),
        ("POST", IMAGE, {**VALID_IMAGE, "duration": "5s"}, 400),
        ("POST", IMAGE, {**VALID_IMAGE, "format": "webp"}, 400),
        ("POST", IMAGE, {**VALID_IMAGE, "model": "ray-2"}, 400),
        ("POST", VIDEO, VALID_VIDEO, 201),  # and the valid ones pass
        ("POST", VIDEO, frames({"type": "generation", "id": "g-1"}), 201),
        ("POST", IMAGE, {**VALID_IMAGE, "image_ref": [{"url": FIRST, "weight": 0.8}]}, 201),
        ("GET", "/dream-machine/v1/generations", None, 200),
    ],
)
async def test_strict_emulator_refuses_what_luma_refuses(
    emulator: LumaEmulator, method: str, path: str, body: Any, status: int
) -> None:
    async with httpx.AsyncClient(base_url=emulator.base_url) as client:
        response = await client.request(
            method, path, json=body, headers={"Authorization": "Bearer test-key"}
        )
    assert response.status_code == status, response.text
    if status >= 400:
        assert "detail" in response.json()  # Luma's (FastAPI's) error shape
    if status == 405:
        assert response.headers["allow"] == "GET"


@pytest.mark.parametrize(
    ("extras", "param"),
    [
        ({"keyframes": {"frame0": {"type": "image", "url": DATA_URI}}}, "keyframes"),
        ({"keyframes": {"frame1": {"type": "image", "url": RAW_BASE64}}}, "keyframes"),
        ({"keyframes": {"frame0": {"type": "image"}}}, "keyframes"),
    ],
)
def test_images_in_video_extras_must_be_urls_too(extras: dict[str, Any], param: str) -> None:
    with pytest.raises(ValidationError) as caught:
        video_payload("ray-2", VideoGenerationRequest(prompt="p", extra_params=extras))
    assert caught.value.param == param
    assert "needs an image URL" in caught.value.message


@pytest.mark.parametrize(
    ("extras", "param"),
    [
        ({"modify_image_ref": {"url": DATA_URI, "weight": 0.5}}, "modify_image_ref"),
        ({"character_ref": {"identity0": {"images": [FIRST, DATA_URI]}}}, "character_ref"),
    ],
)
def test_images_in_photon_extras_must_be_urls_too(extras: dict[str, Any], param: str) -> None:
    with pytest.raises(ValidationError) as caught:
        image_payload("photon-1", ImageGenerationRequest(prompt="p", extra_params=extras))
    assert caught.value.param == param
    url_extras = {
        "modify_image_ref": {"url": FIRST, "weight": 0.5},
        "character_ref": {"identity0": {"images": [FIRST, LAST]}},
    }
    payload, _ = image_payload(
        "photon-1", ImageGenerationRequest(prompt="p", extra_params=url_extras)
    )
    assert payload["modify_image_ref"] == url_extras["modify_image_ref"]


# -- completion in one read (issue 16, item 3) ---------------------------------------------


async def test_a_finished_job_is_read_once(
    emulator: LumaEmulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The poll that sees the job finished carries its result, so completing it takes one
    GET (the old lifecycle polled, then fetched the same resource again)."""
    monkeypatch.setattr(emulator, "job_seconds", 0)
    provider = LumaProvider()
    cfg = make_config(emulator)
    job = await provider.submit_video(cfg, REQUEST)
    emulator.calls.clear()

    result = await follow_job(provider, cfg, job)

    assert [call.method for call in emulator.calls] == ["GET"]
    progress = await provider.poll_video(cfg, job.request_id)
    assert progress.status == "completed"
    assert progress.result == result
    assert await provider.fetch_video(cfg, job.request_id) == result
