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


@dataclass(frozen=True)
class Endpoint:
    """One model on one endpoint (``/v1/image_to_video`` or ``/v1/text_to_video``).

    ``options`` are the optional unified-mapped wire fields it takes (seed, audio,
    negativePrompt); ``ratios`` the ``ratio`` values it takes (empty: no ``ratio``
    field); ``resolutions`` the values of its ``resolution`` field, if it sizes by tier
    (the output then follows the input image); ``positions`` the ``promptImage``
    positions (image-to-video only).
    """

    options: frozenset[str] = frozenset()
    ratios: tuple[str, ...] = ()
    resolutions: tuple[str, ...] = ()
    positions: tuple[Position, ...] = ()


@dataclass(frozen=True)
class RunwayModel:
    """A Runway video model: its endpoints, lengths, defaults and price."""

    durations: tuple[int, ...]
    default_duration: int
    image: Endpoint | None
    """``/v1/image_to_video``; None if the model has no image-to-video."""
    text: Endpoint | None
    """``/v1/text_to_video``; None if the model needs an input image."""
    price_per_second: float | None = None
    """Published credits per second at $0.01 a credit (upper bound where audio or
    resolution changes the price); None where Runway's table gives none we could read."""
    default_ratio: str = "1280:720"
    """Sent when the request names no size (16:9 at 720p on every model here)."""
    default_tier: str = "720P"
    """Sent in ``resolution`` by tier-sized endpoints when the request names none."""
    always_audio: bool = False
    """The model always renders sound and has no ``audio`` switch (Veo 3)."""


_FIRST: tuple[Position, ...] = ("first",)
_BOTH: tuple[Position, ...] = ("first", "last")


def _seedance(ratios: tuple[str, ...], price: float | None) -> RunwayModel:
    # ByteDance documents 4-15 s and 5 s by default for Seedance 2.0 (Runway: int or
    # "auto"); ratios from runwayml 5.24 Seedance2* (optional there; sent for billing).
    both = Endpoint(frozenset({SEED, AUDIO}), ratios)
    return RunwayModel(
        durations=tuple(range(4, 16)),
        default_duration=5,
        image=Endpoint(both.options, ratios, positions=_BOTH),
        text=both,
        price_per_second=price,
    )


MODELS: dict[str, RunwayModel] = {
    # gen4.5: duration (2-10, "Must be an integer from 2 to 10") and ratio are required
    # on both endpoints; 5 s is the value of Runway's own examples (rw-api-reference).
    "gen4.5": RunwayModel(
        durations=tuple(range(2, 11)),
        default_duration=5,
        image=Endpoint(frozenset({SEED}), GEN4_RATIOS, positions=_FIRST),
        text=Endpoint(frozenset({SEED}), ("1280:720", "720:1280")),
        price_per_second=0.12,
    ),
    # gen4_turbo: image-to-video only; Runway's reference gives 2-10 s for video.
    "gen4_turbo": RunwayModel(
        durations=tuple(range(2, 11)),
        default_duration=5,
        image=Endpoint(frozenset({SEED}), GEN4_RATIOS, positions=_FIRST),
        text=None,
        price_per_second=0.05,
    ),
    # veo3.1 / veo3.1_fast: 4 | 6 | 8 s (8 s is Veo's own default), ratio required,
    # first and last frame; runwayml 5.24 lists seed on both endpoints (5.13 had none).
    "veo3.1": RunwayModel(
        durations=(4, 6, 8),
        default_duration=8,
        image=Endpoint(frozenset({SEED, AUDIO, NEGATIVE}), VEO_RATIOS, positions=_BOTH),
        text=Endpoint(frozenset({SEED, AUDIO, NEGATIVE}), VEO_RATIOS),
        price_per_second=0.40,
    ),
    "veo3.1_fast": RunwayModel(
        durations=(4, 6, 8),
        default_duration=8,
        image=Endpoint(frozenset({SEED, AUDIO, NEGATIVE}), VEO_RATIOS, positions=_BOTH),
        text=Endpoint(frozenset({SEED, AUDIO, NEGATIVE}), VEO_RATIOS),
        price_per_second=0.15,
    ),
    # veo3 (runwayml 5.13): duration 8 required, ratio required, first frame only, no
    # seed and no audio switch (it always renders sound).
    "veo3": RunwayModel(
        durations=(8,),
        default_duration=8,
        image=Endpoint(frozenset({NEGATIVE}), VEO_RATIOS, positions=_FIRST),
        text=Endpoint(frozenset({NEGATIVE}), VEO_RATIOS),
        price_per_second=0.40,
        always_audio=True,
    ),
    "seedance2": _seedance(SEEDANCE_RATIOS, None),
    "seedance2_fast": _seedance(SEEDANCE_FAST_RATIOS, None),
    "seedance2_mini": _seedance(SEEDANCE_FAST_RATIOS, None),
    # happyhorse_1_0: image-to-video sizes by tier (720P | 1080P; the output follows the
    # image), text-to-video by ratio; no seed. 3-15 s, 5 s and 1080P by default
    # (HappyHorse 1.0's published schema; Runway's SDK names no range).
    "happyhorse_1_0": RunwayModel(
        durations=tuple(range(3, 16)),
        default_duration=5,
        image=Endpoint(resolutions=("720P", "1080P"), positions=_FIRST),
        text=Endpoint(ratios=HAPPYHORSE_TEXT_RATIOS),
        default_ratio="1920:1080",
        default_tier="1080P",
    ),
    # gemini_omni_flash: 3-10 s ("a whole number from 3 to 10"), 1280:720 | 720:1280,
    # first frame only, nothing else. Runway names no default length; 8 s is sent (the
    # Veo family's default, Google's other video model).
    "gemini_omni_flash": RunwayModel(
        durations=tuple(range(3, 11)),
        default_duration=8,
        image=Endpoint(ratios=("1280:720", "720:1280"), positions=_FIRST),
        text=Endpoint(ratios=("1280:720", "720:1280")),
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
