"""An adapter-level poll loop: submit, poll until done or out of time, fetch; cancel on
give-up, for one provider and one config.

This is not the gateway's job lifecycle. Videos, in the library and in the server, go
through :mod:`router.jobs` and :mod:`router.lifecycle` (backoff, error tolerance, the
retry budget, resubmission elsewhere, all set in ``router_settings.jobs``). What stays
here is what an adapter needs inside one call: waiting on a provider whose *image*
API is itself a job (fal's queue, Luma's Photon generations), and the adapter tests
that drive one provider end to end against its emulator. ``ProgressCallback`` and
:func:`notify` are shared with the lifecycle.
"""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import time
from collections.abc import Awaitable, Callable
from typing import Any

from tarash_gateway.adapters.base import VideoProvider
from tarash_gateway.adapters.errors import PollTimeoutError, TarashError
from tarash_gateway.adapters.models import (
    ProgressUpdate,
    SubmittedJob,
    VideoGenerationConfig,
    VideoGenerationRequest,
    VideoGenerationResponse,
)

ProgressCallback = Callable[[ProgressUpdate], Awaitable[Any] | Any]
MAX_CONSECUTIVE_POLL_ERRORS = 5


async def notify(callback: ProgressCallback | None, update: ProgressUpdate) -> None:
    """Call a sync or async progress callback."""
    if callback is None:
        return
    result = callback(update)
    if inspect.isawaitable(result):
        await result


async def run_video_job(
    provider: VideoProvider,
    config: VideoGenerationConfig,
    request: VideoGenerationRequest,
    on_progress: ProgressCallback | None = None,
) -> VideoGenerationResponse:
    """Run one job to completion on one provider config, or raise its classified error."""
    job = await provider.submit_video(config, request)
    return await follow_job(provider, config, job, on_progress)


async def follow_job(
    provider: VideoProvider,
    config: VideoGenerationConfig,
    job: SubmittedJob,
    on_progress: ProgressCallback | None = None,
) -> VideoGenerationResponse:
    """Poll an accepted job until it completes (its result) or fails (its error)."""
    started = time.monotonic()
    consecutive_errors = 0
    for _attempt in range(config.max_poll_attempts):
        try:
            progress = await provider.poll_video(config, job.request_id)
        except TarashError as error:
            consecutive_errors += 1
            if not error.is_retryable or consecutive_errors >= MAX_CONSECUTIVE_POLL_ERRORS:
                raise
            await asyncio.sleep(config.poll_interval)
            continue
        consecutive_errors = 0
        await notify(
            on_progress,
            ProgressUpdate(
                request_id=job.request_id,
                status=progress.status,
                progress_percent=progress.progress,
                provider=config.provider,
                model=config.model,
            ),
        )
        if progress.status == "completed":  # the status answer may already hold it
            return progress.result or await provider.fetch_video(config, job.request_id)
        if progress.status == "failed":
            raise progress.failure(
                provider=config.provider, model=config.model, request_id=job.request_id
            )
        if time.monotonic() - started >= config.timeout:
            break
        await asyncio.sleep(config.poll_interval)
    with contextlib.suppress(TarashError):  # best effort; the timeout is the news
        await provider.cancel_video(config, job.request_id)
    raise PollTimeoutError(
        f"job {job.request_id} did not finish within {config.timeout:g}s or "
        f"{config.max_poll_attempts} polls; it was cancelled",
        provider=config.provider,
        model=config.model,
        request_id=job.request_id,
    )
