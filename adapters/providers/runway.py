"""Runway's developer API (api.dev.runwayml.com): video tasks over aiohttp.

Runway has no SDK on the design card, so every call goes through
:func:`adapters.http.call`. A job is a Runway *task*: ``POST /v1/image_to_video`` (an
input image) or ``POST /v1/text_to_video`` (text only) returns ``{id}``; ``GET
/v1/tasks/{id}`` reports PENDING / THROTTLED / RUNNING / SUCCEEDED / FAILED / CANCELLED
with ``progress`` 0-1 and ``output`` URLs; ``DELETE /v1/tasks/{id}`` cancels. Every
request carries ``X-Runway-Version`` (``config.api_version`` overrides the default).

Runway sizes videos by pixel ratio ("1280:720"), not by aspect ratio and resolution, so
each model family declares which (resolution, aspect ratio) pairs it has and the pixel
ratio each becomes. The task answer does not repeat the requested duration or ratio,
so they travel inside the request id (``<task id>~<seconds>~<ratio>``): a restarted
gateway can still report them without any state of its own.

Wire format checked on 2026-11-25; sources are listed in ``tests/emulators/runway.py``.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from adapters.base import VideoProvider, require_completed
from adapters.errors import (
    ContentModerationError,
    GenerationFailedError,
    HTTPError,
    TarashError,
    ValidationError,
)
from adapters.extras import merge_extra_params
from adapters.field_mappers import (
    Capabilities,
    FieldMap,
    ModelMapping,
    lookup_mapping,
    map_fields,
    protected_fields,
    register_provider_field_mapping,
)
from adapters.http import call
from adapters.models import (
    JobProgress,
    SubmittedJob,
    VideoGenerationConfig,
    VideoGenerationRequest,
    VideoGenerationResponse,
)

PROVIDER = "runway"
DEFAULT_BASE_URL = "https://api.dev.runwayml.com"
API_VERSION = "2024-11-06"
"""Sent as ``X-Runway-Version``; Runway rejects requests without a supported one."""
ENV_KEYS = ("RUNWAYML_API_SECRET", "RUNWAY_API_KEY")
"""The official SDK reads the first; SPEC §3 names the second. Either works."""

_ID_SEPARATOR = "~"

# -- model families ---------------------------------------------------------------------

_GEN4_ASPECTS = ("16:9", "9:16", "1:1", "4:3", "21:9")
_GEN4_RATIOS: Mapping[tuple[str, str], str] = {
    ("720p", "16:9"): "1280:720",
    ("720p", "9:16"): "720:1280",
    ("720p", "1:1"): "960:960",
    ("720p", "4:3"): "1104:832",
    ("720p", "21:9"): "1584:672",
}
_VEO_RATIOS: Mapping[tuple[str, str], str] = {
    ("720p", "16:9"): "1280:720",
    ("720p", "9:16"): "720:1280",
    ("1080p", "16:9"): "1920:1080",
    ("1080p", "9:16"): "1080:1920",
}
_ALL_RATIOS: Mapping[tuple[str, str], str] = {**_GEN4_RATIOS, **_VEO_RATIOS}
_TEXT_TO_VIDEO_16_9_ONLY = frozenset({"1280:720", "720:1280"})


@dataclass(frozen=True)
class Shape:
    """How a family sizes its output, and what its text-only endpoint lacks.

    ``ratios`` maps (resolution, aspect ratio) to Runway's pixel ratio; ``text_ratios``
    restricts the ratios ``/v1/text_to_video`` takes (None: the same ones);
    ``text_drops`` are payload fields that endpoint does not accept.
    """

    ratios: Mapping[tuple[str, str], str]
    default_resolution: str = "720p"
    text_ratios: frozenset[str] | None = None
    text_drops: frozenset[str] = frozenset()


_PROMPT = FieldMap("prompt", "promptText")
_SEED = FieldMap("seed", "seed")
_NEGATIVE = FieldMap("negative_prompt", "negativePrompt")
_FIRST = {"first_frame": "promptImage"}
_FIRST_AND_LAST = {"first_frame": "promptImage", "last_frame": "promptImage"}
_RESERVED: dict[str, str | None] = {
    "duration": "seconds",
    "ratio": "size",
    "audio": "generate_audio",
    "promptImage": "input_reference",
}
"""Runway bills by the second; the ratio is the validated size; the image picks the endpoint."""


def _gen4(*, text_to_video: bool, price: float) -> ModelMapping:
    return ModelMapping(
        fields=(_PROMPT, FieldMap("duration_seconds", "duration", default=5), _SEED),
        capabilities=Capabilities(
            durations=tuple(range(2, 11)),
            resolutions=("720p",),
            aspect_ratios=_GEN4_ASPECTS,
            image_roles=("first_frame",),
            text_to_video=text_to_video,
            price_per_second=price,
        ),
        image_fields=_FIRST,
        reserved=_RESERVED,
    )


def _veo31(price: float) -> ModelMapping:
    return ModelMapping(
        fields=(
            _PROMPT,
            FieldMap("duration_seconds", "duration", default=8),
            FieldMap("generate_audio", "audio"),
            _NEGATIVE,
            _SEED,
        ),
        capabilities=Capabilities(
            durations=(4, 6, 8),
            resolutions=("720p", "1080p"),
            aspect_ratios=("16:9", "9:16"),
            audio=True,
            image_roles=("first_frame", "last_frame"),
            price_per_second=price,
        ),
        image_fields=_FIRST_AND_LAST,
        reserved=_RESERVED,
    )


MODEL_MAPPINGS: dict[str, ModelMapping] = {
    # Prices are Runway's published credits per second at $0.01 a credit (upper bound
    # where audio changes the price).
    "gen4.5": _gen4(text_to_video=True, price=0.12),
    "gen4_turbo": _gen4(text_to_video=False, price=0.05),
    "veo3.1": _veo31(price=0.40),
    "veo3.1_fast": _veo31(price=0.15),
    "veo3": ModelMapping(
        # Text only, always 8 s; Veo 3 always renders sound, so there is no audio flag.
        fields=(_PROMPT, FieldMap("duration_seconds", "duration", default=8), _NEGATIVE),
        capabilities=Capabilities(
            durations=(8,),
            resolutions=("720p", "1080p"),
            aspect_ratios=("16:9", "9:16"),
            audio=True,
            price_per_second=0.40,
        ),
        reserved=_RESERVED,
    ),
    "": ModelMapping(
        # Any other Runway model: the fields every video endpoint shares.
        fields=(_PROMPT, FieldMap("duration_seconds", "duration"), _SEED),
        capabilities=Capabilities(
            resolutions=("720p", "1080p"),
            aspect_ratios=_GEN4_ASPECTS,
            image_roles=("first_frame",),
        ),
        image_fields=_FIRST,
        reserved=_RESERVED,
    ),
}

SHAPES: dict[str, Shape] = {
    "gen4.5": Shape(_GEN4_RATIOS, text_ratios=_TEXT_TO_VIDEO_16_9_ONLY),
    "gen4_turbo": Shape(_GEN4_RATIOS),
    # Runway's text_to_video schema for Veo 3.1 has no seed.
    "veo3.1": Shape(_VEO_RATIOS, text_drops=frozenset({"seed"})),
    "veo3": Shape(_VEO_RATIOS),
    "": Shape(_ALL_RATIOS),
}

register_provider_field_mapping(PROVIDER, MODEL_MAPPINGS)


def shape_for(model: str) -> Shape:
    """The sizing rules of ``model``'s family (longest prefix, like the field tables)."""
    matches = [prefix for prefix in SHAPES if model.startswith(prefix)]
    return SHAPES[max(matches, key=len)]


