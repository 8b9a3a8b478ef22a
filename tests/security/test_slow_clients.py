"""Slow and oversized clients cannot starve ``tarash-gateway serve`` (issue 14, finding 6):
request heads are capped in size and in time, and past the connection limit a new client
takes the place of an idle or half-sent connection instead of being reset."""

from __future__ import annotations

import http.client
import json
import resource
import select
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import openai
import pytest

from tarash_gateway.proxy.http.server import MAX_CONNECTIONS_CAP, default_max_connections
from tests.conftest import MASTER_KEY, write_config
from tests.servers import REPO_ROOT, GatewayProcess

HUGE = 50 * 2**20
CHUNK = 64 * 1024
DEADLINE = 30.0


@pytest.fixture
def config(tmp_path: Path) -> Path:
    return write_config(
        tmp_path,
        f"""
        model_list:
          - model_name: fast
            params: {{provider: mock, model: mock-fast, id: fast-1}}
        general_settings:
          master_key: {MASTER_KEY}
          database_url: sqlite:///{tmp_path / "jobs.db"}
        """,
    )


Start = Callable[..., GatewayProcess]


@pytest.fixture
def start(tmp_path: Path, config: Path) -> Iterator[Start]:
    started: list[GatewayProcess] = []

    def started_with(*args: str, log_level: str = "warning") -> GatewayProcess:
        server = GatewayProcess(config, tmp_path / "gateway.log", args=args, log_level=log_level)
        started.append(server.start())
        return server

    yield started_with
    for server in started:
        server.stop()


def sdk(server: GatewayProcess, **headers: str) -> openai.OpenAI:
    return openai.OpenAI(
        base_url=f"{server.base_url}/v1",
        api_key=MASTER_KEY,
        max_retries=0,
        timeout=DEADLINE,
        default_headers=headers or None,
    )


def peak_rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    raise AssertionError("no VmHWM")


def read_until_closed(sock: socket.socket) -> bytes:
    """Everything the server sends until it closes (a reset after the answer counts)."""
    sock.settimeout(DEADLINE)
    received = b""
    try:
        while chunk := sock.recv(65536):
            received += chunk
    except ConnectionResetError:
        pass
    return received


def test_a_50_mb_header_is_refused_before_it_is_buffered(start: Start) -> None:
    server = start()
    assert server.process is not None
    peak_before = peak_rss_kib(server.process.pid)
    sent = 0
    with socket.create_connection(("127.0.0.1", server.port), timeout=DEADLINE) as sock:
        sock.sendall(b"GET /v1/videos HTTP/1.1\r\nHost: gw\r\nAuthorization: Bearer ")
        try:
            while sent < HUGE and not select.select([sock], [], [], 0)[0]:
                sock.sendall(b"a" * CHUNK)
                sent += CHUNK
        except (BrokenPipeError, ConnectionResetError):
            pass
        answer = read_until_closed(sock)
    assert sent < HUGE, "the gateway took the whole 50 MB header without answering"
    assert answer.startswith(b"HTTP/1.1 431 ")
    error = json.loads(answer.split(b"\r\n\r\n", 1)[1])["error"]
    assert error["code"] == "request_header_fields_too_large"
    # Nothing near the header's size was held in memory (the old code peaked ~100 MB up).
    assert peak_rss_kib(server.process.pid) - peak_before < 25 * 1024
    # The gateway is fine, and so is the next client.
    assert sdk(server).videos.list().data == []


def test_a_header_over_the_configured_limit_is_an_openai_shaped_431(
    start: Start,
) -> None:
    server = start("--max-header-bytes", "4096")
    assert sdk(server, **{"x-pad": "a" * 2000}).videos.list().data == []
    with pytest.raises(openai.APIStatusError) as refused:
        sdk(server, **{"x-pad": "a" * 5000}).videos.list()
    assert refused.value.status_code == 431
    assert refused.value.code == "request_header_fields_too_large"
    assert "4096 bytes" in refused.value.message


def test_only_the_head_counts_towards_the_limit_not_the_body(start: Start) -> None:
    """A body far larger than the head limit, arriving in the same reads, is a body."""
    server = start("--max-header-bytes", "1024")
    video = sdk(server).videos.create(model="fast", prompt="a cat " * 5000)  # 30 KB
    assert video.id
    assert sdk(server).videos.retrieve(video.id).id == video.id


def test_a_partial_header_is_closed_after_the_header_timeout(
    start: Start,
) -> None:
    server = start("--header-timeout", "1")
    with (
        socket.create_connection(("127.0.0.1", server.port)) as partial,
        socket.create_connection(("127.0.0.1", server.port)) as silent,
    ):
        partial.sendall(b"GET /health/liveness HTTP/1.1\r\nHost: gw\r\nX-Slow: ")
        answer = read_until_closed(partial)
        assert answer.startswith(b"HTTP/1.1 408 ")
        assert json.loads(answer.split(b"\r\n\r\n", 1)[1])["error"]["code"] == "request_timeout"
        # Connected and never sent a byte: closed too, with nothing to answer.
        assert read_until_closed(silent) == b""
    assert httpx.get(f"{server.base_url}/health/liveness").status_code == 200


