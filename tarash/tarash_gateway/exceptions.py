"""``tarash.tarash_gateway.exceptions``: the predecessor's error names, bound to ours.

An ``except TarashException`` catches every gateway error, exactly as
``except tarash_gateway.TarashError`` does, because they are the same class.
"""

from tarash_gateway import (
    ContentModerationError,
    GenerationFailedError,
    HTTPError,
    PollTimeoutError,
    ProviderConnectionError,
    TarashError,
    ValidationError,
)

TarashException = TarashError
HTTPConnectionError = ProviderConnectionError
TimeoutError = PollTimeoutError  # the predecessor's name, shadowing the builtin as it did


def is_retryable_error(error: BaseException) -> bool:
    """Whether another attempt (or the next fallback) may succeed after ``error``."""
    return isinstance(error, TarashError) and error.is_retryable


__all__ = [
    "ContentModerationError",
    "GenerationFailedError",
    "HTTPConnectionError",
    "HTTPError",
    "TarashException",
    "TimeoutError",
    "ValidationError",
    "is_retryable_error",
]
