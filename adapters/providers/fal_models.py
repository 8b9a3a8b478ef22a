"""fal model families: how the unified request becomes each fal endpoint's input.

fal hosts hundreds of endpoints whose inputs differ in small, costly ways (``"8s"`` versus
``"8"`` versus ``8``; ``image_url`` versus ``start_image_url``), so each family gets a
table, registered under ``provider="fal"`` at import time. Lookup is by longest prefix,
so an endpoint-specific entry (``fal-ai/veo3.1/image-to-video``) wins over its family
(``fal-ai/veo3.1``), and any other fal model falls back to the generic entry (``""``).

Facts were checked on 2026-11-25 against fal's model pages (``fal.ai/models/<id>/llms.txt``
and ``fal.ai/docs/model-api-reference/video-generation-api/...``); each table says what
it rests on. Where a fact could not be confirmed, the entry keeps the value from the
project's provider map (``providers.md``) and is marked "unverified".

Images use a separate, smaller table (:data:`IMAGE_FAMILIES`): fal image models share
one queue but take ``image_size``/``aspect_ratio``/``num_images`` rather than video fields.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

from tarash_gateway.adapters.errors import ValidationError
from tarash_gateway.adapters.extras import IMAGE_PARAMS, merge_extra_params
from tarash_gateway.adapters.field_mappers import (
    Capabilities,
    DurationFormat,
    FieldMap,
    ModelMapping,
    register_provider_field_mapping,
)
from tarash_gateway.adapters.models import ImageGenerationRequest, ImageRole

PROVIDER = "fal"

ALL_ASPECTS = ("16:9", "9:16", "1:1", "4:3", "21:9")
LANDSCAPE_PORTRAIT = ("16:9", "9:16")
SQUARE_TOO = ("16:9", "9:16", "1:1")

MINIMAX_RESOLUTIONS = {"480p": "512P", "720p": "768P", "1080p": "1080P"}
"""MiniMax names its tiers by height in capitals; 512P/768P are the nearest unified tiers."""
PIXVERSE_RESOLUTIONS = {"480p": "540p"}
"""PixVerse's 540p tier is the nearest to the unified 480p; other tiers keep their names."""


def _rename(names: Mapping[str, str]) -> Callable[[Any], Any]:
    return lambda value: names.get(value, value)


def _one_item_list(value: Any) -> list[Any]:
    """For fields that take a list of files where the unified request has one."""
    return [value]


def _frames_at_16fps(seconds: int) -> int:
    """Wan 2.2 counts frames, not seconds: 16 fps plus the opening frame (5 s → 81)."""
    return seconds * 16 + 1


RESERVED: Mapping[str, str | None] = {
    "duration": "seconds",
    "num_frames": "seconds",
    "resolution": "size",
    "aspect_ratio": "size",
    "generate_audio": "generate_audio",
    "num_videos": None,
    "num_outputs": None,
    "n": None,
}
"""Fields that set a fal video's length, size, sound or count, whatever the family maps:
fal bills by the second (audio included), so extras may never set them."""


def family(
    *,
    durations: tuple[int, ...] | None,
    duration_format: DurationFormat = "string",
    duration_field: str | None = "duration",
    duration_transform: Callable[[Any], Any] | None = None,
    resolutions: tuple[str, ...] | None = None,
    resolution_field: str | None = "resolution",
    resolution_names: Mapping[str, str] | None = None,
    aspect_ratios: tuple[str, ...] | None = None,
    aspect_field: str | None = "aspect_ratio",
    audio: bool = False,
    audio_field: str | None = "generate_audio",
    seed: bool = False,
    negative_prompt: bool = False,
    enhance_field: str | None = None,
    images: Mapping[ImageRole, str] | None = None,
    image_lists: frozenset[str] = frozenset(),
    video_field: str | None = None,
    video_required: bool = False,
    video_list: bool = False,
    text_to_video: bool = True,
    price_per_second: float | None = None,
    default_duration: int | None = None,
    default_resolution: str | None = None,
    default_aspect_ratio: str | None = None,
    prompt_field: str | None = "prompt",
) -> ModelMapping:
    """One fal family as a :class:`ModelMapping`.

    A ``*_field`` of None means the endpoint has no such input: the capability still
    restricts what may be asked (a fixed 6 s model lists ``durations=(6,)``), but nothing
    is sent. ``audio_field=None`` with ``audio=True`` is a model that always makes sound.
    ``default_*`` are the endpoint's own documented defaults (what fal makes when the
    field is left out), in unified terms; None where fal picks from the input (``auto``).
    ``prompt_field=None``: the endpoint takes no prompt (swap, animate), so none is sent.
    """
    rows = [FieldMap("prompt", prompt_field, required=True)] if prompt_field else []
    if duration_field is not None:
        rows.append(FieldMap("duration_seconds", duration_field, transform=duration_transform))
    if resolution_field is not None:
        rename = _rename(resolution_names) if resolution_names else None
        rows.append(FieldMap("resolution", resolution_field, transform=rename))
    if aspect_field is not None:
        rows.append(FieldMap("aspect_ratio", aspect_field))
    if audio and audio_field is not None:
        rows.append(FieldMap("generate_audio", audio_field))
    if seed:
        rows.append(FieldMap("seed", "seed"))
    if negative_prompt:
        rows.append(FieldMap("negative_prompt", "negative_prompt"))
    if enhance_field is not None:
        rows.append(FieldMap("enhance_prompt", enhance_field))
    if video_required and video_field is not None:
        wrap = _one_item_list if video_list else None
        rows.append(FieldMap("video", video_field, transform=wrap, required=True))
    roles: tuple[ImageRole, ...] = tuple(images or {})
    image_fields: dict[str, str] = {role: name for role, name in (images or {}).items()}
    return ModelMapping(
        fields=tuple(rows),
        capabilities=Capabilities(
            durations=durations,
            resolutions=resolutions,
            aspect_ratios=aspect_ratios,
            audio=audio,
            image_roles=roles,
            video_input=video_field is not None,
            text_to_video=text_to_video,
            price_per_second=price_per_second,
            default_duration=default_duration,
            default_resolution=default_resolution,
            default_aspect_ratio=default_aspect_ratio,
        ),
        image_fields=image_fields,
        list_image_fields=image_lists,
        duration_format=duration_format,
        video_field=None if video_required else video_field,
        reserved=RESERVED,
    )


def _with_fast(prefix: str, mapping: ModelMapping) -> dict[str, ModelMapping]:
    """Veo endpoints come in pairs (``…/image-to-video`` and ``…/fast/image-to-video``)."""
    head, _, tail = prefix.rpartition("/")
    return {prefix: mapping, f"{head}/fast/{tail}": mapping}


def _tiers(
    prefix: str, tiers: tuple[str, ...], endpoint: str, mapping: ModelMapping
) -> dict[str, ModelMapping]:
    """The same endpoint under each tier path (``…/pro/image-to-video``, ``…/standard/…``)."""
    return {f"{prefix}/{tier}/{endpoint}".replace("//", "/"): mapping for tier in tiers}


