"""The Stability adapter against a loopback Stable Image API (tests/emulators/stability.py)."""

from __future__ import annotations

import base64
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tarash_gateway.adapters import (
    ContentModerationError,
    HTTPError,
    ImageGenerationConfig,
    ImageGenerationRequest,
    ImageInput,
    ProviderAuthenticationError,
    ProviderConnectionError,
    RateLimitError,
    ValidationError,
)
from tarash_gateway.adapters.base import VideoProvider
from tarash_gateway.adapters.field_mappers import get_provider_field_mapping, lookup_mapping
from tarash_gateway.adapters.media import SAMPLE_THUMBNAIL
from tarash_gateway.adapters.providers.stability import (
    MODEL_MAPPINGS,
    StabilityProvider,
    build_form,
    endpoint_for,
)
from tests.emulators.base import Fault
from tests.emulators.stability import MODERATION_MESSAGE, StabilityEmulator

SECRET = "sk-SECRET-0123456789abcdef"


@pytest.fixture(scope="module")
def server() -> Iterator[StabilityEmulator]:
    emulator = StabilityEmulator()
    with emulator:
        yield emulator


@pytest.fixture
def emulator(server: StabilityEmulator) -> StabilityEmulator:
    server.calls.clear()
    server.faults.clear()
    server.next_job_outcome = "success"
    server.next_finish_reason = "SUCCESS"
    return server


def make_config(emulator: StabilityEmulator, **overrides: Any) -> ImageGenerationConfig:
    settings: dict[str, Any] = {
        "provider": "stability",
        "model": "ultra",
        "api_key": "test-key",
        "base_url": emulator.base_url,
        "request_timeout": 2.0,
    }
    settings.update(overrides)
    return ImageGenerationConfig(**settings)


REQUEST = ImageGenerationRequest(prompt="a red fox in snow")


async def generate(
    emulator: StabilityEmulator, request: ImageGenerationRequest = REQUEST, **overrides: Any
) -> Any:
    return await StabilityProvider().generate_image(make_config(emulator, **overrides), request)


# -- success ----------------------------------------------------------------------------


async def test_success_returns_the_image_as_base64(emulator: StabilityEmulator) -> None:
    request = ImageGenerationRequest(
        prompt="a red fox in snow", negative_prompt="blur", aspect_ratio="16:9", seed=42
    )
    result = await generate(emulator, request)

    assert base64.b64decode(result.images[0]) == SAMPLE_THUMBNAIL.read_bytes()
    assert result.content_type == "image/png"
    assert result.status == "completed"
    assert result.provider_metadata == {
        "endpoint": "ultra",
        "seed": 42,
        "finish_reason": "SUCCESS",
    }
    assert result.raw_response["finish_reason"] == "SUCCESS"
    assert result.raw_response["image"].startswith("<base64, ")

    (sent,) = emulator.calls_of("image")
    assert (sent.method, sent.path) == ("POST", "/v2beta/stable-image/generate/ultra")
    assert sent.headers["authorization"] == "Bearer test-key"
    assert sent.headers["accept"] == "application/json"
    assert sent.headers["content-type"].startswith("multipart/form-data")
    assert sent.body == {
        "prompt": "a red fox in snow",
        "negative_prompt": "blur",
        "aspect_ratio": "16:9",
        "seed": "42",
        "output_format": "png",
    }


async def test_sd35_model_and_core_style(emulator: StabilityEmulator) -> None:
    await generate(
        emulator, model="sd3.5-large", request=ImageGenerationRequest(prompt="p", size="1024x1536")
    )
    request = ImageGenerationRequest(
        prompt="p", style="anime", extra_params={"output_format": "webp"}
    )
    core = await generate(emulator, request, model="stable-image-core")
    assert core.content_type == "image/webp"
    sd3, core_call = emulator.calls_of("image")
    assert sd3.path.endswith("/generate/sd3")
    assert sd3.body == {
        "prompt": "p",
        "aspect_ratio": "2:3",
        "model": "sd3.5-large",
        "output_format": "png",
    }
    assert core_call.path.endswith("/generate/core")
    assert core_call.body == {"prompt": "p", "style_preset": "anime", "output_format": "webp"}


# -- HTTP failures ----------------------------------------------------------------------


async def test_429_is_retryable_with_retry_after(emulator: StabilityEmulator) -> None:
    emulator.fail_next(
        "image",
        Fault(
            status=429,
            headers={"Retry-After": "10"},
            body={"name": "rate_limit_exceeded", "errors": ["You have exceeded the rate limit"]},
        ),
    )
    with pytest.raises(RateLimitError) as caught:
        await generate(emulator)
    assert caught.value.retry_after == 10
    assert caught.value.is_retryable
    assert "exceeded the rate limit" in caught.value.message


