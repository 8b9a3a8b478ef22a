"""Structured JSON logs with a request id, and nothing secret in them.

Every line is one JSON object. Request-scoped fields (request id, key prefix, team,
alias, deployment, upstream id) live in context variables that the request middleware
sets and handlers enrich, so any log line written while serving a request carries
them. A redaction filter replaces every configured secret that might still slip into a
message, and masks URL userinfo and query values, as a last line of defence.
"""

from __future__ import annotations

import contextvars
import json
import logging
import secrets
import sys
import time
from collections.abc import Iterable
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from tarash_gateway.proxy.http.routes import ROUTE_TEMPLATES
from tarash_gateway.router import redact_urls

CONTEXT_FIELDS = (
    "request_id",
    "key_prefix",
    "team",
    "alias",
    "deployment",
    "upstream_id",
    "video_id",
)
_context: contextvars.ContextVar[dict[str, Any] | None] = contextvars.ContextVar(
    "tarash_log_context", default=None
)
access_log = logging.getLogger("tarash.access")
#: Routes whose path is itself a credential (a signed input link): logged by template.
SECRET_PATHS = frozenset({"/v1/inputs/{token}"})
#: Third-party loggers kept at WARNING or above, whatever the gateway's level.
QUIET_LOGGERS = ("httpx", "httpcore", "aiohttp.client")


def bind(**fields: Any) -> None:
    """Add fields to the current request's log context (ignored outside a request)."""
    current = _context.get()
    if current is not None:
        current.update({k: v for k, v in fields.items() if v is not None})


_RECORD_ATTRIBUTES = frozenset(
    [*logging.makeLogRecord({}).__dict__, "message", "asctime", "taskName"]
)


class JsonLineFormatter(logging.Formatter):
    """One JSON object per record: time, level, logger, message, then every extra field
    (request context included) and the traceback if any.

    Written for the access log's hot path: one dict and one ``json.dumps`` per line,
    where a general-purpose JSON formatter spent a tenth of a retrieve's CPU time.
    """

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": self.formatTime(record),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for key, value in record.__dict__.items():
            if key not in _RECORD_ATTRIBUTES:
                entry[key] = value
        if record.exc_info:
            entry["exc_info"] = self.formatException(record.exc_info)
        elif record.exc_text:
            entry["exc_info"] = record.exc_text
        if record.stack_info:
            entry["stack_info"] = self.formatStack(record.stack_info)
        return json.dumps(entry, default=str)


class ContextFilter(logging.Filter):
    """Copies the request context onto each record."""

    def filter(self, record: logging.LogRecord) -> bool:
        for key, value in (_context.get() or {}).items():
            if not hasattr(record, key):
                setattr(record, key, value)
        return True


class RedactFilter(logging.Filter):
    """Replaces known secrets anywhere in a record's message or arguments, and masks the
    userinfo and query values of any URL in it (webhook and signed media URLs carry
    their tokens there)."""

    def __init__(self, secrets_: Iterable[str] = ()) -> None:
        super().__init__()
        self.secrets = sorted({s for s in secrets_ if len(s) >= 6}, key=len, reverse=True)

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        has_url = "://" in message
        if not self.secrets and not has_url and not record.exc_info:
            return True
        for secret in self.secrets:
            message = message.replace(secret, "[redacted]")
        if has_url:
            message = redact_urls(message)
        record.msg, record.args = message, None
        if record.exc_info and record.exc_info[1] is not None:
            text = self.formatter_exception(record)
            for secret in self.secrets:
                text = text.replace(secret, "[redacted]")
            if "://" in text:
                text = redact_urls(text)
            record.exc_text, record.exc_info = text, None
        return True

    @staticmethod
    def formatter_exception(record: logging.LogRecord) -> str:
        return logging.Formatter().formatException(record.exc_info)  # type: ignore[arg-type]


def configure(level: str, known_secrets: Iterable[str] = ()) -> None:
    """JSON lines on stderr for the gateway's loggers (and uvicorn's errors)."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonLineFormatter())
    handler.addFilter(ContextFilter())
    handler.addFilter(RedactFilter(known_secrets))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    for name in ("uvicorn", "uvicorn.error"):
        logging.getLogger(name).handlers[:] = []
        logging.getLogger(name).propagate = True
    # The HTTP client logs every request's full URL at INFO; webhook URLs are secrets.
    for name in QUIET_LOGGERS:
        logging.getLogger(name).setLevel(max(logging.WARNING, root.level))


class RequestLogMiddleware:
    """Gives each request an id (``X-Request-Id`` accepted or generated, and echoed) and
    writes one access line with its status, route and timing."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        incoming = dict(scope["headers"]).get(b"x-request-id", b"").decode("latin-1")
        request_id = incoming[:128] if incoming.strip() else f"req_{secrets.token_hex(12)}"
        context: dict[str, Any] = {"request_id": request_id}
        token = _context.set(context)
        started = time.perf_counter()
        status = 500

        async def tagged_send(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                headers = list(message.get("headers", []))
                headers.append((b"x-request-id", request_id.encode("latin-1")))
                message = {**message, "headers": headers}
            await send(message)

        try:
            await self.app(scope, receive, tagged_send)
        finally:
            route = ROUTE_TEMPLATES.get(scope.get("endpoint"), "unmatched")  # type: ignore[arg-type]
            access_log.info(
                "%s %s %s",
                scope["method"],
                route if route in SECRET_PATHS else scope["path"],
                status,
                extra={
                    "method": scope["method"],
                    "route": route,
                    "status": status,
                    "duration_ms": round((time.perf_counter() - started) * 1000, 3),
                },
            )
            _context.reset(token)
