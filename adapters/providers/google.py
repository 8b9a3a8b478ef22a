"""Google: Veo videos and Imagen images, through the Gemini API or Vertex AI.

Both APIs speak the same long-running-operation dialect: ``:predictLongRunning`` with
``{instances: [{prompt, image, lastFrame, referenceImages}], parameters: {...}}`` returns
an operation name, which is polled until ``done``. They differ in the details this
module hides:

- Gemini API: ``x-goog-api-key``; poll ``GET /v1beta/{operation}``; results under
  ``response.generateVideoResponse.generatedSamples[].video.uri``, file URLs that need
  the API key to download (see :meth:`GoogleProvider.download_headers`).
- Vertex AI (a ``project`` in provider_config, or ``api: vertex``): OAuth bearer token
  (see :mod:`adapters.providers.google_vertex`); poll ``POST …:fetchPredictOperation``;
  results under ``response.videos[]`` as ``gcsUri`` (with a ``storageUri``) or inline
  ``bytesBase64Encoded`` (returned as a ``data:`` URL, which the gateway stores).

Neither API has a cancel call for these operations. A job's request id carries which
API ran it, the operation name and the requested duration/resolution/aspect ratio, so
any process can poll and fetch it later.
"""

from __future__ import annotations

import base64
import binascii
import os
import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal
from urllib.parse import urlparse

from tarash_gateway.adapters.base import (
    ImageProvider,
    VideoProvider,
    require_completed,
    with_result,
)
from tarash_gateway.adapters.errors import (
    ContentModerationError,
    GenerationFailedError,
    HTTPError,
    ProviderAuthenticationError,
    RateLimitError,
    TarashError,
    ValidationError,
)
from tarash_gateway.adapters.extras import IMAGE_PARAMS, merge_extra_params
from tarash_gateway.adapters.field_mappers import (
    ModelMapping,
    lookup_mapping,
    map_fields,
    protected_fields,
)
from tarash_gateway.adapters.http import call
from tarash_gateway.adapters.keys import find_api_key, require_api_key
from tarash_gateway.adapters.models import (
    ImageGenerationConfig,
    ImageGenerationRequest,
    ImageGenerationResponse,
    JobProgress,
    ProviderSettings,
    SubmittedJob,
    VideoGenerationConfig,
    VideoGenerationRequest,
    VideoGenerationResponse,
)
from tarash_gateway.adapters.providers import google_vertex as vertex
from tarash_gateway.adapters.providers.google_models import (
    DEFAULT_ASPECT_RATIO,
    DEFAULT_RESOLUTION,
    DEFAULT_SECONDS,
    PROVIDER,
    VEO_3_1,
    VEO_GENERIC,
    VEO_MAPPINGS,
)

GEMINI_BASE_URL = "https://generativelanguage.googleapis.com"
API_KEY_ENVS = ("GEMINI_API_KEY", "GOOGLE_API_KEY")
INSTANCE_FIELDS = frozenset({"prompt", "image", "lastFrame", "referenceImages", "video", "mask"})
"""Provider fields that live in ``instances[0]``; every other field is a parameter."""
VERTEX_ONLY_FIELDS = frozenset(
    {
        "seed",
        "generateAudio",
        "storageUri",
        "pubsubTopic",
        "fps",
        "compressionQuality",
        "resizeMode",
        "labels",
        "mask",
    }
)
"""Veo fields the Gemini API does not take: python-genai's Gemini API converter
(``_GenerateVideosConfig_to_mldev``, v2.19.0) raises "only supported in ... Agent Platform
mode" for each (seed, generate_audio, output_gcs_uri, pubsub_topic, fps,
compression_quality, resize_mode, labels, mask), so the gateway refuses them up front
rather than sending what Google would reject or ignore."""
GEMINI_ONLY_FIELDS = frozenset({"webhookConfig"})
"""Veo fields only the Gemini API takes (``_GenerateVideosConfig_to_vertex`` raises)."""
REFERENCE_ASSET = "ASSET"
"""python-genai's wire spelling of ``VideoGenerationReferenceType.ASSET`` on both APIs
(Google's REST samples write ``asset``; the SDK's form is the one its replay tests run)."""
IMAGEN_ASPECT_RATIOS = ("1:1", "3:4", "4:3", "9:16", "16:9")
IMAGEN_MAX_IMAGES = 4
IMAGEN_VERTEX_ONLY = frozenset(
    {"negativePrompt", "seed", "storageUri", "addWatermark", "enhancePrompt", "labels"}
)
"""Imagen parameters python-genai refused in Gemini API mode (``_GenerateImagesConfig_
to_mldev`` before commit 43ef621f, 2026-08-21, which dropped Gemini API Imagen)."""