# -- Google Veo ------------------------------------------------------------------------
# fal-ai/veo3.1 llms.txt: duration "4s"/"6s"/"8s", resolution 720p/1080p/4k, aspect 16:9 or
# 9:16, generate_audio, seed, negative_prompt; $0.40/s with audio at 720p/1080p ($0.15/s
# on /fast).
# image-to-video and first-last-frame-to-video add image_url / first_frame_url and
# last_frame_url (aspect "auto" too). extend-video: video_url required, duration "7s",
# resolution 720p. fal-ai/veo3 (mirror of fal's page): 720p/1080p, aspect 16:9, 9:16, 1:1,
# enhance_prompt; its 4s/6s/8s durations come from providers.md (unverified).
# Defaults (fal.ai/models/fal-ai/veo3.1*/llms.txt; fal's OpenAPI as generated into
# nodetool-ai/nodetool-fal src/nodetool/nodes/fal/{text,image}_to_video.py, 2026-03-19):
# "8s", 720p, 16:9 for text-to-video; image and frame endpoints default the aspect to
# "auto" (follow the image), so no aspect default is sent there.
# veo3/image-to-video has no seed and no negative_prompt in that schema (fixed here).
_VEO_COMMON: dict[str, Any] = {
    "durations": (4, 6, 8),
    "duration_format": "string_s",
    "audio": True,
    "seed": True,
    "negative_prompt": True,
    "default_duration": 8,
    "default_resolution": "720p",
}
VEO3 = family(
    **_VEO_COMMON,
    resolutions=("720p", "1080p"),
    aspect_ratios=SQUARE_TOO,
    enhance_field="enhance_prompt",
    default_aspect_ratio="16:9",
)
VEO3_I2V = family(
    **{**_VEO_COMMON, "seed": False, "negative_prompt": False},
    resolutions=("720p", "1080p"),
    aspect_ratios=LANDSCAPE_PORTRAIT,
    images={"first_frame": "image_url"},
    text_to_video=False,
)
VEO31 = family(
    **_VEO_COMMON,
    resolutions=("720p", "1080p", "4k"),
    aspect_ratios=LANDSCAPE_PORTRAIT,
    price_per_second=0.40,
    default_aspect_ratio="16:9",
)
VEO31_FAST = family(
    **_VEO_COMMON,
    resolutions=("720p", "1080p", "4k"),
    aspect_ratios=LANDSCAPE_PORTRAIT,
    price_per_second=0.15,
    default_aspect_ratio="16:9",
)
VEO31_I2V = family(
    **_VEO_COMMON,
    resolutions=("720p", "1080p", "4k"),
    aspect_ratios=LANDSCAPE_PORTRAIT,
    images={"first_frame": "image_url"},
    text_to_video=False,
)
VEO31_FLF = family(
    **_VEO_COMMON,
    resolutions=("720p", "1080p", "4k"),
    aspect_ratios=LANDSCAPE_PORTRAIT,
    images={"first_frame": "first_frame_url", "last_frame": "last_frame_url"},
    text_to_video=False,
)
# Veo 3.1 Lite (fal.ai/docs/model-api-reference/video-generation-api/veo3.1-lite, read
# 2026-12-03): "4s"/"6s"/"8s" (default "8s"), 720p or 1080p only (no 4k), 16:9 or 9:16,
# generate_audio, seed, negative_prompt; image-to-video and first-last-frame add the
# image fields of full Veo 3.1 and default the aspect to "auto". Price $0.05/s at 720p
# with audio (videopromptkit.com's summary of fal's page; fal's own price line was not
# stored, so unverified). Before, all three ids fell into full Veo 3.1 (4k allowed, priced
# 0.40/s) and the image endpoints into its text table.
_VEO31_LITE: dict[str, Any] = {
    **_VEO_COMMON,
    "resolutions": ("720p", "1080p"),
    "aspect_ratios": LANDSCAPE_PORTRAIT,
    "price_per_second": 0.05,
}
VEO31_LITE = family(**_VEO31_LITE, default_aspect_ratio="16:9")
VEO31_LITE_I2V = family(**_VEO31_LITE, images={"first_frame": "image_url"}, text_to_video=False)
VEO31_LITE_FLF = family(
    **_VEO31_LITE,
    images={"first_frame": "first_frame_url", "last_frame": "last_frame_url"},
    text_to_video=False,
)
# reference-to-video: image_urls, 720p/1080p, 16:9 or 9:16 (fal's page); "8s" only is
# unverified.
VEO31_R2V = family(  # no seed, no negative_prompt (nodetool-fal schema)
    durations=(8,),
    duration_format="string_s",
    audio=True,
    resolutions=("720p", "1080p"),
    aspect_ratios=LANDSCAPE_PORTRAIT,
    images={"reference": "image_urls"},
    image_lists=frozenset({"image_urls"}),
    text_to_video=False,
    default_duration=8,
    default_resolution="720p",
    default_aspect_ratio="16:9",
)
VEO31_EXTEND = family(
    durations=(7,),
    duration_format="string_s",
    audio=True,
    seed=True,
    negative_prompt=True,
    resolutions=("720p",),
    aspect_ratios=LANDSCAPE_PORTRAIT,
    video_field="video_url",
    video_required=True,
    default_duration=7,
    default_resolution="720p",
)

# -- MiniMax / Hailuo ------------------------------------------------------------------
# hailuo-02/standard and hailuo-2.3/standard llms.txt: duration "6" or "10" (a plain
# string: providers.md's "6s" suffix is wrong), prompt_optimizer; the standard
# image-to-video endpoint adds image_url, end_image_url and resolution 512P/768P
# ($0.045/s at 768P). Pro endpoints are 1080p with no duration input (MiniMax makes 6 s
# at 1080P). fal-ai/minimax/video-01: prompt, prompt_optimizer, image_url; its fixed 6 s
# length is unverified.
_MINIMAX: dict[str, Any] = {"duration_format": "string", "enhance_field": "prompt_optimizer"}
# Defaults: duration "6" where there is one (nodetool-fal schema), 768P = 720p on
# standard, 1080P on pro.
MINIMAX_VIDEO01 = family(
    **_MINIMAX,
    default_duration=6,
    durations=(6,),
    duration_field=None,
    resolution_field=None,
    aspect_field=None,
)
MINIMAX_VIDEO01_I2V = family(
    **_MINIMAX,
    default_duration=6,
    durations=(6,),
    duration_field=None,
    resolution_field=None,
    aspect_field=None,
    images={"first_frame": "image_url"},
    text_to_video=False,
)
"""video-01's text endpoints take only prompt and prompt_optimizer; the image ones add
image_url (nodetool-fal schema). One table used to serve both."""
HAILUO_STANDARD = family(
    **_MINIMAX,
    durations=(6, 10),
    resolutions=("720p",),
    resolution_field=None,
    aspect_field=None,
    default_duration=6,
    default_resolution="720p",
)
HAILUO02_STANDARD_I2V = family(
    **_MINIMAX,
    durations=(6, 10),
    resolutions=("480p", "720p"),
    resolution_names=MINIMAX_RESOLUTIONS,
    aspect_field=None,
    images={"first_frame": "image_url", "last_frame": "end_image_url"},
    text_to_video=False,
    price_per_second=0.045,
    default_duration=6,
    default_resolution="720p",
)
HAILUO_STANDARD_I2V = family(
    **_MINIMAX,
    durations=(6, 10),
    resolutions=("720p",),
    resolution_field=None,
    aspect_field=None,
    images={"first_frame": "image_url"},
    text_to_video=False,
    default_duration=6,
    default_resolution="720p",
)
HAILUO_PRO = family(
    **_MINIMAX,
    durations=(6,),
    duration_field=None,
    resolutions=("1080p",),
    resolution_field=None,
    aspect_field=None,
    default_duration=6,
    default_resolution="1080p",
)
HAILUO_PRO_I2V = family(
    **_MINIMAX,
    durations=(6,),
    duration_field=None,
    resolutions=("1080p",),
    resolution_field=None,
    aspect_field=None,
    images={"first_frame": "image_url"},
    text_to_video=False,
    default_duration=6,
    default_resolution="1080p",
)

