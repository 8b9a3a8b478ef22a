"""Published input schemas of the fal endpoints the fal emulator serves.

Two sources, both stored copies (no network here), read 2026-12-03:

- GENERATED: fal's per-endpoint OpenAPI (``fal.ai/api/openapi/queue/openapi.json?
  endpoint_id=...``) as code-generated into nodetool-ai/nodetool-fal at commit ee050900
  (2026-03-19), ``src/nodetool/nodes/fal/{text,image,video}_to_video.py``: field names
  are the wire names of each node's ``arguments`` dict, enums its Enum classes. That
  generator does not keep "required", so required fields follow fal's model pages
  (the prompt; the input image of an image-to-video endpoint; the video of an extend,
  swap or animate endpoint). It also drops ``safety_tolerance`` from Veo 3.1, which
  fal's pages list ("1".."6"), so it is added back.
- DOCUMENTED: endpoints that generator did not have, from fal's model pages
  (``fal.ai/models/<id>/llms.txt``, ``fal.ai/docs/model-api-reference/...``); each
  entry names its page.

What fal does with a field its schema lacks is not documented; fal's apps are pydantic
models, which by default ignore extras. The emulator refuses them anyway, as the
issue asks: a field the adapter sends that the endpoint does not list is a mapping bug,
whether fal would drop it silently or refuse it.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any, Literal

Kind = Literal["str", "bool", "int", "number", "url", "urls", "list", "enum"]


@dataclass(frozen=True)
class Spec:
    """One input field: its JSON kind, allowed values for enums, whether it is required."""

    kind: Kind
    values: tuple[Any, ...] = ()
    required: bool = False


STR = Spec("str")
BOOL = Spec("bool")
INT = Spec("int")
NUMBER = Spec("number")
URL = Spec("url")
"""An http(s) URL or a ``data:`` URI: fal's pages accept both for file inputs."""
URLS = Spec("urls")
LIST = Spec("list")


def enum(*values: Any) -> Spec:
    """A closed set; the JSON type counts (``"8"`` is not ``8``)."""
    return Spec("enum", values)


def required(spec: Spec) -> Spec:
    return replace(spec, required=True)


SAFETY = enum("1", "2", "3", "4", "5", "6")
Schema = dict[str, Spec]

