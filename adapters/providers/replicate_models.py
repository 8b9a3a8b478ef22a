"""Replicate's model tables: each video model's field mapping (what the unified request
becomes in its input) and the adjustments some models need (Wan's sizes, Hailuo's
resolutions), registered under ``provider="replicate"`` at import time."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import replace
from typing import Any

from tarash_gateway.adapters.errors import (
    ValidationError,
)
from tarash_gateway.adapters.field_mappers import (
    Capabilities,
    FieldMap,
    ModelMapping,
    register_provider_field_mapping,
)
from tarash_gateway.adapters.models import (
    VideoGenerationRequest,
)

PROVIDER = "replicate"

Adjustment = Callable[[VideoGenerationRequest, dict[str, Any], str], None]
"""Family-specific step after the table: cross-field rules and combined fields."""

# -- field mappers -----------------------------------------------------------------------
# Input names, enums and defaults are those of each model's "API" page on replicate.com
# (replicate.com/<owner>/<name>/versions/<id>/api, read 2026-12-03; the emulator keeps the
# same schemas in ``SCHEMAS``, tests/emulators/replicate.py). Duration is an integer
# everywhere on Replicate. ``default_*`` are the models' own defaults: a request that
# names no duration, resolution or aspect ratio gets exactly what the model would make.

_PROMPT = FieldMap("prompt", "prompt", required=True)
_NEGATIVE = FieldMap("negative_prompt", "negative_prompt")
_SEED = FieldMap("seed", "seed")
_DURATION = FieldMap("duration_seconds", "duration")
_ASPECT = FieldMap("aspect_ratio", "aspect_ratio")
_RESOLUTION = FieldMap("resolution", "resolution")
_AUDIO = FieldMap("generate_audio", "generate_audio")
_OPTIMIZER = FieldMap("enhance_prompt", "prompt_optimizer")
_ALL_ASPECTS = ("16:9", "9:16", "1:1", "4:3", "21:9")

_HAILUO_RESOLUTIONS = {"480p": "512p", "720p": "768p", "1080p": "1080p"}
"""Hailuo's tiers are named by the short side (768p is 1366x768); each unified class maps
to the nearest tier."""


def _hailuo_resolution(value: str) -> str:
    return _HAILUO_RESOLUTIONS[value]


def _kling_mode(value: str) -> str:
    """Kling v2.1 picks its resolution by mode: standard is 720p, pro is 1080p."""
    return "pro" if value == "1080p" else "standard"


def _veo(*, last_frame: bool, references: bool) -> ModelMapping:
    images: dict[str, str] = {"first_frame": "image"}
    roles: list[Any] = ["first_frame"]
    if last_frame:
        images["last_frame"] = "last_frame"
        roles.append("last_frame")
    if references:
        images["reference"] = "reference_images"
        roles.append("reference")
    return ModelMapping(
        fields=(_PROMPT, _DURATION, _RESOLUTION, _ASPECT, _NEGATIVE, _SEED, _AUDIO),
        # google/veo-3.1 (version 9c6ca0c2): duration 4|6|8 default 8, resolution
        # 720p|1080p default 1080p, aspect_ratio 16:9|9:16 default 16:9.
        capabilities=Capabilities(
            durations=(4, 6, 8),
            resolutions=("720p", "1080p"),
            aspect_ratios=("16:9", "9:16"),
            audio=True,
            image_roles=tuple(roles),
            default_duration=8,
            default_resolution="1080p",
            default_aspect_ratio="16:9",
        ),
        image_fields=images,
        list_image_fields=frozenset({"reference_images"} if references else ()),
    )


def _kling(resolutions: tuple[str, ...] | None) -> ModelMapping:
    # kwaivgi/kling-v2.x text/image-to-video: duration 5|10 default 5, aspect_ratio
    # 16:9|9:16|1:1 default 16:9; the resolution is fixed per model (none is sent).
    return ModelMapping(
        fields=(_PROMPT, _NEGATIVE, _ASPECT, _DURATION),
        capabilities=Capabilities(
            durations=(5, 10),
            resolutions=resolutions,
            aspect_ratios=("16:9", "9:16", "1:1"),
            image_roles=("first_frame",),
            default_duration=5,
            default_resolution=resolutions[0] if resolutions else None,
            default_aspect_ratio="16:9",
        ),
        image_fields={"first_frame": "start_image"},
    )


def _hailuo(resolutions: tuple[str, ...], *, last_frame: bool) -> ModelMapping:
    """minimax/hailuo-2.3 (version 23a02633): duration 6|10 default 6 (10 only at 768p),
    resolution 768p|1080p default 768p; hailuo-02 adds 512p (image-to-video) and a last
    frame. No aspect ratio: 16:9 from text, the first frame's own shape from an image."""
    images = {"first_frame": "first_frame_image"}
    if last_frame:
        images["last_frame"] = "last_frame_image"
    return ModelMapping(
        fields=(
            _PROMPT,
            _DURATION,
            FieldMap("resolution", "resolution", transform=_hailuo_resolution),
            _OPTIMIZER,
        ),
        capabilities=Capabilities(
            durations=(6, 10),
            resolutions=resolutions,
            image_roles=("first_frame", "last_frame") if last_frame else ("first_frame",),
            default_duration=6,
            default_resolution="720p",
        ),
        image_fields=images,
    )