# -- Kling -----------------------------------------------------------------------------
# v2.6 (fal docs "Kling Video V2.6 Pro"): duration "5"/"10", generate_audio, negative_prompt;
# text-to-video adds aspect 16:9/9:16/1:1; image-to-video takes start_image_url (required)
# and end_image_url (providers.md's image_url/tail_image_url are out of date); $0.14/s with
# audio. o1 (fal docs): image-to-video start_image_url/end_image_url, reference-to-video
# image_urls + aspect 16:9/9:16/1:1, durations "3".."10" (not only 5/10 as providers.md
# says). v3 pro text-to-video (fal docs): "3".."15", aspect, generate_audio,
# negative_prompt; v3 image-to-video's start/end_image_url come from a third-party copy of
# the page (unverified). o3 reference-to-video (fal docs): start/end_image_url,
# image_urls, generate_audio, "3".."15", aspect. Older Kling (v1.x-v2.5): "5"/"10",
# image_url; tail_image_url for the last frame is unverified.
KLING = family(
    durations=(5, 10),
    default_duration=5,
    aspect_ratios=SQUARE_TOO,
    default_aspect_ratio="16:9",
    resolution_field=None,
    negative_prompt=True,
)
"""Old Kling text-to-video (v1-v2.1): no image input; the image endpoints are
:data:`KLING_I2V` (this table used to send image fields to the text endpoints)."""
KLING26 = family(
    durations=(5, 10),
    default_duration=5,
    aspect_ratios=SQUARE_TOO,
    default_aspect_ratio="16:9",
    resolution_field=None,
    audio=True,
    negative_prompt=True,
    price_per_second=0.14,
)
KLING26_I2V = family(
    durations=(5, 10),
    default_duration=5,
    resolution_field=None,
    aspect_field=None,
    audio=True,
    negative_prompt=True,
    images={"first_frame": "start_image_url", "last_frame": "end_image_url"},
    text_to_video=False,
    price_per_second=0.14,
)
_O1_SECONDS = tuple(range(3, 11))
KLING_O1 = family(
    durations=_O1_SECONDS,
    default_duration=5,
    aspect_ratios=SQUARE_TOO,
    default_aspect_ratio="16:9",
    resolution_field=None,
    images={
        "first_frame": "start_image_url",
        "last_frame": "end_image_url",
        "reference": "image_urls",
    },
    image_lists=frozenset({"image_urls"}),
    video_field="video_url",
)
KLING_O1_I2V = family(
    durations=_O1_SECONDS,
    default_duration=5,
    resolution_field=None,
    aspect_field=None,
    images={"first_frame": "start_image_url", "last_frame": "end_image_url"},
    text_to_video=False,
)
KLING_O1_R2V = family(
    durations=_O1_SECONDS,
    default_duration=5,
    aspect_ratios=SQUARE_TOO,
    default_aspect_ratio="16:9",
    resolution_field=None,
    images={"reference": "image_urls"},
    image_lists=frozenset({"image_urls"}),
    text_to_video=False,
)
_V3_SECONDS = tuple(range(3, 16))
KLING_V3 = family(
    durations=_V3_SECONDS,
    default_duration=5,
    aspect_ratios=SQUARE_TOO,
    default_aspect_ratio="16:9",
    resolution_field=None,
    audio=True,
    negative_prompt=True,
)
KLING_V3_I2V = family(
    durations=_V3_SECONDS,
    default_duration=5,
    resolution_field=None,
    aspect_field=None,
    audio=True,
    negative_prompt=True,
    images={"first_frame": "start_image_url", "last_frame": "end_image_url"},
    text_to_video=False,
)
# Kling 2.5 Turbo (fal.ai/models/fal-ai/kling-video/v2.5-turbo/*/llms.txt and fal docs
# "Kling Video V2.5 Turbo Pro"): duration "5"/"10" (default "5"), negative_prompt,
# cfg_scale; text-to-video adds aspect 16:9/9:16/1:1 (default 16:9); pro image-to-video
# takes image_url (required) and tail_image_url, standard image-to-video only image_url.
# $0.35 per 5 s + $0.07 per extra second on pro ($0.07/s), $0.042/s on standard. Before,
# these fell into the old-Kling table, which sent image fields to the text endpoint and
# aspect_ratio to the image ones.
KLING_I2V = family(
    durations=(5, 10),
    default_duration=5,
    resolution_field=None,
    aspect_field=None,
    negative_prompt=True,
    images={"first_frame": "image_url", "last_frame": "tail_image_url"},
    text_to_video=False,
)
"""Old Kling (v1-v2.1) image-to-video: image_url (+ tail_image_url), no aspect_ratio
(nodetool-fal schema of v2.1/pro/image-to-video)."""
KLING25_TURBO = family(
    durations=(5, 10),
    default_duration=5,
    aspect_ratios=SQUARE_TOO,
    default_aspect_ratio="16:9",
    resolution_field=None,
    negative_prompt=True,
    price_per_second=0.07,
)
KLING25_TURBO_PRO_I2V = family(
    durations=(5, 10),
    default_duration=5,
    resolution_field=None,
    aspect_field=None,
    negative_prompt=True,
    images={"first_frame": "image_url", "last_frame": "tail_image_url"},
    text_to_video=False,
    price_per_second=0.07,
)
KLING_STANDARD_I2V = family(
    durations=(5, 10),
    default_duration=5,
    resolution_field=None,
    aspect_field=None,
    negative_prompt=True,
    images={"first_frame": "image_url"},
    text_to_video=False,
)
"""Standard-tier image endpoints (v1.6, v2.5 Turbo) take no tail_image_url (nodetool-fal
schema); v1.6's price was not looked up."""
KLING25_TURBO_STANDARD_I2V = family(
    durations=(5, 10),
    default_duration=5,
    resolution_field=None,
    aspect_field=None,
    negative_prompt=True,
    images={"first_frame": "image_url"},
    text_to_video=False,
    price_per_second=0.042,
)
# o3 (nodetool-fal schema): text-to-video takes no image; image-to-video takes image_url
# and end_image_url (not start_image_url) and no aspect; reference-to-video takes
# image_urls (required), start_image_url, end_image_url. Before, one table served all
# three (image fields on the text endpoint, start_image_url on the image one).
KLING_O3 = family(
    durations=_V3_SECONDS,
    default_duration=5,
    aspect_ratios=SQUARE_TOO,
    default_aspect_ratio="16:9",
    resolution_field=None,
    audio=True,
)
KLING_O3_I2V = family(
    durations=_V3_SECONDS,
    default_duration=5,
    resolution_field=None,
    aspect_field=None,
    audio=True,
    images={"first_frame": "image_url", "last_frame": "end_image_url"},
    text_to_video=False,
)
KLING_O3_R2V = family(
    durations=_V3_SECONDS,
    default_duration=5,
    aspect_ratios=SQUARE_TOO,
    default_aspect_ratio="16:9",
    resolution_field=None,
    audio=True,
    images={
        "reference": "image_urls",
        "first_frame": "start_image_url",
        "last_frame": "end_image_url",
    },
    image_lists=frozenset({"image_urls"}),
    text_to_video=False,
)

