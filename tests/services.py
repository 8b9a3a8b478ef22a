"""Throwaway PostgreSQL and Redis servers for tests: real processes on free loopback ports.

Each server lives in its own temporary directory (data, socket, log) that ``stop()`` removes.
Missing binaries raise :class:`ServiceNotInstalledError`; a server that dies or never answers raises
``RuntimeError`` with its log. Nothing here skips: install the servers with ``scripts/services``.

PostgreSQL refuses to run as root, so when the tests run as root the server processes (initdb,
postgres) are started as the ``postgres`` OS user (``subprocess.Popen(user=..., group=...)``,
the equivalent of ``runuser -u postgres --`` without an intermediate process, so signals reach
the postmaster directly). Clients (``pg_isready``, ``psql``) connect over TCP with trust auth.
"""

from __future__ import annotations

import glob
import os
import pwd
import re
import shutil
import signal
import socket
import stat
import subprocess
import tempfile
import time
from pathlib import Path
from types import TracebackType
from typing import IO, Any, Self

from tests.servers import free_port

START_TIMEOUT = 30.0
STOP_TIMEOUT = 30.0
# A free port can be taken by someone else between probing it and the server binding it.
PORT_ATTEMPTS = 5
_INSTALL_HINT = "install it with scripts/services"


class ServiceNotInstalledError(RuntimeError):
    """A server's binaries are not installed: a loud failure, never a skip."""


def postgres_bin_dir() -> Path:
    """The newest ``/usr/lib/postgresql/<version>/bin`` holding initdb and postgres."""
    candidates = [
        Path(path)
        for path in glob.glob("/usr/lib/postgresql/*/bin")
        if all(os.access(Path(path) / tool, os.X_OK) for tool in ("initdb", "postgres"))
    ]
    if not candidates:
        raise ServiceNotInstalledError(
            f"PostgreSQL is not installed (no /usr/lib/postgresql/*/bin/initdb); {_INSTALL_HINT}"
        )
    return max(candidates, key=lambda path: _version_key(path.parent.name))


def redis_server_binary() -> Path:
    found = shutil.which("redis-server") or (
        "/usr/bin/redis-server" if os.access("/usr/bin/redis-server", os.X_OK) else None
    )
    if found is None:
        raise ServiceNotInstalledError(f"redis-server is not installed; {_INSTALL_HINT}")
    return Path(found)


def _version_key(name: str) -> tuple[int, ...]:
    return tuple(int(part) for part in re.findall(r"\d+", name))


def _read(path: Path) -> str:
    try:
        return path.read_text(errors="replace")
    except OSError as error:
        return f"<log unreadable: {error}>"


def _traversable_by_others(directory: Path) -> bool:
    """Whether every directory from / down to ``directory`` is searchable by any user."""
    for part in (directory, *directory.parents):
        try:
            if not part.stat().st_mode & stat.S_IXOTH:
                return False
        except OSError:
            return False
    return True


def _port_taken(log: str) -> bool:
    return "Address already in use" in log or "could not bind" in log


def _stop_process(
    process: subprocess.Popen[bytes], first: signal.Signals, timeout: float = STOP_TIMEOUT
) -> None:
    """Signal ``first``; if the process still runs after ``timeout`` seconds, kill it."""
    if process.poll() is None:
        try:
            process.send_signal(first)
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            process.kill()
    process.wait()


class _Server:
    """Shared plumbing: a temp directory, a log file, start-with-retry, context manager."""

    name = "server"

    def __init__(self, port: int | None = None) -> None:
        self._requested_port = port
        self.port = 0
        self.directory: Path | None = None
        self.process: subprocess.Popen[bytes] | None = None
        self.startup_seconds: float | None = None

    @property
    def log_path(self) -> Path:
        return self._dir / f"{self.name}.log"

    @property
    def _dir(self) -> Path:
        if self.directory is None:
            raise RuntimeError(f"{self.name} is not started")
        return self.directory

    def log(self) -> str:
        return _read(self.log_path) if self.directory is not None else ""

    def start(self, timeout: float = START_TIMEOUT) -> Self:
        if self.process is not None:
            return self
        began = time.monotonic()
        try:
            self._prepare()
            attempts = 1 if self._requested_port else PORT_ATTEMPTS
            for attempt in range(attempts):
                self.port = self._requested_port or free_port()
                log_offset = self.log_path.stat().st_size if self.log_path.exists() else 0
                self.process = self._spawn()
                if self._wait_ready(began + timeout):
                    self.startup_seconds = time.monotonic() - began
                    return self
                log = self.log()
                if attempt + 1 < attempts and _port_taken(log[log_offset:]):
                    self._reap()
                    continue
                raise RuntimeError(
                    f"{self.name} exited during start-up (code {self.process.returncode}); "
                    f"its log:\n{log}"
                )
            raise AssertionError("unreachable")
        except BaseException:
            self.stop()
            raise

    def _wait_ready(self, deadline: float) -> bool:
        """True once the server answers; False if it exited; RuntimeError on timeout."""
        assert self.process is not None
        while True:
            if self.process.poll() is not None:
                return False
            if self._ready():
                return True
            if time.monotonic() > deadline:
                raise RuntimeError(
                    f"{self.name} did not answer on port {self.port} in time; "
                    f"its log:\n{self.log()}"
                )
            time.sleep(0.05)

    def _log_file(self) -> IO[bytes]:
        return self.log_path.open("ab")

    def stop(self) -> None:
        """Stop the server (idempotent) and remove its directory."""
        self._reap()
        if self.directory is not None:
            shutil.rmtree(self.directory, ignore_errors=True)
            self.directory = None

    def _reap(self) -> None:
        if self.process is not None:
            self._shutdown(self.process)
            self.process = None

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()

    # Subclass hooks.
    def _prepare(self) -> None:
        raise NotImplementedError

    def _spawn(self) -> subprocess.Popen[bytes]:
        raise NotImplementedError

    def _ready(self) -> bool:
        raise NotImplementedError

    def _shutdown(self, process: subprocess.Popen[bytes]) -> None:
        raise NotImplementedError


