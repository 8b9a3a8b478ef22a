"""The in-process library API: generate videos and images without the server.

``generate_video_async(config, request)`` runs the job on ``config`` and, when that
fails with a retryable error, on each of ``config.fallback_configs`` in order (depth
first). The chain becomes a small :class:`~router.Router` of its own (one alias per
config, each the next one's fallback, no retries within an alias), so the library runs
the same routing and the same job lifecycle (:mod:`router.lifecycle`) as the server.
Every attempt is recorded in :class:`~adapters.ExecutionMetadata`, on the result or,
when all fail, on the raised error. The sync functions are thin wrappers.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import secrets
import time
from collections.abc import Callable, Coroutine
from typing import Any, TypeVar

from tarash_gateway.adapters import (
    AttemptRecord,
    ImageGenerationConfig,
    ImageGenerationRequest,
    ImageGenerationResponse,
    ProgressUpdate,
    TarashError,
    VideoGenerationConfig,
    VideoGenerationRequest,
    VideoGenerationResponse,
)
from tarash_gateway.adapters.polling import ProgressCallback, notify
from tarash_gateway.router.config import (
    DeploymentParams,
    GatewayConfig,
    GeneralSettings,
    ModelEntry,
    RouterSettings,
)
from tarash_gateway.router.lifecycle import execution_metadata, run_video
from tarash_gateway.router.routing import Router

T = TypeVar("T")
AnyConfig = VideoGenerationConfig | ImageGenerationConfig
FIRST_ALIAS = "default"


def _chain(config: AnyConfig) -> list[AnyConfig]:
    """The config followed by its fallbacks, depth first (a fallback's own fallbacks
    come right after it)."""
    chain: list[AnyConfig] = [config]
    for fallback in config.fallback_configs:
        chain.extend(_chain(fallback))
    return chain


def _alias(position: int) -> str:
    return FIRST_ALIAS if position == 0 else f"fallback-{position}"


def _params(config: AnyConfig, position: int) -> DeploymentParams:
    return DeploymentParams(
        provider=config.provider,
        model=config.model,
        id=f"{_alias(position)}:{config.provider}:{config.model}",
        api_key=config.api_key,
        base_url=config.base_url,
        api_version=config.api_version,
        mock=config.mock,
        provider_config=config.provider_config,
        request_timeout=config.request_timeout,
        timeout=config.timeout,
        poll_interval=config.poll_interval,
        max_poll_attempts=config.max_poll_attempts,
    )


def chain_router(config: AnyConfig) -> tuple[Router, int]:
    """A router whose alias ``default`` is ``config`` and whose fallbacks are its
    ``fallback_configs``, one alias each: a retryable failure moves to the next config
    (no retry of the same one, no backoff), exactly as the predecessor SDK did. Also
    returns the chain's length."""
    chain = _chain(config)
    entries = [
        ModelEntry(model_name=_alias(position), params=_params(current, position))
        for position, current in enumerate(chain)
    ]
    settings = RouterSettings(
        num_retries=0,
        retry_backoff_seconds=0,
        fallbacks=[{FIRST_ALIAS: [_alias(i) for i in range(1, len(chain))]}],
    )
    gateway = GatewayConfig(
        model_list=entries,
        router_settings=settings,
        general_settings=GeneralSettings(master_key=secrets.token_hex(16)),
    )
    return Router(gateway), len(chain)


async def generate_video_async(
    config: VideoGenerationConfig,
    request: VideoGenerationRequest,
    on_progress: ProgressCallback | None = None,
) -> VideoGenerationResponse:
    """Generate one video, falling back along ``config.fallback_configs`` on retryable errors."""
    router, length = chain_router(config)
    return await run_video(router, FIRST_ALIAS, request, on_progress, configs_in_chain=length)


async def generate_image_async(
    config: ImageGenerationConfig,
    request: ImageGenerationRequest,
    on_progress: ProgressCallback | None = None,
) -> ImageGenerationResponse:
    """Generate images, falling back along ``config.fallback_configs`` on retryable errors.
    Images come back in one step, so ``on_progress`` hears once, at completion."""
    router, length = chain_router(config)
    attempts: list[AttemptRecord] = []
    started = time.monotonic()
    try:
        served = await router.generate_image(FIRST_ALIAS, request, attempts=attempts)
    except TarashError as error:
        error.execution_metadata = execution_metadata(attempts, started, length)
        raise
    result = served.response
    await notify(
        on_progress,
        ProgressUpdate(
            request_id=result.request_id,
            status="completed",
            progress_percent=100,
            provider=served.deployment.params.provider,
            model=served.deployment.params.model,
        ),
    )
    result.execution_metadata = execution_metadata(attempts, started, length)
    return result


def _run_sync(make: Callable[[], Coroutine[Any, Any, T]]) -> T:
    """Run a coroutine to completion from sync code, even inside a running event loop.

    With no loop in this thread, ``asyncio.run`` is enough. When this thread already
    runs a loop (a notebook, an async framework calling sync code), blocking it to wait
    on itself would deadlock, so the work runs on a fresh loop in a worker thread.
    """
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(make())
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(lambda: asyncio.run(make())).result()


def generate_video(
    config: VideoGenerationConfig,
    request: VideoGenerationRequest,
    on_progress: ProgressCallback | None = None,
) -> VideoGenerationResponse:
    """Blocking :func:`generate_video_async`."""
    return _run_sync(lambda: generate_video_async(config, request, on_progress))


def generate_image(
    config: ImageGenerationConfig,
    request: ImageGenerationRequest,
    on_progress: ProgressCallback | None = None,
) -> ImageGenerationResponse:
    """Blocking :func:`generate_image_async`."""
    return _run_sync(lambda: generate_image_async(config, request, on_progress))