GENERATED: dict[str, Schema] = {
    "fal-ai/veo3.1": {
        "aspect_ratio": enum("16:9", "9:16"),
        "auto_fix": BOOL,
        "duration": enum("4s", "6s", "8s"),
        "generate_audio": BOOL,
        "negative_prompt": STR,
        "prompt": required(STR),
        "resolution": enum("720p", "1080p", "4k"),
        "safety_tolerance": SAFETY,
        "seed": INT,
    },
    "fal-ai/veo3.1/fast": {
        "aspect_ratio": enum("16:9", "9:16"),
        "auto_fix": BOOL,
        "duration": enum("4s", "6s", "8s"),
        "generate_audio": BOOL,
        "negative_prompt": STR,
        "prompt": required(STR),
        "resolution": enum("720p", "1080p", "4k"),
        "safety_tolerance": SAFETY,
        "seed": INT,
    },
    "fal-ai/veo3.1/image-to-video": {
        "aspect_ratio": enum("auto", "16:9", "9:16"),
        "auto_fix": BOOL,
        "duration": enum("4s", "6s", "8s"),
        "generate_audio": BOOL,
        "image_url": required(URL),
        "negative_prompt": STR,
        "prompt": required(STR),
        "resolution": enum("720p", "1080p", "4k"),
        "safety_tolerance": SAFETY,
        "seed": INT,
    },
    "fal-ai/veo3.1/fast/image-to-video": {
        "aspect_ratio": enum("auto", "16:9", "9:16"),
        "auto_fix": BOOL,
        "duration": enum("4s", "6s", "8s"),
        "generate_audio": BOOL,
        "image_url": required(URL),
        "negative_prompt": STR,
        "prompt": required(STR),
        "resolution": enum("720p", "1080p", "4k"),
        "safety_tolerance": SAFETY,
        "seed": INT,
    },
    "fal-ai/veo3.1/first-last-frame-to-video": {
        "aspect_ratio": enum("auto", "16:9", "9:16"),
        "auto_fix": BOOL,
        "duration": enum("4s", "6s", "8s"),
        "first_frame_url": required(URL),
        "generate_audio": BOOL,
        "last_frame_url": required(URL),
        "negative_prompt": STR,
        "prompt": required(STR),
        "resolution": enum("720p", "1080p", "4k"),
        "safety_tolerance": SAFETY,
        "seed": INT,
    },
    "fal-ai/veo3.1/fast/first-last-frame-to-video": {
        "aspect_ratio": enum("auto", "16:9", "9:16"),
        "auto_fix": BOOL,
        "duration": enum("4s", "6s", "8s"),
        "first_frame_url": required(URL),
        "generate_audio": BOOL,
        "last_frame_url": required(URL),
        "negative_prompt": STR,
        "prompt": required(STR),
        "resolution": enum("720p", "1080p", "4k"),
        "safety_tolerance": SAFETY,
        "seed": INT,
    },
    "fal-ai/veo3.1/reference-to-video": {
        "aspect_ratio": enum("16:9", "9:16"),
        "auto_fix": BOOL,
        "duration": enum("8s"),
        "generate_audio": BOOL,
        "image_urls": required(URLS),
        "prompt": required(STR),
        "resolution": enum("720p", "1080p", "4k"),
        "safety_tolerance": SAFETY,
    },
    "fal-ai/veo3.1/extend-video": {
        "aspect_ratio": enum("auto", "16:9", "9:16"),
        "auto_fix": BOOL,
        "duration": enum("7s"),
        "generate_audio": BOOL,
        "negative_prompt": STR,
        "prompt": required(STR),
        "resolution": enum("720p"),
        "seed": INT,
        "video_url": required(URL),
    },
    "fal-ai/veo3.1/fast/extend-video": {
        "aspect_ratio": enum("auto", "16:9", "9:16"),
        "auto_fix": BOOL,
        "duration": enum("7s"),
        "generate_audio": BOOL,
        "negative_prompt": STR,
        "prompt": required(STR),
        "resolution": enum("720p"),
        "seed": INT,
        "video_url": required(URL),
    },
    "fal-ai/veo3/image-to-video": {
        "aspect_ratio": enum("auto", "16:9", "9:16"),
        "auto_fix": BOOL,
        "duration": enum("4s", "6s", "8s"),
        "generate_audio": BOOL,
        "image_url": required(URL),
        "prompt": required(STR),
        "resolution": enum("720p", "1080p"),
    },
    "fal-ai/veo3/fast/image-to-video": {
        "aspect_ratio": enum("auto", "16:9", "9:16"),
        "auto_fix": BOOL,
        "duration": enum("4s", "6s", "8s"),
        "generate_audio": BOOL,
        "image_url": required(URL),
        "prompt": required(STR),
        "resolution": enum("720p", "1080p"),
    },
    "fal-ai/sora-2/video-to-video/remix": {
        "delete_video": BOOL,
        "prompt": required(STR),
        "video_id": required(STR),
    },
    "wan/v2.6/text-to-video": {
        "aspect_ratio": enum("16:9", "9:16", "1:1", "4:3", "3:4"),
        "audio_url": URL,
        "duration": enum("5", "10", "15"),
        "enable_prompt_expansion": BOOL,
        "enable_safety_checker": BOOL,
        "multi_shots": BOOL,
        "negative_prompt": STR,
        "prompt": required(STR),
        "resolution": enum("720p", "1080p"),
        "seed": INT,
    },
    "wan/v2.6/image-to-video": {
        "audio_url": URL,
        "duration": enum("5", "10", "15"),
        "enable_prompt_expansion": BOOL,
        "enable_safety_checker": BOOL,
        "image_url": required(URL),
        "multi_shots": BOOL,
        "negative_prompt": STR,
        "prompt": required(STR),
        "resolution": enum("720p", "1080p"),
        "seed": INT,
    },
    "wan/v2.6/reference-to-video": {
        "aspect_ratio": enum("16:9", "9:16", "1:1", "4:3", "3:4"),
        "duration": enum("5", "10"),
        "enable_prompt_expansion": BOOL,
        "enable_safety_checker": BOOL,
        "multi_shots": BOOL,
        "negative_prompt": STR,
        "prompt": required(STR),
        "resolution": enum("720p", "1080p"),
        "seed": INT,
        "video_urls": required(URLS),
    },
    "fal-ai/wan/v2.2-a14b/text-to-video": {
        "acceleration": enum("none", "regular"),
        "adjust_fps_for_interpolation": BOOL,
        "aspect_ratio": enum("16:9", "9:16", "1:1"),
        "enable_output_safety_checker": BOOL,
        "enable_prompt_expansion": BOOL,
        "enable_safety_checker": BOOL,
        "frames_per_second": INT,
        "guidance_scale": NUMBER,
        "guidance_scale_2": NUMBER,
        "interpolator_model": enum("none", "film", "rife"),
        "negative_prompt": STR,
        "num_frames": INT,
        "num_inference_steps": INT,
        "num_interpolated_frames": INT,
        "prompt": required(STR),
        "resolution": enum("480p", "580p", "720p"),
        "seed": INT,
        "shift": NUMBER,
        "video_quality": enum("low", "medium", "high", "maximum"),
        "video_write_mode": enum("fast", "balanced", "small"),
    },
    "fal-ai/wan/v2.2-a14b/image-to-video": {
        "acceleration": enum("none", "regular"),
        "adjust_fps_for_interpolation": BOOL,
        "aspect_ratio": enum("auto", "16:9", "9:16", "1:1"),
        "enable_output_safety_checker": BOOL,
        "enable_prompt_expansion": BOOL,
        "enable_safety_checker": BOOL,
        "end_image_url": URL,
        "frames_per_second": INT,
        "guidance_scale": NUMBER,
        "guidance_scale_2": NUMBER,
        "image_url": required(URL),
        "interpolator_model": enum("none", "film", "rife"),
        "negative_prompt": STR,
        "num_frames": INT,
        "num_inference_steps": INT,
        "num_interpolated_frames": INT,
        "prompt": required(STR),
        "resolution": enum("480p", "580p", "720p"),
        "seed": INT,
        "shift": NUMBER,
        "video_quality": enum("low", "medium", "high", "maximum"),
        "video_write_mode": enum("fast", "balanced", "small"),
    },
    "fal-ai/wan-25-preview/text-to-video": {
        "aspect_ratio": enum("16:9", "9:16", "1:1"),
        "audio_url": URL,
        "duration": enum("5", "10"),
        "enable_prompt_expansion": BOOL,
        "enable_safety_checker": BOOL,
        "negative_prompt": STR,
        "prompt": required(STR),
        "resolution": enum("480p", "720p", "1080p"),
        "seed": INT,
    },
    "fal-ai/wan/v2.2-14b/animate/move": {
        "enable_output_safety_checker": BOOL,
        "enable_safety_checker": BOOL,
        "guidance_scale": NUMBER,
        "image_url": required(URL),
        "num_inference_steps": INT,
        "resolution": enum("480p", "580p", "720p"),
        "return_frames_zip": BOOL,
        "seed": INT,
        "shift": NUMBER,
        "use_turbo": BOOL,
        "video_quality": enum("low", "medium", "high", "maximum"),
        "video_url": required(URL),
        "video_write_mode": enum("fast", "balanced", "small"),
    },
    "fal-ai/wan/v2.2-14b/animate/replace": {
        "enable_output_safety_checker": BOOL,
        "enable_safety_checker": BOOL,
        "guidance_scale": NUMBER,
        "image_url": required(URL),
        "num_inference_steps": INT,
        "resolution": enum("480p", "580p", "720p"),
        "return_frames_zip": BOOL,
        "seed": INT,
        "shift": NUMBER,
        "use_turbo": BOOL,
        "video_quality": enum("low", "medium", "high", "maximum"),
        "video_url": required(URL),
        "video_write_mode": enum("fast", "balanced", "small"),
    },
    "fal-ai/pixverse/v5/text-to-video": {
        "aspect_ratio": enum("16:9", "4:3", "1:1", "3:4", "9:16"),
        "duration": enum("5", "8"),
        "negative_prompt": STR,
        "prompt": required(STR),
        "resolution": enum("360p", "540p", "720p", "1080p"),
        "seed": INT,
        "style": enum("anime", "3d_animation", "clay", "comic", "cyberpunk"),
    },
    "fal-ai/pixverse/v5/image-to-video": {
        "duration": enum("5", "8"),
        "image_url": required(URL),
        "negative_prompt": STR,
        "prompt": required(STR),
        "resolution": enum("360p", "540p", "720p", "1080p"),
        "seed": INT,
        "style": enum("anime", "3d_animation", "clay", "comic", "cyberpunk"),
    },
    "fal-ai/pixverse/v5/transition": {
        "aspect_ratio": enum("16:9", "4:3", "1:1", "3:4", "9:16"),
        "duration": enum("5", "8"),
        "end_image_url": URL,
        "first_image_url": URL,
        "negative_prompt": STR,
        "prompt": required(STR),
        "resolution": enum("360p", "540p", "720p", "1080p"),
        "seed": INT,
        "style": enum("anime", "3d_animation", "clay", "comic", "cyberpunk"),
    },
    "fal-ai/pixverse/v5.5/text-to-video": {
        "aspect_ratio": enum("16:9", "4:3", "1:1", "3:4", "9:16"),
        "duration": enum("5", "8", "10"),
        "generate_audio_switch": BOOL,
        "generate_multi_clip_switch": BOOL,
        "negative_prompt": STR,
        "prompt": required(STR),
        "resolution": enum("360p", "540p", "720p", "1080p"),
        "seed": INT,
        "style": enum("anime", "3d_animation", "clay", "comic", "cyberpunk"),
        "thinking_type": enum("enabled", "disabled", "auto"),
    },
    "fal-ai/pixverse/v5.5/image-to-video": {
        "duration": enum("5", "8", "10"),
        "generate_audio_switch": BOOL,
        "generate_multi_clip_switch": BOOL,
        "image_url": required(URL),
        "negative_prompt": STR,
        "prompt": required(STR),
        "resolution": enum("360p", "540p", "720p", "1080p"),
        "seed": INT,
        "style": enum("anime", "3d_animation", "clay", "comic", "cyberpunk"),
        "thinking_type": enum("enabled", "disabled", "auto"),
    },
    "fal-ai/pixverse/v5.5/transition": {
        "aspect_ratio": enum("16:9", "4:3", "1:1", "3:4", "9:16"),
        "duration": enum("5", "8", "10"),
        "end_image_url": URL,
        "first_image_url": URL,
        "generate_audio_switch": BOOL,
        "negative_prompt": STR,
        "prompt": required(STR),
        "resolution": enum("360p", "540p", "720p", "1080p"),
        "seed": INT,
        "style": enum("anime", "3d_animation", "clay", "comic", "cyberpunk"),
        "thinking_type": enum("enabled", "disabled", "auto"),
    },
    "fal-ai/pixverse/v5.6/text-to-video": {
        "aspect_ratio": enum("16:9", "4:3", "1:1", "3:4", "9:16"),
        "duration": enum("5", "8", "10"),
        "generate_audio_switch": BOOL,
        "negative_prompt": STR,
        "prompt": required(STR),
        "resolution": enum("360p", "540p", "720p", "1080p"),
        "seed": INT,
        "style": enum("anime", "3d_animation", "clay", "comic", "cyberpunk"),
        "thinking_type": enum("enabled", "disabled", "auto"),
    },
    "fal-ai/pixverse/v5.6/image-to-video": {
        "duration": enum("5", "8", "10"),
        "generate_audio_switch": BOOL,
        "image_url": required(URL),
        "negative_prompt": STR,
        "prompt": required(STR),
        "resolution": enum("360p", "540p", "720p", "1080p"),
        "seed": INT,
        "style": enum("anime", "3d_animation", "clay", "comic", "cyberpunk"),
        "thinking_type": enum("enabled", "disabled", "auto"),
    },
    "fal-ai/pixverse/v5.6/transition": {
        "aspect_ratio": enum("16:9", "4:3", "1:1", "3:4", "9:16"),
        "duration": enum("5", "8", "10"),
        "end_image_url": URL,
        "first_image_url": URL,
        "generate_audio_switch": BOOL,
        "negative_prompt": STR,
        "prompt": required(STR),
        "resolution": enum("360p", "540p", "720p", "1080p"),
        "seed": INT,
        "style": enum("anime", "3d_animation", "clay", "comic", "cyberpunk"),
        "thinking_type": enum("enabled", "disabled", "auto"),
    },
    "fal-ai/pixverse/swap": {
        "image_url": required(URL),
        "keyframe_id": INT,
        "mode": enum("person", "object", "background"),
        "original_sound_switch": BOOL,
        "resolution": enum("360p", "540p", "720p"),
        "seed": INT,
        "video_url": required(URL),
    },
    "fal-ai/kling-video/v2.6/pro/text-to-video": {
        "aspect_ratio": enum("16:9", "9:16", "1:1"),
        "cfg_scale": NUMBER,
        "duration": enum("5", "10"),
        "generate_audio": BOOL,
        "negative_prompt": STR,
        "prompt": required(STR),
    },
    "fal-ai/kling-video/v2.6/pro/image-to-video": {
        "duration": enum("5", "10"),
        "end_image_url": URL,
        "generate_audio": BOOL,
        "negative_prompt": STR,
        "prompt": required(STR),
        "start_image_url": required(URL),
        "voice_ids": LIST,
    },
    "fal-ai/kling-video/v3/pro/text-to-video": {
        "aspect_ratio": enum("16:9", "9:16", "1:1"),
        "cfg_scale": NUMBER,
        "duration": enum("3", "4", "5", "6", "7", "8", "9", "10", "11", "12", "13", "14", "15"),
        "generate_audio": BOOL,
        "multi_prompt": LIST,
        "negative_prompt": STR,
        "prompt": required(STR),
        "shot_type": enum("customize", "intelligent"),
        "voice_ids": LIST,
    },
    "fal-ai/kling-video/v3/pro/image-to-video": {
        "aspect_ratio": enum("16:9", "9:16", "1:1"),
        "cfg_scale": NUMBER,
        "duration": enum("3", "4", "5", "6", "7", "8", "9", "10", "11", "12", "13", "14", "15"),
        "elements": LIST,
        "end_image_url": URL,
        "generate_audio": BOOL,
        "multi_prompt": LIST,
        "negative_prompt": STR,
        "prompt": required(STR),
        "shot_type": enum("customize"),
        "start_image_url": required(URL),
        "voice_ids": LIST,
    },
    "fal-ai/kling-video/o1/image-to-video": {
        "duration": enum("3", "4", "5", "6", "7", "8", "9", "10"),
        "end_image_url": URL,
        "prompt": required(STR),
        "start_image_url": required(URL),
    },
    "fal-ai/kling-video/o1/reference-to-video": {
        "aspect_ratio": enum("16:9", "9:16", "1:1"),
        "duration": enum("3", "4", "5", "6", "7", "8", "9", "10"),
        "elements": LIST,
        "image_urls": required(URLS),
        "prompt": required(STR),
    },
    "fal-ai/kling-video/o1/standard/reference-to-video": {
        "aspect_ratio": enum("16:9", "9:16", "1:1"),
        "duration": enum("3", "4", "5", "6", "7", "8", "9", "10"),
        "elements": LIST,
        "image_urls": required(URLS),
        "prompt": required(STR),
    },
    "fal-ai/kling-video/o3/pro/reference-to-video": {
        "aspect_ratio": enum("16:9", "9:16", "1:1"),
        "duration": enum("3", "4", "5", "6", "7", "8", "9", "10", "11", "12", "13", "14", "15"),
        "elements": LIST,
        "end_image_url": URL,
        "generate_audio": BOOL,
        "image_urls": required(URLS),
        "multi_prompt": LIST,
        "prompt": required(STR),
        "shot_type": enum("customize"),
        "start_image_url": URL,
    },
    "fal-ai/kling-video/v1.6/standard/text-to-video": {
        "aspect_ratio": enum("16:9", "9:16", "1:1"),
        "cfg_scale": NUMBER,
        "duration": enum("5", "10"),
        "negative_prompt": STR,
        "prompt": required(STR),
    },
    "fal-ai/kling-video/v2.1/pro/image-to-video": {
        "cfg_scale": NUMBER,
        "duration": enum("5", "10"),
        "image_url": required(URL),
        "negative_prompt": STR,
        "prompt": required(STR),
        "tail_image_url": URL,
    },
    "fal-ai/kling-video/v2.5-turbo/standard/image-to-video": {
        "cfg_scale": NUMBER,
        "duration": enum("5", "10"),
        "image_url": required(URL),
        "negative_prompt": STR,
        "prompt": required(STR),
    },
    "fal-ai/minimax/video-01": {
        "prompt": required(STR),
        "prompt_optimizer": BOOL,
    },
    "fal-ai/minimax/hailuo-2.3/pro/text-to-video": {
        "prompt": required(STR),
        "prompt_optimizer": BOOL,
    },
    "fal-ai/minimax/hailuo-02/pro/text-to-video": {
        "prompt": required(STR),
        "prompt_optimizer": BOOL,
    },
    "fal-ai/minimax/hailuo-2.3/standard/text-to-video": {
        "duration": enum("6", "10"),
        "prompt": required(STR),
        "prompt_optimizer": BOOL,
    },
    "fal-ai/minimax/hailuo-2.3/standard/image-to-video": {
        "duration": enum("6", "10"),
        "image_url": required(URL),
        "prompt": required(STR),
        "prompt_optimizer": BOOL,
    },
    "fal-ai/minimax/hailuo-02-fast/image-to-video": {
        "duration": enum("6", "10"),
        "image_url": required(URL),
        "prompt": required(STR),
        "prompt_optimizer": BOOL,
    },
    "fal-ai/bytedance/seedance/v1/pro/text-to-video": {
        "aspect_ratio": enum("21:9", "16:9", "4:3", "1:1", "3:4", "9:16"),
        "camera_fixed": BOOL,
        "duration": enum("2", "3", "4", "5", "6", "7", "8", "9", "10", "11", "12"),
        "enable_safety_checker": BOOL,
        "prompt": required(STR),
        "resolution": enum("480p", "720p", "1080p"),
        "seed": INT,
    },
    "fal-ai/bytedance/seedance/v1/pro/fast/text-to-video": {
        "aspect_ratio": enum("21:9", "16:9", "4:3", "1:1", "3:4", "9:16"),
        "camera_fixed": BOOL,
        "duration": enum("2", "3", "4", "5", "6", "7", "8", "9", "10", "11", "12"),
        "enable_safety_checker": BOOL,
        "prompt": required(STR),
        "resolution": enum("480p", "720p", "1080p"),
        "seed": INT,
    },
    "fal-ai/bytedance/seedance/v1/lite/text-to-video": {
        "aspect_ratio": enum("21:9", "16:9", "4:3", "1:1", "3:4", "9:16", "9:21"),
        "camera_fixed": BOOL,
        "duration": enum("2", "3", "4", "5", "6", "7", "8", "9", "10", "11", "12"),
        "enable_safety_checker": BOOL,
        "prompt": required(STR),
        "resolution": enum("480p", "720p", "1080p"),
        "seed": INT,
    },
    "fal-ai/bytedance/seedance/v1/lite/image-to-video": {
        "aspect_ratio": enum("21:9", "16:9", "4:3", "1:1", "3:4", "9:16", "auto"),
        "camera_fixed": BOOL,
        "duration": enum("2", "3", "4", "5", "6", "7", "8", "9", "10", "11", "12"),
        "enable_safety_checker": BOOL,
        "end_image_url": URL,
        "image_url": required(URL),
        "prompt": required(STR),
        "resolution": enum("480p", "720p", "1080p"),
        "seed": INT,
    },
    "fal-ai/bytedance/seedance/v1/lite/reference-to-video": {
        "aspect_ratio": enum("21:9", "16:9", "4:3", "1:1", "3:4", "9:16", "auto"),
        "camera_fixed": BOOL,
        "duration": enum("2", "3", "4", "5", "6", "7", "8", "9", "10", "11", "12"),
        "enable_safety_checker": BOOL,
        "prompt": required(STR),
        "reference_image_urls": required(URLS),
        "resolution": enum("480p", "720p"),
        "seed": INT,
    },
    "fal-ai/bytedance/seedance/v1.5/pro/text-to-video": {
        "aspect_ratio": enum("21:9", "16:9", "4:3", "1:1", "3:4", "9:16"),
        "camera_fixed": BOOL,
        "duration": enum("4", "5", "6", "7", "8", "9", "10", "11", "12"),
        "enable_safety_checker": BOOL,
        "generate_audio": BOOL,
        "prompt": required(STR),
        "resolution": enum("480p", "720p", "1080p"),
        "seed": INT,
    },
    "fal-ai/bytedance/seedance/v1.5/pro/image-to-video": {
        "aspect_ratio": enum("21:9", "16:9", "4:3", "1:1", "3:4", "9:16"),
        "camera_fixed": BOOL,
        "duration": enum("4", "5", "6", "7", "8", "9", "10", "11", "12"),
        "enable_safety_checker": BOOL,
        "end_image_url": URL,
        "generate_audio": BOOL,
        "image_url": required(URL),
        "prompt": required(STR),
        "resolution": enum("480p", "720p", "1080p"),
        "seed": INT,
    },
    "fal-ai/luma-dream-machine/ray-2": {
        "aspect_ratio": enum("16:9", "9:16", "4:3", "3:4", "21:9", "9:21"),
        "duration": enum("5s", "9s"),
        "loop": BOOL,
        "prompt": required(STR),
        "resolution": enum("540p", "720p", "1080p"),
    },
    "fal-ai/luma-dream-machine/ray-2/image-to-video": {
        "aspect_ratio": enum("16:9", "9:16", "4:3", "3:4", "21:9", "9:21"),
        "duration": enum("5s", "9s"),
        "end_image_url": URL,
        "image_url": URL,
        "loop": BOOL,
        "prompt": required(STR),
        "resolution": enum("540p", "720p", "1080p"),
    },
    "fal-ai/luma-dream-machine/ray-2-flash": {
        "aspect_ratio": enum("16:9", "9:16", "4:3", "3:4", "21:9", "9:21"),
        "duration": enum("5s", "9s"),
        "loop": BOOL,
        "prompt": required(STR),
        "resolution": enum("540p", "720p", "1080p"),
    },
    "fal-ai/luma-dream-machine/ray-2-flash/image-to-video": {
        "aspect_ratio": enum("16:9", "9:16", "4:3", "3:4", "21:9", "9:21"),
        "duration": enum("5s", "9s"),
        "end_image_url": URL,
        "image_url": URL,
        "loop": BOOL,
        "prompt": required(STR),
        "resolution": enum("540p", "720p", "1080p"),
    },
    "fal-ai/kling-video/o3/pro/text-to-video": {
        "aspect_ratio": enum("16:9", "9:16", "1:1"),
        "duration": enum("3", "4", "5", "6", "7", "8", "9", "10", "11", "12", "13", "14", "15"),
        "generate_audio": BOOL,
        "multi_prompt": LIST,
        "prompt": required(STR),
        "shot_type": enum("customize"),
        "voice_ids": LIST,
    },
    "fal-ai/kling-video/o3/standard/text-to-video": {
        "aspect_ratio": enum("16:9", "9:16", "1:1"),
        "duration": enum("3", "4", "5", "6", "7", "8", "9", "10", "11", "12", "13", "14", "15"),
        "generate_audio": BOOL,
        "multi_prompt": LIST,
        "prompt": required(STR),
        "shot_type": enum("customize"),
        "voice_ids": LIST,
    },
    "fal-ai/kling-video/o3/pro/image-to-video": {
        "duration": enum("3", "4", "5", "6", "7", "8", "9", "10", "11", "12", "13", "14", "15"),
        "end_image_url": URL,
        "generate_audio": BOOL,
        "image_url": required(URL),
        "multi_prompt": LIST,
        "prompt": required(STR),
        "shot_type": enum("customize"),
    },
    "fal-ai/kling-video/o3/standard/image-to-video": {
        "duration": enum("3", "4", "5", "6", "7", "8", "9", "10", "11", "12", "13", "14", "15"),
        "end_image_url": URL,
        "generate_audio": BOOL,
        "image_url": required(URL),
        "multi_prompt": LIST,
        "prompt": required(STR),
        "shot_type": enum("customize"),
    },
    "fal-ai/kling-video/o3/standard/reference-to-video": {
        "aspect_ratio": enum("16:9", "9:16", "1:1"),
        "duration": enum("3", "4", "5", "6", "7", "8", "9", "10", "11", "12", "13", "14", "15"),
        "elements": LIST,
        "end_image_url": URL,
        "generate_audio": BOOL,
        "image_urls": required(URLS),
        "multi_prompt": LIST,
        "prompt": required(STR),
        "shot_type": enum("customize"),
        "start_image_url": URL,
    },
    "fal-ai/minimax/video-01-live/image-to-video": {
        "image_url": required(URL),
        "prompt": required(STR),
        "prompt_optimizer": BOOL,
    },
    "fal-ai/minimax/video-01-director/image-to-video": {
        "image_url": required(URL),
        "prompt": required(STR),
        "prompt_optimizer": BOOL,
    },
    "fal-ai/minimax/video-01-live": {
        "prompt": required(STR),
        "prompt_optimizer": BOOL,
    },
    "fal-ai/kling-video/v1.6/pro/text-to-video": {
        "aspect_ratio": enum("16:9", "9:16", "1:1"),
        "cfg_scale": NUMBER,
        "duration": enum("5", "10"),
        "negative_prompt": STR,
        "prompt": required(STR),
    },
    "fal-ai/kling-video/v1.6/standard/image-to-video": {
        "cfg_scale": NUMBER,
        "duration": enum("5", "10"),
        "image_url": required(URL),
        "negative_prompt": STR,
        "prompt": required(STR),
    },
    "fal-ai/kling-video/v2.1/master/text-to-video": {
        "aspect_ratio": enum("16:9", "9:16", "1:1"),
        "cfg_scale": NUMBER,
        "duration": enum("5", "10"),
        "negative_prompt": STR,
        "prompt": required(STR),
    },
}

