"""The mock provider: simulated jobs with real media, for tests, demos and dry runs.

A mock job's whole state is encoded in its request id (submit time, the chosen
response and the requested duration), so it behaves like a real upstream job: a
restarted gateway can poll it again and it still finishes on time. It reports the
requested duration as the video's duration, as a real provider would for the video it
made, so costs settle as they would in production; the shipped file is a stand-in.
"""

from __future__ import annotations

import secrets
import time
from typing import get_args

from tarash_gateway.adapters.base import ImageProvider, VideoProvider, with_result
from tarash_gateway.adapters.errors import ValidationError
from tarash_gateway.adapters.field_mappers import Capabilities
from tarash_gateway.adapters.media import SAMPLE_DURATION_SECONDS, SAMPLE_THUMBNAIL, SAMPLE_VIDEO
from tarash_gateway.adapters.models import (
    ImageGenerationConfig,
    ImageGenerationRequest,
    ImageGenerationResponse,
    ImageRole,
    JobProgress,
    MockConfig,
    MockResponse,
    SubmittedJob,
    VideoGenerationConfig,
    VideoGenerationRequest,
    VideoGenerationResponse,
)

_PREFIX = "mock"
_QUEUED_FRACTION = 0.1
"""The first tenth of a job's simulated time is reported as ``queued``."""
_FAIL_FRACTION = 0.5
"""Jobs with an injected poll-stage error fail half-way through."""


def _settings(config: VideoGenerationConfig) -> MockConfig:
    return config.mock if config.mock is not None else MockConfig()


def _encode(index: int, seconds: int | None) -> str:
    millis = time.time_ns() // 1_000_000
    return f"{_PREFIX}_{millis}_{index}_{seconds or 0}_{secrets.token_hex(6)}"


def _decode(request_id: str, model: str) -> tuple[float, int, int | None]:
    """(submit time, chosen response index, requested seconds or None)."""
    try:
        prefix, millis, index, seconds, _token = request_id.split("_")
        if prefix != _PREFIX:
            raise ValueError(prefix)
        return int(millis) / 1000, int(index), int(seconds) or None
    except ValueError:
        raise ValidationError(
            f"not a mock job id: {request_id!r}",
            provider="mock",
            model=model,
            request_id=request_id,
        ) from None


MOCK_CAPABILITIES = Capabilities(
    audio=True,
    image_roles=get_args(ImageRole),
    video_input=True,
    default_duration=4,
    default_resolution="720p",
    default_aspect_ratio="9:16",
)
"""Everything allowed; only the defaults are set."""


class MockProvider(VideoProvider, ImageProvider):
    """Simulates a provider: weighted outcomes, injected errors, timed progress."""

    name = "mock"

    def capabilities(self, config: VideoGenerationConfig) -> Capabilities | None:
        """A registered table for the model if there is one (tests imitate real models
        that way); otherwise anything goes, and what is left out defaults the way the
        OpenAI contract does (4 s, 720x1280), which is what the mock imitates."""
        return super().capabilities(config) or MOCK_CAPABILITIES

    async def submit_video(
        self, config: VideoGenerationConfig, request: VideoGenerationRequest
    ) -> SubmittedJob:
        index, response = _settings(config).choose()
        return self._start(config, index, response, request)

    def _start(
        self,
        config: VideoGenerationConfig,
        index: int,
        response: MockResponse,
        request: VideoGenerationRequest,
    ) -> SubmittedJob:
        if response.error is not None and response.error.at == "submit":
            raise response.error.to_exception(model=config.model)
        request_id = _encode(index, request.duration_seconds)
        return SubmittedJob(request_id=request_id, raw_response={"id": request_id, "mock": True})

    async def poll_video(self, config: VideoGenerationConfig, request_id: str) -> JobProgress:
        settings = _settings(config)
        submitted_at, index, _seconds = _decode(request_id, config.model)
        response = settings.response_at(index)
        elapsed = max(0.0, time.time() - submitted_at)
        total = settings.job_seconds
        fraction = 1.0 if total <= 0 else elapsed / total
        raw = {"id": request_id, "elapsed_seconds": round(elapsed, 3)}
        if response.error is not None and fraction >= _FAIL_FRACTION:
            error = response.error.to_exception(model=config.model, request_id=request_id)
            return JobProgress(
                status="failed", progress=int(_FAIL_FRACTION * 100), error=error, raw_response=raw
            )
        if fraction >= 1.0:
            done = JobProgress(status="completed", progress=100, raw_response=raw)
            return with_result(done, lambda: _finished(config, request_id))
        status = "queued" if fraction < _QUEUED_FRACTION else "in_progress"
        return JobProgress(status=status, progress=min(99, int(fraction * 100)), raw_response=raw)

    async def fetch_video(
        self, config: VideoGenerationConfig, request_id: str
    ) -> VideoGenerationResponse:
        return _finished(config, request_id)

    def supports_remix(self, config: VideoGenerationConfig) -> bool:
        return _settings(config).supports_remix

    async def remix_video(
        self,
        config: VideoGenerationConfig,
        source_request_id: str,
        request: VideoGenerationRequest,
    ) -> SubmittedJob:
        if not self.supports_remix(config):
            return await super().remix_video(config, source_request_id, request)
        _decode(source_request_id, config.model)
        index, response = _settings(config).choose()
        return self._start(config, index, response, request)

    async def generate_image(
        self, config: ImageGenerationConfig, request: ImageGenerationRequest
    ) -> ImageGenerationResponse:
        """Images answer at once: the shipped JPEG (or the chosen custom URL), ``n`` times."""
        settings = config.mock if config.mock is not None else MockConfig()
        _index, response = settings.choose()
        if response.error is not None:
            raise response.error.to_exception(model=config.model)
        image = response.video_url or SAMPLE_THUMBNAIL.as_uri()
        request_id = f"mock_image_{secrets.token_hex(6)}"
        return ImageGenerationResponse(
            request_id=request_id,
            images=[image] * request.n,
            content_type="image/jpeg",
            is_mock=True,
            raw_response={"id": request_id, "images": [image] * request.n},
        )


def _finished(config: VideoGenerationConfig, request_id: str) -> VideoGenerationResponse:
    """The scripted result of a finished mock job (the sample video unless configured)."""
    _submitted_at, index, seconds = _decode(request_id, config.model)
    response = _settings(config).response_at(index)
    custom = response.video_url is not None
    video = response.video_url or SAMPLE_VIDEO.as_uri()
    thumbnail = response.thumbnail_url or (None if custom else SAMPLE_THUMBNAIL.as_uri())
    return VideoGenerationResponse(
        request_id=request_id,
        video=video,
        thumbnail=thumbnail,
        status="completed",
        duration=float(seconds) if seconds else (None if custom else SAMPLE_DURATION_SECONDS),
        content_type="video/mp4",
        is_mock=True,
        raw_response={"id": request_id, "video": {"url": video}},
    )
