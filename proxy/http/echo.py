"""What a Video says it is: the duration and size requested from the provider.

The client may leave ``seconds`` and ``size`` to the model; the deployment then sends
its model's own defaults, and the Video reports those, not what OpenAI would have
used. A value ``coerce: nearest`` changed is named in the create's ``x-tarash-coerced``
header.
"""

from __future__ import annotations

from tarash_gateway.proxy.http.params import parse_size
from tarash_gateway.router import VideoGenerationRequest, formula_size

UNKNOWN_SECONDS = "4"
UNKNOWN_SIZE = "720x1280"
"""What a Video reports for a duration or size the client left out and the deployment's
model has no known default for (a custom provider without a capability table): nothing
is sent to the provider then, and these are OpenAI's own defaults, the contract's."""


def video_echo(sent: VideoGenerationRequest, asked_size: str | None) -> tuple[str, str]:
    """The Video's ``seconds`` and ``size``: what was requested from the provider (the
    deployment's defaults filled in), keeping the client's own spelling of a size that
    was sent as asked."""
    seconds = UNKNOWN_SECONDS if sent.duration_seconds is None else str(sent.duration_seconds)
    if sent.resolution is None and sent.aspect_ratio is None:
        return seconds, asked_size or UNKNOWN_SIZE
    if asked_size is not None and parse_size(asked_size) == (sent.resolution, sent.aspect_ratio):
        return seconds, asked_size
    # A model that fixes one of the two itself (Kling's resolution, an image-to-video
    # model's framing): the other is reported as sent, the unknown one as OpenAI's.
    unknown_resolution, unknown_aspect = parse_size(UNKNOWN_SIZE)
    return seconds, formula_size(
        sent.resolution or unknown_resolution, sent.aspect_ratio or unknown_aspect
    )


_ECHO_NAMES = {"duration_seconds": "seconds"}


def coerced_header(coerced: dict[str, tuple[object, object]]) -> str:
    """``x-tarash-coerced``: each value ``coerce: nearest`` changed, e.g.
    ``seconds=5 (asked 4), resolution=720p (asked 4k)``."""
    return ", ".join(
        f"{_ECHO_NAMES.get(name, name)}={used} (asked {asked})"
        for name, (asked, used) in coerced.items()
    )
