"""The Veo model tables: each model's field mapping (what the unified request becomes in
its ``predictLongRunning`` body) and capabilities, registered under ``provider="google"``
at import time."""

from __future__ import annotations

from tarash_gateway.adapters.field_mappers import (
    Capabilities,
    FieldMap,
    ModelMapping,
    register_provider_field_mapping,
)

PROVIDER = "google"

# Documented defaults, every Veo family: 8 s, 720p, 16:9 (Vertex AI Veo reference,
# cloud.google.com/vertex-ai/generative-ai/docs/model-reference/veo-video-generation:
# durationSeconds "default is 8", resolution "720p (default)", aspectRatio "16:9
# (default)"; ai.google.dev/gemini-api/docs/video parameter table, same values). Sent
# explicitly, so the job's recorded length and shape are the ones Google makes.
DEFAULT_SECONDS = 8
DEFAULT_RESOLUTION = "720p"
DEFAULT_ASPECT_RATIO = "16:9"

# -- field mappings --------------------------------------------------------------------

_BASE_FIELDS = (
    FieldMap("prompt", "prompt", required=True),
    FieldMap("negative_prompt", "negativePrompt"),
    FieldMap("aspect_ratio", "aspectRatio"),
    FieldMap("duration_seconds", "durationSeconds"),
    FieldMap("seed", "seed"),
    FieldMap("number_of_videos", "sampleCount"),
    FieldMap("enhance_prompt", "enhancePrompt"),
)
_RESOLUTION = FieldMap("resolution", "resolution")
_AUDIO = FieldMap("generate_audio", "generateAudio", default=True)
"""Veo 3 on Vertex AI wants ``generateAudio`` spelled out; audio is the family's default."""

_FRAMES = {"first_frame": "image", "last_frame": "lastFrame"}
_FRAMES_AND_REFERENCES = {
    **_FRAMES,
    "reference": "referenceImages",
    "asset": "referenceImages",
}
_PORTRAIT_AND_LANDSCAPE = ("16:9", "9:16")
_RESERVED: dict[str, str | None] = {
    "durationSeconds": "seconds",
    "sampleCount": "number_of_videos",
    "resolution": "size",
    "aspectRatio": "size",
    "generateAudio": "generate_audio",
}
"""Length, count, size and sound decide what Veo bills, in every family (Veo 2 has no
resolution or audio parameter, so extras must not add one either)."""

VEO_3_1 = ModelMapping(
    fields=(*_BASE_FIELDS, _RESOLUTION, _AUDIO),
    capabilities=Capabilities(
        durations=(4, 6, 8),
        resolutions=("720p", "1080p", "4k"),
        aspect_ratios=_PORTRAIT_AND_LANDSCAPE,
        audio=True,
        image_roles=("first_frame", "last_frame", "reference", "asset"),
        default_duration=DEFAULT_SECONDS,
        default_resolution=DEFAULT_RESOLUTION,
        default_aspect_ratio=DEFAULT_ASPECT_RATIO,
    ),
    image_fields=_FRAMES_AND_REFERENCES,
    list_image_fields=frozenset({"referenceImages"}),
    reserved=_RESERVED,
)
VEO_3_1_LITE = ModelMapping(
    fields=(*_BASE_FIELDS, _RESOLUTION, _AUDIO),
    capabilities=Capabilities(
        durations=(4, 6, 8),
        resolutions=("720p", "1080p"),
        aspect_ratios=_PORTRAIT_AND_LANDSCAPE,
        audio=True,
        image_roles=("first_frame", "last_frame"),
        default_duration=DEFAULT_SECONDS,
        default_resolution=DEFAULT_RESOLUTION,
        default_aspect_ratio=DEFAULT_ASPECT_RATIO,
    ),
    image_fields=_FRAMES,
    reserved=_RESERVED,
)
VEO_3_0 = ModelMapping(
    fields=(*_BASE_FIELDS, _RESOLUTION, _AUDIO),
    capabilities=Capabilities(
        durations=(4, 6, 8),
        resolutions=("720p", "1080p"),
        aspect_ratios=_PORTRAIT_AND_LANDSCAPE,
        audio=True,
        image_roles=("first_frame",),
        default_duration=DEFAULT_SECONDS,
        default_resolution=DEFAULT_RESOLUTION,
        default_aspect_ratio=DEFAULT_ASPECT_RATIO,
    ),
    image_fields={"first_frame": "image"},
    reserved=_RESERVED,
)
VEO_2_0 = ModelMapping(
    fields=_BASE_FIELDS,  # 720p only, silent: no resolution or audio parameter to send
    capabilities=Capabilities(
        durations=(5, 6, 7, 8),
        resolutions=("720p",),
        aspect_ratios=_PORTRAIT_AND_LANDSCAPE,
        audio=False,
        image_roles=("first_frame", "last_frame"),
        default_duration=DEFAULT_SECONDS,  # Veo 2: 5-8 s, "the default is 8"
        default_resolution=DEFAULT_RESOLUTION,  # its only resolution; never sent
        default_aspect_ratio=DEFAULT_ASPECT_RATIO,
    ),
    image_fields=_FRAMES,
    reserved=_RESERVED,
)
VEO_GENERIC = ModelMapping(
    fields=(*_BASE_FIELDS, _RESOLUTION, FieldMap("generate_audio", "generateAudio")),
    capabilities=Capabilities(
        audio=True, image_roles=("first_frame", "last_frame", "reference", "asset")
    ),
    image_fields=_FRAMES_AND_REFERENCES,
    list_image_fields=frozenset({"referenceImages"}),
    reserved=_RESERVED,
)
"""Model ids this table does not know: every unified field passed, nothing refused, no
defaults filled in (an omitted field is left to Google's own default)."""

VEO_MAPPINGS: dict[str, ModelMapping] = {
    "veo-3.1": VEO_3_1,
    "veo-3.1-fast": VEO_3_1,
    "veo-3.1-lite": VEO_3_1_LITE,
    "veo-3.0": VEO_3_0,
    "veo-3.0-fast": VEO_3_0,
    "veo-2.0": VEO_2_0,
    "": VEO_GENERIC,
}
register_provider_field_mapping(PROVIDER, VEO_MAPPINGS)
