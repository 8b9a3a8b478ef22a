"""Runway's developer API (api.dev.runwayml.com): video tasks over aiohttp.

Every call goes through :func:`adapters.http.call` (the official SDK, ``runwayml``, is a
dev dependency used only to check this wire format). A job is a Runway *task*: ``POST
/v1/image_to_video`` (a first frame, optionally a last one) or ``POST /v1/text_to_video``
returns ``{id}``; ``GET /v1/tasks/{id}`` reports PENDING / THROTTLED / RUNNING /
SUCCEEDED / FAILED / CANCELLED with ``progress`` 0-1 and ``output`` URLs; ``DELETE
/v1/tasks/{id}`` cancels (or deletes a finished task). Every request carries
``Authorization: Bearer <key>`` and ``X-Runway-Version: 2024-11-06`` (the SDK's value;
``config.api_version`` overrides it).

Runway refuses fields a model does not take, so each model has its own table
(:mod:`adapters.providers.runway_models`) and the body holds only what that table lists
for the chosen endpoint; a unified field the model lacks (a seed for HappyHorse) is a
400 here, not a silent drop. Runway sizes videos by pixel ratio ("1280:720") or, on
some image-to-video endpoints, by tier ("1080P"). The task answer does not repeat the
requested duration or size, so they travel inside the request id (``<task
id>~<seconds>~<ratio or tier>``): a restarted gateway can still report them.

Uploaded images (:meth:`RunwayProvider.prepare_images`): Runway reads data URIs up to
5 MB, so a small upload goes inline; a larger one goes through Runway's own uploads API
(:mod:`adapters.providers.runway_uploads`, a ``runway://`` URI, which every
``promptImage`` takes per runwayml 5.24's types), and only if that fails, to the
gateway's signed HTTPS URL; with neither, a 400 naming ``general_settings.public_url``.

Wire format checked on 2026-12-03 against runwayml 5.24 (tests/conformance/test_runway.py).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any
from urllib.parse import quote

from tarash_gateway.adapters.base import VideoProvider, require_completed, with_result
from tarash_gateway.adapters.errors import (
    ContentModerationError,
    GenerationFailedError,
    HTTPError,
    ProviderAuthenticationError,
    TarashError,
    ValidationError,
)
from tarash_gateway.adapters.extras import merge_extra_params
from tarash_gateway.adapters.field_mappers import (
    Capabilities,
    FieldMap,
    ModelMapping,
    check_capabilities,
    protected_fields,
    register_provider_field_mapping,
)
from tarash_gateway.adapters.http import call
from tarash_gateway.adapters.keys import require_api_key
from tarash_gateway.adapters.models import (
    ImageInput,
    ImageRole,
    JobProgress,
    SubmittedJob,
    VideoGenerationConfig,
    VideoGenerationRequest,
    VideoGenerationResponse,
)
from tarash_gateway.adapters.providers.runway_models import (
    AUDIO,
    MODELS,
    Endpoint,
    RunwayModel,
    size_of,
    sizes,
)
from tarash_gateway.adapters.providers.runway_uploads import upload_ephemeral
from tarash_gateway.adapters.uploads import PUBLIC_URL_SETTING, InlineImage, Publisher, inline_image

PROVIDER = "runway"
DEFAULT_BASE_URL = "https://api.dev.runwayml.com"
API_VERSION = "2024-11-06"
"""Sent as ``X-Runway-Version``; Runway rejects requests without a supported one."""
ENV_KEYS = ("RUNWAYML_API_SECRET", "RUNWAY_API_KEY")
"""The official SDK reads the first; SPEC §3 names the second. Either works."""

_ID_SEPARATOR = "~"

# -- model families ---------------------------------------------------------------------

MAX_DATA_URI_BYTES = 5_000_000
"""Runway takes data URIs up to 5 MB (runwayml 5.24: "base64 data URI ... up to 5MB");
larger uploads go through its uploads API (``POST /v1/uploads``, a ``runway://`` URI)
in :meth:`RunwayProvider.prepare_images`."""
_IMAGE_SCHEMES = ("https://", "runway://", "data:")

_RESERVED: dict[str, str | None] = {
    "duration": "seconds",
    "ratio": "size",
    "resolution": "size",
    "audio": "generate_audio",
    "promptImage": "input_reference",
    "promptText": "prompt",
    "seed": "seed",
    "negativePrompt": "negative_prompt",
}
"""Runway bills by the second; the ratio or tier is the validated size; the image picks
the endpoint. Client extras may set none of them."""


def _endpoints(spec: RunwayModel) -> list[Endpoint]:
    return [endpoint for endpoint in (spec.image, spec.text) if endpoint is not None]


_RESOLUTIONS = ("360p", "480p", "720p", "1080p", "4k")
_ASPECTS = ("16:9", "9:16", "1:1", "4:3", "21:9")


def _endpoint_sizes(endpoint: Endpoint) -> tuple[set[str], set[str] | None]:
    """(resolutions, aspect ratios) ``endpoint`` can make; aspect None: it keeps the
    input image's framing (any aspect ratio is fine, it is not sent)."""
    resolutions = {tier for tier, _wire in endpoint.tiers}
    aspects: set[str] | None = set(endpoint.aspects) if endpoint.aspects else None
    for resolution, aspect in sizes(endpoint.ratios):
        resolutions.add(resolution)
        aspects = (aspects or set()) | {aspect}
    return resolutions, aspects


def capabilities(spec: RunwayModel) -> Capabilities:
    """What ``spec`` can make on either endpoint (each endpoint is checked again when the
    request is built: gen4.5 text-to-video has only two ratios)."""
    resolutions: set[str] = set()
    aspects: set[str] = set()
    free_size = False
    for endpoint in _endpoints(spec):
        made, shapes = _endpoint_sizes(endpoint)
        resolutions |= made
        aspects |= shapes or set()
        free_size = free_size or not (endpoint.ratios or endpoint.aspects or endpoint.tiers)
    roles: tuple[ImageRole, ...] = ()
    if spec.image is not None:
        both = "last" in spec.image.positions
        roles = ("first_frame", "last_frame") if both else ("first_frame",)
    audio = spec.always_audio or any(AUDIO in e.options for e in _endpoints(spec))
    return Capabilities(
        durations=spec.durations,
        resolutions=None if free_size else tuple(r for r in _RESOLUTIONS if r in resolutions),
        aspect_ratios=tuple(a for a in _ASPECTS if a in aspects) or None,
        audio=audio,
        image_roles=roles,
        text_to_video=spec.text is not None,
        price_per_second=spec.price_per_second,
        default_duration=spec.default_duration,
        default_resolution=spec.default_resolution,
        default_aspect_ratio=spec.default_aspect_ratio,
    )


def _mapping(spec: RunwayModel) -> ModelMapping:
    return ModelMapping(
        fields=(
            FieldMap("prompt", "promptText"),
            FieldMap("duration_seconds", "duration"),
        ),
        capabilities=capabilities(spec),
        image_fields={"first_frame": "promptImage", "last_frame": "promptImage"}
        if spec.image is not None
        else {},
        reserved=_RESERVED,
    )


MODEL_MAPPINGS: dict[str, ModelMapping] = {name: _mapping(spec) for name, spec in MODELS.items()}
register_provider_field_mapping(PROVIDER, MODEL_MAPPINGS)


def model_spec(model: str) -> RunwayModel:
    """The table of ``model``; an unknown model is a 400 before any call (Runway would
    refuse fields we cannot know it takes)."""
    spec = MODELS.get(model)
    if spec is None:
        raise ValidationError(
            f"runway model {model!r} has no field table in this gateway; known models: "
            + ", ".join(sorted(MODELS)),
            param="model",
            provider=PROVIDER,
            model=model,
        )
    return spec


def _refuse(model: str, message: str, param: str) -> ValidationError:
    return ValidationError(message, param=param, provider=PROVIDER, model=model)


def _with_defaults(request: VideoGenerationRequest, spec: RunwayModel) -> VideoGenerationRequest:
    """``request`` with the model's own defaults for what it leaves open (never OpenAI's)."""
    update: dict[str, Any] = {}
    if request.duration_seconds is None and spec.default_duration is not None:
        update["duration_seconds"] = spec.default_duration
    if request.resolution is None:
        update["resolution"] = spec.default_resolution
    if request.aspect_ratio is None:
        update["aspect_ratio"] = spec.default_aspect_ratio
    return request.model_copy(update=update) if update else request


def size_fields(
    request: VideoGenerationRequest, endpoint: Endpoint, model: str, path: str
) -> dict[str, str]:
    """The size fields for ``endpoint``: ``ratio`` (a pixel ratio or an aspect ratio),
    and/or the tier field (``resolution``, or ``ratio`` for ``auto_720p``-style tiers)."""
    resolution = request.resolution or "720p"
    aspect = request.aspect_ratio or "16:9"
    fields: dict[str, str] = {}
    if endpoint.ratios:
        table = sizes(endpoint.ratios)
        ratio = table.get((resolution, aspect))
        if ratio is None:
            allowed = ", ".join(f"{res} {ar}" for res, ar in table)
            raise _refuse(
                model,
                f"{model} on {path} cannot make {aspect} at {resolution}; allowed: {allowed}",
                "aspect_ratio",
            )
        fields["ratio"] = ratio
    if endpoint.aspects:
        if aspect not in endpoint.aspects:
            allowed = ", ".join(endpoint.aspects)
            raise _refuse(
                model, f"{model} on {path} cannot make {aspect}; allowed: {allowed}", "aspect_ratio"
            )
        fields["ratio"] = aspect
    if endpoint.tiers:
        tiers = dict(endpoint.tiers)
        if resolution not in tiers:
            allowed = ", ".join(tiers)
            raise _refuse(
                model, f"{model} on {path} cannot make {resolution}; allowed: {allowed}", "size"
            )
        fields[endpoint.tier_field] = tiers[resolution]
    return fields


def size_token(request: VideoGenerationRequest, endpoint: Endpoint) -> str:
    """What the request id keeps of the size: the pixel ratio where one was sent (as
    before), else ``<resolution>@<aspect>``, or ``<resolution>`` alone when the output
    keeps the input image's framing, or nothing when no size was sent."""
    if endpoint.ratios:
        return sizes(endpoint.ratios)[(request.resolution or "", request.aspect_ratio or "")]
    resolution = request.resolution if endpoint.tiers else None
    aspect = request.aspect_ratio if endpoint.aspects else None
    if resolution and aspect:
        return f"{resolution}@{aspect}"
    return resolution or ""


def prompt_image(request: VideoGenerationRequest, endpoint: Endpoint, model: str) -> Any:
    """``promptImage``: a URI for a first frame alone, else a list of positioned frames."""
    frames = {
        image.role: image.image
        for image in request.image_list
        if image.role in ("first_frame", "last_frame")
    }
    if "first_frame" not in frames:
        raise _refuse(
            model, f"{model} needs a first_frame image to use a last_frame image", "image_list"
        )
    if "last_frame" in frames and "last" not in endpoint.positions:
        raise _refuse(model, f"{model} takes a first frame only, not a last frame", "image_list")
    for role, uri in frames.items():
        check_image_uri(uri, model, "input_reference" if role == "first_frame" else "image_list")
    if set(frames) == {"first_frame"}:
        return frames["first_frame"]
    positions = {"first_frame": "first", "last_frame": "last"}
    return [
        {"uri": frames[role], "position": positions[role]} for role in positions if role in frames
    ]


def check_unsupported(request: VideoGenerationRequest, spec: RunwayModel, model: str) -> None:
    """Refuse what no Runway video endpoint does: several videos per task, prompt
    enhancement, a prompt past the model's limit (in UTF-16 code units, as Runway counts)."""
    if request.number_of_videos != 1:
        raise _refuse(model, f"{model} makes one video per task", "number_of_videos")
    if request.enhance_prompt:
        raise _refuse(model, f"{model} has no prompt-enhancement switch", "enhance_prompt")
    units = len(request.prompt.encode("utf-16-le")) // 2
    if spec.max_prompt is not None and units > spec.max_prompt:
        raise _refuse(
            model,
            f"{model} takes a prompt of up to {spec.max_prompt} UTF-16 code units; "
            f"this one has {units}",
            "prompt",
        )


def check_image_uri(uri: str, model: str, param: str) -> None:
    """Runway takes an HTTPS URL, a ``runway://`` upload URI or a data URI up to 5 MB."""
    if not uri.startswith(_IMAGE_SCHEMES):
        raise _refuse(
            model,
            f"{model} takes an image as an HTTPS URL, a runway:// upload URI or a "
            "data:image/...;base64 URI",
            param,
        )
    if uri.startswith("data:") and len(uri) > MAX_DATA_URI_BYTES:
        raise _refuse(
            model,
            f"image data URI is {len(uri)} bytes; Runway takes data URIs up to 5 MB "
            "(5000000 bytes): pass an HTTPS URL, or upload the file as input_reference "
            "(the gateway sends larger files through Runway's uploads API)",
            param,
        )


# -- request ids ------------------------------------------------------------------------


def encode_request_id(task_id: str, duration: Any, ratio: str | None) -> str:
    seconds = str(duration) if isinstance(duration, int) else ""
    return _ID_SEPARATOR.join((task_id, seconds, ratio or ""))


def decode_request_id(request_id: str) -> tuple[str, int | None, str | None]:
    """(task id, requested seconds, pixel ratio); a bare Runway task id also works."""
    task_id, _, rest = request_id.partition(_ID_SEPARATOR)
    seconds, _, ratio = rest.partition(_ID_SEPARATOR)
    return task_id, int(seconds) if seconds.isdigit() else None, ratio or None


def _size_of(size: str | None) -> tuple[str | None, str | None]:
    """(resolution, aspect ratio) from a request id's size token (see :func:`size_token`);
    the aspect ratio is None where the output kept the input image's framing."""
    if not size:
        return None, None
    if "@" in size:
        resolution, _, aspect = size.partition("@")
        return resolution, aspect
    if ":" not in size:
        return size, None
    known = size_of(size)
    return known if known is not None else (None, None)


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


_PENDING = "runway://pending-upload"
"""Stands in for an image still to be uploaded while the request is checked."""


def _inline(image: str) -> InlineImage | None:
    """The bytes of an inline image; None for a URL Runway reads (or a bad value, which
    :func:`check_image_uri` refuses with a reason)."""
    return None if image.startswith(_IMAGE_SCHEMES[:2]) else inline_image(image)


def _data_uri(image: str, found: InlineImage) -> str:
    """``image`` as a data URI (raw base64 gets the sniffed type)."""
    return image if image.startswith("data:") else f"data:{found.content_type};base64,{image}"


def api_key(config: VideoGenerationConfig) -> str:
    """The key from the config, else from Runway's environment variables."""
    return require_api_key(config, PROVIDER, ENV_KEYS)


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
            secret=api_key(config),
        )

    def build_request(
        self, config: VideoGenerationConfig, request: VideoGenerationRequest
    ) -> tuple[str, dict[str, Any]]:
        """(endpoint path, JSON body) for ``request``: only fields the model's table lists
        for that endpoint; raises ValidationError before any network call otherwise."""
        path, payload, _size = self._plan(config, request)
        return path, payload

    def _plan(
        self, config: VideoGenerationConfig, request: VideoGenerationRequest
    ) -> tuple[str, dict[str, Any], str]:
        """:meth:`build_request`, plus the size token the request id keeps."""
        model = config.model
        spec = model_spec(model)
        mapping = MODEL_MAPPINGS[model]
        request = _with_defaults(request, spec)
        check_capabilities(request, mapping.capabilities, provider=PROVIDER, model=model)
        framed = any(i.role in ("first_frame", "last_frame") for i in request.image_list)
        endpoint = spec.image if framed else spec.text
        path = "/v1/image_to_video" if framed else "/v1/text_to_video"
        if endpoint is None:  # check_capabilities refused the other case already
            raise _refuse(
                model, f"{model} needs an input image (image-to-video only)", "input_reference"
            )
        check_unsupported(request, spec, model)
        payload: dict[str, Any] = {"model": model}
        if request.prompt:
            payload["promptText"] = request.prompt
        if framed:
            payload["promptImage"] = prompt_image(request, endpoint, model)
        if request.duration_seconds is not None:
            payload["duration"] = request.duration_seconds
        payload.update(size_fields(request, endpoint, model, path))
        options = {"seed": request.seed, "negativePrompt": request.negative_prompt}
        for field, value in options.items():
            if value is None:
                continue
            if field not in endpoint.options:
                unified = "seed" if field == "seed" else "negative_prompt"
                raise _refuse(model, f"{model} on {path} takes no {unified}", unified)
            payload[field] = value
        if request.generate_audio is not None:
            if AUDIO in endpoint.options:
                payload["audio"] = request.generate_audio
            elif spec.always_audio and not request.generate_audio:
                raise _refuse(model, f"{model} always renders audio", "generate_audio")
        merge_extra_params(
            payload,
            request.extra_params,
            protected=protected_fields(mapping),
            provider=PROVIDER,
            model=model,
        )
        return path, payload, size_token(request, endpoint)

    # -- VideoProvider ------------------------------------------------------------------

    async def prepare_images(
        self,
        config: VideoGenerationConfig,
        request: VideoGenerationRequest,
        publisher: Publisher | None,
    ) -> VideoGenerationRequest:
        """Inline images Runway can read. Raw base64 becomes a data URI; one up to 5 MB
        stays inline (no extra call). A larger one goes to Runway's uploads API (a
        ``runway://`` URI, kept by Runway for a while); if that upload fails for a
        reason other than the key, the gateway's signed HTTPS URL (``publisher``) is
        used instead; with neither, a 400 before any task is made. The request is
        checked first, so one Runway would refuse uploads nothing."""
        found = [_inline(item.image) for item in request.image_list]
        if all(item is None for item in found):
            return request
        images: list[ImageInput] = []
        pending: list[tuple[int, InlineImage, int]] = []
        for item, inline in zip(request.image_list, found, strict=True):
            if inline is None:
                images.append(item)
                continue
            uri = _data_uri(item.image, inline)
            if len(uri) > MAX_DATA_URI_BYTES:
                pending.append((len(images), inline, len(uri)))
                uri = _PENDING
            images.append(item.model_copy(update={"image": uri}))
        if pending:
            self._plan(config, request.model_copy(update={"image_list": images}))
        done: dict[tuple[bytes, str], str] = {}
        for index, inline, size in pending:
            key = (inline.data, inline.content_type)
            if key not in done:
                done[key] = await self._upload(config, inline, size, publisher)
            images[index] = images[index].model_copy(update={"image": done[key]})
        return request.model_copy(update={"image_list": images})

    async def _upload(
        self,
        config: VideoGenerationConfig,
        image: InlineImage,
        size: int,
        publisher: Publisher | None,
    ) -> str:
        """A ``runway://`` URI for ``image`` (Runway's uploads API), else the gateway's
        HTTPS URL, else a 400 (or the upload's own error when retrying may help)."""
        try:
            return await upload_ephemeral(
                image.data,
                image.content_type,
                api_key=api_key(config),
                model=config.model,
                request_timeout=config.request_timeout,
                base_url=config.base_url or DEFAULT_BASE_URL,
                api_version=config.api_version or API_VERSION,
            )
        except ProviderAuthenticationError:
            raise  # the task would be refused with the same key
        except TarashError as failure:
            if publisher is not None:
                url = await publisher.publish(image.data, image.content_type)
                if url.startswith("https://"):
                    return url
            if failure.is_retryable:
                raise  # Runway is having trouble: retry or fall back, not a 400
            raise _refuse(
                config.model,
                f"image is {size} bytes as a data URI, over Runway's 5 MB (5000000 bytes) "
                f"data URI limit, and Runway's uploads API refused it ({failure.message}): "
                f"pass an HTTPS image URL, or set {PUBLIC_URL_SETTING} to an https:// "
                "address so the gateway serves the upload",
                "input_reference",
            ) from None

    async def submit_video(
        self, config: VideoGenerationConfig, request: VideoGenerationRequest
    ) -> SubmittedJob:
        path, payload, size = self._plan(config, request)
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
        request_id = encode_request_id(task_id, payload.get("duration"), size)
        return SubmittedJob(request_id=request_id, raw_response=body)

    async def _task(self, config: VideoGenerationConfig, request_id: str) -> Any:
        task_id, _seconds, _ratio = decode_request_id(request_id)
        return await self._call(
            config, "GET", f"/v1/tasks/{quote(task_id, safe='')}", request_id=request_id
        )

    async def poll_video(self, config: VideoGenerationConfig, request_id: str) -> JobProgress:
        task = await self._task(config, request_id)
        progress = task_progress(task, model=config.model, request_id=request_id)
        return with_result(progress, lambda: self._finished(config, request_id, task))

    async def fetch_video(
        self, config: VideoGenerationConfig, request_id: str
    ) -> VideoGenerationResponse:
        task = await self._task(config, request_id)
        return self._finished(config, request_id, task)

    def _finished(
        self, config: VideoGenerationConfig, request_id: str, task: Any
    ) -> VideoGenerationResponse:
        """The result a task resource describes, or why it has none."""
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
