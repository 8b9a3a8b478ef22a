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

from typing import Any

from tarash_gateway.adapters.field_mappers import (
    ModelMapping,
    register_provider_field_mapping,
)
from tarash_gateway.adapters.models import ImageRole
from tarash_gateway.adapters.providers.fal_family import (
    LANDSCAPE_PORTRAIT,
    PIXVERSE_RESOLUTIONS,
    PROVIDER,
    SQUARE_TOO,
    family,
    frames_at_16fps,
    tiered,
    with_fast,
)
from tarash_gateway.adapters.providers.fal_kling_hailuo import (
    HAILUO02_FAST_I2V,
    HAILUO02_STANDARD_I2V,
    HAILUO_PRO,
    HAILUO_PRO_I2V,
    HAILUO_STANDARD,
    HAILUO_STANDARD_I2V,
    KLING,
    KLING25_TURBO,
    KLING25_TURBO_PRO_I2V,
    KLING25_TURBO_STANDARD_I2V,
    KLING26,
    KLING26_I2V,
    KLING_I2V,
    KLING_O1,
    KLING_O1_I2V,
    KLING_O1_R2V,
    KLING_O3,
    KLING_O3_I2V,
    KLING_O3_R2V,
    KLING_STANDARD_I2V,
    KLING_V3,
    KLING_V3_I2V,
    MINIMAX_VIDEO01,
    MINIMAX_VIDEO01_I2V,
)
from tarash_gateway.adapters.providers.fal_veo_sora import (
    SORA2,
    SORA2_I2V,
    SORA2_PRO,
    SORA2_PRO_I2V,
    SORA2_REMIX,
    VEO3,
    VEO3_I2V,
    VEO31,
    VEO31_EXTEND,
    VEO31_FAST,
    VEO31_FLF,
    VEO31_I2V,
    VEO31_LITE,
    VEO31_LITE_FLF,
    VEO31_LITE_I2V,
    VEO31_R2V,
)

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
    "duration_transform": frames_at_16fps,
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
    **with_fast("fal-ai/veo3/image-to-video", VEO3_I2V),
    "fal-ai/veo3.1": VEO31,
    "fal-ai/veo3.1/fast": VEO31_FAST,
    **with_fast("fal-ai/veo3.1/image-to-video", VEO31_I2V),
    **with_fast("fal-ai/veo3.1/first-last-frame-to-video", VEO31_FLF),
    "fal-ai/veo3.1/reference-to-video": VEO31_R2V,
    **with_fast("fal-ai/veo3.1/extend-video", VEO31_EXTEND),
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
    **tiered("fal-ai/kling-video/v1", ("standard", "pro"), "image-to-video", KLING_I2V),
    "fal-ai/kling-video/v1.5/pro/image-to-video": KLING_I2V,
    "fal-ai/kling-video/v1.6/pro/image-to-video": KLING_I2V,
    "fal-ai/kling-video/v1.6/standard/image-to-video": KLING_STANDARD_I2V,
    **tiered("fal-ai/kling-video/v2.1", ("standard", "pro", "master"), "image-to-video", KLING_I2V),
    "fal-ai/kling-video/v2.5-turbo": KLING25_TURBO,
    "fal-ai/kling-video/v2.5-turbo/pro/image-to-video": KLING25_TURBO_PRO_I2V,
    "fal-ai/kling-video/v2.5-turbo/standard/image-to-video": KLING25_TURBO_STANDARD_I2V,
    "fal-ai/kling-video/v2.6": KLING26,
    **tiered("fal-ai/kling-video/v2.6", ("pro", "standard"), "image-to-video", KLING26_I2V),
    "fal-ai/kling-video/o1": KLING_O1,
    **tiered("fal-ai/kling-video/o1", ("", "pro", "standard"), "image-to-video", KLING_O1_I2V),
    **tiered("fal-ai/kling-video/o1", ("", "pro", "standard"), "reference-to-video", KLING_O1_R2V),
    "fal-ai/kling-video/v3": KLING_V3,
    **tiered("fal-ai/kling-video/v3", ("pro", "standard"), "image-to-video", KLING_V3_I2V),
    "fal-ai/kling-video/o3": KLING_O3,
    **tiered("fal-ai/kling-video/o3", ("pro", "standard"), "image-to-video", KLING_O3_I2V),
    **tiered("fal-ai/kling-video/o3", ("pro", "standard"), "reference-to-video", KLING_O3_R2V),
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
    **tiered("fal-ai/bytedance/seedance/v1", ("pro", "pro/fast"), "image-to-video", SEEDANCE_I2V),
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
