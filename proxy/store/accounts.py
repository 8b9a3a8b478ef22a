"""Teams and virtual API keys: storage, hashing and lookup.

Secrets are never stored: a key is kept as its SHA-256 (keys carry 256 random bits, so
a fast hash is safe) plus a short display prefix. Lookups are by hash, and the stored
hash is compared again in constant time.
"""

from __future__ import annotations

import dataclasses
import hashlib
import hmac
import secrets
import time
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa

from tarash_gateway.proxy.store.database import Database
from tarash_gateway.proxy.store.periods import period_start
from tarash_gateway.proxy.store.schema import api_keys, teams

KEY_PREFIX = "sk-tg-"
DISPLAY_PREFIX_LENGTH = len(KEY_PREFIX) + 6


def new_secret() -> str:
    return KEY_PREFIX + secrets.token_urlsafe(32)


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


@dataclass(slots=True, kw_only=True)
class Account:
    """What teams and keys share: allowlist, limits and the current period's ledger."""

    id: str
    models: list[str] | None = None
    budget_usd: float | None = None
    budget_period: str = "total"
    rpm: int | None = None
    max_parallel_jobs: int | None = None
    metadata: dict[str, Any] = field(default_factory=dict)
    webhook_url: str | None = None
    webhook_secret: str | None = None
    period_start: float = 0.0
    spent_usd: float = 0.0
    reserved_usd: float = 0.0
    in_flight: int = 0
    created_at: float = 0.0
    updated_at: float = 0.0

    def current_spend(self, now: float) -> float:
        """Spend in the current period (zero if the stored period has ended)."""
        return self.spent_usd if self.period_start >= period_start(self.budget_period, now) else 0.0

    def remaining(self, now: float) -> float | None:
        if self.budget_usd is None:
            return None
        return max(0.0, self.budget_usd - self.current_spend(now) - self.reserved_usd)


@dataclass(slots=True, kw_only=True)
class TeamRecord(Account):
    name: str


@dataclass(slots=True, kw_only=True)
class KeyRecord(Account):
    team_id: str
    key_hash: str
    key_prefix: str
    name: str | None = None
    previous_key_hash: str | None = None
    previous_key_expires_at: float | None = None
    expires_at: float | None = None
    revoked_at: float | None = None


def _team(row: sa.Row[Any]) -> TeamRecord:
    return TeamRecord(**row._mapping)


def _key(row: sa.Row[Any]) -> KeyRecord:
    return KeyRecord(**row._mapping)


