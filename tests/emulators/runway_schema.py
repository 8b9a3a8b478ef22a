"""What Runway's video endpoints accept, per model: read from the official SDK's types.

Source: runwayml 5.24 (installed as a dev dependency), ``types/image_to_video_create_
params.py`` and ``types/text_to_video_create_params.py``, read on 2026-12-03. Each model
is one TypedDict there: its keys (by their wire alias), which are ``Required``, and the
``Literal`` values each takes. Runway answers 400 for a key the model's schema lacks.
The emulator builds its checks from these types at import, so it agrees with the SDK by
construction and never with the adapter's own table by accident.

What the types do not say, added here by hand with its source:
- duration ranges stated only in docstrings (gen4.5 "an integer from 2 to 10",
  gemini_omni_flash "a whole number from 3 to 10", gemini_omni_flash_1.1 "between 3
  and 10"); gen4_turbo 2-10 from Runway's rw-api-reference skill (runwayml/skills).
- ``veo3``, absent from 5.24: runwayml 5.13 (2026-07-27) ``Veo3``: duration 8
  (required), ratio (required) 1280:720 | 720:1280 | 1080:1920 | 1920:1080, promptText,
  negativePrompt, and on image-to-video a first frame only.
- image inputs: an HTTPS URL, a ``runway://`` upload URI or a ``data:`` URI up to 5 MB
  (every ``promptImage`` docstring: "base64 data URI ... up to 5MB"; rw-api-reference:
  HTTPS only, data URI 5 MB, uploads 200 MB).
"""

from __future__ import annotations

import types
import typing
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, Literal, Union, get_args, get_origin, get_type_hints

import typing_extensions
from runwayml.types import image_to_video_create_params, text_to_video_create_params

Check = Callable[[Any, str], str | None]
"""A value check: None when ``value`` is fine, else what is wrong with it (at ``path``)."""

Endpoint = Literal["image_to_video", "text_to_video"]
MAX_DATA_URI_BYTES = 5_000_000
IMAGE_SCHEMES = ("https://", "runway://", "data:")
PROMPT_LIMITS: dict[str, int] = {
    **dict.fromkeys(("gen4.5", "gen4_turbo", "veo3.1", "veo3.1_fast", "veo3"), 1000),
    "happyhorse_1_0": 2500,
    **dict.fromkeys(("seedance2", "seedance2_fast", "seedance2_mini"), 3500),
    "seedance2_5": 15000,
}
"""``promptText`` limits in UTF-16 code units, from the SDK's docstrings ("up to 1000
characters (measured in UTF-16 code units)"); 5.13 for veo3."""
DURATION_RANGES: dict[str, tuple[int, int]] = {
    "gen4.5": (2, 10),
    "gen4_turbo": (2, 10),
    "gemini_omni_flash": (3, 10),
    "gemini_omni_flash_1.1": (3, 10),
}


@dataclass(frozen=True)
class ModelSchema:
    """One model on one endpoint: each wire key's check, and the required keys."""

    fields: dict[str, Check]
    required: frozenset[str]
    literals: dict[str, tuple[Any, ...]]
    """Keys typed as a Literal, with their values (for tests and the docs)."""

    def problems(self, body: dict[str, Any]) -> list[str]:
        """Every reason Runway would refuse ``body`` (empty: it is accepted)."""
        found = [f"{key}: Unrecognized key" for key in body if key not in self.fields]
        found += [f"{key}: Required" for key in sorted(self.required) if key not in body]
        for key, value in body.items():
            check = self.fields.get(key)
            problem = check(value, key) if check is not None else None
            if problem is not None:
                found.append(problem)
        return found


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _literal(values: tuple[Any, ...]) -> Check:
    def check(value: Any, path: str) -> str | None:
        # True == 1 in Python; Runway's JSON schema tells booleans from numbers.
        if any(type(value) is type(allowed) and value == allowed for allowed in values):
            return None
        return f"{path}: Invalid enum value {value!r}; expected one of {list(values)}"

    return check


