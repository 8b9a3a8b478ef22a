"""Which concrete model id stands for each registered model family in the first-call
test (tests/conformance/test_first_call.py), and every family it treats differently.

A family is a model-id prefix in a provider's field-mapper tables. Where the prefix is
itself an id the provider (and its strict emulator) serves, the test uses it as is;
otherwise ``MODEL_FOR`` names a real id the emulator's schemas hold that the prefix
lookup maps to that family. The tables are written out, not worked out at run time: a
new family must be given an id (or an excuse) by hand, and the test says which.

Each exception below is checked by the test (the reason given must still hold), so
none can outlive the fact it states.
"""

from __future__ import annotations

Family = tuple[str, str]
"""(provider, family prefix) as registered with register_provider_field_mapping."""

MODEL_FOR: dict[Family, str] = {
    # fal: version or vendor prefixes that are not endpoint ids; each value is an
    # endpoint in tests/emulators/fal_schemas.py SCHEMAS (fal's own endpoint names).
    ("fal", "alibaba/happy-horse/"): "alibaba/happy-horse/text-to-video",
    ("fal", "bytedance/seedance-2.0"): "bytedance/seedance-2.0/text-to-video",
    ("fal", "bytedance/seedance-2.0/fast"): "bytedance/seedance-2.0/fast/text-to-video",
    ("fal", "fal-ai/bytedance/seedance"): "fal-ai/bytedance/seedance/v1/pro/text-to-video",
    ("fal", "fal-ai/bytedance/seedance/v1.5/pro"): (
        "fal-ai/bytedance/seedance/v1.5/pro/text-to-video"
    ),
    ("fal", "fal-ai/kling-video"): "fal-ai/kling-video/v1.6/pro/text-to-video",
    ("fal", "fal-ai/kling-video/o3"): "fal-ai/kling-video/o3/pro/text-to-video",
    ("fal", "fal-ai/kling-video/v2.5-turbo"): "fal-ai/kling-video/v2.5-turbo/pro/text-to-video",
    ("fal", "fal-ai/kling-video/v2.6"): "fal-ai/kling-video/v2.6/pro/text-to-video",
    ("fal", "fal-ai/kling-video/v3"): "fal-ai/kling-video/v3/pro/text-to-video",
    ("fal", "fal-ai/ltx-2/"): "fal-ai/ltx-2/text-to-video",
    ("fal", "fal-ai/minimax"): "fal-ai/minimax/video-01",
    ("fal", "fal-ai/minimax/hailuo-02/pro"): "fal-ai/minimax/hailuo-02/pro/text-to-video",
    ("fal", "fal-ai/minimax/hailuo-02/standard"): (
        "fal-ai/minimax/hailuo-02/standard/text-to-video"
    ),
    ("fal", "fal-ai/minimax/hailuo-2.3/pro"): "fal-ai/minimax/hailuo-2.3/pro/text-to-video",
    ("fal", "fal-ai/minimax/hailuo-2.3/standard"): (
        "fal-ai/minimax/hailuo-2.3/standard/text-to-video"
    ),
    ("fal", "fal-ai/sora-2"): "fal-ai/sora-2/text-to-video",
    ("fal", "fal-ai/wan-25-preview/"): "fal-ai/wan-25-preview/text-to-video",
    ("fal", "fal-ai/wan/v2.2-14b/animate/"): "fal-ai/wan/v2.2-14b/animate/move",
    ("fal", "fal-ai/wan/v2.2-a14b/"): "fal-ai/wan/v2.2-a14b/text-to-video",
    ("fal", "wan/v2.6/"): "wan/v2.6/text-to-video",
    # fal, no schema transcribed in the emulator (see FAL_UNCHECKED): fal's text endpoint
    # of the version (fal.ai/models/fal-ai/ltx-2.3/text-to-video).
    ("fal", "fal-ai/ltx-2.3/"): "fal-ai/ltx-2.3/text-to-video",
    # replicate: "minimax/" catches MiniMax's older models; video-01 is one of them
    # (replicate.com/minimax/video-01). luma/ray-2 and luma/ray-flash-2 are families of
    # the 540p models (the 720p ones have their own); replicate.com/luma/ray-2-540p.
    ("replicate", "minimax/"): "minimax/video-01",
    ("replicate", "luma/ray-2"): "luma/ray-2-540p",
    ("replicate", "luma/ray-flash-2"): "luma/ray-flash-2-540p",
    # replicate: Kling models other than the versions with their own family; v1.6
    # standard is one (replicate.com/kwaivgi/kling-v1.6-standard), not in the emulator's
    # schemas, so it takes any input there (REPLICATE_UNCHECKED).
    ("replicate", "kwaivgi/kling"): "kwaivgi/kling-v1.6-standard",
}

