"""The in-process library API: generate videos and images without the server.

``generate_video_async(config, request)`` runs the job on ``config`` and, when that
fails with a retryable error, on each of ``config.fallback_configs`` in order. Every
attempt is recorded in :class:`~adapters.ExecutionMetadata`, on the result or, when all
fail, on the raised error. The sync functions are thin wrappers over the async core.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import time
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any, TypeVar

from tarash_gateway.adapters import (
    AttemptRecord,
    ExecutionMetadata,
    ImageGenerationConfig,
    ImageGenerationRequest,
    ImageGenerationResponse,
    ProgressUpdate,
    TarashError,
    VideoGenerationConfig,
    VideoGenerationRequest,
    VideoGenerationResponse,
    provider_for,
)
from tarash_gateway.adapters.polling import ProgressCallback, notify, run_video_job
from tarash_gateway.adapters.registry import image_provider_for

T = TypeVar("T")
Config = TypeVar("Config", VideoGenerationConfig, ImageGenerationConfig)


def _chain(config: Config) -> list[Config]:
    """The config followed by its fallbacks, depth first (a fallback's own fallbacks
    come right after it)."""
    chain = [config]
    for fallback in config.fallback_configs:
        chain.extend(_chain(fallback))
    return chain


async def _run_chain(
    config: Config, attempt: Callable[[Config], Awaitable[T]]
) -> tuple[T, ExecutionMetadata]:
    chain = _chain(config)
    metadata = ExecutionMetadata(configs_in_chain=len(chain))
    started = time.monotonic()
    last_error: TarashError | None = None
    for position, current in enumerate(chain):
        metadata.total_attempts += 1
        metadata.fallback_triggered = position > 0
        attempt_started = time.monotonic()
        try:
            result = await attempt(current)
        except TarashError as error:
            metadata.attempts.append(
                AttemptRecord(
                    provider=current.provider,
                    model=current.model,
                    status="failed",
                    error_type=type(error).__name__,
                    error_message=error.message,
                    elapsed_seconds=round(time.monotonic() - attempt_started, 3),
                )
            )
            metadata.total_elapsed_seconds = round(time.monotonic() - started, 3)
            error.execution_metadata = metadata
            last_error = error
            if not error.is_retryable:
                raise
            continue
        metadata.attempts.append(
            AttemptRecord(
                provider=current.provider,
                model=current.model,
                status="success",
                elapsed_seconds=round(time.monotonic() - attempt_started, 3),
            )
        )
        metadata.successful_attempt = position + 1
        metadata.total_elapsed_seconds = round(time.monotonic() - started, 3)
        return result, metadata
    assert last_error is not None
    raise last_error


async def generate_video_async(
    config: VideoGenerationConfig,
    request: VideoGenerationRequest,
    on_progress: ProgressCallback | None = None,
) -> VideoGenerationResponse:
    """Generate one video, falling back along ``config.fallback_configs`` on retryable errors."""

    async def attempt(current: VideoGenerationConfig) -> VideoGenerationResponse:
        return await run_video_job(provider_for(current), current, request, on_progress)

    result, metadata = await _run_chain(config, attempt)
    result.execution_metadata = metadata
    return result


async def generate_image_async(
    config: ImageGenerationConfig,
    request: ImageGenerationRequest,
    on_progress: ProgressCallback | None = None,
) -> ImageGenerationResponse:
    """Generate images, falling back along ``config.fallback_configs`` on retryable errors.
    Images come back in one step, so ``on_progress`` hears once, at completion."""

    async def attempt(current: ImageGenerationConfig) -> ImageGenerationResponse:
        result = await image_provider_for(current).generate_image(current, request)
        await notify(
            on_progress,
            ProgressUpdate(
                request_id=result.request_id,
                status="completed",
                progress_percent=100,
                provider=current.provider,
                model=current.model,
            ),
        )
        return result

    result, metadata = await _run_chain(config, attempt)
    result.execution_metadata = metadata
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