_VEO3: Schema = {
    "prompt": required(STR),
    "aspect_ratio": enum("16:9", "9:16", "1:1"),
    "duration": enum("4s", "6s", "8s"),
    "resolution": enum("720p", "1080p"),
    "generate_audio": BOOL,
    "enhance_prompt": BOOL,
    "negative_prompt": STR,
    "seed": INT,
    "auto_fix": BOOL,
}
_VEO31_LITE: Schema = {
    "prompt": required(STR),
    "aspect_ratio": enum("16:9", "9:16"),
    "duration": enum("4s", "6s", "8s"),
    "resolution": enum("720p", "1080p"),
    "generate_audio": BOOL,
    "negative_prompt": STR,
    "seed": INT,
    "auto_fix": BOOL,
    "safety_tolerance": SAFETY,
}
_SORA_SECONDS = enum(4, 8, 12, 16, 20)
_SORA_T2V: Schema = {
    "prompt": required(STR),
    "resolution": enum("720p"),
    "aspect_ratio": enum("9:16", "16:9"),
    "duration": _SORA_SECONDS,
    "delete_video": BOOL,
}
_SORA_I2V: Schema = {
    "prompt": required(STR),
    "image_url": required(URL),
    "resolution": enum("auto", "720p"),
    "aspect_ratio": enum("auto", "9:16", "16:9"),
    "duration": _SORA_SECONDS,
    "delete_video": BOOL,
}
_SEEDANCE2: Schema = {
    "prompt": required(STR),
    "duration": enum("auto", *(str(n) for n in range(4, 16))),
    "resolution": enum("480p", "720p", "1080p"),
    "aspect_ratio": enum("21:9", "16:9", "4:3", "1:1", "3:4", "9:16", "auto"),
    "generate_audio": BOOL,
    "seed": INT,
}
_HAPPY_HORSE: Schema = {
    "prompt": required(STR),
    "duration": enum(*range(3, 16)),
    "resolution": enum("720p", "1080p"),
    "aspect_ratio": enum("16:9", "9:16", "1:1", "4:3", "3:4"),
    "seed": INT,
}
_LTX2: Schema = {
    "prompt": required(STR),
    "duration": enum(6, 8, 10),
    "resolution": enum("1080p", "1440p", "2160p"),
    "aspect_ratio": enum("16:9", "9:16"),
    "fps": enum(25, 50),
    "generate_audio": BOOL,
}
_LTX2_FAST_SECONDS = enum(6, 8, 10, 12, 14, 16, 18, 20)
_LTX2_I2V: Schema = {
    **{key: spec for key, spec in _LTX2.items() if key != "aspect_ratio"},
    "image_url": required(URL),
}
_KLING25_TURBO: Schema = {
    "prompt": required(STR),
    "duration": enum("5", "10"),
    "negative_prompt": STR,
    "cfg_scale": NUMBER,
}

