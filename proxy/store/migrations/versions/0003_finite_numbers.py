"""Repair non-finite budgets and expiry times written before numbers were validated.

Before issue 14, ``budget_usd: 1e400`` or ``expires_at: 1e400`` answered 500 yet wrote
the row, and every later listing of teams or keys failed on it (JSON has no infinity).
Each such value is given the meaning it can safely have: an infinite budget or expiry
is "none" (NULL, what it effectively meant); a negative infinite or NaN one, which
meant nothing, becomes the strict reading (a zero budget; a key expired now) so a
repaired row never grants more than it did.

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

import sys
import time

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

_LARGEST = sys.float_info.max


def _repair(table: str, column: str, strict_value: float) -> None:
    bind = op.get_bind()
    col: sa.ColumnClause[float] = sa.column(column, sa.Float)
    target = sa.table(table, col)
    bind.execute(target.update().where(col > _LARGEST).values({column: None}))
    meaningless = col < -_LARGEST
    if bind.dialect.name == "postgresql":  # SQLite stores NaN as NULL; Postgres keeps it
        meaningless = sa.or_(meaningless, col == sa.cast(sa.literal("NaN"), sa.Float))
    bind.execute(target.update().where(meaningless).values({column: strict_value}))


def upgrade() -> None:
    now = time.time()
    for table in ("teams", "api_keys"):
        _repair(table, "budget_usd", 0.0)
    _repair("api_keys", "expires_at", now)
    _repair("api_keys", "previous_key_expires_at", now)


def downgrade() -> None:
    """Nothing to undo: the repaired values are valid under every version."""
