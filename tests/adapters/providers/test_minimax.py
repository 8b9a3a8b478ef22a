"""The MiniMax adapter against a loopback MiniMax API (tests/emulators/minimax.py)."""

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
    TarashError,
    ValidationError,
    VideoGenerationConfig,
    VideoGenerationRequest,
)
from tarash_gateway.adapters.defaults import resolve_request
from tarash_gateway.adapters.field_mappers import lookup_mapping
from tarash_gateway.adapters.media import SAMPLE_VIDEO
from tarash_gateway.adapters.models import ProgressUpdate
from tarash_gateway.adapters.polling import run_video_job
from tarash_gateway.adapters.providers.minimax import (
    MODEL_MAPPINGS,
    MiniMaxProvider,
    build_request,
    classify_code,
    decode_request_id,
    encode_request_id,
)
from tests.emulators.base import Fault
from tests.emulators.minimax import MiniMaxEmulator

IMAGE = "https://example.com/first.png"
LAST = "https://example.com/last.png"
SECRET = "sk-api-wrong0123456789SECRET"


@pytest.fixture(scope="module")
def server() -> Iterator[MiniMaxEmulator]:
    with MiniMaxEmulator(job_seconds=0.2) as emulator:
        yield emulator  # type: ignore[misc]


@pytest.fixture
def emulator(server: MiniMaxEmulator) -> MiniMaxEmulator:
    server.calls.clear()
    server.faults.clear()
    server.jobs.clear()
    server.retrieve_queries.clear()
    server.next_job_outcome = "success"
    server.job_seconds = 0.2
    return server


def make_config(emulator: MiniMaxEmulator, **overrides: Any) -> VideoGenerationConfig:
    settings: dict[str, Any] = {
        "provider": "minimax",
        "model": "MiniMax-Hailuo-2.3",
        "api_key": "test-key",
        "base_url": emulator.base_url,
        "poll_interval": 0.05,
        "request_timeout": 2.0,
    }
    settings.update(overrides)
    return VideoGenerationConfig(**settings)


def request(**fields: Any) -> VideoGenerationRequest:
    return VideoGenerationRequest(prompt="a lighthouse in a storm", **fields)


def error_body(code: int, message: str) -> dict[str, Any]:
    return {"task_id": "", "base_resp": {"status_code": code, "status_msg": message}}


# -- 1. the full cycle -------------------------------------------------------------------


async def test_full_cycle(emulator: MiniMaxEmulator) -> None:
    updates: list[ProgressUpdate] = []
    config = make_config(emulator)
    result = await run_video_job(
        MiniMaxProvider(),
        config,
        request(
            duration_seconds=10,
            resolution="720p",
            enhance_prompt=False,
            image_list=[ImageInput(image=IMAGE, role="first_frame")],
        ),
        on_progress=updates.append,
    )
    submit = emulator.calls_of("submit")[0]
    assert (submit.method, submit.path) == ("POST", "/v1/video_generation")
    assert submit.headers["authorization"] == "Bearer test-key"
    assert submit.body == {
        "model": "MiniMax-Hailuo-2.3",
        "prompt": "a lighthouse in a storm",
        "duration": 10,
        "resolution": "768P",
        "prompt_optimizer": False,
        "first_frame_image": IMAGE,
    }
    task_id = result.request_id.partition(":")[0]
    assert task_id in emulator.jobs
    query = emulator.calls_of("status")[-1]
    assert (query.method, query.path) == ("GET", "/v1/query/video_generation")
    retrieve = emulator.calls_of("result")[0]
    assert (retrieve.method, retrieve.path) == ("GET", "/v1/files/retrieve")
    assert result.status == "completed"
    assert result.duration == 10.0
    assert (result.resolution, result.aspect_ratio) == ("768p", "16:9")
    assert result.provider_metadata["task_id"] == task_id
    assert result.raw_response["file"]["file"]["download_url"] == result.video
    assert isinstance(result.video, str)
    async with httpx.AsyncClient() as client:
        downloaded = await client.get(result.video)
    assert downloaded.content == SAMPLE_VIDEO.read_bytes()
    statuses = [update.status for update in updates]
    assert statuses[-1] == "completed"
    assert set(statuses) <= {"queued", "in_progress", "completed"}