@pytest.mark.parametrize(
    ("status", "retryable"), [(500, True), (503, True), (400, False), (402, False)]
)
async def test_http_status_classes(
    emulator: StabilityEmulator, status: int, retryable: bool
) -> None:
    emulator.fail_next("image", Fault(status=status, body={"name": "x", "errors": ["went wrong"]}))
    with pytest.raises(HTTPError) as caught:
        await generate(emulator)
    assert caught.value.status_code == status
    assert caught.value.is_retryable is retryable
    assert "went wrong" in caught.value.message


async def test_hang_past_request_timeout(emulator: StabilityEmulator) -> None:
    emulator.fail_next("image", Fault(hang_seconds=1.5))
    with pytest.raises(ProviderConnectionError) as caught:
        await generate(emulator, request_timeout=0.5)
    assert caught.value.is_retryable


async def test_malformed_json_is_a_retryable_502(emulator: StabilityEmulator) -> None:
    emulator.fail_next("image", Fault(malformed=True))
    with pytest.raises(HTTPError) as caught:
        await generate(emulator)
    assert caught.value.status_code == 502
    assert caught.value.is_retryable


async def test_json_without_an_image_is_a_502(emulator: StabilityEmulator) -> None:
    emulator.fail_next("image", Fault(status=200, body={"finish_reason": "SUCCESS"}))
    with pytest.raises(HTTPError) as caught:
        await generate(emulator)
    assert caught.value.status_code == 502


async def test_bad_key_never_leaks(emulator: StabilityEmulator) -> None:
    with pytest.raises(ProviderAuthenticationError) as caught:
        await generate(emulator, api_key=SECRET)
    assert caught.value.status_code == 401
    assert not caught.value.is_retryable
    assert SECRET not in str(caught.value)
    assert SECRET not in repr(caught.value.raw_response)


async def test_403_that_is_not_moderation_is_an_auth_error(emulator: StabilityEmulator) -> None:
    emulator.fail_next("image", Fault(status=403, body={"name": "forbidden", "errors": ["no"]}))
    with pytest.raises(ProviderAuthenticationError) as caught:
        await generate(emulator)
    assert caught.value.status_code == 403