GOOGLE_MODELS: dict[str, dict[str, str]] = {
    # Veo ids as each API publishes them (ai.google.dev/gemini-api/docs/video "Model
    # versions"; cloud.google.com/vertex-ai/generative-ai/docs/models/veo): the Gemini API
    # serves 3.1 as -preview ids, Vertex AI as -001.
    "gemini": {
        "veo-2.0": "veo-2.0-generate-001",
        "veo-3.0": "veo-3.0-generate-001",
        "veo-3.0-fast": "veo-3.0-fast-generate-001",
        "veo-3.1": "veo-3.1-generate-preview",
        "veo-3.1-fast": "veo-3.1-fast-generate-preview",
        "veo-3.1-lite": "veo-3.1-lite-generate-preview",
    },
    "vertex": {
        "veo-2.0": "veo-2.0-generate-001",
        "veo-3.0": "veo-3.0-generate-001",
        "veo-3.0-fast": "veo-3.0-fast-generate-001",
        "veo-3.1": "veo-3.1-generate-001",
        "veo-3.1-fast": "veo-3.1-fast-generate-001",
        "veo-3.1-lite": "veo-3.1-lite-generate-001",
    },
}

NOT_A_CREATE: dict[Family, str] = {
    ("fal", "fal-ai/sora-2/video-to-video/remix"): (
        "a remix of an earlier Sora job (remix_video, POST /v1/videos/{id}/remix); fal "
        "requires the source's video_id, which a create has no field for"
    ),
    ("luma", "photon"): "an image model (POST /generations/image), never a video create",
    ("luma", "photon-1"): "an image model (POST /generations/image), never a video create",
    ("luma", "photon-flash-1"): ("an image model (POST /generations/image), never a video create"),
}
"""Families a video create never uses; the test checks each reason."""

NO_SERVED_MODEL: dict[Family, str] = {
    ("fal", ""): "the catch-all for endpoints newer than the tables",
    ("luma", ""): "the catch-all for models newer than lumaai 1.21 (ray-2, ray-flash-2)",
    ("google", ""): "the catch-all for Veo ids newer than the tables",
    ("openai", ""): "the catch-all for models newer than sora-2 and sora-2-pro",
    ("azure", ""): "the catch-all for deployments of an unnamed family",
    ("replicate", ""): "the catch-all for community models",
    ("minimax", ""): "the catch-all for models newer than the tables",
    ("fal", "fal-ai/kling-video/o1"): (
        "Kling O1's other endpoints (video-to-video edit/reference) take a source video "
        "and are not in the emulator; its image and reference endpoints have families"
    ),
    ("fal", "fal-ai/pixverse/v5/"): (
        "PixVerse v5's other endpoints (effects, extend, lipsync) take inputs the unified "
        "request has no field for; text, image and transition have their own families"
    ),
    ("fal", "fal-ai/pixverse/v5.5/"): (
        "PixVerse v5.5's other endpoints (effects, extend, lipsync); see v5"
    ),
    ("fal", "fal-ai/pixverse/v5.6/"): (
        "PixVerse v5.6's other endpoints (effects, extend, lipsync); see v5"
    ),
}
"""Families no model id the emulator serves falls into, so a first call cannot be made
against it: the test checks that every id the emulator knows maps to another family."""

FAL_UNCHECKED: frozenset[str] = frozenset(
    {
        # Real fal endpoint ids with no input schema transcribed in
        # tests/emulators/fal_schemas.py yet: the emulator serves them with the schema
        # check off (open_endpoints), so only the adapter's side (defaults filled, the
        # duration encoded as the table says, a job created and fetched) is shown.
        "alibaba/happy-horse/image-to-video",
        "bytedance/seedance-2.0/fast/image-to-video",
        "bytedance/seedance-2.0/fast/reference-to-video",
        "bytedance/seedance-2.0/image-to-video",
        "bytedance/seedance-2.0/reference-to-video",
        "fal-ai/bytedance/seedance/v1/pro/fast/image-to-video",
        "fal-ai/bytedance/seedance/v1/pro/image-to-video",
        "fal-ai/kling-video/o1/pro/image-to-video",
        "fal-ai/kling-video/o1/pro/reference-to-video",
        "fal-ai/kling-video/o1/standard/image-to-video",
        "fal-ai/kling-video/v1.5/pro/image-to-video",
        "fal-ai/kling-video/v1.6/pro/image-to-video",
        "fal-ai/kling-video/v1/pro/image-to-video",
        "fal-ai/kling-video/v1/standard/image-to-video",
        "fal-ai/kling-video/v2.1/master/image-to-video",
        "fal-ai/kling-video/v2.1/standard/image-to-video",
        "fal-ai/kling-video/v2.6/standard/image-to-video",
        "fal-ai/kling-video/v3/standard/image-to-video",
        "fal-ai/ltx-2.3/text-to-video",
        "fal-ai/ltx-2.3/image-to-video",
        "fal-ai/ltx-2.3/image-to-video/fast",
        "fal-ai/ltx-2.3/text-to-video/fast",
        "fal-ai/minimax/hailuo-02/pro/image-to-video",
        "fal-ai/minimax/hailuo-2.3-fast/pro/image-to-video",
        "fal-ai/minimax/hailuo-2.3-fast/standard/image-to-video",
        "fal-ai/minimax/hailuo-2.3/pro/image-to-video",
        "fal-ai/minimax/video-01/image-to-video",
        "fal-ai/wan/v2.2-a14b/video-to-video",
    }
)