async def test_statuses_map_onto_the_unified_ones(emulator: MiniMaxEmulator) -> None:
    emulator.job_seconds = 100
    config = make_config(emulator)
    provider = MiniMaxProvider()
    job = await provider.submit_video(config, request())
    task = emulator.jobs[job.request_id.partition(":")[0]]
    submitted = task.created
    seen = []
    for elapsed in (0, 15, 50, 100):
        task.created = submitted - elapsed
        progress = await provider.poll_video(config, job.request_id)
        seen.append((progress.status, progress.progress))
    assert seen == [("queued", 0), ("queued", 5), ("in_progress", 50), ("completed", 100)]


async def test_group_id_is_passed_when_configured(emulator: MiniMaxEmulator) -> None:
    config = make_config(emulator, provider_config={"group_id": "1234"})
    result = await run_video_job(MiniMaxProvider(), config, request())
    assert result.duration == 6.0  # MiniMax's default, carried in the request id
    assert emulator.retrieve_queries[-1]["GroupId"] == "1234"


# -- 2-6. failures at the HTTP level and in base_resp ------------------------------------


async def test_429_at_submit_is_a_retryable_rate_limit(emulator: MiniMaxEmulator) -> None:
    emulator.fail_next(
        "submit",
        Fault(status=429, body=error_body(1002, "rate limit"), headers={"Retry-After": "3"}),
    )
    with pytest.raises(RateLimitError) as caught:
        await MiniMaxProvider().submit_video(make_config(emulator), request())
    assert caught.value.retry_after == 3.0
    assert caught.value.is_retryable


@pytest.mark.parametrize(
    ("code", "message", "expected", "retryable"),
    [
        (1002, "rate limit", RateLimitError, True),
        (2045, "rate growth limit", RateLimitError, True),
        (1004, "login fail: Please carry the API secret key", ProviderAuthenticationError, False),
        (2049, "invalid api key", ProviderAuthenticationError, False),
        (1026, "input new_sensitive", ContentModerationError, False),
        (1027, "output new_sensitive", ContentModerationError, False),
        (2013, "invalid params, duration", ValidationError, False),
        (1008, "insufficient balance", HTTPError, False),
        (1000, "unknown error", HTTPError, True),
        (1001, "request timeout", HTTPError, True),
        (9999, "something new", HTTPError, True),
    ],
)
async def test_base_resp_codes_at_http_200_are_classified(
    emulator: MiniMaxEmulator,
    code: int,
    message: str,
    expected: type[TarashError],
    retryable: bool,
) -> None:
    body = error_body(code, message)
    emulator.fail_next("submit", Fault(status=200, body=body))
    with pytest.raises(expected) as caught:
        await MiniMaxProvider().submit_video(make_config(emulator), request())
    assert caught.value.is_retryable is retryable
    assert caught.value.raw_response == body
    assert str(code) in str(caught.value)


def test_invalid_params_name_the_field_when_they_can() -> None:
    error = classify_code(2013, "invalid params, duration must be 6", {}, model="m")
    assert isinstance(error, ValidationError)
    assert error.param == "seconds"
    balance = classify_code(1008, "insufficient balance", {}, model="m")
    assert isinstance(balance, HTTPError)
    assert balance.status_code == 402


@pytest.mark.parametrize("status", [500, 503])
async def test_server_errors_are_retryable(emulator: MiniMaxEmulator, status: int) -> None:
    emulator.fail_next("submit", Fault(status=status, body={"error": "upstream broke"}))
    with pytest.raises(HTTPError) as caught:
        await MiniMaxProvider().submit_video(make_config(emulator), request())
    assert caught.value.status_code == status
    assert caught.value.is_retryable


