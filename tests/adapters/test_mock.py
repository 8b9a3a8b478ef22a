"""The mock provider's simulated job lifecycle."""

from __future__ import annotations

import pytest

from tarash_gateway.adapters import (
    ContentModerationError,
    GenerationFailedError,
    MockConfig,
    MockError,
    MockProvider,
    MockResponse,
    RateLimitError,
    ValidationError,
    VideoGenerationConfig,
    VideoGenerationRequest,
)
from tarash_gateway.adapters import mock as mock_module
from tarash_gateway.adapters.media import SAMPLE_THUMBNAIL, SAMPLE_VIDEO

REQUEST = VideoGenerationRequest(prompt="a cat")


class Clock:
    def __init__(self, now: float) -> None:
        self.now = now

    def time(self) -> float:
        return self.now

    def time_ns(self) -> int:
        return int(self.now * 1e9)


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    fake = Clock(1_700_000_000.0)
    monkeypatch.setattr(mock_module, "time", fake)
    return fake


def config(**mock: object) -> VideoGenerationConfig:
    return VideoGenerationConfig(provider="mock", model="m", mock=MockConfig(**mock))  # type: ignore[arg-type]


async def test_full_cycle_with_progress(clock: Clock) -> None:
    provider = MockProvider()
    cfg = config(job_seconds=10)
    job = await provider.submit_video(cfg, REQUEST)
    assert (await provider.poll_video(cfg, job.request_id)).status == "queued"
    clock.now += 5
    halfway = await provider.poll_video(cfg, job.request_id)
    assert (halfway.status, halfway.progress) == ("in_progress", 50)
    clock.now += 5
    done = await provider.poll_video(cfg, job.request_id)
    assert (done.status, done.progress) == ("completed", 100)
    result = await provider.fetch_video(cfg, job.request_id)
    assert result.is_mock is True
    assert result.video == SAMPLE_VIDEO.as_uri()
    assert result.thumbnail == SAMPLE_THUMBNAIL.as_uri()
    assert result.content_type == "video/mp4"
    assert result.raw_response is not None


def test_shipped_media_is_a_real_mp4_and_jpeg() -> None:
    video = SAMPLE_VIDEO.read_bytes()
    assert 1_000 < len(video) < 50_000
    assert video[4:8] == b"ftyp"
    assert b"moov" in video
    assert SAMPLE_THUMBNAIL.read_bytes()[:3] == b"\xff\xd8\xff"


async def test_state_survives_a_new_provider_instance(clock: Clock) -> None:
    cfg = config(job_seconds=1)
    job = await MockProvider().submit_video(cfg, REQUEST)
    clock.now += 2
    assert (await MockProvider().poll_video(cfg, job.request_id)).status == "completed"


async def test_custom_video_url(clock: Clock) -> None:
    cfg = config(job_seconds=0, responses=[MockResponse(video_url="https://cdn.example/v.mp4")])
    provider = MockProvider()
    job = await provider.submit_video(cfg, REQUEST)
    result = await provider.fetch_video(cfg, job.request_id)
    assert result.video == "https://cdn.example/v.mp4"
    assert result.thumbnail is None


async def test_injected_poll_error_fails_mid_way(clock: Clock) -> None:
    error = MockError(code="generation_failed", message="exploded")
    cfg = config(job_seconds=10, responses=[MockResponse(error=error)])
    provider = MockProvider()
    job = await provider.submit_video(cfg, REQUEST)
    clock.now += 2
    assert (await provider.poll_video(cfg, job.request_id)).status == "in_progress"
    clock.now += 4
    failed = await provider.poll_video(cfg, job.request_id)
    assert failed.status == "failed"
    assert isinstance(failed.error, GenerationFailedError)
    assert failed.error.message == "exploded"
    assert failed.error.request_id == job.request_id


@pytest.mark.parametrize(
    ("code", "expected"),
    [("rate_limit_exceeded", RateLimitError), ("moderation_blocked", ContentModerationError)],
)
async def test_injected_submit_error_raises(code: str, expected: type[Exception]) -> None:
    cfg = config(responses=[MockResponse(error=MockError(code=code, at="submit"))])
    with pytest.raises(expected):
        await MockProvider().submit_video(cfg, REQUEST)


async def test_remix_respects_the_switch(clock: Clock) -> None:
    provider = MockProvider()
    cfg = config(job_seconds=0)
    job = await provider.submit_video(cfg, REQUEST)
    remix = await provider.remix_video(cfg, job.request_id, REQUEST)
    assert remix.request_id != job.request_id
    no_remix = config(supports_remix=False)
    assert provider.supports_remix(no_remix) is False
    with pytest.raises(ValidationError, match="cannot remix"):
        await provider.remix_video(no_remix, job.request_id, REQUEST)


async def test_foreign_ids_are_rejected() -> None:
    with pytest.raises(ValidationError, match="not a mock job id"):
        await MockProvider().poll_video(config(), "fal-1234")


async def test_a_finished_poll_carries_the_result(clock: Clock) -> None:
    """The lifecycle needs no fetch after the mock's completed poll (issue 16, item 3)."""
    provider = MockProvider()
    cfg = config(job_seconds=1.0)
    job = await provider.submit_video(cfg, REQUEST)
    clock.now += 2.0

    progress = await provider.poll_video(cfg, job.request_id)

    assert progress.status == "completed"
    assert progress.result == await provider.fetch_video(cfg, job.request_id)
    assert progress.result is not None
    assert progress.result.is_mock
