"""Which provider implementation serves which ``provider:`` name."""

from __future__ import annotations

from adapters.base import VideoProvider
from adapters.errors import ValidationError
from adapters.models import VideoGenerationConfig

_PROVIDERS: dict[str, VideoProvider] = {}


def register_provider(name: str, handler: VideoProvider) -> None:
    """Make ``handler`` serve every config whose ``provider`` is ``name``."""
    if not name:
        raise ValueError("provider name must not be empty")
    handler.name = name
    _PROVIDERS[name] = handler


def registered_providers() -> list[str]:
    """Names usable as ``provider:`` in a config, sorted."""
    return sorted(_PROVIDERS)


def get_provider(name: str) -> VideoProvider:
    """The handler registered under ``name``."""
    try:
        return _PROVIDERS[name]
    except KeyError:
        raise ValidationError(
            f"unknown provider {name!r}; registered providers: {', '.join(registered_providers())}",
            param="provider",
        ) from None


def provider_for(config: VideoGenerationConfig) -> VideoProvider:
    """The handler for a config, honouring an enabled mock over the named provider."""
    return get_provider("mock" if config.is_mock else config.provider)