def pixel_ratio(request: VideoGenerationRequest, shape: Shape, model: str) -> str:
    """Runway's ``ratio`` for the requested resolution and aspect ratio."""
    resolution = request.resolution or shape.default_resolution
    aspect = request.aspect_ratio or "16:9"
    ratio = shape.ratios.get((resolution, aspect))
    if ratio is None:
        allowed = ", ".join(f"{res} {ar}" for res, ar in shape.ratios)
        raise ValidationError(
            f"{model} cannot make {aspect} at {resolution}; allowed: {allowed}",
            param="aspect_ratio",
            provider=PROVIDER,
            model=model,
        )
    return ratio


def prompt_image(request: VideoGenerationRequest, mapping: ModelMapping, model: str) -> Any:
    """``promptImage``: a URI for a first frame alone, else a list of positioned frames."""
    frames = {
        image.role: image.image
        for image in request.image_list
        if mapping.image_fields.get(image.role) == "promptImage"
    }
    if not frames:
        return None
    if "first_frame" not in frames:
        raise ValidationError(
            f"{model} needs a first_frame image to use a last_frame image",
            param="image_list",
            provider=PROVIDER,
            model=model,
        )
    if set(frames) == {"first_frame"}:
        return frames["first_frame"]
    positions = {"first_frame": "first", "last_frame": "last"}
    return [
        {"uri": frames[role], "position": positions[role]} for role in positions if role in frames
    ]


