"""The one table of video size tiers and aspect ratios, and the conversions between a
``WIDTHxHEIGHT`` size and (resolution, aspect ratio) that adapters and the server's
OpenAI-style ``size`` parameter both use, so the two can never disagree."""

from __future__ import annotations

import math
import re
from collections.abc import Sequence

from tarash_gateway.adapters.errors import ValidationError

SHORT_SIDES = {"360p": 360, "480p": 480, "720p": 720, "1080p": 1080, "4k": 2160}
"""Resolution tier → the short side of the frame, in pixels."""
ASPECT_RATIOS = {"16:9": 16 / 9, "9:16": 9 / 16, "1:1": 1.0, "4:3": 4 / 3, "21:9": 21 / 9}
"""The video aspect ratios the unified API names, as width / height."""
_SIZE_PATTERN = re.compile(r"^\s*(\d+)\s*[xX]\s*(\d+)\s*$")
_TOLERANCE = 0.05
"""How far (in log ratio, about 5%) a size may be from a named aspect ratio."""


def nearest_resolution(short_side: int) -> str:
    """The tier whose short side is nearest ``short_side`` (1024 → ``"1080p"``)."""
    return min(SHORT_SIDES, key=lambda label: abs(SHORT_SIDES[label] - short_side))


def nearest_aspect_ratio(width: int, height: int) -> str | None:
    """The named aspect ratio within 5% of ``width / height``; None if there is none."""
    ratio = width / height
    aspect = min(ASPECT_RATIOS, key=lambda name: abs(math.log(ASPECT_RATIOS[name] / ratio)))
    return aspect if abs(math.log(ASPECT_RATIOS[aspect] / ratio)) <= _TOLERANCE else None


def formula_size(resolution: str, aspect_ratio: str) -> str:
    """(``"720p"``, ``"16:9"``) → ``"1280x720"``, for upstreams without a size table
    (even sides); the inverse of :func:`describe_size`."""
    short = SHORT_SIDES[resolution]
    ratio = ASPECT_RATIOS[aspect_ratio]
    long = 2 * round(short * max(ratio, 1 / ratio) / 2)
    return f"{long}x{short}" if ratio >= 1 else f"{short}x{long}"


def describe_size(size: str | None) -> tuple[str | None, str | None]:
    """``"1280x720"`` → (``"720p"``, ``"16:9"``); None where it does not fit a tier."""
    match = _SIZE_PATTERN.match(size or "")
    if match is None:
        return None, None
    width, height = int(match.group(1)), int(match.group(2))
    if width <= 0 or height <= 0:
        return None, None
    return nearest_resolution(min(width, height)), nearest_aspect_ratio(width, height)


def aspect_from_size(size: str, allowed: Sequence[str], *, provider: str, model: str) -> str:
    """An OpenAI-style ``WIDTHxHEIGHT`` as exactly one of ``allowed`` ratios (reduced:
    1024x576 is 16:9), or a validation error naming them, for image models that take
    an aspect ratio and no pixel size."""
    match = _SIZE_PATTERN.match(size)
    if match is not None:
        width, height = int(match[1]), int(match[2])
        if width > 0 and height > 0:
            divisor = math.gcd(width, height)
            ratio = f"{width // divisor}:{height // divisor}"
            if ratio in allowed:
                return ratio
    raise ValidationError(
        f"{model} cannot make size {size!r}; use aspect_ratio, one of {', '.join(allowed)}",
        param="size",
        provider=provider,
        model=model,
    )
