"""The error hierarchy every provider call is classified into.

One base class carries what an operator needs to debug a failure (provider, model,
upstream request id, the raw response) and one flag the router needs to decide what to
do next: ``retryable``. Adapters raise only these; nothing provider-specific leaks out.

The message is what clients see (in error bodies, failed videos, attempt records), and
it is often the provider's own text, so credentials in it are masked when the error is
made; ``raw_response`` keeps the original for operators.
"""

from __future__ import annotations

from typing import Any, ClassVar

from tarash_gateway.adapters.redact import redact

RETRYABLE_HTTP_STATUSES = frozenset({408, 429, 500, 502, 503, 504})


class TarashError(Exception):
    """Base of every error the gateway raises on behalf of a provider or a request."""

    #: Whether another attempt (same or another deployment) may succeed.
    retryable: ClassVar[bool] = False
    #: A short machine-readable code, used in API error bodies and failed videos.
    code: ClassVar[str] = "provider_error"

    def __init__(
        self,
        message: str,
        *,
        provider: str | None = None,
        model: str | None = None,
        request_id: str | None = None,
        raw_response: Any = None,
    ) -> None:
        message = redact(message)
        super().__init__(message)
        self.message = message
        self.provider = provider
        self.model = model
        self.request_id = request_id
        self.raw_response = raw_response
        #: Every attempt of the call that ended in this error (set by the library API),
        #: so a caller whose whole fallback chain failed still sees what was tried.
        self.execution_metadata: Any = None

    @property
    def is_retryable(self) -> bool:
        """Instance-level retryability; subclasses refine it (e.g. by HTTP status)."""
        return self.retryable

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.message!r}, provider={self.provider!r})"


class ValidationError(TarashError):
    """The request asks for something the model cannot do; raised before any paid call."""

    code = "invalid_request"

    def __init__(self, message: str, *, param: str | None = None, **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        self.param = param


class ContentModerationError(TarashError):
    """The provider refused the prompt or an input on content grounds."""

    code = "moderation_blocked"


class GenerationFailedError(TarashError):
    """The provider accepted the job and later reported that it failed."""

    retryable = True
    code = "generation_failed"


class PollTimeoutError(TarashError):
    """The job did not finish within the configured timeout or poll attempts."""

    retryable = True
    code = "timeout"


class ProviderConnectionError(TarashError):
    """The provider could not be reached (DNS, refused connection, reset, read timeout)."""

    retryable = True
    code = "connection_error"


class HTTPError(TarashError):
    """The provider answered with an HTTP error status."""

    code = "upstream_http_error"

    def __init__(self, message: str, *, status_code: int, **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        self.status_code = status_code

    @property
    def is_retryable(self) -> bool:
        return self.status_code in RETRYABLE_HTTP_STATUSES


class RateLimitError(HTTPError):
    """HTTP 429 from the provider; ``retry_after`` is in seconds when the provider said."""

    code = "rate_limit_exceeded"

    def __init__(self, message: str, *, retry_after: float | None = None, **kwargs: Any) -> None:
        kwargs.setdefault("status_code", 429)
        super().__init__(message, **kwargs)
        self.retry_after = retry_after


class ProviderAuthenticationError(HTTPError):
    """HTTP 401/403 from the provider: the deployment's credentials are wrong."""

    code = "upstream_authentication_failed"

    def __init__(self, message: str, **kwargs: Any) -> None:
        kwargs.setdefault("status_code", 401)
        super().__init__(message, **kwargs)


ERROR_CODES: dict[str, type[TarashError]] = {
    cls.code: cls
    for cls in (
        TarashError,
        ValidationError,
        ContentModerationError,
        GenerationFailedError,
        PollTimeoutError,
        ProviderConnectionError,
        HTTPError,
        RateLimitError,
        ProviderAuthenticationError,
    )
}
"""Every error class by its ``code``, so configuration (e.g. mock errors) can name one."""