def test_an_idle_kept_alive_connection_is_not_cut_by_the_header_timeout(
    start: Start,
) -> None:
    """Between requests the keep-alive timeout (75 s) applies, not the header timeout."""
    server = start("--header-timeout", "1")
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=DEADLINE)

    def liveness() -> int:
        connection.request("GET", "/health/liveness")
        response = connection.getresponse()
        response.read()
        return response.status

    try:
        assert liveness() == 200
        kept = connection.sock
        time.sleep(2.5)
        assert liveness() == 200
        # The same socket served both: the gateway did not close it while idle.
        assert connection.sock is kept
    finally:
        connection.close()


def test_new_clients_are_served_while_300_slow_sockets_are_open(
    start: Start,
) -> None:
    # The header timeout is out of the way: this is about the connection limit.
    server = start("--max-connections", "100", "--header-timeout", "300", log_level="info")
    assert server.process is not None
    assert "at most 100 client connections (--max-connections)" in server.log()
    # 256 descriptors, as on a host with a low limit: the old gateway ran out at ~230
    # sockets and libuv reset every new connection from then on.
    resource.prlimit(server.process.pid, resource.RLIMIT_NOFILE, (256, 256))
    slow: list[socket.socket] = []
    try:
        for number in range(300):
            sock = socket.create_connection(("127.0.0.1", server.port), timeout=DEADLINE)
            if number % 2:
                sock.sendall(b"POST /v1/videos HTTP/1.1\r\nHost: gw\r\nX-Slow: ")
            slow.append(sock)
        assert sdk(server).videos.list().data == []
        assert httpx.get(f"{server.base_url}/health/liveness").status_code == 200
        # The room came from the oldest slow sockets, closed by the gateway.
        deadline = time.monotonic() + DEADLINE
        while sum(map(closed_by_server, slow)) < 200 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert sum(map(closed_by_server, slow)) >= 200
        assert server.process.poll() is None
    finally:
        for sock in slow:
            sock.close()


def test_when_every_connection_runs_a_request_a_new_one_gets_a_503(start: Start) -> None:
    """Running requests are never cut to make room; the newcomer is told to retry."""
    server = start("--max-connections", "2")
    busy = [socket.create_connection(("127.0.0.1", server.port)) for _ in range(2)]
    try:
        for sock in busy:  # headers complete, body still to come: a running request
            sock.sendall(
                b"POST /v1/videos HTTP/1.1\r\nHost: gw\r\nAuthorization: Bearer "
                + MASTER_KEY.encode()
                + b"\r\nContent-Type: application/json\r\nContent-Length: 100\r\n"
                b"Expect: 100-continue\r\n\r\n"
            )
            # The app asked for the body: the request is running.
            sock.settimeout(DEADLINE)
            assert sock.recv(65536).startswith(b"HTTP/1.1 100 ")
        with socket.create_connection(("127.0.0.1", server.port)) as newcomer:
            answer = read_until_closed(newcomer)
        assert answer.startswith(b"HTTP/1.1 503 ")
        assert json.loads(answer.split(b"\r\n\r\n", 1)[1])["error"]["code"] == (
            "service_unavailable"
        )
        assert all(not closed_by_server(sock) for sock in busy)
    finally:
        for sock in busy:
            sock.close()
    deadline = time.monotonic() + DEADLINE
    while time.monotonic() < deadline:
        try:
            if sdk(server).videos.list().data == []:
                break
        except (openai.APIStatusError, openai.APIConnectionError):
            time.sleep(0.05)  # the closed busy connections are still being let go
    assert sdk(server).videos.list().data == []


def closed_by_server(sock: socket.socket) -> bool:
    if sock.fileno() < 0:
        return True
    ready = select.select([sock], [], [], 0)[0]
    if not ready:
        return False
    try:
        peeked = sock.recv(65536, socket.MSG_PEEK)
    except ConnectionResetError:
        return True
    return peeked == b""


def test_the_default_connection_limit_is_half_the_raised_descriptor_limit() -> None:
    assert default_max_connections(1024) == 512
    assert default_max_connections(1 << 20) == MAX_CONNECTIONS_CAP
    assert default_max_connections(1) == 1

    def low_soft_limit() -> None:
        resource.setrlimit(resource.RLIMIT_NOFILE, (100, 300))

    raised = subprocess.run(
        [
            sys.executable,
            "-c",
            "from tarash_gateway.proxy.http.server import raise_fd_limit; print(raise_fd_limit())",
        ],
        cwd=REPO_ROOT,
        preexec_fn=low_soft_limit,
        capture_output=True,
        text=True,
        check=True,
    )
    assert raised.stdout.strip() == "300"
