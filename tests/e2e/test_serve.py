"""``tarash-gateway serve`` as a process: how it treats idle client connections."""

from __future__ import annotations

import http.client
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import write_config
from tests.servers import GatewayProcess

# Longer than the 5 s after which both uvicorn (by default) and the openai SDK's httpx
# pool drop an idle connection, the tie that reset about one create in 10 000.
SDK_IDLE_EXPIRY = 5.0


@pytest.fixture
def config(tmp_path: Path) -> Path:
    return write_config(
        tmp_path,
        f"""
        model_list:
          - model_name: fast
            params: {{provider: mock, model: mock-fast, id: fast-1}}
        general_settings:
          master_key: sk-serve-test
          database_url: sqlite:///{tmp_path / "jobs.db"}
        """,
    )


@pytest.fixture
def start(tmp_path: Path, config: Path) -> Iterator[type[GatewayProcess]]:
    started: list[GatewayProcess] = []

    class Started(GatewayProcess):
        def __init__(self, *args: str) -> None:
            super().__init__(config, tmp_path / "gateway.log", args=args)
            started.append(self.start())

    yield Started
    for server in started:
        server.stop()


def liveness(connection: http.client.HTTPConnection) -> int:
    connection.request("GET", "/health/liveness")
    response = connection.getresponse()
    response.read()
    return response.status


def test_an_idle_connection_outlives_the_sdks_idle_expiry(
    start: type[GatewayProcess],
) -> None:
    server = start()
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=5)
    try:
        assert liveness(connection) == 200
        socket_before = connection.sock
        time.sleep(SDK_IDLE_EXPIRY + 1)
        # Same socket, still open: the client, not the gateway, decides when to drop it.
        assert liveness(connection) == 200
        assert connection.sock is socket_before
    finally:
        connection.close()


def test_the_keep_alive_timeout_is_configurable(start: type[GatewayProcess]) -> None:
    server = start("--keep-alive-timeout", "1")
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=5)
    try:
        assert liveness(connection) == 200
        time.sleep(2)
        with pytest.raises(http.client.RemoteDisconnected):
            liveness(connection)
    finally:
        connection.close()


def test_a_keep_alive_timeout_below_one_second_is_refused(tmp_path: Path, config: Path) -> None:
    server = GatewayProcess(config, tmp_path / "gateway.log", args=["--keep-alive-timeout", "0"])
    with pytest.raises(RuntimeError, match="keep-alive-timeout"):
        server.start()