# -- OpenAI Sora 2 ---------------------------------------------------------------------
# fal-ai/sora-2/text-to-video llms.txt: duration an integer 4/8/12/16/20 (providers.md's
# 4/8/12 is out of date), aspect 9:16/16:9, resolution "720p" (the /pro endpoints add
# 1080p), always with audio; output carries video_id, which
# fal-ai/sora-2/video-to-video/remix takes with a prompt. $0.10/s. image-to-video adds
# image_url (required).
_SORA: dict[str, Any] = {
    "durations": (4, 8, 12, 16, 20),
    "duration_format": "int",
    "aspect_ratios": LANDSCAPE_PORTRAIT,
    "audio": True,
    "audio_field": None,
}
# Defaults: 4 s, 720p, 16:9 on text-to-video (fal's sora-2 pages); image-to-video
# follows the image ("auto").
SORA2 = family(
    **_SORA,
    resolutions=("720p",),
    price_per_second=0.10,
    default_duration=4,
    default_resolution="720p",
    default_aspect_ratio="16:9",
)
SORA2_PRO = family(
    **_SORA,
    resolutions=("720p", "1080p"),
    default_duration=4,
    default_resolution="720p",  # the cheaper tier; pro's own default was not stored
    default_aspect_ratio="16:9",
)
SORA2_I2V = family(
    **_SORA,
    resolutions=("720p",),
    images={"first_frame": "image_url"},
    text_to_video=False,
    price_per_second=0.10,
    default_duration=4,
)
SORA2_PRO_I2V = family(
    **_SORA,
    resolutions=("720p", "1080p"),
    images={"first_frame": "image_url"},
    text_to_video=False,
    default_duration=4,
)
SORA2_REMIX = family(
    durations=None,
    duration_field=None,
    resolution_field=None,
    aspect_field=None,
    audio=True,
    audio_field=None,
)
"""Remix keeps the source's length and shape; ``video_id`` comes from the source result."""

# -- Alibaba Wan -----------------------------------------------------------------------
# wan/v2.6 (fal page): 720p/1080p, "5"/"10"/"15", aspect 16:9, 9:16, 1:1, 4:3 (and 3:4);
# image-to-video takes image_url; reference-to-video is "5"/"10" with reference files
# (image_urls per the flash page; unverified for the standard one). Wan 2.5 (copy of fal's
# schema): "5"/"10", 480p/720p/1080p, 16:9/9:16/1:1, negative_prompt,
# enable_prompt_expansion, seed. Wan 2.2 A14B llms.txt: no duration input, num_frames
# 17..161 at 16 fps instead, 480p/580p/720p. animate (move/replace): video_url and
# image_url both required, 480p/580p/720p, length follows the video.
# Defaults (nodetool-fal schema): Wan 2.6 and 2.5 "5", 1080p, 16:9; Wan 2.2 81 frames
# (5 s), 720p, 16:9 (image-to-video "auto"); animate 480p.
_WAN: dict[str, Any] = {
    "seed": True,
    "negative_prompt": True,
    "enhance_field": "enable_prompt_expansion",
}
WAN26 = family(
    **_WAN,
    durations=(5, 10, 15),
    default_duration=5,
    default_resolution="1080p",
    resolutions=("720p", "1080p"),
    aspect_ratios=("16:9", "9:16", "1:1", "4:3"),
    default_aspect_ratio="16:9",
)
WAN26_I2V = family(
    **_WAN,
    durations=(5, 10, 15),
    default_duration=5,
    default_resolution="1080p",
    resolutions=("720p", "1080p"),
    aspect_field=None,
    images={"first_frame": "image_url"},
    text_to_video=False,
)
WAN26_R2V = family(
    **_WAN,
    durations=(5, 10),
    default_duration=5,
    default_resolution="1080p",
    resolutions=("720p", "1080p"),
    aspect_ratios=("16:9", "9:16", "1:1", "4:3"),
    default_aspect_ratio="16:9",
    video_field="video_urls",
    video_required=True,
    video_list=True,
)
"""Wan 2.6 reference-to-video takes reference *videos* (``video_urls``, 1-3, named
@Video1.. in the prompt; nodetool-fal schema), not images: the unified ``video`` becomes
a one-item list. It used to send ``image_urls``, which the endpoint does not take."""
WAN25 = family(
    **_WAN,
    durations=(5, 10),
    resolutions=("480p", "720p", "1080p"),
    aspect_ratios=SQUARE_TOO,
    default_duration=5,
    default_resolution="1080p",
    default_aspect_ratio="16:9",
)
WAN25_I2V = family(
    **_WAN,
    durations=(5, 10),
    default_duration=5,
    default_resolution="1080p",
    resolutions=("480p", "720p", "1080p"),
    aspect_field=None,
    images={"first_frame": "image_url"},
    text_to_video=False,
)
_WAN22: dict[str, Any] = {
    **_WAN,
    "durations": tuple(range(1, 11)),
    "duration_field": "num_frames",
    "duration_transform": _frames_at_16fps,
    "resolutions": ("480p", "720p"),
    "default_duration": 5,
    "default_resolution": "720p",
}
WAN22 = family(**_WAN22, aspect_ratios=SQUARE_TOO, default_aspect_ratio="16:9")
WAN22_I2V = family(
    **_WAN22, aspect_ratios=SQUARE_TOO, images={"first_frame": "image_url"}, text_to_video=False
)
WAN22_V2V = family(**_WAN22, aspect_field=None, video_field="video_url", video_required=True)
WAN22_ANIMATE = family(
    prompt_field=None,  # move/replace take no prompt (nodetool-fal schema)
    durations=None,
    duration_field=None,
    resolutions=("480p", "720p"),
    default_resolution="480p",
    aspect_field=None,
    seed=True,
    images={"reference": "image_url", "first_frame": "image_url"},
    video_field="video_url",
    video_required=True,
    text_to_video=False,
)

