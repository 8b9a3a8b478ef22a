"""The Replicate adapter against a loopback Replicate API (tests/emulators/replicate.py)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tarash_gateway.adapters import (
    ContentModerationError,
    GenerationFailedError,
    HTTPError,
    ImageInput,
    ProviderAuthenticationError,
    ProviderConnectionError,
    RateLimitError,
    ValidationError,
    VideoGenerationConfig,
    VideoGenerationRequest,
)
from tarash_gateway.adapters.defaults import resolve_request
from tarash_gateway.adapters.field_mappers import get_provider_field_mapping, lookup_mapping
from tarash_gateway.adapters.media import SAMPLE_VIDEO
from tarash_gateway.adapters.models import ProgressUpdate
from tarash_gateway.adapters.polling import follow_job, run_video_job
from tarash_gateway.adapters.providers.replicate import (
    ReplicateProvider,
    build_input,
    mapping_for,
    split_model,
)
from tarash_gateway.adapters.providers.replicate_models import MODEL_MAPPINGS
from tests.emulators.base import Fault
from tests.emulators.replicate import (
    FLAGGED_ERROR,
    SCHEMAS,
    ReplicateEmulator,
    parse_cancel_after,
)
from tests.servers import free_port

IMAGE = "https://example.com/first.png"
LAST = "https://example.com/last.png"
SECRET = "r8_wrong0123456789SECRETTOKEN"
VERSION = "5c7d5dc6dd8bf75c1acaa8565735e7986bc5b66206b55cca93cb72c9bf15ccaa"


@pytest.fixture(scope="module")
def server() -> Iterator[ReplicateEmulator]:
    with ReplicateEmulator(job_seconds=0.2) as emulator:
        yield emulator  # type: ignore[misc]


@pytest.fixture
def emulator(server: ReplicateEmulator) -> ReplicateEmulator:
    server.calls.clear()
    server.faults.clear()
    server.jobs.clear()
    server.next_job_outcome = "success"
    server.job_seconds = 0.2
    server.abort_next = False
    return server


def make_config(emulator: ReplicateEmulator, **overrides: Any) -> VideoGenerationConfig:
    settings: dict[str, Any] = {
        "provider": "replicate",
        "model": "google/veo-3",
        "api_key": "test-key",
        "base_url": emulator.base_url,
        "poll_interval": 0.05,
        "request_timeout": 2.0,
    }
    settings.update(overrides)
    return VideoGenerationConfig(**settings)


def request(**fields: Any) -> VideoGenerationRequest:
    return VideoGenerationRequest(prompt="a lighthouse in a storm", **fields)


# -- 1. the full cycle -------------------------------------------------------------------


async def test_full_cycle_official_model(emulator: ReplicateEmulator) -> None:
    updates: list[ProgressUpdate] = []
    config = make_config(emulator)
    result = await run_video_job(
        ReplicateProvider(),
        config,
        request(
            duration_seconds=8,
            resolution="1080p",
            aspect_ratio="9:16",
            generate_audio=True,
            negative_prompt="fog",
            seed=7,
            image_list=[ImageInput(image=IMAGE, role="first_frame")],
        ),
        on_progress=updates.append,
    )
    submit = emulator.calls_of("submit")[0]
    assert (submit.method, submit.path) == ("POST", "/v1/models/google/veo-3/predictions")
    assert submit.headers["authorization"] == "Bearer test-key"
    assert "prefer" not in submit.headers
    assert submit.body == {
        "input": {
            "prompt": "a lighthouse in a storm",
            "duration": 8,
            "resolution": "1080p",
            "aspect_ratio": "9:16",
            "negative_prompt": "fog",
            "seed": 7,
            "generate_audio": True,
            "image": IMAGE,
        }
    }
    assert result.status == "completed"
    assert result.duration == 8.0
    assert (result.resolution, result.aspect_ratio) == ("1080p", "9:16")
    assert result.content_type == "video/mp4"
    assert result.raw_response["status"] == "succeeded"
    assert result.provider_metadata["model"] == "google/veo-3"
    assert isinstance(result.video, str)
    assert result.video.startswith(emulator.base_url)
    async with httpx.AsyncClient() as client:
        downloaded = await client.get(result.video)
    assert downloaded.content == SAMPLE_VIDEO.read_bytes()
    statuses = [update.status for update in updates]
    assert statuses[-1] == "completed"
    assert set(statuses) <= {"queued", "in_progress", "completed"}
    for call in emulator.calls_of("status"):
        assert call.path == f"/v1/predictions/{result.request_id}"


async def test_pinned_version_goes_to_predictions_with_version(
    emulator: ReplicateEmulator,
) -> None:
    config = make_config(emulator, model=f"minimax/video-01:{VERSION}")
    result = await run_video_job(
        ReplicateProvider(),
        config,
        request(
            enhance_prompt=False,
            image_list=[ImageInput(image=IMAGE, role="first_frame")],
        ),
    )
    submit = emulator.calls_of("submit")[0]
    assert submit.path == "/v1/predictions"
    assert submit.body == {
        "version": VERSION,
        "input": {
            "prompt": "a lighthouse in a storm",
            "prompt_optimizer": False,
            "first_frame_image": IMAGE,
        },
    }
    assert result.provider_metadata["version"] == VERSION
    assert result.duration is None  # video-01 takes no duration input


async def test_progress_is_read_from_the_logs(emulator: ReplicateEmulator) -> None:
    emulator.job_seconds = 10
    config = make_config(emulator)
    provider = ReplicateProvider()
    job = await provider.submit_video(config, request())
    queued = await provider.poll_video(config, job.request_id)
    assert (queued.status, queued.progress) == ("queued", 0)
    emulator.jobs[job.request_id].created -= 5
    running = await provider.poll_video(config, job.request_id)
    assert running.status == "in_progress"
    assert 40 <= running.progress <= 60


# -- 2-6. HTTP failures at submit and poll --------------------------------------------


async def test_429_at_submit_is_a_retryable_rate_limit(emulator: ReplicateEmulator) -> None:
    body = {
        "title": "Request was throttled",
        "detail": "Request was throttled. Your rate limit resets in ~30s.",
        "status": 429,
    }
    emulator.fail_next("submit", Fault(status=429, body=body, headers={"Retry-After": "7"}))
    with pytest.raises(RateLimitError) as caught:
        await ReplicateProvider().submit_video(make_config(emulator), request())
    assert caught.value.retry_after == 7.0
    assert caught.value.is_retryable
    assert caught.value.raw_response == body


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ({"detail": "Request was throttled. Your rate limit resets in ~12s."}, 12.0),
        ({"detail": "throttled", "retry_after": 4}, 4.0),
    ],
)
async def test_429_retry_after_from_the_body(
    emulator: ReplicateEmulator, body: dict[str, Any], expected: float
) -> None:
    emulator.fail_next("submit", Fault(status=429, body=body))
    with pytest.raises(RateLimitError) as caught:
        await ReplicateProvider().submit_video(make_config(emulator), request())
    assert caught.value.retry_after == expected


@pytest.mark.parametrize("status", [500, 503])
async def test_server_errors_are_retryable(emulator: ReplicateEmulator, status: int) -> None:
    emulator.fail_next("submit", Fault(status=status, body={"detail": "upstream broke"}))
    with pytest.raises(HTTPError) as caught:
        await ReplicateProvider().submit_video(make_config(emulator), request())
    assert caught.value.status_code == status
    assert caught.value.is_retryable


async def test_the_sdk_does_not_retry_on_its_own(emulator: ReplicateEmulator) -> None:
    config = make_config(emulator)
    provider = ReplicateProvider()
    job = await provider.submit_video(config, request())
    for status in (503, 429):
        emulator.calls.clear()
        emulator.fail_next("status", Fault(status=status, body={"detail": "busy"}))
        with pytest.raises(HTTPError) as caught:
            await provider.poll_video(config, job.request_id)
        assert caught.value.status_code == status
        assert len(emulator.calls_of("status")) == 1


async def test_422_is_a_validation_error_naming_the_field(emulator: ReplicateEmulator) -> None:
    body = {
        "title": "Input validation failed",
        "detail": "- input.duration: duration must be one of the following: 4, 6, 8",
        "status": 422,
    }
    emulator.fail_next("submit", Fault(status=422, body=body))
    with pytest.raises(ValidationError) as caught:
        await ReplicateProvider().submit_video(make_config(emulator), request())
    assert caught.value.param == "seconds"
    assert not caught.value.is_retryable
    assert caught.value.raw_response == body


async def test_400_is_not_retryable(emulator: ReplicateEmulator) -> None:
    emulator.fail_next("submit", Fault(status=400, body={"detail": "bad request"}))
    with pytest.raises(HTTPError) as caught:
        await ReplicateProvider().submit_video(make_config(emulator), request())
    assert caught.value.status_code == 400
    assert not caught.value.is_retryable


async def test_a_hang_past_the_timeout_is_a_connection_error(
    emulator: ReplicateEmulator,
) -> None:
    emulator.fail_next("submit", Fault(hang_seconds=1.5))
    config = make_config(emulator, request_timeout=0.5)
    jobs_before = len(emulator.jobs)
    with pytest.raises(ProviderConnectionError) as caught:
        await ReplicateProvider().submit_video(config, request())
    assert caught.value.is_retryable
    # The emulator still makes the prediction once the hang ends; let it land here, not
    # in whichever test runs next (which may count the emulator's jobs).
    await emulator.wait_for_a_job_after(jobs_before)


async def test_an_unreachable_host_is_a_connection_error() -> None:
    config = VideoGenerationConfig(
        provider="replicate",
        model="google/veo-3",
        api_key="test-key",
        base_url=f"http://127.0.0.1:{free_port()}",
        request_timeout=1,
    )
    with pytest.raises(ProviderConnectionError):
        await ReplicateProvider().poll_video(config, "abc123")


@pytest.mark.parametrize("operation", ["submit", "status"])
async def test_malformed_json_is_a_retryable_502(
    emulator: ReplicateEmulator, operation: str
) -> None:
    config = make_config(emulator)
    provider = ReplicateProvider()
    job_id = "unused"
    if operation == "status":
        job_id = (await provider.submit_video(config, request())).request_id
    calls = {
        "submit": lambda: provider.submit_video(config, request()),
        "status": lambda: provider.poll_video(config, job_id),
    }
    emulator.fail_next(operation, Fault(malformed=True))
    with pytest.raises(HTTPError) as caught:
        await calls[operation]()
    assert caught.value.status_code == 502
    assert caught.value.is_retryable


async def test_json_that_is_not_a_prediction_is_a_502(emulator: ReplicateEmulator) -> None:
    emulator.fail_next("submit", Fault(status=201, body={"unexpected": True}))
    with pytest.raises(HTTPError) as caught:
        await ReplicateProvider().submit_video(make_config(emulator), request())
    assert caught.value.status_code == 502


async def test_a_bad_key_is_an_authentication_error_without_the_key(
    emulator: ReplicateEmulator,
) -> None:
    config = make_config(emulator, api_key=SECRET)
    with pytest.raises(ProviderAuthenticationError) as caught:
        await ReplicateProvider().submit_video(config, request())
    error = caught.value
    assert error.status_code == 401
    assert not error.is_retryable
    assert "valid authentication token" in str(error)
    assert SECRET not in str(error)
    assert SECRET not in repr(error.raw_response)
    assert SECRET not in repr(error)


async def test_missing_key_is_refused_before_any_call(
    emulator: ReplicateEmulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("REPLICATE_API_TOKEN", raising=False)
    config = make_config(emulator, api_key=None)
    with pytest.raises(ValidationError) as caught:
        await ReplicateProvider().submit_video(config, request())
    assert caught.value.param == "api_key"
    assert "REPLICATE_API_TOKEN" in str(caught.value)
    assert emulator.calls == []


async def test_the_env_token_is_used_when_no_key_is_configured(
    emulator: ReplicateEmulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("REPLICATE_API_TOKEN", "test-key")
    job = await ReplicateProvider().submit_video(make_config(emulator, api_key=None), request())
    assert job.request_id in emulator.jobs


# -- 7-8. refused and failing jobs --------------------------------------------------------


async def test_a_flagged_prediction_is_a_moderation_error(emulator: ReplicateEmulator) -> None:
    emulator.next_job_outcome = "moderation"
    with pytest.raises(ContentModerationError) as caught:
        await run_video_job(ReplicateProvider(), make_config(emulator), request())
    assert not caught.value.is_retryable
    assert "E005" in str(caught.value)
    assert caught.value.raw_response["error"] == FLAGGED_ERROR


async def test_a_refusal_at_submit_is_a_moderation_error(emulator: ReplicateEmulator) -> None:
    body = {"title": "Bad request", "detail": "NSFW content detected in prompt", "status": 400}
    emulator.fail_next("submit", Fault(status=400, body=body))
    with pytest.raises(ContentModerationError) as caught:
        await ReplicateProvider().submit_video(make_config(emulator), request())
    assert not caught.value.is_retryable


async def test_a_failing_prediction_raises_generation_failed(
    emulator: ReplicateEmulator,
) -> None:
    emulator.next_job_outcome = "fail"
    with pytest.raises(GenerationFailedError) as caught:
        await run_video_job(ReplicateProvider(), make_config(emulator), request())
    assert caught.value.is_retryable
    assert "CUDA error" in str(caught.value)
    assert caught.value.raw_response["status"] == "failed"


async def test_fetching_a_failed_prediction_raises(emulator: ReplicateEmulator) -> None:
    emulator.next_job_outcome = "fail"
    emulator.job_seconds = 0
    config = make_config(emulator)
    provider = ReplicateProvider()
    job = await provider.submit_video(config, request())
    with pytest.raises(GenerationFailedError):
        await provider.fetch_video(config, job.request_id)


# -- 9. impossible requests never reach the network ---------------------------------------


@pytest.mark.parametrize(
    ("model", "fields", "param"),
    [
        ("google/veo-3", {"duration_seconds": 5}, "seconds"),
        ("google/veo-3:abc123", {"resolution": "4k"}, "resolution"),
        ("google/veo-3-fast", {"aspect_ratio": "1:1"}, "aspect_ratio"),
        ("kwaivgi/kling-v2.1", {}, "input_reference"),
        ("kwaivgi/kling-v2.5-turbo-pro", {"generate_audio": True}, "generate_audio"),
        ("minimax/hailuo-02", {"duration_seconds": 10, "resolution": "1080p"}, "seconds"),
        ("minimax/video-01", {"aspect_ratio": "9:16"}, "aspect_ratio"),
        ("luma/ray-2-720p", {"duration_seconds": 7}, "seconds"),
        ("google/veo-3", {"number_of_videos": 2}, "n"),
        ("not a model", {}, "model"),
    ],
)
async def test_impossible_requests_are_refused_before_any_call(
    emulator: ReplicateEmulator, model: str, fields: dict[str, Any], param: str
) -> None:
    with pytest.raises(ValidationError) as caught:
        await ReplicateProvider().submit_video(
            make_config(emulator, model=model), request(**fields)
        )
    assert caught.value.param == param
    assert emulator.calls == []


async def test_the_error_names_the_allowed_values(emulator: ReplicateEmulator) -> None:
    with pytest.raises(ValidationError, match=r"allowed durations: 4, 6, 8 seconds"):
        await ReplicateProvider().submit_video(make_config(emulator), request(duration_seconds=5))


# -- 10. field mappers ----------------------------------------------------------------------


def test_lookup_ignores_the_version_and_uses_the_longest_prefix() -> None:
    assert split_model("minimax/video-01:abc123") == ("minimax/video-01", "abc123")
    assert split_model(VERSION) == ("", VERSION)
    assert mapping_for("minimax/video-01:abc123") is MODEL_MAPPINGS["minimax/"]
    assert mapping_for("minimax/hailuo-02") is MODEL_MAPPINGS["minimax/hailuo-02"]
    assert mapping_for("google/veo-3.1-fast:ff00") is MODEL_MAPPINGS["google/veo-3.1-fast"]
    assert mapping_for("google/veo-3-fast") is MODEL_MAPPINGS["google/veo-3"]
    assert mapping_for("kwaivgi/kling-v2.1-master") is MODEL_MAPPINGS["kwaivgi/kling-v2.1-master"]
    assert mapping_for("acme/video-model:1234") is MODEL_MAPPINGS[""]
    assert (
        lookup_mapping("replicate", "luma/ray-flash-2-540p") is MODEL_MAPPINGS["luma/ray-flash-2"]
    )
    assert set(MODEL_MAPPINGS) <= set(get_provider_field_mapping("replicate"))


def test_veo_31_maps_keyframes_and_references() -> None:
    payload = build_input(
        "google/veo-3.1",
        request(
            duration_seconds=8,
            image_list=[
                ImageInput(image=IMAGE, role="first_frame"),
                ImageInput(image=LAST, role="last_frame"),
            ],
        ),
    )
    assert payload["duration"] == 8
    assert payload["image"] == IMAGE
    assert payload["last_frame"] == LAST
    # References replace the last frame on Veo 3.1 (its page: "Last frame is ignored if
    # reference images are provided"), so they travel with a first frame at most.
    references = build_input(
        "google/veo-3.1",
        request(
            image_list=[
                ImageInput(image=IMAGE, role="first_frame"),
                ImageInput(image="https://example.com/r1.png", role="reference"),
                ImageInput(image="https://example.com/r2.png", role="reference"),
            ],
        ),
    )
    assert references["reference_images"] == [
        "https://example.com/r1.png",
        "https://example.com/r2.png",
    ]


def test_kling_families() -> None:
    generic = build_input(
        "kwaivgi/kling-v2.5-turbo-pro",
        request(
            duration_seconds=10,
            aspect_ratio="1:1",
            negative_prompt="blur",
            image_list=[ImageInput(image=IMAGE, role="first_frame")],
        ),
    )
    assert generic == {
        "prompt": "a lighthouse in a storm",
        "negative_prompt": "blur",
        "aspect_ratio": "1:1",
        "duration": 10,
        "start_image": IMAGE,
    }
    v21 = build_input(
        "kwaivgi/kling-v2.1",
        request(
            resolution="1080p",
            duration_seconds=5,
            image_list=[
                ImageInput(image=IMAGE, role="first_frame"),
                ImageInput(image=LAST, role="last_frame"),
            ],
        ),
    )
    assert v21["mode"] == "pro"
    assert (v21["start_image"], v21["end_image"]) == (IMAGE, LAST)
    standard = build_input(
        "kwaivgi/kling-v2.1",
        request(resolution="720p", image_list=[ImageInput(image=IMAGE, role="first_frame")]),
    )
    assert standard["mode"] == "standard"
    # A last frame exists only in pro mode, so it picks pro mode, also when the router
    # has filled the omitted resolution with the model's default (720p).
    keyframes = [
        ImageInput(image=IMAGE, role="first_frame"),
        ImageInput(image=LAST, role="last_frame"),
    ]
    assert build_input("kwaivgi/kling-v2.1", request(image_list=keyframes))["mode"] == "pro"
    defaulted = request(resolution="720p", image_list=keyframes)
    assert build_input("kwaivgi/kling-v2.1", defaulted)["mode"] == "pro"
    with pytest.raises(ValidationError):
        build_input("kwaivgi/kling-v2.0", request(resolution="1080p"))


def test_hailuo_resolutions_and_ten_seconds() -> None:
    payload = build_input(
        "minimax/hailuo-02",
        request(
            resolution="720p",
            duration_seconds=6,
            image_list=[
                ImageInput(image=IMAGE, role="first_frame"),
                ImageInput(image=LAST, role="last_frame"),
            ],
        ),
    )
    assert payload["resolution"] == "768p"
    assert (payload["first_frame_image"], payload["last_frame_image"]) == (IMAGE, LAST)
    ten = build_input("minimax/hailuo-2.3", request(duration_seconds=10))
    assert (ten["duration"], ten["resolution"]) == (10, "768p")
    assert build_input("minimax/hailuo-2.3", request(resolution="1080p"))["resolution"] == "1080p"
    with pytest.raises(ValidationError) as caught:
        build_input("minimax/hailuo-02", request(resolution="480p"))
    assert caught.value.param == "resolution"
    small = build_input(
        "minimax/hailuo-02",
        request(resolution="480p", image_list=[ImageInput(image=IMAGE, role="first_frame")]),
    )
    assert small["resolution"] == "512p"
    portrait = build_input(
        "minimax/hailuo-2.3",
        request(aspect_ratio="9:16", image_list=[ImageInput(image=IMAGE, role="first_frame")]),
    )
    assert "aspect_ratio" not in portrait


def test_minimax_video_01_subject_reference() -> None:
    payload = build_input(
        "minimax/video-01:abc",
        request(enhance_prompt=True, image_list=[ImageInput(image=IMAGE, role="reference")]),
    )
    assert payload == {
        "prompt": "a lighthouse in a storm",
        "prompt_optimizer": True,
        "subject_reference": IMAGE,
    }


def test_luma_and_wan_families() -> None:
    luma = build_input(
        "luma/ray-2-720p",
        request(
            duration_seconds=9,
            aspect_ratio="21:9",
            image_list=[
                ImageInput(image=IMAGE, role="first_frame"),
                ImageInput(image=LAST, role="last_frame"),
            ],
            loop=True,
        ),
    )
    assert luma == {
        "prompt": "a lighthouse in a storm",
        "duration": 9,
        "aspect_ratio": "21:9",
        "start_image": IMAGE,
        "end_image": LAST,
        "loop": True,
    }
    ray1 = build_input(
        "luma/ray", request(image_list=[ImageInput(image=IMAGE, role="first_frame")])
    )
    assert ray1["start_image_url"] == IMAGE
    t2v = build_input(
        "wan-video/wan-2.5-t2v",
        request(resolution="1080p", aspect_ratio="9:16", duration_seconds=5, enhance_prompt=True),
    )
    assert t2v == {
        "prompt": "a lighthouse in a storm",
        "duration": 5,
        "enable_prompt_expansion": True,
        "size": "1080*1920",
    }
    # Nothing asked: the model's documented default size is sent, not left to chance.
    assert build_input("wan-video/wan-2.5-t2v", request())["size"] == "1280*720"
    assert build_input("wan-video/wan-2.5-t2v", request(aspect_ratio="9:16"))["size"] == "720*1280"
    i2v = build_input(
        "wan-video/wan-2.5-i2v",
        request(resolution="480p", image_list=[ImageInput(image=IMAGE, role="first_frame")]),
    )
    assert (i2v["resolution"], i2v["image"]) == ("480p", IMAGE)


def test_generic_mapping_and_extra_params() -> None:
    payload = build_input(
        "acme/new-video:123",
        request(
            duration_seconds=7,
            resolution="720p",
            generate_audio=False,
            video="https://example.com/in.mp4",
            image_list=[ImageInput(image="iVBORw0KGgoAAAANSUhEUg==", role="first_frame")],
            fps=24,
        ),
    )
    assert payload["duration"] == 7
    assert payload["generate_audio"] is False
    assert payload["video"] == "https://example.com/in.mp4"
    assert payload["image"] == "data:image/png;base64,iVBORw0KGgoAAAANSUhEUg=="
    assert payload["fps"] == 24


# -- 11. cancel and statelessness ---------------------------------------------------------


async def test_cancel_hits_the_cancel_endpoint(emulator: ReplicateEmulator) -> None:
    emulator.job_seconds = 30
    config = make_config(emulator)
    provider = ReplicateProvider()
    job = await provider.submit_video(config, request())
    await provider.cancel_video(config, job.request_id)
    cancel = emulator.calls_of("cancel")[0]
    assert (cancel.method, cancel.path) == ("POST", f"/v1/predictions/{job.request_id}/cancel")
    progress = await provider.poll_video(config, job.request_id)
    assert progress.status == "failed"
    assert isinstance(progress.error, GenerationFailedError)


async def test_a_fresh_provider_resumes_a_job(emulator: ReplicateEmulator) -> None:
    config = make_config(emulator)
    job = await ReplicateProvider().submit_video(config, request(duration_seconds=6))
    emulator.jobs[job.request_id].created -= 1
    fresh = ReplicateProvider()
    assert (await fresh.poll_video(config, job.request_id)).status == "completed"
    result = await ReplicateProvider().fetch_video(config, job.request_id)
    assert result.duration == 6.0


async def test_foreign_ids_are_refused(emulator: ReplicateEmulator) -> None:
    with pytest.raises(ValidationError) as caught:
        await ReplicateProvider().poll_video(make_config(emulator), "../../etc/passwd")
    assert caught.value.param == "video_id"
    assert emulator.calls == []


async def test_unknown_prediction_is_a_404(emulator: ReplicateEmulator) -> None:
    with pytest.raises(HTTPError) as caught:
        await ReplicateProvider().poll_video(make_config(emulator), "doesnotexist")
    assert caught.value.status_code == 404
    assert not caught.value.is_retryable


def test_video_urls_are_found_in_any_output_shape() -> None:
    from tarash_gateway.adapters.providers.replicate import _first_url

    url = "https://replicate.delivery/out.mp4"
    assert _first_url(url) == url
    assert _first_url([None, "not a url", url]) == url
    assert _first_url({"video": url}) == url
    assert _first_url({"files": [url]}) == url
    assert _first_url({"text": "no video"}) is None
    assert _first_url(None) is None


def test_kling_16_pro_needs_a_keyframe() -> None:
    with pytest.raises(ValidationError) as caught:
        build_input(
            "kwaivgi/kling-v1.6-pro",
            request(image_list=[ImageInput(image=IMAGE, role="reference")]),
        )
    assert caught.value.param == "input_reference"
    payload = build_input(
        "kwaivgi/kling-v1.6-pro",
        request(image_list=[ImageInput(image=LAST, role="last_frame")]),
    )
    assert payload["end_image"] == LAST


async def test_fetching_an_unfinished_prediction_raises(emulator: ReplicateEmulator) -> None:
    emulator.job_seconds = 30
    config = make_config(emulator)
    provider = ReplicateProvider()
    job = await provider.submit_video(config, request())
    with pytest.raises(GenerationFailedError, match="still starting"):
        await provider.fetch_video(config, job.request_id)


@pytest.mark.parametrize(
    ("model", "extras"),
    [
        ("acme/new-video:123", {"duration": 60}),
        ("acme/new-video:123", {"num_frames": 9999}),
        ("acme/new-video:123", {"num_outputs": 4}),
        ("minimax/video-01", {"aspect_ratio": "9:16"}),  # used to skip the 16:9 rule
        ("kwaivgi/kling-v2.1", {"mode": "pro"}),
        ("wan-video/wan-2.5-t2v", {"size": "1920*1080"}),
        ("google/veo-3", {"image": "https://x/f.png"}),
    ],
)
def test_extras_cannot_override_billed_or_validated_fields(
    model: str, extras: dict[str, Any]
) -> None:
    image = [ImageInput(image="https://x/f.png", role="first_frame")]
    fields: dict[str, Any] = {"image_list": image} if "kling" in model else {}
    with pytest.raises(ValidationError) as caught:
        build_input(model, request(extra_params=extras, **fields))
    assert caught.value.param == next(iter(extras))


# -- 12. issue 15: aborted predictions, documented defaults, a strict emulator ------------


async def test_an_aborted_prediction_is_a_terminal_failure_not_a_502(
    emulator: ReplicateEmulator,
) -> None:
    """``aborted`` (a Cancel-After deadline passed before the prediction started) is not
    in the SDK's status Literal; it used to surface as a retried 502 "malformed JSON"."""
    emulator.abort_next = True
    config = make_config(emulator)
    provider = ReplicateProvider()
    job = await provider.submit_video(config, request())
    progress = await provider.poll_video(config, job.request_id)
    assert progress.status == "failed"
    assert isinstance(progress.error, GenerationFailedError)
    assert "aborted" in str(progress.error)
    assert "Cancel-After" in str(progress.error)
    assert progress.raw_response["status"] == "aborted"
    with pytest.raises(GenerationFailedError, match="aborted"):
        await provider.fetch_video(config, job.request_id)


