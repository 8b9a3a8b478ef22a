"""What the OpenAI videos and images APIs offer, as tables: the Sora families' sizes,
defaults and field mappings, and the image model families with their sizes and qualities."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TypeVar

from tarash_gateway.adapters.field_mappers import (
    Capabilities,
    FieldMap,
    ModelMapping,
    register_provider_field_mapping,
)

T = TypeVar("T")

DEFAULT_BASE_URL = "https://api.openai.com/v1"
OPENAI_HOST = "api.openai.com"
VIDEOS_SHUTDOWN = "2026-09-24"
"""When api.openai.com's videos API (Sora 2) was removed; its images API stays. Source:
developers.openai.com/api/docs/deprecations ("Videos API", sora-2, sora-2-pro and their
snapshots: deprecated 2026-03-24, removed 2026-09-24, no replacement listed)."""

# -- sizes -------------------------------------------------------------------------------

SizeTable = Mapping[tuple[str, str], str]
"""(resolution, aspect ratio) → ``WIDTHxHEIGHT`` for a model family."""

SORA_2_SIZES: SizeTable = {("720p", "16:9"): "1280x720", ("720p", "9:16"): "720x1280"}
SORA_2_PRO_SIZES: SizeTable = {
    **SORA_2_SIZES,
    # The pro model's larger sizes; their short side (1024) is nearest the 1080p tier,
    # which is also how the gateway's own API reads ``size=1792x1024``.
    ("1080p", "16:9"): "1792x1024",
    ("1080p", "9:16"): "1024x1792",
}
DEFAULT_DURATION = 4
DEFAULT_RESOLUTION = "720p"
DEFAULT_ASPECT_RATIO = "9:16"
"""The videos API's own defaults: seconds "4", size 720x1280 (openai 3.60,
``openai/types/video_create_params.py``: "Defaults to 4 seconds", "Defaults to 720x1280";
Azure's Sora 2 page says the same). The size default also fills in whichever half
(resolution or aspect ratio) a caller omitted."""

# -- field mappers -------------------------------------------------------------------------

_PROMPT = FieldMap("prompt", "prompt", required=True)
_SECONDS = FieldMap("duration_seconds", "seconds")
_RESERVED: dict[str, str | None] = {"size": "size"}
"""The size is checked against the model's table and prices differ by resolution."""


def sora_mapping(resolutions: tuple[str, ...], price_per_second: float) -> ModelMapping:
    """A Sora 2 family: 4/8/12 s sent as strings, portrait or landscape, audio always on,
    and one optional first-frame image (``input_reference``)."""
    return ModelMapping(
        fields=(_PROMPT, _SECONDS),
        capabilities=Capabilities(
            durations=(4, 8, 12),
            resolutions=resolutions,
            aspect_ratios=("16:9", "9:16"),
            audio=True,
            image_roles=("first_frame",),
            price_per_second=price_per_second,
            # The API's documented defaults (openai 3.60, video_create_params.py).
            default_duration=DEFAULT_DURATION,
            default_resolution=DEFAULT_RESOLUTION,
            default_aspect_ratio=DEFAULT_ASPECT_RATIO,
        ),
        image_fields={"first_frame": "input_reference"},
        duration_format="string",
        reserved=_RESERVED,
    )


SORA_2 = sora_mapping(("720p",), 0.10)
SORA_2_PRO = sora_mapping(("720p", "1080p"), 0.30)
GENERIC = ModelMapping(
    # An unknown upstream (another gateway, a self-hosted server): the OpenAI fields plus
    # the unified extras the gateway's own API accepts, sent only when the caller set them.
    # No table defaults: a field the caller left out is left out, so the upstream applies
    # its own default (nothing here can know it).
    fields=(
        _PROMPT,
        _SECONDS,
        FieldMap("negative_prompt", "negative_prompt"),
        FieldMap("seed", "seed"),
        FieldMap("generate_audio", "generate_audio"),
        FieldMap("enhance_prompt", "enhance_prompt"),
    ),
    capabilities=Capabilities(audio=True, image_roles=("first_frame",)),
    image_fields={"first_frame": "input_reference"},
    duration_format="string",
    reserved=_RESERVED,
)

OPENAI_MAPPINGS: dict[str, ModelMapping] = {
    "sora-2": SORA_2,
    "sora-2-pro": SORA_2_PRO,
    "": GENERIC,
}
OPENAI_SIZES: dict[str, SizeTable] = {"sora-2": SORA_2_SIZES, "sora-2-pro": SORA_2_PRO_SIZES}

register_provider_field_mapping("openai", OPENAI_MAPPINGS)


def longest_prefix(table: Mapping[str, T], model: str) -> T | None:
    """The entry whose key is the longest prefix of ``model`` (the mappers' rule)."""
    matches = [prefix for prefix in table if model.startswith(prefix)]
    return table[max(matches, key=len)] if matches else None


# -- images ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class ImageFamily:
    """What an image model accepts; ``None`` means "not restricted here"."""

    sizes: tuple[str, ...] | None
    aspect_sizes: Mapping[str, str]
    qualities: tuple[str, ...] | None
    styles: tuple[str, ...] | None
    max_n: int = 10
    content_type: str = "image/png"


_GPT_IMAGE_QUALITIES = ("low", "medium", "high", "auto")
GPT_IMAGE_STANDARD = ImageFamily(
    sizes=("1024x1024", "1536x1024", "1024x1536", "auto"),
    aspect_sizes={"1:1": "1024x1024", "16:9": "1536x1024", "4:3": "1536x1024", "9:16": "1024x1536"},
    qualities=_GPT_IMAGE_QUALITIES,
    styles=(),
)
GPT_IMAGE_FREE_SIZE = ImageFamily(
    # Arbitrary WIDTHxHEIGHT (sides divisible by 16, aspect between 1:3 and 3:1).
    sizes=None,
    aspect_sizes={
        "1:1": "1024x1024",
        "16:9": "1536x864",
        "9:16": "864x1536",
        "4:3": "1024x768",
        "21:9": "1792x768",
    },
    qualities=(*_GPT_IMAGE_QUALITIES, "xhigh", "max"),
    styles=(),
)
DALL_E_3 = ImageFamily(
    sizes=("1024x1024", "1792x1024", "1024x1792"),
    aspect_sizes={"1:1": "1024x1024", "16:9": "1792x1024", "9:16": "1024x1792"},
    qualities=("standard", "hd"),
    styles=("vivid", "natural"),
    max_n=1,
)
DALL_E_2 = ImageFamily(
    sizes=("256x256", "512x512", "1024x1024"),
    aspect_sizes={"1:1": "1024x1024"},
    qualities=("standard",),
    styles=(),
)
GENERIC_IMAGES = ImageFamily(
    sizes=None,
    aspect_sizes={"1:1": "1024x1024", "16:9": "1536x1024", "4:3": "1536x1024", "9:16": "1024x1536"},
    qualities=None,
    styles=None,
)
IMAGE_FAMILIES: dict[str, ImageFamily] = {
    "gpt-image-1": GPT_IMAGE_STANDARD,
    "gpt-image-2": GPT_IMAGE_FREE_SIZE,
    "gpt-image-2.6": GPT_IMAGE_STANDARD,
    "chatgpt-image": GPT_IMAGE_STANDARD,
    "dall-e-3": DALL_E_3,
    "dall-e-2": DALL_E_2,
    "": GENERIC_IMAGES,
}
