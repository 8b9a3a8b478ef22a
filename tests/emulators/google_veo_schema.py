"""What Google refuses in a Veo ``predictLongRunning`` body, per API and per model family.

The emulator's gatekeeper: an emulator that accepts whatever its adapter sends proves
nothing, so this follows Google's published schema and python-genai's own converters,
not the adapter. Sources (checked 2026-12-03):

- googleapis/python-genai v2.19.0 (commit 66807187, 2026-08-21), ``models.py``: the last
  release whose ``generate_videos`` still speaks the Gemini API. ``_GenerateVideosConfig_
  to_mldev`` raises for seed, generate_audio, output_gcs_uri (``storageUri``),
  pubsub_topic, fps, compression_quality, resize_mode, labels and mask; ``_Image_to_mldev``
  raises for ``gcs_uri``; the reference type STYLE is Vertex-only. Both converters send
  images as ``{bytesBase64Encoded, mimeType}`` and numbers as JSON numbers.
  ``_GenerateVideosConfig_to_vertex`` raises for ``webhook_config`` (Gemini API only).
  google-genai 3.6.1 (installed) keeps the Vertex converter unchanged and drops Gemini
  API video generation from the SDK ("only supported in Gemini Enterprise Agent Platform
  mode").
- cloud.google.com/vertex-ai/generative-ai/docs/model-reference/veo-video-generation:
  instance ``image``/``lastFrame``/``video`` are a union of ``bytesBase64Encoded`` or
  ``gcsUri`` plus a required ``mimeType``; at most 3 asset reference images; parameters
  aspectRatio, compressionQuality, durationSeconds (Veo 2: 5-8, Veo 3: 4/6/8),
  enhancePrompt, generateAudio, negativePrompt, personGeneration, resizeMode, resolution
  (Veo 3 only), sampleCount (1-4), seed (uint32), storageUri; images up to 20 MB.
- ai.google.dev/gemini-api/docs/video: Veo 3.1 makes 1080p and 4k videos of 8 s only, and
  8 s / 16:9 from reference images; the REST samples send images as ``inlineData``,
  which is accepted here too (the SDK's ``bytesBase64Encoded`` is what the adapter sends).
- A live Gemini API call reported in public code on 2026-09-29: a quoted
  ``"durationSeconds": "8"`` is a 400 "The value type for durationSeconds needs to be a
  number."

The exact wording of the other refusals is not published; the status (400
INVALID_ARGUMENT, 404 NOT_FOUND) and the envelope are Google's.
"""

from __future__ import annotations

import base64
import binascii
import re
from dataclasses import dataclass
from typing import Any, Literal

Api = Literal["gemini", "vertex"]

MAX_IMAGE_BYTES = 20 * 1024 * 1024
IMAGE_TYPES = frozenset({"image/jpeg", "image/png", "image/webp"})
ASPECT_RATIOS = ("16:9", "9:16")
PERSON_GENERATION = frozenset({"allow_all", "allow_adult", "dont_allow"})

_COMMON_PARAMETERS = frozenset(
    {
        "aspectRatio",
        "durationSeconds",
        "enhancePrompt",
        "negativePrompt",
        "personGeneration",
        "resolution",
        "sampleCount",
    }
)
PARAMETERS: dict[Api, frozenset[str]] = {
    "gemini": _COMMON_PARAMETERS,
    "vertex": _COMMON_PARAMETERS
    | {
        "seed",
        "generateAudio",
        "storageUri",
        "pubsubTopic",
        "fps",
        "compressionQuality",
        "resizeMode",
        "addWatermark",
        "includeRaiReason",
    },
}
INSTANCE_KEYS: dict[Api, frozenset[str]] = {
    "gemini": frozenset({"prompt", "image", "lastFrame", "referenceImages", "video"}),
    "vertex": frozenset({"prompt", "image", "lastFrame", "referenceImages", "video", "mask"}),
}
TOP_LEVEL: dict[Api, frozenset[str]] = {
    "gemini": frozenset({"instances", "parameters"}),
    "vertex": frozenset({"instances", "parameters", "labels"}),
}


@dataclass(frozen=True)
class VeoFamily:
    """What one Veo family takes (Google's model pages, as of 2026-12)."""

    durations: tuple[int, ...]
    resolutions: tuple[str, ...]
    """Empty: the family has no resolution parameter (Veo 2 is 720p only)."""
    last_frame: bool
    references: bool
    audio: bool