async def test_run_video_job_ends_on_an_aborted_prediction(emulator: ReplicateEmulator) -> None:
    emulator.abort_next = True
    with pytest.raises(GenerationFailedError, match="aborted") as caught:
        await run_video_job(ReplicateProvider(), make_config(emulator), request())
    assert not isinstance(caught.value, HTTPError)
    assert len(emulator.calls_of("submit")) == 1


async def test_cancelling_an_aborted_prediction_is_not_an_error(
    emulator: ReplicateEmulator,
) -> None:
    emulator.abort_next = True
    config = make_config(emulator)
    job = await ReplicateProvider().submit_video(config, request())
    await ReplicateProvider().cancel_video(config, job.request_id)
    assert len(emulator.calls_of("cancel")) == 1


_DEFAULTS: dict[str, dict[str, Any]] = {
    "google/veo-3.1": {"duration": 8, "resolution": "1080p", "aspect_ratio": "16:9"},
    "google/veo-3": {"duration": 8, "resolution": "1080p", "aspect_ratio": "16:9"},
    "google/veo-2": {"duration": 5, "aspect_ratio": "16:9"},
    "kwaivgi/kling-v2.5-turbo-pro": {"duration": 5, "aspect_ratio": "16:9"},
    "minimax/hailuo-02": {"duration": 6, "resolution": "768p"},
    "minimax/hailuo-2.3": {"duration": 6, "resolution": "768p"},
    "minimax/video-01": {},
    "luma/ray-2-720p": {"duration": 5, "aspect_ratio": "16:9"},
    "luma/ray": {"aspect_ratio": "16:9"},
    "wan-video/wan-2.5-t2v": {"duration": 5, "size": "1280*720"},
    "bytedance/seedance-1-pro": {"duration": 5, "resolution": "1080p", "aspect_ratio": "16:9"},
    "bytedance/seedance-1-lite": {"duration": 5, "resolution": "720p", "aspect_ratio": "16:9"},
    "bytedance/seedance-1.5-pro": {"duration": 5, "aspect_ratio": "16:9"},
}


