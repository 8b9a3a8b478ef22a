"""OpenAI-style error bodies for everything that can go wrong, and nothing more.

Every failure, from a routing 404 to an unexpected exception, leaves the server as
``{"error": {"message", "type", "param", "code"}}`` so the OpenAI SDK raises its usual
exception classes; tracebacks and provider internals stay in the server log.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Mapping

import pydantic
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from tarash_gateway.router import (
    ContentModerationError,
    HTTPError,
    PollTimeoutError,
    ProviderAuthenticationError,
    ProviderConnectionError,
    RateLimitError,
    TarashError,
    UnknownAliasError,
    ValidationError,
)
from tarash_gateway.router.errors import NoDeploymentAvailableError

logger = logging.getLogger("tarash.proxy")


class APIError(Exception):
    """An error answered to the client as-is."""

    def __init__(
        self,
        status_code: int,
        message: str,
        *,
        type: str = "invalid_request_error",
        code: str | None = None,
        param: str | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status_code = status_code
        self.message = message
        self.type = type
        self.code = code
        self.param = param
        self.headers = dict(headers or {})

    def response(self) -> JSONResponse:
        body = {
            "error": {
                "message": self.message,
                "type": self.type,
                "param": self.param,
                "code": self.code,
            }
        }
        return JSONResponse(body, status_code=self.status_code, headers=self.headers)


def invalid_body(exc: pydantic.ValidationError) -> APIError:
    """A 400 naming the first field pydantic refused, and why."""
    error = exc.errors()[0]
    param = ".".join(str(part) for part in error["loc"]) or None
    message = str(error["msg"]).removeprefix("Value error, ")
    return APIError(
        400,
        f"Invalid value for {param}: {message}." if param else message,
        param=param,
        code="invalid_value",
    )


def not_found(what: str, identifier: str, param: str | None = None) -> APIError:
    return APIError(404, f"No {what} found with id {identifier!r}.", code="not_found", param=param)


def from_tarash(error: TarashError) -> APIError:
    """Translate a classified provider/routing error into what the client should see.

    Upstream auth failures are the operator's problem, not the caller's, so they become
    502 rather than 401 (which would tell the client its own key is wrong).
    """
    no_retry = {"x-should-retry": "false"}
    if isinstance(error, NoDeploymentAvailableError):
        wait = {"retry-after": str(max(1, math.ceil(error.retry_after)))}
        if error.limited:
            return APIError(
                429,
                error.message,
                type="rate_limit_error",
                code="rate_limit_exceeded",
                headers=wait,
            )
        return APIError(
            503, error.message, type="api_error", code="service_unavailable", headers=wait
        )
    if isinstance(error, UnknownAliasError):
        return APIError(404, error.message, code=error.code, param="model")
    if isinstance(error, ValidationError):
        return APIError(400, error.message, code=error.code, param=error.param)
    if isinstance(error, ContentModerationError):
        return APIError(400, error.message, code=error.code, param="prompt")
    if isinstance(error, RateLimitError):
        headers = {}
        if error.retry_after is not None:
            headers["retry-after"] = str(max(1, round(error.retry_after)))
        return APIError(
            429, error.message, type="rate_limit_error", code=error.code, headers=headers
        )
    if isinstance(error, ProviderAuthenticationError):
        return APIError(
            502,
            "The provider rejected the gateway's credentials.",
            type="api_error",
            code=error.code,
            headers=no_retry,
        )
    if isinstance(error, HTTPError):
        status = 400 if 400 <= error.status_code < 500 else 502
        headers = {} if error.is_retryable else no_retry
        return APIError(status, error.message, type="api_error", code=error.code, headers=headers)
    if isinstance(error, PollTimeoutError | ProviderConnectionError):
        return APIError(
            504 if isinstance(error, PollTimeoutError) else 502,
            error.message,
            type="api_error",
            code=error.code,
        )
    return APIError(502, error.message, type="api_error", code=error.code)


async def handle_api_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, APIError)
    return exc.response()


async def handle_tarash_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, TarashError)
    return from_tarash(exc).response()


async def handle_http_exception(request: Request, exc: Exception) -> Response:
    """Starlette's own 404/405 (unknown path, wrong method) in OpenAI's shape."""
    assert isinstance(exc, HTTPException)
    if exc.status_code == 404:
        message = f"Unknown request URL: {request.method} {request.url.path}."
        error = APIError(404, message, code="unknown_url")
    elif exc.status_code == 405:
        message = f"Method {request.method} is not allowed on {request.url.path}."
        error = APIError(405, message, code="method_not_allowed")
    else:
        error = APIError(exc.status_code, str(exc.detail))
    error.headers.update(exc.headers or {})
    return error.response()


async def handle_unexpected(request: Request, exc: Exception) -> Response:
    """The last resort: log the traceback, answer without leaking it."""
    logger.exception("unhandled error on %s %s", request.method, request.url.path)
    return APIError(
        500,
        "The gateway hit an unexpected error. It has been logged; please retry.",
        type="server_error",
        code="internal_error",
    ).response()


EXCEPTION_HANDLERS = {
    APIError: handle_api_error,
    TarashError: handle_tarash_error,
    HTTPException: handle_http_exception,
    Exception: handle_unexpected,
}
