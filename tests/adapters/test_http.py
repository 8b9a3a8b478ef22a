"""One classification path for every provider HTTP call."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from tarash_gateway.adapters import (
    ContentModerationError,
    HTTPError,
    ProviderAuthenticationError,
    ProviderConnectionError,
    RateLimitError,
)
from tarash_gateway.adapters.http import (
    aclose_sessions,
    call,
    classify_status,
    encode_multipart,
    error_message,
    pooled_session,
    retry_after_seconds,
)
from tests.emulators.base import Emulator, Fault


class EchoEmulator(Emulator):
    name = "echo"

    def provider_routes(self) -> list[BaseRoute]:
        return [
            Route("/thing", self.thing, methods=["POST"]),
            Route("/port", self.port_of_the_caller, methods=["GET"]),
            Route("/cookie", self.set_cookie, methods=["POST"]),
        ]

    def authorized(self, request: Request) -> bool:
        return request.headers.get("authorization") == f"Bearer {self.api_key}"

    async def thing(self, request: Request) -> Response:
        if (fault := await self.enter(request, "submit")) is not None:
            return fault
        return JSONResponse({"ok": True, "got": await request.json()})

    async def set_cookie(self, request: Request) -> Response:
        """An upstream that hands out a session cookie, as some CDNs and gateways do."""
        if (fault := await self.enter(request, "cookie")) is not None:
            return fault
        response = JSONResponse({"ok": True})
        response.set_cookie("upstream_session", "caller-a", path="/")
        return response

    async def port_of_the_caller(self, request: Request) -> Response:
        """The caller's source port: the same port twice means one reused connection."""
        assert request.client is not None
        return JSONResponse({"port": request.client.port})


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


async def test_a_key_echoed_in_an_error_is_masked(emulator: EchoEmulator) -> None:
    emulator.fail_next("submit", Fault(status=400, body={"message": "bad key test-key"}))
    with pytest.raises(HTTPError) as caught:
        await call(
            "POST",
            f"{emulator.base_url}/thing",
            provider="echo",
            model="m",
            request_timeout=2,
            headers={"Authorization": "Bearer test-key"},
            json_body={},
            secret="test-key",
        )
    assert "test-key" not in str(caught.value)
    assert caught.value.raw_response == {"message": "bad key ***"}


# -- the pooled session ------------------------------------------------------------------


async def port_of_the_caller(emulator: EchoEmulator, limit: float = 2.0) -> int:
    headers = {"Authorization": "Bearer test-key"}
    answer = await call(
        "GET",
        f"{emulator.base_url}/port",
        provider="echo",
        model="m",
        request_timeout=limit,
        headers=headers,
    )
    return int(answer["port"])


async def test_calls_on_one_loop_share_one_session_and_connection(
    emulator: EchoEmulator,
) -> None:
    session = await pooled_session()
    first = await port_of_the_caller(emulator)
    assert await post(emulator) == {"ok": True, "got": {"a": 1}}
    assert await port_of_the_caller(emulator) == first  # the connection was kept alive
    assert await pooled_session() is session


def test_a_session_is_not_reused_after_its_loop_closed() -> None:
    first = asyncio.run(pooled_session())
    # asyncio.run closed it with the loop (no "Unclosed client session" warning)...
    assert first.closed
    # ...and the next loop gets a fresh one, not the dead loop's.
    second = asyncio.run(pooled_session())
    assert second is not first
    assert second.closed


async def test_aclose_sessions_closes_and_a_later_call_reopens(emulator: EchoEmulator) -> None:
    session = await pooled_session()
    await aclose_sessions()
    assert session.closed
    await aclose_sessions()  # twice is harmless
    assert await post(emulator) == {"ok": True, "got": {"a": 1}}
    assert await pooled_session() is not session


async def test_the_timeout_is_per_call_on_the_shared_session(emulator: EchoEmulator) -> None:
    emulator.fail_next("submit", Fault(hang_seconds=0.6))
    with pytest.raises(ProviderConnectionError, match="did not answer"):
        await post(emulator, limit=0.2)
    emulator.fail_next("submit", Fault(hang_seconds=0.6))
    assert await post(emulator, limit=3) == {"ok": True, "got": {"a": 1}}


async def test_the_shared_session_keeps_no_cookies(emulator: EchoEmulator) -> None:
    """A cookie one caller's call received is not sent on the next call. The host is a
    name, not an IP address: a real cookie jar keeps cookies only for names."""
    base = f"http://localhost:{emulator.port}"
    auth = {"Authorization": f"Bearer {emulator.api_key}"}
    for path in ("/cookie", "/thing"):
        await call(
            "POST",
            base + path,
            provider="echo",
            model="m",
            request_timeout=5.0,
            headers=auth,
            json_body={"a": 1},
        )
    cookie, thing = emulator.calls[-2:]
    assert (cookie.operation, thing.operation) == ("cookie", "submit")
    assert "cookie" not in thing.headers


def test_multipart_escapes_names_like_html5_forms() -> None:
    body, content_type = encode_multipart(
        [('a"b\\c\n', "value")], [("file", ('f"1.png', b"\x89PNG", "image/png"))]
    )
    boundary = content_type.removeprefix("multipart/form-data; boundary=").encode()
    assert len(boundary) == 32
    assert body == b"".join(
        [
            b"--" + boundary + b"\r\n",
            b'Content-Disposition: form-data; name="a%22b\\\\c%0A"\r\n\r\nvalue\r\n',
            b"--" + boundary + b"\r\n",
            b'Content-Disposition: form-data; name="file"; filename="f%221.png"\r\n',
            b"Content-Type: image/png\r\n\r\n\x89PNG\r\n",
            b"--" + boundary + b"--\r\n",
        ]
    )