class PostgresServer(_Server):
    """A throwaway PostgreSQL cluster.

    ``with PostgresServer() as pg: url = pg.create_database("x")``

    Durability is off (fsync, synchronous_commit, full_page_writes): the data is disposable.
    """

    name = "postgres"
    user = "postgres"
    max_connections = 300

    def __init__(self, port: int | None = None, *, bin_dir: Path | None = None) -> None:
        super().__init__(port)
        self._bin_dir = bin_dir

    @property
    def bin_dir(self) -> Path:
        if self._bin_dir is None:
            self._bin_dir = postgres_bin_dir()
        return self._bin_dir

    @property
    def data_dir(self) -> Path:
        return self._dir / "data"

    @property
    def socket_dir(self) -> Path:
        return self._dir / "socket"

    @property
    def url(self) -> str:
        """The maintenance database ``postgres``; use :meth:`create_database` for tests."""
        return self.database_url("postgres")

    def database_url(self, name: str) -> str:
        return f"postgresql://{self.user}@127.0.0.1:{self.port}/{name}"

    def _tool(self, name: str) -> str:
        path = self.bin_dir / name
        if not os.access(path, os.X_OK):
            raise ServiceNotInstalledError(f"{path} is missing; {_INSTALL_HINT}")
        return str(path)

    def _as_server_user(self) -> dict[str, Any]:
        """Popen arguments that drop root to the postgres user (PostgreSQL refuses root)."""
        if os.geteuid() != 0:
            return {}
        try:
            account = pwd.getpwnam(self.user)
        except KeyError:
            raise ServiceNotInstalledError(
                f"running as root but there is no {self.user!r} OS user to run PostgreSQL as; "
                f"{_INSTALL_HINT}"
            ) from None
        return {"user": account.pw_uid, "group": account.pw_gid, "extra_groups": []}

    def _env(self) -> dict[str, str]:
        # Stray PG* variables (PGHOST, PGOPTIONS, ...) must not redirect or alter the tools.
        env = {key: value for key, value in os.environ.items() if not key.startswith("PG")}
        env.update(HOME=str(self._dir), LC_ALL="C", LANG="C")
        return env

    def _prepare(self) -> None:
        # Check the binaries before creating anything.
        for tool in ("initdb", "postgres", "pg_isready", "psql"):
            self._tool(tool)
        drop = self._as_server_user()
        base = Path(tempfile.gettempdir())
        if drop and not _traversable_by_others(base):
            base = Path("/tmp")  # the postgres user must be able to reach the data directory
        self.directory = Path(tempfile.mkdtemp(prefix="tarash-pg-", dir=base))
        self.socket_dir.mkdir()
        if drop:
            for path in (self.directory, self.socket_dir):
                os.chown(path, drop["user"], drop["group"])
        with self._log_file() as log:
            result = subprocess.run(
                [
                    self._tool("initdb"),
                    "-D",
                    str(self.data_dir),
                    "-U",
                    self.user,
                    "-A",
                    "trust",
                    "-E",
                    "UTF8",
                    "--locale=C",
                    "--no-sync",
                    "--no-instructions",
                ],
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                env=self._env(),
                cwd=self.directory,
                timeout=START_TIMEOUT * 4,
                check=False,
                **drop,
            )
        if result.returncode != 0:
            raise RuntimeError(f"initdb failed (code {result.returncode}); its log:\n{self.log()}")

    def _spawn(self) -> subprocess.Popen[bytes]:
        settings = {
            "fsync": "off",
            "synchronous_commit": "off",
            "full_page_writes": "off",
            "max_connections": str(self.max_connections),
        }
        command = [
            self._tool("postgres"),
            "-D",
            str(self.data_dir),
            "-p",
            str(self.port),
            "-h",
            "127.0.0.1",
            "-k",
            str(self.socket_dir),
        ]
        for key, value in settings.items():
            command += ["-c", f"{key}={value}"]
        with self._log_file() as log:
            return subprocess.Popen(
                command,
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                env=self._env(),
                cwd=self.directory,
                **self._as_server_user(),
            )

    def _ready(self) -> bool:
        """Ready once the postmaster reports it and ``pg_isready`` confirms.

        The status line of ``postmaster.pid`` is what ``pg_ctl start -w`` waits for; checking it
        first keeps ``pg_isready`` from waiting on whoever else may hold the port.
        ``pg_isready`` succeeds only once connections are accepted (not "starting up").
        """
        try:
            lines = (self.data_dir / "postmaster.pid").read_text().splitlines()
        except OSError:
            return False
        if len(lines) < 8 or lines[7].strip() != "ready":
            return False
        result = subprocess.run(
            [
                self._tool("pg_isready"),
                "-q",
                "-h",
                "127.0.0.1",
                "-p",
                str(self.port),
                "-U",
                self.user,
                "-d",
                "postgres",
                "-t",
                "1",
            ],
            env=self._env(),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            check=False,
        )
        return result.returncode == 0

    def _shutdown(self, process: subprocess.Popen[bytes]) -> None:
        # SIGINT is PostgreSQL's "fast" shutdown (what ``pg_ctl stop -m fast`` sends): it
        # disconnects clients, checkpoints and exits. The Popen child is the postmaster itself.
        _stop_process(process, signal.SIGINT)

    def psql(self, sql: str, database: str = "postgres") -> str:
        """Run SQL with psql as the superuser; raise with psql's output if it fails."""
        result = subprocess.run(
            [
                self._tool("psql"),
                "-X",
                "-q",
                "-A",
                "-t",
                "-v",
                "ON_ERROR_STOP=1",
                "-h",
                "127.0.0.1",
                "-p",
                str(self.port),
                "-U",
                self.user,
                "-d",
                database,
                "-c",
                sql,
            ],
            env=self._env(),
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=START_TIMEOUT,
            check=False,
        )
        if result.returncode != 0:
            raise RuntimeError(
                f"psql failed (code {result.returncode}) running {sql!r}:\n"
                f"{result.stdout}{result.stderr}\nserver log {self.log_path}:\n{self.log()}"
            )
        return result.stdout

    def create_database(self, name: str) -> str:
        """``CREATE DATABASE name``; returns its ``postgresql://`` URL."""
        if not re.fullmatch(r"[a-z_][a-z0-9_]{0,62}", name):
            raise ValueError(f"not a plain lower-case PostgreSQL identifier: {name!r}")
        if self.process is None:
            raise RuntimeError("postgres is not started")
        self.psql(f'CREATE DATABASE "{name}"')
        return self.database_url(name)


