"""``from tarash.tarash_gateway import ...``: the predecessor SDK's top-level names.

Each name is the object :mod:`tarash_gateway` exports (an ``isinstance`` or ``except``
against either path means the same thing). Names the predecessor had under another
name are bound to ours: ``TarashException`` is :class:`~tarash_gateway.TarashError`,
``HTTPConnectionError`` is :class:`~tarash_gateway.ProviderConnectionError`,
``TimeoutError`` is :class:`~tarash_gateway.PollTimeoutError` and
``VideoGenerationUpdate`` is :class:`~tarash_gateway.ProgressUpdate`.
"""

from tarash.tarash_gateway.api import (
    generate_image,
    generate_image_async,
    generate_video,
    generate_video_async,
    get_provider_field_mapping,
    register_provider,
    register_provider_field_mapping,
)
from tarash.tarash_gateway.exceptions import (
    ContentModerationError,
    GenerationFailedError,
    HTTPConnectionError,
    HTTPError,
    TarashException,
    TimeoutError,  # the predecessor's name for PollTimeoutError
    ValidationError,
)
from tarash.tarash_gateway.mock import MockConfig, MockResponse
from tarash.tarash_gateway.models import (
    AspectRatio,
    ExecutionMetadata,
    ImageGenerationConfig,
    ImageGenerationRequest,
    ImageGenerationResponse,
    ImageGenerationUpdate,
    Resolution,
    VideoGenerationConfig,
    VideoGenerationRequest,
    VideoGenerationResponse,
    VideoGenerationUpdate,
)
from tarash_gateway import __version__

__all__ = [
    "AspectRatio",
    "ContentModerationError",
    "ExecutionMetadata",
    "GenerationFailedError",
    "HTTPConnectionError",
    "HTTPError",
    "ImageGenerationConfig",
    "ImageGenerationRequest",
    "ImageGenerationResponse",
    "ImageGenerationUpdate",
    "MockConfig",
    "MockResponse",
    "Resolution",
    "TarashException",
    "TimeoutError",
    "ValidationError",
    "VideoGenerationConfig",
    "VideoGenerationRequest",
    "VideoGenerationResponse",
    "VideoGenerationUpdate",
    "__version__",
    "generate_image",
    "generate_image_async",
    "generate_video",
    "generate_video_async",
    "get_provider_field_mapping",
    "register_provider",
    "register_provider_field_mapping",
]
