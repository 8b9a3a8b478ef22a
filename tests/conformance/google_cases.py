"""Veo requests, each spelled twice: as a unified gateway request and as the official
python-genai ``generate_videos`` call that should put the same bytes on the wire.

Shared by :mod:`tests.conformance.test_google` and the Gemini API fixture recorder
(``fixtures/google/record_gemini_api.py``), which runs these same calls through an older
python-genai. SDK arguments are plain dicts (``GenerateVideosSource`` /
``GenerateVideosConfig`` fields) so they work with either SDK version.

Every case states the family defaults explicitly on the SDK side (``aspect_ratio
16:9``, ``resolution 720p`` for Veo 3.x, ``duration_seconds 8``), because the gateway sends
them explicitly: a request that omits them still says what Google makes.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass, field
from typing import Any, Literal

from tarash_gateway.adapters.models import ImageInput, ImageRole

Api = Literal["gemini", "vertex"]

PNG_BYTES = b"\x89PNG\r\n\x1a\n" + bytes(range(24))
PNG_URL = "data:image/png;base64," + base64.b64encode(PNG_BYTES).decode()
GCS_IMAGE = "gs://conformance-bucket/first.png"
STORAGE = "gs://conformance-bucket/out/"

MODELS: dict[Api, tuple[str, ...]] = {
    "gemini": (
        "veo-3.1-generate-preview",
        "veo-3.1-fast-generate-preview",
        "veo-3.1-lite-generate-preview",
        "veo-3.0-generate-001",
        "veo-3.0-fast-generate-001",
        "veo-2.0-generate-001",
    ),
    "vertex": (
        "veo-3.1-generate-001",
        "veo-3.1-fast-generate-001",
        "veo-3.1-lite-generate-001",
        "veo-3.0-generate-001",
        "veo-3.0-fast-generate-001",
        "veo-2.0-generate-001",
    ),
}


@dataclass(frozen=True)
class Case:
    """One request: ``unified`` (VideoGenerationRequest fields) and ``source`` /
    ``config`` (the SDK's). ``refused`` cases are ones python-genai refuses for this
    API; the gateway must refuse them too, before any call."""

    name: str
    api: Api
    model: str
    unified: dict[str, Any]
    source: dict[str, Any]
    config: dict[str, Any]
    provider_config: dict[str, Any] = field(default_factory=dict)
    refused: bool = False


def durations(model: str) -> tuple[int, ...]:
    return (5, 6, 7, 8) if model.startswith("veo-2") else (4, 6, 8)


def _veo3(model: str) -> bool:
    return model.startswith("veo-3")


def sdk_image() -> dict[str, Any]:
    return {"image_bytes": PNG_BYTES, "mime_type": "image/png"}


def frame(role: ImageRole) -> ImageInput:
    return ImageInput(image=PNG_URL, role=role)


def defaults(api: Api, model: str, **config: Any) -> dict[str, Any]:
    """The SDK config for what the gateway sends for ``model`` when a request leaves
    everything open, with ``config`` on top: one video, 8 s, 16:9, 720p (Veo 3.x; Veo 2
    has no resolution parameter), and on Vertex ``generateAudio: true`` for Veo 3.x."""
    base: dict[str, Any] = {"number_of_videos": 1, "duration_seconds": 8, "aspect_ratio": "16:9"}
    if _veo3(model):
        base["resolution"] = "720p"
        if api == "vertex":
            base["generate_audio"] = True
    return {**base, **config}


def cases(api: Api) -> list[Case]:
    """Text-only, every duration, first frame, first+last frame, references, shapes,
    prompt controls, counts, and each API's own fields, over every family."""
    out: list[Case] = []

    def add(name: str, model: str, unified: dict[str, Any], **sdk: Any) -> None:
        source = {"prompt": unified.get("prompt", "a red fox in fresh snow")}
        source.update(sdk.pop("source", {}))
        provider_config = sdk.pop("provider_config", {})
        refused = sdk.pop("refused", False)
        out.append(
            Case(
                name=f"{name}[{model}]",
                api=api,
                model=model,
                unified={"prompt": source["prompt"], **unified},
                source=source,
                config=defaults(api, model, **sdk) if not refused else sdk,
                provider_config=provider_config,
                refused=refused,
            )
        )

    for model in MODELS[api]:
        add("text_only", model, {})
        for seconds in durations(model):
            add(
                f"duration_{seconds}s",
                model,
                {"duration_seconds": seconds},
                duration_seconds=seconds,
            )
        add(
            "first_frame",
            model,
            {"image_list": [frame("first_frame")]},
            source={"image": sdk_image()},
        )
        if not model.startswith("veo-3.0"):
            add(
                "first_and_last_frame",
                model,
                {"image_list": [frame("first_frame"), frame("last_frame")]},
                source={"image": sdk_image()},
                last_frame=sdk_image(),
            )
        add("portrait", model, {"aspect_ratio": "9:16"}, aspect_ratio="9:16")
        add(
            "prompt_controls",
            model,
            {
                "negative_prompt": "blurry, text",
                "enhance_prompt": True,
                "extra_params": {"personGeneration": "allow_adult"},
            },
            negative_prompt="blurry, text",
            enhance_prompt=True,
            person_generation="allow_adult",
        )
        add("two_videos", model, {"number_of_videos": 2}, number_of_videos=2)
        if _veo3(model):
            add(
                "1080p",
                model,
                {"resolution": "1080p", "duration_seconds": 8},
                resolution="1080p",
            )
        if model.startswith("veo-3.1") and "lite" not in model:
            add("4k", model, {"resolution": "4k", "duration_seconds": 8}, resolution="4k")
            add(
                "reference_images",
                model,
                {"image_list": [frame("reference"), frame("asset")]},
                reference_images=[{"image": sdk_image(), "reference_type": "asset"}] * 2,
            )
        if api == "vertex":
            add("seed", model, {"seed": 42}, seed=42)
            add(
                "first_frame_from_cloud_storage",
                model,
                {"image_list": [ImageInput(image=GCS_IMAGE, role="first_frame")]},
                source={"image": {"gcs_uri": GCS_IMAGE, "mime_type": "image/png"}},
            )
            add(
                "results_to_cloud_storage",
                model,
                {},
                provider_config={"storage_uri": STORAGE},
                output_gcs_uri=STORAGE,
            )
            if _veo3(model):
                add("audio_on", model, {"generate_audio": True}, generate_audio=True)
                add("audio_off", model, {"generate_audio": False}, generate_audio=False)
        else:
            add("seed", model, {"seed": 42}, seed=42, refused=True)
            add(
                "first_frame_from_cloud_storage",
                model,
                {"image_list": [ImageInput(image=GCS_IMAGE, role="first_frame")]},
                source={"image": {"gcs_uri": GCS_IMAGE, "mime_type": "image/png"}},
                refused=True,
            )
            add(
                "results_to_cloud_storage",
                model,
                {},
                provider_config={"storage_uri": STORAGE},
                output_gcs_uri=STORAGE,
                refused=True,
            )
            add(
                "fps",
                model,
                {"extra_params": {"fps": 24}},
                fps=24,
                refused=True,
            )
            if _veo3(model):
                add(
                    "audio_off",
                    model,
                    {"generate_audio": False},
                    generate_audio=False,
                    refused=True,
                )
    return out


GEMINI_AUDIO_ON = "audio_on_not_sent"
"""The one Gemini API request python-genai cannot express: ``generate_audio: true``. Veo 3
on the Gemini API always makes sound and has no switch (the SDK refuses the parameter),
so the gateway accepts it and sends the same request as leaving it out."""
