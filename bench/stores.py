"""Where the benchmarked gateway keeps its state: the stores a deployment can choose.

- ``sqlite``: the default, one process, a fresh SQLite file per gateway;
- ``postgres``: what several instances share (SPEC: Postgres for jobs and accounts,
  Redis for rate counters and router state), as throwaway local servers, with a fresh
  database and Redis database per gateway so no run sees another's rows.

The throwaway servers are the test suite's (``tests/services.py``): the same processes,
started the same way, so a benchmark on Postgres needs nothing the tests don't.
"""

from __future__ import annotations

import contextlib
import itertools
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Protocol

STORES = ("sqlite", "postgres")


class Store(Protocol):
    name: str

    def describe(self) -> str:
        """One line for the report: which store, which versions."""
        ...

    def general_settings(self, run_dir: Path) -> dict[str, str]:
        """The ``general_settings`` entries that point one new gateway at this store."""
        ...


class SqliteStore:
    name = "sqlite"

    def describe(self) -> str:
        return "SQLite (the default single-instance store)"

    def general_settings(self, run_dir: Path) -> dict[str, str]:
        return {"database_url": f"sqlite:///{run_dir / 'tarash.db'}"}


class SharedStore:
    """PostgreSQL and Redis, one fresh database of each per gateway."""

    name = "postgres"

    def __init__(
        self, create_database: Callable[[str], str], redis_url: str, versions: str
    ) -> None:
        self._create_database = create_database
        self._redis_base = redis_url.rsplit("/", 1)[0]
        self._numbers = itertools.count(1)
        self.versions = versions

    def describe(self) -> str:
        return f"PostgreSQL + Redis, as several instances share them ({self.versions})"

    def general_settings(self, run_dir: Path) -> dict[str, str]:
        number = next(self._numbers)
        if number > 15:
            raise RuntimeError("more gateways than Redis has databases (16)")
        return {
            "database_url": self._create_database(f"bench_{number}"),
            "redis_url": f"{self._redis_base}/{number}",
        }


@contextlib.contextmanager
def open_store(name: str) -> Iterator[Store]:
    """The store called ``name``, with its servers running until the block ends."""
    if name == "sqlite":
        yield SqliteStore()
        return
    if name != "postgres":
        raise ValueError(f"unknown store {name!r}; expected one of {', '.join(STORES)}")
    # Imported here: only a Postgres run needs the servers (and their binaries).
    from tests.services import PostgresServer, RedisServer

    with PostgresServer() as postgres, RedisServer() as redis:
        versions = f"{_version(postgres.bin_dir / 'postgres')}, {_version(redis.binary)}"
        yield SharedStore(postgres.create_database, redis.url, versions)


def _version(binary: Path) -> str:
    """``postgres (PostgreSQL) 15.8`` / ``Redis server v=7.0.15 ...``, shortened."""
    found = subprocess.run(
        [str(binary), "--version"], capture_output=True, text=True, check=False
    ).stdout.split()
    if found[:2] == ["postgres", "(PostgreSQL)"]:
        return f"PostgreSQL {found[2]}"
    version = next((word[2:] for word in found if word.startswith("v=")), "?")
    return f"Redis {version}"