async def test_key_from_environment_or_refused(
    emulator: StabilityEmulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("STABILITY_API_KEY", "test-key")
    assert (await generate(emulator, api_key=None)).images
    monkeypatch.delenv("STABILITY_API_KEY")
    emulator.calls.clear()
    with pytest.raises(ValidationError) as caught:
        await generate(emulator, api_key=None)
    assert caught.value.param == "api_key"
    assert "STABILITY_API_KEY" in caught.value.message
    assert emulator.calls == []


# -- moderation -------------------------------------------------------------------------


async def test_moderation_403(emulator: StabilityEmulator) -> None:
    emulator.next_job_outcome = "moderation"
    with pytest.raises(ContentModerationError) as caught:
        await generate(emulator)
    assert not caught.value.is_retryable
    assert caught.value.raw_response["name"] == "content_moderation"
    assert MODERATION_MESSAGE in caught.value.message


async def test_content_filtered_output(emulator: StabilityEmulator) -> None:
    emulator.next_finish_reason = "CONTENT_FILTERED"
    with pytest.raises(ContentModerationError) as caught:
        await generate(emulator)
    assert not caught.value.is_retryable
    assert caught.value.raw_response["finish_reason"] == "CONTENT_FILTERED"
    assert "base64" in caught.value.raw_response["image"]  # summarised, not the whole image


# -- requests the model cannot serve ----------------------------------------------------


@pytest.mark.parametrize(
    ("model", "fields", "param"),
    [
        ("ultra", {"aspect_ratio": "4:3"}, "aspect_ratio"),
        ("core", {"size": "1024x768"}, "size"),
        ("ultra", {"size": "big"}, "size"),
        ("ultra", {"n": 2}, "n"),
        ("ultra", {"seed": 4_294_967_295}, "seed"),
        ("ultra", {"style": "anime"}, "style"),
        ("core", {"style": "vivid"}, "style"),
        ("sd3.5-large-turbo", {"negative_prompt": "x"}, "negative_prompt"),
        ("sd3", {"extra_params": {"output_format": "webp"}}, "output_format"),
        ("ultra", {"image_list": [ImageInput(image="https://e/i.png")]}, "image_list"),
        ("../v1/user", {}, "model"),
    ],
)
async def test_impossible_requests_fail_before_any_call(
    emulator: StabilityEmulator, model: str, fields: dict[str, Any], param: str
) -> None:
    with pytest.raises(ValidationError) as caught:
        await generate(emulator, ImageGenerationRequest(prompt="p", **fields), model=model)
    assert caught.value.param == param
    assert emulator.calls == []


# -- field mappers ----------------------------------------------------------------------


def test_families_and_endpoints() -> None:
    assert get_provider_field_mapping("stability") == MODEL_MAPPINGS
    assert lookup_mapping("stability", "sd3.5-large-turbo") is MODEL_MAPPINGS["sd3.5-large-turbo"]
    assert lookup_mapping("stability", "sd3.5-medium") is MODEL_MAPPINGS["sd3"]
    assert lookup_mapping("stability", "stable-image-core") is MODEL_MAPPINGS["stable-image-core"]
    assert lookup_mapping("stability", "something-new") is MODEL_MAPPINGS[""]
    assert endpoint_for("ultra") == ("ultra", None)
    assert endpoint_for("stable-image-ultra") == ("ultra", None)
    assert endpoint_for("sd3") == ("sd3", None)
    assert endpoint_for("sd3.5-flash") == ("sd3", "sd3.5-flash")


def test_form_encoding() -> None:
    request = ImageGenerationRequest(
        prompt="p", seed=0, aspect_ratio="9:16", extra_params={"strength": 0.5, "flag": True}
    )
    assert build_form("ultra", request) == (
        "ultra",
        {
            "prompt": "p",
            "aspect_ratio": "9:16",
            "seed": "0",
            "output_format": "png",
            "strength": "0.5",
            "flag": "true",
        },
    )


def test_stability_is_images_only() -> None:
    assert not isinstance(StabilityProvider(), VideoProvider)


@pytest.mark.parametrize(
    ("model", "extras"),
    [
        ("sd3.5-medium", {"model": "sd3.5-large"}),  # the SD3 model decides the price
        ("core", {"style_preset": "anime"}),
        ("ultra", {"aspect_ratio": "1:1"}),
        ("ultra", {"negativePrompt": "fog"}),
    ],
)
def test_extras_cannot_override_the_model_or_mapped_fields(
    model: str, extras: dict[str, Any]
) -> None:
    request = ImageGenerationRequest(prompt="p", extra_params=extras)
    with pytest.raises(ValidationError) as caught:
        build_form(model, request)
    assert caught.value.param == next(iter(extras))


# -- issue 15: documented limits and defaults, a strict emulator --------------------------


@pytest.mark.parametrize("field", ["prompt", "negative_prompt"])
async def test_a_prompt_over_10000_characters_is_refused_before_the_call(
    emulator: StabilityEmulator, field: str
) -> None:
    fields = {"prompt": "a red fox", field: "x" * 10_001}
    with pytest.raises(ValidationError) as caught:
        await generate(emulator, ImageGenerationRequest(**fields))
    assert caught.value.param == field
    assert emulator.calls == []
    fields[field] = "x" * 10_000  # the limit itself is fine
    assert (await generate(emulator, ImageGenerationRequest(**fields))).images


def test_families_carry_the_documented_default_aspect_ratio() -> None:
    for family in get_provider_field_mapping("stability").values():
        assert family.capabilities.default_aspect_ratio == "1:1"


def _form_post(emulator: StabilityEmulator, path: str, fields: dict[str, str]) -> httpx.Response:
    return httpx.post(
        f"{emulator.base_url}{path}",
        headers={"Authorization": "Bearer test-key", "Accept": "application/json"},
        files={name: (None, value) for name, value in fields.items()},
    )


@pytest.mark.parametrize(
    ("endpoint", "fields", "problem"),
    [
        ("ultra", {"prompt": "p", "width": "1024"}, "width"),
        ("core", {"prompt": "p", "model": "sd3.5-large"}, "model"),
        ("ultra", {"prompt": "p" * 10_001}, "prompt"),
        ("core", {"prompt": "p", "aspect_ratio": "4:3"}, "aspect_ratio"),
        ("sd3", {"prompt": "p", "output_format": "webp"}, "output_format"),
        ("sd3", {"prompt": "p", "model": "sd4"}, "model"),
        ("ultra", {"prompt": "p", "seed": "-1"}, "seed"),
        ("ultra", {"prompt": "p", "style_preset": "anime"}, "style_preset"),
        ("core", {"prompt": "p", "style_preset": "anime", "seed": "7"}, None),
    ],
)
def test_emulator_refuses_what_the_reference_does_not_allow(
    emulator: StabilityEmulator, endpoint: str, fields: dict[str, str], problem: str | None
) -> None:
    answer = _form_post(emulator, f"/v2beta/stable-image/generate/{endpoint}", fields)
    if problem is None:  # a documented request passes
        assert answer.status_code == 200
        return
    assert answer.status_code == 400
    body = answer.json()
    assert body["name"] == "bad_request"
    assert body["errors"][0].startswith(f"{problem}:")


def test_emulator_unknown_paths_are_stability_404s(emulator: StabilityEmulator) -> None:
    for path in ("/v2beta/stable-image/generate/ultra/x", "/v1/generation/sdxl/text-to-image"):
        answer = _form_post(emulator, path, {"prompt": "p"})
        assert answer.status_code == 404
        assert answer.json()["name"] == "not_found"
