"""Custom providers written as the library's four generate methods.

``register_provider(name, handler)`` accepts any object with ``generate_video_async``
(or sync ``generate_video``) and the image pair. Such a handler runs a whole generation
in one call, so to serve it through the proxy's submit/poll/fetch steps the call runs
as a task in this process. Those jobs live in memory: a restart loses them (the job
then fails after its timeout), unlike providers with their own job ids.
"""

from __future__ import annotations

import asyncio
import inspect
import secrets
from typing import Any

from tarash_gateway.adapters.base import ImageProvider, VideoProvider
from tarash_gateway.adapters.errors import GenerationFailedError, TarashError, ValidationError
from tarash_gateway.adapters.models import (
    ImageGenerationConfig,
    ImageGenerationRequest,
    ImageGenerationResponse,
    JobProgress,
    SubmittedJob,
    VideoGenerationConfig,
    VideoGenerationRequest,
    VideoGenerationResponse,
)


async def _invoke(handler: Any, async_name: str, sync_name: str, *args: Any) -> Any:
    method = getattr(handler, async_name, None)
    if method is not None:
        result = method(*args)
        return await result if inspect.isawaitable(result) else result
    method = getattr(handler, sync_name, None)
    if method is None:
        raise ValidationError(f"the custom provider has neither {async_name} nor {sync_name}")
    return await asyncio.to_thread(method, *args)


class GenerateMethodsProvider(VideoProvider, ImageProvider):
    """Adapts a four-method handler to the job interface."""

    def __init__(self, handler: Any) -> None:
        self.handler = handler
        self._jobs: dict[str, asyncio.Task[Any]] = {}

    async def submit_video(
        self, config: VideoGenerationConfig, request: VideoGenerationRequest
    ) -> SubmittedJob:
        request_id = f"custom_{secrets.token_hex(8)}"
        self._jobs[request_id] = asyncio.create_task(
            _invoke(self.handler, "generate_video_async", "generate_video", config, request)
        )
        return SubmittedJob(request_id=request_id)

    def _task(self, config: VideoGenerationConfig, request_id: str) -> asyncio.Task[Any]:
        task = self._jobs.get(request_id)
        if task is None:
            raise GenerationFailedError(
                "the job is gone (custom providers keep jobs in memory; was the process "
                "restarted?)",
                provider=self.name,
                model=config.model,
                request_id=request_id,
            )
        return task

    async def poll_video(self, config: VideoGenerationConfig, request_id: str) -> JobProgress:
        task = self._task(config, request_id)
        if not task.done():
            return JobProgress(status="in_progress", progress=50)
        error = task.exception()
        if error is None:
            return JobProgress(status="completed", progress=100)
        self._jobs.pop(request_id, None)
        if not isinstance(error, TarashError):
            error = GenerationFailedError(
                f"custom provider failed: {error}",
                provider=self.name,
                model=config.model,
                request_id=request_id,
            )
        return JobProgress(status="failed", error=error)

    async def fetch_video(
        self, config: VideoGenerationConfig, request_id: str
    ) -> VideoGenerationResponse:
        task = self._task(config, request_id)
        result = await task
        self._jobs.pop(request_id, None)
        if isinstance(result, VideoGenerationResponse):
            return result
        return VideoGenerationResponse.model_validate(result)

    async def cancel_video(self, config: VideoGenerationConfig, request_id: str) -> None:
        task = self._jobs.pop(request_id, None)
        if task is not None:
            task.cancel()

    async def generate_image(
        self, config: ImageGenerationConfig, request: ImageGenerationRequest
    ) -> ImageGenerationResponse:
        result = await _invoke(
            self.handler, "generate_image_async", "generate_image", config, request
        )
        if isinstance(result, ImageGenerationResponse):
            return result
        return ImageGenerationResponse.model_validate(result)