def _scalar(kind: type) -> Check:
    def check(value: Any, path: str) -> str | None:
        if kind is bool:
            ok = isinstance(value, bool)
        elif kind is int:
            ok = _is_int(value)
        elif kind is float:
            ok = _is_int(value) or isinstance(value, float)
        else:
            ok = isinstance(value, kind)
        return None if ok else f"{path}: Expected {kind.__name__}, received {value!r}"

    return check


def _any_of(checks: list[Check]) -> Check:
    def check(value: Any, path: str) -> str | None:
        problems = [c(value, path) for c in checks]
        if any(problem is None for problem in problems):
            return None
        return " or ".join(p for p in problems if p is not None)

    return check


def _list_of(item: Check) -> Check:
    def check(value: Any, path: str) -> str | None:
        if not isinstance(value, list):
            return f"{path}: Expected array, received {value!r}"
        for index, element in enumerate(value):
            problem = item(element, f"{path}[{index}]")
            if problem is not None:
                return problem
        return None

    return check


def _unwrap(hint: Any) -> tuple[Any, bool, str | None]:
    """(inner type, required?, wire alias) of one TypedDict annotation."""
    required, alias = False, None
    while True:
        origin = get_origin(hint)
        if origin in (typing.Required, typing_extensions.Required):
            required, hint = True, get_args(hint)[0]
        elif origin in (typing.NotRequired, typing_extensions.NotRequired):
            hint = get_args(hint)[0]
        elif origin in (typing.Annotated, typing_extensions.Annotated):
            args = get_args(hint)
            for meta in args[1:]:
                alias = getattr(meta, "alias", None) or alias
            hint = args[0]
        else:
            return hint, required, alias


def _check_for(hint: Any) -> Check:
    hint, _required, _alias = _unwrap(hint)
    origin = get_origin(hint)
    if origin in (Literal, typing_extensions.Literal):
        return _literal(get_args(hint))
    if origin in (Union, types.UnionType):
        return _any_of([_check_for(arg) for arg in get_args(hint)])
    if origin is not None and isinstance(origin, type) and issubclass(origin, Iterable):
        return _list_of(_check_for(get_args(hint)[0]))
    if isinstance(hint, type) and typing_extensions.is_typeddict(hint):
        return _object(hint)
    if hint is object or hint is Any:
        return lambda value, path: None
    if hint in (str, int, float, bool):
        return _scalar(hint)
    if isinstance(hint, type) and issubclass(hint, dict):
        return _scalar(dict)
    raise TypeError(f"no check for {hint!r}")


def _object(typed: type) -> Check:
    def check(value: Any, path: str) -> str | None:
        if not isinstance(value, dict):
            return f"{path}: Expected object, received {value!r}"
        problems = schema_of(typed).problems(value)
        return f"{path}.{problems[0]}" if problems else None

    return check


_SCHEMAS: dict[type, ModelSchema] = {}


def schema_of(typed: type) -> ModelSchema:
    """The wire schema of one SDK TypedDict (keys by alias)."""
    if typed in _SCHEMAS:
        return _SCHEMAS[typed]
    fields: dict[str, Check] = {}
    required: set[str] = set()
    literals: dict[str, tuple[Any, ...]] = {}
    for key, hint in get_type_hints(typed, include_extras=True).items():
        inner, is_required, alias = _unwrap(hint)
        name = alias or key
        fields[name] = _check_for(hint)
        if is_required:
            required.add(name)
        if get_origin(inner) in (Literal, typing_extensions.Literal):
            literals[name] = get_args(inner)
    schema = ModelSchema(fields, frozenset(required), literals)
    _SCHEMAS[typed] = schema
    return schema


def _duration_range(low: int, high: int) -> Check:
    def check(value: Any, path: str) -> str | None:
        if _is_int(value) and low <= value <= high:
            return None
        return f"{path}: Expected an integer from {low} to {high}, received {value!r}"

    return check