@pytest.mark.parametrize("model", sorted(_DEFAULTS))
async def test_a_bare_prompt_gets_the_models_own_defaults_and_is_accepted(
    emulator: ReplicateEmulator, model: str
) -> None:
    """Only model and prompt: the model's documented defaults are sent, never OpenAI's
    4 s / 720x1280, and the strict emulator (the model's published schema) accepts it."""
    job = await ReplicateProvider().submit_video(make_config(emulator, model=model), request())
    sent = emulator.calls_of("submit")[0].body["input"]
    assert sent == {"prompt": "a lighthouse in a storm", **_DEFAULTS[model]}
    assert job.request_id in emulator.jobs


@pytest.mark.parametrize(
    ("model", "images"),
    [
        ("kwaivgi/kling-v2.1", ["first_frame"]),
        ("kwaivgi/kling-v2.1", ["first_frame", "last_frame"]),
        ("wan-video/wan-2.5-i2v", ["first_frame"]),
        ("minimax/video-01-live", ["first_frame"]),
        ("minimax/hailuo-02", ["first_frame", "last_frame"]),
        ("kwaivgi/kling-v1.6-pro", ["first_frame", "last_frame"]),
        ("google/veo-3.1", ["first_frame", "last_frame"]),
        ("bytedance/seedance-1-pro", ["first_frame", "last_frame"]),
        ("bytedance/seedance-1-lite", ["reference"]),
    ],
)
async def test_image_requests_without_settings_are_accepted(
    emulator: ReplicateEmulator, model: str, images: list[str]
) -> None:
    urls = {"first_frame": IMAGE, "last_frame": LAST, "reference": IMAGE}
    image_list = [ImageInput(image=urls[role], role=role) for role in images]
    job = await ReplicateProvider().submit_video(
        make_config(emulator, model=model), request(image_list=image_list)
    )
    assert job.request_id in emulator.jobs