# -- ByteDance Seedance ----------------------------------------------------------------
# seedance/v1/pro (fal docs): duration "2".."12", resolution 480p/720p/1080p, aspect 21:9,
# 16:9, 4:3, 1:1, 3:4, 9:16, camera_fixed, seed; image-to-video adds image_url and
# end_image_url. lite reference-to-video's reference_image_urls is from providers.md
# (unverified). bytedance/seedance-2.0 (fal docs): duration "auto" or "4".."15",
# 480p/720p/1080p (fast: no 1080p), aspect as above plus auto, generate_audio, seed;
# image-to-video image_url (required) + end_image_url; reference-to-video image_urls.
_SEEDANCE_ASPECTS = ("21:9", "16:9", "4:3", "1:1", "9:16")
# Defaults (nodetool-fal schema): "5" everywhere; pro 1080p, lite 720p; 16:9 for text,
# "auto" for image endpoints.
_SEEDANCE1: dict[str, Any] = {
    "durations": tuple(range(2, 13)),
    "resolutions": ("480p", "720p", "1080p"),
    "aspect_ratios": _SEEDANCE_ASPECTS,
    "seed": True,
    "default_duration": 5,
}
SEEDANCE = family(**_SEEDANCE1, default_resolution="1080p", default_aspect_ratio="16:9")
SEEDANCE_LITE = family(**_SEEDANCE1, default_resolution="720p", default_aspect_ratio="16:9")
SEEDANCE_I2V = family(
    **_SEEDANCE1,
    images={"first_frame": "image_url", "last_frame": "end_image_url"},
    text_to_video=False,
    default_resolution="1080p",
)
SEEDANCE_LITE_I2V = family(
    **_SEEDANCE1,
    images={"first_frame": "image_url", "last_frame": "end_image_url"},
    text_to_video=False,
    default_resolution="720p",
)
SEEDANCE_R2V = family(
    **{**_SEEDANCE1, "resolutions": ("480p", "720p")},  # no 1080p (nodetool-fal schema)
    default_resolution="720p",
    images={"reference": "reference_image_urls"},
    image_lists=frozenset({"reference_image_urls"}),
    text_to_video=False,
)
# Seedance 1.5 pro (fal.ai/models/fal-ai/bytedance/seedance/v1.5/pro/*/llms.txt):
# duration "4".."12" (default "5"), 480p/720p/1080p (default 720p), aspect 21:9, 16:9,
# 4:3, 1:1, 3:4, 9:16 or auto (default 16:9), generate_audio (default true),
# camera_fixed, seed; image-to-video adds image_url (required) and end_image_url. About
# $0.26 per 720p 5 s with audio (token-priced, so no flat per-second price). Before, it
# fell into Seedance 1.0 (no audio, no images, 2-3 s allowed).
_SEEDANCE15: dict[str, Any] = {
    "durations": tuple(range(4, 13)),
    "resolutions": ("480p", "720p", "1080p"),
    "aspect_ratios": _SEEDANCE_ASPECTS,
    "audio": True,
    "seed": True,
    "default_duration": 5,
    "default_resolution": "720p",
    "default_aspect_ratio": "16:9",
}
SEEDANCE15 = family(**_SEEDANCE15)
SEEDANCE15_I2V = family(
    **_SEEDANCE15,
    images={"first_frame": "image_url", "last_frame": "end_image_url"},
    text_to_video=False,
)
# Defaults (fal.ai/models/bytedance/seedance-2.0/fast/text-to-video/llms.txt): 720p;
# fal's own duration and aspect default is "auto" (the model decides), which has no
# unified value and leaves the bill unknown until the result: the gateway pins 5 s (the
# value seedance2-api.com's copy of the standard page shows) and 16:9 on text and
# reference endpoints; image endpoints get no aspect, so the image decides. $0.3034/s
# at 720p with audio, $0.2419/s on fast.
_SEEDANCE2: dict[str, Any] = {
    "durations": tuple(range(4, 16)),
    "aspect_ratios": _SEEDANCE_ASPECTS,
    "audio": True,
    "seed": True,
    "default_duration": 5,
    "default_resolution": "720p",
}
SEEDANCE2 = family(
    **_SEEDANCE2,
    resolutions=("480p", "720p", "1080p"),
    default_aspect_ratio="16:9",
    price_per_second=0.3034,
)
SEEDANCE2_FAST = family(
    **_SEEDANCE2,
    resolutions=("480p", "720p"),
    default_aspect_ratio="16:9",
    price_per_second=0.2419,
)
SEEDANCE2_I2V = family(
    **_SEEDANCE2,
    resolutions=("480p", "720p", "1080p"),
    images={"first_frame": "image_url", "last_frame": "end_image_url"},
    text_to_video=False,
)
SEEDANCE2_FAST_I2V = family(
    **_SEEDANCE2,
    resolutions=("480p", "720p"),
    images={"first_frame": "image_url", "last_frame": "end_image_url"},
    text_to_video=False,
)
SEEDANCE2_R2V = family(
    **_SEEDANCE2,
    default_aspect_ratio="16:9",
    resolutions=("480p", "720p", "1080p"),
    images={"reference": "image_urls"},
    image_lists=frozenset({"image_urls"}),
    text_to_video=False,
)

# -- PixVerse --------------------------------------------------------------------------
# v5.x (fal llms.txt of v5.6 transition and v4.x pages): resolution 360p/540p/720p/1080p,
# aspect 16:9, 4:3, 1:1, 3:4, 9:16, negative_prompt, seed, style; image-to-video takes
# image_url, transition first_image_url/end_image_url (from providers.md; unverified for
# v5/v5.5). Durations: "5"/"8" for v5 and "5"/"8"/"10" for v5.5 (the v5.6 page lists
# 5/8/10; v5's 10 s absence is unverified). The audio switch's field name is unverified,
# so audio is not offered. swap llms.txt: video_url and image_url required, mode,
# resolution 360p/540p/720p, length follows the video.
_PIXVERSE: dict[str, Any] = {
    "resolutions": ("360p", "480p", "720p", "1080p"),
    "resolution_names": PIXVERSE_RESOLUTIONS,
    "seed": True,
    "negative_prompt": True,
}
_PIXVERSE_ASPECTS = ("16:9", "4:3", "1:1", "9:16")


# Defaults (nodetool-fal schema of v5, v5.5, v5.6): "5", 720p, 16:9. v5.5 and v5.6 take
# generate_audio_switch (default false) for sound; v5.6 (fal.ai/models/fal-ai/pixverse/
# v5.6/transition/llms.txt) is "5"/"8"/"10", 1080p limited to 5 or 8 s; $0.45 per 5 s at
# 720p without audio. Before, v5.6 fell into the generic table (integer duration).


def _pixverse(
    version: str, durations: tuple[int, ...], *, audio: bool = False
) -> dict[str, ModelMapping]:
    prefix = f"fal-ai/pixverse/{version}/"
    common: dict[str, Any] = {
        **_PIXVERSE,
        "durations": durations,
        "audio": audio,
        "audio_field": "generate_audio_switch",
        "default_duration": 5,
        "default_resolution": "720p",
    }
    return {
        prefix: family(**common, aspect_ratios=_PIXVERSE_ASPECTS, default_aspect_ratio="16:9"),
        f"{prefix}text-to-video": family(
            **common, aspect_ratios=_PIXVERSE_ASPECTS, default_aspect_ratio="16:9"
        ),
        f"{prefix}image-to-video": family(
            **common,
            aspect_field=None,
            images={"first_frame": "image_url"},
            text_to_video=False,
        ),
        f"{prefix}transition": family(
            **common,
            aspect_ratios=_PIXVERSE_ASPECTS,
            default_aspect_ratio="16:9",
            images={"first_frame": "first_image_url", "last_frame": "end_image_url"},
            text_to_video=False,
        ),
    }


