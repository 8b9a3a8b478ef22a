"""Turning an OpenAI-style create body (multipart or JSON) into a unified request.

The SDK sends every value as a form string and nests with bracket keys
(``input_reference[image_url]``), so values are un-nested and coerced here once;
unified fields beyond OpenAI's arrive the same way through ``extra_body``.
"""

from __future__ import annotations

import base64
import itertools
import json
import re
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from typing import Any

import pydantic
from starlette.datastructures import FormData, UploadFile
from starlette.requests import Request

from tarash_gateway.proxy.http.errors import APIError, invalid_body
from tarash_gateway.proxy.http.jsonbody import JsonLimits, loads, read_capped
from tarash_gateway.proxy.http.numbers import parse_int
from tarash_gateway.proxy.http.sniff import sniff_image_type
from tarash_gateway.router import (
    ASPECT_RATIOS,
    ImageInput,
    VideoGenerationRequest,
    nearest_aspect_ratio,
    nearest_resolution,
)
from tarash_gateway.router.config import GeneralSettings

MAX_UPLOAD_BYTES = 20 * 1024 * 1024
ALLOWED_UPLOAD_TYPES = ("image/jpeg", "image/png", "image/webp")

_SIZE_PATTERN = re.compile(r"^\s*(\d{2,5})\s*[xX]\s*(\d{2,5})\s*$")
_BRACKET_KEY = re.compile(r"^([^\[\]]+)((?:\[[^\[\]]*\])+)$")


@dataclass(slots=True)
class CreateParams:
    """A validated create call: the alias, the unified request and the Video's echo fields."""

    alias: str
    request: VideoGenerationRequest
    seconds: str | None
    """As the client gave it; None when left out (the deployment's model decides)."""
    size: str | None
    """As the client gave it; None when left out (the deployment's model decides)."""


def _set_nested(target: dict[str, Any], key: str, value: Any) -> None:
    """Bracket form keys into nested values, as the OpenAI SDK writes them: ``a[b]`` is a
    mapping, ``a[]`` a list, and in ``a[][x]`` / ``a[][y]`` each element collects keys
    until a key repeats, which starts the next element (``[{x, y}, {x, y}]``)."""
    match = _BRACKET_KEY.match(key)
    if match is None:
        target[key] = value
        return
    parts = [match.group(1), *re.findall(r"\[([^\[\]]*)\]", match.group(2))]
    node: Any = target
    for part, following in itertools.pairwise(parts):
        kind: Any = list if following == "" else dict
        if isinstance(node, list):
            last = node[-1] if node else None
            if kind is dict and isinstance(last, dict) and following not in last:
                node = last  # the next key of the element being filled
                continue
            node.append(kind())
            node = node[-1]
        else:
            if not isinstance(node.get(part), kind):
                node[part] = kind()
            node = node[part]
    if isinstance(node, list):
        node.append(value)
    else:
        node[parts[-1]] = value


def form_to_dict(form: FormData, max_depth: int = 32) -> dict[str, Any]:
    data: dict[str, Any] = {}
    for key, value in form.multi_items():
        if key.count("[") >= max_depth:
            raise APIError(
                400, f"Form field {key[:64]!r} is nested deeper than {max_depth} levels."
            )
        _set_nested(data, key, value)
    return data


def _json_limits(request: Request) -> JsonLimits:
    settings: GeneralSettings = request.app.state.gateway.config.general_settings
    return JsonLimits(
        max_bytes=settings.max_json_body_bytes,
        max_depth=settings.max_json_depth,
        max_items=settings.max_json_items,
    )


def _refuse_unexpected_files(form: FormData, files: Collection[str]) -> None:
    """Only the named fields may carry a file; any other upload is a 400 (a file cannot
    be a prompt, nor be stored as a provider-specific extra)."""
    for key, value in form.multi_items():
        if isinstance(value, UploadFile) and key not in files:
            allowed = f"only {', '.join(files)} may be a file" if files else "no field may be"
            raise APIError(
                400,
                f"Field {key[:64]!r} is a file upload; {allowed}.",
                param=key[:64],
                code="unexpected_file",
            )


async def read_body(request: Request, files: Collection[str] = ()) -> dict[str, Any]:
    """The request body as a dict, from JSON, multipart or urlencoded forms, within the
    configured JSON limits; ``files`` names the fields that may be file uploads."""
    limits = _json_limits(request)
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type in ("multipart/form-data", "application/x-www-form-urlencoded"):
        try:
            form = await request.form(max_files=4, max_fields=200, max_part_size=1024 * 1024)
        except APIError:
            raise
        except Exception as exc:
            raise APIError(400, f"Could not parse the form body: {exc}") from None
        _refuse_unexpected_files(form, files)
        return form_to_dict(form, limits.max_depth)
    body = await read_capped(request, limits.max_bytes)
    if not body.strip():
        raise APIError(400, "The request body is empty; expected JSON or multipart form data.")
    if content_type not in ("application/json", ""):
        raise APIError(
            415,
            f"Unsupported content type {content_type!r}; "
            "send application/json or multipart/form-data.",
        )
    data = loads(body, limits)
    if not isinstance(data, dict):
        raise APIError(400, "The JSON body must be an object.")
    return data