def test_seedance_keyframes_and_references() -> None:
    payload = build_input(
        "bytedance/seedance-1-pro",
        request(
            seed=3,
            duration_seconds=12,
            image_list=[
                ImageInput(image=IMAGE, role="first_frame"),
                ImageInput(image=LAST, role="last_frame"),
            ],
        ),
    )
    assert (payload["image"], payload["last_frame_image"]) == (IMAGE, LAST)
    assert (payload["duration"], payload["seed"]) == (12, 3)
    assert "last_frame" not in payload
    with pytest.raises(ValidationError, match="only with a first frame"):
        build_input(
            "bytedance/seedance-1-pro",
            request(image_list=[ImageInput(image=LAST, role="last_frame")]),
        )
    with pytest.raises(ValidationError) as caught:
        build_input(
            "bytedance/seedance-1-lite",
            request(resolution="1080p", image_list=[ImageInput(image=IMAGE, role="reference")]),
        )
    assert caught.value.param == "resolution"
    with pytest.raises(ValidationError) as caught:
        build_input("bytedance/seedance-1-pro", request(duration_seconds=13))
    assert caught.value.param == "seconds"
    audio = build_input("bytedance/seedance-1.5-pro", request(generate_audio=True))
    assert audio["generate_audio"] is True
    assert "resolution" not in audio