DOCUMENTED: dict[str, Schema] = {
    # fal.ai/models/fal-ai/veo3 (mirror in the project's providers.md; the generator had
    # only the image endpoints)
    "fal-ai/veo3": _VEO3,
    "fal-ai/veo3/fast": _VEO3,
    # fal.ai/docs/model-api-reference/video-generation-api/veo3.1-lite
    "fal-ai/veo3.1/lite": _VEO31_LITE,
    "fal-ai/veo3.1/lite/image-to-video": {
        **_VEO31_LITE,
        "aspect_ratio": enum("auto", "16:9", "9:16"),
        "image_url": required(URL),
    },
    "fal-ai/veo3.1/lite/first-last-frame-to-video": {
        **_VEO31_LITE,
        "aspect_ratio": enum("auto", "16:9", "9:16"),
        "first_frame_url": required(URL),
        "last_frame_url": required(URL),
    },
    # fal.ai/models/fal-ai/sora-2/text-to-video/llms.txt (and /pro, /image-to-video)
    "fal-ai/sora-2/text-to-video": _SORA_T2V,
    "fal-ai/sora-2/text-to-video/pro": {**_SORA_T2V, "resolution": enum("720p", "1080p")},
    "fal-ai/sora-2/image-to-video": _SORA_I2V,
    "fal-ai/sora-2/image-to-video/pro": {
        **_SORA_I2V,
        "resolution": enum("auto", "720p", "1080p"),
    },
    # fal.ai/models/fal-ai/minimax/hailuo-02/standard/{text,image}-to-video/llms.txt
    "fal-ai/minimax/hailuo-02/standard/text-to-video": {
        "prompt": required(STR),
        "duration": enum("6", "10"),
        "prompt_optimizer": BOOL,
    },
    "fal-ai/minimax/hailuo-02/standard/image-to-video": {
        "prompt": required(STR),
        "image_url": required(URL),
        "end_image_url": URL,
        "duration": enum("6", "10"),
        "resolution": enum("512P", "768P"),
        "prompt_optimizer": BOOL,
    },
    # fal.ai/docs/model-api-reference/video-generation-api/kling-video-v2.5-turbo-pro
    "fal-ai/kling-video/v2.5-turbo/pro/text-to-video": {
        **_KLING25_TURBO,
        "aspect_ratio": enum("16:9", "9:16", "1:1"),
    },
    "fal-ai/kling-video/v2.5-turbo/pro/image-to-video": {
        **_KLING25_TURBO,
        "image_url": required(URL),
        "tail_image_url": URL,
    },
    # fal.ai/docs/model-api-reference/video-generation-api/bytedance-seedance-2.0
    "bytedance/seedance-2.0/text-to-video": _SEEDANCE2,
    "bytedance/seedance-2.0/fast/text-to-video": {
        **_SEEDANCE2,
        "resolution": enum("480p", "720p"),
    },
    # fal.ai/models/alibaba/happy-horse/{text,reference}-to-video/llms.txt
    "alibaba/happy-horse/text-to-video": _HAPPY_HORSE,
    "alibaba/happy-horse/reference-to-video": {
        **_HAPPY_HORSE,
        "image_urls": required(URLS),
    },
    # fal.ai/models/fal-ai/ltx-2/image-to-video/llms.txt; fal-ai/ltx-2.3/text-to-video/fast
    # llms.txt for the fast durations
    "fal-ai/ltx-2/text-to-video": _LTX2,
    "fal-ai/ltx-2/text-to-video/fast": {**_LTX2, "duration": _LTX2_FAST_SECONDS},
    "fal-ai/ltx-2/image-to-video": _LTX2_I2V,
    "fal-ai/ltx-2/image-to-video/fast": {**_LTX2_I2V, "duration": _LTX2_FAST_SECONDS},
    # fal.ai/models/fal-ai/wan-25-preview/image-to-video (the text endpoint's schema plus
    # image_url, less aspect_ratio)
    "fal-ai/wan-25-preview/image-to-video": {
        **{
            key: spec
            for key, spec in GENERATED["fal-ai/wan-25-preview/text-to-video"].items()
            if key != "aspect_ratio"
        },
        "image_url": required(URL),
    },
}

