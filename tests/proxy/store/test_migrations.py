"""Schema migrations: a fresh store reaches the latest version, an older one upgrades
in place without losing rows."""

from __future__ import annotations

import time
from pathlib import Path

import sqlalchemy as sa
from alembic import command
from alembic.config import Config

from tarash_gateway.proxy.store.database import MIGRATIONS, Database

LATEST = "0004"


def version_of(path: Path) -> str:
    engine = sa.create_engine(f"sqlite:///{path}")
    with engine.connect() as conn:
        return str(conn.execute(sa.text("select version_num from alembic_version")).scalar())


async def test_fresh_store_is_at_the_latest_version(tmp_path: Path) -> None:
    database = Database(f"sqlite:///{tmp_path / 'fresh.db'}")
    await database.open()
    await database.close()
    assert version_of(tmp_path / "fresh.db") == LATEST


async def test_a_version_one_store_upgrades_and_keeps_its_rows(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    engine = sa.create_engine(f"sqlite:///{path}")
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.upgrade(config, "0001")
        conn.execute(
            sa.text(
                "insert into videos (id, owner, alias, deployment_id, status, progress, seconds, "
                "size, request_json, attempts, polls, poll_failures, estimated_cost_usd, "
                "reserved_usd, holds_slot, created_at, updated_at) values ('video_old', 'master', "
                "'a', 'd', 'completed', 100, '4', '720x1280', '{}', 1, 0, 0, 0, 0, 0, 1, 1)"
            )
        )
    assert version_of(path) == "0001"
    database = Database(f"sqlite:///{path}")
    await database.open()
    await database.close()
    assert version_of(path) == LATEST
    with engine.connect() as conn:
        row = conn.execute(sa.text("select id, deleted_at from videos")).one()
    assert tuple(row) == ("video_old", None)


async def test_non_finite_budgets_and_expiries_are_repaired_to_their_safe_meaning(
    tmp_path: Path,
) -> None:
    """Rows written before numbers were validated (a 500 that still wrote the row) broke
    every listing of teams and keys; the upgrade gives each value a finite meaning."""
    path = tmp_path / "inf.db"
    engine = sa.create_engine(f"sqlite:///{path}")
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.upgrade(config, "0002")
        for team, budget in (("team_inf", "9e999"), ("team_neg", "-9e999"), ("team_ok", "5")):
            conn.execute(
                sa.text(
                    "insert into teams (id, name, budget_usd, budget_period, metadata, "
                    f"period_start, spent_usd, reserved_usd, in_flight, created_at, updated_at) "
                    f"values ('{team}', 't', {budget}, 'total', '{{}}', 0, 0, 0, 0, 1, 1)"
                )
            )
        for key, expires in (("key_inf", "9e999"), ("key_neg", "-9e999"), ("key_ok", "7")):
            conn.execute(
                sa.text(
                    "insert into api_keys (id, team_id, key_hash, key_prefix, expires_at, "
                    "budget_period, metadata, period_start, spent_usd, reserved_usd, "
                    f"in_flight, created_at, updated_at) values ('{key}', 'team_ok', "
                    f"'hash-{key}', 'sk-tg-x', {expires}, 'total', '{{}}', 0, 0, 0, 0, 1, 1)"
                )
            )
    database = Database(f"sqlite:///{path}")
    await database.open()
    await database.close()
    with engine.connect() as conn:
        budgets: dict[str, float | None] = dict(
            conn.execute(sa.text("select id, budget_usd from teams")).all()
        )
        expiries: dict[str, float | None] = dict(
            conn.execute(sa.text("select id, expires_at from api_keys")).all()
        )
    assert budgets == {"team_inf": None, "team_neg": 0.0, "team_ok": 5.0}
    assert expiries["key_inf"] is None
    assert expiries["key_ok"] == 7.0
    expired_at = expiries["key_neg"]
    assert expired_at is not None
    assert 1 < expired_at <= time.time()  # expired at the upgrade
