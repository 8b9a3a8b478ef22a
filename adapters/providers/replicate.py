"""Replicate: every video model runs as a *prediction*, driven through the official SDK.

Wire format (checked 2026-11-25 against replicate.com/docs/reference/http and the
installed ``replicate`` 1.0.7 source): official models are started with
``POST /v1/models/{owner}/{name}/predictions {input}``, pinned versions with
``POST /v1/predictions {version, input}``; a prediction is polled with
``GET /v1/predictions/{id}`` and stopped with ``POST /v1/predictions/{id}/cancel``.
Statuses are ``starting`` / ``processing`` / ``succeeded`` / ``failed`` / ``canceled``
and ``aborted`` (replicate.com/docs/topics/predictions/lifecycle: a ``Cancel-After``
deadline passed before the prediction started; not billed). The SDK's ``Prediction``
model lists only the first five (replicate 1.0.7 ``prediction.py``), so an aborted
prediction is read without its validation (see ``_unlisted_terminal``). A video model's
``output`` is a URL string (sometimes a list of them).

Two things about the SDK shape this module:

* ``replicate.Client`` always wraps its transport in ``RetryTransport``, which retries
  GET/PUT/DELETE on 429/503/504 up to ten times with backoff. There is no switch to
  turn that off, so every call mounts a plain ``httpx.AsyncHTTPTransport`` for
  ``all://`` (httpx consults mounts before the default transport): retries stay the
  router's job, and one poll is one HTTP request.
* ``ReplicateError`` keeps the status and the problem-details fields but drops the
  response headers and any extra body fields, so a response hook keeps the last error
  response; that is where ``Retry-After`` / ``retry_after`` are read from.

Uploaded input images (``data:`` URIs, raw base64) go through Replicate's files API
(``POST /v1/files``, multipart part ``content``; replicate 1.0.7 ``file.py``) and the
prediction gets the file's ``urls.get``: that is what the SDK itself does with a file
input (``helpers.py`` ``async_encode_json``), and it keeps large images out of the
prediction body.

The request id handed back is Replicate's own prediction id: polling, fetching and
cancelling need nothing else, so a restarted process can resume any job.
"""

from __future__ import annotations

import asyncio
import functools
import io
import mimetypes
import os
import re
import ssl
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import replace
from typing import Any, TypeVar, cast
from urllib.parse import urlparse

import httpx
from replicate.client import Client
from replicate.exceptions import ReplicateError, ReplicateException
from replicate.file import File
from replicate.prediction import Prediction

from tarash_gateway.adapters.base import VideoProvider, with_result
from tarash_gateway.adapters.errors import (
    ContentModerationError,
    GenerationFailedError,
    HTTPError,
    ProviderConnectionError,
    RateLimitError,
    TarashError,
    ValidationError,
)
from tarash_gateway.adapters.field_mappers import (
    Capabilities,
    FieldMap,
    ModelMapping,
    build_payload,
    get_provider_field_mapping,
    lookup_mapping,
    register_provider_field_mapping,
)
from tarash_gateway.adapters.http import classify_status, error_message
from tarash_gateway.adapters.models import (
    ImageInput,
    JobProgress,
    JobStatus,
    SubmittedJob,
    VideoGenerationConfig,
    VideoGenerationRequest,
    VideoGenerationResponse,
)
from tarash_gateway.adapters.uploads import Publisher, images_as_urls

PROVIDER = "replicate"
API_KEY_ENV = "REPLICATE_API_TOKEN"
DEFAULT_BASE_URL = "https://api.replicate.com"

_MODEL_REF = re.compile(r"^(?P<owner>[^/\s:]+)/(?P<name>[^/\s:]+)(?::(?P<version>[0-9A-Za-z]+))?$")
_BARE_VERSION = re.compile(r"^[0-9a-f]{64}$")
_PREDICTION_ID = re.compile(r"^[0-9A-Za-z_-]+$")
_MODERATION = re.compile(
    r"\bnsfw\b|flagged|sensitive content|content (?:policy|moderation|filter)|"
    r"safety (?:filter|check|system|violation)|unsafe content|inappropriate",
    re.IGNORECASE,
)
_RESETS_IN = re.compile(r"resets in ~?\s*(\d+(?:\.\d+)?)\s*s", re.IGNORECASE)
_INVALID_INPUT_FIELD = re.compile(r"input\.(\w+)")

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


def _refuse(message: str, param: str, model: str) -> ValidationError:
    return ValidationError(message, param=param, provider=PROVIDER, model=model)