def test_every_family_default_is_one_the_family_allows() -> None:
    for prefix, mapping in get_provider_field_mapping("replicate").items():
        caps = mapping.capabilities
        if caps.default_duration is not None and caps.durations is not None:
            assert caps.default_duration in caps.durations, prefix
        if caps.default_resolution is not None and caps.resolutions is not None:
            assert caps.default_resolution in caps.resolutions, prefix
        if caps.default_aspect_ratio is not None and caps.aspect_ratios is not None:
            assert caps.default_aspect_ratio in caps.aspect_ratios, prefix


def test_every_schema_model_has_its_own_family() -> None:
    """A model the emulator knows the schema of is not left to the generic names."""
    for model in SCHEMAS:
        assert mapping_for(model) is not MODEL_MAPPINGS[""], model


# -- the emulator refuses what Replicate refuses --------------------------------------------


def _post(emulator: ReplicateEmulator, path: str, body: Any, **headers: str) -> httpx.Response:
    return httpx.post(
        f"{emulator.base_url}{path}",
        json=body,
        headers={"Authorization": "Bearer test-key", **headers},
    )


@pytest.mark.parametrize(
    ("model_input", "field", "kind"),
    [
        ({"prompt": "x", "duration": "8"}, "input.duration", "invalid_type"),
        ({"prompt": "x", "duration": 5}, "input.duration", "enum"),
        ({"prompt": "x", "resolution": "4k"}, "input.resolution", "enum"),
        (
            {"prompt": "x", "start_image": IMAGE},
            "input.start_image",
            "additional_property_not_allowed",
        ),
        ({"prompt": "x", "generate_audio": "yes"}, "input.generate_audio", "invalid_type"),
        ({"prompt": "x", "seed": 1.5}, "input.seed", "invalid_type"),
        ({"prompt": "x", "duration": True}, "input.duration", "invalid_type"),
        ({"duration": 8}, "input.prompt", "required"),
    ],
)
def test_emulator_refuses_inputs_outside_the_schema(
    emulator: ReplicateEmulator, model_input: dict[str, Any], field: str, kind: str
) -> None:
    answer = _post(emulator, "/v1/models/google/veo-3.1/predictions", {"input": model_input})
    assert answer.status_code == 422
    body = answer.json()
    assert (body["title"], body["status"]) == ("Input validation failed", 422)
    assert [(entry["field"], entry["type"]) for entry in body["invalid_fields"]] == [(field, kind)]
    assert field in body["detail"]
    assert emulator.jobs == {}


