"""MiniMax (Hailuo) video generation over its HTTP API, through ``adapters.http.call``.

Wire format (checked 2026-11-25 against platform.minimax.io/docs: video generation,
query, file retrieve and error-code pages, and the MiniMax-MCP server source; rechecked
2026-12-03 against platform.minimax.io/docs/api-reference/video-generation-t2v (the
``/api-reference/video/generation/api/text-to-video.json`` OpenAPI: server
api.minimax.io, bearer auth, ``POST /v1/video_generation``), the i2v / fl2v / s2v pages
and MiniMax's own CLI (github.com/MiniMax-AI/cli ``src/sdk/video/index.ts``: a last frame
needs a first frame, Hailuo-2.3-Fast is image-to-video only, first+last frame picks
MiniMax-Hailuo-02)):

* ``POST /v1/video_generation {model, prompt, duration, resolution, first_frame_image,
  last_frame_image, subject_reference, prompt_optimizer, fast_pretreatment,
  callback_url, aigc_watermark}`` → ``{task_id, base_resp}``;
* ``GET /v1/query/video_generation?task_id=…`` → ``{status: Preparing | Queueing |
  Processing | Success | Fail, file_id, video_width, video_height, base_resp}``;
* ``GET /v1/files/retrieve?file_id=…`` → ``{file: {download_url, …}, base_resp}``.

MiniMax reports most errors with HTTP 200 and a non-zero ``base_resp.status_code``; those
codes are classified here exactly like HTTP statuses are in ``adapters.http``. There is
no cancel call.

The request id is ``<task_id>:<seconds>``: MiniMax never reports a video's length, so the
requested one travels with the id and a restarted process can still report it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from tarash_gateway.adapters.base import VideoProvider
from tarash_gateway.adapters.errors import (
    ContentModerationError,
    GenerationFailedError,
    HTTPError,
    ProviderAuthenticationError,
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
from tarash_gateway.adapters.http import call
from tarash_gateway.adapters.keys import require_api_key
from tarash_gateway.adapters.models import (
    ImageInput,
    JobProgress,
    SubmittedJob,
    VideoGenerationConfig,
    VideoGenerationRequest,
    VideoGenerationResponse,
)
from tarash_gateway.adapters.uploads import as_data_url

PROVIDER = "minimax"
API_KEY_ENV = "MINIMAX_API_KEY"
DEFAULT_BASE_URL = "https://api.minimax.io"
DEFAULT_SECONDS = 6
"""Every MiniMax video model makes 6-second clips unless asked otherwise (``duration``
defaults to 6 on every model page)."""

# base_resp.status_code values from the error-code page.
RATE_LIMIT_CODES = frozenset({1002, 1039, 1041, 2045})
"""rate limit, token limit, connection limit, rate growth limit."""
QUOTA_CODES = frozenset({1028, 1030, 2056})
"""quota exhausted / usage limit exceeded (MiniMax-AI/cli ``ERRORS.md``): not worth an
immediate retry, like an insufficient balance."""
AUTH_CODES = frozenset({1004, 2049})
"""not authorized / login fail, invalid api key."""
MODERATION_CODES = frozenset({1026, 1027})
"""input new_sensitive, output new_sensitive."""
INVALID_CODES = frozenset({2013, 1042})
"""invalid params, invisible-character ratio limit."""
SERVER_CODES = {1000: 500, 1024: 500, 1033: 500, 1001: 504}
"""unknown error, internal error, system error, request timeout: worth another try."""
INSUFFICIENT_BALANCE = 1008

Adjustment = Callable[[VideoGenerationRequest, dict[str, Any], str], None]

# -- field mappers -----------------------------------------------------------------------
# MiniMax names its tiers by the short side: 768P is 1366x768 and 512P is 912x512, so
# the unified 720p class maps to 768P on Hailuo (its nearest tier) and 480p to 512P; the
# 01-series models really are 720P. Durations are plain integers. No model takes an
# aspect ratio: text gives 16:9 and a first-frame image imposes its own shape.
#
# Defaults (each model page's own): duration 6; resolution 768P on the Hailuo models and
# 720P on the 01 series. A request that names neither gets exactly those, sent
# explicitly. ``default_aspect_ratio`` is left unset: there is no aspect field, and with
# an image the video takes the image's shape.

_HAILUO_02_TIERS = {"480p": "512P", "720p": "768P", "1080p": "1080P"}
_HAILUO_23_TIERS = {"720p": "768P", "1080p": "1080P"}
_SERIES_01_TIERS = {"720p": "720P"}
_ANY_TIER = {**_HAILUO_02_TIERS}


def _tiers(table: Mapping[str, str]) -> Callable[[Any], str]:
    def encode(value: Any) -> str:
        return table.get(str(value), str(value).upper())

    return encode


_PROMPT = FieldMap("prompt", "prompt", required=True)
_DURATION = FieldMap("duration_seconds", "duration")
_OPTIMIZER = FieldMap("enhance_prompt", "prompt_optimizer")
_RESERVED: dict[str, str | None] = {"duration": "seconds", "aspect_ratio": "size"}
"""Every family: MiniMax bills by length, and no model takes an aspect ratio (16:9 from
text is a rule extras must not sidestep)."""


def _hailuo(
    tiers: Mapping[str, str], *, last_frame: bool, text_to_video: bool = True
) -> ModelMapping:
    images = {"first_frame": "first_frame_image"}
    if last_frame:
        images["last_frame"] = "last_frame_image"
    return ModelMapping(
        fields=(
            _PROMPT,
            _DURATION,
            FieldMap("resolution", "resolution", transform=_tiers(tiers)),
            _OPTIMIZER,
        ),
        capabilities=Capabilities(
            durations=(6, 10),
            resolutions=tuple(tiers),
            image_roles=("first_frame", "last_frame") if last_frame else ("first_frame",),
            text_to_video=text_to_video,
            default_duration=DEFAULT_SECONDS,
            default_resolution="720p",
        ),
        image_fields=images,
        reserved=_RESERVED,
    )


def _series_01(*, image_roles: tuple[Any, ...], text_to_video: bool) -> ModelMapping:
    return ModelMapping(
        fields=(
            _PROMPT,
            _DURATION,
            FieldMap("resolution", "resolution", transform=_tiers(_SERIES_01_TIERS)),
            _OPTIMIZER,
        ),
        capabilities=Capabilities(
            durations=(6,),
            resolutions=("720p",),
            aspect_ratios=None if image_roles else ("16:9",),
            image_roles=image_roles,
            text_to_video=text_to_video,
            default_duration=DEFAULT_SECONDS,
            default_resolution="720p",
            default_aspect_ratio=None if image_roles else "16:9",
        ),
        image_fields={"first_frame": "first_frame_image", "reference": "subject_reference"},
        list_image_fields=frozenset({"subject_reference"}),
        reserved=_RESERVED,
    )


MODEL_MAPPINGS: dict[str, ModelMapping] = {
    # Hailuo 2.3: 6 or 10 s at 768P, 6 s at 1080P; text or first frame.
    "MiniMax-Hailuo-2.3": _hailuo(_HAILUO_23_TIERS, last_frame=False),
    # Hailuo 2.3 Fast: the same tiers, image-to-video only.
    "MiniMax-Hailuo-2.3-Fast": _hailuo(_HAILUO_23_TIERS, last_frame=False, text_to_video=False),
    # Hailuo 02: adds 512P (image-to-video only) and first+last frame.
    "MiniMax-Hailuo-02": _hailuo(_HAILUO_02_TIERS, last_frame=True),
    # T2V-01 and T2V-01-Director: text only, 6 s at 720P.
    "T2V-01": _series_01(image_roles=(), text_to_video=True),
    # I2V-01, I2V-01-Director, I2V-01-live: a first frame is required, 6 s at 720P.
    "I2V-01": _series_01(image_roles=("first_frame",), text_to_video=False),
    # S2V-01: a character reference image keeps one subject consistent.
    "S2V-01": _series_01(image_roles=("reference",), text_to_video=False),
    # Anything else: the common request shape.
    "": ModelMapping(
        fields=(
            _PROMPT,
            _DURATION,
            FieldMap("resolution", "resolution", transform=_tiers(_ANY_TIER)),
            _OPTIMIZER,
        ),
        capabilities=Capabilities(
            image_roles=("first_frame", "last_frame"), default_duration=DEFAULT_SECONDS
        ),
        image_fields={"first_frame": "first_frame_image", "last_frame": "last_frame_image"},
        reserved=_RESERVED,
    ),
}


def _refuse(message: str, param: str, model: str) -> ValidationError:
    return ValidationError(message, param=param, provider=PROVIDER, model=model)


def _has_role(request: VideoGenerationRequest, role: str) -> bool:
    return any(image.role == role for image in request.image_list)


def _landscape_unless_image(request: VideoGenerationRequest, model: str) -> None:
    if request.aspect_ratio not in (None, "16:9") and not _has_role(request, "first_frame"):
        raise _refuse(
            f"{model} makes 16:9 videos from text; other ratios follow a first-frame image",
            "aspect_ratio",
            model,
        )


def _hailuo_rules(request: VideoGenerationRequest, payload: dict[str, Any], model: str) -> None:
    """10 s exists only below 1080P; 512P only for image-to-video from a first frame
    alone (first+last frame offers 768P and 1080P); a last frame needs a first frame."""
    if request.duration_seconds == 10 and request.resolution == "1080p":
        raise _refuse(
            f"{model} makes 10s videos only at 768P (720p); 1080p allows 6 seconds",
            "seconds",
            model,
        )
    if _has_role(request, "last_frame") and not _has_role(request, "first_frame"):
        raise _refuse(f"{model} takes a last frame only with a first frame", "image_list", model)
    if request.resolution == "480p" and not _has_role(request, "first_frame"):
        raise _refuse(f"{model} offers 512P (480p) only for image-to-video", "resolution", model)
    if request.resolution == "480p" and _has_role(request, "last_frame"):
        raise _refuse(
            f"{model} makes first-and-last-frame videos at 768P or 1080P, not 512P",
            "resolution",
            model,
        )
    _landscape_unless_image(request, model)


def _subject_reference(
    request: VideoGenerationRequest, payload: dict[str, Any], model: str
) -> None:
    """S2V-01 wants ``[{"type": "character", "image": [url]}]``; one subject for now."""
    images = payload.get("subject_reference")
    if isinstance(images, list) and all(isinstance(image, str) for image in images):
        if len(images) > 1:
            raise _refuse(f"{model} takes one subject reference image", "image_list", model)
        payload["subject_reference"] = [{"type": "character", "image": images}]
    _landscape_unless_image(request, model)


def _generic_rules(request: VideoGenerationRequest, payload: dict[str, Any], model: str) -> None:
    if _has_role(request, "last_frame") and not _has_role(request, "first_frame"):
        raise _refuse(f"{model} takes a last frame only with a first frame", "image_list", model)
    _landscape_unless_image(request, model)


ADJUSTMENTS: dict[str, Adjustment] = {
    "MiniMax-Hailuo-2.3": _hailuo_rules,
    "MiniMax-Hailuo-2.3-Fast": _hailuo_rules,
    "MiniMax-Hailuo-02": _hailuo_rules,
    "S2V-01": _subject_reference,
    "": _generic_rules,
}

register_provider_field_mapping(PROVIDER, MODEL_MAPPINGS)


def _family_prefix(model: str) -> str:
    matches = [p for p in get_provider_field_mapping(PROVIDER) if p and model.startswith(p)]
    return max(matches, key=len, default="")


def mapping_for(model: str) -> ModelMapping:
    mapping = lookup_mapping(PROVIDER, model)
    return mapping if mapping is not None else MODEL_MAPPINGS[""]


def build_request(model: str, request: VideoGenerationRequest) -> dict[str, Any]:
    """The ``/v1/video_generation`` body; raises ValidationError before any call."""
    if request.number_of_videos != 1:
        raise _refuse(f"{model} makes one video per task", "n", model)
    images = [
        ImageInput(image=as_data_url(image.image), role=image.role) for image in request.image_list
    ]
    request = request.model_copy(update={"image_list": images})
    payload = build_payload(mapping_for(model), request, provider=PROVIDER, model=model)
    adjust = ADJUSTMENTS.get(_family_prefix(model))
    if adjust is not None:
        adjust(request, payload, model)
    return {"model": model, **payload}


# -- request ids -------------------------------------------------------------------------


def encode_request_id(task_id: str, seconds: int | None) -> str:
    return f"{task_id}:{seconds or DEFAULT_SECONDS}"


def decode_request_id(request_id: str, model: str) -> tuple[str, int | None]:
    """(task id, requested seconds); a bare MiniMax task id is accepted too."""
    task_id, _, seconds = request_id.partition(":")
    if not task_id or not task_id.isalnum() or (seconds and not seconds.isdigit()):
        raise ValidationError(
            f"not a {PROVIDER} task id: {request_id!r}",
            param="video_id",
            provider=PROVIDER,
            model=model,
            request_id=request_id,
        )
    return task_id, int(seconds) if seconds else None


# -- error classification ----------------------------------------------------------------


def _base_resp(body: Mapping[str, Any]) -> tuple[int, str]:
    status = body.get("base_resp")
    if not isinstance(status, Mapping):
        return 0, ""
    try:
        code = int(status.get("status_code") or 0)
    except (TypeError, ValueError):
        code = 1000
    return code, str(status.get("status_msg") or "")


def _guess_param(message: str) -> str | None:
    lowered = message.lower()
    for needle, param in (
        ("duration", "seconds"),
        ("resolution", "resolution"),
        ("image", "image_list"),
        ("prompt", "prompt"),
        ("model", "model"),
    ):
        if needle in lowered:
            return param
    return None


def classify_code(
    code: int, message: str, body: Any, *, model: str, request_id: str | None = None
) -> TarashError:
    """The error class for a non-zero ``base_resp.status_code``."""
    common: dict[str, Any] = {
        "provider": PROVIDER,
        "model": model,
        "request_id": request_id,
        "raw_response": body,
    }
    text = f"{PROVIDER} error {code}: {message or 'no details'}"
    if code in RATE_LIMIT_CODES:
        return RateLimitError(text, retry_after=None, **common)
    if code in AUTH_CODES:
        return ProviderAuthenticationError(text, status_code=401, **common)
    if code in MODERATION_CODES:
        return ContentModerationError(text, **common)
    if code in INVALID_CODES:
        return ValidationError(text, param=_guess_param(message), **common)
    if code == INSUFFICIENT_BALANCE or code in QUOTA_CODES:
        return HTTPError(text, status_code=402, **common)
    return HTTPError(text, status_code=SERVER_CODES.get(code, 502), **common)


def _is_moderation(status: int, body: Any) -> bool:
    return isinstance(body, Mapping) and _base_resp(body)[0] in MODERATION_CODES


def _api_key(config: VideoGenerationConfig) -> str:
    return require_api_key(config, PROVIDER, [API_KEY_ENV])


def _resolution_label(width: Any, height: Any) -> tuple[str | None, str | None]:
    """("768p", "16:9") from the pixel size MiniMax reports, when it reports one."""
    if not (isinstance(width, int) and isinstance(height, int) and width > 0 and height > 0):
        return None, None
    ratio = width / height
    aspect = None
    for name, value in (("16:9", 16 / 9), ("9:16", 9 / 16), ("1:1", 1.0), ("4:3", 4 / 3)):
        if abs(ratio - value) < 0.03:
            aspect = name
    return f"{min(width, height)}p", aspect


_QUEUED = {"Preparing": 0, "Queueing": 5}


class MiniMaxProvider(VideoProvider):
    """Video generation on MiniMax's own API (Hailuo 2.3 / 02 and the 01 series)."""

    name = PROVIDER

    async def _call(
        self,
        config: VideoGenerationConfig,
        method: str,
        path: str,
        *,
        request_id: str | None = None,
        json_body: Any = None,
        params: Mapping[str, str] | None = None,
    ) -> dict[str, Any]:
        """One call; a non-JSON-object answer is an upstream fault (502)."""
        base = (config.base_url or DEFAULT_BASE_URL).rstrip("/")
        body = await call(
            method,
            f"{base}{path}",
            provider=PROVIDER,
            model=config.model,
            request_timeout=config.request_timeout,
            headers={"Authorization": f"Bearer {_api_key(config)}"},
            json_body=json_body,
            params=params,
            request_id=request_id,
            moderation=_is_moderation,
        )
        if not isinstance(body, dict):
            raise HTTPError(
                f"{PROVIDER} answered with an unexpected body",
                status_code=502,
                provider=PROVIDER,
                model=config.model,
                request_id=request_id,
                raw_response=body,
            )
        return body

    def _raise_for_code(
        self, body: dict[str, Any], config: VideoGenerationConfig, request_id: str | None
    ) -> None:
        code, message = _base_resp(body)
        if code != 0:
            raise classify_code(code, message, body, model=config.model, request_id=request_id)

    async def submit_video(
        self, config: VideoGenerationConfig, request: VideoGenerationRequest
    ) -> SubmittedJob:
        payload = build_request(config.model, request)
        _api_key(config)
        body = await self._call(config, "POST", "/v1/video_generation", json_body=payload)
        self._raise_for_code(body, config, None)
        task_id = body.get("task_id")
        if not task_id:
            raise HTTPError(
                f"{PROVIDER} accepted the task but returned no task_id",
                status_code=502,
                provider=PROVIDER,
                model=config.model,
                raw_response=body,
            )
        seconds = payload.get("duration")
        request_id = encode_request_id(
            str(task_id), seconds if isinstance(seconds, int) else request.duration_seconds
        )
        return SubmittedJob(request_id=request_id, raw_response=body)

    async def _query(
        self, config: VideoGenerationConfig, request_id: str
    ) -> tuple[str, dict[str, Any]]:
        task_id, _seconds = decode_request_id(request_id, config.model)
        body = await self._call(
            config,
            "GET",
            "/v1/query/video_generation",
            params={"task_id": task_id},
            request_id=request_id,
        )
        if body.get("status") != "Fail":
            self._raise_for_code(body, config, request_id)
        return str(body.get("status") or ""), body

    def _job_failure(
        self, body: dict[str, Any], config: VideoGenerationConfig, request_id: str
    ) -> TarashError:
        code, message = _base_resp(body)
        if code in MODERATION_CODES:
            return classify_code(code, message, body, model=config.model, request_id=request_id)
        detail = f" ({code}: {message})" if code else ""
        return GenerationFailedError(
            f"{PROVIDER} reported the task failed{detail}",
            provider=PROVIDER,
            model=config.model,
            request_id=request_id,
            raw_response=body,
        )

    async def poll_video(self, config: VideoGenerationConfig, request_id: str) -> JobProgress:
        status, body = await self._query(config, request_id)
        if status == "Fail":
            error = self._job_failure(body, config, request_id)
            return JobProgress(status="failed", error=error, raw_response=body)
        if status == "Success":
            return JobProgress(status="completed", progress=100, raw_response=body)
        if status in _QUEUED:
            return JobProgress(status="queued", progress=_QUEUED[status], raw_response=body)
        # "Processing" (and anything newer): MiniMax reports no percentage.
        return JobProgress(status="in_progress", progress=50, raw_response=body)

    async def fetch_video(
        self, config: VideoGenerationConfig, request_id: str
    ) -> VideoGenerationResponse:
        status, task = await self._query(config, request_id)
        if status == "Fail":
            raise self._job_failure(task, config, request_id)
        common: dict[str, Any] = {
            "provider": PROVIDER,
            "model": config.model,
            "request_id": request_id,
            "raw_response": task,
        }
        file_id = task.get("file_id")
        if status != "Success" or not file_id:
            raise GenerationFailedError(f"{PROVIDER} task has no video yet ({status})", **common)
        params = {"file_id": str(file_id)}
        group_id = config.provider_config.get("group_id")
        if group_id:
            params["GroupId"] = str(group_id)
        retrieved = await self._call(
            config, "GET", "/v1/files/retrieve", params=params, request_id=request_id
        )
        self._raise_for_code(retrieved, config, request_id)
        file_info = retrieved.get("file")
        url = file_info.get("download_url") if isinstance(file_info, Mapping) else None
        if not url:
            common["raw_response"] = {"task": task, "file": retrieved}
            raise GenerationFailedError(f"{PROVIDER} file {file_id} has no download URL", **common)
        _task_id, seconds = decode_request_id(request_id, config.model)
        resolution, aspect = _resolution_label(task.get("video_width"), task.get("video_height"))
        return VideoGenerationResponse(
            request_id=request_id,
            video=str(url),
            status="completed",
            duration=float(seconds) if seconds else None,
            resolution=resolution,
            aspect_ratio=aspect,
            content_type="video/mp4",
            raw_response={"task": task, "file": retrieved},
            provider_metadata={
                "task_id": task.get("task_id"),
                "file_id": file_id,
                "video_width": task.get("video_width"),
                "video_height": task.get("video_height"),
            },
        )
