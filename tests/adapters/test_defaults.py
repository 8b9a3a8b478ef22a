"""Omitted durations and sizes take the model's own defaults; ``coerce: nearest`` moves
an impossible value to the closest one the model makes, and says so."""

from __future__ import annotations

import pytest

from tarash_gateway.adapters import VideoGenerationRequest
from tarash_gateway.adapters.defaults import (
    nearest_aspect_ratio,
    nearest_duration,
    nearest_resolution,
    resolve_request,
)
from tarash_gateway.adapters.field_mappers import Capabilities

KLING = Capabilities(
    durations=(5, 10),
    resolutions=("720p", "1080p"),
    aspect_ratios=("16:9", "9:16", "1:1"),
    default_duration=5,
    default_resolution="1080p",
    default_aspect_ratio="16:9",
)


def test_omitted_fields_take_the_models_defaults() -> None:
    resolved = resolve_request(VideoGenerationRequest(prompt="p"), KLING)
    assert resolved.request.duration_seconds == 5
    assert resolved.request.resolution == "1080p"
    assert resolved.request.aspect_ratio == "16:9"
    assert resolved.defaulted == ("duration_seconds", "resolution", "aspect_ratio")
    assert resolved.coerced == {}


def test_given_values_are_left_for_the_capability_check_in_exact_mode() -> None:
    asked = VideoGenerationRequest(prompt="p", duration_seconds=4, resolution="4k")
    resolved = resolve_request(asked, KLING)
    assert resolved.request.duration_seconds == 4  # refused later, naming 5 and 10
    assert resolved.request.resolution == "4k"
    assert resolved.coerced == {}


def test_nearest_mode_moves_impossible_values_and_reports_them() -> None:
    asked = VideoGenerationRequest(
        prompt="p", duration_seconds=4, resolution="4k", aspect_ratio="21:9"
    )
    resolved = resolve_request(asked, KLING, "nearest")
    assert (resolved.request.duration_seconds, resolved.request.resolution) == (5, "1080p")
    assert resolved.request.aspect_ratio == "16:9"
    assert resolved.coerced == {
        "duration_seconds": (4, 5),
        "resolution": ("4k", "1080p"),
        "aspect_ratio": ("21:9", "16:9"),
    }


def test_allowed_values_are_never_coerced() -> None:
    asked = VideoGenerationRequest(prompt="p", duration_seconds=10, aspect_ratio="9:16")
    resolved = resolve_request(asked, KLING, "nearest")
    assert resolved.coerced == {}
    assert (resolved.request.duration_seconds, resolved.request.aspect_ratio) == (10, "9:16")


def test_no_table_means_nothing_is_filled_in() -> None:
    asked = VideoGenerationRequest(prompt="p")
    assert resolve_request(asked, None).request is asked
    assert resolve_request(asked, Capabilities()).request.duration_seconds is None


@pytest.mark.parametrize(
    ("asked", "allowed", "expected"),
    [(4, (5, 10), 5), (8, (6, 10), 6), (7, (5, 9), 5), (12, (4, 8), 8), (1, (8,), 8)],
)
def test_nearest_duration_prefers_the_shorter_on_a_tie(
    asked: int, allowed: tuple[int, ...], expected: int
) -> None:
    assert nearest_duration(asked, allowed) == expected


def test_nearest_resolution_and_aspect_ratio() -> None:
    assert nearest_resolution("4k", ("720p", "1080p")) == "1080p"
    assert nearest_resolution("480p", ("720p", "1080p")) == "720p"
    assert nearest_aspect_ratio("9:16", ("16:9", "1:1")) == "1:1"
    assert nearest_aspect_ratio("21:9", ("16:9", "9:16")) == "16:9"