Api = Literal["gemini", "vertex"]

_MODERATION = re.compile(
    r"responsible ai|usage guidelines|sensitive words|safety (?:filter|setting|polic)"
    r"|violat\w* (?:\w+ )*polic",
    re.IGNORECASE,
)
_OPERATION_NAME = re.compile(r"^[A-Za-z0-9._\-]+(?:/[A-Za-z0-9._\-]+)*$")
_RETRY_DELAY = re.compile(r"^(\d+(?:\.\d+)?)s$")


def build_veo_body(request: VideoGenerationRequest, model: str, *, api: Api) -> dict[str, Any]:
    """The ``predictLongRunning`` body for ``request``; raises ValidationError (before any
    call) for what the model or the API cannot do."""
    mapping = lookup_mapping(PROVIDER, model) or VEO_GENERIC
    _check_combinations(request, mapping, model, api)
    if api == "gemini":
        _refuse_vertex_only(request, mapping, model)
    flat = map_fields(mapping, request, provider=PROVIDER, model=model)
    if api == "gemini":
        # Veo 3 on the Gemini API always makes sound and has no switch for it
        # (generate_audio is Vertex-only in python-genai): a True asks for what happens.
        flat.pop("generateAudio", None)
    merge_extra_params(
        flat,
        request.extra_params,
        protected=protected_fields(mapping),
        provider=PROVIDER,
        model=model,
    )
    wrong = sorted(flat.keys() & (VERTEX_ONLY_FIELDS if api == "gemini" else GEMINI_ONLY_FIELDS))
    if wrong:
        raise _wrong_api(wrong[0], model, api)
    instance: dict[str, Any] = {}
    parameters: dict[str, Any] = {}
    for key, value in flat.items():
        (instance if key in INSTANCE_FIELDS else parameters)[key] = value
    for key in ("image", "lastFrame"):
        if isinstance(instance.get(key), str):
            instance[key] = _media(instance[key], api=api, model=model)
    references = instance.get("referenceImages")
    if isinstance(references, list):
        instance["referenceImages"] = [
            item
            if isinstance(item, dict)
            else {"image": _media(item, api=api, model=model), "referenceType": REFERENCE_ASSET}
            for item in references
        ]
    return {"instances": [instance], "parameters": parameters}


def _refuse_vertex_only(request: VideoGenerationRequest, mapping: ModelMapping, model: str) -> None:
    """What only Vertex AI does, asked of a Gemini API deployment: a 400 before any call
    (python-genai refuses the same in Gemini API mode; the gateway never sends them)."""
    if request.seed is not None:
        raise _wrong_api("seed", model, "gemini")
    if request.generate_audio is False and mapping.capabilities.audio:
        raise _invalid(
            f"{model} on the Gemini API always generates audio and cannot turn it off; "
            "use a Vertex AI deployment (provider_config.project or api: vertex) for "
            "generate_audio: false",
            "generate_audio",
            model,
        )


def _wrong_api(param: str, model: str, api: Api) -> ValidationError:
    if api == "gemini":
        return _invalid(
            f"{param} is only available for Veo through Vertex AI, not the Gemini API; use "
            "a Vertex AI deployment (provider_config.project or api: vertex)",
            param,
            model,
        )
    return _invalid(
        f"{param} is only available for Veo through the Gemini API, not Vertex AI",
        param,
        model,
    )


def _check_combinations(
    request: VideoGenerationRequest, mapping: ModelMapping, model: str, api: Api
) -> None:
    """Veo's cross-field rules, which a per-field capability table cannot express. The
    1080p/4k-means-8-seconds rule is documented for the Gemini API only."""
    roles = {image.role for image in request.image_list}
    if "last_frame" in roles and "first_frame" not in roles:
        raise _invalid(f"{model} needs a first_frame image with a last_frame", "image_list", model)
    if mapping is not VEO_3_1:
        return
    seconds = request.duration_seconds
    if api == "gemini" and request.resolution in ("1080p", "4k") and seconds not in (None, 8):
        raise _invalid(
            f"{model} makes {request.resolution} videos of 8 seconds only", "seconds", model
        )
    if roles & {"reference", "asset"}:
        if seconds not in (None, 8):
            raise _invalid(f"{model} makes 8-second videos from reference images", "seconds", model)
        if request.aspect_ratio not in (None, "16:9"):
            raise _invalid(
                f"{model} makes 16:9 videos only from reference images", "aspect_ratio", model
            )
        if len([image for image in request.image_list if image.role in ("reference", "asset")]) > 3:
            raise _invalid(f"{model} takes at most 3 reference images", "image_list", model)


