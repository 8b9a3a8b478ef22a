"""``tarash.tarash_gateway.models``: the predecessor's model names, bound to ours.

The predecessor had one progress class per job kind (``VideoGenerationUpdate``,
``ImageGenerationUpdate``) and called an attempt ``AttemptMetadata``; the gateway has
one :class:`~tarash_gateway.ProgressUpdate` and :class:`~tarash_gateway.AttemptRecord`.
"""

from tarash_gateway import (
    AttemptRecord,
    ExecutionMetadata,
    ImageGenerationConfig,
    ImageGenerationRequest,
    ImageGenerationResponse,
    ProgressUpdate,
    VideoGenerationConfig,
    VideoGenerationRequest,
    VideoGenerationResponse,
)
from tarash_gateway.adapters.models import AspectRatio, JobStatus, Resolution
from tarash_gateway.adapters.polling import ProgressCallback

VideoGenerationUpdate = ProgressUpdate
ImageGenerationUpdate = ProgressUpdate
AttemptMetadata = AttemptRecord
StatusType = JobStatus

__all__ = [
    "AspectRatio",
    "AttemptMetadata",
    "ExecutionMetadata",
    "ImageGenerationConfig",
    "ImageGenerationRequest",
    "ImageGenerationResponse",
    "ImageGenerationUpdate",
    "ProgressCallback",
    "Resolution",
    "StatusType",
    "VideoGenerationConfig",
    "VideoGenerationRequest",
    "VideoGenerationResponse",
    "VideoGenerationUpdate",
]
