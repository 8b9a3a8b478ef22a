"""The unified request/response model shared by every provider (SPEC §3).

Requests keep unknown fields: anything a caller sends that is not a unified field is
collected into ``extra_params`` and handed to the provider knowingly, never dropped.
"""

from __future__ import annotations

import random
from typing import Any, Literal, Self

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PrivateAttr,
    SecretStr,
    field_validator,
    model_validator,
)

from tarash_gateway.adapters.errors import ERROR_CODES, HTTPError, RateLimitError, TarashError

Resolution = Literal["360p", "480p", "720p", "1080p", "4k"]
AspectRatio = Literal["16:9", "9:16", "1:1", "4:3", "21:9"]
ImageRole = Literal["reference", "first_frame", "last_frame", "asset", "style", "mask"]
JobStatus = Literal["queued", "in_progress", "completed", "failed"]


class _CollectsExtras(BaseModel):
    """Moves every unknown field into ``extra_params`` instead of rejecting or dropping it."""

    model_config = ConfigDict(extra="forbid")

    extra_params: dict[str, Any] = Field(default_factory=dict)

    @model_validator(mode="before")
    @classmethod
    def _collect_extra_params(cls, data: Any) -> Any:
        if not isinstance(data, dict):
            return data
        known = set(cls.model_fields)
        unknown = {key: value for key, value in data.items() if key not in known}
        if not unknown:
            return data
        kept = {key: value for key, value in data.items() if key in known}
        kept["extra_params"] = {**unknown, **dict(data.get("extra_params") or {})}
        return kept


class MockError(BaseModel):
    """An error the mock injects, named by its code so it can be written in YAML."""

    model_config = ConfigDict(extra="forbid")

    code: str = "generation_failed"
    message: str = "mock provider: injected failure"
    at: Literal["submit", "poll"] = "poll"
    """``submit``: the provider refuses the job; ``poll``: it accepts it and fails mid-way."""
    status_code: int | None = Field(default=None, ge=400, le=599)
    retry_after: float | None = Field(default=None, ge=0)

    @field_validator("code")
    @classmethod
    def _known_code(cls, code: str) -> str:
        if code not in ERROR_CODES:
            raise ValueError(f"unknown error code {code!r}; expected one of {sorted(ERROR_CODES)}")
        return code

    def to_exception(self, *, model: str, request_id: str | None = None) -> TarashError:
        """Build the classified error this spec describes."""
        error_class = ERROR_CODES[self.code]
        common: dict[str, Any] = {
            "provider": "mock",
            "model": model,
            "request_id": request_id,
            "raw_response": {"error": {"code": self.code, "message": self.message}},
        }
        if issubclass(error_class, RateLimitError):
            return error_class(self.message, retry_after=self.retry_after, **common)
        if issubclass(error_class, HTTPError):
            status = self.status_code or {"upstream_authentication_failed": 401}.get(self.code, 500)
            return error_class(self.message, status_code=status, **common)
        return error_class(self.message, **common)


class MockResponse(BaseModel):
    """One possible outcome of a mock call, chosen with probability ∝ ``weight``."""

    model_config = ConfigDict(extra="forbid")

    weight: float = Field(default=1.0, ge=0)
    video_url: str | None = None
    """Where the result lives; None means the MP4 shipped with the package."""
    thumbnail_url: str | None = None
    error: MockError | None = None


class MockConfig(BaseModel):
    """Serve calls from a simulated provider: no network, no keys, no spend."""

    model_config = ConfigDict(extra="forbid")

    enabled: bool = True
    responses: list[MockResponse] = Field(default_factory=list)
    seed: int | None = None
    """Makes the sequence of weighted choices reproducible."""
    job_seconds: float = Field(default=2.0, ge=0)
    """Simulated time from submit to completion; progress grows linearly over it."""
    supports_remix: bool = True

    _rng: random.Random = PrivateAttr()

    @model_validator(mode="after")
    def _positive_total_weight(self) -> Self:
        if self.responses and sum(r.weight for r in self.responses) <= 0:
            raise ValueError("mock responses need at least one positive weight")
        return self

    def model_post_init(self, context: Any, /) -> None:
        self._rng = random.Random(self.seed)

    def choose(self) -> tuple[int, MockResponse]:
        """Pick a response by weight; with no responses configured, a plain success."""
        if not self.responses:
            return -1, MockResponse()
        weights = [response.weight for response in self.responses]
        index = self._rng.choices(range(len(self.responses)), weights=weights)[0]
        return index, self.responses[index]

    def response_at(self, index: int) -> MockResponse:
        """The response chosen at submit time (a default success if it no longer exists)."""
        if 0 <= index < len(self.responses):
            return self.responses[index]
        return MockResponse()


class ImageInput(BaseModel):
    """An input image: a URL, a ``data:`` URL or raw base64, with the role it plays."""

    model_config = ConfigDict(extra="forbid")

    image: str = Field(min_length=1)
    role: ImageRole = "reference"


