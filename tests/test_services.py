"""The throwaway PostgreSQL and Redis servers the tests rely on, and the backend switch."""

from __future__ import annotations

import socket
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis.asyncio as aioredis
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from tests import db_backends, services
from tests.db_backends import database_url_for, redis_url_for
from tests.servers import REPO_ROOT, free_port
from tests.services import PostgresServer, RedisServer, ServiceNotInstalledError


@pytest.fixture(scope="module")
def postgres() -> Iterator[PostgresServer]:
    with PostgresServer() as server:
        yield server


@pytest.fixture(scope="module")
def redis_server() -> Iterator[RedisServer]:
    with RedisServer() as server:
        yield server


def asyncpg_url(url: str) -> str:
    assert url.startswith("postgresql://")
    return url.replace("postgresql://", "postgresql+asyncpg://", 1)


async def scalar(url: str, sql: str) -> object:
    engine = create_async_engine(asyncpg_url(url))
    try:
        async with engine.begin() as connection:
            return (await connection.execute(text(sql))).scalar()
    finally:
        await engine.dispose()


def nothing_listens_on(port: int) -> bool:
    """Whether a connection to ``port`` is refused.

    Connecting asks exactly "does a server still listen?"; a bind probe would also fail on
    the port's leftover TIME_WAIT connections or on another process's client socket that
    the kernel happened to give the same ephemeral port.
    """
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=5):
            return False
    except ConnectionRefusedError:
        return True


def listening_socket() -> socket.socket:
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen()
    return sock


async def test_postgres_accepts_sqlalchemy_asyncpg(postgres: PostgresServer) -> None:
    url = postgres.create_database("accepts")
    assert url == f"postgresql://postgres@127.0.0.1:{postgres.port}/accepts"
    assert await scalar(url, "SELECT 1") == 1
    assert await scalar(url, "SELECT current_database()") == "accepts"
    assert await scalar(url, "SHOW fsync") == "off"
    assert await scalar(url, "SHOW max_connections") == "300"


async def test_two_databases_are_independent(postgres: PostgresServer) -> None:
    first = postgres.create_database("first_db")
    second = postgres.create_database("second_db")
    engine = create_async_engine(asyncpg_url(first))
    try:
        async with engine.begin() as connection:
            await connection.execute(text("CREATE TABLE jobs (id text PRIMARY KEY)"))
            await connection.execute(text("INSERT INTO jobs VALUES ('only-in-first')"))
    finally:
        await engine.dispose()
    assert await scalar(first, "SELECT count(*) FROM jobs") == 1
    assert await scalar(second, "SELECT to_regclass('jobs') IS NULL") is True


def test_create_database_rejects_odd_names_and_duplicates(postgres: PostgresServer) -> None:
    with pytest.raises(ValueError, match="identifier"):
        postgres.create_database('x"; DROP DATABASE postgres; --')
    postgres.create_database("twice")
    with pytest.raises(RuntimeError, match="already exists"):
        postgres.create_database("twice")


async def test_redis_answers_ping_and_set_get(redis_server: RedisServer) -> None:
    assert redis_server.url == f"redis://127.0.0.1:{redis_server.port}/0"
    client = aioredis.Redis.from_url(redis_server.url)
    other = aioredis.Redis.from_url(redis_server.url_for_db(1))
    try:
        assert await client.ping() is True
        await client.set("greeting", "hello")
        assert await client.get("greeting") == b"hello"
        assert await other.get("greeting") is None
    finally:
        await client.aclose()
        await other.aclose()


@pytest.mark.parametrize("server_class", [PostgresServer, RedisServer])
def test_stopping_closes_the_port_and_removes_the_directory(
    server_class: type[PostgresServer | RedisServer],
) -> None:
    server = server_class().start()
    port, directory = server.port, server.directory
    assert directory is not None
    assert directory.is_dir()
    assert not nothing_listens_on(port)
    server.stop()
    assert nothing_listens_on(port)
    assert not directory.exists()
    server.stop()  # idempotent


@pytest.mark.parametrize("server_class", [PostgresServer, RedisServer])
def test_a_server_that_cannot_bind_fails_with_its_log(
    server_class: type[PostgresServer | RedisServer],
) -> None:
    with listening_socket() as taken:
        server = server_class(port=taken.getsockname()[1])
        with pytest.raises(RuntimeError, match="Address already in use"):
            server.start()
    assert server.process is None
    assert server.directory is None


@pytest.mark.parametrize("server_class", [PostgresServer, RedisServer])
def test_a_port_taken_after_probing_is_retried(
    server_class: type[PostgresServer | RedisServer], monkeypatch: pytest.MonkeyPatch
) -> None:
    with listening_socket() as taken:
        ports = iter([taken.getsockname()[1]])
        monkeypatch.setattr(services, "free_port", lambda: next(ports, None) or free_port())
        with server_class() as server:
            assert server.port != taken.getsockname()[1]
            assert "Address already in use" in server.log()


def test_missing_binaries_fail_loudly(tmp_path: Path) -> None:
    with pytest.raises(ServiceNotInstalledError, match="scripts/services"):
        PostgresServer(bin_dir=tmp_path).start()
    with pytest.raises(ServiceNotInstalledError, match="scripts/services"):
        RedisServer(binary=tmp_path / "redis-server").start()
    assert list(tmp_path.iterdir()) == []


def test_scripts_services_is_idempotent_and_silent_when_installed() -> None:
    script = str(REPO_ROOT / "scripts" / "services")
    subprocess.run([script], check=True, timeout=900)  # installs, if a previous step did not
    result = subprocess.run([script], capture_output=True, text=True, check=False, timeout=60)
    assert (result.returncode, result.stdout, result.stderr) == (0, "", "")


def test_database_url_defaults_to_sqlite(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(db_backends.DATABASE_ENV, raising=False)
    assert database_url_for(tmp_path) == f"sqlite:///{tmp_path}/jobs.db"
    monkeypatch.setenv(db_backends.DATABASE_ENV, "mysql")
    with pytest.raises(ValueError, match="mysql"):
        database_url_for(tmp_path)


async def test_database_url_for_postgres_is_a_fresh_database_per_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(db_backends.DATABASE_ENV, "postgres")
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    first = database_url_for(tmp_path / "a")
    assert first.startswith("postgresql://postgres@127.0.0.1:")
    assert database_url_for(tmp_path / "a") == first  # a restart finds its jobs
    second = database_url_for(tmp_path / "b")
    assert second != first
    for url in (first, second):
        assert await scalar(url, "SELECT count(*) FROM pg_tables WHERE schemaname='public'") == 0


async def test_redis_url_for_hands_out_unused_databases(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(db_backends.REDIS_ENV, raising=False)
    assert redis_url_for() is None
    monkeypatch.setenv(db_backends.REDIS_ENV, "1")
    urls = [redis_url_for() for _ in range(db_backends.REDIS_DATABASES + 1)]
    assert len(set(urls)) == len(urls)
    assert all(url is not None and url.startswith("redis://127.0.0.1:") for url in urls)
    assert redis_url_for(tmp_path) == redis_url_for(tmp_path)
    last = urls[-1]
    assert last is not None
    client = aioredis.Redis.from_url(last)
    try:
        assert await client.ping() is True
    finally:
        await client.aclose()
