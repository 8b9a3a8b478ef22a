"""Runway's video models: what each one takes on each endpoint, and its defaults.

Runway answers 400 ("Invalid parameter") for a field a model does not take, so every
model has its own table here, one row per endpoint, and nothing is sent that its row
does not list. Source: the official SDK, runwayml 5.24 (``types/image_to_video_create_
params.py`` and ``types/text_to_video_create_params.py``, one TypedDict per model), read
on 2026-12-03; ``veo3`` is not in 5.24's create params and comes from runwayml 5.13
(2026-07-27), where it took a first frame on ``/v1/image_to_video`` and 8 s only.

Defaults: the SDK documents none for most models (it marks ``duration`` and ``ratio``
required for some). Where Runway requires a field, or the gateway must know the length
it bills, the value below is sent explicitly; each row says where it comes from.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

Position = Literal["first", "last"]

SEED = "seed"
AUDIO = "audio"
NEGATIVE = "negativePrompt"

GEN4_RATIOS = ("1280:720", "720:1280", "1104:832", "832:1104", "960:960", "1584:672")
VEO_RATIOS = ("1280:720", "720:1280", "1920:1080", "1080:1920")
SEEDANCE_FAST_RATIOS = (
    "992:432",
    "864:496",
    "752:560",
    "640:640",
    "560:752",
    "496:864",
    "1470:630",
    "1280:720",
    "1112:834",
    "960:960",
    "834:1112",
    "720:1280",
)
SEEDANCE_RATIOS = (
    *SEEDANCE_FAST_RATIOS,
    "2206:946",
    "1920:1080",
    "1664:1248",
    "1440:1440",
    "1248:1664",
    "1080:1920",
    "3840:1646",
    "3840:2160",
    "3840:2880",
    "3840:3840",
    "2880:3840",
    "2160:3840",
)
HAPPYHORSE_TEXT_RATIOS = (
    "1280:720",
    "720:1280",
    "960:960",
    "1108:832",
    "832:1108",
    "1920:1080",
    "1080:1920",
    "1440:1440",
    "1662:1248",
    "1248:1662",
)


WAN_RATIOS = (
    "832:480",
    "720:544",
    "624:624",
    "544:720",
    "480:832",
    "1280:720",
    "1104:832",
    "960:960",
    "832:1104",
    "720:1280",
    "1920:1080",
    "1648:1248",
    "1440:1440",
    "1248:1648",
    "1080:1920",
)
SEEDANCE_2_5_RATIOS = (
    "992:432",
    "854:480",
    "752:560",
    "640:640",
    "560:752",
    "480:854",
    "1470:630",
    "1280:720",
    "1112:834",
    "960:960",
    "834:1112",
    "720:1280",
    "2206:946",
    "1920:1080",
    "1664:1248",
    "1440:1440",
    "1248:1664",
    "1080:1920",
)
GROK_LITE_TEXT_RATIOS = (
    "848:480",
    "480:848",
    "480:480",
    "640:480",
    "480:640",
    "720:480",
    "480:720",
    "1280:720",
    "720:1280",
    "720:720",
    "960:720",
    "720:960",
    "1088:720",
    "720:1088",
    "1904:1072",
    "1072:1904",
    "1424:1424",
    "1648:1232",
    "1232:1648",
    "1744:1152",
    "1152:1744",
)
KLING_4_TEXT_RATIOS = (
    "1280:720",
    "720:1280",
    "940:940",
    "1460:624",
    "1920:1080",
    "1080:1920",
    "1440:1440",
    "2200:940",
)
KLING_4K_RATIOS = ("3840:2160", "2160:3840", "2880:2880")
KLING_PRO_RATIOS = ("1920:1080", "1080:1920", "1440:1440")
KLING_STANDARD_RATIOS = ("1280:720", "720:1280", "960:960")
ASPECTS = ("21:9", "16:9", "4:3", "1:1", "9:16")
"""Aspect ratios written as such in ``ratio`` (Hailuo 3, Grok Imagine text-to-video)."""
AUTO_TIERS = (("480p", "auto_480p"), ("720p", "auto_720p"), ("1080p", "auto_1080p"))
"""``ratio`` values that pick a tier and keep the input image's framing."""
SAME_TIERS = (("480p", "480p"), ("720p", "720p"), ("1080p", "1080p"))