def _luma_ray2(resolutions: tuple[str, ...] | None) -> ModelMapping:
    # luma/ray-2-*: duration 5|9 default 5, aspect_ratio default 16:9, resolution in the name.
    return ModelMapping(
        fields=(_PROMPT, _DURATION, _ASPECT),
        capabilities=Capabilities(
            durations=(5, 9),
            resolutions=resolutions,
            aspect_ratios=_ALL_ASPECTS,
            image_roles=("first_frame", "last_frame"),
            default_duration=5,
            default_resolution=resolutions[0] if resolutions else None,
            default_aspect_ratio="16:9",
        ),
        image_fields={"first_frame": "start_image", "last_frame": "end_image"},
    )


_SEEDANCE_ASPECTS = ("16:9", "4:3", "1:1", "9:16", "21:9")


def _seedance(*, default_resolution: str | None, references: bool) -> ModelMapping:
    with_resolution = default_resolution is not None
    fields = [_PROMPT, _DURATION, _ASPECT, _SEED]
    if with_resolution:
        fields.insert(2, _RESOLUTION)
    else:
        fields.append(_AUDIO)
    images = {"first_frame": "image", "last_frame": "last_frame_image"}
    roles: list[Any] = ["first_frame", "last_frame"]
    if references:
        images["reference"] = "reference_images"
        roles.append("reference")
    return ModelMapping(
        fields=tuple(fields),
        capabilities=Capabilities(
            durations=tuple(range(2, 13)),
            resolutions=("480p", "720p", "1080p") if with_resolution else None,
            aspect_ratios=_SEEDANCE_ASPECTS,
            audio=not with_resolution,
            image_roles=tuple(roles),
            default_duration=5,
            default_resolution=default_resolution,
            default_aspect_ratio="16:9",
        ),
        image_fields=images,
        list_image_fields=frozenset({"reference_images"} if references else ()),
    )


