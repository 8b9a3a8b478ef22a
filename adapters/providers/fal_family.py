"""How one fal video model family is described: the shared value sets and the
:func:`family` builder every fal table uses."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from tarash_gateway.adapters.field_mappers import (
    Capabilities,
    DurationFormat,
    FieldMap,
    ModelMapping,
)
from tarash_gateway.adapters.models import ImageRole

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


def frames_at_16fps(seconds: int) -> int:
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


@dataclass(frozen=True, kw_only=True)
class FalFamily:
    """One fal family's inputs and limits, in unified terms.

    A ``*_field`` of None means the endpoint has no such input: the capability still
    restricts what may be asked (a fixed 6 s model lists ``durations=(6,)``), but nothing
    is sent. ``audio_field=None`` with ``audio=True`` is a model that always makes sound.
    ``default_*`` are the endpoint's own documented defaults (what fal makes when the
    field is left out), in unified terms; None where fal picks from the input (``auto``).
    ``prompt_field=None``: the endpoint takes no prompt (swap, animate), so none is sent.
    """

    durations: tuple[int, ...] | None
    duration_format: DurationFormat = "string"
    duration_field: str | None = "duration"
    duration_transform: Callable[[Any], Any] | None = None
    resolutions: tuple[str, ...] | None = None
    resolution_field: str | None = "resolution"
    resolution_names: Mapping[str, str] | None = None
    aspect_ratios: tuple[str, ...] | None = None
    aspect_field: str | None = "aspect_ratio"
    audio: bool = False
    audio_field: str | None = "generate_audio"
    seed: bool = False
    negative_prompt: bool = False
    enhance_field: str | None = None
    images: Mapping[ImageRole, str] | None = None
    image_lists: frozenset[str] = frozenset()
    video_field: str | None = None
    video_required: bool = False
    video_list: bool = False
    text_to_video: bool = True
    price_per_second: float | None = None
    default_duration: int | None = None
    default_resolution: str | None = None
    default_aspect_ratio: str | None = None
    prompt_field: str | None = "prompt"

    def rows(self) -> tuple[FieldMap, ...]:
        """The unified fields this endpoint takes, under its own names."""
        rows = [FieldMap("prompt", self.prompt_field, required=True)] if self.prompt_field else []
        if self.duration_field is not None:
            transform = self.duration_transform
            rows.append(FieldMap("duration_seconds", self.duration_field, transform=transform))
        if self.resolution_field is not None:
            rename = _rename(self.resolution_names) if self.resolution_names else None
            rows.append(FieldMap("resolution", self.resolution_field, transform=rename))
        if self.aspect_field is not None:
            rows.append(FieldMap("aspect_ratio", self.aspect_field))
        if self.audio and self.audio_field is not None:
            rows.append(FieldMap("generate_audio", self.audio_field))
        if self.seed:
            rows.append(FieldMap("seed", "seed"))
        if self.negative_prompt:
            rows.append(FieldMap("negative_prompt", "negative_prompt"))
        if self.enhance_field is not None:
            rows.append(FieldMap("enhance_prompt", self.enhance_field))
        if self.video_required and self.video_field is not None:
            wrap = _one_item_list if self.video_list else None
            rows.append(FieldMap("video", self.video_field, transform=wrap, required=True))
        return tuple(rows)

    def mapping(self) -> ModelMapping:
        """The family as the :class:`ModelMapping` the field mappers register."""
        return ModelMapping(
            fields=self.rows(),
            capabilities=Capabilities(
                durations=self.durations,
                resolutions=self.resolutions,
                aspect_ratios=self.aspect_ratios,
                audio=self.audio,
                image_roles=tuple(self.images or {}),
                video_input=self.video_field is not None,
                text_to_video=self.text_to_video,
                price_per_second=self.price_per_second,
                default_duration=self.default_duration,
                default_resolution=self.default_resolution,
                default_aspect_ratio=self.default_aspect_ratio,
            ),
            image_fields={role: name for role, name in (self.images or {}).items()},
            list_image_fields=self.image_lists,
            duration_format=self.duration_format,
            video_field=None if self.video_required else self.video_field,
            reserved=RESERVED,
        )


def family(**spec: Any) -> ModelMapping:
    """One fal family as a :class:`ModelMapping` (each keyword is a :class:`FalFamily`
    field; an unknown one fails at import, where every table is built)."""
    return FalFamily(**spec).mapping()


def with_fast(prefix: str, mapping: ModelMapping) -> dict[str, ModelMapping]:
    """Veo endpoints come in pairs (``…/image-to-video`` and ``…/fast/image-to-video``)."""
    head, _, tail = prefix.rpartition("/")
    return {prefix: mapping, f"{head}/fast/{tail}": mapping}


def tiered(
    prefix: str, tiers: tuple[str, ...], endpoint: str, mapping: ModelMapping
) -> dict[str, ModelMapping]:
    """The same endpoint under each tier path (``…/pro/image-to-video``, ``…/standard/…``)."""
    return {f"{prefix}/{tier}/{endpoint}".replace("//", "/"): mapping for tier in tiers}