PIXVERSE_SWAP = family(
    prompt_field=None,  # swap takes no prompt (nodetool-fal schema)
    durations=None,
    duration_field=None,
    resolutions=("360p", "480p", "720p"),
    default_resolution="720p",
    resolution_names=PIXVERSE_RESOLUTIONS,
    aspect_field=None,
    seed=True,
    images={"reference": "image_url", "first_frame": "image_url"},
    video_field="video_url",
    video_required=True,
    text_to_video=False,
)

# -- Alibaba Happy Horse ---------------------------------------------------------------
# alibaba/happy-horse/text-to-video llms.txt: duration an integer 3..15, resolution
# 720p/1080p, aspect 16:9, 9:16, 1:1, 4:3, 3:4, seed, native audio always on ($0.28/s at
# the default 1080p). reference-to-video takes image_urls (1..9); image-to-video's
# image_url is unverified.
# Defaults (Alibaba's own HappyHorse 1.0 reference, as copied by docs.cloudsway.net and
# the cinience/alicloud-skills notes; fal's page was not stored): 5 s, 1080p, 16:9 on
# text and reference endpoints.
_HAPPY_HORSE: dict[str, Any] = {
    "durations": tuple(range(3, 16)),
    "duration_format": "int",
    "resolutions": ("720p", "1080p"),
    "audio": True,
    "audio_field": None,
    "seed": True,
    "default_duration": 5,
    "default_resolution": "1080p",
}
HAPPY_HORSE = family(
    **_HAPPY_HORSE,
    aspect_ratios=("16:9", "9:16", "1:1", "4:3"),
    price_per_second=0.28,
    default_aspect_ratio="16:9",
)
HAPPY_HORSE_I2V = family(
    **_HAPPY_HORSE, aspect_field=None, images={"first_frame": "image_url"}, text_to_video=False
)
HAPPY_HORSE_R2V = family(
    **_HAPPY_HORSE,
    aspect_ratios=("16:9", "9:16", "1:1", "4:3"),
    default_aspect_ratio="16:9",
    images={"reference": "image_urls"},
    image_lists=frozenset({"image_urls"}),
    text_to_video=False,
)

# -- Lightricks LTX-2 ------------------------------------------------------------------
# fal.ai/models/fal-ai/ltx-2/image-to-video/llms.txt and fal-ai/ltx-2.3/text-to-video/fast
# llms.txt: duration an integer 6/8/10 (fast: 6..20 in steps of 2, beyond 10 s only at
# 1080p and 25 fps), resolution 1080p/1440p/2160p (default 1080p; nothing below 1080p),
# aspect 16:9 or 9:16 (default 16:9; image-to-video follows the image), fps 25/50,
# generate_audio (default true); image-to-video takes image_url (required) and, on 2.3,
# end_image_url. $0.06/s at 1080p on Pro, $0.04/s on Fast. The unified 4k is 2160p;
# 1440p has no unified name (send it as an extra only on request of the lead). Before,
# ltx-2* fell into the generic table, which sent the wrong encodings and allowed 720p.
LTX_RESOLUTIONS = {"4k": "2160p"}
_LTX2: dict[str, Any] = {
    "duration_format": "int",
    "resolutions": ("1080p", "4k"),
    "resolution_names": LTX_RESOLUTIONS,
    "audio": True,
    "default_duration": 6,
    "default_resolution": "1080p",
}
_LTX_FAST_SECONDS = (6, 8, 10, 12, 14, 16, 18, 20)
LTX2 = family(
    **_LTX2,
    durations=(6, 8, 10),
    aspect_ratios=LANDSCAPE_PORTRAIT,
    default_aspect_ratio="16:9",
    price_per_second=0.06,
)
LTX2_FAST = family(
    **_LTX2,
    durations=_LTX_FAST_SECONDS,
    aspect_ratios=LANDSCAPE_PORTRAIT,
    default_aspect_ratio="16:9",
    price_per_second=0.04,
)
LTX2_I2V = family(
    **_LTX2,
    durations=(6, 8, 10),
    aspect_field=None,
    images={"first_frame": "image_url"},
    text_to_video=False,
    price_per_second=0.06,
)
LTX2_FAST_I2V = family(
    **_LTX2,
    durations=_LTX_FAST_SECONDS,
    aspect_field=None,
    images={"first_frame": "image_url"},
    text_to_video=False,
    price_per_second=0.04,
)
_LTX23_FRAMES: dict[ImageRole, str] = {"first_frame": "image_url", "last_frame": "end_image_url"}
LTX23_I2V = family(
    **_LTX2,
    durations=(6, 8, 10),
    aspect_field=None,
    images=_LTX23_FRAMES,
    text_to_video=False,
    price_per_second=0.06,
)
LTX23_FAST_I2V = family(
    **_LTX2,
    durations=_LTX_FAST_SECONDS,
    aspect_field=None,
    images=_LTX23_FRAMES,
    text_to_video=False,
    price_per_second=0.04,
)

# -- Luma Ray 2 (on fal) -----------------------------------------------------------------
# fal.ai/models/fal-ai/luma-dream-machine/ray-2-flash*/llms.txt and the nodetool-fal schema
# of ray-2: duration "5s"/"9s" (default "5s"), resolution 540p/720p/1080p (default 540p,
# sent for the unified 480p), aspect 16:9, 9:16, 4:3, 3:4, 21:9, 9:21 (default 16:9),
# loop; image-to-video takes image_url and end_image_url (either may be given). Flash is
# $0.20 per 5 s at 540p ($0.04/s); ray-2's own price was not found. Before, these fell
# into the generic table (integer duration, refused by fal).
LUMA_RESOLUTIONS = {"480p": "540p"}
_LUMA: dict[str, Any] = {
    "durations": (5, 9),
    "duration_format": "string_s",
    "resolutions": ("480p", "720p", "1080p"),
    "resolution_names": LUMA_RESOLUTIONS,
    "aspect_ratios": ("16:9", "9:16", "4:3", "21:9"),
    "default_duration": 5,
    "default_resolution": "480p",
    "default_aspect_ratio": "16:9",
}
LUMA_RAY2 = family(**_LUMA)
LUMA_RAY2_FLASH = family(**_LUMA, price_per_second=0.04)
LUMA_RAY2_I2V = family(
    **_LUMA,
    images={"first_frame": "image_url", "last_frame": "end_image_url"},
    text_to_video=False,
)
LUMA_RAY2_FLASH_I2V = family(
    **_LUMA,
    images={"first_frame": "image_url", "last_frame": "end_image_url"},
    text_to_video=False,
    price_per_second=0.04,
)

# -- MiniMax Hailuo-02 fast ----------------------------------------------------------------
# nodetool-fal schema: prompt, image_url, duration "6"/"10" (default "6"),
# prompt_optimizer. Before, it fell into the video-01 table (no duration sent at all).
HAILUO02_FAST_I2V = family(
    **_MINIMAX,
    durations=(6, 10),
    default_duration=6,
    resolution_field=None,
    aspect_field=None,
    images={"first_frame": "image_url"},
    text_to_video=False,
)