MODEL_MAPPINGS: dict[str, ModelMapping] = {
    # Google Veo 3 / 3 Fast: image, negative_prompt, resolution 720p|1080p, audio.
    "google/veo-3": _veo(last_frame=False, references=False),
    # Veo 3.1 adds last_frame and 1-3 reference_images; the Fast variant lacks the latter.
    "google/veo-3.1": _veo(last_frame=True, references=True),
    "google/veo-3.1-fast": _veo(last_frame=True, references=False),
    "google/veo-2": ModelMapping(
        fields=(_PROMPT, _DURATION, _ASPECT, _SEED),
        capabilities=Capabilities(
            durations=(5, 6, 7, 8),
            aspect_ratios=("16:9", "9:16"),
            default_duration=5,
            default_aspect_ratio="16:9",
        ),
    ),
    # Kling: duration 5|10 as an integer, start_image, aspect 16:9|9:16|1:1. The output
    # resolution is fixed per model (no input for it), so it is declared, not sent.
    "kwaivgi/kling": _kling(None),
    "kwaivgi/kling-v2.0": _kling(("720p",)),
    "kwaivgi/kling-v2.1-master": _kling(("1080p",)),
    "kwaivgi/kling-v2.5-turbo-pro": _kling(("1080p",)),
    "kwaivgi/kling-v1.6-pro": ModelMapping(
        fields=(_PROMPT, _NEGATIVE, _ASPECT, _DURATION),
        capabilities=Capabilities(
            durations=(5, 10),
            resolutions=("1080p",),
            aspect_ratios=("16:9", "9:16", "1:1"),
            image_roles=("first_frame", "last_frame", "reference"),
            text_to_video=False,
            default_duration=5,
            default_resolution="1080p",
            default_aspect_ratio="16:9",
        ),
        image_fields={
            "first_frame": "start_image",
            "last_frame": "end_image",
            "reference": "reference_images",
        },
        list_image_fields=frozenset({"reference_images"}),
    ),
    # Kling v2.1 (version daad218f) is image-to-video only; resolution is chosen through
    # ``mode``: standard (720p, the default) or pro (1080p); duration 5|10 default 5.
    "kwaivgi/kling-v2.1": ModelMapping(
        fields=(
            _PROMPT,
            _NEGATIVE,
            _DURATION,
            FieldMap("resolution", "mode", transform=_kling_mode),
        ),
        capabilities=Capabilities(
            durations=(5, 10),
            resolutions=("720p", "1080p"),
            image_roles=("first_frame", "last_frame"),
            text_to_video=False,
            default_duration=5,
            default_resolution="720p",
        ),
        image_fields={"first_frame": "start_image", "last_frame": "end_image"},
    ),
    # MiniMax video-01 family (the ``minimax/`` prefix, so ``minimax/video-01:<hash>``
    # lands here): 6 s at 720p, first_frame_image, subject_reference.
    "minimax/": ModelMapping(
        fields=(_PROMPT, _OPTIMIZER),
        capabilities=Capabilities(
            durations=(6,),
            resolutions=("720p",),
            image_roles=("first_frame", "reference"),
            default_duration=6,
            default_resolution="720p",
        ),
        image_fields={"first_frame": "first_frame_image", "reference": "subject_reference"},
    ),
    "minimax/video-01-live": ModelMapping(
        fields=(_PROMPT, _OPTIMIZER),
        capabilities=Capabilities(
            durations=(6,),
            resolutions=("720p",),
            image_roles=("first_frame",),
            text_to_video=False,
            default_duration=6,
            default_resolution="720p",
        ),
        image_fields={"first_frame": "first_frame_image"},
    ),
    "minimax/hailuo-02": _hailuo(("480p", "720p", "1080p"), last_frame=True),
    "minimax/hailuo-2.3": _hailuo(("720p", "1080p"), last_frame=False),
    # Luma Ray 2 / Ray Flash 2: duration 5|9, start_image / end_image, seven ratios; the
    # resolution is part of the model name.
    "luma/ray-2": _luma_ray2(None),
    "luma/ray-2-720p": _luma_ray2(("720p",)),
    "luma/ray-flash-2": _luma_ray2(None),
    "luma/ray-flash-2-720p": _luma_ray2(("720p",)),
    # Original Ray (Dream Machine): fixed 5 s clips, keyframes as *_image_url.
    "luma/ray": ModelMapping(
        fields=(_PROMPT, _ASPECT),
        capabilities=Capabilities(
            durations=(5,),
            aspect_ratios=_ALL_ASPECTS,
            image_roles=("first_frame", "last_frame"),
            default_duration=5,
            default_aspect_ratio="16:9",
        ),
        image_fields={"first_frame": "start_image_url", "last_frame": "end_image_url"},
    ),
    # Wan 2.5: image-to-video takes ``resolution``; text-to-video takes a ``size`` such as
    # "1280*720", built from resolution and aspect ratio (see ``_wan_size``).
    "wan-video/wan-2.5-i2v": ModelMapping(
        fields=(
            _PROMPT,
            _DURATION,
            _RESOLUTION,
            _NEGATIVE,
            _SEED,
            FieldMap("enhance_prompt", "enable_prompt_expansion"),
        ),
        capabilities=Capabilities(
            durations=(5, 10),
            resolutions=("480p", "720p", "1080p"),
            image_roles=("first_frame",),
            text_to_video=False,
            default_duration=5,
            default_resolution="720p",
        ),
        image_fields={"first_frame": "image"},
    ),
    "wan-video/wan-2.5-t2v": ModelMapping(
        fields=(
            _PROMPT,
            _DURATION,
            _NEGATIVE,
            _SEED,
            FieldMap("enhance_prompt", "enable_prompt_expansion"),
        ),
        # wan-video/wan-2.5-t2v(-fast) (version 6f841a19): size default "1280*720",
        # duration 5|10 default 5.
        capabilities=Capabilities(
            durations=(5, 10),
            resolutions=("480p", "720p", "1080p"),
            aspect_ratios=("16:9", "9:16"),
            default_duration=5,
            default_resolution="720p",
            default_aspect_ratio="16:9",
        ),
    ),
    # ByteDance Seedance: duration 2-12 default 5, aspect_ratio default 16:9 (ignored when
    # an image is given), the last frame is ``last_frame_image`` and needs a first frame.
    # seedance-1-pro (version a5fd5508): resolution 480p|720p|1080p default 1080p;
    # seedance-1-lite (version f22bbc7d): default 720p, 1-4 reference_images;
    # seedance-1.5-pro (version 78c1986f): no resolution input, generate_audio.
    "bytedance/seedance-1-pro": _seedance(default_resolution="1080p", references=False),
    "bytedance/seedance-1-lite": _seedance(default_resolution="720p", references=True),
    "bytedance/seedance-1.5-pro": _seedance(default_resolution=None, references=False),
    # Anything else: the names most Replicate video models share.
    "": ModelMapping(
        fields=(_PROMPT, _DURATION, _RESOLUTION, _ASPECT, _NEGATIVE, _SEED, _AUDIO),
        capabilities=Capabilities(
            audio=True,
            image_roles=("first_frame", "last_frame", "reference"),
            video_input=True,
        ),
        image_fields={
            "first_frame": "image",
            "last_frame": "last_frame",
            "reference": "reference_images",
        },
        list_image_fields=frozenset({"reference_images"}),
        video_field="video",
    ),
}