# -- the provider ------------------------------------------------------------------------


class GoogleProvider(VideoProvider, ImageProvider):
    """Veo and Imagen on the Gemini API (API key) or Vertex AI (service account)."""

    name = PROVIDER

    async def submit_video(
        self, config: VideoGenerationConfig, request: VideoGenerationRequest
    ) -> SubmittedJob:
        api: Api = "vertex" if vertex.is_vertex(config) else "gemini"
        if api == "gemini" and config.provider_config.get("storage_uri"):
            raise _invalid(
                "provider_config.storage_uri (results written to Cloud Storage) is only "
                "available through Vertex AI; use a Vertex AI deployment "
                "(provider_config.project or api: vertex) or remove it",
                "provider_config.storage_uri",
                config.model,
            )
        body = build_veo_body(request, config.model, api=api)
        if api == "vertex":
            storage = config.provider_config.get("storage_uri")
            if storage:
                body["parameters"].setdefault("storageUri", str(storage))
            url = f"{vertex.model_url(config)}:predictLongRunning"
        else:
            model = _path_segment(config.model, config.model)
            url = f"{_gemini_base(config)}/v1beta/models/{model}:predictLongRunning"
        answer = await _call(config, "POST", url, api=api, json_body=body)
        name = answer.get("name") if isinstance(answer, dict) else None
        if not isinstance(name, str) or not _OPERATION_NAME.match(name):
            raise HTTPError(
                "google accepted the job but answered without an operation name",
                status_code=502,
                provider=PROVIDER,
                model=config.model,
                raw_response=answer,
            )
        sent = body["parameters"]  # the family defaults are filled in by now
        seconds = sent.get("durationSeconds", request.duration_seconds)
        resolution = sent.get("resolution", request.resolution)
        aspect = sent.get("aspectRatio", request.aspect_ratio)
        job = _Job(
            api=api,
            operation=name,
            seconds=seconds if isinstance(seconds, int) else None,
            resolution=resolution if isinstance(resolution, str) else None,
            aspect_ratio=aspect if isinstance(aspect, str) else None,
        )
        return SubmittedJob(request_id=job.encode(), raw_response=answer)

    async def poll_video(self, config: VideoGenerationConfig, request_id: str) -> JobProgress:
        job = _Job.decode(request_id, config.model)
        operation = await self._operation(config, job, request_id)
        progress = _progress(operation, job, config, request_id)
        return with_result(progress, lambda: _finished(operation, job, config, request_id))

    async def fetch_video(
        self, config: VideoGenerationConfig, request_id: str
    ) -> VideoGenerationResponse:
        job = _Job.decode(request_id, config.model)
        operation = await self._operation(config, job, request_id)
        return _finished(operation, job, config, request_id)

    def download_headers(self, config: VideoGenerationConfig, location: str) -> dict[str, str]:
        """Gemini API file URLs need the API key; Cloud Storage URLs need a Vertex token.
        Credentials go only to the host that issued the URL."""
        target = urlparse(location)
        if vertex.is_vertex(config):
            if target.scheme == "https" and target.hostname == "storage.googleapis.com":
                token = vertex.cached_access_token(config)
                return {"Authorization": f"Bearer {token}"} if token else {}
            return {}
        base = urlparse(_gemini_base(config))
        if (target.scheme, target.netloc) != (base.scheme, base.netloc):
            return {}
        key = _api_key(config, required=False)
        return {"x-goog-api-key": key} if key else {}

    async def _operation(
        self, config: VideoGenerationConfig, job: _Job, request_id: str
    ) -> dict[str, Any]:
        if job.api == "vertex":
            url = f"{vertex.operation_model_url(config, job.operation)}:fetchPredictOperation"
            answer = await _call(
                config,
                "POST",
                url,
                api="vertex",
                json_body={"operationName": job.operation},
                request_id=request_id,
            )
        else:
            url = f"{_gemini_base(config)}/v1beta/{job.operation}"
            answer = await _call(config, "GET", url, api="gemini", request_id=request_id)
        if not isinstance(answer, dict):
            raise HTTPError(
                "google answered the status call with something other than an operation",
                status_code=502,
                provider=PROVIDER,
                model=config.model,
                request_id=request_id,
                raw_response=answer,
            )
        return answer

    async def generate_image(
        self, config: ImageGenerationConfig, request: ImageGenerationRequest
    ) -> ImageGenerationResponse:
        api: Api = "vertex" if vertex.is_vertex(config) else "gemini"
        body = build_imagen_body(request, config.model, api=api)
        if api == "vertex":
            url = f"{vertex.model_url(config)}:predict"
        else:
            model = _path_segment(config.model, config.model)
            url = f"{_gemini_base(config)}/v1beta/models/{model}:predict"
        answer = await _call(config, "POST", url, api=api, json_body=body)
        request_id = f"google_image_{secrets.token_hex(8)}"
        predictions = answer.get("predictions") if isinstance(answer, dict) else None
        predictions = [p for p in predictions or [] if isinstance(p, dict)]
        images = [
            f"data:{p.get('mimeType') or 'image/png'};base64,{p['bytesBase64Encoded']}"
            for p in predictions
            if isinstance(p.get("bytesBase64Encoded"), str)
        ]
        if not images:
            reasons = [
                str(p["raiFilteredReason"]) for p in predictions if p.get("raiFilteredReason")
            ]
            raise ContentModerationError(
                "google filtered every image: " + ("; ".join(reasons) or "no reason given"),
                provider=PROVIDER,
                model=config.model,
                request_id=request_id,
                raw_response=_trimmed(answer),
            )
        first = next(p for p in predictions if isinstance(p.get("bytesBase64Encoded"), str))
        revised = first.get("prompt")
        return ImageGenerationResponse(
            request_id=request_id,
            images=images,
            status="completed",
            content_type=str(first.get("mimeType") or "image/png"),
            revised_prompt=revised if isinstance(revised, str) else None,
            raw_response=_trimmed(answer),
            provider_metadata={"api": api, "filtered": len(predictions) - len(images)},
        )


