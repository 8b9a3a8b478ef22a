"""The decision side of Tarash Gateway: configuration, deployment selection, and the
in-process library API (``generate_video`` and friends)."""

from adapters import register_provider
from adapters.field_mappers import get_provider_field_mapping, register_provider_field_mapping
from router.api import generate_image, generate_image_async, generate_video, generate_video_async
from router.config import Deployment, DeploymentParams, GatewayConfig
from router.errors import DeploymentGoneError, UnknownAliasError
from router.loader import ConfigError, ConfigIssue, load_config, parse_config
from router.routing import Router

__all__ = [
    "ConfigError",
    "ConfigIssue",
    "Deployment",
    "DeploymentGoneError",
    "DeploymentParams",
    "GatewayConfig",
    "Router",
    "UnknownAliasError",
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
