"""The fal adapter against a loopback fal queue (tests/emulators/fal.py)."""

from __future__ import annotations

import base64
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
    ValidationError,
    VideoGenerationConfig,
    VideoGenerationRequest,
)
from tarash_gateway.adapters.field_mappers import (
    build_payload,
    get_provider_field_mapping,
    lookup_mapping,
)
from tarash_gateway.adapters.media import SAMPLE_THUMBNAIL, SAMPLE_VIDEO
from tarash_gateway.adapters.models import ProgressUpdate
from tarash_gateway.adapters.polling import run_video_job
from tarash_gateway.adapters.providers import (
    fal_images,
    fal_kling_hailuo,
    fal_models,
    fal_storage,
    fal_veo_sora,
)
from tarash_gateway.adapters.providers.fal import (
    FalProvider,
    JobRef,
    api_key,
    is_moderation,
    queue_app,
    storage_urls,
)
from tests.emulators.base import Fault
from tests.emulators.fal import FalEmulator
from tests.emulators.fal_schemas import SCHEMAS, validate

SECRET = "fal-key-0123456789abcdefSECRET"
IMAGE = "https://example.com/first.png"
LAST = "https://example.com/last.png"
VIDEO = "https://example.com/source.mp4"


@pytest.fixture(scope="module")
def server() -> Iterator[FalEmulator]:
    with FalEmulator(job_seconds=0.2) as emulator:
        yield emulator


@pytest.fixture
def emulator(server: FalEmulator) -> FalEmulator:
    server.calls.clear()
    server.faults.clear()
    server.jobs.clear()
    server.next_job_outcome = "success"
    server.job_seconds = 0.2
    return server


def make_config(emulator: FalEmulator, **overrides: Any) -> VideoGenerationConfig:
    settings: dict[str, Any] = {
        "provider": "fal",
        "model": "fal-ai/veo3.1/fast",
        "api_key": "test-key",
        "base_url": emulator.base_url,
        "poll_interval": 0.05,
        "request_timeout": 2.0,
    }
    settings.update(overrides)
    return VideoGenerationConfig(**settings)


def veo_request(**fields: Any) -> VideoGenerationRequest:
    fields.setdefault("duration_seconds", 8)
    return VideoGenerationRequest(prompt="a lighthouse in a storm", **fields)


def payload_for(model: str, **fields: Any) -> dict[str, Any]:
    mapping = lookup_mapping("fal", model)
    assert mapping is not None
    request = VideoGenerationRequest(prompt="p", **fields)
    return build_payload(mapping, request, provider="fal", model=model)


# -- 1. the full cycle -------------------------------------------------------------------


async def test_full_cycle_downloads_the_real_video(emulator: FalEmulator) -> None:
    provider = FalProvider()
    config = make_config(emulator)
    updates: list[ProgressUpdate] = []
    request = veo_request(
        aspect_ratio="9:16",
        resolution="1080p",
        generate_audio=True,
        seed=7,
        negative_prompt="rain",
    )

    result = await run_video_job(provider, config, request, on_progress=updates.append)

    assert result.status == "completed"
    assert result.duration == 8.0  # the requested length, kept in the request id
    assert result.content_type == "video/mp4"
    assert result.raw_response["seed"] == 7
    assert result.provider_metadata["app"] == "fal-ai/veo3.1"
    async with httpx.AsyncClient() as client:
        downloaded = await client.get(str(result.video))
    assert downloaded.content == SAMPLE_VIDEO.read_bytes()

    (submit,) = emulator.calls_of("submit")
    assert (submit.method, submit.path) == ("POST", "/fal-ai/veo3.1/fast")
    assert submit.headers["authorization"] == "Key test-key"
    assert submit.body == {
        "prompt": "a lighthouse in a storm",
        "duration": "8s",
        "resolution": "1080p",
        "aspect_ratio": "9:16",
        "generate_audio": True,
        "seed": 7,
        "negative_prompt": "rain",
    }
    fal_id = result.request_id.split("::")[1]
    # status and result drop the endpoint path: {app} is fal-ai/veo3.1, not …/fast
    statuses = emulator.calls_of("status")
    assert statuses
    assert {call.path for call in statuses} == {f"/fal-ai/veo3.1/requests/{fal_id}/status"}
    assert all(call.headers["authorization"] == "Key test-key" for call in statuses)
    assert {call.path for call in emulator.calls_of("result")} == {
        f"/fal-ai/veo3.1/requests/{fal_id}"
    }
    seen = [update.status for update in updates]
    assert seen[-1] == "completed"
    assert set(seen) <= {"queued", "in_progress", "completed"}
    assert updates[-1].progress_percent == 100


async def test_status_answers_map_onto_job_states(emulator: FalEmulator) -> None:
    provider = FalProvider()
    config = make_config(emulator)
    emulator.job_seconds = 30
    job = await provider.submit_video(config, veo_request())
    first = await provider.poll_video(config, job.request_id)
    assert first.status == "queued"
    assert first.raw_response["queue_position"] == 0
    emulator.jobs[job.request_id.split("::")[1]].created -= 10  # a third of the way in
    running = await provider.poll_video(config, job.request_id)
    assert running.status == "in_progress"


# -- 2. rate limits ----------------------------------------------------------------------


async def test_429_at_submit_is_retryable_with_retry_after(emulator: FalEmulator) -> None:
    emulator.fail_next(
        "submit",
        Fault(status=429, headers={"Retry-After": "7"}, body={"detail": "Too many requests"}),
    )
    with pytest.raises(RateLimitError) as caught:
        await FalProvider().submit_video(make_config(emulator), veo_request())
    assert caught.value.retry_after == 7.0
    assert caught.value.is_retryable
    assert len(emulator.calls_of("submit")) == 1  # no hidden retries inside the adapter


async def test_429_at_status_is_retryable(emulator: FalEmulator) -> None:
    provider = FalProvider()
    config = make_config(emulator)
    job = await provider.submit_video(config, veo_request())
    emulator.fail_next("status", Fault(status=429, headers={"Retry-After": "1"}))
    with pytest.raises(RateLimitError) as caught:
        await provider.poll_video(config, job.request_id)
    assert caught.value.retry_after == 1.0


# -- 3. server and client errors ---------------------------------------------------------


@pytest.mark.parametrize("status", [500, 503])
async def test_server_errors_are_retryable(emulator: FalEmulator, status: int) -> None:
    emulator.fail_next("submit", Fault(status=status, body={"detail": "upstream trouble"}))
    with pytest.raises(HTTPError) as caught:
        await FalProvider().submit_video(make_config(emulator), veo_request())
    assert caught.value.status_code == status
    assert caught.value.is_retryable
    assert caught.value.raw_response == {"detail": "upstream trouble"}


async def test_poll_loop_rides_out_a_passing_503(emulator: FalEmulator) -> None:
    emulator.fail_next("status", Fault(status=503))
    result = await run_video_job(FalProvider(), make_config(emulator), veo_request())
    assert result.status == "completed"


async def test_400_is_not_retryable(emulator: FalEmulator) -> None:
    emulator.fail_next("submit", Fault(status=400, body={"detail": "Bad request"}))
    with pytest.raises(HTTPError) as caught:
        await FalProvider().submit_video(make_config(emulator), veo_request())
    assert caught.value.status_code == 400
    assert not caught.value.is_retryable


async def test_422_field_errors_become_a_validation_error(emulator: FalEmulator) -> None:
    detail = [{"loc": ["body", "prompt"], "msg": "String too long", "type": "string_too_long"}]
    emulator.fail_next("submit", Fault(status=422, body={"detail": detail}))
    with pytest.raises(ValidationError) as caught:
        await FalProvider().submit_video(make_config(emulator), veo_request())
    assert caught.value.param == "prompt"
    assert "String too long" in str(caught.value)
    assert not caught.value.is_retryable
    assert caught.value.raw_response == {"detail": detail}


