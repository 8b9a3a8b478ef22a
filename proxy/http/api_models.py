"""Schemas of the OpenAI-compatible API, for the OpenAPI document.

They are the published schema and, for the Video resource, the wire format itself:
``serialize`` builds a ``VideoObject`` from each record and pydantic writes its JSON.
"""

from __future__ import annotations

from typing import Literal, TypeAlias

from pydantic import BaseModel, Field

from tarash_gateway.router import AttemptRecord


class ErrorDetail(BaseModel):
    message: str
    type: str
    param: str | None
    code: str | None


class ErrorBody(BaseModel):
    error: ErrorDetail


VideoStatus: TypeAlias = Literal["queued", "in_progress", "completed", "failed"]


class VideoError(BaseModel):
    code: str
    message: str


class VideoCost(BaseModel):
    """Gateway extension on each Video, visible to its owner."""

    estimated_cost_usd: float = Field(description="Reserved against budgets at create.")
    cost_usd: float | None = Field(description="Settled cost once final (0 when failed).")
    deployment_id: str = Field(description="The deployment running (or that ran) the job.")
    attempts: list[AttemptRecord] = Field(
        description="Every submit: retries, fallbacks and resubmissions after failures."
    )


class VideoObject(BaseModel):
    id: str
    object: Literal["video"]
    model: str = Field(description="The alias the client asked for.")
    status: VideoStatus
    progress: int = Field(ge=0, le=100)
    created_at: int
    completed_at: int | None
    expires_at: int | None
    prompt: str | None
    seconds: str
    size: str
    remixed_from_video_id: str | None
    error: VideoError | None
    tarash: VideoCost


class VideoList(BaseModel):
    object: Literal["list"]
    data: list[VideoObject]
    has_more: bool
    first_id: str | None
    last_id: str | None


class VideoDeleted(BaseModel):
    id: str
    object: Literal["video.deleted"]
    deleted: bool


class VideoCreate(BaseModel):
    """Sent as multipart/form-data by the SDK (all values strings) or as JSON."""

    model: str = Field(description="An alias from the config.")
    prompt: str
    seconds: str | None = Field(
        default=None, description="Whole seconds; left out, the serving model's own default."
    )
    size: str | None = Field(
        default=None, description="WIDTHxHEIGHT; left out, the serving model's own default."
    )
    input_reference: str | None = Field(
        default=None, description="An image file upload (JPEG/PNG/WebP) used as first frame."
    )
    resolution: Literal["360p", "480p", "720p", "1080p", "4k"] | None = None
    aspect_ratio: Literal["16:9", "9:16", "1:1", "4:3", "21:9"] | None = None
    negative_prompt: str | None = None
    seed: int | None = None
    generate_audio: bool | None = None
    enhance_prompt: bool | None = None


class VideoRemix(BaseModel):
    prompt: str


class ImageCreate(BaseModel):
    model: str = Field(description="An alias whose deployments generate images.")
    prompt: str
    n: int = Field(default=1, ge=1, le=10)
    size: str | None = None
    quality: str | None = None
    style: str | None = None
    response_format: Literal["url", "b64_json"] = "url"
    negative_prompt: str | None = None
    aspect_ratio: str | None = None
    seed: int | None = None


class ImageData(BaseModel):
    url: str | None = None
    b64_json: str | None = None
    revised_prompt: str | None = None


class ImagesResponse(BaseModel):
    created: int
    data: list[ImageData]


class ModelObject(BaseModel):
    id: str
    object: Literal["model"]
    created: int
    owned_by: str


class ModelList(BaseModel):
    object: Literal["list"]
    data: list[ModelObject]


class Liveness(BaseModel):
    status: Literal["ok"]


class Readiness(BaseModel):
    status: Literal["ready", "not ready"]
    checks: dict[str, str]
