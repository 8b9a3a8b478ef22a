"""Schema migrations: a fresh store reaches the latest version, an older one upgrades
in place without losing rows."""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa
from alembic import command
from alembic.config import Config

from proxy.database import MIGRATIONS, Database


def version_of(path: Path) -> str:
    engine = sa.create_engine(f"sqlite:///{path}")
    with engine.connect() as conn:
        return str(conn.execute(sa.text("select version_num from alembic_version")).scalar())


async def test_fresh_store_is_at_the_latest_version(tmp_path: Path) -> None:
    database = Database(f"sqlite:///{tmp_path / 'fresh.db'}")
    await database.open()
    await database.close()
    assert version_of(tmp_path / "fresh.db") == "0002"


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
    assert version_of(path) == "0002"
    with engine.connect() as conn:
        row = conn.execute(sa.text("select id, deleted_at from videos")).one()
    assert tuple(row) == ("video_old", None)