REPLICATE_UNCHECKED: frozenset[str] = frozenset(
    {
        # Not in the emulator's SCHEMAS, so it takes any input (as it does for any
        # community model); only the adapter's side is shown.
        "kwaivgi/kling-v1.6-standard",
    }
)

MORE_THAN_A_PROMPT: dict[Family, tuple[str, str]] = {
    # Families whose capability table lets a create through with only a prompt (plus
    # the first frame or video _only_a_prompt adds) that the provider then refuses: the
    # table cannot say "requires a last frame / a reference image / a video". The test
    # sends what the endpoint needs (the first value) and separately shows the bare
    # request is refused (the second value names where). Each is a table gap.
    ("fal", "fal-ai/veo3.1/first-last-frame-to-video"): ("last_frame", "fal 422 last_frame_url"),
    ("fal", "fal-ai/veo3.1/fast/first-last-frame-to-video"): (
        "last_frame",
        "fal 422 last_frame_url",
    ),
    ("fal", "fal-ai/veo3.1/lite/first-last-frame-to-video"): (
        "last_frame",
        "fal 422 last_frame_url",
    ),
    ("fal", "fal-ai/kling-video/o3/pro/reference-to-video"): ("reference", "fal 422 image_urls"),
    ("fal", "fal-ai/kling-video/o3/standard/reference-to-video"): (
        "reference",
        "fal 422 image_urls",
    ),
    ("fal", "fal-ai/veo3.1/extend-video"): ("video", "adapter 400 requires video"),
    ("fal", "fal-ai/veo3.1/fast/extend-video"): ("video", "adapter 400 requires video"),
    ("fal", "wan/v2.6/reference-to-video"): ("video", "adapter 400 requires video"),
    ("fal", "fal-ai/pixverse/swap"): ("video", "adapter 400 requires video"),
    ("fal", "fal-ai/wan/v2.2-14b/animate/"): ("video", "adapter 400 requires video"),
    ("fal", "fal-ai/wan/v2.2-a14b/video-to-video"): ("video", "adapter 400 requires video"),
}

_FIXED_6 = "MiniMax makes 6 s here; the endpoint's input has no duration field"
NO_DURATION_FIELD: dict[Family, str] = {
    ("fal", "fal-ai/minimax"): _FIXED_6,
    ("fal", "fal-ai/minimax/video-01/image-to-video"): _FIXED_6,
    ("fal", "fal-ai/minimax/video-01-live/image-to-video"): _FIXED_6,
    ("fal", "fal-ai/minimax/video-01-director/image-to-video"): _FIXED_6,
    ("fal", "fal-ai/minimax/hailuo-02/pro"): _FIXED_6 + " (pro: 1080p, 6 s)",
    ("fal", "fal-ai/minimax/hailuo-02/pro/image-to-video"): _FIXED_6 + " (pro: 1080p, 6 s)",
    ("fal", "fal-ai/minimax/hailuo-2.3/pro"): _FIXED_6 + " (pro: 1080p, 6 s)",
    ("fal", "fal-ai/minimax/hailuo-2.3/pro/image-to-video"): _FIXED_6 + " (pro: 1080p, 6 s)",
    ("fal", "fal-ai/minimax/hailuo-2.3-fast/pro/image-to-video"): (_FIXED_6 + " (pro: 1080p, 6 s)"),
    ("replicate", "minimax/"): _FIXED_6 + " (replicate.com/minimax/video-01)",
    ("replicate", "minimax/video-01-live"): _FIXED_6 + " (replicate.com/minimax/video-01-live)",
    ("replicate", "luma/ray"): (
        "Ray 1 makes 5 s; replicate.com/luma/ray has no duration input (Ray 2 has)"
    ),
}
"""Families with a default duration whose endpoint takes no duration (the model's length
is fixed, and the default only prices it): nothing is sent, and the test checks that the
emulator's schema has no duration field and that nothing duration-like was sent."""

_RUNWAY_OPTIONAL = (
    "Runway publishes no default length for this model: runwayml 5.24 types its duration "
    "as optional, so the adapter leaves it out and Runway picks"
)
_FOLLOWS_INPUT = "the output is as long as the input video; the endpoint takes no duration"
NO_DEFAULT_DURATION: dict[Family, str] = {
    **{
        ("runway", model): _RUNWAY_OPTIONAL
        for model in (
            "grok_imagine_1_5",
            "grok_imagine_1_5_lite",
            "h3_max",
            "hailuo3",
            "kling3.0_4k",
            "kling3.0_pro",
            "kling3.0_standard",
            "klingO3_4k",
            "klingO3_pro",
            "klingO3_standard",
            "kling_4",
            "wan3",
            "wan3_prime",
        )
    },
    ("fal", "fal-ai/pixverse/swap"): _FOLLOWS_INPUT,
    ("fal", "fal-ai/wan/v2.2-14b/animate/"): _FOLLOWS_INPUT,
}
"""Families with no default duration: nothing is sent, and the test checks that the
emulator's schema lets the duration be left out."""
