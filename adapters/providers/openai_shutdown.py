"""api.openai.com's videos API shut down on 2026-09-24: the check-config warning for a
deployment still pointed there, and its 404/410 said as what it is."""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

from tarash_gateway.adapters.errors import (
    HTTPError,
)
from tarash_gateway.adapters.providers.openai_models import (
    DEFAULT_BASE_URL,
    IMAGE_FAMILIES,
    OPENAI_HOST,
    VIDEOS_SHUTDOWN,
)

# -- api.openai.com's videos shutdown ------------------------------------------------------

SHUTDOWN_STATUSES = (404, 410)


def targets_openai(base_url: str) -> bool:
    """Whether ``base_url`` is OpenAI's own API host (whose videos API is gone)."""
    return (urlsplit(base_url).hostname or "").lower().rstrip(".") == OPENAI_HOST


def is_image_model(model: str) -> bool:
    """Whether ``model`` is one of OpenAI's image model families (still served)."""
    return any(prefix and model.startswith(prefix) for prefix in IMAGE_FAMILIES)


SHUTDOWN_ADVICE = (
    f"OpenAI's videos API (Sora 2) on {OPENAI_HOST} shut down on {VIDEOS_SHUTDOWN} "
    "(its images API still works). Set this deployment's base_url to an upstream that "
    "still serves the OpenAI videos API (Azure's {endpoint}/openai/v1 with provider: azure, "
    "another gateway, a self-hosted server), or route the alias to another provider."
)


def videos_shut_down(error: HTTPError) -> HTTPError:
    """A 404/410 from api.openai.com on a video call, said as what it is."""
    return HTTPError(
        f"{error.provider} answered HTTP {error.status_code} on a video call: {SHUTDOWN_ADVICE}",
        status_code=error.status_code,
        provider=error.provider,
        model=error.model,
        request_id=error.request_id,
        raw_response=error.raw_response,
    )


def _setting(params: Any, name: str) -> Any:
    if isinstance(params, Mapping):
        return params.get(name)
    return getattr(params, name, None)


def config_warnings(params: Any) -> list[str]:
    """What ``check-config`` should warn about for one deployment (its params: a
    ``DeploymentParams``, a provider config or a mapping with ``provider``, ``model``,
    ``base_url``). Today: a ``provider: openai`` video deployment that reaches
    api.openai.com (no ``base_url`` and no ``OPENAI_BASE_URL``, or that host named), whose
    videos API shut down on 2026-09-24. Image models there are fine. Also a
    ``provider: azure`` deployment with no endpoint at all (every call would be refused).
    Pure apart from reading ``OPENAI_BASE_URL`` / ``AZURE_OPENAI_ENDPOINT``, as the
    adapters do."""
    provider = _setting(params, "provider")
    if provider == "azure":
        if _setting(params, "base_url") or os.environ.get("AZURE_OPENAI_ENDPOINT"):
            return []
        return [
            f"provider azure, model {_setting(params, 'model')!r}: no base_url and no "
            "AZURE_OPENAI_ENDPOINT, so every call is refused; set base_url to the resource "
            "endpoint (https://<name>.openai.azure.com)."
        ]
    if provider != "openai":
        return []
    model = str(_setting(params, "model") or "")
    if is_image_model(model):
        return []
    base_url = _setting(params, "base_url") or os.environ.get("OPENAI_BASE_URL") or DEFAULT_BASE_URL
    if not targets_openai(str(base_url)):
        return []
    where = "no base_url, so it targets" if not _setting(params, "base_url") else "base_url is"
    return [f"provider openai, model {model!r}: {where} {OPENAI_HOST}. {SHUTDOWN_ADVICE}"]