def _has_role(request: VideoGenerationRequest, role: str) -> bool:
    return any(image.role == role for image in request.image_list)


def _hailuo_rules(request: VideoGenerationRequest, payload: dict[str, Any], model: str) -> None:
    """Ten seconds exist only at 768p; with no resolution asked, ask for that one."""
    if request.duration_seconds == 10:
        if request.resolution not in (None, "720p"):
            raise _refuse(
                f"{model} makes 10s videos only at 720p (768p); "
                f"{request.resolution} allows 6 seconds",
                "seconds",
                model,
            )
        payload.setdefault("resolution", "768p")
    if request.resolution == "480p" and not _has_role(request, "first_frame"):
        raise _refuse(f"{model} offers 480p (512p) only for image-to-video", "resolution", model)
    _landscape_unless_image(request, payload, model)


def _landscape_unless_image(
    request: VideoGenerationRequest, payload: dict[str, Any], model: str
) -> None:
    """MiniMax models take no aspect ratio: 16:9 from text, the image's own from an image."""
    if request.aspect_ratio not in (None, "16:9") and not _has_role(request, "first_frame"):
        raise _refuse(
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
        raise _refuse(f"{model} takes reference images only for 8 s at 16:9", "image_list", model)
    if "last_frame" in payload:
        raise _refuse(
            f"{model} ignores a last frame when reference images are given", "image_list", model
        )
    if len(payload["reference_images"]) > 3:
        raise _refuse(f"{model} takes 1 to 3 reference images", "image_list", model)


def _seedance_rules(request: VideoGenerationRequest, payload: dict[str, Any], model: str) -> None:
    """Seedance: a last frame only follows a first frame; reference images exclude both
    keyframes and 1080p (the model pages' own notes)."""
    if _has_role(request, "last_frame") and not _has_role(request, "first_frame"):
        raise _refuse(f"{model} takes a last frame only with a first frame", "image_list", model)
    if "reference_images" in payload:
        if _has_role(request, "first_frame") or _has_role(request, "last_frame"):
            raise _refuse(
                f"{model} cannot combine reference images with first or last frames",
                "image_list",
                model,
            )
        if payload.get("resolution") == "1080p":
            raise _refuse(f"{model} takes reference images only below 1080p", "resolution", model)
        if len(payload["reference_images"]) > 4:
            raise _refuse(f"{model} takes at most 4 reference images", "image_list", model)


def _kling_keyframe_rules(
    request: VideoGenerationRequest, payload: dict[str, Any], model: str
) -> None:
    if not (_has_role(request, "first_frame") or _has_role(request, "last_frame")):
        raise _refuse(f"{model} needs a first or last frame image", "input_reference", model)


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


# -- model references and payloads ------------------------------------------------------


def split_model(model: str) -> tuple[str, str | None]:
    """``owner/name[:version]`` → (``owner/name``, version or None). A bare 64-hex
    version id gives (``""``, id)."""
    if _BARE_VERSION.match(model):
        return "", model
    match = _MODEL_REF.match(model)
    if match is None:
        raise ValidationError(
            f"not a Replicate model reference: {model!r}; expected owner/name or "
            "owner/name:version",
            param="model",
            provider=PROVIDER,
            model=model,
        )
    return f"{match['owner']}/{match['name']}", match["version"]


def _family_prefix(name: str) -> str:
    """The registered prefix ``name`` resolves to (same rule as ``lookup_mapping``)."""
    prefixes = [prefix for prefix in get_provider_field_mapping(PROVIDER) if prefix]
    matches = [prefix for prefix in prefixes if name.startswith(prefix)]
    return max(matches, key=len, default="")


def mapping_for(model: str) -> ModelMapping:
    """The field table for ``model``; a ``:version`` suffix plays no part in the lookup."""
    name, _version = split_model(model)
    mapping = lookup_mapping(PROVIDER, name)
    return mapping if mapping is not None else MODEL_MAPPINGS[""]


def _as_data_url(image: str) -> str:
    """Replicate takes URLs or data URLs; raw base64 is wrapped with its sniffed type."""
    if image.startswith(("http://", "https://", "data:")):
        return image
    mime = "image/png"
    for prefix, kind in (("/9j/", "image/jpeg"), ("R0lGOD", "image/gif"), ("UklGR", "image/webp")):
        if image.startswith(prefix):
            mime = kind
    return f"data:{mime};base64,{image}"


def build_input(model: str, request: VideoGenerationRequest) -> dict[str, Any]:
    """The prediction ``input`` for ``request``; raises ValidationError before any call."""
    name, _version = split_model(model)
    if request.number_of_videos != 1:
        raise _refuse(f"{model} makes one video per prediction", "n", model)
    images = [
        ImageInput(image=_as_data_url(image.image), role=image.role) for image in request.image_list
    ]
    request = request.model_copy(update={"image_list": images})
    payload = build_payload(mapping_for(model), request, provider=PROVIDER, model=model)
    adjust = ADJUSTMENTS.get(_family_prefix(name))
    if adjust is not None:
        adjust(request, payload, model)
    return payload


# -- calls through the SDK -----------------------------------------------------------


@functools.cache
def _tls_context() -> ssl.SSLContext:
    """Built once: loading the CA bundle for every call would cost milliseconds."""
    return httpx.create_ssl_context()


def _api_key(config: VideoGenerationConfig) -> str:
    if config.api_key is not None and config.api_key.get_secret_value():
        return config.api_key.get_secret_value()
    key = os.environ.get(API_KEY_ENV)
    if key:
        return key
    raise ValidationError(
        f"no API key for {PROVIDER}: set api_key or {API_KEY_ENV}",
        param="api_key",
        provider=PROVIDER,
        model=config.model,
    )


def _is_moderation(status: int, body: Any) -> bool:
    return 400 <= status < 500 and bool(_MODERATION.search(error_message(body, "")))


_T = TypeVar("_T")

_UPLOAD_NAMES = {"image/png": "input.png", "image/jpeg": "input.jpg", "image/webp": "input.webp"}


class _Exchange:
    """One SDK client for one provider call: SDK retries off, the last response kept
    (for ``raw_response`` and for the headers ``ReplicateError`` drops)."""

    def __init__(self, config: VideoGenerationConfig, *, request_id: str | None = None) -> None:
        self.config = config
        self.request_id = request_id
        self.status = 0
        self.headers: dict[str, str] = {}
        self.body: Any = None
        api_token = _api_key(config)
        self._transport = httpx.AsyncHTTPTransport(verify=_tls_context())
        self.client = Client(
            api_token=api_token,
            base_url=config.base_url or DEFAULT_BASE_URL,
            timeout=httpx.Timeout(config.request_timeout),
            transport=self._transport,
            mounts={"all://": self._transport},
            event_hooks={"response": [self._keep]},
        )

    async def _keep(self, response: httpx.Response) -> None:
        await response.aread()
        self.status = response.status_code
        self.headers = dict(response.headers)
        try:
            self.body = response.json()
        except ValueError:
            self.body = response.text[:2000]

    def _common(self) -> dict[str, Any]:
        return {"provider": PROVIDER, "model": self.config.model, "request_id": self.request_id}

    async def run(self, operation: Callable[[Client], Awaitable[_T]]) -> _T:
        """Run one SDK call; every failure leaves as a classified ``TarashError``."""
        timeout = self.config.request_timeout
        try:
            async with asyncio.timeout(timeout):
                return await operation(self.client)
        except ReplicateError as exc:
            raise self._classify(exc) from None
        except (TimeoutError, httpx.TimeoutException):
            raise ProviderConnectionError(
                f"{PROVIDER} did not answer within {timeout:g}s", **self._common()
            ) from None
        except httpx.InvalidURL:
            raise ValidationError(
                f"invalid {PROVIDER} base_url", param="base_url", **self._common()
            ) from None
        except httpx.HTTPError as exc:
            raise ProviderConnectionError(
                f"could not reach {PROVIDER}: {type(exc).__name__}", **self._common()
            ) from None
        except (ValueError, ReplicateException):
            unlisted = _unlisted_terminal(self.body)
            if unlisted is not None:  # only a prediction body can be one
                return cast(_T, unlisted)
            # Unparseable JSON, or JSON that is not a prediction (the SDK's model rejects it).
            raise HTTPError(
                f"{PROVIDER} answered with malformed JSON",
                status_code=502,
                raw_response=self.body,
                **self._common(),
            ) from None
        finally:
            await self._transport.aclose()

    def _classify(self, exc: ReplicateError) -> TarashError:
        status = exc.status or self.status or 500
        body = self.body if self.status == status and self.body is not None else exc.to_dict()
        if status == 422 and not _is_moderation(status, body):
            return ValidationError(
                f"{PROVIDER} rejected the input: {error_message(body, 'invalid input')}",
                param=self._invalid_param(body),
                raw_response=body,
                **self._common(),
            )
        error = classify_status(
            status,
            body,
            headers=self.headers,
            moderation=_is_moderation,
            **self._common(),
        )
        if isinstance(error, RateLimitError) and error.retry_after is None:
            match = _RESETS_IN.search(error_message(body, ""))
            error.retry_after = float(match.group(1)) if match else None
        return error

    def _invalid_param(self, body: Any) -> str | None:
        """The unified name of the input field Replicate complained about, if known."""
        match = _INVALID_INPUT_FIELD.search(error_message(body, ""))
        if match is None:
            return None
        mapping = mapping_for(self.config.model)
        for row in mapping.fields:
            if row.target == match.group(1):
                return "seconds" if row.source == "duration_seconds" else row.source
        if match.group(1) in mapping.image_fields.values():
            return "image_list"
        return match.group(1)


async def upload_file(config: VideoGenerationConfig, data: bytes, content_type: str) -> str:
    """``POST /v1/files`` through the SDK (``files.async_create``); the file's
    ``urls.get``, which a prediction input may name, or a classified error."""
    exchange = _Exchange(config)
    name = _UPLOAD_NAMES.get(content_type, "input.bin")
    uploaded: File = await exchange.run(
        lambda client: client.files.async_create(
            io.BytesIO(data), filename=name, content_type=content_type
        )
    )
    url = uploaded.urls.get("get") if isinstance(uploaded.urls, Mapping) else None
    if not isinstance(url, str) or not url.startswith(("http://", "https://")):
        raise HTTPError(
            f"{PROVIDER} stored the file but returned no URL for it",
            status_code=502,
            provider=PROVIDER,
            model=config.model,
            raw_response=exchange.body,
        )
    return url


# -- reading predictions -----------------------------------------------------------------

UNLISTED_TERMINAL = frozenset({"aborted"})
"""Terminal statuses the API reports and the SDK's ``Prediction.status`` Literal lacks."""
FAILED_STATUSES = frozenset({"failed", "canceled", *UNLISTED_TERMINAL})


def _unlisted_terminal(body: Any) -> Prediction | None:
    """A prediction in a terminal status the SDK's model refuses (``aborted``), built
    without validation so it is reported as the failure it is, not as a malformed 502."""
    if (
        isinstance(body, Mapping)
        and body.get("status") in UNLISTED_TERMINAL
        and isinstance(body.get("id"), str)
    ):
        fields: dict[str, Any] = {"model": "", "version": "", "input": None, "output": None}
        fields.update({"logs": None, "error": None, "metrics": None, **body})
        return Prediction.construct(**fields)
    return None


def _first_url(output: Any) -> str | None:
    """The video URL in a prediction output: a string, a list, or a dict of them."""
    if isinstance(output, str):
        return output if output.startswith(("http://", "https://", "data:")) else None
    if isinstance(output, list):
        for item in output:
            url = _first_url(item)
            if url is not None:
                return url
    if isinstance(output, Mapping):
        for key in ("video", "url", "output", *output.keys()):
            url = _first_url(output.get(key))
            if url is not None:
                return url
    return None


def _failure(prediction: Prediction, config: VideoGenerationConfig, raw: Any) -> TarashError:
    common: dict[str, Any] = {
        "provider": PROVIDER,
        "model": config.model,
        "request_id": prediction.id,
        "raw_response": raw,
    }
    if prediction.status == "canceled":
        return GenerationFailedError(f"{PROVIDER} prediction was canceled", **common)
    status: str = prediction.status  # may be one the SDK's Literal lacks
    if status == "aborted":
        return GenerationFailedError(
            f"{PROVIDER} prediction was aborted: its Cancel-After deadline passed before "
            "it started running (not billed)",
            **common,
        )
    detail = str(prediction.error or "prediction failed")
    if _MODERATION.search(detail):
        return ContentModerationError(f"{PROVIDER} refused the content: {detail}", **common)
    return GenerationFailedError(f"{PROVIDER} prediction failed: {detail}", **common)


def _percent(prediction: Prediction) -> int:
    progress = prediction.progress
    return 0 if progress is None else max(0, min(99, int(progress.percentage * 100)))


def _requested_seconds(config: VideoGenerationConfig, model_input: Any) -> float | None:
    """The duration the prediction was asked for, read back from its own input."""
    if not isinstance(model_input, Mapping):
        return None
    for row in mapping_for(config.model).fields:
        if row.source == "duration_seconds" and row.target in model_input:
            value = str(model_input[row.target]).rstrip("s")
            try:
                return float(value)
            except ValueError:
                return None
    return None


def _check_id(config: VideoGenerationConfig, request_id: str) -> None:
    if not _PREDICTION_ID.match(request_id):
        raise ValidationError(
            f"not a {PROVIDER} prediction id: {request_id!r}",
            param="video_id",
            provider=PROVIDER,
            model=config.model,
            request_id=request_id,
        )


class ReplicateProvider(VideoProvider):
    """Video generation on Replicate (official models and pinned versions)."""

    name = PROVIDER

    async def prepare_images(
        self,
        config: VideoGenerationConfig,
        request: VideoGenerationRequest,
        publisher: Publisher | None,
    ) -> VideoGenerationRequest:
        """Uploaded images go to Replicate's files API; the prediction gets their URLs.
        The input is checked first, so a request the adapter refuses uploads nothing."""
        build_input(config.model, request)

        async def upload(data: bytes, content_type: str) -> str:
            return await upload_file(config, data, content_type)

        return await images_as_urls(
            request, provider=PROVIDER, model=config.model, publisher=publisher, upload=upload
        )

    async def submit_video(
        self, config: VideoGenerationConfig, request: VideoGenerationRequest
    ) -> SubmittedJob:
        model_input = build_input(config.model, request)
        name, version = split_model(config.model)
        exchange = _Exchange(config)
        if version is not None:
            pinned = version
            prediction = await exchange.run(
                lambda client: client.predictions.async_create(version=pinned, input=model_input)
            )
        else:
            prediction = await exchange.run(
                lambda client: client.models.predictions.async_create(model=name, input=model_input)
            )
        return SubmittedJob(request_id=prediction.id, raw_response=exchange.body)

    async def _get(self, config: VideoGenerationConfig, request_id: str) -> tuple[Prediction, Any]:
        _check_id(config, request_id)
        exchange = _Exchange(config, request_id=request_id)
        prediction = await exchange.run(lambda client: client.predictions.async_get(request_id))
        return prediction, exchange.body

    async def poll_video(self, config: VideoGenerationConfig, request_id: str) -> JobProgress:
        prediction, raw = await self._get(config, request_id)
        if prediction.status in FAILED_STATUSES:
            return JobProgress(
                status="failed",
                progress=_percent(prediction),
                error=_failure(prediction, config, raw),
                raw_response=raw,
            )
        if prediction.status == "succeeded":
            done = JobProgress(status="completed", progress=100, raw_response=raw)
            return with_result(done, lambda: self._finished(config, request_id, prediction, raw))
        status: JobStatus = "queued" if prediction.status == "starting" else "in_progress"
        return JobProgress(status=status, progress=_percent(prediction), raw_response=raw)

    async def fetch_video(
        self, config: VideoGenerationConfig, request_id: str
    ) -> VideoGenerationResponse:
        prediction, raw = await self._get(config, request_id)
        return self._finished(config, request_id, prediction, raw)

    def _finished(
        self, config: VideoGenerationConfig, request_id: str, prediction: Prediction, raw: Any
    ) -> VideoGenerationResponse:
        """The result a prediction describes, or why it has none."""
        if prediction.status in FAILED_STATUSES:
            raise _failure(prediction, config, raw)
        common: dict[str, Any] = {
            "provider": PROVIDER,
            "model": config.model,
            "request_id": request_id,
            "raw_response": raw,
        }
        if prediction.status != "succeeded":
            raise GenerationFailedError(
                f"{PROVIDER} prediction is still {prediction.status}", **common
            )
        url = _first_url(prediction.output)
        if url is None:
            raise GenerationFailedError(f"{PROVIDER} prediction has no video output", **common)
        model_input = prediction.input or {}
        content_type = mimetypes.guess_type(urlparse(url).path)[0] or "video/mp4"
        resolution = model_input.get("resolution")
        aspect_ratio = model_input.get("aspect_ratio")
        return VideoGenerationResponse(
            request_id=request_id,
            video=url,
            status="completed",
            duration=_requested_seconds(config, model_input),
            resolution=str(resolution) if resolution is not None else None,
            aspect_ratio=str(aspect_ratio) if aspect_ratio is not None else None,
            content_type=content_type if content_type.startswith("video/") else "video/mp4",
            raw_response=raw,
            provider_metadata={
                "prediction_id": prediction.id,
                "model": prediction.model,
                "version": prediction.version,
                "metrics": prediction.metrics or {},
                "outputs": prediction.output if isinstance(prediction.output, list) else None,
            },
        )

    async def cancel_video(self, config: VideoGenerationConfig, request_id: str) -> None:
        _check_id(config, request_id)
        exchange = _Exchange(config, request_id=request_id)
        await exchange.run(lambda client: client.predictions.async_cancel(request_id))
