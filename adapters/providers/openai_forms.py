"""The request bodies of the videos API: a first-frame image as an upload part, and the
multipart create form with the fields the official SDK sends."""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Mapping
from typing import Any
from urllib.parse import quote

from tarash_gateway.adapters.errors import (
    ValidationError,
)
from tarash_gateway.adapters.http import (
    FormFile,
    encode_multipart,
)

# -- input images ------------------------------------------------------------------------------

_DATA_URL = re.compile(r"^data:(?P<mime>[\w.+-]+/[\w.+-]+)?(?:;[^,]*)?;base64,(?P<data>.*)$", re.S)
_EXTENSIONS = {"image/png": "png", "image/jpeg": "jpg", "image/webp": "webp", "image/gif": "gif"}


def sniff_image_type(data: bytes) -> str:
    """The MIME type from an image's first bytes (JPEG when unsure)."""
    if data.startswith(b"\x89PNG"):
        return "image/png"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    if data.startswith((b"GIF87a", b"GIF89a")):
        return "image/gif"
    return "image/jpeg"


def decode_image(value: str) -> tuple[bytes, str] | None:
    """(bytes, MIME type) of a ``data:`` URL or raw base64 image; None if it is neither."""
    match = _DATA_URL.match(value)
    text = match.group("data") if match else value
    try:
        data = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        return None
    if not data:
        return None
    mime = match.group("mime") if match and match.group("mime") else sniff_image_type(data)
    return data, mime


def input_reference(value: str, *, provider: str, model: str) -> Any:
    """What the SDK sends as ``input_reference``: a URL as ``{image_url}`` (the upstream
    fetches it; the gateway does not fetch user URLs), inline data as a file upload."""
    if value.startswith(("http://", "https://")):
        return {"image_url": value}
    decoded = decode_image(value)
    if decoded is None:
        raise ValidationError(
            "input_reference must be an http(s) URL, a data: URL or base64 image data",
            param="input_reference",
            provider=provider,
            model=model,
        )
    data, mime = decoded
    return (f"input_reference.{_EXTENSIONS.get(mime, 'img')}", data, mime)


# -- the wire format of the videos API ---------------------------------------------------

_CREATE_ARGUMENTS = ("prompt", "model", "seconds", "size")
"""``videos.create``'s named arguments, in the order the SDK puts them in the form (an
uploaded ``input_reference`` goes last, as a file; an ``{image_url}`` one is not a file,
which the SDK's argument does not take, so it travels with ``extra_body``)."""


def form_fields(payload: Mapping[str, Any]) -> list[tuple[str, str]]:
    """The form fields the SDK makes of a multipart body (``qs.stringify_items`` with
    bracket arrays): every value a string (``True`` → ``"true"``), nested objects as
    ``key[sub]``, lists as repeated ``key[]``, None values left out."""
    fields: list[tuple[str, str]] = []
    for key, value in payload.items():
        _add_form_field(fields, key, value)
    return fields


def _add_form_field(fields: list[tuple[str, str]], key: str, value: Any) -> None:
    if isinstance(value, Mapping):
        for sub, item in value.items():
            _add_form_field(fields, f"{key}[{sub}]", item)
    elif isinstance(value, list | tuple):
        for item in value:
            _add_form_field(fields, f"{key}[]", item)
    elif value is True or value is False:
        fields.append((key, "true" if value else "false"))
    elif value is not None:
        fields.append((key, str(value)))


def create_form(payload: Mapping[str, Any]) -> tuple[bytes, str]:
    """The multipart body (and its Content-Type) of ``videos.create`` for ``payload``,
    as the SDK sends it: the named arguments first, then the ``extra_body`` fields (an
    ``{image_url}`` reference becomes ``input_reference[image_url]``), then an uploaded
    ``input_reference`` as a file part."""
    ordered = {key: payload[key] for key in _CREATE_ARGUMENTS if key in payload}
    ordered.update(payload)
    files: list[tuple[str, FormFile]] = []
    reference = ordered.get("input_reference")
    if isinstance(reference, tuple):
        files.append(("input_reference", ordered.pop("input_reference")))
    return encode_multipart(form_fields(ordered), files)


def path_segment(value: str) -> str:
    """``value`` percent-encoded as one URL path segment, as the SDK's ``path_template``
    does (``/`` is encoded; ``.`` and ``..`` are refused so no proxy can normalise the
    path into another endpoint)."""
    segment = quote(value, safe="!$&'()*+,;=:@")
    if segment in ("", ".", ".."):
        raise ValueError(f"{value!r} cannot be used as a path segment")
    return segment
