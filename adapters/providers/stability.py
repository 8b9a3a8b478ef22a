"""Stability AI's Stable Image API (api.stability.ai/v2beta): images only, synchronous.

``POST /v2beta/stable-image/generate/{ultra|core|sd3}`` takes multipart form fields
(prompt, negative_prompt, aspect_ratio, seed, output_format, style_preset on Core,
model on SD3) and, with ``Accept: application/json``, answers ``{image: <base64>,
finish_reason: SUCCESS | CONTENT_FILTERED, seed}`` in the same call, so there is no job
to poll. A prompt refused by moderation is a 403 ``{name: "content_moderation",
errors: [...]}``; a filtered output is a 200 with ``finish_reason: CONTENT_FILTERED``.
Both become :class:`ContentModerationError`. Every call goes through
:func:`adapters.http.call`.

Config model ids: ``ultra`` / ``core`` (or ``stable-image-ultra`` / ``stable-image-core``)
pick that endpoint; ``sd3`` or an ``sd3.5-…`` model id uses the SD3 endpoint with that
model. There is no video here.

Wire format checked on 2026-11-25; sources are listed in ``tests/emulators/stability.py``.
"""

from __future__ import annotations

import json
import re
import secrets
from typing import Any

import aiohttp

from tarash_gateway.adapters.base import ImageProvider
from tarash_gateway.adapters.errors import ContentModerationError, HTTPError, ValidationError
from tarash_gateway.adapters.extras import IMAGE_PARAMS, merge_extra_params
from tarash_gateway.adapters.field_mappers import (
    Capabilities,
    FieldMap,
    ModelMapping,
    lookup_mapping,
    protected_fields,
    register_provider_field_mapping,
)
from tarash_gateway.adapters.http import call
from tarash_gateway.adapters.keys import require_api_key
from tarash_gateway.adapters.models import (
    ImageGenerationConfig,
    ImageGenerationRequest,
    ImageGenerationResponse,
)
from tarash_gateway.adapters.sizes import aspect_from_size

PROVIDER = "stability"
DEFAULT_BASE_URL = "https://api.stability.ai"
ENV_KEY = "STABILITY_API_KEY"
ASPECT_RATIOS = ("16:9", "1:1", "21:9", "2:3", "3:2", "4:5", "5:4", "9:16", "9:21")
"""Every Stable Image endpoint's aspect ratios (the unified 4:3 is not among them)."""
MAX_SEED = 4_294_967_294
MAX_PROMPT = 10_000
"""``prompt`` and ``negative_prompt`` are at most 10,000 characters on every endpoint
(Stability's reference: ``maxLength: 10000``); the gateway itself allows longer prompts."""
OUTPUT_FORMATS = {"png": "image/png", "jpeg": "image/jpeg", "webp": "image/webp"}
SD3_OUTPUT_FORMATS = frozenset({"png", "jpeg"})
STYLE_PRESETS = (
    "3d-model",
    "analog-film",
    "anime",
    "cinematic",
    "comic-book",
    "digital-art",
    "enhance",
    "fantasy-art",
    "isometric",
    "line-art",
    "low-poly",
    "modeling-compound",
    "neon-punk",
    "origami",
    "photographic",
    "pixel-art",
    "tile-texture",
)
"""Core's ``style_preset`` values (OpenAI's "vivid" / "natural" are not among them)."""

# -- model families ---------------------------------------------------------------------

_PROMPT = FieldMap("prompt", "prompt", required=True)
_NEGATIVE = FieldMap("negative_prompt", "negative_prompt")
_ASPECT = FieldMap("aspect_ratio", "aspect_ratio")
_SEED = FieldMap("seed", "seed")
_TEXT_TO_IMAGE = Capabilities(
    aspect_ratios=ASPECT_RATIOS,
    text_to_video=False,
    # Every endpoint's aspect_ratio defaults to 1:1 (platform.stability.ai/docs/api-reference,
    # generate/ultra, /core, /sd3; read 2026-12-03). Left out, the API applies it.
    default_aspect_ratio="1:1",
)