@dataclass(frozen=True)
class Endpoint:
    """One model on one endpoint (``/v1/image_to_video`` or ``/v1/text_to_video``).

    ``options`` are the optional unified-mapped wire fields it takes (seed, audio,
    negativePrompt). The size goes in one of three ways, or several: ``ratios``, pixel
    ratios in ``ratio`` ("1280:720"); ``aspects``, aspect ratios in ``ratio`` ("16:9");
    ``tiers``, unified resolution → the value for ``tier_field`` ("720p" → "768p" in
    ``resolution``, or → "auto_720p" in ``ratio``; the output then keeps the input
    image's framing). An endpoint with none takes no size at all (Kling 2.5 image-to-
    video follows the image). ``positions`` are the ``promptImage`` positions.
    """

    options: frozenset[str] = frozenset()
    ratios: tuple[str, ...] = ()
    aspects: tuple[str, ...] = ()
    tiers: tuple[tuple[str, str], ...] = ()
    tier_field: Literal["resolution", "ratio"] = "resolution"
    positions: tuple[Position, ...] = ()


@dataclass(frozen=True)
class RunwayModel:
    """A Runway video model: its endpoints, lengths, defaults and price."""

    image: Endpoint | None
    """``/v1/image_to_video``; None if the model has no image-to-video."""
    text: Endpoint | None
    """``/v1/text_to_video``; None if the model needs an input image."""
    durations: tuple[int, ...] | None
    """Lengths it makes; None where neither Runway nor the model's maker publishes a
    range we could read (Runway then judges the value)."""
    default_duration: int | None
    """Sent when the request names no length; None: the field is left out and Runway
    uses its own default (undocumented), so the response reports no duration."""
    default_resolution: str = "720p"
    default_aspect_ratio: str = "16:9"
    price_per_second: float | None = None
    """Published credits per second at $0.01 a credit (upper bound where audio or
    resolution changes the price); None where we could read no published price."""
    always_audio: bool = False
    """The model always renders sound and has no ``audio`` switch (Veo 3)."""
    max_prompt: int | None = None
    """Longest ``promptText`` in UTF-16 code units (runwayml 5.24 docstrings: "up to
    1000 characters (measured in UTF-16 code units)"); None where none is stated."""


_FIRST: tuple[Position, ...] = ("first",)
_BOTH: tuple[Position, ...] = ("first", "last")
_SEED_AUDIO = frozenset({SEED, AUDIO})
_AUDIO = frozenset({AUDIO})
_VEO31 = frozenset({SEED, AUDIO, NEGATIVE})


def _same(
    ratios: tuple[str, ...],
    options: frozenset[str] = frozenset(),
    positions: tuple[Position, ...] = _BOTH,
) -> tuple[Endpoint, Endpoint]:
    """(image, text) endpoints that take the same ratios and options."""
    return (
        Endpoint(options, ratios, positions=positions),
        Endpoint(options, ratios),
    )


def _model(
    endpoints: tuple[Endpoint | None, Endpoint | None],
    durations: tuple[int, ...] | None,
    default_duration: int | None,
    *,
    default_resolution: str = "720p",
    price_per_second: float | None = None,
    always_audio: bool = False,
    max_prompt: int | None = None,
) -> RunwayModel:
    image, text = endpoints
    return RunwayModel(
        image,
        text,
        durations,
        default_duration,
        default_resolution=default_resolution,
        price_per_second=price_per_second,
        always_audio=always_audio,
        max_prompt=max_prompt,
    )