class RedisServer(_Server):
    """A throwaway Redis without persistence: ``with RedisServer() as redis: redis.url``."""

    name = "redis"

    def __init__(self, port: int | None = None, *, binary: Path | None = None) -> None:
        super().__init__(port)
        self._binary = binary

    @property
    def binary(self) -> Path:
        if self._binary is None:
            self._binary = redis_server_binary()
        if not os.access(self._binary, os.X_OK):
            raise ServiceNotInstalledError(f"{self._binary} is missing; {_INSTALL_HINT}")
        return self._binary

    @property
    def url(self) -> str:
        return self.url_for_db(0)

    def url_for_db(self, db: int) -> str:
        if not 0 <= db <= 15:
            raise ValueError(f"Redis has databases 0-15 by default, not {db}")
        return f"redis://127.0.0.1:{self.port}/{db}"

    def _prepare(self) -> None:
        self._binary = self.binary  # fail on a missing binary before creating anything
        self.directory = Path(tempfile.mkdtemp(prefix="tarash-redis-"))

    def _spawn(self) -> subprocess.Popen[bytes]:
        command = [
            str(self.binary),
            "--port",
            str(self.port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
            "--daemonize",
            "no",
            "--dir",
            str(self.directory),
            "--logfile",
            "",
        ]
        with self._log_file() as log:
            return subprocess.Popen(
                command,
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                cwd=self.directory,
            )

    def _ready(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=0.5) as sock:
                sock.sendall(b"PING\r\n")
                return sock.recv(64).startswith(b"+PONG")
        except OSError:
            return False

    def _shutdown(self, process: subprocess.Popen[bytes]) -> None:
        _stop_process(process, signal.SIGTERM, timeout=10.0)
