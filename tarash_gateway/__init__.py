"""Tarash Gateway: one API in front of every AI video and image provider.

This module is the library's one documented import::

    from tarash_gateway import generate_video, VideoGenerationConfig, VideoGenerationRequest

Everything a caller of the library needs is here: the generate functions, the
in-process :class:`Router`, the request/response models, the mock, the errors to catch,
and what a custom provider implements. The subpackages (``tarash_gateway.adapters``,
``tarash_gateway.router``, ``tarash_gateway.proxy``) are the implementation; their
layout may change, this list may only grow. Importing it loads no server code
(``tarash_gateway.proxy`` is imported only by the server itself).
"""

from importlib.metadata import PackageNotFoundError, version

from tarash_gateway.adapters import (
    AttemptRecord,
    ContentModerationError,
    ExecutionMetadata,
    GenerationFailedError,
    HTTPError,
    ImageGenerationConfig,
    ImageGenerationRequest,
    ImageGenerationResponse,
    ImageInput,
    ImageProvider,
    JobProgress,
    MockConfig,
    MockError,
    MockResponse,
    PollTimeoutError,
    ProgressUpdate,
    ProviderAuthenticationError,
    ProviderConnectionError,
    RateLimitError,
    SubmittedJob,
    TarashError,
    ValidationError,
    VideoGenerationConfig,
    VideoGenerationRequest,
    VideoGenerationResponse,
    VideoProvider,
)
from tarash_gateway.adapters.field_mappers import Capabilities, FieldMap, ModelMapping
from tarash_gateway.router import (
    ConfigError,
    DeploymentGoneError,
    Router,
    UnknownAliasError,
    generate_image,
    generate_image_async,
    generate_video,
    generate_video_async,
    get_provider_field_mapping,
    load_config,
    parse_config,
    register_provider,
    register_provider_field_mapping,
)
from tarash_gateway.router.errors import NoDeploymentAvailableError

try:
    __version__ = version("tarash-gateway")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0.0.0+unknown"

__all__ = [
    "AttemptRecord",
    "Capabilities",
    "ConfigError",
    "ContentModerationError",
    "DeploymentGoneError",
    "ExecutionMetadata",
    "FieldMap",
    "GenerationFailedError",
    "HTTPError",
    "ImageGenerationConfig",
    "ImageGenerationRequest",
    "ImageGenerationResponse",
    "ImageInput",
    "ImageProvider",
    "JobProgress",
    "MockConfig",
    "MockError",
    "MockResponse",
    "ModelMapping",
    "NoDeploymentAvailableError",
    "PollTimeoutError",
    "ProgressUpdate",
    "ProviderAuthenticationError",
    "ProviderConnectionError",
    "RateLimitError",
    "Router",
    "SubmittedJob",
    "TarashError",
    "UnknownAliasError",
    "ValidationError",
    "VideoGenerationConfig",
    "VideoGenerationRequest",
    "VideoGenerationResponse",
    "VideoProvider",
    "__version__",
    "generate_image",
    "generate_image_async",
    "generate_video",
    "generate_video_async",
    "get_provider_field_mapping",
    "load_config",
    "parse_config",
    "register_provider",
    "register_provider_field_mapping",
]
