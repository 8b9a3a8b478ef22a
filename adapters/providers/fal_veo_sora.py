"""The fal tables of Google Veo and OpenAI Sora 2 (text, image and reference to video)."""

from __future__ import annotations

from typing import Any

from tarash_gateway.adapters.providers.fal_family import (
    LANDSCAPE_PORTRAIT,
    SQUARE_TOO,
    family,
)

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