# -- Anything else on fal --------------------------------------------------------------
GENERIC = family(
    durations=None,
    duration_format="string",
    audio=True,
    seed=True,
    negative_prompt=True,
    images={
        "first_frame": "image_url",
        "last_frame": "end_image_url",
        "reference": "image_urls",
        "asset": "image_urls",
        "style": "image_urls",
    },
    image_lists=frozenset({"image_urls"}),
    video_field="video_url",
)
"""Unknown fal models: the names most fal endpoints use, passed as asked (fal's own
validation answers 422 for what the model does not take). The duration is a plain string
(``"5"``), the encoding of most fal video endpoints (Kling, Wan, Seedance, PixVerse,
Hailuo); it used to be an integer, which those endpoints refuse."""

SORA_REMIX_ENDPOINT = "fal-ai/sora-2/video-to-video/remix"

VIDEO_FAMILIES: dict[str, ModelMapping] = {
    "": GENERIC,
    # Veo
    "fal-ai/veo3": VEO3,
    **_with_fast("fal-ai/veo3/image-to-video", VEO3_I2V),
    "fal-ai/veo3.1": VEO31,
    "fal-ai/veo3.1/fast": VEO31_FAST,
    **_with_fast("fal-ai/veo3.1/image-to-video", VEO31_I2V),
    **_with_fast("fal-ai/veo3.1/first-last-frame-to-video", VEO31_FLF),
    "fal-ai/veo3.1/reference-to-video": VEO31_R2V,
    **_with_fast("fal-ai/veo3.1/extend-video", VEO31_EXTEND),
    "fal-ai/veo3.1/lite": VEO31_LITE,
    "fal-ai/veo3.1/lite/image-to-video": VEO31_LITE_I2V,
    "fal-ai/veo3.1/lite/first-last-frame-to-video": VEO31_LITE_FLF,
    # MiniMax / Hailuo
    "fal-ai/minimax": MINIMAX_VIDEO01,
    "fal-ai/minimax/video-01/image-to-video": MINIMAX_VIDEO01_I2V,
    "fal-ai/minimax/video-01-live/image-to-video": MINIMAX_VIDEO01_I2V,
    "fal-ai/minimax/video-01-director/image-to-video": MINIMAX_VIDEO01_I2V,
    "fal-ai/minimax/hailuo-02/standard": HAILUO_STANDARD,
    "fal-ai/minimax/hailuo-02/standard/image-to-video": HAILUO02_STANDARD_I2V,
    "fal-ai/minimax/hailuo-02/pro": HAILUO_PRO,
    "fal-ai/minimax/hailuo-02/pro/image-to-video": HAILUO_PRO_I2V,
    "fal-ai/minimax/hailuo-2.3/standard": HAILUO_STANDARD,
    "fal-ai/minimax/hailuo-2.3/standard/image-to-video": HAILUO_STANDARD_I2V,
    "fal-ai/minimax/hailuo-2.3/pro": HAILUO_PRO,
    "fal-ai/minimax/hailuo-2.3/pro/image-to-video": HAILUO_PRO_I2V,
    "fal-ai/minimax/hailuo-2.3-fast/standard/image-to-video": HAILUO_STANDARD_I2V,
    "fal-ai/minimax/hailuo-2.3-fast/pro/image-to-video": HAILUO_PRO_I2V,
    "fal-ai/minimax/hailuo-02-fast/image-to-video": HAILUO02_FAST_I2V,
    # Kling
    "fal-ai/kling-video": KLING,
    **_tiers("fal-ai/kling-video/v1", ("standard", "pro"), "image-to-video", KLING_I2V),
    "fal-ai/kling-video/v1.5/pro/image-to-video": KLING_I2V,
    "fal-ai/kling-video/v1.6/pro/image-to-video": KLING_I2V,
    "fal-ai/kling-video/v1.6/standard/image-to-video": KLING_STANDARD_I2V,
    **_tiers("fal-ai/kling-video/v2.1", ("standard", "pro", "master"), "image-to-video", KLING_I2V),
    "fal-ai/kling-video/v2.5-turbo": KLING25_TURBO,
    "fal-ai/kling-video/v2.5-turbo/pro/image-to-video": KLING25_TURBO_PRO_I2V,
    "fal-ai/kling-video/v2.5-turbo/standard/image-to-video": KLING25_TURBO_STANDARD_I2V,
    "fal-ai/kling-video/v2.6": KLING26,
    **_tiers("fal-ai/kling-video/v2.6", ("pro", "standard"), "image-to-video", KLING26_I2V),
    "fal-ai/kling-video/o1": KLING_O1,
    **_tiers("fal-ai/kling-video/o1", ("", "pro", "standard"), "image-to-video", KLING_O1_I2V),
    **_tiers("fal-ai/kling-video/o1", ("", "pro", "standard"), "reference-to-video", KLING_O1_R2V),
    "fal-ai/kling-video/v3": KLING_V3,
    **_tiers("fal-ai/kling-video/v3", ("pro", "standard"), "image-to-video", KLING_V3_I2V),
    "fal-ai/kling-video/o3": KLING_O3,
    **_tiers("fal-ai/kling-video/o3", ("pro", "standard"), "image-to-video", KLING_O3_I2V),
    **_tiers("fal-ai/kling-video/o3", ("pro", "standard"), "reference-to-video", KLING_O3_R2V),
    # Sora 2
    "fal-ai/sora-2": SORA2,
    "fal-ai/sora-2/text-to-video/pro": SORA2_PRO,
    "fal-ai/sora-2/image-to-video": SORA2_I2V,
    "fal-ai/sora-2/image-to-video/pro": SORA2_PRO_I2V,
    SORA_REMIX_ENDPOINT: SORA2_REMIX,
    # Wan
    "wan/v2.6/": WAN26,
    "wan/v2.6/image-to-video": WAN26_I2V,
    "wan/v2.6/reference-to-video": WAN26_R2V,
    "fal-ai/wan-25-preview/": WAN25,
    "fal-ai/wan-25-preview/image-to-video": WAN25_I2V,
    "fal-ai/wan/v2.2-a14b/": WAN22,
    "fal-ai/wan/v2.2-a14b/image-to-video": WAN22_I2V,
    "fal-ai/wan/v2.2-a14b/video-to-video": WAN22_V2V,
    "fal-ai/wan/v2.2-14b/animate/": WAN22_ANIMATE,
    # Seedance
    "fal-ai/bytedance/seedance": SEEDANCE,
    **_tiers("fal-ai/bytedance/seedance/v1", ("pro", "pro/fast"), "image-to-video", SEEDANCE_I2V),
    "fal-ai/bytedance/seedance/v1/lite/image-to-video": SEEDANCE_LITE_I2V,
    "fal-ai/bytedance/seedance/v1/lite/reference-to-video": SEEDANCE_R2V,
    "fal-ai/bytedance/seedance/v1/lite/text-to-video": SEEDANCE_LITE,
    "fal-ai/bytedance/seedance/v1.5/pro": SEEDANCE15,
    "fal-ai/bytedance/seedance/v1.5/pro/image-to-video": SEEDANCE15_I2V,
    "bytedance/seedance-2.0": SEEDANCE2,
    "bytedance/seedance-2.0/fast": SEEDANCE2_FAST,
    "bytedance/seedance-2.0/image-to-video": SEEDANCE2_I2V,
    "bytedance/seedance-2.0/fast/image-to-video": SEEDANCE2_FAST_I2V,
    "bytedance/seedance-2.0/reference-to-video": SEEDANCE2_R2V,
    "bytedance/seedance-2.0/fast/reference-to-video": SEEDANCE2_R2V,
    # PixVerse
    **_pixverse("v5", (5, 8)),
    **_pixverse("v5.5", (5, 8, 10), audio=True),
    **_pixverse("v5.6", (5, 8, 10), audio=True),
    "fal-ai/pixverse/swap": PIXVERSE_SWAP,
    # LTX-2 (ltx-2, ltx-2.3; the 19b open-weights endpoints count frames and stay generic)
    "fal-ai/ltx-2/": LTX2,
    "fal-ai/ltx-2/text-to-video/fast": LTX2_FAST,
    "fal-ai/ltx-2/image-to-video": LTX2_I2V,
    "fal-ai/ltx-2/image-to-video/fast": LTX2_FAST_I2V,
    "fal-ai/ltx-2.3/": LTX2,
    "fal-ai/ltx-2.3/text-to-video/fast": LTX2_FAST,
    "fal-ai/ltx-2.3/image-to-video": LTX23_I2V,
    "fal-ai/ltx-2.3/image-to-video/fast": LTX23_FAST_I2V,
    # Luma Ray 2
    "fal-ai/luma-dream-machine/ray-2": LUMA_RAY2,
    "fal-ai/luma-dream-machine/ray-2/image-to-video": LUMA_RAY2_I2V,
    "fal-ai/luma-dream-machine/ray-2-flash": LUMA_RAY2_FLASH,
    "fal-ai/luma-dream-machine/ray-2-flash/image-to-video": LUMA_RAY2_FLASH_I2V,
    # Happy Horse
    "alibaba/happy-horse/": HAPPY_HORSE,
    "alibaba/happy-horse/image-to-video": HAPPY_HORSE_I2V,
    "alibaba/happy-horse/reference-to-video": HAPPY_HORSE_R2V,
}

