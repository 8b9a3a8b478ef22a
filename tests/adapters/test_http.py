"""One classification path for every provider HTTP call."""

from __future__ import annotations

from typing import Any

import pytest
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from adapters import (
    ContentModerationError,
    HTTPError,
    ProviderAuthenticationError,
    ProviderConnectionError,
    RateLimitError,
)
from adapters.http import call, classify_status, error_message, retry_after_seconds
from tests.emulators.base import Emulator, Fault


class EchoEmulator(Emulator):
    name = "echo"

    def provider_routes(self) -> list[BaseRoute]:
        return [Route("/thing", self.thing, methods=["POST"])]

    def authorized(self, request: Request) -> bool:
        return request.headers.get("authorization") == f"Bearer {self.api_key}"

    async def thing(self, request: Request) -> Response:
        if (fault := await self.enter(request, "submit")) is not None:
            return fault
        return JSONResponse({"ok": True, "got": await request.json()})


@pytest.fixture
def emulator() -> Any:
    with EchoEmulator() as running:
        yield running


async def post(emulator: EchoEmulator, key: str = "test-key", limit: float = 2.0) -> Any:
    return await call(
        "POST",
        f"{emulator.base_url}/thing",
        provider="echo",
        model="m",
        request_timeout=limit,
        headers={"Authorization": f"Bearer {key}"},
        json_body={"a": 1},
        moderation=lambda status, body: isinstance(body, dict) and body.get("flagged") is True,
    )


async def test_success_returns_json(emulator: EchoEmulator) -> None:
    assert await post(emulator) == {"ok": True, "got": {"a": 1}}


async def test_429_carries_retry_after(emulator: EchoEmulator) -> None:
    emulator.fail_next("submit", Fault(status=429, headers={"Retry-After": "7"}))
    with pytest.raises(RateLimitError) as caught:
        await post(emulator)
    assert caught.value.retry_after == 7
    assert caught.value.is_retryable


@pytest.mark.parametrize(
    ("status", "retryable"), [(500, True), (503, True), (400, False), (404, False), (422, False)]
)
async def test_status_classes(emulator: EchoEmulator, status: int, retryable: bool) -> None:
    emulator.fail_next("submit", Fault(status=status, body={"message": "nope"}))
    with pytest.raises(HTTPError) as caught:
        await post(emulator)
    assert caught.value.status_code == status
    assert caught.value.is_retryable is retryable
    assert caught.value.raw_response == {"message": "nope"}
    assert "nope" in caught.value.message


async def test_bad_key(emulator: EchoEmulator) -> None:
    with pytest.raises(ProviderAuthenticationError) as caught:
        await post(emulator, key="sk-wrong-secret")
    assert "sk-wrong-secret" not in str(caught.value)
    assert not caught.value.is_retryable


async def test_hang_is_a_connection_error(emulator: EchoEmulator) -> None:
    emulator.fail_next("submit", Fault(hang_seconds=0.8))
    with pytest.raises(ProviderConnectionError, match="did not answer"):
        await post(emulator, limit=0.3)


async def test_malformed_json_is_retryable(emulator: EchoEmulator) -> None:
    emulator.fail_next("submit", Fault(malformed=True))
    with pytest.raises(HTTPError) as caught:
        await post(emulator)
    assert caught.value.status_code == 502
    assert caught.value.is_retryable


async def test_moderation_hook(emulator: EchoEmulator) -> None:
    emulator.fail_next("submit", Fault(status=400, body={"flagged": True, "message": "nsfw"}))
    with pytest.raises(ContentModerationError):
        await post(emulator)


async def test_refused_connection() -> None:
    with pytest.raises(ProviderConnectionError, match="could not reach"):
        await call("GET", "http://127.0.0.1:9/", provider="echo", model="m", request_timeout=1)


def test_helpers() -> None:
    assert retry_after_seconds({"retry-after-ms": "1500"}) == 1.5
    assert retry_after_seconds({}, {"retry_after": 3}) == 3
    assert retry_after_seconds({"Retry-After": "soon"}) is None
    assert error_message({"detail": [{"msg": "bad duration"}]}, "x") == "bad duration"
    assert error_message({"error": {"message": "quota"}}, "x") == "quota"
    assert error_message(None, "fallback") == "fallback"
    error = classify_status(403, {"message": "forbidden"}, provider="p", model="m")
    assert isinstance(error, ProviderAuthenticationError)
    assert error.status_code == 403