def build_imagen_body(request: ImageGenerationRequest, model: str, *, api: Api) -> dict[str, Any]:
    """The Imagen ``:predict`` body; refuses (before any call) what Imagen cannot do."""
    if request.image_list or request.mask_image:
        raise _invalid(
            f"{model} generates images from text only; edits are not supported", "image_list", model
        )
    if request.n > IMAGEN_MAX_IMAGES:
        raise _invalid(f"{model} makes at most {IMAGEN_MAX_IMAGES} images per call", "n", model)
    parameters: dict[str, Any] = {"sampleCount": request.n}
    aspect = request.aspect_ratio or _aspect_from_size(request.size, model)
    if aspect is not None:
        if aspect not in IMAGEN_ASPECT_RATIOS:
            raise _invalid(
                f"{model} does not support aspect ratio {aspect}; "
                f"allowed: {', '.join(IMAGEN_ASPECT_RATIOS)}",
                "aspect_ratio",
                model,
            )
        parameters["aspectRatio"] = aspect
    for value, target, param in (
        (request.negative_prompt, "negativePrompt", "negative_prompt"),
        (request.seed, "seed", "seed"),
    ):
        if value is None:
            continue
        if api == "gemini":
            raise _invalid(f"{param} is only available for Imagen through Vertex AI", param, model)
        parameters[target] = value
    merge_extra_params(
        parameters,
        request.extra_params,
        protected={**IMAGE_PARAMS, "sampleCount": "n", "aspectRatio": "aspect_ratio"},
        provider=PROVIDER,
        model=model,
    )
    wrong = sorted(parameters.keys() & IMAGEN_VERTEX_ONLY) if api == "gemini" else []
    if wrong:
        raise _invalid(
            f"{wrong[0]} is only available for Imagen through Vertex AI, not the Gemini API",
            wrong[0],
            model,
        )
    if request.seed is not None:
        parameters.setdefault("addWatermark", False)  # Vertex refuses a seed with a watermark
    return {"instances": [{"prompt": request.prompt}], "parameters": parameters}


