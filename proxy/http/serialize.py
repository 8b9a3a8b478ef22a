"""The Video resource exactly as the OpenAI SDK reads it, built from its one schema.

The pydantic models in ``api_models`` are both the published OpenAPI schema and the
wire format: a record's values are validated into a ``VideoObject`` and pydantic writes
its JSON, so the two cannot drift (and that is faster than ``json.dumps`` of a dict,
which matters on retrieve and list).
"""

from __future__ import annotations

import json
from typing import Any

from starlette.responses import Response

from tarash_gateway.proxy.http.api_models import VideoList, VideoObject
from tarash_gateway.proxy.store.jobs import VideoRecord

_VIDEO = VideoObject.__pydantic_serializer__
_LIST = VideoList.__pydantic_serializer__


def _values(record: VideoRecord) -> dict[str, Any]:
    """The record's values under the model's field names. The model validates them, so
    a missing one fails loudly and anything it does not declare never reaches the wire;
    one validation call over plain values is faster than building nested models."""
    error = None
    if record.status == "failed":
        error = {
            "code": record.error_code or "generation_failed",
            "message": record.error_message or "The video generation failed.",
        }
    completed, expires = record.completed_at, record.expires_at
    return {
        "id": record.id,
        "object": "video",
        "model": record.alias,
        "status": record.status,
        "progress": record.progress,
        "created_at": int(record.created_at),
        "completed_at": int(completed) if completed is not None else None,
        "expires_at": int(expires) if expires is not None else None,
        "prompt": record.prompt,
        "seconds": record.seconds,
        "size": record.size,
        "remixed_from_video_id": record.remixed_from_video_id,
        "error": error,
        "tarash": {
            "estimated_cost_usd": record.estimated_cost_usd,
            "cost_usd": record.cost_usd,
            "deployment_id": record.deployment_id,
            # Stored as AttemptRecord dumps; validated back into them.
            "attempts": json.loads(record.attempts_json) if record.attempts_json else [],
        },
    }


def video_model(record: VideoRecord) -> VideoObject:
    """A record as an OpenAI ``Video``; ``model`` is the alias the client asked for."""
    return VideoObject.model_validate(_values(record))


def video_json(record: VideoRecord) -> bytes:
    """The Video's JSON body."""
    return _VIDEO.to_json(video_model(record))


def video_list_json(records: list[VideoRecord], has_more: bool) -> bytes:
    """One page of ``GET /v1/videos`` as the SDK's cursor page reads it."""
    page = {
        "object": "list",
        "data": [_values(record) for record in records],
        "has_more": has_more,
        "first_id": records[0].id if records else None,
        "last_id": records[-1].id if records else None,
    }
    return _LIST.to_json(VideoList.model_validate(page))


def json_response(
    body: bytes, status_code: int = 200, headers: dict[str, str] | None = None
) -> Response:
    """Already-encoded JSON, sent as ``JSONResponse`` would send it."""
    return Response(body, status_code=status_code, headers=headers, media_type="application/json")
