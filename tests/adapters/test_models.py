"""The unified models: validation, extra params, and mock weights."""

from __future__ import annotations

from collections import Counter

import pydantic
import pytest

from tarash_gateway.adapters import (
    ImageGenerationConfig,
    ImageGenerationRequest,
    MockConfig,
    MockResponse,
    VideoGenerationConfig,
    VideoGenerationRequest,
)


def test_unknown_request_fields_are_kept_as_extra_params() -> None:
    request = VideoGenerationRequest.model_validate(
        {"prompt": "p", "cfg_scale": 0.5, "extra_params": {"loop": True}}
    )
    assert request.extra_params == {"cfg_scale": 0.5, "loop": True}


def test_explicit_extra_params_win_over_stray_fields() -> None:
    request = VideoGenerationRequest.model_validate(
        {"prompt": "p", "loop": False, "extra_params": {"loop": True}}
    )
    assert request.extra_params == {"loop": True}


def test_image_request_keeps_extras_too() -> None:
    request = ImageGenerationRequest.model_validate({"prompt": "p", "guidance": 3})
    assert request.extra_params == {"guidance": 3}
    assert request.n == 1


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("duration_seconds", 0),
        ("duration_seconds", -5),
        ("resolution", "8k"),
        ("aspect_ratio", "7:3"),
        ("number_of_videos", 0),
        ("prompt", ""),
    ],
)
def test_impossible_request_values_are_rejected(field: str, value: object) -> None:
    data: dict[str, object] = {"prompt": "p", field: value}
    with pytest.raises(pydantic.ValidationError) as caught:
        VideoGenerationRequest.model_validate(data)
    assert caught.value.errors()[0]["loc"] == (field,)


def test_image_roles_are_checked() -> None:
    with pytest.raises(pydantic.ValidationError):
        VideoGenerationRequest.model_validate(
            {"prompt": "p", "image_list": [{"image": "https://x/y.png", "role": "poster"}]}
        )
    ok = VideoGenerationRequest.model_validate(
        {"prompt": "p", "image_list": [{"image": "https://x/y.png", "role": "last_frame"}]}
    )
    assert ok.image_list[0].role == "last_frame"


def test_config_defaults_match_the_spec() -> None:
    video = VideoGenerationConfig(provider="fal", model="fal-ai/veo3.1")
    assert (video.timeout, video.max_poll_attempts, video.poll_interval) == (600, 120, 5)
    image = ImageGenerationConfig(provider="fal", model="fal-ai/flux")
    assert (image.timeout, image.max_poll_attempts, image.poll_interval) == (120, 60, 2)


def test_api_key_is_never_printed() -> None:
    config = VideoGenerationConfig(provider="fal", model="m", api_key="fal-secret-123")
    assert "fal-secret-123" not in repr(config)
    assert "fal-secret-123" not in config.model_dump_json()
    assert config.api_key is not None
    assert config.api_key.get_secret_value() == "fal-secret-123"


def test_mock_enabled_overrides_the_provider() -> None:
    assert VideoGenerationConfig(provider="fal", model="m", mock=MockConfig()).is_mock
    assert not VideoGenerationConfig(
        provider="fal", model="m", mock=MockConfig(enabled=False)
    ).is_mock
    assert VideoGenerationConfig(provider="mock", model="m").is_mock


def test_mock_weights_are_respected() -> None:
    mock = MockConfig(
        seed=1,
        responses=[MockResponse(weight=3, video_url="a"), MockResponse(weight=1, video_url="b")],
    )
    counts = Counter(mock.choose()[1].video_url for _ in range(8000))
    assert counts["a"] / 8000 == pytest.approx(0.75, abs=0.02)
    assert counts["b"] / 8000 == pytest.approx(0.25, abs=0.02)


def test_zero_weight_response_is_never_chosen() -> None:
    mock = MockConfig(
        seed=3,
        responses=[MockResponse(weight=0, video_url="never"), MockResponse(video_url="always")],
    )
    assert {mock.choose()[1].video_url for _ in range(500)} == {"always"}


def test_a_seed_makes_the_sequence_reproducible() -> None:
    responses = [MockResponse(weight=1, video_url=str(i)) for i in range(5)]
    first = MockConfig(seed=42, responses=responses)
    second = MockConfig(seed=42, responses=responses)
    assert [first.choose()[0] for _ in range(50)] == [second.choose()[0] for _ in range(50)]


def test_mock_needs_a_positive_weight() -> None:
    with pytest.raises(pydantic.ValidationError, match="positive weight"):
        MockConfig(responses=[MockResponse(weight=0)])


def test_no_responses_means_a_plain_success() -> None:
    index, response = MockConfig().choose()
    assert index == -1
    assert response.error is None
    assert response.video_url is None