MODELS: dict[str, RunwayModel] = {
    # gen4.5: duration (2-10, "Must be an integer from 2 to 10") and ratio are required
    # on both endpoints; 5 s is the value of Runway's own examples (rw-api-reference).
    "gen4.5": _model(
        (
            Endpoint(frozenset({SEED}), GEN4_RATIOS, positions=_FIRST),
            Endpoint(frozenset({SEED}), ("1280:720", "720:1280")),
        ),
        tuple(range(2, 11)),
        5,
        price_per_second=0.12,
        max_prompt=1000,
    ),
    # gen4_turbo: image-to-video only; Runway's reference gives 2-10 s for video.
    "gen4_turbo": _model(
        (Endpoint(frozenset({SEED}), GEN4_RATIOS, positions=_FIRST), None),
        tuple(range(2, 11)),
        5,
        price_per_second=0.05,
        max_prompt=1000,
    ),
    # veo3.1 / veo3.1_fast: 4 | 6 | 8 s (8 s is Veo's own default), ratio required,
    # first and last frame; runwayml 5.24 lists seed on both endpoints (5.13 had none).
    "veo3.1": _model(
        _same(VEO_RATIOS, _VEO31), (4, 6, 8), 8, price_per_second=0.40, max_prompt=1000
    ),
    "veo3.1_fast": _model(
        _same(VEO_RATIOS, _VEO31), (4, 6, 8), 8, price_per_second=0.15, max_prompt=1000
    ),
    # veo3 (runwayml 5.13): duration 8 required, ratio required, first frame only, no
    # seed and no audio switch (it always renders sound).
    "veo3": _model(
        _same(VEO_RATIOS, frozenset({NEGATIVE}), _FIRST),
        (8,),
        8,
        price_per_second=0.40,
        always_audio=True,
        max_prompt=1000,
    ),
    # Seedance 2.0: ByteDance documents 4-15 s, 5 s by default (Runway: int or "auto");
    # ratio optional in runwayml 5.24, sent so the size is known.
    "seedance2": _model(
        _same(SEEDANCE_RATIOS, _SEED_AUDIO), tuple(range(4, 16)), 5, max_prompt=3500
    ),
    "seedance2_fast": _model(
        _same(SEEDANCE_FAST_RATIOS, _SEED_AUDIO), tuple(range(4, 16)), 5, max_prompt=3500
    ),
    "seedance2_mini": _model(
        _same(SEEDANCE_FAST_RATIOS, _SEED_AUDIO), tuple(range(4, 16)), 5, max_prompt=3500
    ),
    # Seedance 2.5: "Defaults to 5" (runwayml 5.24 text_to_video); no range published.
    "seedance2_5": _model(_same(SEEDANCE_2_5_RATIOS, _SEED_AUDIO), None, 5, max_prompt=15000),
    # happyhorse_1_0: image-to-video sizes by tier (720P | 1080P; the output follows the
    # image), text-to-video by ratio; no seed. 3-15 s, 5 s and 1080P by default
    # (HappyHorse 1.0's published schema; Runway's SDK names no range).
    "happyhorse_1_0": _model(
        (
            Endpoint(tiers=(("720p", "720P"), ("1080p", "1080P")), positions=_FIRST),
            Endpoint(ratios=HAPPYHORSE_TEXT_RATIOS),
        ),
        tuple(range(3, 16)),
        5,
        default_resolution="1080p",
        max_prompt=2500,
    ),
    # gemini_omni_flash: 3-10 s ("a whole number from 3 to 10"), 1280:720 | 720:1280,
    # first frame only, nothing else. Runway names no default length; 8 s is sent (the
    # Veo family's default, Google's other video model).
    "gemini_omni_flash": _model(
        _same(("1280:720", "720:1280"), positions=_FIRST), tuple(range(3, 11)), 8
    ),
    # gemini_omni_flash_1.1: 3-10 s or "auto"; no default named, so 8 s is sent as for
    # gemini_omni_flash (a restricted, billed length always has a default).
    "gemini_omni_flash_1.1": _model(
        _same(("640:360", "360:640", *VEO_RATIOS, "3840:2160", "2160:3840")),
        tuple(range(3, 11)),
        8,
    ),
    # Kling (runwayml 5.24): audio, first and last frame; no length range published
    # on Runway, so Runway judges it and picks the default.
    "klingO3_4k": _model(_same(KLING_4K_RATIOS, _AUDIO), None, None, default_resolution="4k"),
    "kling3.0_4k": _model(_same(KLING_4K_RATIOS, _AUDIO), None, None, default_resolution="4k"),
    "klingO3_pro": _model(_same(KLING_PRO_RATIOS, _AUDIO), None, None, default_resolution="1080p"),
    "kling3.0_pro": _model(_same(KLING_PRO_RATIOS, _AUDIO), None, None, default_resolution="1080p"),
    "klingO3_standard": _model(_same(KLING_STANDARD_RATIOS, _AUDIO), None, None),
    "kling3.0_standard": _model(_same(KLING_STANDARD_RATIOS, _AUDIO), None, None),
    # kling2.5_turbo_pro: 5 | 10 s, "Defaults to 5"; image-to-video takes no ratio (the
    # output follows the image).
    "kling2.5_turbo_pro": _model(
        (
            Endpoint(positions=_BOTH),
            Endpoint(
                ratios=("1920:1080", "1440:1440", "1080:1920", "1280:720", "720:720", "720:1280")
            ),
        ),
        (5, 10),
        5,
    ),
    # kling_4: image-to-video picks a tier and keeps the image's framing (auto_720p |
    # auto_1080p; middle frames are not a unified role); text-to-video by pixel ratio.
    "kling_4": _model(
        (
            Endpoint(tiers=AUTO_TIERS[1:], tier_field="ratio", positions=_BOTH),
            Endpoint(ratios=KLING_4_TEXT_RATIOS),
        ),
        None,
        None,
    ),
    # hailuo3 (MiniMax): aspect ratios as such plus a 768p tier ("2k" is no unified
    # size); first and last frame.
    "hailuo3": _model(
        (
            Endpoint(aspects=ASPECTS, tiers=(("720p", "768p"),), positions=_BOTH),
            Endpoint(aspects=ASPECTS, tiers=(("720p", "768p"),)),
        ),
        None,
        None,
    ),
    # h3_max (MiniMax): 480p | 768p, seed, first and last frame; no ratio.
    "h3_max": _model(
        (
            Endpoint(
                frozenset({SEED}), tiers=(("480p", "480p"), ("720p", "768p")), positions=_BOTH
            ),
            Endpoint(frozenset({SEED}), tiers=(("480p", "480p"), ("720p", "768p"))),
        ),
        None,
        None,
    ),
    # grok_imagine_1_5: image-to-video by tier (the output keeps the image's shape),
    # text-to-video by aspect ratio and tier.
    "grok_imagine_1_5": _model(
        (
            Endpoint(tiers=SAME_TIERS, positions=_FIRST),
            Endpoint(aspects=("1:1", "16:9", "9:16", "4:3"), tiers=SAME_TIERS),
        ),
        None,
        None,
    ),
    "grok_imagine_1_5_lite": _model(
        (
            Endpoint(tiers=AUTO_TIERS, tier_field="ratio", positions=_FIRST),
            Endpoint(ratios=GROK_LITE_TEXT_RATIOS),
        ),
        None,
        None,
    ),
    # wan3 / wan3_prime: keyframe image-to-video "must use auto_480p, auto_720p or
    # auto_1080p"; text-to-video by pixel ratio; audio on both.
    "wan3": _model(
        (
            Endpoint(_AUDIO, tiers=AUTO_TIERS, tier_field="ratio", positions=_BOTH),
            Endpoint(_AUDIO, WAN_RATIOS),
        ),
        None,
        None,
    ),
    "wan3_prime": _model(
        (
            Endpoint(_AUDIO, tiers=AUTO_TIERS, tier_field="ratio", positions=_BOTH),
            Endpoint(_AUDIO, WAN_RATIOS),
        ),
        None,
        None,
    ),
}
"""Every Runway video model the gateway knows, by exact model id."""