def _with_range(schema: ModelSchema, model: str) -> ModelSchema:
    span = DURATION_RANGES.get(model)
    if span is None or "duration" not in schema.fields:
        return schema
    return ModelSchema(
        {**schema.fields, "duration": _duration_range(*span)}, schema.required, schema.literals
    )


def _models(union: Any) -> dict[str, ModelSchema]:
    table: dict[str, ModelSchema] = {}
    for typed in get_args(union):
        schema = schema_of(typed)
        (model,) = schema.literals["model"]
        table[model] = _with_range(schema, model)
    return table


_VEO3_RATIOS = ("1280:720", "720:1280", "1080:1920", "1920:1080")
_VEO3_TEXT = ModelSchema(
    fields={
        "model": _literal(("veo3",)),
        "promptText": _scalar(str),
        "duration": _literal((8,)),
        "ratio": _literal(_VEO3_RATIOS),
        "negativePrompt": _scalar(str),
    },
    required=frozenset({"model", "promptText", "duration", "ratio"}),
    literals={"model": ("veo3",), "duration": (8,), "ratio": _VEO3_RATIOS},
)


def _first_frame_only(value: Any, path: str) -> str | None:
    if isinstance(value, str):
        return None
    frame = _object_check_first(value)
    return None if frame is None else f"{path}{frame}"


def _object_check_first(value: Any) -> str | None:
    if not isinstance(value, list) or not value:
        return ": Expected a URI or a non-empty array"
    for item in value:
        if not isinstance(item, dict) or set(item) - {"uri", "position"}:
            return ": Expected [{uri, position}]"
        if item.get("position") != "first" or not isinstance(item.get("uri"), str):
            return f": Invalid enum value {item.get('position')!r}; expected ['first']"
    return None


_VEO3_IMAGE = ModelSchema(  # promptText is optional with an image, as in 5.13
    fields={**_VEO3_TEXT.fields, "promptImage": _first_frame_only},
    required=frozenset({"model", "promptImage", "duration", "ratio"}),
    literals=_VEO3_TEXT.literals,
)

SCHEMAS: dict[Endpoint, dict[str, ModelSchema]] = {
    "image_to_video": {
        **_models(image_to_video_create_params.ImageToVideoCreateParams),
        "veo3": _VEO3_IMAGE,
    },
    "text_to_video": {
        **_models(text_to_video_create_params.TextToVideoCreateParams),
        "veo3": _VEO3_TEXT,
    },
}
"""Endpoint → model → schema: every video model Runway's SDK knows, plus veo3."""


def image_uri_problem(uri: Any, path: str) -> str | None:
    """Why Runway would refuse ``uri`` as an image input (None: it would not)."""
    if not isinstance(uri, str):
        return None  # the schema check reports the type
    if not uri.startswith(IMAGE_SCHEMES):
        return f"{path}: Expected an HTTPS URL, a runway:// URI or a data URI"
    if uri.startswith("data:") and len(uri) > MAX_DATA_URI_BYTES:
        return f"{path}: Data URIs are limited to 5MB; use the uploads API for larger files"
    return None


def input_problems(body: dict[str, Any]) -> list[str]:
    """Rules the types cannot carry: image URI schemes, the data URI size, "a last
    frame requires a first frame", and each model's prompt length."""
    found: list[str] = []
    limit = PROMPT_LIMITS.get(str(body.get("model")))
    text = body.get("promptText")
    if limit is not None and isinstance(text, str):
        units = len(text.encode("utf-16-le")) // 2
        if units > limit:
            found.append(f"promptText: String must contain at most {limit} character(s)")
    image = body.get("promptImage")
    if isinstance(image, str):
        found.append(image_uri_problem(image, "promptImage") or "")
    elif isinstance(image, list):
        positions = [item.get("position") for item in image if isinstance(item, dict)]
        if "last" in positions and "first" not in positions:
            found.append("promptImage: a last frame requires a first frame")
        for index, item in enumerate(image):
            if isinstance(item, dict):
                found.append(image_uri_problem(item.get("uri"), f"promptImage[{index}].uri") or "")
    return [problem for problem in found if problem]
