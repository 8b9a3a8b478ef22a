"""The library API: mock runs, fallback chains, progress callbacks, sync wrappers,
custom providers."""

from __future__ import annotations

import asyncio
import threading
from typing import Any

import pytest

from tarash_gateway.adapters import (
    ContentModerationError,
    GenerationFailedError,
    ImageGenerationConfig,
    ImageGenerationRequest,
    MockConfig,
    MockError,
    MockResponse,
    ProgressUpdate,
    VideoGenerationConfig,
    VideoGenerationRequest,
    VideoGenerationResponse,
)
from tarash_gateway.adapters.media import SAMPLE_THUMBNAIL, SAMPLE_VIDEO
from tarash_gateway.router import (
    generate_image,
    generate_image_async,
    generate_video,
    generate_video_async,
    register_provider,
)

REQUEST = VideoGenerationRequest(prompt="a lighthouse", duration_seconds=4)


def mock(name: str = "m", **settings: Any) -> VideoGenerationConfig:
    settings.setdefault("job_seconds", 0.05)
    return VideoGenerationConfig(
        provider="mock", model=name, poll_interval=0.01, mock=MockConfig(**settings)
    )


def failing(code: str = "generation_failed", at: str = "poll") -> VideoGenerationConfig:
    return mock("failing", responses=[MockResponse(error=MockError(code=code, at=at))])


async def test_mock_video_end_to_end() -> None:
    result = await generate_video_async(mock(), REQUEST)
    assert result.is_mock is True
    assert result.video == SAMPLE_VIDEO.as_uri()
    assert result.duration == 4
    assert result.execution_metadata is not None
    assert result.execution_metadata.successful_attempt == 1
    assert result.execution_metadata.fallback_triggered is False


async def test_fallback_chain_after_a_retryable_failure() -> None:
    config = failing().model_copy(update={"fallback_configs": [mock("backup")]})
    result = await generate_video_async(config, REQUEST)
    metadata = result.execution_metadata
    assert metadata is not None
    assert metadata.total_attempts == 2
    assert metadata.successful_attempt == 2
    assert metadata.fallback_triggered is True
    assert metadata.configs_in_chain == 2
    assert [a.status for a in metadata.attempts] == ["failed", "success"]
    assert metadata.attempts[0].error_type == "GenerationFailedError"
    assert metadata.attempts[1].model == "backup"


async def test_non_retryable_error_stops_the_chain() -> None:
    config = failing("moderation_blocked", at="submit").model_copy(
        update={"fallback_configs": [mock("never-used")]}
    )
    with pytest.raises(ContentModerationError) as caught:
        await generate_video_async(config, REQUEST)
    assert caught.value.execution_metadata.total_attempts == 1


async def test_when_everything_fails_the_error_carries_the_history() -> None:
    config = failing().model_copy(update={"fallback_configs": [failing(), failing()]})
    with pytest.raises(GenerationFailedError) as caught:
        await generate_video_async(config, REQUEST)
    metadata = caught.value.execution_metadata
    assert metadata.total_attempts == 3
    assert metadata.successful_attempt is None
    assert all(a.status == "failed" for a in metadata.attempts)


async def test_async_and_sync_progress_callbacks() -> None:
    seen_sync: list[ProgressUpdate] = []
    seen_async: list[ProgressUpdate] = []

    async def record(update: ProgressUpdate) -> None:
        seen_async.append(update)

    await generate_video_async(mock(job_seconds=0.1), REQUEST, on_progress=seen_sync.append)
    await generate_video_async(mock(job_seconds=0.1), REQUEST, on_progress=record)
    for seen in (seen_sync, seen_async):
        assert seen[-1].status == "completed"
        assert seen[-1].progress_percent == 100
        assert [u.progress_percent for u in seen] == sorted(u.progress_percent for u in seen)


def test_sync_wrapper_without_a_loop() -> None:
    assert generate_video(mock(), REQUEST).video == SAMPLE_VIDEO.as_uri()


async def test_sync_wrapper_inside_a_running_loop_does_not_deadlock() -> None:
    # Called from a coroutine: this thread's loop is busy running us.
    result = generate_video(mock(), REQUEST)
    assert result.is_mock


def test_sync_wrapper_from_a_thread_while_another_loop_runs() -> None:
    loop = asyncio.new_event_loop()
    runner = threading.Thread(target=loop.run_forever, daemon=True)
    runner.start()
    try:
        results: list[VideoGenerationResponse] = []
        worker = threading.Thread(target=lambda: results.append(generate_video(mock(), REQUEST)))
        worker.start()
        worker.join(timeout=10)
        assert results
        assert results[0].is_mock
    finally:
        loop.call_soon_threadsafe(loop.stop)
        runner.join(timeout=5)
        loop.close()


async def test_mock_images() -> None:
    config = ImageGenerationConfig(provider="mock", model="img", mock=MockConfig())
    result = await generate_image_async(config, ImageGenerationRequest(prompt="a cat", n=2))
    assert result.images == [SAMPLE_THUMBNAIL.as_uri()] * 2
    assert result.is_mock
    seen: list[ProgressUpdate] = []
    assert generate_image(
        config, ImageGenerationRequest(prompt="x"), on_progress=seen.append
    ).images
    assert [(u.status, u.progress_percent) for u in seen] == [("completed", 100)]


class FourMethodHandler:
    """A custom provider written as the library's four generate methods."""

    def __init__(self) -> None:
        self.calls = 0

    async def generate_video_async(
        self, config: VideoGenerationConfig, request: VideoGenerationRequest
    ) -> VideoGenerationResponse:
        self.calls += 1
        await asyncio.sleep(0.01)
        return VideoGenerationResponse(request_id="c1", video="https://cdn.example/c1.mp4")

    def generate_video(self, config: Any, request: Any) -> VideoGenerationResponse:
        raise AssertionError("the async method is preferred")

    async def generate_image_async(self, config: Any, request: Any) -> dict[str, Any]:
        return {"request_id": "i1", "images": ["https://cdn.example/i1.png"]}

    def generate_image(self, config: Any, request: Any) -> Any:
        raise AssertionError("the async method is preferred")


async def test_custom_four_method_provider_in_the_library() -> None:
    handler = FourMethodHandler()
    register_provider("test-four-methods", handler)
    config = VideoGenerationConfig(provider="test-four-methods", model="x", poll_interval=0.01)
    result = await generate_video_async(config, REQUEST)
    assert result.video == "https://cdn.example/c1.mp4"
    assert handler.calls == 1
    image_config = ImageGenerationConfig(provider="test-four-methods", model="x")
    image = await generate_image_async(image_config, ImageGenerationRequest(prompt="p"))
    assert image.images == ["https://cdn.example/i1.png"]


class SyncOnlyHandler:
    def generate_video(self, config: Any, request: Any) -> VideoGenerationResponse:
        if request.prompt == "boom":
            raise RuntimeError("handler bug")
        return VideoGenerationResponse(request_id="s1", video="https://cdn.example/s1.mp4")


async def test_sync_only_custom_handler_and_its_failures() -> None:
    register_provider("test-sync-only", SyncOnlyHandler())
    config = VideoGenerationConfig(provider="test-sync-only", model="x", poll_interval=0.01)
    assert (await generate_video_async(config, REQUEST)).video == "https://cdn.example/s1.mp4"
    with pytest.raises(GenerationFailedError, match="handler bug"):
        await generate_video_async(config, VideoGenerationRequest(prompt="boom"))