class AccountStore:
    """CRUD for teams and keys, and the lookup that authenticates a request.

    Lookups are cached for ``cache_seconds`` so a request costs no database read for
    its key: every change made through this store clears the cache at once, and a
    change made by another instance is seen within ``cache_seconds``. Budgets and
    parallel-job counts are never taken from the cache: the reservation reads them in
    the database (ledger.py).
    """

    MAX_CACHED_KEYS = 10_000

    def __init__(self, database: Database, cache_seconds: float = 5.0) -> None:
        self._db = database
        self.cache_seconds = cache_seconds
        self._cache: dict[str, tuple[float, KeyRecord, TeamRecord]] = {}

    # -- teams -------------------------------------------------------------------------

    async def create_team(self, values: dict[str, Any]) -> TeamRecord:
        now = time.time()
        period = values.get("budget_period") or "total"
        record = TeamRecord(
            id=f"team_{secrets.token_hex(8)}",
            created_at=now,
            updated_at=now,
            period_start=period_start(period, now),
            **values,
        )
        async with self._db.begin() as conn:
            await conn.execute(teams.insert().values(**dataclasses.asdict(record)))
        self._cache.clear()
        return record

    async def get_team(self, team_id: str) -> TeamRecord | None:
        async with self._db.connect() as conn:
            row = (await conn.execute(teams.select().where(teams.c.id == team_id))).first()
        return _team(row) if row is not None else None

    async def list_teams(self) -> list[TeamRecord]:
        async with self._db.connect() as conn:
            rows = (await conn.execute(teams.select().order_by(teams.c.created_at))).all()
        return [_team(row) for row in rows]

    async def update_team(self, team_id: str, values: dict[str, Any]) -> TeamRecord | None:
        await self._update(teams, team_id, values)
        return await self.get_team(team_id)

    async def delete_team(self, team_id: str) -> bool:
        """Delete a team and its keys; its videos stay for the spend history."""
        async with self._db.begin() as conn:
            await conn.execute(api_keys.delete().where(api_keys.c.team_id == team_id))
            result = await conn.execute(teams.delete().where(teams.c.id == team_id))
        self._cache.clear()
        return bool(result.rowcount)

    # -- keys --------------------------------------------------------------------------

    async def create_key(self, values: dict[str, Any]) -> tuple[KeyRecord, str]:
        now = time.time()
        secret = new_secret()
        period = values.get("budget_period") or "total"
        record = KeyRecord(
            id=f"key_{secrets.token_hex(8)}",
            key_hash=hash_secret(secret),
            key_prefix=secret[:DISPLAY_PREFIX_LENGTH],
            created_at=now,
            updated_at=now,
            period_start=period_start(period, now),
            **values,
        )
        async with self._db.begin() as conn:
            await conn.execute(api_keys.insert().values(**dataclasses.asdict(record)))
        self._cache.clear()
        return record, secret

    async def get_key(self, key_id: str) -> KeyRecord | None:
        async with self._db.connect() as conn:
            row = (await conn.execute(api_keys.select().where(api_keys.c.id == key_id))).first()
        return _key(row) if row is not None else None

    async def list_keys(self, team_id: str | None = None) -> list[KeyRecord]:
        query = api_keys.select().order_by(api_keys.c.created_at)
        if team_id is not None:
            query = query.where(api_keys.c.team_id == team_id)
        async with self._db.connect() as conn:
            rows = (await conn.execute(query)).all()
        return [_key(row) for row in rows]

    async def update_key(self, key_id: str, values: dict[str, Any]) -> KeyRecord | None:
        await self._update(api_keys, key_id, values)
        return await self.get_key(key_id)

    async def revoke_key(self, key_id: str) -> KeyRecord | None:
        """Revoke at once: the current secret and any rotation grace secret stop working."""
        now = time.time()
        return await self.update_key(
            key_id, {"revoked_at": now, "previous_key_hash": None, "previous_key_expires_at": None}
        )

    async def rotate_key(self, key_id: str, grace_seconds: float) -> tuple[KeyRecord, str] | None:
        """Issue a new secret; the old one keeps working for ``grace_seconds``."""
        current = await self.get_key(key_id)
        if current is None:
            return None
        secret = new_secret()
        values: dict[str, Any] = {
            "key_hash": hash_secret(secret),
            "key_prefix": secret[:DISPLAY_PREFIX_LENGTH],
            "previous_key_hash": current.key_hash if grace_seconds > 0 else None,
            "previous_key_expires_at": time.time() + grace_seconds if grace_seconds > 0 else None,
        }
        updated = await self.update_key(key_id, values)
        assert updated is not None
        return updated, secret

    async def find_key(self, secret: str) -> tuple[KeyRecord, TeamRecord] | None:
        """The key (current secret, or previous one within its grace) and its team."""
        digest = hash_secret(secret)
        now = time.time()
        cached = self._cache.get(digest)
        if cached is not None and cached[0] > now:
            key, team = cached[1], cached[2]
            if key.key_hash == digest or (key.previous_key_expires_at or 0.0) > now:
                return key, team
        found = await self._load_key(digest, now)
        if found is not None and self.cache_seconds > 0:
            if len(self._cache) >= self.MAX_CACHED_KEYS:
                self._cache.pop(next(iter(self._cache)))  # the oldest entry
            self._cache[digest] = (now + self.cache_seconds, *found)
        return found

    async def _load_key(self, digest: str, now: float) -> tuple[KeyRecord, TeamRecord] | None:
        query = api_keys.select().where(
            sa.or_(
                api_keys.c.key_hash == digest,
                sa.and_(
                    api_keys.c.previous_key_hash == digest,
                    api_keys.c.previous_key_expires_at > now,
                ),
            )
        )
        async with self._db.connect() as conn:
            row = (await conn.execute(query)).first()
            if row is None:
                return None
            stored = row.key_hash if row.key_hash == digest else row.previous_key_hash
            if not hmac.compare_digest(stored or "", digest):
                return None
            team_row = (await conn.execute(teams.select().where(teams.c.id == row.team_id))).first()
        if team_row is None:
            return None
        return _key(row), _team(team_row)

    async def _update(self, table: sa.Table, row_id: str, values: dict[str, Any]) -> None:
        values = dict(values)
        if "budget_period" in values:
            values["budget_period"] = values["budget_period"] or "total"
            values["period_start"] = period_start(values["budget_period"], time.time())
        values["updated_at"] = time.time()
        async with self._db.begin() as conn:
            await conn.execute(table.update().where(table.c.id == row_id).values(**values))
        self._cache.clear()