FAMILIES: dict[str, VeoFamily] = {
    "veo-2.0": VeoFamily((5, 6, 7, 8), (), last_frame=True, references=False, audio=False),
    "veo-3.0": VeoFamily(
        (4, 6, 8), ("720p", "1080p"), last_frame=False, references=False, audio=True
    ),
    "veo-3.1": VeoFamily(
        (4, 6, 8), ("720p", "1080p", "4k"), last_frame=True, references=True, audio=True
    ),
    "veo-3.1-lite": VeoFamily(
        (4, 6, 8), ("720p", "1080p"), last_frame=True, references=False, audio=True
    ),
}
MODEL_ID = re.compile(r"^(veo-\d\.\d)(-fast|-lite)?-generate-(?:\d{3}|preview|exp)$")


def family(model: str) -> VeoFamily | None:
    """The family of a published Veo model id, or None (Google answers 404)."""
    match = MODEL_ID.match(model)
    if match is None:
        return None
    base, variant = match[1], match[2] or ""
    return FAMILIES.get(base + variant) or FAMILIES.get(base)


class RefusedError(Exception):
    """A 400 INVALID_ARGUMENT with Google's message."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def check_veo_body(body: Any, *, api: Api, veo: VeoFamily) -> None:
    """Raise :class:`RefusedError` for the first thing Google would refuse in ``body``."""
    if not isinstance(body, dict):
        raise RefusedError("Invalid JSON payload received. Expected an object.")
    for key in body:
        if key not in TOP_LEVEL[api]:
            raise RefusedError(
                f'Invalid JSON payload received. Unknown name "{key}": Cannot find field.'
            )
    instances = body.get("instances")
    if not isinstance(instances, list) or len(instances) != 1 or not isinstance(instances[0], dict):
        raise RefusedError("instances must hold exactly one instance.")
    _check_instance(instances[0], api=api, veo=veo)
    parameters = body.get("parameters", {})
    if not isinstance(parameters, dict):
        raise RefusedError("parameters must be an object.")
    _check_parameters(parameters, api=api, veo=veo, instance=instances[0])


def _unsupported(name: str) -> RefusedError:
    return RefusedError(f"`{name}` isn't supported by this model.")


def _check_instance(instance: dict[str, Any], *, api: Api, veo: VeoFamily) -> None:
    for key in instance:
        if key not in INSTANCE_KEYS[api]:
            raise _unsupported(key)
    prompt = instance.get("prompt")
    if prompt is not None and not isinstance(prompt, str):
        raise RefusedError("The value type for prompt needs to be a string.")
    if not prompt and "image" not in instance and "video" not in instance:
        raise RefusedError("A prompt or an image is required.")
    if "image" in instance:
        _check_media(instance["image"], "instances[0].image", api=api)
    if "lastFrame" in instance:
        if not veo.last_frame:
            raise _unsupported("lastFrame")
        if "image" not in instance:
            raise RefusedError("lastFrame needs an image (the first frame) too.")
        _check_media(instance["lastFrame"], "instances[0].lastFrame", api=api)
    if "referenceImages" in instance:
        _check_references(instance["referenceImages"], api=api, veo=veo)


def _check_references(references: Any, *, api: Api, veo: VeoFamily) -> None:
    if not veo.references:
        raise _unsupported("referenceImages")
    if not isinstance(references, list) or not 1 <= len(references) <= 3:
        raise RefusedError("referenceImages takes 1 to 3 asset images.")
    for index, item in enumerate(references):
        where = f"instances[0].referenceImages[{index}]"
        if not isinstance(item, dict) or set(item) - {"image", "referenceType"}:
            raise RefusedError(f"Invalid value at '{where}': expected {{image, referenceType}}.")
        allowed = ("asset",) if api == "gemini" else ("asset", "style")
        kind = item.get("referenceType")  # the SDK sends ASSET, REST samples asset
        if not isinstance(kind, str) or kind.lower() not in allowed:
            raise RefusedError(
                f"Invalid value at '{where}.referenceType': {item.get('referenceType')!r}."
            )
        _check_media(item.get("image"), f"{where}.image", api=api)


def _check_media(media: Any, where: str, *, api: Api) -> None:
    """One input image: inline base64 bytes (or, on Vertex, a gs:// URI) with a type."""
    if not isinstance(media, dict):
        raise RefusedError(f"Invalid value at '{where}': expected an object.")
    if api == "gemini" and "inlineData" in media:
        inline = media["inlineData"]
        if set(media) != {"inlineData"} or not isinstance(inline, dict):
            raise RefusedError(f"Invalid value at '{where}.inline_data'.")
        _check_bytes(inline.get("data"), inline.get("mimeType"), f"{where}.inline_data")
        return
    allowed = {"bytesBase64Encoded", "mimeType"} | ({"gcsUri"} if api == "vertex" else set())
    for key in media:
        if key not in allowed:
            raise _unsupported(f"{where.rsplit('.', 1)[-1]}.{key}")
    sources = [key for key in ("bytesBase64Encoded", "gcsUri") if key in media]
    if len(sources) != 1:
        raise RefusedError(
            f"Invalid value at '{where}': exactly one of bytesBase64Encoded or gcsUri."
        )
    if sources[0] == "gcsUri":
        uri = media["gcsUri"]
        if not isinstance(uri, str) or not uri.startswith("gs://"):
            raise RefusedError(f"Invalid value at '{where}.gcs_uri': not a gs:// URI.")
        if media.get("mimeType") not in IMAGE_TYPES:
            raise RefusedError(f"Invalid value at '{where}.mime_type': {media.get('mimeType')!r}.")
        return
    _check_bytes(
        media["bytesBase64Encoded"], media.get("mimeType"), f"{where}.bytes_base64_encoded"
    )


def _check_bytes(data: Any, mime: Any, where: str) -> None:
    if not isinstance(data, str) or not data:
        raise RefusedError(f"Invalid value at '{where}' (TYPE_BYTES): empty.")
    try:
        raw = base64.b64decode(data, validate=True)
    except (binascii.Error, ValueError):
        shown = data[:24] + ("..." if len(data) > 24 else "")
        raise RefusedError(
            f"Invalid value at '{where}' (TYPE_BYTES), Base64 decoding failed for \"{shown}\""
        ) from None
    if len(raw) > MAX_IMAGE_BYTES:
        raise RefusedError(f"The image at '{where}' is larger than the 20 MB limit.")
    if mime not in IMAGE_TYPES:
        raise RefusedError(
            f"Unsupported MIME type {mime!r} at '{where}'; use image/jpeg, image/png or image/webp."
        )


def _check_parameters(
    parameters: dict[str, Any], *, api: Api, veo: VeoFamily, instance: dict[str, Any]
) -> None:
    for key in parameters:
        if key not in PARAMETERS[api]:
            raise _unsupported(key)
    seconds = parameters.get("durationSeconds")
    if "durationSeconds" in parameters:
        if not _is_int(seconds):
            raise RefusedError("The value type for durationSeconds needs to be a number.")
        if seconds not in veo.durations:
            allowed = ", ".join(str(value) for value in veo.durations)
            raise RefusedError(
                f"Unsupported duration {seconds}s; this model makes {allowed} seconds."
            )
    if "sampleCount" in parameters:
        count = parameters["sampleCount"]
        if not _is_int(count):
            raise RefusedError("The value type for sampleCount needs to be a number.")
        if not 1 <= count <= 4:
            raise RefusedError(f"sampleCount must be between 1 and 4, not {count}.")
    if "seed" in parameters:
        seed = parameters["seed"]
        if not _is_int(seed) or not 0 <= seed <= 4_294_967_295:
            raise RefusedError("seed must be an integer from 0 to 4294967295.")
    for name in ("generateAudio", "enhancePrompt", "addWatermark", "includeRaiReason"):
        if name in parameters and not isinstance(parameters[name], bool):
            raise RefusedError(f"The value type for {name} needs to be a boolean.")
    if "generateAudio" in parameters and not veo.audio:
        raise _unsupported("generateAudio")
    aspect = parameters.get("aspectRatio")
    if "aspectRatio" in parameters and aspect not in ASPECT_RATIOS:
        raise RefusedError(f"Unsupported aspect ratio {aspect!r}; use 16:9 or 9:16.")
    resolution = parameters.get("resolution")
    if "resolution" in parameters:
        if not veo.resolutions:
            raise _unsupported("resolution")
        if resolution not in veo.resolutions:
            raise RefusedError(f"Unsupported resolution {resolution!r}.")
    person = parameters.get("personGeneration")
    if "personGeneration" in parameters and person not in PERSON_GENERATION:
        raise RefusedError(f"Unsupported personGeneration {person!r}.")
    storage = parameters.get("storageUri")
    if "storageUri" in parameters and not (
        isinstance(storage, str) and storage.startswith("gs://")
    ):
        raise RefusedError("storageUri must be a gs:// URI.")
    if api == "gemini" and veo.references:  # documented for Veo 3.1 on the Gemini API
        if resolution in ("1080p", "4k") and seconds not in (None, 8):
            raise RefusedError(f"{resolution} videos must be 8 seconds long.")
        if "referenceImages" in instance and (
            seconds not in (None, 8) or aspect not in (None, "16:9")
        ):
            raise RefusedError("Reference images need an 8-second 16:9 video.")


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)