SCHEMAS: dict[str, Schema] = {**GENERATED, **DOCUMENTED}
"""Every video endpoint the emulator knows, by endpoint id (its submit path)."""


def _expected(values: tuple[Any, ...]) -> str:
    shown = [repr(value) if isinstance(value, str) else str(value) for value in values]
    return shown[0] if len(shown) == 1 else f"{', '.join(shown[:-1])} or {shown[-1]}"


def _is_url(value: Any) -> bool:
    return isinstance(value, str) and value.startswith(("http://", "https://", "data:"))


def _field_error(name: str, spec: Spec, value: Any) -> dict[str, Any] | None:
    """fal's (pydantic v2's) error entry for one value, or None when it fits."""

    def error(kind: str, msg: str, **extra: Any) -> dict[str, Any]:
        return {"loc": ["body", name], "msg": msg, "type": kind, "input": value, **extra}

    if spec.kind == "enum":
        # the JSON type counts: "8" is not 8 (and True is not 1)
        if any(type(value) is type(allowed) and value == allowed for allowed in spec.values):
            return None
        expected = _expected(spec.values)
        return error("enum", f"Input should be {expected}", ctx={"expected": expected})
    if spec.kind == "str" and not isinstance(value, str):
        return error("string_type", "Input should be a valid string")
    if spec.kind == "bool" and not isinstance(value, bool):
        return error("bool_type", "Input should be a valid boolean")
    if spec.kind == "int" and (isinstance(value, bool) or not isinstance(value, int)):
        return error("int_type", "Input should be a valid integer")
    if spec.kind == "number" and (isinstance(value, bool) or not isinstance(value, int | float)):
        return error("float_type", "Input should be a valid number")
    if spec.kind == "list" and not isinstance(value, list):
        return error("list_type", "Input should be a valid list")
    if spec.kind == "url" and not _is_url(value):
        return error("url_parsing", "Input should be a valid URL")
    if spec.kind == "urls" and (
        not isinstance(value, list) or not all(_is_url(item) for item in value)
    ):
        return error("url_parsing", "Input should be a list of valid URLs")
    return None


def validate(schema: Schema, body: dict[str, Any]) -> list[dict[str, Any]]:
    """Every way ``body`` breaks ``schema``, as the entries of fal's 422 ``detail``."""
    errors: list[dict[str, Any]] = []
    for name, spec in schema.items():
        if spec.required and name not in body:
            errors.append({"loc": ["body", name], "msg": "Field required", "type": "missing"})
    for name, value in body.items():
        listed = schema.get(name)
        if listed is None:
            errors.append(
                {
                    "loc": ["body", name],
                    "msg": "Extra inputs are not permitted",
                    "type": "extra_forbidden",
                    "input": value,
                }
            )
            continue
        found = _field_error(name, listed, value)
        if found is not None:
            errors.append(found)
    return errors