register_provider_field_mapping(PROVIDER, VIDEO_FAMILIES)


# -- Images ----------------------------------------------------------------------------

FLUX_SIZES = {
    "1:1": "square_hd",
    "4:3": "landscape_4_3",
    "16:9": "landscape_16_9",
    "9:16": "portrait_16_9",
}
"""Flux's ``image_size`` presets for the unified aspect ratios (fal's flux pages)."""

_SIZE = re.compile(r"^\s*(\d{2,5})\s*[xX\u00d7]\s*(\d{2,5})\s*$")


@dataclass(frozen=True)
class ImageFamily:
    """How a fal image model takes size, count and references.

    ``size_style``: ``"image_size"`` takes a preset or ``{width, height}`` (flux, seedream,
    recraft); ``"aspect_ratio"`` takes the ratio string (nano-banana, imagen).
    """

    size_style: Literal["image_size", "aspect_ratio"]
    presets: Mapping[str, str] | None = None
    count_field: str | None = "num_images"
    negative_prompt: bool = True
    style_field: str | None = None
    image_field: str | None = "image_urls"


IMAGE_FAMILIES: dict[str, ImageFamily] = {
    # flux, flux-pro, flux-2, flux-lora, flux-kontext: image_size presets or
    # {width, height}, num_images, seed; no negative prompt.
    "fal-ai/flux": ImageFamily("image_size", presets=FLUX_SIZES, negative_prompt=False),
    # nano-banana: aspect_ratio and num_images; edits take image_urls (unverified).
    "fal-ai/nano-banana": ImageFamily("aspect_ratio", negative_prompt=False),
    # recraft v3: image_size presets and a style (unverified).
    "fal-ai/recraft": ImageFamily(
        "image_size", presets=FLUX_SIZES, negative_prompt=False, style_field="style"
    ),
    "": ImageFamily("image_size", presets=FLUX_SIZES),
}


def image_family_for(model: str) -> ImageFamily:
    """The longest-prefix image family for ``model`` (the generic one if none match)."""
    best = max((prefix for prefix in IMAGE_FAMILIES if model.startswith(prefix)), key=len)
    return IMAGE_FAMILIES[best]


def _image_size(family: ImageFamily, request: ImageGenerationRequest, model: str) -> Any:
    if request.size:
        match = _SIZE.match(request.size)
        if match is None:
            raise ValidationError(
                f"size must look like 1024x768, not {request.size!r}",
                param="size",
                provider=PROVIDER,
                model=model,
            )
        width, height = int(match.group(1)), int(match.group(2))
        if family.size_style == "image_size":
            return {"width": width, "height": height}
        raise ValidationError(
            f"{model} takes an aspect_ratio, not a pixel size",
            param="size",
            provider=PROVIDER,
            model=model,
        )
    if request.aspect_ratio is None:
        return None
    if family.size_style == "aspect_ratio":
        return request.aspect_ratio
    presets = family.presets or {}
    if request.aspect_ratio not in presets:
        raise ValidationError(
            f"{model} does not support aspect ratio {request.aspect_ratio}; "
            f"allowed: {', '.join(presets)}",
            param="aspect_ratio",
            provider=PROVIDER,
            model=model,
        )
    return presets[request.aspect_ratio]


def build_image_payload(request: ImageGenerationRequest, *, model: str) -> dict[str, Any]:
    """The fal input for an image request; impossible asks raise ValidationError first."""
    family = image_family_for(model)
    payload: dict[str, Any] = {"prompt": request.prompt}
    size = _image_size(family, request, model)
    if size is not None:
        payload[family.size_style] = size
    if request.n != 1:
        if family.count_field is None:
            raise ValidationError(
                f"{model} makes one image per request",
                param="n",
                provider=PROVIDER,
                model=model,
            )
        payload[family.count_field] = request.n
    if request.seed is not None:
        payload["seed"] = request.seed
    if request.negative_prompt is not None:
        if not family.negative_prompt:
            raise ValidationError(
                f"{model} does not take a negative prompt",
                param="negative_prompt",
                provider=PROVIDER,
                model=model,
            )
        payload["negative_prompt"] = request.negative_prompt
    if request.style is not None and family.style_field is not None:
        payload[family.style_field] = request.style
    if request.image_list:
        if family.image_field is None:
            raise ValidationError(
                f"{model} does not take input images",
                param="image_list",
                provider=PROVIDER,
                model=model,
            )
        payload[family.image_field] = [image.image for image in request.image_list]
    if request.mask_image is not None:
        payload["mask_url"] = request.mask_image
    return merge_extra_params(
        payload,
        request.extra_params,
        protected=image_protected(family),
        provider=PROVIDER,
        model=model,
    )


def image_protected(family: ImageFamily) -> dict[str, str | None]:
    """The fal image fields extras may not set: size and count are what is billed."""
    protected: dict[str, str | None] = {
        **IMAGE_PARAMS,
        "image_size": "size",
        "aspect_ratio": "aspect_ratio",
        "num_images": "n",
        "mask_url": "mask_image",
    }
    if family.count_field is not None:
        protected[family.count_field] = "n"
    if family.image_field is not None:
        protected[family.image_field] = "image_list"
    if family.style_field is not None:
        protected[family.style_field] = "style"
    return protected
