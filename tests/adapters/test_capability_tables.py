"""Every model family's capability table is consistent, and a create with nothing but a
prompt is never refused for its duration, resolution or aspect ratio by any of them."""

from __future__ import annotations

import pytest

from tarash_gateway.adapters import VideoGenerationRequest, VideoProvider, registered_providers
from tarash_gateway.adapters.defaults import resolve_request
from tarash_gateway.adapters.errors import ValidationError
from tarash_gateway.adapters.field_mappers import (
    Capabilities,
    ModelMapping,
    check_capabilities,
    get_provider_field_mapping,
)
from tarash_gateway.adapters.models import ImageInput
from tarash_gateway.adapters.registry import get_provider_or_none

FAMILIES: list[tuple[str, str, ModelMapping]] = [
    (provider, prefix, mapping)
    for provider in registered_providers()
    for prefix, mapping in sorted(get_provider_field_mapping(provider).items())
]
IDS = [f"{provider}:{prefix or '<catch-all>'}" for provider, prefix, _ in FAMILIES]


def _is_video_family(provider: str, caps: Capabilities) -> bool:
    """A family a video create can use (image-only tables, e.g. Stability's, are not)."""
    takes_input = caps.text_to_video or bool(caps.image_roles) or caps.video_input
    return isinstance(get_provider_or_none(provider), VideoProvider) and takes_input


VIDEO_FAMILIES = [f for f in FAMILIES if _is_video_family(f[0], f[2].capabilities)]
VIDEO_IDS = [f"{provider}:{prefix or '<catch-all>'}" for provider, prefix, _ in VIDEO_FAMILIES]
IMAGE = "https://example.com/first.png"
VIDEO = "https://example.com/source.mp4"


def test_there_are_tables_to_check() -> None:
    providers = {provider for provider, _, _ in VIDEO_FAMILIES}
    assert {"fal", "runway", "luma", "google", "minimax", "replicate"} <= providers


@pytest.mark.parametrize(("provider", "prefix", "mapping"), FAMILIES, ids=IDS)
def test_every_default_is_an_allowed_value(
    provider: str, prefix: str, mapping: ModelMapping
) -> None:
    caps = mapping.capabilities
    for name, default, allowed in (
        ("duration", caps.default_duration, caps.durations),
        ("resolution", caps.default_resolution, caps.resolutions),
        ("aspect_ratio", caps.default_aspect_ratio, caps.aspect_ratios),
    ):
        if default is not None and allowed is not None:
            assert default in allowed, f"default {name} {default!r} is not one of {allowed}"
    assert caps.durations is None or caps.durations, "an empty duration list allows nothing"
    assert caps.price_per_second is None or caps.price_per_second >= 0


@pytest.mark.parametrize(("provider", "prefix", "mapping"), VIDEO_FAMILIES, ids=VIDEO_IDS)
def test_a_known_video_model_has_a_default_wherever_it_restricts(
    provider: str, prefix: str, mapping: ModelMapping
) -> None:
    """A restricted duration always has a default (it is billed). A resolution or aspect
    ratio may have none when the output follows an input image or video (the provider's
    "auto"); the catch-all for unknown models leaves everything to the provider."""
    caps = mapping.capabilities
    if prefix == "":
        return
    if caps.durations is not None:
        assert caps.default_duration is not None, f"durations {caps.durations}, no default"
    follows_input = not caps.text_to_video or caps.video_input
    if caps.resolutions is not None and not follows_input:
        assert caps.default_resolution is not None, "resolutions restricted, no default"
    if caps.aspect_ratios is not None and not follows_input:
        assert caps.default_aspect_ratio is not None, "aspect ratios restricted, no default"


def _only_a_prompt(caps: Capabilities) -> VideoGenerationRequest:
    """What ``client.videos.create(model=..., prompt=...)`` sends, plus the first frame
    (or source video) a model that cannot start from text alone needs."""
    request = VideoGenerationRequest(prompt="a lighthouse at dawn")
    if caps.text_to_video:
        return request
    if caps.image_roles:
        role = "first_frame" if "first_frame" in caps.image_roles else caps.image_roles[0]
        request.image_list.append(ImageInput(image=IMAGE, role=role))
    else:
        request.video = VIDEO
    return request


@pytest.mark.parametrize(("provider", "prefix", "mapping"), VIDEO_FAMILIES, ids=VIDEO_IDS)
def test_only_a_prompt_is_never_refused_for_duration_or_size(
    provider: str, prefix: str, mapping: ModelMapping
) -> None:
    caps = mapping.capabilities
    request = resolve_request(_only_a_prompt(caps), caps).request
    try:
        check_capabilities(request, caps, provider=provider, model=prefix)
    except ValidationError as error:
        pytest.fail(f"{provider} {prefix or '<catch-all>'}: {error.message}")