_RESERVED: dict[str, str | None] = {
    "duration": "seconds",
    "num_frames": "seconds",
    "generate_audio": "generate_audio",
    "num_outputs": None,
    "num_videos": None,
}
"""Length, sound and count decide what a prediction costs, whatever the family maps."""
_FAMILY_RESERVED: dict[str, dict[str, str | None]] = {
    # MiniMax takes no aspect ratio: the 16:9-from-text rule must not be sidestepped.
    "minimax/": {"aspect_ratio": "size"},
    # Kling chooses its resolution (and price) by mode; Wan text-to-video by size.
    "kwaivgi/": {"mode": "size"},
    "wan-video/": {"size": "size"},
}


def _with_reserved(mappings: Mapping[str, ModelMapping]) -> dict[str, ModelMapping]:
    """Each family with the fields client extras may never set (see :mod:`adapters.extras`)."""
    reserved: dict[str, ModelMapping] = {}
    for prefix, mapping in mappings.items():
        extra = [fields for head, fields in _FAMILY_RESERVED.items() if prefix.startswith(head)]
        merged: dict[str, str | None] = dict(_RESERVED)
        for fields in extra:
            merged.update(fields)
        reserved[prefix] = replace(mapping, reserved={**merged, **mapping.reserved})
    return reserved


MODEL_MAPPINGS = _with_reserved(MODEL_MAPPINGS)


def refuse(message: str, param: str, model: str) -> ValidationError:
    return ValidationError(message, param=param, provider=PROVIDER, model=model)


def _has_role(request: VideoGenerationRequest, role: str) -> bool:
    return any(image.role == role for image in request.image_list)


def _hailuo_rules(request: VideoGenerationRequest, payload: dict[str, Any], model: str) -> None:
    """Ten seconds exist only at 768p; with no resolution asked, ask for that one."""
    if request.duration_seconds == 10:
        if request.resolution not in (None, "720p"):
            raise refuse(
                f"{model} makes 10s videos only at 720p (768p); "
                f"{request.resolution} allows 6 seconds",
                "seconds",
                model,
            )
        payload.setdefault("resolution", "768p")
    if request.resolution == "480p" and not _has_role(request, "first_frame"):
        raise refuse(f"{model} offers 480p (512p) only for image-to-video", "resolution", model)
    _landscape_unless_image(request, payload, model)