_TIERS = {"360p": 360, "480p": 480, "720p": 720, "1080p": 1080, "4k": 2160}
_ASPECTS = {"16:9": 16 / 9, "9:16": 9 / 16, "1:1": 1.0, "4:3": 4 / 3, "21:9": 21 / 9}


def size_of(ratio: str) -> tuple[str, str] | None:
    """(resolution, aspect ratio) of a pixel ratio such as ``"1104:832"`` (720p 4:3).

    The resolution is the tier whose 16:9 frame has the closest area (so a 624:624
    square is 480p and 960:960 is 720p); the aspect ratio is the closest unified one on
    a log scale. None for ratios no unified size names (3:4 portrait, 9:21, ``auto_*``)."""
    width_text, _, height_text = ratio.partition(":")
    if not (width_text.isdigit() and height_text.isdigit()):
        return None
    width, height = int(width_text), int(height_text)
    if min(width, height) < 100:  # "16:9" is an aspect ratio, not a pixel ratio
        return None
    short_side = math.sqrt(width * height * 9 / 16)
    tier = min(_TIERS, key=lambda name: abs(_TIERS[name] - short_side))
    shape = width / height
    aspect = min(_ASPECTS, key=lambda name: abs(math.log(_ASPECTS[name] / shape)))
    if abs(math.log(_ASPECTS[aspect] / shape)) > 0.1:
        return None
    return tier, aspect


def sizes(ratios: tuple[str, ...]) -> dict[tuple[str, str], str]:
    """(resolution, aspect ratio) → the first pixel ratio of ``ratios`` that makes it."""
    table: dict[tuple[str, str], str] = {}
    for ratio in ratios:
        size = size_of(ratio)
        if size is not None:
            table.setdefault(size, ratio)
    return table
