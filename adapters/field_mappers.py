"""Declarative field mappers: how each unified request field becomes a provider's field.

A model family is one :class:`ModelMapping`: a table of :class:`FieldMap` rows plus the
family's :class:`Capabilities`. Lookup is by longest prefix, so ``fal-ai/veo3.1/fast``
uses the ``fal-ai/veo3.1`` entry. A request the model cannot serve raises
:class:`~adapters.errors.ValidationError` naming the field and the allowed values
before any network call.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from tarash_gateway.adapters.defaults import resolve_request
from tarash_gateway.adapters.errors import ValidationError
from tarash_gateway.adapters.extras import VIDEO_PARAMS, merge_extra_params
from tarash_gateway.adapters.models import ImageRole, VideoGenerationRequest

DurationFormat = Literal["int", "string", "string_s"]
"""How a family wants seconds: ``8``, ``"8"`` or ``"8s"``."""


def encode_duration(seconds: int, style: DurationFormat) -> int | str:
    if style == "int":
        return seconds
    if style == "string":
        return str(seconds)
    return f"{seconds}s"


@dataclass(frozen=True)
class Capabilities:
    """What a model family can do; ``None`` means "any value / not restricted"."""

    durations: tuple[int, ...] | None = None
    resolutions: tuple[str, ...] | None = None
    aspect_ratios: tuple[str, ...] | None = None
    audio: bool = False
    image_roles: tuple[ImageRole, ...] = ()
    """Image roles accepted as input; empty means no image input."""
    video_input: bool = False
    text_to_video: bool = True
    """False for image-to-video-only models (an input image is then required)."""
    price_per_second: float | None = None
    default_duration: int | None = None
    """Seconds the model makes when a request names none: the provider's documented
    default (never OpenAI's 4 s); it must be one of ``durations``."""
    default_resolution: str | None = None
    """Resolution used when a request names none (the provider's documented default)."""
    default_aspect_ratio: str | None = None
    """Aspect ratio used when a request names none (the provider's documented default)."""


@dataclass(frozen=True)
class FieldMap:
    """One unified field → one provider field.

    ``transform`` turns the unified value into the provider's (e.g. ``8`` → ``"8s"``);
    fields whose unified value is None are left out unless ``default`` is set.
    """

    source: str
    target: str
    transform: Callable[[Any], Any] | None = None
    default: Any = None
    required: bool = False


@dataclass(frozen=True)
class ModelMapping:
    """A model family: its field table, image-role fields and capabilities."""

    fields: tuple[FieldMap, ...]
    capabilities: Capabilities = field(default_factory=Capabilities)
    image_fields: Mapping[str, str] = field(default_factory=dict)
    """Image role → provider field (e.g. ``first_frame`` → ``image_url``)."""
    list_image_fields: frozenset[str] = frozenset()
    """Provider fields that take a list of images rather than one."""
    duration_format: DurationFormat = "int"
    video_field: str | None = None
    """Provider field for an input video (extend/remix/animate), if any."""
    reserved: Mapping[str, str | None] = field(default_factory=dict)
    """Billed or controlling provider fields the table does not map (or maps only
    sometimes) → the unified parameter to use instead (None: the gateway alone sets it),
    e.g. fal ``num_frames`` → ``seconds``. Client extras may never set them."""


def _use_for_image(role: str) -> str:
    return "input_reference" if role == "first_frame" else "image_list"


def protected_fields(mapping: ModelMapping | None) -> dict[str, str | None]:
    """Every provider field client extras may not set for this family, with the unified
    parameter to use instead: table targets (set or not), image-role and video fields,
    the family's reserved fields, and the unified names themselves."""
    protected: dict[str, str | None] = {}
    if mapping is not None:
        for row in mapping.fields:
            protected.setdefault(row.target, VIDEO_PARAMS.get(row.source, row.source))
        for role, target in mapping.image_fields.items():
            protected.setdefault(target, _use_for_image(role))
        if mapping.video_field is not None:
            protected.setdefault(mapping.video_field, "video")
        for target, use in mapping.reserved.items():
            protected.setdefault(target, use)
    for name, use in VIDEO_PARAMS.items():
        protected.setdefault(name, use)
    return protected


_REGISTRY: dict[str, dict[str, ModelMapping]] = {}


def register_provider_field_mapping(
    provider: str, model_mappings: Mapping[str, ModelMapping]
) -> None:
    """Add or replace model families for ``provider`` (keys are model-id prefixes)."""
    _REGISTRY.setdefault(provider, {}).update(model_mappings)


def unregister_provider_field_mapping(provider: str, prefixes: Iterable[str]) -> None:
    """Remove these model families of ``provider`` (a plugin unloading, a test cleaning
    up after itself); prefixes that are not registered are ignored."""
    families = _REGISTRY.get(provider, {})
    for prefix in prefixes:
        families.pop(prefix, None)


def get_provider_field_mapping(provider: str) -> dict[str, ModelMapping]:
    """Every model family registered for ``provider``, by prefix (a copy)."""
    return dict(_REGISTRY.get(provider, {}))


def lookup_mapping(provider: str, model: str) -> ModelMapping | None:
    """The family whose prefix is the longest one ``model`` starts with."""
    families = _REGISTRY.get(provider, {})
    matches = [prefix for prefix in families if model.startswith(prefix)]
    if not matches:
        return families.get("") if "" in families else None
    return families[max(matches, key=len)]


def _allowed(values: tuple[Any, ...]) -> str:
    return ", ".join(str(value) for value in values)


def check_capabilities(
    request: VideoGenerationRequest, caps: Capabilities, *, provider: str, model: str
) -> None:
    """Raise ValidationError for the first thing ``request`` asks that ``caps`` lacks."""

    def refuse(message: str, param: str) -> ValidationError:
        return ValidationError(message, param=param, provider=provider, model=model)

    if (
        caps.durations is not None
        and request.duration_seconds is not None
        and request.duration_seconds not in caps.durations
    ):
        raise refuse(
            f"{model} cannot make a {request.duration_seconds}s video; "
            f"allowed durations: {_allowed(caps.durations)} seconds",
            "seconds",
        )
    if (
        caps.resolutions is not None
        and request.resolution is not None
        and request.resolution not in caps.resolutions
    ):
        raise refuse(
            f"{model} does not support resolution {request.resolution}; "
            f"allowed: {_allowed(caps.resolutions)}",
            "resolution",
        )
    if (
        caps.aspect_ratios is not None
        and request.aspect_ratio is not None
        and request.aspect_ratio not in caps.aspect_ratios
    ):
        raise refuse(
            f"{model} does not support aspect ratio {request.aspect_ratio}; "
            f"allowed: {_allowed(caps.aspect_ratios)}",
            "aspect_ratio",
        )
    if request.generate_audio and not caps.audio:
        raise refuse(f"{model} cannot generate audio", "generate_audio")
    for image in request.image_list:
        if image.role not in caps.image_roles:
            allowed = _allowed(caps.image_roles) if caps.image_roles else "none"
            raise refuse(
                f"{model} does not accept a {image.role} image; accepted roles: {allowed}",
                "image_list",
            )
    if request.video is not None and not caps.video_input:
        raise refuse(f"{model} does not accept an input video", "video")
    if not caps.text_to_video and not request.image_list:
        raise refuse(f"{model} needs an input image (image-to-video only)", "input_reference")


def build_payload(
    mapping: ModelMapping, request: VideoGenerationRequest, *, provider: str, model: str
) -> dict[str, Any]:
    """The provider's input for ``request``: :func:`map_fields`, then ``extra_params``
    added through :func:`~adapters.extras.merge_extra_params` (extras add provider
    fields; one that would override a mapped, validated or billed field is a 400)."""
    payload = map_fields(mapping, request, provider=provider, model=model)
    return merge_extra_params(
        payload,
        request.extra_params,
        protected=protected_fields(mapping),
        provider=provider,
        model=model,
    )


def map_fields(
    mapping: ModelMapping, request: VideoGenerationRequest, *, provider: str, model: str
) -> dict[str, Any]:
    """The mapped part of the provider's input, without extras: capabilities checked,
    fields mapped and images placed by role. Adapters that post-process the payload call
    this and merge the extras themselves afterwards."""
    request = resolve_request(request, mapping.capabilities).request  # the model's defaults
    check_capabilities(request, mapping.capabilities, provider=provider, model=model)
    payload: dict[str, Any] = {}
    for row in mapping.fields:
        value = getattr(request, row.source)
        if row.source == "duration_seconds" and value is not None and row.transform is None:
            value = encode_duration(value, mapping.duration_format)
        elif value is not None and row.transform is not None:
            value = row.transform(value)
        if value is None:
            value = row.default
        if value is None:
            if row.required:
                raise ValidationError(
                    f"{model} requires {row.source}",
                    param=row.source,
                    provider=provider,
                    model=model,
                )
            continue
        payload[row.target] = value
    for image in request.image_list:
        target = mapping.image_fields.get(image.role)
        if target is None:
            continue
        if target in mapping.list_image_fields:
            payload.setdefault(target, []).append(image.image)
        else:
            payload[target] = image.image
    if request.video is not None and mapping.video_field is not None:
        payload[mapping.video_field] = request.video
    return payload
