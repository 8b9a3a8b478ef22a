"""What a model makes when the request leaves a choice open, or asks for a value it lacks.

A client that sends only ``model`` and ``prompt`` must reach the provider: the gateway
never invents OpenAI's defaults (4 s, 720x1280), which most models cannot make. Each
omitted duration, resolution or aspect ratio takes the model family's own documented
default (:class:`~adapters.field_mappers.Capabilities`). A value the client *did* give
and the model cannot make is refused (a 400 naming the allowed values), unless the
alias opts into ``coerce: nearest``, where it becomes the nearest value the model makes
and the change is reported (:attr:`Resolved.coerced`).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

from tarash_gateway.adapters.models import VideoGenerationRequest

if TYPE_CHECKING:
    from tarash_gateway.adapters.field_mappers import Capabilities

CoerceMode = Literal["exact", "nearest"]
Nearest = Callable[[Any, tuple[Any, ...]], Any]

_SHORT_SIDE = {"360p": 360, "480p": 480, "720p": 720, "1080p": 1080, "4k": 2160}
_RATIO = {"16:9": 16 / 9, "9:16": 9 / 16, "1:1": 1.0, "4:3": 4 / 3, "21:9": 21 / 9}


@dataclass(frozen=True)
class Resolved:
    """The request a deployment will actually send, and what was changed to get it."""

    request: VideoGenerationRequest
    defaulted: tuple[str, ...] = ()
    """Unified fields filled from the model's defaults (the client left them out)."""
    coerced: dict[str, tuple[object, object]] = field(default_factory=dict)
    """Field → (asked, used), for values moved to the nearest allowed one."""


def nearest_duration(asked: int, allowed: tuple[int, ...]) -> int:
    """The allowed duration closest to ``asked``; on a tie the shorter (it costs less)."""
    return min(allowed, key=lambda value: (abs(value - asked), value))


def nearest_resolution(asked: str, allowed: tuple[str, ...]) -> str:
    """The allowed resolution whose short side is closest; on a tie the smaller."""
    side = _SHORT_SIDE.get(asked, 720)
    return min(allowed, key=lambda value: (abs(_SHORT_SIDE.get(value, 0) - side), value))


def nearest_aspect_ratio(asked: str, allowed: tuple[str, ...]) -> str:
    """The allowed aspect ratio closest on a log scale (16:9 is as far from 1:1 as 9:16)."""
    ratio = _RATIO.get(asked, 1.0)
    return min(allowed, key=lambda value: abs(math.log(_RATIO.get(value, 1.0) / ratio)))


def resolve_request(
    request: VideoGenerationRequest, caps: Capabilities | None, coerce: CoerceMode = "exact"
) -> Resolved:
    """``request`` with its omissions filled from ``caps``' defaults and, with
    ``coerce="nearest"``, its out-of-range values moved to the nearest allowed ones.
    Values that are neither omitted nor coerced are left for the capability check to
    accept or refuse. Returns the request unchanged (same object) when nothing changes."""
    if caps is None:
        return Resolved(request)
    choices: tuple[tuple[str, Any, tuple[Any, ...] | None, Nearest], ...] = (
        ("duration_seconds", caps.default_duration, caps.durations, nearest_duration),
        ("resolution", caps.default_resolution, caps.resolutions, nearest_resolution),
        ("aspect_ratio", caps.default_aspect_ratio, caps.aspect_ratios, nearest_aspect_ratio),
    )
    update: dict[str, Any] = {}
    defaulted: list[str] = []
    coerced: dict[str, tuple[object, object]] = {}
    for name, default, allowed, nearest in choices:
        asked = getattr(request, name)
        if asked is None:
            if default is not None:
                update[name] = default
                defaulted.append(name)
        elif coerce == "nearest" and allowed and asked not in allowed:
            update[name] = nearest(asked, allowed)
            coerced[name] = (asked, update[name])
    if not update:
        return Resolved(request)
    return Resolved(request.model_copy(update=update), tuple(defaulted), coerced)