async def test_400_is_not_retryable(emulator: MiniMaxEmulator) -> None:
    emulator.fail_next("submit", Fault(status=400, body=error_body(2013, "invalid params")))
    with pytest.raises(HTTPError) as caught:
        await MiniMaxProvider().submit_video(make_config(emulator), request())
    assert caught.value.status_code == 400
    assert not caught.value.is_retryable


async def test_moderation_with_an_http_error_status(emulator: MiniMaxEmulator) -> None:
    emulator.fail_next("submit", Fault(status=422, body=error_body(1026, "input new_sensitive")))
    with pytest.raises(ContentModerationError):
        await MiniMaxProvider().submit_video(make_config(emulator), request())


async def test_a_hang_past_the_timeout_is_a_connection_error(emulator: MiniMaxEmulator) -> None:
    config = make_config(emulator, request_timeout=0.5)
    provider = MiniMaxProvider()
    job = await provider.submit_video(config, request())
    emulator.fail_next("status", Fault(hang_seconds=1.5))
    with pytest.raises(ProviderConnectionError) as caught:
        await provider.poll_video(config, job.request_id)
    assert caught.value.is_retryable


@pytest.mark.parametrize("operation", ["submit", "status", "result"])
async def test_malformed_json_is_a_retryable_502(emulator: MiniMaxEmulator, operation: str) -> None:
    emulator.job_seconds = 0
    config = make_config(emulator)
    provider = MiniMaxProvider()
    job_id = (
        "" if operation == "submit" else (await provider.submit_video(config, request())).request_id
    )
    calls = {
        "submit": lambda: provider.submit_video(config, request()),
        "status": lambda: provider.poll_video(config, job_id),
        "result": lambda: provider.fetch_video(config, job_id),
    }
    emulator.fail_next(operation, Fault(malformed=True))
    with pytest.raises(HTTPError) as caught:
        await calls[operation]()
    assert caught.value.status_code == 502
    assert caught.value.is_retryable


async def test_a_json_array_is_a_502(emulator: MiniMaxEmulator) -> None:
    emulator.fail_next("submit", Fault(status=200, body=["not", "an", "object"]))
    with pytest.raises(HTTPError) as caught:
        await MiniMaxProvider().submit_video(make_config(emulator), request())
    assert caught.value.status_code == 502


async def test_a_bad_key_is_an_authentication_error_without_the_key(
    emulator: MiniMaxEmulator,
) -> None:
    config = make_config(emulator, api_key=SECRET)
    with pytest.raises(ProviderAuthenticationError) as caught:
        await MiniMaxProvider().submit_video(config, request())
    error = caught.value
    assert not error.is_retryable
    assert "invalid api key" in str(error)
    assert SECRET not in str(error)
    assert SECRET not in repr(error.raw_response)


async def test_http_401_is_an_authentication_error(emulator: MiniMaxEmulator) -> None:
    emulator.fail_next("status", Fault(status=401, body=error_body(1004, "not authorized")))
    with pytest.raises(ProviderAuthenticationError) as caught:
        await MiniMaxProvider().poll_video(make_config(emulator), "123456:6")
    assert caught.value.status_code == 401


