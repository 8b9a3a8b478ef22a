"""Key lookups are cached: a change made through this store applies at once, a change
made by another instance (another store on the same database) within ``cache_seconds``."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tarash_gateway.proxy.store.accounts import AccountStore
from tarash_gateway.proxy.store.database import Database


@pytest.fixture
async def database(tmp_path: Path) -> AsyncIterator[Database]:
    db = Database(f"sqlite:///{tmp_path / 'accounts.db'}")
    await db.open()
    yield db
    await db.close()


async def test_a_change_through_another_instance_shows_after_the_cache_time(
    database: Database,
) -> None:
    here, elsewhere = AccountStore(database, 0.3), AccountStore(database, 0.3)
    team = await here.create_team({"name": "cached"})
    key, secret = await here.create_key({"team_id": team.id})
    found = await here.find_key(secret)
    assert found is not None
    assert found[0].revoked_at is None

    await elsewhere.revoke_key(key.id)
    cached = await here.find_key(secret)
    assert cached is not None
    assert cached[0].revoked_at is None  # still the cached record…
    await asyncio.sleep(0.35)
    fresh = await here.find_key(secret)
    assert fresh is not None
    assert fresh[0].revoked_at is not None  # …until the cache time has passed


async def test_a_change_through_this_instance_applies_at_once(database: Database) -> None:
    store = AccountStore(database, 60.0)
    team = await store.create_team({"name": "direct"})
    key, secret = await store.create_key({"team_id": team.id, "models": ["a"]})
    assert await store.find_key(secret) is not None
    await store.update_key(key.id, {"models": ["b"]})
    found = await store.find_key(secret)
    assert found is not None
    assert found[0].models == ["b"]
    await store.revoke_key(key.id)
    revoked = await store.find_key(secret)
    assert revoked is not None
    assert revoked[0].revoked_at is not None


async def test_a_rotated_out_secret_stops_at_the_end_of_its_grace_even_when_cached(
    database: Database,
) -> None:
    store = AccountStore(database, 60.0)
    team = await store.create_team({"name": "rotating"})
    key, old_secret = await store.create_key({"team_id": team.id})
    rotated = await store.rotate_key(key.id, grace_seconds=0.2)
    assert rotated is not None
    assert await store.find_key(old_secret) is not None  # cached, within its grace
    await asyncio.sleep(0.25)
    assert await store.find_key(old_secret) is None


async def test_unknown_secrets_are_not_cached(database: Database) -> None:
    store = AccountStore(database, 60.0)
    assert await store.find_key("sk-tg-nope") is None
    assert store._cache == {}