# -- 4. hangs ----------------------------------------------------------------------------


async def test_hang_past_request_timeout_is_a_connection_error(emulator: FalEmulator) -> None:
    provider = FalProvider()
    config = make_config(emulator, request_timeout=0.5)
    job = await provider.submit_video(config, veo_request())
    emulator.fail_next("status", Fault(hang_seconds=1.5))
    with pytest.raises(ProviderConnectionError) as caught:
        await provider.poll_video(config, job.request_id)
    assert caught.value.is_retryable


async def test_unreachable_host_is_a_connection_error() -> None:
    config = VideoGenerationConfig(
        provider="fal", model="fal-ai/veo3.1", api_key="k", base_url="http://127.0.0.1:9"
    )
    with pytest.raises(ProviderConnectionError):
        await FalProvider().submit_video(config, veo_request())


# -- 5. malformed answers ----------------------------------------------------------------


async def test_malformed_submit_answer_is_a_retryable_502(emulator: FalEmulator) -> None:
    emulator.fail_next("submit", Fault(malformed=True))
    with pytest.raises(HTTPError) as caught:
        await FalProvider().submit_video(make_config(emulator), veo_request())
    assert caught.value.status_code == 502
    assert caught.value.is_retryable


async def test_malformed_status_answer_is_a_retryable_502(emulator: FalEmulator) -> None:
    provider = FalProvider()
    config = make_config(emulator)
    job = await provider.submit_video(config, veo_request())
    emulator.fail_next("status", Fault(malformed=True))
    with pytest.raises(HTTPError) as caught:
        await provider.poll_video(config, job.request_id)
    assert caught.value.status_code == 502
    assert caught.value.is_retryable


async def test_submit_answer_without_request_id_is_a_502(emulator: FalEmulator) -> None:
    emulator.fail_next("submit", Fault(status=200, body={"status": "IN_QUEUE"}))
    with pytest.raises(HTTPError) as caught:
        await FalProvider().submit_video(make_config(emulator), veo_request())
    assert caught.value.status_code == 502


# -- 6. credentials ----------------------------------------------------------------------


async def test_bad_key_is_an_authentication_error_without_the_key(
    emulator: FalEmulator,
) -> None:
    with pytest.raises(ProviderAuthenticationError) as caught:
        await FalProvider().submit_video(make_config(emulator, api_key=SECRET), veo_request())
    assert caught.value.status_code == 401
    assert not caught.value.is_retryable
    assert SECRET not in str(caught.value)
    assert SECRET not in repr(caught.value.raw_response)
    assert "No user found" in str(caught.value)