async def test_missing_key_is_refused_before_any_call(
    emulator: MiniMaxEmulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("MINIMAX_API_KEY", raising=False)
    with pytest.raises(ValidationError) as caught:
        await MiniMaxProvider().submit_video(make_config(emulator, api_key=None), request())
    assert caught.value.param == "api_key"
    assert "MINIMAX_API_KEY" in str(caught.value)
    assert emulator.calls == []


async def test_the_env_key_is_used_when_none_is_configured(
    emulator: MiniMaxEmulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MINIMAX_API_KEY", "test-key")
    job = await MiniMaxProvider().submit_video(make_config(emulator, api_key=None), request())
    assert job.request_id.partition(":")[0] in emulator.jobs


# -- 7-8. refused and failing tasks -------------------------------------------------------


async def test_a_task_failing_moderation_is_a_moderation_error(
    emulator: MiniMaxEmulator,
) -> None:
    emulator.next_job_outcome = "moderation"
    with pytest.raises(ContentModerationError) as caught:
        await run_video_job(MiniMaxProvider(), make_config(emulator), request())
    assert not caught.value.is_retryable
    assert "new_sensitive" in str(caught.value)


async def test_a_failing_task_raises_generation_failed(emulator: MiniMaxEmulator) -> None:
    emulator.next_job_outcome = "fail"
    with pytest.raises(GenerationFailedError) as caught:
        await run_video_job(MiniMaxProvider(), make_config(emulator), request())
    assert caught.value.is_retryable
    assert caught.value.raw_response["status"] == "Fail"


async def test_fetching_a_failed_task_raises(emulator: MiniMaxEmulator) -> None:
    emulator.next_job_outcome = "fail"
    emulator.job_seconds = 0
    config = make_config(emulator)
    provider = MiniMaxProvider()
    job = await provider.submit_video(config, request())
    with pytest.raises(GenerationFailedError):
        await provider.fetch_video(config, job.request_id)
    assert emulator.calls_of("result") == []


async def test_a_missing_download_url_is_a_failure(emulator: MiniMaxEmulator) -> None:
    emulator.job_seconds = 0
    config = make_config(emulator)
    provider = MiniMaxProvider()
    job = await provider.submit_video(config, request())
    emulator.fail_next("result", Fault(status=200, body={"file": {}, "base_resp": {}}))
    with pytest.raises(GenerationFailedError, match="no download URL"):
        await provider.fetch_video(config, job.request_id)


async def test_an_unknown_task_is_an_invalid_params_error(emulator: MiniMaxEmulator) -> None:
    with pytest.raises(ValidationError):
        await MiniMaxProvider().poll_video(make_config(emulator), "999999:6")


# -- 9. impossible requests never reach the network ---------------------------------------


@pytest.mark.parametrize(
    ("model", "fields", "param"),
    [
        ("MiniMax-Hailuo-2.3", {"duration_seconds": 8}, "seconds"),
        ("MiniMax-Hailuo-2.3", {"duration_seconds": 10, "resolution": "1080p"}, "seconds"),
        ("MiniMax-Hailuo-2.3", {"resolution": "480p"}, "resolution"),
        ("MiniMax-Hailuo-2.3", {"aspect_ratio": "9:16"}, "aspect_ratio"),
        ("MiniMax-Hailuo-2.3", {"generate_audio": True}, "generate_audio"),
        ("MiniMax-Hailuo-2.3-Fast", {}, "input_reference"),
        ("MiniMax-Hailuo-02", {"resolution": "480p"}, "resolution"),
        ("T2V-01-Director", {"duration_seconds": 10}, "seconds"),
        ("T2V-01", {"image_list": [ImageInput(image=IMAGE, role="first_frame")]}, "image_list"),
        ("I2V-01-live", {}, "input_reference"),
        ("MiniMax-Hailuo-2.3", {"number_of_videos": 3}, "n"),
    ],
)
async def test_impossible_requests_are_refused_before_any_call(
    emulator: MiniMaxEmulator, model: str, fields: dict[str, Any], param: str
) -> None:
    with pytest.raises(ValidationError) as caught:
        await MiniMaxProvider().submit_video(make_config(emulator, model=model), request(**fields))
    assert caught.value.param == param
    assert emulator.calls == []


async def test_the_error_names_the_allowed_values(emulator: MiniMaxEmulator) -> None:
    with pytest.raises(ValidationError, match=r"allowed durations: 6, 10 seconds"):
        await MiniMaxProvider().submit_video(make_config(emulator), request(duration_seconds=5))


# -- 10. field mappers ---------------------------------------------------------------------


def test_longest_prefix_lookup() -> None:
    assert (
        lookup_mapping("minimax", "MiniMax-Hailuo-2.3-Fast")
        is MODEL_MAPPINGS["MiniMax-Hailuo-2.3-Fast"]
    )
    assert lookup_mapping("minimax", "MiniMax-Hailuo-2.3") is MODEL_MAPPINGS["MiniMax-Hailuo-2.3"]
    assert lookup_mapping("minimax", "T2V-01-Director") is MODEL_MAPPINGS["T2V-01"]
    assert lookup_mapping("minimax", "I2V-01-live") is MODEL_MAPPINGS["I2V-01"]
    assert lookup_mapping("minimax", "MiniMax-Hailuo-03") is MODEL_MAPPINGS[""]


def test_resolution_tiers_per_family() -> None:
    hailuo_02 = build_request(
        "MiniMax-Hailuo-02",
        request(
            resolution="480p",
            duration_seconds=10,
            image_list=[ImageInput(image=IMAGE, role="first_frame")],
        ),
    )
    assert hailuo_02 == {
        "model": "MiniMax-Hailuo-02",
        "prompt": "a lighthouse in a storm",
        "duration": 10,
        "resolution": "512P",
        "first_frame_image": IMAGE,
    }
    keyframes = build_request(
        "MiniMax-Hailuo-02",
        request(
            duration_seconds=10,
            image_list=[
                ImageInput(image=IMAGE, role="first_frame"),
                ImageInput(image=LAST, role="last_frame"),
            ],
        ),
    )
    assert (keyframes["resolution"], keyframes["last_frame_image"]) == ("768P", LAST)
    assert build_request("MiniMax-Hailuo-02", request(resolution="1080p"))["resolution"] == "1080P"
    assert build_request("MiniMax-Hailuo-2.3", request(resolution="720p"))["resolution"] == "768P"
    assert build_request("T2V-01", request(resolution="720p"))["resolution"] == "720P"
    # Nothing asked: the model's documented default (768P, 6 s) is sent explicitly.
    bare = build_request("MiniMax-Hailuo-2.3", request())
    assert (bare["resolution"], bare["duration"]) == ("768P", 6)


def test_image_to_video_follows_the_image_shape() -> None:
    portrait = build_request(
        "MiniMax-Hailuo-2.3",
        request(aspect_ratio="9:16", image_list=[ImageInput(image=IMAGE, role="first_frame")]),
    )
    assert "aspect_ratio" not in portrait
    i2v = build_request(
        "I2V-01-Director", request(image_list=[ImageInput(image="/9j/4AAQSk", role="first_frame")])
    )
    assert i2v["first_frame_image"] == "data:image/jpeg;base64,/9j/4AAQSk"


def test_subject_reference_shape() -> None:
    payload = build_request(
        "S2V-01", request(image_list=[ImageInput(image=IMAGE, role="reference")])
    )
    assert payload["subject_reference"] == [{"type": "character", "image": [IMAGE]}]
    with pytest.raises(ValidationError):
        build_request(
            "S2V-01",
            request(
                image_list=[
                    ImageInput(image=IMAGE, role="reference"),
                    ImageInput(image=LAST, role="reference"),
                ]
            ),
        )


def test_extra_params_pass_through() -> None:
    payload = build_request("MiniMax-Hailuo-2.3", request(fast_pretreatment=True))
    assert payload["fast_pretreatment"] is True


def test_request_ids_carry_the_duration() -> None:
    assert encode_request_id("106916112212032", None) == "106916112212032:6"
    assert decode_request_id("106916112212032:10", "m") == ("106916112212032", 10)
    assert decode_request_id("106916112212032", "m") == ("106916112212032", None)
    for bad in ("", "../x:6", "123:abc"):
        with pytest.raises(ValidationError):
            decode_request_id(bad, "m")


# -- 11. no cancel; statelessness ------------------------------------------------------------


async def test_cancel_is_a_no_op_without_a_call(emulator: MiniMaxEmulator) -> None:
    config = make_config(emulator)
    provider = MiniMaxProvider()
    job = await provider.submit_video(config, request())
    emulator.calls.clear()
    await provider.cancel_video(config, job.request_id)
    assert emulator.calls == []


async def test_a_fresh_provider_resumes_a_task(emulator: MiniMaxEmulator) -> None:
    config = make_config(emulator)
    job = await MiniMaxProvider().submit_video(config, request(duration_seconds=10))
    emulator.jobs[job.request_id.partition(":")[0]].created -= 1
    assert (await MiniMaxProvider().poll_video(config, job.request_id)).status == "completed"
    result = await MiniMaxProvider().fetch_video(config, job.request_id)
    assert result.duration == 10.0


@pytest.mark.parametrize(
    "extras", [{"duration": 10}, {"model": "MiniMax-Hailuo-02"}, {"resolution": "1080P"}]
)
def test_extras_cannot_override_length_tier_or_model(extras: dict[str, Any]) -> None:
    with pytest.raises(ValidationError) as caught:
        build_request("MiniMax-Hailuo-2.3", request(duration_seconds=6, extra_params=extras))
    assert caught.value.param == next(iter(extras))


# -- issue 15: documented defaults, per-model rules, a strict emulator ----------------------

_BARE: dict[str, tuple[list[ImageInput], dict[str, Any]]] = {
    "MiniMax-Hailuo-2.3": ([], {"duration": 6, "resolution": "768P"}),
    "MiniMax-Hailuo-02": ([], {"duration": 6, "resolution": "768P"}),
    "MiniMax-Hailuo-2.3-Fast": (
        [ImageInput(image=IMAGE, role="first_frame")],
        {"duration": 6, "resolution": "768P", "first_frame_image": IMAGE},
    ),
    "T2V-01": ([], {"duration": 6, "resolution": "720P"}),
    "T2V-01-Director": ([], {"duration": 6, "resolution": "720P"}),
    "I2V-01-live": (
        [ImageInput(image=IMAGE, role="first_frame")],
        {"duration": 6, "resolution": "720P", "first_frame_image": IMAGE},
    ),
    "S2V-01": (
        [ImageInput(image=IMAGE, role="reference")],
        {
            "duration": 6,
            "resolution": "720P",
            "subject_reference": [{"type": "character", "image": [IMAGE]}],
        },
    ),
}


@pytest.mark.parametrize("model", sorted(_BARE))
async def test_a_request_without_settings_gets_the_models_defaults_and_is_accepted(
    emulator: MiniMaxEmulator, model: str
) -> None:
    """Hailuo-02 makes 6 or 10 s, never OpenAI's 4 s: a request naming no duration or
    resolution sends the model's own defaults, and the strict emulator accepts them."""
    images, expected = _BARE[model]
    job = await MiniMaxProvider().submit_video(
        make_config(emulator, model=model), request(image_list=images)
    )
    sent = emulator.calls_of("submit")[0].body
    assert sent == {"model": model, "prompt": "a lighthouse in a storm", **expected}
    assert job.request_id.endswith(":6")


async def test_hailuo_02_first_and_last_frame_is_accepted(emulator: MiniMaxEmulator) -> None:
    keyframes = [
        ImageInput(image=IMAGE, role="first_frame"),
        ImageInput(image=LAST, role="last_frame"),
    ]
    config = make_config(emulator, model="MiniMax-Hailuo-02")
    await MiniMaxProvider().submit_video(config, request(image_list=keyframes, duration_seconds=10))
    assert emulator.calls_of("submit")[0].body["last_frame_image"] == LAST


@pytest.mark.parametrize(
    ("model", "fields", "param"),
    [
        ("MiniMax-Hailuo-02", {"duration_seconds": 4}, "seconds"),
        ("MiniMax-Hailuo-02", {"aspect_ratio": "9:16"}, "aspect_ratio"),
        (
            "MiniMax-Hailuo-02",
            {"image_list": [ImageInput(image=LAST, role="last_frame")]},
            "image_list",
        ),
        (
            "MiniMax-Hailuo-02",
            {
                "resolution": "480p",
                "image_list": [
                    ImageInput(image=IMAGE, role="first_frame"),
                    ImageInput(image=LAST, role="last_frame"),
                ],
            },
            "resolution",
        ),
        (
            "MiniMax-Hailuo-2.3",
            {"image_list": [ImageInput(image=LAST, role="last_frame")]},
            "image_list",
        ),
        ("MiniMax-Hailuo-2.3-Fast", {}, "input_reference"),
        ("T2V-01", {"duration_seconds": 10}, "seconds"),
    ],
)
async def test_what_the_model_cannot_make_is_refused_before_any_call(
    emulator: MiniMaxEmulator, model: str, fields: dict[str, Any], param: str
) -> None:
    with pytest.raises(ValidationError) as caught:
        await MiniMaxProvider().submit_video(make_config(emulator, model=model), request(**fields))
    assert caught.value.param == param
    assert emulator.calls == []


@pytest.mark.parametrize("code", [1028, 1030, 2056])
async def test_quota_codes_are_not_retried(emulator: MiniMaxEmulator, code: int) -> None:
    body = {"task_id": "", "base_resp": {"status_code": code, "status_msg": "quota exhausted"}}
    emulator.fail_next("submit", Fault(status=200, body=body))
    with pytest.raises(HTTPError) as caught:
        await MiniMaxProvider().submit_video(make_config(emulator), request())
    assert caught.value.status_code == 402
    assert not caught.value.is_retryable


# -- the emulator refuses what MiniMax refuses ----------------------------------------------

_PNG = "data:image/png;base64,iVBORw0KGgo="


@pytest.mark.parametrize(
    ("body", "needle"),
    [
        ({"model": "MiniMax-Hailuo-02", "prompt": "x", "duration": 4}, "duration 4"),
        ({"model": "MiniMax-Hailuo-02", "prompt": "x", "duration": "6"}, "wrong type"),
        ({"model": "MiniMax-Hailuo-02", "prompt": "x", "aspect_ratio": "9:16"}, "unknown field"),
        ({"model": "MiniMax-Hailuo-02", "prompt": "x", "resolution": "512P"}, "resolution 512P"),
        ({"model": "MiniMax-Hailuo-02", "prompt": "x", "resolution": "768p"}, "resolution 768p"),
        (
            {"model": "MiniMax-Hailuo-02", "prompt": "x", "duration": 10, "resolution": "1080P"},
            "only 6s",
        ),
        ({"model": "MiniMax-Hailuo-02", "prompt": "x", "last_frame_image": IMAGE}, "requires"),
        (
            {
                "model": "MiniMax-Hailuo-2.3",
                "prompt": "x",
                "first_frame_image": IMAGE,
                "last_frame_image": IMAGE,
            },
            "first-and-last-frame",
        ),
        ({"model": "MiniMax-Hailuo-2.3-Fast", "prompt": "x"}, "text-to-video"),
        ({"model": "T2V-01", "prompt": "x", "first_frame_image": IMAGE}, "image-to-video"),
        ({"model": "I2V-01", "prompt": "x", "first_frame_image": "iVBORw0KGgo="}, "data URL"),
        (
            {
                "model": "I2V-01",
                "prompt": "x",
                "first_frame_image": "data:image/png;base64," + "A" * (28 * 1024 * 1024),
            },
            "20MB",
        ),
        ({"model": "S2V-01", "prompt": "x", "subject_reference": [IMAGE]}, "subject_reference"),
        ({"model": "MiniMax-Hailuo-03", "prompt": "x"}, "not supported"),
        ({"model": "MiniMax-Hailuo-2.3", "prompt": "x" * 2001}, "2000"),
        ({"model": "MiniMax-Hailuo-2.3", "prompt": "x", "prompt_optimizer": "true"}, "wrong type"),
    ],
)
def test_emulator_refuses_bodies_outside_the_reference(
    emulator: MiniMaxEmulator, body: dict[str, Any], needle: str
) -> None:
    answer = httpx.post(
        f"{emulator.base_url}/v1/video_generation",
        json=body,
        headers={"Authorization": "Bearer test-key"},
    )
    assert answer.status_code == 200  # MiniMax reports errors in base_resp
    status = answer.json()["base_resp"]
    assert status["status_code"] == 2013
    assert needle in status["status_msg"]
    assert emulator.jobs == {}


def test_emulator_accepts_what_the_reference_documents(emulator: MiniMaxEmulator) -> None:
    for body in (
        {
            "model": "MiniMax-Hailuo-02",
            "prompt": "x",
            "first_frame_image": _PNG,
            "resolution": "512P",
        },
        {"model": "MiniMax-Hailuo-2.3", "prompt": "x", "callback_url": "https://example.com/cb"},
        {"model": "MiniMax-Hailuo-2.3", "prompt": "x", "fast_pretreatment": True},
        {"model": "T2V-01-Director", "prompt": "x", "aigc_watermark": False},
    ):
        answer = httpx.post(
            f"{emulator.base_url}/v1/video_generation",
            json=body,
            headers={"Authorization": "Bearer test-key"},
        )
        assert answer.json()["base_resp"]["status_code"] == 0, body


def test_emulator_paths_the_api_lacks_are_404(emulator: MiniMaxEmulator) -> None:
    for method, path in (
        ("POST", "/v1/video_generations"),
        ("GET", "/v1/query/video_generation/abc"),
        ("POST", "/v2/video_generation"),
    ):
        answer = httpx.request(
            method, f"{emulator.base_url}{path}", headers={"Authorization": "Bearer test-key"}
        )
        assert answer.status_code == 404, path


_MODELS = [
    "MiniMax-Hailuo-2.3",
    "MiniMax-Hailuo-2.3-Fast",
    "MiniMax-Hailuo-02",
    "T2V-01",
    "T2V-01-Director",
    "I2V-01",
    "I2V-01-Director",
    "I2V-01-live",
    "S2V-01",
]
_IMAGE_SETS: dict[str, list[ImageInput]] = {
    "none": [],
    "first": [ImageInput(image=IMAGE, role="first_frame")],
    "keyframes": [
        ImageInput(image=IMAGE, role="first_frame"),
        ImageInput(image=LAST, role="last_frame"),
    ],
    "reference": [ImageInput(image=IMAGE, role="reference")],
}


def _capabilities(model: str) -> Any:
    mapping = lookup_mapping("minimax", model)
    assert mapping is not None
    return mapping.capabilities


def _servable(model: str, images: str) -> bool:
    """Whether ``model``'s table accepts this image set (the router refuses the rest)."""
    caps = _capabilities(model)
    roles = {image.role for image in _IMAGE_SETS[images]}
    return roles <= set(caps.image_roles) and (bool(roles) or caps.text_to_video)


@pytest.mark.parametrize(
    ("model", "images"), [(m, i) for m in _MODELS for i in _IMAGE_SETS if _servable(m, i)]
)
async def test_router_defaults_are_never_refused(
    emulator: MiniMaxEmulator, model: str, images: str
) -> None:
    """The router fills omitted fields from the table's defaults before the adapter:
    that filled request passes the adapter's rules and the emulator's per-model checks."""
    capabilities = _capabilities(model)
    image_list = _IMAGE_SETS[images]
    resolved = resolve_request(request(image_list=image_list), capabilities).request
    job = await MiniMaxProvider().submit_video(make_config(emulator, model=model), resolved)
    assert job.request_id.split(":")[0] in emulator.jobs
