"""Record every attempt of an image generation (retries, fallbacks), as videos do.

Images now go through the router's submit path, so a call may try several
deployments; ``attempts_json`` keeps them (NULL for rows written before).

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("image_generations", schema=None) as batch_op:
        batch_op.add_column(sa.Column("attempts_json", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("image_generations", schema=None) as batch_op:
        batch_op.drop_column("attempts_json")
