"""Finding a provider's API key: the config's own when it has one, else the provider's
standard environment variables, in order. One rule for every adapter, so an empty
``api_key`` means "not set" everywhere and the error always names what to set."""

from __future__ import annotations

import os
from collections.abc import Sequence

from tarash_gateway.adapters.errors import ValidationError
from tarash_gateway.adapters.models import ProviderSettings


def find_api_key(settings: ProviderSettings, env_names: Sequence[str]) -> str | None:
    """The config's non-empty key, else the first of ``env_names`` that is set."""
    if settings.api_key is not None and (key := settings.api_key.get_secret_value()):
        return key
    for name in env_names:
        if value := os.environ.get(name):
            return value
    return None


def require_api_key(
    settings: ProviderSettings, provider: str, env_names: Sequence[str], *, hint: str = ""
) -> str:
    """:func:`find_api_key`, or a :class:`ValidationError` on ``api_key`` saying what to
    set (``hint`` replaces the list of variables when a provider takes something else)."""
    key = find_api_key(settings, env_names)
    if key is not None:
        return key
    first, *others = env_names
    named = hint or (f"{first} (or {', '.join(others)})" if others else first)
    raise ValidationError(
        f"no API key for {provider}: set api_key or {named}",
        param="api_key",
        provider=provider,
        model=settings.model,
    )
