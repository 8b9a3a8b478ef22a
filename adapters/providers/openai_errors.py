"""How an OpenAI-style error body reads: content refusals told apart from other 4xx, and
the whole body recovered from an SDK error."""

from __future__ import annotations

import json
from typing import Any

import openai

# -- errors -----------------------------------------------------------------------------------

_MODERATION_CODES = (
    "moderation",
    "content_policy",
    "content_filter",
    "responsibleaipolicyviolation",
    "safety",
)
_MODERATION_PHRASES = ("moderation", "content policy", "safety system", "content filter")


def _error_part(body: Any) -> dict[str, Any]:
    if isinstance(body, dict):
        inner = body.get("error", body)
        if isinstance(inner, dict):
            return inner
    return {}


def is_moderation(status: int, body: Any) -> bool:
    """A 4xx whose error code/type (or Azure's ``inner_error``) names a content refusal."""
    if status >= 500 or status in (401, 429):
        return False
    error = _error_part(body)
    codes = [error.get("code"), error.get("type")]
    inner = error.get("inner_error") or error.get("innererror")
    if isinstance(inner, dict):
        codes.append(inner.get("code"))
    if any(
        isinstance(code, str) and any(mark in code.lower() for mark in _MODERATION_CODES)
        for code in codes
    ):
        return True
    message = error.get("message")
    return isinstance(message, str) and any(
        phrase in message.lower() for phrase in _MODERATION_PHRASES
    )


def status_body(exc: openai.APIStatusError) -> Any:
    """The whole error body as sent (the SDK keeps only its ``error`` part)."""
    try:
        text = exc.response.text
    except Exception:  # the body was not read: fall back to what the SDK kept
        return exc.body
    try:
        return json.loads(text) if text else exc.body
    except ValueError:
        return text[:2000]