def _family(*fields: FieldMap) -> ModelMapping:
    return ModelMapping(fields=fields, capabilities=_TEXT_TO_IMAGE)


_ULTRA = _family(_PROMPT, _NEGATIVE, _ASPECT, _SEED)
_CORE = _family(_PROMPT, _NEGATIVE, _ASPECT, _SEED, FieldMap("style", "style_preset"))
_SD3 = _family(_PROMPT, _NEGATIVE, _ASPECT, _SEED)

MODEL_MAPPINGS: dict[str, ModelMapping] = {
    "ultra": _ULTRA,
    "stable-image-ultra": _ULTRA,
    "core": _CORE,
    "stable-image-core": _CORE,
    "sd3": _SD3,
    # Stability documents that the large turbo model ignores negative prompts.
    "sd3.5-large-turbo": _family(_PROMPT, _ASPECT, _SEED),
    "": _family(_PROMPT, _NEGATIVE, _ASPECT, _SEED),
}

register_provider_field_mapping(PROVIDER, MODEL_MAPPINGS)

_ENDPOINT_NAME = re.compile(r"[a-z0-9][a-z0-9.\-]*")


def _refuse(message: str, param: str, model: str) -> ValidationError:
    return ValidationError(message, param=param, provider=PROVIDER, model=model)


def endpoint_for(model: str) -> tuple[str, str | None]:
    """(endpoint under ``/generate/``, the SD3 ``model`` form field or None)."""
    name = model.removeprefix("stable-image-")
    if name.startswith("sd3"):
        return "sd3", None if name == "sd3" else name
    if not _ENDPOINT_NAME.fullmatch(name):
        raise _refuse(f"{model!r} is not a Stability image model id", "model", model)
    return name, None


def _form_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict | list):
        return json.dumps(value)
    return str(value)


def _aspect(
    model: str, request: ImageGenerationRequest, allowed: tuple[str, ...] | None
) -> str | None:
    """The aspect ratio to send: the request's, else its ``size`` as a ratio; refused
    when the model cannot make it."""
    aspect: str | None = request.aspect_ratio
    if aspect is None and request.size:
        aspect = aspect_from_size(request.size, ASPECT_RATIOS, provider=PROVIDER, model=model)
    if aspect is not None and allowed is not None and aspect not in allowed:
        raise _refuse(
            f"{model} does not support aspect ratio {aspect}; allowed: {', '.join(allowed)}",
            "aspect_ratio",
            model,
        )
    return aspect


def _check_fields(model: str, request: ImageGenerationRequest, mapping: ModelMapping) -> None:
    """Refuse, before any call, text, seed and style values the endpoint would reject."""
    for name in ("prompt", "negative_prompt"):
        text = getattr(request, name)
        if text is not None and len(text) > MAX_PROMPT:
            raise _refuse(
                f"{model} takes a {name} of at most {MAX_PROMPT} characters "
                f"(this one has {len(text)})",
                name,
                model,
            )
    if request.seed is not None and not 0 <= request.seed <= MAX_SEED:
        raise _refuse(f"{model} takes a seed from 0 to {MAX_SEED}", "seed", model)
    mapped = {row.source for row in mapping.fields}
    for unified in ("negative_prompt", "style"):
        if getattr(request, unified) and unified not in mapped:
            raise _refuse(f"{model} does not take {unified}", unified, model)
    if request.style is not None and request.style not in STYLE_PRESETS:
        raise _refuse(
            f"{model} has no style {request.style!r}; allowed: {', '.join(STYLE_PRESETS)}",
            "style",
            model,
        )


