"""Luma's Dream Machine API (api.lumalabs.ai/dream-machine/v1): Ray videos, Photon images.

Calls go through :func:`adapters.http.call` and follow the official SDK, lumaai 1.21
(``generations.create`` / ``generations.video.create``, ``generations.image.create``,
``.get``, ``.delete``). Both kinds of output are *generations*: ``POST
/generations/video`` or ``POST /generations/image`` returns the generation (``GET
/generations`` only lists them), ``GET /generations/{id}`` reports ``state`` queued /
dreaming / completed / failed with ``failure_reason`` and ``assets`` {video, image}, and
``DELETE /generations/{id}`` removes it. A generation echoes its own request, so its id
alone is enough to report duration, resolution and aspect ratio after a restart.

Images are passed by URL only (Luma fetches them and has no upload API). An uploaded or
``data:`` image is served by the gateway at a signed link under
``general_settings.public_url`` (:meth:`LumaProvider.prepare_images`); without one it is
refused with a 400 naming that setting, before any call.

Image generations queue like videos; :meth:`LumaProvider.generate_image` runs them
through :func:`adapters.polling.run_video_job` (the one poll loop) rather than polling
on its own.

Wire format checked on 2026-12-03 against lumaai 1.21; sources are listed in
``tests/emulators/luma.py``, and ``tests/conformance/test_luma.py`` compares our requests
with the SDK's.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote

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
    TarashError,
    ValidationError,
)
from tarash_gateway.adapters.extras import IMAGE_PARAMS, merge_extra_params
from tarash_gateway.adapters.field_mappers import (
    Capabilities,
    FieldMap,
    ModelMapping,
    lookup_mapping,
    map_fields,
    protected_fields,
    register_provider_field_mapping,
)
from tarash_gateway.adapters.http import call
from tarash_gateway.adapters.keys import require_api_key
from tarash_gateway.adapters.models import (
    ImageGenerationConfig,
    ImageGenerationRequest,
    ImageGenerationResponse,
    JobProgress,
    SubmittedJob,
    VideoGenerationConfig,
    VideoGenerationRequest,
    VideoGenerationResponse,
)
from tarash_gateway.adapters.polling import run_video_job
from tarash_gateway.adapters.sizes import aspect_from_size
from tarash_gateway.adapters.uploads import Publisher, images_as_urls, inline_image

PROVIDER = "luma"
DEFAULT_BASE_URL = "https://api.lumalabs.ai"
API_PREFIX = "/dream-machine/v1"
ENV_KEY = "LUMAAI_API_KEY"

_ALL_ASPECTS = ("16:9", "9:16", "1:1", "4:3", "21:9")
"""The unified aspect ratios (Luma also has 3:4 and 9:21, which the unified API cannot ask for)."""
_LUMA_ASPECTS = frozenset({"1:1", "16:9", "9:16", "4:3", "3:4", "21:9", "9:21"})

# -- model families ---------------------------------------------------------------------


# Ray 2 defaults: 5 s, 720p, 16:9. Neither lumaai 1.21 (types/generations/
# video_create_params.py: duration "5s" | "9s", resolution 540p | 720p | 1080p | 4k, seven
# aspect ratios, all optional) nor docs.lumalabs.ai/docs/video-generation states a
# default; these are the defaults Luma's own Replicate models publish
# (https://replicate.com/luma/ray-2-720p/api: duration 5, aspect_ratio 16:9) and GMI
# Cloud's Ray 2 guide (https://docs.gmicloud.ai/model-quickstarts/video/luma-ray2: "5s",
# "720p", "16:9"). They are always sent, so price and output never rest on a guess.
_RAY_DEFAULTS = (5, "720p", "16:9")


def _ray(
    *,
    durations: tuple[int, ...] | None,
    resolutions: tuple[str, ...] | None,
    defaults: bool = True,
) -> ModelMapping:
    """A Ray family. With ``defaults``, duration, resolution and aspect ratio are always
    sent (Luma's defaults), so the price is known and the generation echoes all three."""
    duration, resolution, aspect = _RAY_DEFAULTS if defaults else (None, None, None)
    return ModelMapping(
        fields=(
            FieldMap("prompt", "prompt"),
            FieldMap("aspect_ratio", "aspect_ratio", default=aspect),
            FieldMap("duration_seconds", "duration", default=f"{duration}s" if duration else None),
            FieldMap("resolution", "resolution", default=resolution),
        ),
        capabilities=Capabilities(
            durations=durations,
            resolutions=resolutions,
            aspect_ratios=_ALL_ASPECTS,
            image_roles=("first_frame", "last_frame"),
            default_duration=duration,
            default_resolution=resolution,
            default_aspect_ratio=aspect,
        ),
        # Placeholders: submit turns these into keyframes.frame0 / frame1 image refs.
        image_fields={"first_frame": "frame0", "last_frame": "frame1"},
        duration_format="string_s",
        reserved={"generation_type": None},
    )


def _photon() -> ModelMapping:
    """Photon images. Default aspect 16:9: Luma's own Replicate model
    (https://replicate.com/luma/photon/api); omitted on the wire, Luma applies it."""
    return ModelMapping(
        fields=(FieldMap("prompt", "prompt"), FieldMap("aspect_ratio", "aspect_ratio")),
        capabilities=Capabilities(
            aspect_ratios=_ALL_ASPECTS,
            image_roles=("reference", "style"),
            text_to_video=False,
            default_aspect_ratio="16:9",
        ),
        image_fields={"reference": "image_ref", "style": "style_ref"},
        list_image_fields=frozenset({"image_ref", "style_ref"}),
    )


MODEL_MAPPINGS: dict[str, ModelMapping] = {
    # Ray 2 and Ray Flash 2: "5s" or "9s", 540p (not a unified size), 720p, 1080p, 4k.
    "ray-2": _ray(durations=(5, 9), resolutions=("720p", "1080p", "4k")),
    "ray-flash-2": _ray(durations=(5, 9), resolutions=("720p", "1080p", "4k")),
    # Photon image models (POST /generations/image); never used for videos.
    "photon": _photon(),
    "photon-1": _photon(),
    "photon-flash-1": _photon(),
    # Any other Luma video model (lumaai 1.21 knows only ray-2 and ray-flash-2): the same
    # fields, nothing restricted or defaulted here; Luma decides.
    "": _ray(durations=None, resolutions=None, defaults=False),
}

register_provider_field_mapping(PROVIDER, MODEL_MAPPINGS)

_IMAGE_PREFIX = "photon"
_IMAGE_FORMATS = {"jpg": "image/jpeg", "png": "image/png"}

# -- classification ---------------------------------------------------------------------

_MODERATION = re.compile(
    r"moderation failed|content moderation|not allowed|flagged|nsfw|prohibited|"
    r"violat\w* (our|the|content)",
    re.IGNORECASE,
)


def is_moderation(reason: Any, code: Any = None) -> bool:
    """Whether a failure reason (or code) means Luma refused the content.

    "failed to moderate image" means Luma could not *fetch* the image, not a refusal.
    """
    if code == "content_moderated":
        return True
    text = reason if isinstance(reason, str) else ""
    return bool(_MODERATION.search(text)) and "failed to moderate" not in text.lower()


def _moderated(status: int, body: Any) -> bool:
    """A create refused on content grounds: a 400 whose detail says so."""
    if status != 400:
        return False
    detail = body.get("detail") if isinstance(body, dict) else body
    return is_moderation(detail if isinstance(detail, str) else json.dumps(detail))


def generation_progress(generation: Any, *, model: str, request_id: str) -> JobProgress:
    """Map one ``GET /generations/{id}`` answer onto the unified job status."""
    if not isinstance(generation, dict):
        raise HTTPError(
            "luma answered a poll without a generation object",
            status_code=502,
            provider=PROVIDER,
            model=model,
            request_id=request_id,
            raw_response=generation,
        )
    state = generation.get("state")
    if state == "queued":
        return JobProgress(status="queued", progress=0, raw_response=generation)
    if state == "dreaming":
        return JobProgress(status="in_progress", progress=0, raw_response=generation)
    if state == "completed":
        return JobProgress(status="completed", progress=100, raw_response=generation)
    if state == "failed":
        reason = generation.get("failure_reason") or "no reason given"
        common: dict[str, Any] = {
            "provider": PROVIDER,
            "model": model,
            "request_id": request_id,
            "raw_response": generation,
        }
        message = f"luma generation failed: {reason}"
        error: TarashError = (
            ContentModerationError(message, **common)
            if is_moderation(reason, generation.get("failure_code"))
            else GenerationFailedError(message, **common)
        )
        return JobProgress(status="failed", error=error, raw_response=generation)
    raise HTTPError(
        f"luma reported an unknown generation state {state!r}",
        status_code=502,
        provider=PROVIDER,
        model=model,
        request_id=request_id,
        raw_response=generation,
    )


# -- payloads ---------------------------------------------------------------------------


def _refuse(message: str, param: str, model: str) -> ValidationError:
    return ValidationError(message, param=param, provider=PROVIDER, model=model)


def image_url(image: Any, role: str, model: str, param: str = "image_list") -> str:
    """``image`` if it is an http(s) URL: Luma fetches every input image itself and takes
    no uploads or ``data:`` URIs, so anything else is a 400 here, before any call."""
    if isinstance(image, str) and image.startswith(("http://", "https://")):
        return image
    raise _refuse(
        f"{model} needs an image URL (http or https) for the {role} image: Luma fetches "
        "input images itself and does not take uploaded or data: URI images",
        param,
        model,
    )


def _extra_images(payload: dict[str, Any]) -> Iterator[tuple[str, Any]]:
    """(where, value) for each image an extra parameter put in ``payload``: keyframes
    of type image, ``modify_image_ref`` and ``character_ref`` (lumaai 1.21's shapes)."""
    keyframes = payload.get("keyframes")
    if isinstance(keyframes, dict):
        for name, frame in keyframes.items():
            if isinstance(frame, dict) and frame.get("type") == "image":
                yield f"keyframes.{name}", frame.get("url")
    modify = payload.get("modify_image_ref")
    if isinstance(modify, dict):
        yield "modify_image_ref", modify.get("url")
    character = payload.get("character_ref")
    identity = character.get("identity0") if isinstance(character, dict) else None
    if isinstance(identity, dict) and isinstance(identity.get("images"), list):
        for image in identity["images"]:
            yield "character_ref.identity0", image


def _check_extra_images(payload: dict[str, Any], model: str) -> dict[str, Any]:
    """``payload``, once every image an extra placed in it is an http(s) URL."""
    for where, value in _extra_images(payload):
        image_url(value, where, model, param=where.split(".", 1)[0])
    return payload


def video_payload(model: str, request: VideoGenerationRequest) -> dict[str, Any]:
    """The JSON body of ``POST /generations/video`` for ``request`` (ValidationError first)."""
    if model.startswith(_IMAGE_PREFIX):
        raise _refuse(f"{model} generates images, not videos", "model", model)
    mapping = lookup_mapping(PROVIDER, model) or MODEL_MAPPINGS[""]
    payload = map_fields(mapping, request, provider=PROVIDER, model=model)
    if request.number_of_videos != 1:
        raise _refuse(
            f"{model} makes one video per generation; number_of_videos must be 1",
            "number_of_videos",
            model,
        )
    if request.negative_prompt:
        raise _refuse(f"{model} does not take a negative prompt", "negative_prompt", model)
    for image in request.image_list:
        image_url(image.image, image.role, model)
    keyframes: dict[str, Any] = {}
    for frame in ("frame0", "frame1"):
        url = payload.pop(frame, None)
        if url is not None:
            keyframes[frame] = {"type": "image", "url": url}
    if keyframes:
        payload["keyframes"] = keyframes
    payload["model"] = model
    payload["generation_type"] = "video"
    # keyframes built from images are the gateway's; without images they are an add-on.
    merged = merge_extra_params(
        payload,
        request.extra_params,
        protected=protected_fields(mapping),
        provider=PROVIDER,
        model=model,
    )
    return _check_extra_images(merged, model)


def image_payload(model: str, request: ImageGenerationRequest) -> tuple[dict[str, Any], list[str]]:
    """(JSON body of ``POST /generations/image``, unified fields Photon ignores)."""
    if not model.startswith(_IMAGE_PREFIX):
        raise _refuse(f"{model} is not a Luma image model (photon-…)", "model", model)
    mapping = lookup_mapping(PROVIDER, model) or MODEL_MAPPINGS[_IMAGE_PREFIX]
    caps = mapping.capabilities
    if request.n != 1:
        raise _refuse(f"{model} makes one image per generation; n must be 1", "n", model)
    if request.negative_prompt:
        raise _refuse(f"{model} does not take a negative prompt", "negative_prompt", model)
    if request.mask_image:
        raise _refuse(f"{model} does not take a mask image", "mask_image", model)
    aspect: str | None = request.aspect_ratio
    if aspect is None and request.size:
        aspect = aspect_from_size(
            request.size, sorted(_LUMA_ASPECTS), provider=PROVIDER, model=model
        )
    elif aspect is not None and caps.aspect_ratios is not None and aspect not in caps.aspect_ratios:
        raise _refuse(
            f"{model} does not support aspect ratio {aspect}; "
            f"allowed: {', '.join(caps.aspect_ratios)}",
            "aspect_ratio",
            model,
        )
    payload: dict[str, Any] = {"prompt": request.prompt, "model": model}
    if aspect is not None:
        payload["aspect_ratio"] = aspect
    for image in request.image_list:
        target = mapping.image_fields.get(image.role)
        if image.role not in caps.image_roles or target is None:
            raise _refuse(
                f"{model} does not accept a {image.role} image; "
                f"accepted roles: {', '.join(caps.image_roles)}",
                "image_list",
                model,
            )
        payload.setdefault(target, []).append({"url": image_url(image.image, image.role, model)})
    payload = merge_extra_params(
        payload,
        request.extra_params,
        protected={
            **IMAGE_PARAMS,
            "aspect_ratio": "aspect_ratio",
            **{target: "image_list" for target in mapping.image_fields.values()},
        },
        provider=PROVIDER,
        model=model,
    )
    _check_extra_images(payload, model)
    ignored = [name for name in ("seed", "quality", "style") if getattr(request, name) is not None]
    return payload, ignored


# -- the provider -----------------------------------------------------------------------


def api_key(config: VideoGenerationConfig | ImageGenerationConfig) -> str:
    """The key from the config, else ``LUMAAI_API_KEY``."""
    return require_api_key(config, PROVIDER, [ENV_KEY])


def _duration_seconds(value: Any) -> float | None:
    """``"5s"`` / ``"9s"`` (or a bare number) as seconds."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    if isinstance(value, str):
        match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*s?\s*", value)
        if match is not None:
            return float(match[1])
    return None


class LumaProvider(VideoProvider, ImageProvider):
    """Luma Ray videos and Photon images; stateless (the generation id is enough)."""

    name = PROVIDER

    # -- plumbing ---------------------------------------------------------------------

    async def _call(
        self,
        config: VideoGenerationConfig,
        method: str,
        path: str,
        *,
        json_body: Any = None,
        request_id: str | None = None,
    ) -> Any:
        base = (config.base_url or DEFAULT_BASE_URL).rstrip("/")
        return await call(
            method,
            f"{base}{API_PREFIX}{path}",
            provider=PROVIDER,
            model=config.model,
            request_timeout=config.request_timeout,
            headers={"Authorization": f"Bearer {api_key(config)}"},
            json_body=json_body,
            request_id=request_id,
            moderation=_moderated,
        )

    async def _create(
        self, config: VideoGenerationConfig, path: str, payload: dict[str, Any]
    ) -> SubmittedJob:
        body = await self._call(config, "POST", path, json_body=payload)
        generation_id = body.get("id") if isinstance(body, dict) else None
        if not isinstance(generation_id, str) or not generation_id:
            raise HTTPError(
                "luma accepted the generation but returned no id",
                status_code=502,
                provider=PROVIDER,
                model=config.model,
                raw_response=body,
            )
        return SubmittedJob(request_id=generation_id, raw_response=body)

    async def _generation(self, config: VideoGenerationConfig, request_id: str) -> Any:
        return await self._call(
            config, "GET", f"/generations/{quote(request_id, safe='')}", request_id=request_id
        )

    # -- VideoProvider ------------------------------------------------------------------

    async def prepare_images(
        self,
        config: VideoGenerationConfig,
        request: VideoGenerationRequest,
        publisher: Publisher | None,
    ) -> VideoGenerationRequest:
        """Uploaded images become the gateway's signed URLs: Luma fetches every input
        image itself and has no upload API (docs.lumalabs.ai/docs/video-generation).
        The payload is checked first (with stand-in URLs), so a request the adapter
        refuses publishes nothing."""
        stand_ins = [
            image.model_copy(update={"image": "https://stand-in.invalid/image"})
            if inline_image(image.image) is not None
            else image
            for image in request.image_list
        ]
        video_payload(config.model, request.model_copy(update={"image_list": stand_ins}))
        return await images_as_urls(
            request, provider=PROVIDER, model=config.model, publisher=publisher
        )

    async def submit_video(
        self, config: VideoGenerationConfig, request: VideoGenerationRequest
    ) -> SubmittedJob:
        return await self._create(
            config, "/generations/video", video_payload(config.model, request)
        )

    async def poll_video(self, config: VideoGenerationConfig, request_id: str) -> JobProgress:
        generation = await self._generation(config, request_id)
        progress = generation_progress(generation, model=config.model, request_id=request_id)
        return with_result(progress, lambda: self._finished(config, request_id, generation))

    async def fetch_video(
        self, config: VideoGenerationConfig, request_id: str
    ) -> VideoGenerationResponse:
        """The finished generation; for an image generation ``video`` holds the image URL."""
        generation = await self._generation(config, request_id)
        return self._finished(config, request_id, generation)

    def _finished(
        self, config: VideoGenerationConfig, request_id: str, generation: Any
    ) -> VideoGenerationResponse:
        """The result a generation resource describes, or why it has none."""
        progress = generation_progress(generation, model=config.model, request_id=request_id)
        require_completed(
            progress,
            provider=PROVIDER,
            model=config.model,
            request_id=request_id,
            raw_response=generation,
        )
        assets = generation.get("assets") or {}
        is_image = generation.get("generation_type") == "image"
        url = assets.get("image") if is_image else assets.get("video")
        if not isinstance(url, str) or not url:
            raise HTTPError(
                "luma reported completion without an output URL",
                status_code=502,
                provider=PROVIDER,
                model=config.model,
                request_id=request_id,
                raw_response=generation,
            )
        echoed = generation.get("request") or {}
        content_type = (
            _IMAGE_FORMATS.get(echoed.get("format") or "jpg", "image/jpeg")
            if is_image
            else "video/mp4"
        )
        return VideoGenerationResponse(
            request_id=request_id,
            video=url,
            thumbnail=None if is_image else assets.get("image"),
            status="completed",
            duration=None if is_image else _duration_seconds(echoed.get("duration")),
            resolution=echoed.get("resolution"),
            aspect_ratio=echoed.get("aspect_ratio"),
            content_type=content_type,
            raw_response=generation,
            provider_metadata={"generation_id": request_id, "model": generation.get("model")},
        )

    async def cancel_video(self, config: VideoGenerationConfig, request_id: str) -> None:
        """``DELETE /generations/{id}``: Luma's only way to drop a generation."""
        try:
            await self._call(
                config,
                "DELETE",
                f"/generations/{quote(request_id, safe='')}",
                request_id=request_id,
            )
        except HTTPError as error:
            if error.status_code != 404:  # already gone: nothing left to stop
                raise

    # -- ImageProvider ------------------------------------------------------------------

    async def generate_image(
        self, config: ImageGenerationConfig, request: ImageGenerationRequest
    ) -> ImageGenerationResponse:
        """A Photon generation, driven by the shared poll loop until its image is ready."""
        payload, ignored = image_payload(config.model, request)
        job_config = VideoGenerationConfig(
            provider=config.provider,
            model=config.model,
            api_key=config.api_key,
            base_url=config.base_url,
            api_version=config.api_version,
            provider_config=config.provider_config,
            request_timeout=config.request_timeout,
            timeout=config.timeout,
            max_poll_attempts=config.max_poll_attempts,
            poll_interval=config.poll_interval,
        )
        result = await run_video_job(
            _PhotonJob(payload), job_config, VideoGenerationRequest(prompt=request.prompt)
        )
        metadata = dict(result.provider_metadata)
        if ignored:
            metadata["ignored_fields"] = ignored
        return ImageGenerationResponse(
            request_id=result.request_id,
            images=[str(result.video)],
            content_type=result.content_type,
            raw_response=result.raw_response,
            provider_metadata=metadata,
        )


class _PhotonJob(LumaProvider):
    """One Photon image generation seen as a job, so the one poll loop can drive it."""

    def __init__(self, payload: dict[str, Any]) -> None:
        self._payload = payload

    async def submit_video(
        self, config: VideoGenerationConfig, request: VideoGenerationRequest
    ) -> SubmittedJob:
        return await self._create(config, "/generations/image", self._payload)
