"""The provider side of Tarash Gateway: unified models, errors and provider adapters."""

from tarash_gateway.adapters.base import ImageProvider, VideoProvider
from tarash_gateway.adapters.errors import (
    ContentModerationError,
    GenerationFailedError,
    HTTPError,
    PollTimeoutError,
    ProviderAuthenticationError,
    ProviderConnectionError,
    RateLimitError,
    TarashError,
    ValidationError,
)
from tarash_gateway.adapters.mock import MockProvider
from tarash_gateway.adapters.models import (
    AttemptRecord,
    ExecutionMetadata,
    ImageGenerationConfig,
    ImageGenerationRequest,
    ImageGenerationResponse,
    ImageInput,
    JobProgress,
    MockConfig,
    MockError,
    MockResponse,
    ProgressUpdate,
    SubmittedJob,
    VideoGenerationConfig,
    VideoGenerationRequest,
    VideoGenerationResponse,
)
from tarash_gateway.adapters.providers.azure import AzureProvider
from tarash_gateway.adapters.providers.fal import FalProvider
from tarash_gateway.adapters.providers.google import GoogleProvider
from tarash_gateway.adapters.providers.luma import LumaProvider
from tarash_gateway.adapters.providers.minimax import MiniMaxProvider
from tarash_gateway.adapters.providers.openai import OpenAIProvider
from tarash_gateway.adapters.providers.replicate import ReplicateProvider
from tarash_gateway.adapters.providers.runway import RunwayProvider
from tarash_gateway.adapters.providers.stability import StabilityProvider
from tarash_gateway.adapters.registry import (
    get_provider,
    provider_for,
    register_provider,
    registered_providers,
)

register_provider("mock", MockProvider())
register_provider("azure", AzureProvider())
register_provider("fal", FalProvider())
register_provider("google", GoogleProvider())
register_provider("luma", LumaProvider())
register_provider("minimax", MiniMaxProvider())
register_provider("openai", OpenAIProvider())
register_provider("replicate", ReplicateProvider())
register_provider("runway", RunwayProvider())
register_provider("stability", StabilityProvider())

__all__ = [
    "AttemptRecord",
    "ContentModerationError",
    "ExecutionMetadata",
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
    "MockProvider",
    "MockResponse",
    "PollTimeoutError",
    "ProgressUpdate",
    "ProviderAuthenticationError",
    "ProviderConnectionError",
    "RateLimitError",
    "SubmittedJob",
    "TarashError",
    "ValidationError",
    "VideoGenerationConfig",
    "VideoGenerationRequest",
    "VideoGenerationResponse",
    "VideoProvider",
    "get_provider",
    "provider_for",
    "register_provider",
    "registered_providers",
]
