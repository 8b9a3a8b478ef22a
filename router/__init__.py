"""The decision side of Tarash Gateway: configuration and deployment selection."""

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
    "load_config",
    "parse_config",
]