@pytest.mark.parametrize(
    ("model", "model_input"),
    [
        ("bytedance/seedance-1-pro", {"prompt": "x", "duration": 13}),
        ("bytedance/seedance-1-pro", {"prompt": "x", "last_frame": LAST}),
        ("minimax/hailuo-2.3", {"prompt": "x", "resolution": "512p"}),
        ("minimax/hailuo-02", {"prompt": "x", "resolution": "768P"}),
        ("kwaivgi/kling-v2.1", {"prompt": "x", "mode": "1080p"}),
        ("wan-video/wan-2.5-t2v", {"prompt": "x", "size": "1280x720"}),
        ("wan-video/wan-2.5-t2v", {"prompt": "x", "resolution": "720p"}),
    ],
)
def test_emulator_refuses_each_models_wrong_inputs(
    emulator: ReplicateEmulator, model: str, model_input: dict[str, Any]
) -> None:
    answer = _post(emulator, f"/v1/models/{model}/predictions", {"input": model_input})
    assert answer.status_code == 422
    assert answer.json()["invalid_fields"]


def test_emulator_refuses_wrong_paths_methods_and_bodies(emulator: ReplicateEmulator) -> None:
    for path in ("/v1/predictions/abc/result", "/v1/models/google/veo-3.1", "/v2/predictions"):
        answer = _post(emulator, path, {"input": {"prompt": "x"}})
        assert answer.status_code == 404, path
        assert answer.json()["status"] == 404
    wrong_method = httpx.get(
        f"{emulator.base_url}/v1/models/google/veo-3.1/predictions",
        headers={"Authorization": "Bearer test-key"},
    )
    assert wrong_method.status_code == 405
    assert _post(emulator, "/v1/predictions", {"input": {"prompt": "x"}}).status_code == 422
    unknown_top = {"input": {"prompt": "x"}, "model": "google/veo-3.1"}
    assert _post(emulator, "/v1/models/google/veo-3.1/predictions", unknown_top).status_code == 422
    bad_events = {"input": {"prompt": "x"}, "webhook_events_filter": ["done"]}
    assert _post(emulator, "/v1/models/google/veo-3.1/predictions", bad_events).status_code == 422
    short = _post(
        emulator,
        "/v1/models/google/veo-3.1/predictions",
        {"input": {"prompt": "x"}},
        **{"Cancel-After": "2s"},
    )
    assert short.status_code == 422
    assert emulator.jobs == {}


