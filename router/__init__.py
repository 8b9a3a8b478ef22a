"""The decision side of Tarash Gateway, and the one face the server sees of everything
below it: configuration, deployment selection, the job lifecycle, the in-process
library API (``generate_video`` and friends), and re-exports of the unified models and
errors, so ``proxy`` never imports ``adapters`` directly."""

from tarash_gateway.adapters import (
    AttemptRecord,
    ContentModerationError,
    ExecutionMetadata,
    HTTPError,
    ImageGenerationRequest,
    ImageGenerationResponse,
    ImageInput,
    JobProgress,
    PollTimeoutError,
    ProviderAuthenticationError,
    ProviderConnectionError,
    RateLimitError,
    SubmittedJob,
    TarashError,
    ValidationError,
    VideoGenerationRequest,
    VideoGenerationResponse,
    register_provider,
)
from tarash_gateway.adapters.field_mappers import (
    get_provider_field_mapping,
    register_provider_field_mapping,
)
from tarash_gateway.adapters.http import aclose_sessions
from tarash_gateway.adapters.media import MEDIA_DIR
from tarash_gateway.adapters.redact import redact_urls
from tarash_gateway.adapters.sizes import (
    ASPECT_RATIOS,
    formula_size,
    nearest_aspect_ratio,
    nearest_resolution,
)
from tarash_gateway.router.api import (
    generate_image,
    generate_image_async,
    generate_video,
    generate_video_async,
)
from tarash_gateway.router.config import Deployment, DeploymentParams, GatewayConfig
from tarash_gateway.router.errors import DeploymentGoneError, UnknownAliasError
from tarash_gateway.router.loader import ConfigError, ConfigIssue, load_config, parse_config
from tarash_gateway.router.routing import ImageResult, Route, Router, Submission

__all__ = [
    "ASPECT_RATIOS",
    "MEDIA_DIR",
    "AttemptRecord",
    "ConfigError",
    "ConfigIssue",
    "ContentModerationError",
    "Deployment",
    "DeploymentGoneError",
    "DeploymentParams",
    "ExecutionMetadata",
    "GatewayConfig",
    "HTTPError",
    "ImageGenerationRequest",
    "ImageGenerationResponse",
    "ImageInput",
    "ImageResult",
    "JobProgress",
    "PollTimeoutError",
    "ProviderAuthenticationError",
    "ProviderConnectionError",
    "RateLimitError",
    "Route",
    "Router",
    "Submission",
    "SubmittedJob",
    "TarashError",
    "UnknownAliasError",
    "ValidationError",
    "VideoGenerationRequest",
    "VideoGenerationResponse",
    "aclose_sessions",
    "formula_size",
    "generate_image",
    "generate_image_async",
    "generate_video",
    "generate_video_async",
    "get_provider_field_mapping",
    "load_config",
    "nearest_aspect_ratio",
    "nearest_resolution",
    "parse_config",
    "redact_urls",
    "register_provider",
    "register_provider_field_mapping",
]
