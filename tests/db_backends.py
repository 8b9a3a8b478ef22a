"""Which database (and Redis) the gateway under test uses, chosen by environment variables.

``database_url_for(directory)`` goes where a test config says ``database_url:``::

    config = write_config(directory, f'''
      general_settings:
        database_url: {database_url_for(directory)}
    ''')

* default (or ``TARASH_TEST_DATABASE=sqlite``): ``sqlite:///<directory>/jobs.db``;
* ``TARASH_TEST_DATABASE=postgres``: a new, empty database on one PostgreSQL server shared by
  the whole pytest process (``postgresql://postgres@127.0.0.1:PORT/<unique name>``).

As with SQLite, where the database is a file in ``directory``, calling again with the same
directory gives the same database (a gateway restarted on the same directory finds its jobs);
each new directory gets a new database.

``redis_url_for()`` is ``None`` unless ``TARASH_TEST_REDIS=1``; then every call returns an unused
database number (0-15) on a shared Redis server, starting another server after 16, so no test
ever sees another's keys.

The shared servers start lazily on first use (so SQLite-only runs start nothing) and stop at
interpreter exit (``atexit``), after pytest has torn down every fixture and gateway. Any other
value of the variables, or a server that cannot start, fails loudly instead of falling back.
"""

from __future__ import annotations

import asyncio
import atexit
import itertools
import os
import re
import threading
from pathlib import Path
from typing import Any

import yaml

from tests.services import PostgresServer, RedisServer

DATABASE_ENV = "TARASH_TEST_DATABASE"
REDIS_ENV = "TARASH_TEST_REDIS"
REDIS_DATABASES = 16

_lock = threading.Lock()
_postgres: PostgresServer | None = None
_redis_servers: list[RedisServer] = []
_database_numbers = itertools.count(1)
_redis_numbers = itertools.count()
_databases: dict[Path, str] = {}
_redis_urls: dict[Path, str] = {}
_atexit_registered = False


def database_backend() -> str:
    """``"sqlite"`` or ``"postgres"``, from ``TARASH_TEST_DATABASE``."""
    value = os.environ.get(DATABASE_ENV, "").strip().lower()
    if value in ("", "sqlite"):
        return "sqlite"
    if value in ("postgres", "postgresql"):
        return "postgres"
    raise ValueError(f"{DATABASE_ENV}={value!r}: expected 'sqlite' or 'postgres'")


def redis_enabled() -> bool:
    value = os.environ.get(REDIS_ENV, "").strip().lower()
    if value in ("", "0", "false", "no", "off"):
        return False
    if value in ("1", "true", "yes", "on"):
        return True
    raise ValueError(f"{REDIS_ENV}={value!r}: expected 1 or 0")


def database_url_for(directory: Path) -> str:
    """The ``database_url`` for a gateway whose files live in ``directory``."""
    if database_backend() == "sqlite":
        return f"sqlite:///{directory / 'jobs.db'}"
    key = directory.resolve()
    with _lock:
        if key not in _databases:
            name = f"t{next(_database_numbers)}_{_slug(directory.name)}"[:63]
            _databases[key] = _shared_postgres().create_database(name)
        return _databases[key]


def redis_url_for(directory: Path | None = None) -> str | None:
    """``None``, or with ``TARASH_TEST_REDIS=1`` a Redis URL on an unused database number.

    With ``directory``, calls for the same directory return the same URL.
    """
    if not redis_enabled():
        return None
    with _lock:
        key = directory.resolve() if directory is not None else None
        if key is not None and key in _redis_urls:
            return _redis_urls[key]
        number = next(_redis_numbers)
        server_index, db = divmod(number, REDIS_DATABASES)
        while len(_redis_servers) <= server_index:
            _register_atexit()
            _redis_servers.append(RedisServer().start())
        url = _redis_servers[server_index].url_for_db(db)
        if key is not None:
            _redis_urls[key] = url
        return url


def shared_postgres() -> PostgresServer:
    """The session-wide PostgreSQL server, started on first use."""
    with _lock:
        return _shared_postgres()


def _shared_postgres() -> PostgresServer:
    global _postgres
    if _postgres is None:
        _register_atexit()
        _postgres = PostgresServer().start()
    return _postgres


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9_]+", "_", text.lower()).strip("_") or "db"


def _register_atexit() -> None:
    global _atexit_registered
    if not _atexit_registered:
        atexit.register(stop_shared_servers)
        _atexit_registered = True


def stop_shared_servers() -> None:
    """Stop the shared servers (registered with ``atexit``; safe to call more than once)."""
    global _postgres
    with _lock:
        servers: list[PostgresServer | RedisServer] = [*_redis_servers]
        if _postgres is not None:
            servers.append(_postgres)
        _postgres = None
        _redis_servers.clear()
        _databases.clear()
        _redis_urls.clear()
    for server in servers:
        server.stop()


def adapt_config(text: str) -> str:
    """A gateway config rewritten for the backends this test run targets.

    Configs in tests say ``database_url: sqlite:///<file>``; on a Postgres run each file
    becomes its own Postgres database (the same one again for the same file, so restart
    tests find their jobs), and on a Redis run ``redis_url`` is added to
    ``general_settings``. The rest of the text is left exactly as written (tests edit
    their configs as text). On the default run the text comes back unchanged.
    """
    if database_backend() == "sqlite" and not redis_enabled():
        return text
    found = _SQLITE_URL.search(text)
    if database_backend() == "postgres" and found and ":memory:" not in found.group(0):
        url = database_url_for(Path(found.group(1)))
        text = text[: found.start()] + url + text[found.end() :]
    if redis_enabled() and "redis_url" not in text:
        redis = redis_url_for(Path(found.group(1)) if found else None)
        block = re.search(r"^general_settings:[ \t]*\n([ \t]+)", text, flags=re.MULTILINE)
        flow = re.search(r"general_settings:[ \t]*\{", text)
        if block:
            text = (
                text[: block.end(1)]
                + f"redis_url: {redis}\n"
                + block.group(1)
                + text[block.end(1) :]
            )
        elif flow:
            text = text[: flow.end()] + f"redis_url: '{redis}', " + text[flow.end() :]
        else:
            raise ValueError("no general_settings section to add redis_url to")
    return text


_SQLITE_URL = re.compile(r"sqlite:///([^\s\"',}]+)")


def database_url_of(config_path: Path) -> str:
    """The database URL a written config points at."""
    data = yaml.safe_load(config_path.read_text())
    return str(data["general_settings"]["database_url"])


def query(database_url: str, sql: str, params: dict[str, object] | None = None) -> list[Any]:
    """Run one SQL statement on the test database, SQLite or Postgres alike."""
    from sqlalchemy import text as sql_text
    from sqlalchemy.ext.asyncio import create_async_engine

    from tarash_gateway.proxy.store.database import async_database_url

    async def run() -> list[Any]:
        engine = create_async_engine(async_database_url(database_url))
        try:
            async with engine.begin() as conn:
                result = await conn.execute(sql_text(sql), params or {})
                return list(result.all()) if result.returns_rows else []
        finally:
            await engine.dispose()

    return asyncio.run(run())
