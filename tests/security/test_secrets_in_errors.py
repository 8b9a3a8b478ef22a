"""Provider error text is relayed to clients, so credentials in it are masked when the
error is made (every client-visible path reads ``TarashError.message``)."""

from __future__ import annotations

from pathlib import Path

import openai
import pytest

from tarash_gateway.adapters import HTTPError, TarashError
from tarash_gateway.adapters.redact import redact_urls
from tarash_gateway.proxy.http.errors import from_tarash
from tarash_gateway.router import Router, parse_config
from tests.conftest import write_config
from tests.emulators.base import Fault
from tests.emulators.runway import RunwayEmulator
from tests.security.inprocess import MASTER
from tests.servers import GatewayProcess

LEAKY = (
    "upstream failed: could not connect to postgres://admin:hunter2@10.0.0.5/db "
    "with key sk-live-abcdef123456 (Authorization: Bearer tok3n-xyz789)"
)


def test_provider_error_text_is_masked_in_the_client_error() -> None:
    error = HTTPError(LEAKY, status_code=500, raw_response={"detail": LEAKY})
    body = from_tarash(error).message
    for leaked in ("hunter2", "admin:", "sk-live-abcdef123456", "tok3n-xyz789"):
        assert leaked not in body
        assert leaked not in str(error)
    assert "postgres://***@10.0.0.5/db" in body
    assert error.raw_response == {"detail": LEAKY}  # the operator keeps the original


def test_configured_secrets_are_masked_once_a_router_holds_the_config() -> None:
    config = parse_config(
        """
model_list:
  - model_name: m
    params: {provider: mock, model: m, api_key: provider-key-7f3a9c}
general_settings:
  master_key: master-key-0b1d2e
"""
    )
    Router(config)
    error = TarashError("echo: provider-key-7f3a9c and master-key-0b1d2e")
    assert "provider-key-7f3a9c" not in error.message
    assert "master-key-0b1d2e" not in error.message


def test_ordinary_messages_are_left_alone() -> None:
    message = "Invalid value for seconds: must be 4, 8 or 12; see https://docs.example.com/x#y."
    assert TarashError(message).message == message


def test_log_urls_lose_query_values_and_userinfo() -> None:
    line = 'HTTP Request: POST https://u:p@hooks.example/in?token=abc123&v=1 "HTTP/1.1 200 OK"'
    masked = redact_urls(line)
    assert "abc123" not in masked
    assert "u:p@" not in masked
    assert "https://***@hooks.example/in?token=***&v=***" in masked


def test_a_provider_echoing_credentials_reaches_the_client_masked(tmp_path: Path) -> None:
    """The hostile provider, end to end: its 400 text names a database URL with a
    password, a bearer token and our own provider key; the SDK's error has none."""
    provider_key = "runway-key-4d5e6f7a8b"
    leaky = f"{LEAKY}; you sent {provider_key}"
    with RunwayEmulator(api_key=provider_key) as runway:
        config = write_config(
            tmp_path,
            f"""
            model_list:
              - model_name: rw
                params: {{provider: runway, model: gen4.5, api_key: {provider_key},
                          base_url: "{runway.base_url}"}}
            general_settings:
              master_key: {MASTER}
              database_url: sqlite:///{tmp_path / "jobs.db"}
            """,
        )
        runway.fail_next("submit", Fault(status=400, body={"error": leaky}))
        server = GatewayProcess(config, tmp_path / "gateway.log").start()
        try:
            sdk = openai.OpenAI(base_url=f"{server.base_url}/v1", api_key=MASTER, max_retries=0)
            with pytest.raises(openai.APIStatusError) as caught:
                sdk.videos.create(model="rw", prompt="leak", seconds="4")
        finally:
            server.stop()
    shown = f"{caught.value.message} {caught.value.body}"
    assert "postgres://***@10.0.0.5/db" in shown  # the text did come through, masked
    for leaked in ("hunter2", "sk-live-abcdef123456", "tok3n-xyz789", provider_key):
        assert leaked not in shown
        assert leaked not in server.log()
