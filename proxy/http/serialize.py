"""The Video resource exactly as the OpenAI SDK reads it."""

from __future__ import annotations

import json
from typing import Any

from tarash_gateway.proxy.store.jobs import VideoRecord


def video_object(record: VideoRecord) -> dict[str, Any]:
    """A record as an OpenAI ``Video``; ``model`` is the alias the client asked for."""
    error = None
    if record.status == "failed":
        error = {
            "code": record.error_code or "generation_failed",
            "message": record.error_message or "The video generation failed.",
        }
    return {
        "id": record.id,
        "object": "video",
        "model": record.alias,
        "status": record.status,
        "progress": record.progress,
        "created_at": int(record.created_at),
        "completed_at": int(record.completed_at) if record.completed_at is not None else None,
        "expires_at": int(record.expires_at) if record.expires_at is not None else None,
        "prompt": record.prompt,
        "seconds": record.seconds,
        "size": record.size,
        "remixed_from_video_id": record.remixed_from_video_id,
        "error": error,
        # Gateway extension (the SDK's models keep unknown fields): what this video costs.
        "tarash": {
            "estimated_cost_usd": record.estimated_cost_usd,
            "cost_usd": record.cost_usd,
            "deployment_id": record.deployment_id,
            "attempts": json.loads(record.attempts_json) if record.attempts_json else [],
        },
    }