async def test_missing_key_everywhere_is_a_validation_error(
    emulator: FalEmulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("FAL_KEY", "FAL_KEY_ID", "FAL_KEY_SECRET"):
        monkeypatch.delenv(name, raising=False)
    with pytest.raises(ValidationError) as caught:
        await FalProvider().submit_video(make_config(emulator, api_key=None), veo_request())
    assert caught.value.param == "api_key"
    assert "FAL_KEY" in str(caught.value)
    assert emulator.calls == []


def test_key_comes_from_fal_key_or_the_id_and_secret(monkeypatch: pytest.MonkeyPatch) -> None:
    config = VideoGenerationConfig(provider="fal", model="fal-ai/veo3.1")
    monkeypatch.delenv("FAL_KEY", raising=False)
    monkeypatch.setenv("FAL_KEY_ID", "id")
    monkeypatch.setenv("FAL_KEY_SECRET", "secret")
    assert api_key(config) == "id:secret"
    monkeypatch.setenv("FAL_KEY", "whole-key")
    assert api_key(config) == "whole-key"
    explicit = VideoGenerationConfig(provider="fal", model="fal-ai/veo3.1", api_key="mine")
    assert api_key(explicit) == "mine"


async def test_env_key_reaches_the_wire(
    emulator: FalEmulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FAL_KEY", "test-key")
    await FalProvider().submit_video(make_config(emulator, api_key=None), veo_request())
    assert emulator.calls_of("submit")[0].headers["authorization"] == "Key test-key"


# -- 7. moderation -----------------------------------------------------------------------


async def test_moderated_job_raises_content_moderation(emulator: FalEmulator) -> None:
    emulator.next_job_outcome = "moderation"
    with pytest.raises(ContentModerationError) as caught:
        await run_video_job(FalProvider(), make_config(emulator), veo_request())
    assert not caught.value.is_retryable
    assert caught.value.raw_response["detail"][0]["type"] == "content_policy_violation"


async def test_moderation_at_submit_is_content_moderation(emulator: FalEmulator) -> None:
    detail = [{"loc": ["body", "prompt"], "msg": "flagged", "type": "content_policy_violation"}]
    emulator.fail_next("submit", Fault(status=422, body={"detail": detail}))
    with pytest.raises(ContentModerationError):
        await FalProvider().submit_video(make_config(emulator), veo_request())


def test_moderation_detection() -> None:
    assert is_moderation(422, {"detail": [{"type": "content_policy_violation"}]})
    assert is_moderation(400, {"detail": "x", "error_type": "content_policy_violation"})
    assert not is_moderation(422, {"detail": [{"type": "string_too_long"}]})
    assert not is_moderation(500, "content_policy_violation")


# -- 8. accepted, then failed ------------------------------------------------------------


async def test_failed_job_raises_generation_failed(emulator: FalEmulator) -> None:
    emulator.next_job_outcome = "fail"
    with pytest.raises(GenerationFailedError) as caught:
        await run_video_job(FalProvider(), make_config(emulator), veo_request())
    assert caught.value.is_retryable
    assert caught.value.raw_response == {
        "detail": "Request timed out",
        "error_type": "request_timeout",
    }
    assert "Request timed out" in str(caught.value)


async def test_failed_job_polls_as_failed(emulator: FalEmulator) -> None:
    provider = FalProvider()
    config = make_config(emulator)
    emulator.next_job_outcome = "fail"
    emulator.job_seconds = 0
    job = await provider.submit_video(config, veo_request())
    progress = await provider.poll_video(config, job.request_id)
    assert progress.status == "failed"
    assert isinstance(progress.error, GenerationFailedError)


async def test_poll_timeout_cancels_the_job(emulator: FalEmulator) -> None:
    emulator.job_seconds = 30
    config = make_config(emulator, timeout=0.2)
    with pytest.raises(PollTimeoutError):
        await run_video_job(FalProvider(), config, veo_request())
    (cancel,) = emulator.calls_of("cancel")
    assert cancel.method == "PUT"


# -- 9. impossible requests never reach fal ----------------------------------------------


@pytest.mark.parametrize(
    ("model", "fields", "param"),
    [
        ("fal-ai/veo3.1/fast", {"duration_seconds": 5}, "seconds"),
        ("fal-ai/veo3.1", {"duration_seconds": 8, "aspect_ratio": "1:1"}, "aspect_ratio"),
        (
            "fal-ai/sora-2/text-to-video",
            {"duration_seconds": 8, "resolution": "1080p"},
            "resolution",
        ),
        ("wan/v2.6/text-to-video", {"duration_seconds": 5, "resolution": "480p"}, "resolution"),
        ("fal-ai/minimax/hailuo-02/pro/text-to-video", {"duration_seconds": 10}, "seconds"),
        ("fal-ai/kling-video/v2.6/pro/image-to-video", {"duration_seconds": 5}, "input_reference"),
        ("fal-ai/veo3.1/extend-video", {"duration_seconds": 7}, "video"),
        ("fal-ai/pixverse/swap", {"image_list": [ImageInput(image=IMAGE)]}, "video"),
        (
            "fal-ai/wan-25-preview/text-to-video",
            {"duration_seconds": 5, "generate_audio": True},
            "generate_audio",
        ),
    ],
)
async def test_impossible_requests_fail_before_any_call(
    emulator: FalEmulator, model: str, fields: dict[str, Any], param: str
) -> None:
    with pytest.raises(ValidationError) as caught:
        await FalProvider().submit_video(
            make_config(emulator, model=model), VideoGenerationRequest(prompt="p", **fields)
        )
    assert caught.value.param == param
    assert emulator.calls == []


async def test_more_than_one_video_is_refused_before_any_call(emulator: FalEmulator) -> None:
    with pytest.raises(ValidationError) as caught:
        await FalProvider().submit_video(make_config(emulator), veo_request(number_of_videos=2))
    assert caught.value.param == "number_of_videos"
    assert emulator.calls == []


def test_validation_message_names_allowed_values() -> None:
    with pytest.raises(ValidationError) as caught:
        payload_for("fal-ai/veo3.1", duration_seconds=5)
    assert "4, 6, 8" in str(caught.value)


# -- 10. field mappers per family --------------------------------------------------------


def test_lookup_is_longest_prefix() -> None:
    assert lookup_mapping("fal", "fal-ai/veo3.1/fast") is fal_veo_sora.VEO31_FAST
    assert lookup_mapping("fal", "fal-ai/veo3.1/fast/image-to-video") is fal_veo_sora.VEO31_I2V
    assert lookup_mapping("fal", "fal-ai/veo3.1/image-to-video") is fal_veo_sora.VEO31_I2V
    assert lookup_mapping("fal", "fal-ai/veo3/fast") is fal_veo_sora.VEO3
    assert lookup_mapping("fal", "fal-ai/veo3.1") is fal_veo_sora.VEO31
    assert lookup_mapping("fal", "fal-ai/sora-2/text-to-video") is fal_veo_sora.SORA2
    assert lookup_mapping("fal", "fal-ai/kling-video/v2.5-turbo/pro/text-to-video") is (
        fal_kling_hailuo.KLING25_TURBO
    )
    assert lookup_mapping("fal", "fal-ai/pixverse/v5.5/text-to-video") is not lookup_mapping(
        "fal", "fal-ai/pixverse/v5/text-to-video"
    )
    assert lookup_mapping("fal", "someone/brand-new-model") is fal_models.GENERIC
    assert "" in get_provider_field_mapping("fal")


def test_veo_durations_are_strings_with_suffix() -> None:
    assert payload_for("fal-ai/veo3", duration_seconds=6, enhance_prompt=True) == {
        "prompt": "p",
        "duration": "6s",
        "resolution": "720p",  # fal's documented default, now sent explicitly
        "aspect_ratio": "16:9",
        "enhance_prompt": True,
    }
    flf = payload_for(
        "fal-ai/veo3.1/first-last-frame-to-video",
        duration_seconds=4,
        image_list=[
            ImageInput(image=IMAGE, role="first_frame"),
            ImageInput(image=LAST, role="last_frame"),
        ],
    )
    assert flf == {
        "prompt": "p",
        "duration": "4s",
        "resolution": "720p",  # no aspect: the frame endpoints default to "auto"
        "first_frame_url": IMAGE,
        "last_frame_url": LAST,
    }
    i2v = payload_for(
        "fal-ai/veo3.1/fast/image-to-video",
        duration_seconds=8,
        image_list=[ImageInput(image=IMAGE, role="first_frame")],
    )
    assert i2v["image_url"] == IMAGE


def test_veo_extend_takes_the_video_and_seven_seconds() -> None:
    assert payload_for("fal-ai/veo3.1/fast/extend-video", duration_seconds=7, video=VIDEO) == {
        "prompt": "p",
        "duration": "7s",
        "resolution": "720p",
        "video_url": VIDEO,
    }
    with pytest.raises(ValidationError):
        payload_for("fal-ai/veo3.1/extend-video", duration_seconds=8, video=VIDEO)


def test_veo_reference_images_go_in_a_list() -> None:
    payload = payload_for(
        "fal-ai/veo3.1/reference-to-video",
        duration_seconds=8,
        image_list=[ImageInput(image=IMAGE), ImageInput(image=LAST)],
    )
    assert payload["image_urls"] == [IMAGE, LAST]


def test_minimax_durations_are_plain_strings_and_tiers_renamed() -> None:
    assert payload_for(
        "fal-ai/minimax/hailuo-02/standard/text-to-video", duration_seconds=10, enhance_prompt=False
    ) == {"prompt": "p", "duration": "10", "prompt_optimizer": False}
    i2v = payload_for(
        "fal-ai/minimax/hailuo-02/standard/image-to-video",
        duration_seconds=6,
        resolution="480p",
        image_list=[
            ImageInput(image=IMAGE, role="first_frame"),
            ImageInput(image=LAST, role="last_frame"),
        ],
    )
    assert i2v == {
        "prompt": "p",
        "duration": "6",
        "resolution": "512P",
        "image_url": IMAGE,
        "end_image_url": LAST,
    }
    assert payload_for("fal-ai/minimax/hailuo-2.3/pro/text-to-video", duration_seconds=6) == {
        "prompt": "p"
    }
    assert payload_for(
        "fal-ai/minimax/video-01-live/image-to-video",
        duration_seconds=6,
        image_list=[ImageInput(image=IMAGE, role="first_frame")],
    ) == {"prompt": "p", "image_url": IMAGE}
    with pytest.raises(ValidationError):  # the text endpoint takes only the prompt
        payload_for(
            "fal-ai/minimax/video-01", image_list=[ImageInput(image=IMAGE, role="first_frame")]
        )


def test_kling_families() -> None:
    assert payload_for(
        "fal-ai/kling-video/v2.6/pro/text-to-video",
        duration_seconds=10,
        aspect_ratio="1:1",
        generate_audio=False,
        negative_prompt="blur",
    ) == {
        "prompt": "p",
        "duration": "10",
        "aspect_ratio": "1:1",
        "generate_audio": False,
        "negative_prompt": "blur",
    }
    i2v = payload_for(
        "fal-ai/kling-video/v2.6/pro/image-to-video",
        duration_seconds=5,
        image_list=[
            ImageInput(image=IMAGE, role="first_frame"),
            ImageInput(image=LAST, role="last_frame"),
        ],
    )
    assert (i2v["start_image_url"], i2v["end_image_url"]) == (IMAGE, LAST)
    assert "aspect_ratio" not in i2v
    o1 = payload_for(
        "fal-ai/kling-video/o1/standard/reference-to-video",
        duration_seconds=3,
        aspect_ratio="9:16",
        image_list=[ImageInput(image=IMAGE), ImageInput(image=LAST)],
    )
    assert o1 == {
        "prompt": "p",
        "duration": "3",
        "aspect_ratio": "9:16",
        "image_urls": [IMAGE, LAST],
    }
    assert (
        payload_for("fal-ai/kling-video/v3/pro/text-to-video", duration_seconds=15)["duration"]
        == "15"
    )
    with pytest.raises(ValidationError):
        payload_for(
            "fal-ai/kling-video/o1/image-to-video",
            duration_seconds=12,
            image_list=[ImageInput(image=IMAGE, role="first_frame")],
        )
    o3 = payload_for(
        "fal-ai/kling-video/o3/pro/reference-to-video",
        duration_seconds=12,
        image_list=[ImageInput(image=IMAGE, role="first_frame")],
    )
    assert o3["start_image_url"] == IMAGE


def test_sora_durations_are_integers() -> None:
    payload = payload_for("fal-ai/sora-2/text-to-video", duration_seconds=12, aspect_ratio="9:16")
    assert payload == {"prompt": "p", "duration": 12, "resolution": "720p", "aspect_ratio": "9:16"}
    pro = payload_for("fal-ai/sora-2/text-to-video/pro", duration_seconds=4, resolution="1080p")
    assert pro["resolution"] == "1080p"
    i2v = payload_for(
        "fal-ai/sora-2/image-to-video",
        duration_seconds=4,
        image_list=[ImageInput(image=IMAGE, role="first_frame")],
    )
    assert i2v["image_url"] == IMAGE


def test_wan_families() -> None:
    assert payload_for(
        "wan/v2.6/text-to-video",
        duration_seconds=15,
        resolution="1080p",
        aspect_ratio="4:3",
        enhance_prompt=True,
        seed=1,
    ) == {
        "prompt": "p",
        "duration": "15",
        "resolution": "1080p",
        "aspect_ratio": "4:3",
        "seed": 1,
        "enable_prompt_expansion": True,
    }
    assert payload_for(
        "fal-ai/wan-25-preview/image-to-video",
        duration_seconds=10,
        image_list=[ImageInput(image=IMAGE, role="first_frame")],
    ) == {
        "prompt": "p",
        "duration": "10",
        "resolution": "1080p",
        "image_url": IMAGE,
    }
    # Wan 2.2 counts frames at 16 fps instead of seconds
    assert payload_for("fal-ai/wan/v2.2-a14b/text-to-video", duration_seconds=5)["num_frames"] == 81
    animate = payload_for(
        "fal-ai/wan/v2.2-14b/animate/move",
        video=VIDEO,
        image_list=[ImageInput(image=IMAGE, role="reference")],
    )
    # animate takes no prompt at all (fal's schema), so none is sent
    assert animate == {"resolution": "480p", "video_url": VIDEO, "image_url": IMAGE}
    with pytest.raises(ValidationError) as caught:
        payload_for("fal-ai/wan/v2.2-14b/animate/replace", video=VIDEO)
    assert caught.value.param == "input_reference"


def test_seedance_families() -> None:
    assert payload_for(
        "fal-ai/bytedance/seedance/v1/pro/text-to-video",
        duration_seconds=12,
        aspect_ratio="21:9",
        resolution="480p",
    ) == {"prompt": "p", "duration": "12", "resolution": "480p", "aspect_ratio": "21:9"}
    i2v = payload_for(
        "fal-ai/bytedance/seedance/v1/lite/image-to-video",
        duration_seconds=2,
        image_list=[
            ImageInput(image=IMAGE, role="first_frame"),
            ImageInput(image=LAST, role="last_frame"),
        ],
    )
    assert (i2v["image_url"], i2v["end_image_url"]) == (IMAGE, LAST)
    two = payload_for(
        "bytedance/seedance-2.0/text-to-video", duration_seconds=15, generate_audio=True
    )
    assert two == {
        "prompt": "p",
        "duration": "15",
        "resolution": "720p",
        "aspect_ratio": "16:9",
        "generate_audio": True,
    }
    with pytest.raises(ValidationError):
        payload_for(
            "bytedance/seedance-2.0/fast/text-to-video", duration_seconds=5, resolution="1080p"
        )


def test_pixverse_families() -> None:
    assert payload_for(
        "fal-ai/pixverse/v5.5/text-to-video",
        duration_seconds=10,
        resolution="480p",
        aspect_ratio="4:3",
    ) == {"prompt": "p", "duration": "10", "resolution": "540p", "aspect_ratio": "4:3"}
    with pytest.raises(ValidationError):
        payload_for("fal-ai/pixverse/v5/text-to-video", duration_seconds=10)
    transition = payload_for(
        "fal-ai/pixverse/v5/transition",
        duration_seconds=5,
        image_list=[
            ImageInput(image=IMAGE, role="first_frame"),
            ImageInput(image=LAST, role="last_frame"),
        ],
    )
    assert (transition["first_image_url"], transition["end_image_url"]) == (IMAGE, LAST)
    swap = payload_for(
        "fal-ai/pixverse/swap", video=VIDEO, image_list=[ImageInput(image=IMAGE, role="reference")]
    )
    assert swap == {"resolution": "720p", "video_url": VIDEO, "image_url": IMAGE}  # no prompt


def test_happy_horse_durations_are_integers() -> None:
    assert payload_for(
        "alibaba/happy-horse/text-to-video", duration_seconds=15, resolution="720p"
    ) == {
        "prompt": "p",
        "duration": 15,
        "resolution": "720p",
        "aspect_ratio": "16:9",
    }
    r2v = payload_for(
        "alibaba/happy-horse/reference-to-video",
        duration_seconds=3,
        image_list=[ImageInput(image=IMAGE)],
    )
    assert r2v["image_urls"] == [IMAGE]


def test_generic_mapping_passes_unified_fields_through() -> None:
    payload = payload_for(
        "someone/new-video-model/v1",
        duration_seconds=9,
        resolution="4k",
        aspect_ratio="21:9",
        generate_audio=True,
        seed=3,
        negative_prompt="fog",
        image_list=[
            ImageInput(image=IMAGE, role="reference"),
            ImageInput(image=LAST, role="style"),
        ],
        video=VIDEO,
        extra_params={"guidance": 2},
    )
    assert payload == {
        "prompt": "p",
        "duration": "9",  # a plain string, as most fal video endpoints take it
        "resolution": "4k",
        "aspect_ratio": "21:9",
        "generate_audio": True,
        "seed": 3,
        "negative_prompt": "fog",
        "image_urls": [IMAGE, LAST],
        "video_url": VIDEO,
        "guidance": 2,
    }


@pytest.mark.parametrize(
    ("model", "extras"),
    [
        ("someone/new-video-model/v1", {"duration": "60"}),
        ("someone/new-video-model/v1", {"num_frames": 9999}),
        ("fal-ai/veo3.1", {"generate_audio": True}),
        ("fal-ai/veo3.1", {"Duration": "8s"}),
        ("fal-ai/minimax/hailuo-02/pro", {"duration": "10"}),  # no duration input at all
        ("fal-ai/wan/v2.2-a14b/text-to-video", {"num_frames": 161}),
        ("fal-ai/kling-video/v2.6/pro/text-to-video", {"num_videos": 4}),
        ("fal-ai/kling-video/o1", {"start_image_url": "https://x/f.png"}),
        ("fal-ai/veo3.1", {"extra_params": {"duration": "60"}}),
        ("fal-ai/veo3.1", {"duration_seconds": 60}),
    ],
)
def test_extras_cannot_override_mapped_or_billed_fields(model: str, extras: dict[str, Any]) -> None:
    with pytest.raises(ValidationError) as caught:
        payload_for(model, duration_seconds=8 if "veo" in model else None, extra_params=extras)
    assert caught.value.param == next(iter(extras))
    assert "override" in caught.value.message or "set by the gateway" in caught.value.message


def test_a_nested_extra_params_is_judged_like_a_top_level_extra() -> None:
    request = VideoGenerationRequest.model_validate(
        {"prompt": "p", "duration_seconds": 4, "extra_params": {"duration": "60"}}
    )
    mapping = lookup_mapping("fal", "someone/new-video-model/v1")
    assert mapping is not None
    with pytest.raises(ValidationError) as caught:
        build_payload(mapping, request, provider="fal", model="someone/new-video-model/v1")
    assert (caught.value.param, "use 'seconds'" in caught.value.message) == ("duration", True)


async def test_an_overriding_extra_never_reaches_fal(emulator: FalEmulator) -> None:
    request = veo_request(duration_seconds=4, extra_params={"duration": "60", "num_frames": 9999})
    with pytest.raises(ValidationError) as caught:
        await FalProvider().submit_video(make_config(emulator), request)
    assert caught.value.param in {"duration", "num_frames"}
    assert emulator.calls == []


def test_image_extras_cannot_override_the_count_or_size() -> None:
    for extras in ({"num_images": 4}, {"image_size": "square_hd"}, {"aspect_ratio": "1:1"}):
        request = ImageGenerationRequest(prompt="p", extra_params=extras)
        with pytest.raises(ValidationError) as caught:
            fal_images.build_image_payload(request, model="fal-ai/flux/dev")
        assert caught.value.param == next(iter(extras))
    added = ImageGenerationRequest(prompt="p", extra_params={"guidance_scale": 3.5})
    assert fal_images.build_image_payload(added, model="fal-ai/flux/dev")["guidance_scale"] == 3.5


def test_every_family_maps_a_minimal_request() -> None:
    """Each table builds a payload for its own smallest valid request."""
    for prefix, mapping in get_provider_field_mapping("fal").items():
        caps = mapping.capabilities
        fields: dict[str, Any] = {}
        if caps.durations:
            fields["duration_seconds"] = caps.durations[0]
        if not caps.text_to_video:
            fields["image_list"] = [ImageInput(image=IMAGE, role=caps.image_roles[0])]
        if caps.video_input:
            fields["video"] = VIDEO
        model = prefix or "someone/model"
        request = VideoGenerationRequest(prompt="p", **fields)
        payload = build_payload(mapping, request, provider="fal", model=model)
        takes_prompt = any(row.target == "prompt" for row in mapping.fields)
        assert payload.get("prompt") == ("p" if takes_prompt else None), prefix


def test_queue_app_drops_the_endpoint_path() -> None:
    assert queue_app("fal-ai/veo3.1/fast/image-to-video") == "fal-ai/veo3.1"
    assert queue_app("bytedance/seedance-2.0/text-to-video") == "bytedance/seedance-2.0"
    assert queue_app("workflows/me/pipeline/run") == "workflows/me/pipeline"
    with pytest.raises(ValidationError):
        queue_app("not-a-model")


def test_request_ids_round_trip() -> None:
    job = JobRef("fal-ai/veo3.1", "80e7-uuid", 8)
    assert job.encode() == "fal-ai/veo3.1::80e7-uuid::8"
    assert JobRef.decode(job.encode(), "fal-ai/veo3.1/fast") == job
    assert JobRef.decode("fal-ai/x::abc", "m/n") == JobRef("fal-ai/x", "abc")
    assert JobRef.decode("abc", "fal-ai/veo3.1/fast") == JobRef("fal-ai/veo3.1", "abc")
    for broken in ("a::", "::b", "a::b::c::d", "a::b::eight"):
        with pytest.raises(ValidationError):
            JobRef.decode(broken, "fal-ai/veo3.1")


# -- 11. cancel and restarts -------------------------------------------------------------


async def test_cancel_hits_the_cancel_endpoint(emulator: FalEmulator) -> None:
    provider = FalProvider()
    config = make_config(emulator)
    emulator.job_seconds = 30
    job = await provider.submit_video(config, veo_request())
    await provider.cancel_video(config, job.request_id)
    (cancel,) = emulator.calls_of("cancel")
    fal_id = job.request_id.split("::")[1]
    assert (cancel.method, cancel.path) == ("PUT", f"/fal-ai/veo3.1/requests/{fal_id}/cancel")
    assert cancel.headers["authorization"] == "Key test-key"
    assert emulator.jobs[fal_id].cancelled


async def test_cancel_after_completion_is_a_no_op(emulator: FalEmulator) -> None:
    provider = FalProvider()
    config = make_config(emulator)
    emulator.job_seconds = 30
    job = await provider.submit_video(config, veo_request())
    fal_job = emulator.jobs[job.request_id.split("::")[1]]
    fal_job.created -= 60  # finished for certain, whatever the clock did meanwhile
    await provider.cancel_video(config, job.request_id)  # fal answers 400 ALREADY_COMPLETED
    (cancel,) = emulator.calls_of("cancel")
    assert cancel.method == "PUT"
    assert not fal_job.cancelled  # the emulator took the ALREADY_COMPLETED branch
    progress = await provider.poll_video(config, job.request_id)
    assert progress.status == "completed"  # and the finished video is still there


async def test_cancel_of_an_unknown_request_is_an_error(emulator: FalEmulator) -> None:
    with pytest.raises(HTTPError) as caught:
        await FalProvider().cancel_video(make_config(emulator), "fal-ai/veo3.1::missing")
    assert caught.value.status_code == 404


async def test_a_fresh_provider_resumes_polling(emulator: FalEmulator) -> None:
    config = make_config(emulator)
    job = await FalProvider().submit_video(config, veo_request(duration_seconds=6))
    emulator.jobs[job.request_id.split("::")[1]].created -= 1
    restarted = FalProvider()  # nothing carried over but the request id and the config
    progress = await restarted.poll_video(config, job.request_id)
    assert progress.status == "completed"
    result = await restarted.fetch_video(config, job.request_id)
    assert result.duration == 6.0
    assert str(result.video).startswith(emulator.base_url)


# -- Sora remix --------------------------------------------------------------------------


async def test_sora_remix_reuses_the_source_video_id(emulator: FalEmulator) -> None:
    provider = FalProvider()
    config = make_config(emulator, model="fal-ai/sora-2/text-to-video")
    assert provider.supports_remix(config)
    source = await run_video_job(provider, config, veo_request())
    submitted = emulator.calls_of("submit")[0].body
    assert submitted["duration"] == 8
    assert submitted["delete_video"] is False  # otherwise fal deletes it and remix fails
    assert source.provider_metadata["video_id"].startswith("video_")

    job = await provider.remix_video(
        config, source.request_id, VideoGenerationRequest(prompt="in winter")
    )
    remix_call = emulator.calls_of("submit")[-1]
    assert remix_call.path == "/fal-ai/sora-2/video-to-video/remix"
    assert remix_call.body == {
        "video_id": source.provider_metadata["video_id"],
        "prompt": "in winter",
        "delete_video": False,
    }
    emulator.jobs[job.request_id.split("::")[1]].created -= 1
    assert (await provider.poll_video(config, job.request_id)).status == "completed"
    remixed = await provider.fetch_video(config, job.request_id)
    assert remixed.duration == 8.0

    # Extras may not point the remix at another video or change its length.
    remixes = len(emulator.calls_of("submit"))
    for extras in ({"video_id": "video_someone_else"}, {"duration": 20}):
        with pytest.raises(ValidationError) as caught:
            await provider.remix_video(
                config, source.request_id, VideoGenerationRequest(prompt="x", extra_params=extras)
            )
        assert caught.value.param == next(iter(extras))
    assert len(emulator.calls_of("submit")) == remixes


async def test_remix_of_a_deleted_sora_video_fails(emulator: FalEmulator) -> None:
    provider = FalProvider()
    config = make_config(emulator, model="fal-ai/sora-2/text-to-video")
    request = veo_request(extra_params={"delete_video": True})
    source = await run_video_job(provider, config, request)
    job = await provider.remix_video(
        config, source.request_id, VideoGenerationRequest(prompt="again")
    )
    emulator.jobs[job.request_id.split("::")[1]].created -= 1
    progress = await provider.poll_video(config, job.request_id)
    assert progress.status == "failed"
    assert isinstance(progress.error, GenerationFailedError)


async def test_other_models_cannot_remix(emulator: FalEmulator) -> None:
    provider = FalProvider()
    config = make_config(emulator)
    assert not provider.supports_remix(config)
    with pytest.raises(ValidationError):
        await provider.remix_video(config, "fal-ai/veo3.1::x", VideoGenerationRequest(prompt="p"))
    assert emulator.calls == []


# -- images ------------------------------------------------------------------------------


def image_config(emulator: FalEmulator, **overrides: Any) -> ImageGenerationConfig:
    settings: dict[str, Any] = {
        "provider": "fal",
        "model": "fal-ai/flux/dev",
        "api_key": "test-key",
        "base_url": emulator.base_url,
        "poll_interval": 0.05,
        "request_timeout": 2.0,
    }
    settings.update(overrides)
    return ImageGenerationConfig(**settings)


async def test_flux_images_through_the_queue(emulator: FalEmulator) -> None:
    request = ImageGenerationRequest(prompt="a red fox", n=2, aspect_ratio="16:9", seed=5)
    response = await FalProvider().generate_image(image_config(emulator), request)
    assert len(response.images) == 2
    assert response.content_type == "image/jpeg"
    async with httpx.AsyncClient() as client:
        downloaded = await client.get(response.images[0])
    assert downloaded.content == SAMPLE_THUMBNAIL.read_bytes()
    (submit,) = emulator.calls_of("submit")
    assert submit.path == "/fal-ai/flux/dev"
    assert submit.body == {
        "prompt": "a red fox",
        "image_size": "landscape_16_9",
        "num_images": 2,
        "seed": 5,
    }
    assert {call.path.rsplit("/requests/")[0] for call in emulator.calls_of("status")} == {
        "/fal-ai/flux"
    }


async def test_image_failures_are_classified(emulator: FalEmulator) -> None:
    emulator.next_job_outcome = "moderation"
    with pytest.raises(ContentModerationError):
        await FalProvider().generate_image(
            image_config(emulator), ImageGenerationRequest(prompt="x")
        )
    emulator.fail_next("submit", Fault(status=429, headers={"Retry-After": "3"}))
    with pytest.raises(RateLimitError):
        await FalProvider().generate_image(
            image_config(emulator), ImageGenerationRequest(prompt="x")
        )


def test_image_payloads() -> None:
    flux = fal_images.build_image_payload(
        ImageGenerationRequest(prompt="p", size="1024x768"), model="fal-ai/flux-2-pro"
    )
    assert flux == {"prompt": "p", "image_size": {"width": 1024, "height": 768}}
    banana = fal_images.build_image_payload(
        ImageGenerationRequest(
            prompt="p", aspect_ratio="21:9", n=3, image_list=[ImageInput(image=IMAGE)]
        ),
        model="fal-ai/nano-banana/edit",
    )
    assert banana == {"prompt": "p", "aspect_ratio": "21:9", "num_images": 3, "image_urls": [IMAGE]}
    generic = fal_images.build_image_payload(
        ImageGenerationRequest(prompt="p", negative_prompt="dull", seed=1),
        model="fal-ai/bytedance/seedream/v4/text-to-image",
    )
    assert generic == {"prompt": "p", "negative_prompt": "dull", "seed": 1}
    with pytest.raises(ValidationError) as caught:
        fal_images.build_image_payload(
            ImageGenerationRequest(prompt="p", aspect_ratio="21:9"), model="fal-ai/flux/dev"
        )
    assert caught.value.param == "aspect_ratio"
    with pytest.raises(ValidationError) as caught:
        fal_images.build_image_payload(
            ImageGenerationRequest(prompt="p", negative_prompt="x"), model="fal-ai/flux/dev"
        )
    assert caught.value.param == "negative_prompt"
    with pytest.raises(ValidationError) as caught:
        fal_images.build_image_payload(ImageGenerationRequest(prompt="p", size="big"), model="m/n")
    assert caught.value.param == "size"


# -- odd answers -------------------------------------------------------------------------


async def test_a_failed_status_is_a_failed_job(emulator: FalEmulator) -> None:
    provider = FalProvider()
    config = make_config(emulator)
    job = await provider.submit_video(config, veo_request())
    emulator.fail_next("status", Fault(status=200, body={"status": "FAILED"}))
    progress = await provider.poll_video(config, job.request_id)
    assert progress.status == "failed"
    assert isinstance(progress.error, GenerationFailedError)


async def test_a_status_without_status_is_a_502(emulator: FalEmulator) -> None:
    provider = FalProvider()
    config = make_config(emulator)
    job = await provider.submit_video(config, veo_request())
    emulator.fail_next("status", Fault(status=200, body={"queue_position": 3}))
    with pytest.raises(HTTPError) as caught:
        await provider.poll_video(config, job.request_id)
    assert caught.value.status_code == 502


async def test_result_errors_that_are_not_job_failures_stay_http_errors(
    emulator: FalEmulator,
) -> None:
    provider = FalProvider()
    config = make_config(emulator)
    emulator.job_seconds = 0
    job = await provider.submit_video(config, veo_request())
    emulator.fail_next("result", Fault(status=502, body="<html>nginx</html>"))
    with pytest.raises(HTTPError) as caught:
        await provider.fetch_video(config, job.request_id)
    assert caught.value.status_code == 502
    assert caught.value.is_retryable
    emulator.fail_next("result", Fault(status=401, body={"detail": "No user found"}))
    with pytest.raises(ProviderAuthenticationError):
        await provider.fetch_video(config, job.request_id)
    with pytest.raises(HTTPError) as missing:
        await provider.fetch_video(config, "fal-ai/veo3.1::unknown")
    assert missing.value.status_code == 404


async def test_a_result_without_a_video_is_a_failed_generation(emulator: FalEmulator) -> None:
    provider = FalProvider()
    config = make_config(emulator)
    emulator.job_seconds = 0
    job = await provider.submit_video(config, veo_request())
    emulator.fail_next("result", Fault(status=200, body={"seed": 1}))
    with pytest.raises(GenerationFailedError):
        await provider.fetch_video(config, job.request_id)
    emulator.fail_next("result", Fault(status=200, body={"videos": [{"url": VIDEO}]}))
    assert (await provider.fetch_video(config, job.request_id)).video == VIDEO


async def test_all_images_flagged_is_content_moderation(emulator: FalEmulator) -> None:
    blanked = {"images": [{"url": IMAGE}], "has_nsfw_concepts": [True]}
    emulator.job_seconds = 0
    emulator.fail_next("result", Fault(status=200, body=blanked), times=2)
    with pytest.raises(ContentModerationError):
        await FalProvider().generate_image(
            image_config(emulator), ImageGenerationRequest(prompt="x")
        )


def test_the_app_comes_from_the_response_url_under_a_prefixed_base() -> None:
    from tarash_gateway.adapters.providers.fal import _app_from_response_url

    base = "https://gateway.example/fal"
    url = "https://gateway.example/fal/fal-ai/veo3.1/requests/abc"
    assert _app_from_response_url(url, base) == "fal-ai/veo3.1"
    assert _app_from_response_url("https://queue.fal.run/fal-ai/x/requests/1", base) == "fal-ai/x"
    assert _app_from_response_url("https://queue.fal.run/nothing-here", base) is None
    assert _app_from_response_url(None, base) is None


# -- issue 15: families the longest-prefix lookup used to send to the wrong table ----------


def test_veo31_lite_has_its_own_tables_and_price() -> None:
    lite = lookup_mapping("fal", "fal-ai/veo3.1/lite")
    assert lite is fal_veo_sora.VEO31_LITE  # was the full Veo 3.1 table
    assert lite.capabilities.price_per_second == 0.05  # not 0.40
    with pytest.raises(ValidationError) as caught:
        payload_for("fal-ai/veo3.1/lite", resolution="4k")
    assert caught.value.param == "resolution"
    i2v = payload_for(
        "fal-ai/veo3.1/lite/image-to-video",
        image_list=[ImageInput(image=IMAGE, role="first_frame")],
    )
    assert i2v["image_url"] == IMAGE  # was dropped: the text table has no image field
    flf = payload_for(
        "fal-ai/veo3.1/lite/first-last-frame-to-video",
        image_list=[
            ImageInput(image=IMAGE, role="first_frame"),
            ImageInput(image=LAST, role="last_frame"),
        ],
    )
    assert (flf["first_frame_url"], flf["last_frame_url"]) == (IMAGE, LAST)


def test_seedance_15_takes_audio_frames_and_four_to_twelve_seconds() -> None:
    text = payload_for("fal-ai/bytedance/seedance/v1.5/pro/text-to-video", generate_audio=True)
    assert text == {
        "prompt": "p",
        "duration": "5",
        "resolution": "720p",
        "aspect_ratio": "16:9",
        "generate_audio": True,
    }
    with pytest.raises(ValidationError):  # 1.0 allowed 2 s
        payload_for("fal-ai/bytedance/seedance/v1.5/pro/text-to-video", duration_seconds=2)
    i2v = payload_for(
        "fal-ai/bytedance/seedance/v1.5/pro/image-to-video",
        image_list=[ImageInput(image=IMAGE, role="first_frame")],
    )
    assert i2v["image_url"] == IMAGE


def test_pixverse_56_durations_are_strings_and_audio_is_a_switch() -> None:
    assert payload_for(
        "fal-ai/pixverse/v5.6/text-to-video", duration_seconds=10, generate_audio=True
    ) == {
        "prompt": "p",
        "duration": "10",  # was 10 (the generic table's integer)
        "resolution": "720p",
        "aspect_ratio": "16:9",
        "generate_audio_switch": True,
    }


def test_ltx2_durations_are_integers_from_1080p_up() -> None:
    assert payload_for("fal-ai/ltx-2/text-to-video", resolution="4k") == {
        "prompt": "p",
        "duration": 6,
        "resolution": "2160p",
        "aspect_ratio": "16:9",
    }
    with pytest.raises(ValidationError) as caught:
        payload_for("fal-ai/ltx-2/text-to-video", resolution="720p")
    assert caught.value.param == "resolution"
    assert payload_for("fal-ai/ltx-2/text-to-video/fast", duration_seconds=20)["duration"] == 20
    with pytest.raises(ValidationError):
        payload_for("fal-ai/ltx-2/text-to-video", duration_seconds=20)


def test_luma_ray2_on_fal_takes_suffixed_seconds_and_540p() -> None:
    assert payload_for("fal-ai/luma-dream-machine/ray-2", duration_seconds=9) == {
        "prompt": "p",
        "duration": "9s",
        "resolution": "540p",
        "aspect_ratio": "16:9",
    }
    with pytest.raises(ValidationError):
        payload_for("fal-ai/luma-dream-machine/ray-2", duration_seconds=6)


def test_kling_25_turbo_text_defaults_to_five_seconds_and_takes_no_image() -> None:
    assert payload_for("fal-ai/kling-video/v2.5-turbo/pro/text-to-video") == {
        "prompt": "p",
        "duration": "5",
        "aspect_ratio": "16:9",
    }
    with pytest.raises(ValidationError):
        payload_for(
            "fal-ai/kling-video/v2.5-turbo/pro/text-to-video",
            image_list=[ImageInput(image=IMAGE, role="first_frame")],
        )
    i2v = payload_for(
        "fal-ai/kling-video/v2.5-turbo/pro/image-to-video",
        image_list=[
            ImageInput(image=IMAGE, role="first_frame"),
            ImageInput(image=LAST, role="last_frame"),
        ],
    )
    assert "aspect_ratio" not in i2v
    assert i2v["tail_image_url"] == LAST


def test_every_family_default_is_one_of_its_own_values() -> None:
    for prefix, mapping in get_provider_field_mapping("fal").items():
        caps = mapping.capabilities
        if caps.default_duration is not None and caps.durations is not None:
            assert caps.default_duration in caps.durations, prefix
        if caps.default_resolution is not None and caps.resolutions is not None:
            assert caps.default_resolution in caps.resolutions, prefix
        if caps.default_aspect_ratio is not None and caps.aspect_ratios is not None:
            assert caps.default_aspect_ratio in caps.aspect_ratios, prefix


# -- issue 15: the strict emulator refuses what fal refuses --------------------------------


async def submit_raw(emulator: FalEmulator, endpoint: str, body: Any) -> httpx.Response:
    """Submit straight to the emulator, then read the result once the job is done."""
    emulator.job_seconds = 0.0
    headers = {"Authorization": "Key test-key"}
    async with httpx.AsyncClient(base_url=emulator.base_url, headers=headers) as client:
        submitted = await client.post(f"/{endpoint}", json=body)
        if submitted.status_code != 200:
            return submitted
        return await client.get(submitted.json()["response_url"])


def detail(response: httpx.Response) -> list[tuple[str, str]]:
    assert response.status_code == 422
    return [(item["loc"][-1], item["type"]) for item in response.json()["detail"]]


async def test_emulator_answers_404_for_an_endpoint_fal_does_not_have(
    emulator: FalEmulator,
) -> None:
    answer = await submit_raw(emulator, "fal-ai/veo9/text-to-video", {"prompt": "p"})
    assert (answer.status_code, answer.json()) == (404, {"detail": "Not Found"})


@pytest.mark.parametrize(
    ("endpoint", "body", "refused"),
    [
        ("fal-ai/veo3.1", {"prompt": "p", "duration": 8}, [("duration", "enum")]),
        ("fal-ai/veo3.1", {"prompt": "p", "duration": "8"}, [("duration", "enum")]),
        (
            "fal-ai/kling-video/v2.6/pro/text-to-video",
            {"prompt": "p", "duration": 5},
            [("duration", "enum")],
        ),
        ("fal-ai/ltx-2/text-to-video", {"prompt": "p", "duration": "6"}, [("duration", "enum")]),
        ("fal-ai/sora-2/text-to-video", {"prompt": "p", "duration": "8"}, [("duration", "enum")]),
        ("fal-ai/veo3.1", {"prompt": "p", "resolution": "480p"}, [("resolution", "enum")]),
        ("fal-ai/veo3.1", {"prompt": "p", "image_url": IMAGE}, [("image_url", "extra_forbidden")]),
        ("fal-ai/veo3.1", {"duration": "8s"}, [("prompt", "missing")]),
        ("fal-ai/veo3.1", {"prompt": "p", "seed": "42"}, [("seed", "int_type")]),
        (
            "fal-ai/veo3.1",
            {"prompt": "p", "generate_audio": "yes"},
            [("generate_audio", "bool_type")],
        ),
        ("fal-ai/veo3.1/image-to-video", {"prompt": "p"}, [("image_url", "missing")]),
        (
            "fal-ai/veo3.1/image-to-video",
            {"prompt": "p", "image_url": "first.png"},
            [("image_url", "url_parsing")],
        ),
        (
            "fal-ai/pixverse/swap",
            {"prompt": "p", "video_url": VIDEO, "image_url": IMAGE},
            [("prompt", "extra_forbidden")],
        ),
    ],
)
async def test_emulator_refuses_what_the_schema_does_not_allow(
    emulator: FalEmulator, endpoint: str, body: dict[str, Any], refused: list[tuple[str, str]]
) -> None:
    assert detail(await submit_raw(emulator, endpoint, body)) == refused


async def test_emulator_error_entries_have_fals_shape(emulator: FalEmulator) -> None:
    answer = await submit_raw(emulator, "fal-ai/veo3.1", {"prompt": "p", "duration": 8})
    (entry,) = answer.json()["detail"]
    assert entry == {
        "loc": ["body", "duration"],
        "msg": "Input should be '4s', '6s' or '8s'",
        "type": "enum",
        "input": 8,
        "ctx": {"expected": "'4s', '6s' or '8s'"},
    }


async def test_emulator_takes_data_uris_and_documented_values(emulator: FalEmulator) -> None:
    data_uri = "data:image/png;base64,iVBORw0KGgo="
    answer = await submit_raw(
        emulator,
        "fal-ai/veo3.1/image-to-video",
        {"prompt": "p", "image_url": data_uri, "duration": "6s", "aspect_ratio": "auto"},
    )
    assert answer.status_code == 200
    assert "video" in answer.json()


async def test_a_field_fal_refuses_fails_the_job_with_a_validation_error(
    emulator: FalEmulator,
) -> None:
    emulator.job_seconds = 0.0
    config = make_config(emulator, model="fal-ai/veo3.1")
    request = veo_request(extra_params={"not_a_veo_field": 1})
    job = await FalProvider().submit_video(config, request)
    progress = await FalProvider().poll_video(config, job.request_id)
    assert progress.status == "failed"
    assert isinstance(progress.error, ValidationError)
    assert progress.error.param == "not_a_veo_field"


# Payloads the strict schema refuses for a reason the tables cannot express: these
# endpoints need *both* frames (Capabilities only says "an image is required"), and the
# remix body is built by remix_video from the source's video_id, not by the table.
NEEDS_BOTH_FRAMES = frozenset(
    {
        "fal-ai/veo3.1/first-last-frame-to-video",
        "fal-ai/veo3.1/fast/first-last-frame-to-video",
        "fal-ai/veo3.1/lite/first-last-frame-to-video",
    }
)
BUILT_ELSEWHERE = frozenset({fal_models.SORA_REMIX_ENDPOINT})


def _variants(caps: Any) -> list[dict[str, Any]]:
    """Small requests that each exercise one capability of a family."""
    variants: list[dict[str, Any]] = [{}, {"seed": 7}, {"negative_prompt": "fog"}]
    variants += [{"duration_seconds": seconds} for seconds in caps.durations or ()]
    variants += [{"resolution": tier} for tier in caps.resolutions or ()]
    variants += [{"aspect_ratio": ratio} for ratio in caps.aspect_ratios or ()]
    if caps.audio:
        variants += [{"generate_audio": True}, {"generate_audio": False}]
    variants.append({"enhance_prompt": True})
    return variants


def test_every_table_sends_what_its_endpoints_published_schema_takes() -> None:
    """The adapter's tables against the emulator's schemas (a second, independent
    reading of fal's pages): every request a table accepts must validate."""
    checked = 0
    for endpoint, schema in sorted(SCHEMAS.items()):
        if endpoint in BUILT_ELSEWHERE:
            continue
        mapping = lookup_mapping("fal", endpoint)
        assert mapping is not None
        caps = mapping.capabilities
        images: list[ImageInput] = []
        if endpoint in NEEDS_BOTH_FRAMES:
            images = [
                ImageInput(image=IMAGE, role="first_frame"),
                ImageInput(image=LAST, role="last_frame"),
            ]
        elif not caps.text_to_video:
            images = [ImageInput(image=IMAGE, role=caps.image_roles[0])]
        video = VIDEO if caps.video_input else None
        for fields in _variants(caps):
            request = VideoGenerationRequest(prompt="p", image_list=images, video=video, **fields)
            try:
                payload = build_payload(mapping, request, provider="fal", model=endpoint)
            except ValidationError:
                continue  # refused before any call: fine
            assert validate(schema, payload) == [], (endpoint, fields, payload)
            checked += 1
    assert checked > 500


# -- uploaded images go to fal storage -----------------------------------------------------

PNG = b"\x89PNG\r\n\x1a\n" + b"\x02" * 64
I2V = "fal-ai/veo3.1/fast/image-to-video"


def storage_config(emulator: FalEmulator, **overrides: Any) -> VideoGenerationConfig:
    settings: dict[str, Any] = {
        "model": I2V,
        "provider_config": {"rest_url": emulator.base_url, "cdn_url": emulator.base_url},
    }
    settings.update(overrides)
    return make_config(emulator, **settings)


def inline(data: bytes = PNG) -> str:
    return "data:image/png;base64," + base64.b64encode(data).decode()


async def test_uploaded_images_go_to_fal_storage(emulator: FalEmulator) -> None:
    """An inline first frame is uploaded (CDN v3: a token, then the bytes) and the model
    gets the file's URL, whose GET returns the same bytes; was: the data URI itself."""
    fal_storage._TOKENS.clear()
    config = storage_config(emulator)
    request = veo_request(image_list=[ImageInput(image=inline(), role="first_frame")])
    ready = await FalProvider().prepare_images(config, request, None)
    url = ready.image_list[0].image
    assert url.startswith(emulator.base_url + "/files/")
    async with httpx.AsyncClient() as client:
        served = await client.get(url)
    assert (served.content, served.headers["content-type"]) == (PNG, "image/png")
    (token,) = emulator.calls_of("storage_token")
    assert (token.query, token.headers["authorization"], token.body) == (
        "storage_type=fal-cdn-v3",
        "Key test-key",
        {},
    )
    (upload,) = emulator.calls_of("storage_upload")
    assert upload.headers["x-fal-file-name"] == "upload.png"
    assert upload.headers["authorization"].startswith("Bearer ")
    await FalProvider().submit_video(config, ready)
    assert emulator.calls_of("submit")[-1].body["image_url"] == url
    untouched = veo_request(image_list=[ImageInput(image=IMAGE, role="first_frame")])
    assert await FalProvider().prepare_images(config, untouched, None) is untouched


async def test_a_refused_request_uploads_nothing(emulator: FalEmulator) -> None:
    request = veo_request(
        duration_seconds=5, image_list=[ImageInput(image=inline(), role="first_frame")]
    )
    with pytest.raises(ValidationError):
        await FalProvider().prepare_images(storage_config(emulator), request, None)
    assert emulator.calls == []


async def test_storage_falls_back_to_the_signed_put_and_a_bad_key_is_an_auth_error(
    emulator: FalEmulator,
) -> None:
    fal_storage._TOKENS.clear()
    emulator.fail_next("storage_upload", Fault(status=503))
    request = veo_request(image_list=[ImageInput(image=inline(), role="first_frame")])
    ready = await FalProvider().prepare_images(storage_config(emulator), request, None)
    async with httpx.AsyncClient() as client:
        assert (await client.get(ready.image_list[0].image)).content == PNG
    assert "authorization" not in emulator.calls_of("storage_put")[-1].headers
    with pytest.raises(ProviderAuthenticationError):
        await FalProvider().prepare_images(storage_config(emulator, api_key="wrong"), request, None)


def test_storage_hosts_must_be_urls() -> None:
    config = VideoGenerationConfig(
        provider="fal", model=I2V, api_key="k", provider_config={"cdn_url": "v3.fal.media"}
    )
    with pytest.raises(ValidationError) as caught:
        storage_urls(config)
    assert caught.value.param == "provider_config.cdn_url"
    default = VideoGenerationConfig(provider="fal", model=I2V, api_key="k")
    assert storage_urls(default) == ("https://rest.fal.ai", "https://v3.fal.media")


@pytest.mark.parametrize(
    ("path", "headers", "content", "status"),
    [
        ("/storage/auth/token?storage_type=fal-cdn-v3", {}, b"{}", 401),
        ("/storage/auth/token?storage_type=gcs", {"Authorization": "Key test-key"}, b"{}", 422),
        ("/storage/auth/token?storage_type=fal-cdn-v3", {"Authorization": "Key test-key"},
         b'{"x": 1}', 422),
        ("/files/upload", {"Authorization": "Key test-key", "Content-Type": "image/png"},
         PNG, 401),
        ("/storage/upload/initiate?storage_type=gcs", {"Authorization": "Key test-key"},
         b'{"file_name": "a.png"}', 422),
    ],
)  # fmt: skip
async def test_emulator_refuses_storage_calls_fal_refuses(
    emulator: FalEmulator, path: str, headers: dict[str, str], content: bytes, status: int
) -> None:
    async with httpx.AsyncClient() as client:
        answer = await client.post(emulator.base_url + path, content=content, headers=headers)
    assert answer.status_code == status
    assert "detail" in answer.json()


async def test_emulator_cdn_upload_needs_a_content_type(emulator: FalEmulator) -> None:
    async with httpx.AsyncClient() as client:
        token = await client.post(
            emulator.base_url + "/storage/auth/token?storage_type=fal-cdn-v3",
            json={},
            headers={"Authorization": "Key test-key"},
        )
        auth = {"Authorization": f"Bearer {token.json()['token']}"}
        untyped = await client.post(emulator.base_url + "/files/upload", content=PNG, headers=auth)
        typed = await client.post(
            emulator.base_url + "/files/upload",
            content=PNG,
            headers={**auth, "Content-Type": "image/png"},
        )
    assert untyped.status_code == 400
    assert typed.status_code == 200
