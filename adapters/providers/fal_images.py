"""fal image models: their size presets and :data:`IMAGE_FAMILIES`, which say how each
takes size, count and reference images (one queue, but no video fields)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from tarash_gateway.adapters.errors import ValidationError
from tarash_gateway.adapters.extras import IMAGE_PARAMS, merge_extra_params
from tarash_gateway.adapters.models import ImageGenerationRequest
from tarash_gateway.adapters.providers.fal_family import (
    PROVIDER,
)

# -- Images ----------------------------------------------------------------------------

FLUX_SIZES = {
    "1:1": "square_hd",
    "4:3": "landscape_4_3",
    "16:9": "landscape_16_9",
    "9:16": "portrait_16_9",
}
"""Flux's ``image_size`` presets for the unified aspect ratios (fal's flux pages)."""

_SIZE = re.compile(r"^\s*(\d{2,5})\s*[xX\u00d7]\s*(\d{2,5})\s*$")


@dataclass(frozen=True)
class ImageFamily:
    """How a fal image model takes size, count and references.

    ``size_style``: ``"image_size"`` takes a preset or ``{width, height}`` (flux, seedream,
    recraft); ``"aspect_ratio"`` takes the ratio string (nano-banana, imagen).
    """

    size_style: Literal["image_size", "aspect_ratio"]
    presets: Mapping[str, str] | None = None
    count_field: str | None = "num_images"
    negative_prompt: bool = True
    style_field: str | None = None
    image_field: str | None = "image_urls"


IMAGE_FAMILIES: dict[str, ImageFamily] = {
    # flux, flux-pro, flux-2, flux-lora, flux-kontext: image_size presets or
    # {width, height}, num_images, seed; no negative prompt.
    "fal-ai/flux": ImageFamily("image_size", presets=FLUX_SIZES, negative_prompt=False),
    # nano-banana: aspect_ratio and num_images; edits take image_urls (unverified).
    "fal-ai/nano-banana": ImageFamily("aspect_ratio", negative_prompt=False),
    # recraft v3: image_size presets and a style (unverified).
    "fal-ai/recraft": ImageFamily(
        "image_size", presets=FLUX_SIZES, negative_prompt=False, style_field="style"
    ),
    "": ImageFamily("image_size", presets=FLUX_SIZES),
}


def image_family_for(model: str) -> ImageFamily:
    """The longest-prefix image family for ``model`` (the generic one if none match)."""
    best = max((prefix for prefix in IMAGE_FAMILIES if model.startswith(prefix)), key=len)
    return IMAGE_FAMILIES[best]


def _image_size(family: ImageFamily, request: ImageGenerationRequest, model: str) -> Any:
    if request.size:
        match = _SIZE.match(request.size)
        if match is None:
            raise ValidationError(
                f"size must look like 1024x768, not {request.size!r}",
                param="size",
                provider=PROVIDER,
                model=model,
            )
        width, height = int(match.group(1)), int(match.group(2))
        if family.size_style == "image_size":
            return {"width": width, "height": height}
        raise ValidationError(
            f"{model} takes an aspect_ratio, not a pixel size",
            param="size",
            provider=PROVIDER,
            model=model,
        )
    if request.aspect_ratio is None:
        return None
    if family.size_style == "aspect_ratio":
        return request.aspect_ratio
    presets = family.presets or {}
    if request.aspect_ratio not in presets:
        raise ValidationError(
            f"{model} does not support aspect ratio {request.aspect_ratio}; "
            f"allowed: {', '.join(presets)}",
            param="aspect_ratio",
            provider=PROVIDER,
            model=model,
        )
    return presets[request.aspect_ratio]


def build_image_payload(request: ImageGenerationRequest, *, model: str) -> dict[str, Any]:
    """The fal input for an image request; impossible asks raise ValidationError first."""
    family = image_family_for(model)
    payload: dict[str, Any] = {"prompt": request.prompt}
    size = _image_size(family, request, model)
    if size is not None:
        payload[family.size_style] = size
    if request.n != 1:
        if family.count_field is None:
            raise ValidationError(
                f"{model} makes one image per request",
                param="n",
                provider=PROVIDER,
                model=model,
            )
        payload[family.count_field] = request.n
    if request.seed is not None:
        payload["seed"] = request.seed
    if request.negative_prompt is not None:
        if not family.negative_prompt:
            raise ValidationError(
                f"{model} does not take a negative prompt",
                param="negative_prompt",
                provider=PROVIDER,
                model=model,
            )
        payload["negative_prompt"] = request.negative_prompt
    if request.style is not None and family.style_field is not None:
        payload[family.style_field] = request.style
    if request.image_list:
        if family.image_field is None:
            raise ValidationError(
                f"{model} does not take input images",
                param="image_list",
                provider=PROVIDER,
                model=model,
            )
        payload[family.image_field] = [image.image for image in request.image_list]
    if request.mask_image is not None:
        payload["mask_url"] = request.mask_image
    return merge_extra_params(
        payload,
        request.extra_params,
        protected=image_protected(family),
        provider=PROVIDER,
        model=model,
    )


def image_protected(family: ImageFamily) -> dict[str, str | None]:
    """The fal image fields extras may not set: size and count are what is billed."""
    protected: dict[str, str | None] = {
        **IMAGE_PARAMS,
        "image_size": "size",
        "aspect_ratio": "aspect_ratio",
        "num_images": "n",
        "mask_url": "mask_image",
    }
    if family.count_field is not None:
        protected[family.count_field] = "n"
    if family.image_field is not None:
        protected[family.image_field] = "image_list"
    if family.style_field is not None:
        protected[family.style_field] = "style"
    return protected