def parse_size(size: str) -> tuple[str, str]:
    """``"1280x720"`` → (``"720p"``, ``"16:9"``), to the nearest supported values."""
    match = _SIZE_PATTERN.match(size)
    if match is None:
        raise APIError(
            400,
            f"Invalid size {size!r}; expected WIDTHxHEIGHT, e.g. 1280x720.",
            param="size",
            code="invalid_value",
        )
    width, height = int(match.group(1)), int(match.group(2))
    if not (64 <= width <= 8192 and 64 <= height <= 8192):
        raise APIError(
            400,
            f"Invalid size {size!r}; each side must be between 64 and 8192.",
            param="size",
            code="invalid_value",
        )
    aspect = nearest_aspect_ratio(width, height)
    if aspect is None:
        supported = ", ".join(ASPECT_RATIOS)
        raise APIError(
            400,
            f"Size {size!r} has an unsupported aspect ratio; supported: {supported}.",
            param="size",
            code="invalid_value",
        )
    return nearest_resolution(min(width, height)), aspect


def parse_seconds(value: Any) -> int:
    return parse_int(value, param="seconds", low=1, high=600)


async def _image_from_upload(upload: UploadFile) -> str:
    content_type = (upload.content_type or "").lower()
    if content_type not in ALLOWED_UPLOAD_TYPES:
        raise APIError(
            400,
            f"input_reference must be one of {', '.join(ALLOWED_UPLOAD_TYPES)}; "
            f"got {content_type or 'no content type'}.",
            param="input_reference",
        )
    data = await upload.read(MAX_UPLOAD_BYTES + 1)
    if len(data) > MAX_UPLOAD_BYTES:
        raise APIError(
            413,
            f"input_reference is larger than {MAX_UPLOAD_BYTES} bytes.",
            param="input_reference",
            code="file_too_large",
        )
    if not data:
        raise APIError(400, "input_reference is empty.", param="input_reference")
    actual = sniff_image_type(data)
    if actual != content_type:
        raise APIError(
            400,
            f"input_reference is declared {content_type} but its bytes are "
            f"{actual or 'not a JPEG, PNG or WebP image'}.",
            param="input_reference",
            code="invalid_file",
        )
    return f"data:{actual};base64,{base64.b64encode(data).decode()}"


async def _input_reference(value: Any) -> ImageInput | None:
    if value is None or value == "":
        return None
    if isinstance(value, UploadFile):
        return ImageInput(image=await _image_from_upload(value), role="first_frame")
    if isinstance(value, dict) and isinstance(value.get("image_url"), str):
        return ImageInput(image=value["image_url"], role="first_frame")
    if isinstance(value, str):
        return ImageInput(image=value, role="first_frame")
    raise APIError(
        400, "input_reference must be a file upload or {image_url: ...}.", param="input_reference"
    )


def check_extras_size(extra_params: dict[str, Any], max_bytes: int) -> None:
    """Unknown fields are stored with the video and sent to the provider: cap their size."""
    size = len(json.dumps(extra_params, separators=(",", ":"), default=str))
    if size > max_bytes:
        raise APIError(
            400,
            f"The provider-specific fields of this request serialize to {size} bytes; "
            f"the limit is {max_bytes}.",
            param=next(iter(extra_params), None),
            code="extra_params_too_large",
        )


async def parse_create(
    data: dict[str, Any], aliases: Iterable[str], max_extra_bytes: int = 64 * 1024
) -> CreateParams:
    """Validate a create body; every problem becomes a 400 that names the field."""
    data = dict(data)
    alias = data.pop("model", None)
    if not isinstance(alias, str) or not alias:
        raise APIError(
            400,
            f"Missing required parameter 'model'; available: {', '.join(aliases)}.",
            param="model",
            code="missing_required_parameter",
        )
    if not isinstance(data.get("prompt"), str) or not data["prompt"].strip():
        raise APIError(
            400,
            "Missing required parameter 'prompt'.",
            param="prompt",
            code="missing_required_parameter",
        )
    given_seconds = data.pop("seconds", None)
    seconds = None if given_seconds in (None, "") else parse_seconds(given_seconds)
    size = data.pop("size", None)
    size = None if size == "" else size
    if size is not None:
        resolution, aspect = parse_size(str(size))
        for key, derived in (("resolution", resolution), ("aspect_ratio", aspect)):
            given = data.get(key)
            if given not in (None, "", derived):
                raise APIError(
                    400,
                    f"{key}={given!r} contradicts size={size!r} ({derived}).",
                    param=key,
                    code="invalid_value",
                )
            data[key] = derived
    reference = await _input_reference(data.pop("input_reference", None))
    data["duration_seconds"] = seconds
    try:
        request = VideoGenerationRequest.model_validate(data)
    except pydantic.ValidationError as exc:
        raise invalid_body(exc) from None
    check_extras_size(request.extra_params, max_extra_bytes)
    if reference is not None:
        request.image_list.insert(0, reference)
    return CreateParams(
        alias=alias,
        request=request,
        seconds=None if seconds is None else str(seconds),
        size=None if size is None else str(size),
    )


def parse_remix(data: dict[str, Any]) -> str:
    prompt = data.get("prompt")
    if not isinstance(prompt, str) or not prompt.strip():
        raise APIError(
            400,
            "Missing required parameter 'prompt'.",
            param="prompt",
            code="missing_required_parameter",
        )
    return prompt