def _landscape_unless_image(
    request: VideoGenerationRequest, payload: dict[str, Any], model: str
) -> None:
    """MiniMax models take no aspect ratio: 16:9 from text, the image's own from an image."""
    if request.aspect_ratio not in (None, "16:9") and not _has_role(request, "first_frame"):
        raise refuse(
            f"{model} makes 16:9 videos from text; other ratios follow a first-frame image",
            "aspect_ratio",
            model,
        )


def _kling_v21_rules(request: VideoGenerationRequest, payload: dict[str, Any], model: str) -> None:
    """An end frame is a pro-mode (1080p) feature of Kling v2.1 ("pro mode is required
    when this parameter is set"), so a last frame always runs in pro mode. The router
    fills an omitted resolution with the model's default (720p, standard) before the
    adapter sees it, so "720p" cannot be told from "nothing asked"; refusing it would
    refuse every keyframe request that names no resolution."""
    if _has_role(request, "last_frame"):
        payload["mode"] = "pro"


def _veo31_rules(request: VideoGenerationRequest, payload: dict[str, Any], model: str) -> None:
    """Veo 3.1's reference images work only at 16:9 and 8 s, and replace the last frame
    (google/veo-3.1 API page: "Last frame is ignored if reference images are provided")."""
    if "reference_images" not in payload:
        return
    if payload.get("duration") != 8 or payload.get("aspect_ratio") != "16:9":
        raise refuse(f"{model} takes reference images only for 8 s at 16:9", "image_list", model)
    if "last_frame" in payload:
        raise refuse(
            f"{model} ignores a last frame when reference images are given", "image_list", model
        )
    if len(payload["reference_images"]) > 3:
        raise refuse(f"{model} takes 1 to 3 reference images", "image_list", model)


def _seedance_rules(request: VideoGenerationRequest, payload: dict[str, Any], model: str) -> None:
    """Seedance: a last frame only follows a first frame; reference images exclude both
    keyframes and 1080p (the model pages' own notes)."""
    if _has_role(request, "last_frame") and not _has_role(request, "first_frame"):
        raise refuse(f"{model} takes a last frame only with a first frame", "image_list", model)
    if "reference_images" in payload:
        if _has_role(request, "first_frame") or _has_role(request, "last_frame"):
            raise refuse(
                f"{model} cannot combine reference images with first or last frames",
                "image_list",
                model,
            )
        if payload.get("resolution") == "1080p":
            raise refuse(f"{model} takes reference images only below 1080p", "resolution", model)
        if len(payload["reference_images"]) > 4:
            raise refuse(f"{model} takes at most 4 reference images", "image_list", model)


def _kling_keyframe_rules(
    request: VideoGenerationRequest, payload: dict[str, Any], model: str
) -> None:
    if not (_has_role(request, "first_frame") or _has_role(request, "last_frame")):
        raise refuse(f"{model} needs a first or last frame image", "input_reference", model)


_WAN_SIZES = {
    ("480p", "16:9"): "832*480",
    ("480p", "9:16"): "480*832",
    ("720p", "16:9"): "1280*720",
    ("720p", "9:16"): "720*1280",
    ("1080p", "16:9"): "1920*1080",
    ("1080p", "9:16"): "1080*1920",
}


def _wan_size(request: VideoGenerationRequest, payload: dict[str, Any], model: str) -> None:
    """Wan text-to-video sizes its output as "W*H"; fill it from the unified fields, or
    from the model's default (1280*720: 720p, 16:9) for the ones a request leaves out."""
    if "size" in payload:
        return
    key = (request.resolution or "720p", request.aspect_ratio or "16:9")
    payload["size"] = _WAN_SIZES[key]


ADJUSTMENTS: dict[str, Adjustment] = {
    "minimax/": _landscape_unless_image,
    "minimax/video-01-live": _landscape_unless_image,
    "minimax/hailuo-02": _hailuo_rules,
    "minimax/hailuo-2.3": _hailuo_rules,
    "kwaivgi/kling-v2.1": _kling_v21_rules,
    "google/veo-3.1": _veo31_rules,
    "kwaivgi/kling-v1.6-pro": _kling_keyframe_rules,
    "wan-video/wan-2.5-t2v": _wan_size,
    "bytedance/seedance-1-pro": _seedance_rules,
    "bytedance/seedance-1-lite": _seedance_rules,
    "bytedance/seedance-1.5-pro": _seedance_rules,
}

register_provider_field_mapping(PROVIDER, MODEL_MAPPINGS)