def _aspect_from_size(size: str | None, model: str) -> str | None:
    """An OpenAI-style ``WIDTHxHEIGHT`` as the ratio Imagen names."""
    if not size or size == "auto":
        return None
    match = re.fullmatch(r"(\d+)x(\d+)", size.strip().lower())
    if match is None:
        raise _invalid(f"size must look like 1024x1024, not {size!r}", "size", model)
    width, height = int(match[1]), int(match[2])
    for ratio in IMAGEN_ASPECT_RATIOS:
        w, h = (int(part) for part in ratio.split(":"))
        if width * h == height * w:
            return ratio
    raise _invalid(
        f"{model} has no {size} output; sizes must have one of the aspect ratios "
        f"{', '.join(IMAGEN_ASPECT_RATIOS)}",
        "size",
        model,
    )


# -- job ids ---------------------------------------------------------------------------


@dataclass(frozen=True)
class _Job:
    """Everything needed to poll and describe a job, kept in its request id:
    ``{api};{seconds},{resolution},{aspect};{operation}``."""

    api: Api
    operation: str
    seconds: int | None = None
    resolution: str | None = None
    aspect_ratio: str | None = None

    def encode(self) -> str:
        meta = ",".join([str(self.seconds or ""), self.resolution or "", self.aspect_ratio or ""])
        return f"{self.api};{meta};{self.operation}"

    @classmethod
    def decode(cls, request_id: str, model: str) -> _Job:
        try:
            api, meta, operation = request_id.split(";", 2)
            seconds, resolution, aspect = meta.split(",")
            if api not in ("gemini", "vertex") or not _OPERATION_NAME.match(operation):
                raise ValueError(api)
            if ".." in operation.split("/"):
                raise ValueError(operation)
            return cls(
                api="vertex" if api == "vertex" else "gemini",
                operation=operation,
                seconds=int(seconds) if seconds else None,
                resolution=resolution or None,
                aspect_ratio=aspect or None,
            )
        except ValueError:
            raise ValidationError(
                f"not a google job id: {request_id!r}",
                param="video_id",
                provider=PROVIDER,
                model=model,
                request_id=request_id,
            ) from None


# -- reading operations ----------------------------------------------------------------


def _progress(
    operation: dict[str, Any], job: _Job, config: VideoGenerationConfig, request_id: str
) -> JobProgress:
    raw = _trimmed(operation)
    if not operation.get("done"):  # proto3 JSON leaves `done` out while it is false
        metadata = operation.get("metadata")
        percent = metadata.get("progressPercent") if isinstance(metadata, dict) else None
        progress = int(percent) if isinstance(percent, int | float) else 0
        return JobProgress(
            status="in_progress", progress=max(0, min(99, progress)), raw_response=raw
        )
    common: dict[str, Any] = {
        "provider": PROVIDER,
        "model": config.model,
        "request_id": request_id,
        "raw_response": raw,
    }
    error = operation.get("error")
    if isinstance(error, dict):
        message = str(error.get("message") or "no details")
        failure: TarashError
        if _MODERATION.search(message):
            failure = ContentModerationError(f"google refused the video: {message}", **common)
        else:
            failure = GenerationFailedError(f"google video generation failed: {message}", **common)
        return JobProgress(status="failed", progress=100, error=failure, raw_response=raw)
    if any(_location(entry) for entry in _video_entries(operation, job.api)):
        return JobProgress(status="completed", progress=100, raw_response=raw)
    body = _response_body(operation, job.api)
    reasons = body.get("raiMediaFilteredReasons") or []
    if body.get("raiMediaFilteredCount") or reasons:
        text = "; ".join(str(reason) for reason in reasons) or "no reason given"
        failure = ContentModerationError(f"google filtered the video: {text}", **common)
    else:
        failure = GenerationFailedError("google finished the job without a video", **common)
    return JobProgress(status="failed", progress=100, error=failure, raw_response=raw)