class ProviderSettings(BaseModel):
    """What every provider call needs: which provider and model, and how to reach it."""

    model_config = ConfigDict(extra="forbid")

    provider: str = Field(min_length=1)
    model: str = Field(min_length=1)
    api_key: SecretStr | None = None
    base_url: str | None = None
    api_version: str | None = None
    mock: MockConfig | None = None
    provider_config: dict[str, Any] = Field(default_factory=dict)
    request_timeout: float = Field(default=60.0, gt=0)
    """Seconds for one HTTP call to the provider (the job as a whole has ``timeout``)."""

    @property
    def is_mock(self) -> bool:
        """True when this call is served by the mock, whatever ``provider`` says."""
        return self.provider == "mock" or (self.mock is not None and self.mock.enabled)


class VideoGenerationConfig(ProviderSettings):
    """Where and how to run a video generation."""

    timeout: float = Field(default=600.0, gt=0)
    max_poll_attempts: int = Field(default=120, gt=0)
    poll_interval: float = Field(default=5.0, gt=0)
    fallback_configs: list[VideoGenerationConfig] = Field(default_factory=list)


class ImageGenerationConfig(ProviderSettings):
    """Where and how to run an image generation."""

    timeout: float = Field(default=120.0, gt=0)
    max_poll_attempts: int = Field(default=60, gt=0)
    poll_interval: float = Field(default=2.0, gt=0)
    fallback_configs: list[ImageGenerationConfig] = Field(default_factory=list)


class VideoGenerationRequest(_CollectsExtras):
    """A provider-neutral description of the video to generate."""

    prompt: str = Field(min_length=1, max_length=32_000)
    duration_seconds: int | None = Field(default=None, gt=0, le=600)
    resolution: Resolution | None = None
    aspect_ratio: AspectRatio | None = None
    generate_audio: bool | None = None
    image_list: list[ImageInput] = Field(default_factory=list)
    video: str | None = None
    seed: int | None = None
    number_of_videos: int = Field(default=1, ge=1, le=4)
    negative_prompt: str | None = None
    enhance_prompt: bool | None = None


class ImageGenerationRequest(_CollectsExtras):
    """A provider-neutral description of the image(s) to generate."""

    prompt: str = Field(min_length=1, max_length=32_000)
    negative_prompt: str | None = None
    size: str | None = None
    quality: str | None = None
    style: str | None = None
    n: int = Field(default=1, ge=1, le=10)
    aspect_ratio: AspectRatio | None = None
    image_list: list[ImageInput] = Field(default_factory=list)
    mask_image: str | None = None
    seed: int | None = None


class AttemptRecord(BaseModel):
    """One try against one provider configuration."""

    provider: str
    model: str
    deployment_id: str | None = None
    """Set by the gateway's router (the library API has no deployments)."""
    status: Literal["success", "failed"]
    error_type: str | None = None
    error_message: str | None = None
    elapsed_seconds: float = 0.0


class ExecutionMetadata(BaseModel):
    """The history of a call across retries and fallbacks, kept even when all fail."""

    total_attempts: int = 0
    successful_attempt: int | None = None
    attempts: list[AttemptRecord] = Field(default_factory=list)
    fallback_triggered: bool = False
    configs_in_chain: int = 1
    total_elapsed_seconds: float = 0.0


class VideoGenerationResponse(BaseModel):
    """A finished (or failed) video generation, in provider-neutral terms."""

    request_id: str
    video: str | bytes | None = None
    thumbnail: str | None = None
    status: JobStatus = "completed"
    duration: float | None = None
    resolution: str | None = None
    aspect_ratio: str | None = None
    content_type: str = "video/mp4"
    audio_url: str | None = None
    is_mock: bool = False
    raw_response: Any = None
    provider_metadata: dict[str, Any] = Field(default_factory=dict)
    execution_metadata: ExecutionMetadata | None = None


class ImageGenerationResponse(BaseModel):
    """Finished image generation: one entry per image (URL or base64)."""

    request_id: str
    images: list[str] = Field(default_factory=list)
    status: JobStatus = "completed"
    content_type: str = "image/jpeg"
    is_mock: bool = False
    revised_prompt: str | None = None
    raw_response: Any = None
    provider_metadata: dict[str, Any] = Field(default_factory=dict)
    execution_metadata: ExecutionMetadata | None = None


class ProgressUpdate(BaseModel):
    """What ``on_progress`` callbacks receive after each poll."""

    request_id: str
    status: JobStatus
    progress_percent: int = Field(ge=0, le=100)
    provider: str
    model: str


class JobProgress(BaseModel):
    """What one poll of an upstream job tells us."""

    status: JobStatus
    progress: int = Field(default=0, ge=0, le=100)
    error: Any = None
    """The classified error (a ``TarashError``) when ``status`` is ``failed``."""
    raw_response: Any = None
    result: VideoGenerationResponse | None = None
    """The finished result when the status answer already carries it (``completed``
    only), so the lifecycle need not fetch the same resource a second time."""

    def failure(
        self,
        *,
        provider: str | None = None,
        model: str | None = None,
        request_id: str | None = None,
    ) -> TarashError:
        """The error a ``failed`` poll stands for: the adapter's classified error when it
        gave one, else a generic provider error carrying what the provider said."""
        if isinstance(self.error, TarashError):
            return self.error
        return TarashError(
            str(self.error or "the provider reported a failure"),
            provider=provider,
            model=model,
            request_id=request_id,
            raw_response=self.raw_response,
        )


class SubmittedJob(BaseModel):
    """The provider accepted a job; ``request_id`` is the provider's own id for it."""

    request_id: str
    raw_response: Any = None
