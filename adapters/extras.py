"""Client extras may add provider fields; they never override the gateway's own.

Unknown request fields travel to the provider as ``extra_params`` (SPEC §3), which is
what makes provider-specific knobs usable without a gateway release. But the gateway
validates, reserves and bills the fields it maps itself (seconds, size, counts, the
model), so an extra that replaced one of them would make the provider render something
other than what was checked and charged: ``{"seconds": "4", "duration": "60"}`` on fal
rendered 60 s and billed 4 s. Every adapter therefore merges extras through
:func:`merge_extra_params`, which refuses (a :class:`ValidationError`, a 400 naming the
field and the unified parameter to use) any extra that names

- a field of the model family's table (every ``FieldMap`` target, even when the unified
  value was None this time, e.g. fal ``duration`` is the target of ``seconds``), an
  image-role field, the input-video field;
- a field the family declares as billed or controlling in ``ModelMapping.reserved``
  (fal ``num_frames``, Google ``sampleCount``, Runway ``ratio``, OpenAI ``size``…);
- a field the adapter already put in this payload (a value it computed, like Luma's
  ``keyframes`` from the input images), unless the adapter lists it as overridable;
- ``model`` and ``prompt`` (the deployment's model decides the price; the prompt is the
  unified one), and any unified parameter name (``seconds``, ``duration_seconds``,
  ``size``, ``extra_params``…): those belong at the top level of the request, so a
  nested ``{"extra_params": {"duration": 60}}`` is judged exactly like a top-level
  unknown ``duration``.

Names are compared without case, ``_`` or ``-`` (``durationSeconds`` is
``duration_seconds``: Google's JSON accepts both spellings). The router runs the same
table check before it reserves any budget (see ``router.routing.Router.servable``), so
a refused extra costs nothing; the adapter's merge is the guarantee for the library API.

Choices for fields adapters used to let extras override:

- OpenAI / Azure ``size`` (and the jobs API's ``width``/``height``): refused; the size
  is validated against the model's table and prices differ by resolution.
- Runway ``ratio`` and ``promptImage``: refused; the ratio is the validated size, the
  image decides the endpoint and is an image-role field.
- Replicate MiniMax ``aspect_ratio``: refused; it bypassed the 16:9-from-text check.
  Replicate Wan ``size`` is the resolution, refused too.
- Azure jobs ``inpaint_items`` and every other image-role field: refused; images go in
  ``input_reference`` / ``image_list``.
- Luma ``keyframes``: allowed only when the request has no frame images (then it is a
  pure add-on, e.g. extending a generation, and cannot change duration or cost);
  refused when the gateway built keyframes from images.
- fal ``delete_video`` (Sora), Stability ``output_format``, Google Imagen
  ``addWatermark``: allowed; they change neither what is rendered for billing nor its
  length (Stability's format is checked after the merge).
- Frame-rate fields (``fps``) are not reserved: they do not change how many frames or
  seconds are rendered.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from typing import Any

from tarash_gateway.adapters.errors import ValidationError

Protected = Mapping[str, str | None]
"""Provider field → the unified parameter to use instead (None: the gateway alone sets it)."""

ALWAYS_PROTECTED: Protected = {"model": "model", "prompt": "prompt", "extra_params": None}

VIDEO_PARAMS: Protected = {
    "prompt": "prompt",
    "seconds": "seconds",
    "duration_seconds": "seconds",
    "size": "size",
    "resolution": "size",
    "aspect_ratio": "size",
    "generate_audio": "generate_audio",
    "input_reference": "input_reference",
    "image_list": "image_list",
    "video": "video",
    "seed": "seed",
    "number_of_videos": "number_of_videos",
    "negative_prompt": "negative_prompt",
    "enhance_prompt": "enhance_prompt",
}
"""The unified video parameters (as the OpenAI-style API names them), by every name."""

IMAGE_PARAMS: Protected = {
    "prompt": "prompt",
    "negative_prompt": "negative_prompt",
    "size": "size",
    "quality": "quality",
    "style": "style",
    "n": "n",
    "aspect_ratio": "aspect_ratio",
    "image_list": "image_list",
    "mask_image": "mask_image",
    "seed": "seed",
}
"""The unified image parameters."""


class ProtectedFieldError(ValidationError):
    """An extra that would override a field the gateway sets; ``param`` names the extra."""


def normalize(name: str) -> str:
    """The form names are compared in: no case, no ``_`` or ``-``."""
    return name.replace("_", "").replace("-", "").lower()


def refused_extra(key: str, use: str | None, *, provider: str, model: str) -> ProtectedFieldError:
    """The 400 for an extra that would override ``key``; ``param`` is the extra's name."""
    if use is None:
        message = f"extra field {key!r} is set by the gateway itself and cannot be sent"
    elif normalize(use) == normalize(key):
        message = (
            f"extra field {key!r} would override the gateway's own field; "
            f"send {use!r} as a top-level parameter"
        )
    else:
        message = f"extra field {key!r} would override the gateway's own field; use {use!r}"
    return ProtectedFieldError(message, param=key, provider=provider, model=model)


def check_extra_params(
    extras: Mapping[str, Any],
    *,
    protected: Protected,
    provider: str,
    model: str,
    present: Collection[str] = (),
) -> None:
    """Raise ValidationError for the first extra that names a protected field or one of
    ``present`` (the fields the adapter already set)."""
    table: dict[str, str | None] = {}
    for source in (ALWAYS_PROTECTED, protected):
        for name, use in source.items():
            table.setdefault(normalize(name), use)
    computed = {normalize(name): name for name in present}
    for key in extras:
        name = normalize(str(key))
        if name in table:
            raise refused_extra(str(key), table[name], provider=provider, model=model)
        if name in computed:
            raise ProtectedFieldError(
                f"extra field {key!r} would override the value the gateway computed "
                "for this request",
                param=str(key),
                provider=provider,
                model=model,
            )


def merge_extra_params(
    payload: dict[str, Any],
    extras: Mapping[str, Any],
    *,
    protected: Protected,
    provider: str,
    model: str,
    overridable: Collection[str] = (),
    encode: Callable[[Any], Any] | None = None,
) -> dict[str, Any]:
    """Add ``extras`` to ``payload`` (in place, and returned) after
    :func:`check_extra_params`; ``overridable`` payload keys are defaults the caller may
    replace, ``encode`` turns each extra value into the payload's form (e.g. a form field)."""
    keep = {normalize(name) for name in overridable}
    present = [key for key in payload if normalize(key) not in keep]
    check_extra_params(extras, protected=protected, provider=provider, model=model, present=present)
    for key, value in extras.items():
        payload[key] = encode(value) if encode is not None else value
    return payload