def _finished(
    operation: dict[str, Any], job: _Job, config: VideoGenerationConfig, request_id: str
) -> VideoGenerationResponse:
    """The result a done operation describes, or why it has none."""
    progress = _progress(operation, job, config, request_id)
    require_completed(
        progress,
        provider=PROVIDER,
        model=config.model,
        request_id=request_id,
        raw_response=_trimmed(operation),
    )
    videos = _video_entries(operation, job.api)
    locations = [_location(entry) for entry in videos]
    metadata: dict[str, Any] = {
        "api": job.api,
        "operation": job.operation,
        "videos": [loc for loc in locations if not loc.startswith("data:")],
    }
    if job.api == "gemini":
        metadata["download_auth"] = "x-goog-api-key header (GoogleProvider.download_headers)"
    gcs = [entry["gcsUri"] for entry in videos if isinstance(entry.get("gcsUri"), str)]
    if gcs:
        metadata["gcs_uris"] = gcs
    return VideoGenerationResponse(
        request_id=request_id,
        video=locations[0],
        status="completed",
        duration=float(job.seconds or DEFAULT_SECONDS),
        resolution=job.resolution or DEFAULT_RESOLUTION,
        aspect_ratio=job.aspect_ratio or DEFAULT_ASPECT_RATIO,
        content_type=str(videos[0].get("mimeType") or videos[0].get("encoding") or "video/mp4"),
        raw_response=_trimmed(operation),
        provider_metadata=metadata,
    )


def _response_body(operation: Mapping[str, Any], api: Api) -> dict[str, Any]:
    response = operation.get("response")
    if not isinstance(response, dict):
        return {}
    if api == "gemini":
        inner = response.get("generateVideoResponse")
        return inner if isinstance(inner, dict) else {}
    return response


def _video_entries(operation: Mapping[str, Any], api: Api) -> list[dict[str, Any]]:
    body = _response_body(operation, api)
    if api == "gemini":
        samples = body.get("generatedSamples") or []
        entries = [s.get("video") for s in samples if isinstance(s, dict)]
    else:
        entries = body.get("videos") or []
    return [entry for entry in entries if isinstance(entry, dict) and _location(entry)]


def _location(entry: Mapping[str, Any]) -> str:
    """Where a result video lives, as something the gateway can fetch or store."""
    if isinstance(entry.get("uri"), str):
        return str(entry["uri"])
    gcs = entry.get("gcsUri")
    if isinstance(gcs, str) and gcs.startswith("gs://"):
        return "https://storage.googleapis.com/" + gcs.removeprefix("gs://")
    data = entry.get("bytesBase64Encoded")
    if isinstance(data, str) and data:
        return f"data:{entry.get('mimeType') or 'video/mp4'};base64,{data}"
    inline = entry.get("encodedVideo")  # the Gemini API's inline form (_Video_from_mldev)
    if isinstance(inline, str) and inline:
        return f"data:{entry.get('encoding') or 'video/mp4'};base64,{inline}"
    return ""


def _trimmed(value: Any) -> Any:
    """``value`` without inline media: kept raw responses stay small."""
    if isinstance(value, dict):
        return {
            key: f"<{len(item)} base64 characters>"
            if key in ("bytesBase64Encoded", "encodedVideo") and isinstance(item, str)
            else _trimmed(item)
            for key, item in value.items()
        }
    if isinstance(value, list):
        return [_trimmed(item) for item in value]
    return value


# -- calls -------------------------------------------------------------------------------


async def _call(
    settings: ProviderSettings,
    method: str,
    url: str,
    *,
    api: Api,
    json_body: Any = None,
    request_id: str | None = None,
) -> Any:
    """One call to Google with its credentials, through the shared classification, then
    Google's own conventions on top (an invalid key is a 400, retry hints in the body)."""
    if api == "vertex":
        headers = await vertex.auth_headers(settings)
        secret = headers["Authorization"].removeprefix("Bearer ")
    else:
        secret = _api_key(settings, required=True) or ""
        headers = {"x-goog-api-key": secret}
    try:
        return await call(
            method,
            url,
            provider=PROVIDER,
            model=settings.model,
            request_timeout=settings.request_timeout,
            headers=headers,
            json_body=json_body,
            request_id=request_id,
            moderation=_is_moderation,
        )
    except TarashError as error:
        raise _refined(error, secret) from None


def _refined(error: TarashError, secret: str) -> TarashError:
    body = error.raw_response
    inner = body.get("error") if isinstance(body, dict) else None
    listed = inner.get("details") if isinstance(inner, dict) else None
    details = [d for d in listed if isinstance(d, dict)] if isinstance(listed, list) else []
    if isinstance(error, RateLimitError) and error.retry_after is None:
        for detail in details:
            match = _RETRY_DELAY.match(str(detail.get("retryDelay", "")))
            if match:
                error.retry_after = float(match[1])
    elif (
        type(error) is HTTPError
        and error.status_code == 400
        and any(d.get("reason") == "API_KEY_INVALID" for d in details)
    ):
        error = ProviderAuthenticationError(
            error.message,
            status_code=400,
            provider=error.provider,
            model=error.model,
            request_id=error.request_id,
            raw_response=error.raw_response,
        )
    if secret and secret in error.message:
        error.message = error.message.replace(secret, "[redacted]")
        error.args = (error.message,)
    if secret and isinstance(error.raw_response, dict | list | str):
        error.raw_response = _redacted(error.raw_response, secret)
    return error