def test_emulator_deadlines_abort_queued_and_cancel_running_predictions(
    emulator: ReplicateEmulator,
) -> None:
    assert parse_cancel_after("1h30m") == 5400
    assert parse_cancel_after("90") == 90
    assert parse_cancel_after("5 minutes") is None
    emulator.job_seconds = 100  # queued for 20 s, running until 100 s
    created = _post(
        emulator,
        "/v1/models/google/veo-3.1/predictions",
        {"input": {"prompt": "x"}},
        **{"Cancel-After": "10s"},
    )
    assert created.status_code == 201
    assert created.json()["status"] == "starting"
    job = emulator.jobs[created.json()["id"]]
    job.created -= 11
    polled = httpx.get(created.json()["urls"]["get"], headers={"Authorization": "Bearer test-key"})
    assert polled.json()["status"] == "aborted"
    running = _post(
        emulator,
        "/v1/models/google/veo-3.1/predictions",
        {"input": {"prompt": "x"}},
        **{"Cancel-After": "30s"},
    )
    emulator.jobs[running.json()["id"]].created -= 31
    polled = httpx.get(running.json()["urls"]["get"], headers={"Authorization": "Bearer test-key"})
    assert polled.json()["status"] == "canceled"


_KEYFRAMES = [
    ImageInput(image=IMAGE, role="first_frame"),
    ImageInput(image=LAST, role="last_frame"),
]