def build_form(model: str, request: ImageGenerationRequest) -> tuple[str, dict[str, str]]:
    """(endpoint, multipart fields) for ``request``; ValidationError before any call."""
    endpoint, sd3_model = endpoint_for(model)
    mapping = lookup_mapping(PROVIDER, model) or MODEL_MAPPINGS[""]
    caps = mapping.capabilities
    if request.n != 1:
        raise _refuse(f"{model} returns one image per call; n must be 1", "n", model)
    if request.image_list or request.mask_image:
        raise _refuse(f"{model} is used here for text-to-image only", "image_list", model)
    aspect = _aspect(model, request, caps.aspect_ratios)
    _check_fields(model, request, mapping)
    fields: dict[str, str] = {}
    for row in mapping.fields:
        value = aspect if row.source == "aspect_ratio" else getattr(request, row.source)
        if value is not None and row.transform is not None:
            value = row.transform(value)
        if value is None:
            value = row.default
        if value is not None:
            fields[row.target] = _form_value(value)
    if sd3_model is not None:
        fields["model"] = sd3_model
    fields["output_format"] = "png"
    merge_extra_params(
        fields,
        request.extra_params,
        protected={**protected_fields(mapping), **IMAGE_PARAMS},
        provider=PROVIDER,
        model=model,
        overridable=("output_format",),  # checked just below; it does not change the price
        encode=_form_value,
    )
    allowed_formats = SD3_OUTPUT_FORMATS if endpoint == "sd3" else frozenset(OUTPUT_FORMATS)
    if fields["output_format"] not in allowed_formats:
        raise _refuse(
            f"{model} cannot output {fields['output_format']!r}; "
            f"allowed: {', '.join(sorted(allowed_formats))}",
            "output_format",
            model,
        )
    return endpoint, fields


def _moderated(status: int, body: Any) -> bool:
    """Stability's refusal: ``{"name": "content_moderation", ...}`` (a 403 in practice)."""
    if not isinstance(body, dict):
        return False
    if body.get("name") == "content_moderation":
        return True
    return status == 403 and "content moderation" in json.dumps(body.get("errors", "")).lower()


def api_key(config: ImageGenerationConfig) -> str:
    """The key from the config, else ``STABILITY_API_KEY``."""
    return require_api_key(config, PROVIDER, [ENV_KEY])


def _summary(body: dict[str, Any]) -> dict[str, Any]:
    """The answer without its (large) base64 image, which the response carries anyway."""
    kept = {key: value for key, value in body.items() if key != "image"}
    if isinstance(body.get("image"), str):
        kept["image"] = f"<base64, {len(body['image'])} characters>"
    return kept


class StabilityProvider(ImageProvider):
    """Stable Image Ultra / Core / SD3 text-to-image; one synchronous call per image."""

    name = PROVIDER

    async def generate_image(
        self, config: ImageGenerationConfig, request: ImageGenerationRequest
    ) -> ImageGenerationResponse:
        endpoint, fields = build_form(config.model, request)
        form = aiohttp.FormData(default_to_multipart=True)
        for key, value in fields.items():
            form.add_field(key, value)
        base = (config.base_url or DEFAULT_BASE_URL).rstrip("/")
        body = await call(
            "POST",
            f"{base}/v2beta/stable-image/generate/{endpoint}",
            provider=PROVIDER,
            model=config.model,
            request_timeout=config.request_timeout,
            headers={"Authorization": f"Bearer {api_key(config)}", "Accept": "application/json"},
            data=form,
            moderation=_moderated,
        )
        request_id = f"stability-{secrets.token_hex(8)}"
        if not isinstance(body, dict) or not isinstance(body.get("image"), str):
            raise HTTPError(
                "stability answered without an image",
                status_code=502,
                provider=PROVIDER,
                model=config.model,
                request_id=request_id,
                raw_response=_summary(body) if isinstance(body, dict) else body,
            )
        summary = _summary(body)
        if body.get("finish_reason") == "CONTENT_FILTERED":
            raise ContentModerationError(
                "stability filtered the generated image (finish_reason CONTENT_FILTERED)",
                provider=PROVIDER,
                model=config.model,
                request_id=request_id,
                raw_response=summary,
            )
        metadata: dict[str, Any] = {
            "endpoint": endpoint,
            "seed": body.get("seed"),
            "finish_reason": body.get("finish_reason"),
        }
        if request.quality is not None:
            metadata["ignored_fields"] = ["quality"]
        return ImageGenerationResponse(
            request_id=request_id,
            images=[body["image"]],
            content_type=OUTPUT_FORMATS.get(fields["output_format"], "image/png"),
            raw_response=summary,
            provider_metadata=metadata,
        )