def _redacted(value: Any, secret: str) -> Any:
    if isinstance(value, str):
        return value.replace(secret, "[redacted]")
    if isinstance(value, dict):
        return {key: _redacted(item, secret) for key, item in value.items()}
    if isinstance(value, list):
        return [_redacted(item, secret) for item in value]
    return value


def _is_moderation(status: int, body: Any) -> bool:
    """Google refuses prompts on content grounds with a 400 that says why."""
    if status != 400 or not isinstance(body, dict):
        return False
    error = body.get("error")
    message = error.get("message") if isinstance(error, dict) else None
    return isinstance(message, str) and bool(_MODERATION.search(message))


def _api_key(settings: ProviderSettings, *, required: bool) -> str | None:
    if not required:
        return find_api_key(settings, API_KEY_ENVS)
    return require_api_key(settings, PROVIDER, API_KEY_ENVS)


def _gemini_base(settings: ProviderSettings) -> str:
    return (settings.base_url or GEMINI_BASE_URL).rstrip("/")


def _path_segment(value: str, model: str) -> str:
    if not re.fullmatch(r"[A-Za-z0-9._-]+", value):
        raise _invalid(f"model {value!r} is not a valid model id", "model", model)
    return value


# -- input media -----------------------------------------------------------------------

_MAGIC = (
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
)
IMAGE_TYPES = frozenset({"image/png", "image/jpeg", "image/webp"})
"""Input image types Veo takes (Vertex AI Veo reference); a GIF used to be sent as
``image/gif``, which Google refuses."""
_SUFFIX_TYPES = {
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".webp": "image/webp",
}


def _media(value: str, *, api: Api, model: str) -> dict[str, str]:
    """An input image as Google's media object: inline bytes, or (Vertex) a gs:// URI.
    Web URLs are refused rather than fetched: the gateway does not fetch arbitrary
    user-supplied URLs (uploads arrive as data: URLs)."""
    if value.startswith("data:"):
        header, sep, data = value.partition(",")
        mime = header[5:].split(";")[0]
        if not sep or ";base64" not in header or not data:
            raise _invalid("image data: URLs must be base64-encoded", "image_list", model)
        mime = mime.lower() or _sniff(data, model)
        if mime not in IMAGE_TYPES:
            raise _invalid(
                f"google takes PNG, JPEG or WebP input images, not {mime}", "image_list", model
            )
        return {"bytesBase64Encoded": data, "mimeType": mime}
    if value.startswith("gs://"):
        if api != "vertex":
            raise _invalid(
                "gs:// images work only through Vertex AI, not the Gemini API; use a Vertex "
                "AI deployment (provider_config.project or api: vertex) or pass the image "
                "inline as a data: URL",
                "image_list",
                model,
            )
        suffix = os.path.splitext(urlparse(value).path)[1].lower()
        return {"gcsUri": value, "mimeType": _SUFFIX_TYPES.get(suffix, "image/png")}
    if value.startswith(("http://", "https://")):
        raise _invalid(
            "google needs input images inline: pass a data: URL or base64 (Vertex AI also "
            "takes gs:// URIs), not a web URL",
            "image_list",
            model,
        )
    return {"bytesBase64Encoded": value, "mimeType": _sniff(value, model)}


def _sniff(data: str, model: str) -> str:
    try:
        head = base64.b64decode(data[:32] + "=" * (-len(data[:32]) % 4), validate=True)
    except (binascii.Error, ValueError):
        raise _invalid(
            "an input image is neither a URL nor valid base64", "image_list", model
        ) from None
    for magic, mime in _MAGIC:
        if head.startswith(magic):
            return mime
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    raise _invalid("an input image is not PNG, JPEG or WebP", "image_list", model)


def _invalid(message: str, param: str, model: str) -> ValidationError:
    return ValidationError(message, param=param, provider=PROVIDER, model=model)


__all__ = ["VEO_MAPPINGS", "GoogleProvider", "build_imagen_body", "build_veo_body"]