# -- request ids ------------------------------------------------------------------------


def encode_request_id(task_id: str, duration: Any, ratio: str | None) -> str:
    seconds = str(duration) if isinstance(duration, int) else ""
    return _ID_SEPARATOR.join((task_id, seconds, ratio or ""))


def decode_request_id(request_id: str) -> tuple[str, int | None, str | None]:
    """(task id, requested seconds, pixel ratio); a bare Runway task id also works."""
    task_id, _, rest = request_id.partition(_ID_SEPARATOR)
    seconds, _, ratio = rest.partition(_ID_SEPARATOR)
    return task_id, int(seconds) if seconds.isdigit() else None, ratio or None


def _size_of(ratio: str | None) -> tuple[str | None, str | None]:
    """(resolution, aspect ratio) for a pixel ratio this module produced."""
    for (resolution, aspect), known in _ALL_RATIOS.items():
        if known == ratio:
            return resolution, aspect
    return None, None


# -- classification ---------------------------------------------------------------------


def is_safety_code(code: str | None) -> bool:
    """Runway's moderation failure codes: ``SAFETY.*`` and ``INPUT_PREPROCESSING.SAFETY.*``."""
    return bool(code) and "SAFETY" in str(code).upper().split(".")


def _moderated(status: int, body: Any) -> bool:
    """A refused create: a 400 whose body names a SAFETY code or content moderation."""
    if status != 400:
        return False
    text = json.dumps(body) if not isinstance(body, str) else body
    return "SAFETY." in text.upper() or "content moderation" in text.lower()


def _progress_percent(task: Mapping[str, Any]) -> int:
    value = task.get("progress")
    if isinstance(value, int | float) and not isinstance(value, bool):
        return max(0, min(99, int(value * 100)))
    return 0


def task_progress(task: Any, *, model: str, request_id: str) -> JobProgress:
    """Map one ``GET /v1/tasks/{id}`` answer onto the unified job status."""
    if not isinstance(task, dict):
        raise HTTPError(
            "runway answered a task poll without a task object",
            status_code=502,
            provider=PROVIDER,
            model=model,
            request_id=request_id,
            raw_response=task,
        )
    status = task.get("status")
    if status in ("PENDING", "THROTTLED"):
        return JobProgress(status="queued", progress=0, raw_response=task)
    if status == "RUNNING":
        return JobProgress(
            status="in_progress", progress=_progress_percent(task), raw_response=task
        )
    if status == "SUCCEEDED":
        return JobProgress(status="completed", progress=100, raw_response=task)
    if status in ("FAILED", "CANCELLED"):
        code = task.get("failureCode")
        reason = task.get("failure") or ("cancelled" if status == "CANCELLED" else "failed")
        message = f"runway task {status.lower()}: {reason}" + (f" ({code})" if code else "")
        common: dict[str, Any] = {
            "provider": PROVIDER,
            "model": model,
            "request_id": request_id,
            "raw_response": task,
        }
        error: TarashError = (
            ContentModerationError(message, **common)
            if is_safety_code(code)
            else GenerationFailedError(message, **common)
        )
        return JobProgress(status="failed", error=error, raw_response=task)
    raise HTTPError(
        f"runway reported an unknown task status {status!r}",
        status_code=502,
        provider=PROVIDER,
        model=model,
        request_id=request_id,
        raw_response=task,
    )


# -- the provider -----------------------------------------------------------------------


def api_key(config: VideoGenerationConfig) -> str:
    """The key from the config, else from Runway's environment variables."""
    if config.api_key is not None and config.api_key.get_secret_value():
        return config.api_key.get_secret_value()
    for name in ENV_KEYS:
        if os.environ.get(name):
            return os.environ[name]
    raise ValidationError(
        f"no API key for runway: set api_key or {ENV_KEYS[0]} (or {ENV_KEYS[1]})",
        param="api_key",
        provider=PROVIDER,
        model=config.model,
    )


