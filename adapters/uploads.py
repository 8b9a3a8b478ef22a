"""Turning an uploaded input image into something a provider can read.

Clients may upload ``input_reference`` as a file; the gateway holds it as a ``data:`` URI
in :class:`adapters.models.ImageInput`. Some providers take that as is, others only
fetch URLs or cap inline sizes. An adapter whose provider needs URLs overrides
:meth:`adapters.base.VideoProvider.prepare_images` and calls :func:`images_as_urls`,
which, for each inline image, uses

1. the provider's own upload API, when the adapter passes one (``upload``), else
2. the ``publisher`` the caller supplied (the gateway serves the bytes itself at a
   short-lived signed URL under ``general_settings.public_url``), else
3. refuses with a ValidationError that names both ways out, before any paid call.

This module knows nothing of the router or the proxy: a publisher is anything with an
async ``publish`` method, so the library (no server) simply passes None.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

from tarash_gateway.adapters.errors import ValidationError
from tarash_gateway.adapters.models import ImageInput, VideoGenerationRequest

PUBLIC_URL_SETTING = "general_settings.public_url"
"""The setting a refusal names: with it, the gateway serves uploads to providers."""


@runtime_checkable
class Publisher(Protocol):
    """Makes bytes fetchable by a provider for a while and returns the URL."""

    async def publish(self, data: bytes, content_type: str) -> str:
        """A URL (http or https) whose GET returns ``data`` as ``content_type``."""
        ...


Upload = Callable[[bytes, str], Awaitable[str]]
"""A provider's own upload call: (bytes, content type) → a URL the provider reads."""


@dataclass(frozen=True)
class InlineImage:
    """The bytes of an image that came inline (a ``data:`` URI or raw base64)."""

    data: bytes
    content_type: str


_SNIFFED = (
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
)


def _sniff(data: bytes) -> str:
    for magic, kind in _SNIFFED:
        if data.startswith(magic):
            return kind
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    return "application/octet-stream"


def is_url(image: str) -> bool:
    """Whether ``image`` is already something a provider can fetch."""
    return image.startswith(("http://", "https://"))


def inline_image(image: str) -> InlineImage | None:
    """The bytes and type of an inline image; None for a URL or anything undecodable
    (the adapter's own checks then refuse it as they always did)."""
    if is_url(image):
        return None
    declared: str | None = None
    payload = image
    if image.startswith("data:"):
        header, comma, payload = image[5:].partition(",")
        if not comma or not header.endswith(";base64"):
            return None
        declared = header[: -len(";base64")].strip().lower() or None
    try:
        data = base64.b64decode(payload, validate=True)
    except (binascii.Error, ValueError):
        return None
    if not data:
        return None
    return InlineImage(data, declared or _sniff(data))


_BASE64_PREFIXES = (("/9j/", "image/jpeg"), ("R0lGOD", "image/gif"), ("UklGR", "image/webp"))
"""How JPEG, GIF and WebP bytes begin once base64-encoded (anything else is taken as PNG)."""


def as_data_url(image: str) -> str:
    """A URL or data URL as it is; bare base64 wrapped as a data URL of its sniffed type,
    for providers that take URLs and data URLs but refuse raw base64."""
    if image.startswith(("http://", "https://", "data:")):
        return image
    mime = "image/png"
    for prefix, kind in _BASE64_PREFIXES:
        if image.startswith(prefix):
            mime = kind
    return f"data:{mime};base64,{image}"


def needs_url_error(provider: str, model: str, role: str) -> ValidationError:
    """The 400 for an uploaded image when nothing can turn it into a URL."""
    return ValidationError(
        f"{provider} ({model}) needs an image URL for the {role} image; set "
        f"{PUBLIC_URL_SETTING} so the gateway can serve uploaded images to the provider, "
        "or pass input_reference[image_url]",
        param="input_reference",
        provider=provider,
        model=model,
    )


async def images_as_urls(
    request: VideoGenerationRequest,
    *,
    provider: str,
    model: str,
    publisher: Publisher | None,
    upload: Upload | None = None,
) -> VideoGenerationRequest:
    """``request`` with every inline image replaced by a URL (see the module docstring).

    The same bytes are sent once even when two roles use them. URLs are left alone, so
    a request without uploads is returned unchanged and costs nothing.
    """
    inline = [inline_image(item.image) for item in request.image_list]
    if all(found is None for found in inline):
        return request
    done: dict[tuple[bytes, str], str] = {}
    images: list[ImageInput] = []
    for item, found in zip(request.image_list, inline, strict=True):
        if found is None:
            images.append(item)
            continue
        key = (found.data, found.content_type)
        url = done.get(key)
        if url is None:
            if upload is not None:
                url = await upload(found.data, found.content_type)
            elif publisher is not None:
                url = await publisher.publish(found.data, found.content_type)
            else:
                raise needs_url_error(provider, model, item.role)
            done[key] = url
        images.append(item.model_copy(update={"image": url}))
    return request.model_copy(update={"image_list": images})
