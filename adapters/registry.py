"""Which provider implementation serves which ``provider:`` name."""

from __future__ import annotations

from typing import Any

from tarash_gateway.adapters.base import ImageProvider, VideoProvider
from tarash_gateway.adapters.errors import ValidationError
from tarash_gateway.adapters.models import ImageGenerationConfig, VideoGenerationConfig

_PROVIDERS: dict[str, Any] = {}


def register_provider(name: str, handler: Any) -> None:
    """Make ``handler`` serve every config whose ``provider`` is ``name``.

    ``handler`` is a :class:`VideoProvider` and/or :class:`ImageProvider`, or any
    object with the four generate methods of the library API (``generate_video``,
    ``generate_video_async``, ``generate_image``, ``generate_image_async``), which is
    wrapped so it works through the proxy's job store and the library alike.
    """
    if not name:
        raise ValueError("provider name must not be empty")
    if not isinstance(handler, VideoProvider | ImageProvider):
        from tarash_gateway.adapters.custom import GenerateMethodsProvider

        handler = GenerateMethodsProvider(handler)
    handler.name = name
    _PROVIDERS[name] = handler


def registered_providers() -> list[str]:
    """Names usable as ``provider:`` in a config, sorted."""
    return sorted(_PROVIDERS)


def _get(name: str) -> Any:
    try:
        return _PROVIDERS[name]
    except KeyError:
        raise ValidationError(
            f"unknown provider {name!r}; registered providers: {', '.join(registered_providers())}",
            param="provider",
        ) from None


def get_provider_or_none(name: str) -> Any:
    """Whatever is registered under ``name`` (video and/or image handler), or None."""
    return _PROVIDERS.get(name)


def get_provider(name: str) -> VideoProvider:
    """The video handler registered under ``name``."""
    handler = _get(name)
    if not isinstance(handler, VideoProvider):
        raise ValidationError(f"provider {name!r} does not generate videos", param="provider")
    return handler


def get_image_provider(name: str) -> ImageProvider:
    """The image handler registered under ``name``."""
    handler = _get(name)
    if not isinstance(handler, ImageProvider):
        raise ValidationError(f"provider {name!r} does not generate images", param="provider")
    return handler


def provider_for(config: VideoGenerationConfig) -> VideoProvider:
    """The video handler for a config, honouring an enabled mock over the named provider."""
    return get_provider("mock" if config.is_mock else config.provider)


def image_provider_for(config: ImageGenerationConfig) -> ImageProvider:
    """The image handler for a config, honouring an enabled mock."""
    return get_image_provider("mock" if config.is_mock else config.provider)
