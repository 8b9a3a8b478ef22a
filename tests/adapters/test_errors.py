"""The error hierarchy and what is retryable (SPEC §4)."""

from __future__ import annotations

import pytest

from tarash_gateway.adapters import (
    ContentModerationError,
    GenerationFailedError,
    HTTPError,
    MockError,
    PollTimeoutError,
    ProviderAuthenticationError,
    ProviderConnectionError,
    RateLimitError,
    TarashError,
    ValidationError,
)


@pytest.mark.parametrize(
    ("error", "retryable"),
    [
        (GenerationFailedError("x"), True),
        (PollTimeoutError("x"), True),
        (ProviderConnectionError("x"), True),
        (RateLimitError("x", retry_after=3), True),
        (HTTPError("x", status_code=500), True),
        (HTTPError("x", status_code=502), True),
        (HTTPError("x", status_code=503), True),
        (HTTPError("x", status_code=504), True),
        (ValidationError("x"), False),
        (ContentModerationError("x"), False),
        (HTTPError("x", status_code=400), False),
        (HTTPError("x", status_code=404), False),
        (ProviderAuthenticationError("x"), False),
        (ProviderAuthenticationError("x", status_code=403), False),
    ],
)
def test_retryability(error: TarashError, retryable: bool) -> None:
    assert error.is_retryable is retryable
    # The code a failed video reports names the class: the mock, given that code (and
    # status), rebuilds the same error with the same verdict.
    status = getattr(error, "status_code", None)
    rebuilt = MockError(code=error.code, status_code=status).to_exception(model="m")
    assert type(rebuilt) is type(error)
    assert rebuilt.is_retryable is retryable


def test_errors_carry_context() -> None:
    error = GenerationFailedError(
        "boom", provider="fal", model="fal-ai/veo3", request_id="r1", raw_response={"a": 1}
    )
    assert (error.provider, error.model, error.request_id) == ("fal", "fal-ai/veo3", "r1")
    assert error.raw_response == {"a": 1}
    assert str(error) == "boom"


@pytest.mark.parametrize(
    ("spec", "expected_class", "retryable"),
    [
        (MockError(), GenerationFailedError, True),
        (MockError(code="rate_limit_exceeded", retry_after=7), RateLimitError, True),
        (MockError(code="moderation_blocked"), ContentModerationError, False),
        (MockError(code="upstream_http_error", status_code=503), HTTPError, True),
        (MockError(code="upstream_http_error", status_code=400), HTTPError, False),
        (MockError(code="upstream_authentication_failed"), ProviderAuthenticationError, False),
        (MockError(code="timeout"), PollTimeoutError, True),
    ],
)
def test_mock_error_specs_build_classified_errors(
    spec: MockError, expected_class: type[TarashError], retryable: bool
) -> None:
    error = spec.to_exception(model="mock-model", request_id="r")
    assert type(error) is expected_class
    assert error.is_retryable is retryable
    assert error.provider == "mock"
    assert error.raw_response == {"error": {"code": spec.code, "message": spec.message}}


def test_rate_limit_spec_keeps_retry_after() -> None:
    error = MockError(code="rate_limit_exceeded", retry_after=7).to_exception(model="m")
    assert isinstance(error, RateLimitError)
    assert error.retry_after == 7
    assert error.status_code == 429


def test_unknown_mock_error_code_is_rejected() -> None:
    with pytest.raises(ValueError, match="unknown error code"):
        MockError(code="kaboom")