_IMAGE_SETS: dict[str, list[ImageInput]] = {
    "none": [],
    "first": _KEYFRAMES[:1],
    "keyframes": _KEYFRAMES,
    "reference": [ImageInput(image=IMAGE, role="reference")],
}


def _servable(model: str, images: str) -> bool:
    """Whether ``model``'s table accepts this image set (the router refuses the rest)."""
    caps = mapping_for(model).capabilities
    roles = {image.role for image in _IMAGE_SETS[images]}
    return roles <= set(caps.image_roles) and (bool(roles) or caps.text_to_video)


@pytest.mark.parametrize(
    ("model", "images"),
    [(m, i) for m in sorted(SCHEMAS) for i in _IMAGE_SETS if _servable(m, i)],
)
async def test_router_defaults_are_never_refused_by_the_adapter_or_the_emulator(
    emulator: ReplicateEmulator, model: str, images: str
) -> None:
    """The router fills omitted fields from the table's defaults *before* the adapter
    (router/routing.py ``resolve``): whatever image roles a family accepts, that filled
    request must pass the family's own rules and the model's published schema."""
    caps = mapping_for(model).capabilities
    image_list = _IMAGE_SETS[images]
    resolved = resolve_request(request(image_list=image_list), caps).request
    config = make_config(emulator, model=model)
    if (model, images) in _IMAGE_RULES:
        with pytest.raises(ValidationError, match=_IMAGE_RULES[model, images]):
            await ReplicateProvider().submit_video(config, resolved)
        return
    job = await ReplicateProvider().submit_video(config, resolved)
    assert job.request_id in emulator.jobs


_IMAGE_RULES = {("kwaivgi/kling-v1.6-pro", "reference"): "needs a first or last frame"}
"""Refusals for the images given, not for any default: named here, not skipped."""


def test_veo_31_reference_images_need_8_seconds_at_16_9() -> None:
    refs = [ImageInput(image=IMAGE, role="reference")]
    payload = build_input("google/veo-3.1", request(image_list=refs))
    assert (payload["duration"], payload["aspect_ratio"]) == (8, "16:9")
    for fields in ({"duration_seconds": 6}, {"aspect_ratio": "9:16"}):
        with pytest.raises(ValidationError, match="8 s at 16:9"):
            build_input("google/veo-3.1", request(image_list=refs, **fields))
    with pytest.raises(ValidationError, match="last frame"):
        build_input("google/veo-3.1", request(image_list=[*refs, _KEYFRAMES[1]]))


# -- completion in one read (issue 16, item 3) ---------------------------------------------


async def test_a_finished_job_is_read_once(
    emulator: ReplicateEmulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The poll that sees the job finished carries its result, so completing it takes one
    GET (the old lifecycle polled, then fetched the same resource again)."""
    monkeypatch.setattr(emulator, "job_seconds", 0)
    provider = ReplicateProvider()
    cfg = make_config(emulator)
    job = await provider.submit_video(cfg, request())
    emulator.calls.clear()

    result = await follow_job(provider, cfg, job)

    assert [call.method for call in emulator.calls] == ["GET"]
    progress = await provider.poll_video(cfg, job.request_id)
    assert progress.status == "completed"
    assert progress.result == result
    assert await provider.fetch_video(cfg, job.request_id) == result