class RunwayProvider(VideoProvider):
    """Runway video tasks; stateless (everything it needs is in the request id)."""

    name = PROVIDER

    # -- plumbing ---------------------------------------------------------------------

    def _url(self, config: VideoGenerationConfig, path: str) -> str:
        return (config.base_url or DEFAULT_BASE_URL).rstrip("/") + path

    def _headers(self, config: VideoGenerationConfig) -> dict[str, str]:
        return {
            "Authorization": f"Bearer {api_key(config)}",
            "X-Runway-Version": config.api_version or API_VERSION,
        }

    async def _call(
        self,
        config: VideoGenerationConfig,
        method: str,
        path: str,
        *,
        json_body: Any = None,
        request_id: str | None = None,
    ) -> Any:
        return await call(
            method,
            self._url(config, path),
            provider=PROVIDER,
            model=config.model,
            request_timeout=config.request_timeout,
            headers=self._headers(config),
            json_body=json_body,
            request_id=request_id,
            moderation=_moderated,
        )

    def build_request(
        self, config: VideoGenerationConfig, request: VideoGenerationRequest
    ) -> tuple[str, dict[str, Any]]:
        """(endpoint path, JSON body) for ``request``; raises ValidationError before any
        network call when the model cannot serve it."""
        model = config.model
        mapping = lookup_mapping(PROVIDER, model) or MODEL_MAPPINGS[""]
        shape = shape_for(model)
        payload = map_fields(mapping, request, provider=PROVIDER, model=model)
        image = prompt_image(request, mapping, model)
        payload.pop("promptImage", None)
        if image is not None:
            payload["promptImage"] = image
        payload["ratio"] = pixel_ratio(request, shape, model)
        payload["model"] = model
        merge_extra_params(
            payload,
            request.extra_params,
            protected=protected_fields(mapping),
            provider=PROVIDER,
            model=model,
        )
        if "promptImage" in payload:
            return "/v1/image_to_video", payload
        if shape.text_ratios is not None and payload["ratio"] not in shape.text_ratios:
            raise ValidationError(
                f"{model} text-to-video supports only 16:9 and 9:16 at 720p; "
                "add a first_frame image for other aspect ratios",
                param="aspect_ratio",
                provider=PROVIDER,
                model=model,
            )
        for dropped in shape.text_drops:
            payload.pop(dropped, None)
        return "/v1/text_to_video", payload

    # -- VideoProvider ------------------------------------------------------------------

    async def submit_video(
        self, config: VideoGenerationConfig, request: VideoGenerationRequest
    ) -> SubmittedJob:
        path, payload = self.build_request(config, request)
        body = await self._call(config, "POST", path, json_body=payload)
        task_id = body.get("id") if isinstance(body, dict) else None
        if not isinstance(task_id, str) or not task_id:
            raise HTTPError(
                "runway accepted the task but returned no task id",
                status_code=502,
                provider=PROVIDER,
                model=config.model,
                raw_response=body,
            )
        request_id = encode_request_id(task_id, payload.get("duration"), payload.get("ratio"))
        return SubmittedJob(request_id=request_id, raw_response=body)

    async def _task(self, config: VideoGenerationConfig, request_id: str) -> Any:
        task_id, _seconds, _ratio = decode_request_id(request_id)
        return await self._call(
            config, "GET", f"/v1/tasks/{quote(task_id, safe='')}", request_id=request_id
        )

    async def poll_video(self, config: VideoGenerationConfig, request_id: str) -> JobProgress:
        task = await self._task(config, request_id)
        return task_progress(task, model=config.model, request_id=request_id)

    async def fetch_video(
        self, config: VideoGenerationConfig, request_id: str
    ) -> VideoGenerationResponse:
        task = await self._task(config, request_id)
        progress = task_progress(task, model=config.model, request_id=request_id)
        require_completed(
            progress,
            provider=PROVIDER,
            model=config.model,
            request_id=request_id,
            raw_response=task,
        )
        outputs = task.get("output")
        if not isinstance(outputs, list) or not outputs or not isinstance(outputs[0], str):
            raise HTTPError(
                "runway reported success without an output URL",
                status_code=502,
                provider=PROVIDER,
                model=config.model,
                request_id=request_id,
                raw_response=task,
            )
        task_id, seconds, ratio = decode_request_id(request_id)
        resolution, aspect = _size_of(ratio)
        return VideoGenerationResponse(
            request_id=request_id,
            video=outputs[0],
            status="completed",
            duration=float(seconds) if seconds else None,
            resolution=resolution,
            aspect_ratio=aspect,
            content_type="video/mp4",
            raw_response=task,
            provider_metadata={"task_id": task_id, "ratio": ratio, "outputs": outputs},
        )

    async def cancel_video(self, config: VideoGenerationConfig, request_id: str) -> None:
        """``DELETE /v1/tasks/{id}`` cancels a running task (and deletes a finished one)."""
        task_id, _seconds, _ratio = decode_request_id(request_id)
        try:
            await self._call(
                config, "DELETE", f"/v1/tasks/{quote(task_id, safe='')}", request_id=request_id
            )
        except HTTPError as error:
            if error.status_code != 404:  # already gone: nothing left to stop
                raise
