"""The fal tables of Kling and MiniMax Hailuo, the families with the most endpoint variants."""

from __future__ import annotations

from typing import Any

from tarash_gateway.adapters.providers.fal_family import (
    MINIMAX_RESOLUTIONS,
    SQUARE_TOO,
    family,
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
