"""The declarative field-mapper machinery (families themselves are tested per provider)."""

from __future__ import annotations

import pytest

from tarash_gateway.adapters import ImageInput, ValidationError, VideoGenerationRequest
from tarash_gateway.adapters.field_mappers import (
    Capabilities,
    FieldMap,
    ModelMapping,
    build_payload,
    encode_duration,
    get_provider_field_mapping,
    lookup_mapping,
    register_provider_field_mapping,
)

FAMILY = ModelMapping(
    fields=(
        FieldMap("prompt", "prompt", required=True),
        FieldMap("duration_seconds", "duration"),
        FieldMap("aspect_ratio", "aspect_ratio", default="16:9"),
        FieldMap("generate_audio", "generate_audio"),
        FieldMap("seed", "seed", transform=lambda seed: seed % 1000),
    ),
    capabilities=Capabilities(
        durations=(4, 6, 8),
        resolutions=("720p",),
        aspect_ratios=("16:9", "9:16"),
        audio=True,
        image_roles=("first_frame", "reference"),
        video_input=True,
    ),
    image_fields={"first_frame": "image_url", "reference": "reference_urls"},
    list_image_fields=frozenset({"reference_urls"}),
    duration_format="string_s",
    video_field="video_url",
)

register_provider_field_mapping("test-maps", {"fam/": FAMILY, "fam/v2": FAMILY, "": FAMILY})


@pytest.mark.parametrize(("style", "expected"), [("int", 8), ("string", "8"), ("string_s", "8s")])
def test_duration_encodings(style: str, expected: object) -> None:
    assert encode_duration(8, style) == expected  # type: ignore[arg-type]


def test_payload_maps_fields_images_and_extras() -> None:
    request = VideoGenerationRequest(
        prompt="p",
        duration_seconds=6,
        seed=123456,
        generate_audio=True,
        image_list=[
            ImageInput(image="a.png", role="first_frame"),
            ImageInput(image="r1.png", role="reference"),
            ImageInput(image="r2.png", role="reference"),
        ],
        video="https://x/v.mp4",
        extra_params={"cfg_scale": 0.7},
    )
    payload = build_payload(FAMILY, request, provider="test-maps", model="fam/v1")
    assert payload == {
        "prompt": "p",
        "duration": "6s",
        "aspect_ratio": "16:9",
        "generate_audio": True,
        "seed": 456,
        "image_url": "a.png",
        "reference_urls": ["r1.png", "r2.png"],
        "video_url": "https://x/v.mp4",
        "cfg_scale": 0.7,
    }


def test_unset_optional_fields_are_left_out() -> None:
    payload = build_payload(FAMILY, VideoGenerationRequest(prompt="p"), provider="t", model="m")
    assert payload == {"prompt": "p", "aspect_ratio": "16:9"}


@pytest.mark.parametrize(
    ("changes", "param", "allowed"),
    [
        ({"duration_seconds": 5}, "seconds", "4, 6, 8"),
        ({"resolution": "1080p"}, "resolution", "720p"),
        ({"aspect_ratio": "1:1"}, "aspect_ratio", "16:9, 9:16"),
        ({"image_list": [ImageInput(image="x", role="last_frame")]}, "image_list", "first_frame"),
        ({"video": "https://x/v.mp4"}, None, None),
    ],
)
def test_capabilities_refuse_with_the_allowed_values(
    changes: dict[str, object], param: str | None, allowed: str | None
) -> None:
    narrow = ModelMapping(
        fields=FAMILY.fields,
        capabilities=Capabilities(
            durations=(4, 6, 8),
            resolutions=("720p",),
            aspect_ratios=("16:9", "9:16"),
            image_roles=("first_frame",),
        ),
    )
    request = VideoGenerationRequest.model_validate({"prompt": "p", **changes})
    with pytest.raises(ValidationError) as caught:
        build_payload(narrow, request, provider="t", model="m")
    if param is not None:
        assert caught.value.param == param
        assert allowed in caught.value.message
    else:
        assert caught.value.param == "video"


def test_audio_and_image_only_models() -> None:
    silent = ModelMapping(
        fields=FAMILY.fields,
        capabilities=Capabilities(image_roles=("first_frame",), text_to_video=False),
    )
    with pytest.raises(ValidationError, match="audio"):
        build_payload(
            silent, VideoGenerationRequest(prompt="p", generate_audio=True), provider="t", model="m"
        )
    with pytest.raises(ValidationError, match="needs an input image"):
        build_payload(silent, VideoGenerationRequest(prompt="p"), provider="t", model="m")


def test_required_field_missing() -> None:
    strict = ModelMapping(fields=(FieldMap("negative_prompt", "neg", required=True),))
    with pytest.raises(ValidationError, match="requires negative_prompt"):
        build_payload(strict, VideoGenerationRequest(prompt="p"), provider="t", model="m")


def test_longest_prefix_lookup_and_generic_fallback() -> None:
    other = ModelMapping(fields=())
    register_provider_field_mapping("test-prefix", {"a/": other, "a/b": FAMILY})
    assert lookup_mapping("test-prefix", "a/b/fast") is FAMILY
    assert lookup_mapping("test-prefix", "a/c") is other
    assert lookup_mapping("test-prefix", "z") is None
    assert lookup_mapping("test-maps", "anything") is FAMILY  # the "" generic entry
    assert lookup_mapping("no-such-provider", "x") is None
    assert set(get_provider_field_mapping("test-prefix")) == {"a/", "a/b"}
