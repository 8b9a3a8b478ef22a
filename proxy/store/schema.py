"""The database tables: videos (the job store), teams and API keys.

Money is kept as floats in USD: spend per team or key stays far below the range where
float rounding reaches a cent, and every budget comparison allows a 1e-9 tolerance.
"""

from __future__ import annotations

import sqlalchemy as sa

metadata = sa.MetaData()

_ID = sa.BigInteger().with_variant(sa.Integer, "sqlite")

videos = sa.Table(
    "videos",
    metadata,
    sa.Column("seq", _ID, primary_key=True),
    sa.Column("id", sa.String(64), nullable=False, unique=True),
    sa.Column("owner", sa.String(128), nullable=False),
    sa.Column("key_id", sa.String(64)),
    sa.Column("alias", sa.String(256), nullable=False),
    sa.Column("deployment_id", sa.String(512), nullable=False),
    sa.Column("upstream_id", sa.String(512)),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("progress", sa.Integer, nullable=False, default=0),
    sa.Column("prompt", sa.Text),
    sa.Column("seconds", sa.String(16), nullable=False),
    sa.Column("size", sa.String(32), nullable=False),
    sa.Column("request_json", sa.Text, nullable=False),
    sa.Column("result_json", sa.Text),
    sa.Column("error_code", sa.String(64)),
    sa.Column("error_message", sa.Text),
    sa.Column("attempts", sa.Integer, nullable=False, default=1),
    sa.Column("attempts_json", sa.Text),
    sa.Column("polls", sa.Integer, nullable=False, default=0),
    sa.Column("poll_failures", sa.Integer, nullable=False, default=0),
    sa.Column("remixed_from_video_id", sa.String(64)),
    sa.Column("estimated_cost_usd", sa.Float, nullable=False, default=0.0),
    sa.Column("reserved_usd", sa.Float, nullable=False, default=0.0),
    sa.Column("cost_usd", sa.Float),
    sa.Column("holds_slot", sa.Boolean, nullable=False, default=False),
    sa.Column("created_at", sa.Float, nullable=False),
    sa.Column("updated_at", sa.Float, nullable=False),
    sa.Column("submitted_at", sa.Float),
    sa.Column("completed_at", sa.Float),
    sa.Column("expires_at", sa.Float),
    sa.Column("next_poll_at", sa.Float),
    # Which instance polls this job, and until when (leases let several instances share
    # the store while each job is polled by exactly one of them).
    sa.Column("lease_owner", sa.String(64)),
    sa.Column("lease_expires_at", sa.Float),
    # Deleted videos disappear for their owner but stay for the spend history.
    sa.Column("deleted_at", sa.Float),
    sa.Index("ix_videos_owner_seq", "owner", "seq"),
    sa.Index("ix_videos_next_poll_at", "next_poll_at"),
)


image_generations = sa.Table(
    "image_generations",
    metadata,
    sa.Column("id", sa.String(64), primary_key=True),
    sa.Column("owner", sa.String(128), nullable=False),
    sa.Column("key_id", sa.String(64)),
    sa.Column("alias", sa.String(256), nullable=False),
    sa.Column("deployment_id", sa.String(512), nullable=False),
    sa.Column("n", sa.Integer, nullable=False),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("estimated_cost_usd", sa.Float, nullable=False, default=0.0),
    sa.Column("cost_usd", sa.Float),
    sa.Column("error_code", sa.String(64)),
    sa.Column("created_at", sa.Float, nullable=False),
    sa.Column("completed_at", sa.Float),
    # Every try (retries, fallbacks) as AttemptRecord dumps, like videos.attempts_json.
    sa.Column("attempts_json", sa.Text),
    sa.Index("ix_image_generations_owner", "owner"),
)


webhook_deliveries = sa.Table(
    "webhook_deliveries",
    metadata,
    # The transactional outbox: a row is written with the video's final status, in the
    # same transaction, so an event is never lost to a crash; a sender delivers it.
    sa.Column("id", sa.String(64), primary_key=True),
    sa.Column("video_id", sa.String(64), nullable=False),
    sa.Column("type", sa.String(32), nullable=False),
    sa.Column("owner", sa.String(128), nullable=False),
    sa.Column("key_id", sa.String(64)),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("url", sa.Text),
    sa.Column("attempts", sa.Integer, nullable=False, default=0),
    sa.Column("last_status_code", sa.Integer),
    sa.Column("last_error", sa.Text),
    sa.Column("created_at", sa.Float, nullable=False),
    sa.Column("next_attempt_at", sa.Float),
    sa.Column("delivered_at", sa.Float),
    sa.Column("lease_owner", sa.String(64)),
    sa.Column("lease_expires_at", sa.Float),
    sa.UniqueConstraint("video_id", "type", name="uq_webhook_video_event"),
    sa.Index("ix_webhook_deliveries_due", "status", "next_attempt_at"),
)


idempotency_keys = sa.Table(
    "idempotency_keys",
    metadata,
    # A client's Idempotency-Key on create, per owner: the same key with the same body
    # returns the same video; with another body it is a conflict.
    sa.Column("owner", sa.String(128), primary_key=True),
    sa.Column("key", sa.String(255), primary_key=True),
    sa.Column("request_hash", sa.String(64), nullable=False),
    sa.Column("video_id", sa.String(64), nullable=False),
    sa.Column("created_at", sa.Float, nullable=False),
)


def _limits_and_spend() -> list[sa.Column[object]]:
    """Columns shared by teams and keys: allowlist, limits, and the budget's ledger."""
    return [
        sa.Column("models", sa.JSON),
        sa.Column("budget_usd", sa.Float),
        sa.Column("budget_period", sa.String(16), nullable=False, default="total"),
        sa.Column("rpm", sa.Integer),
        sa.Column("max_parallel_jobs", sa.Integer),
        sa.Column("metadata", sa.JSON, nullable=False, default=dict),
        sa.Column("webhook_url", sa.Text),
        sa.Column("webhook_secret", sa.Text),
        # The ledger for the current budget period, kept on the row so a reservation is
        # one conditional UPDATE: atomic on SQLite and Postgres alike.
        sa.Column("period_start", sa.Float, nullable=False, default=0.0),
        sa.Column("spent_usd", sa.Float, nullable=False, default=0.0),
        sa.Column("reserved_usd", sa.Float, nullable=False, default=0.0),
        sa.Column("in_flight", sa.Integer, nullable=False, default=0),
        sa.Column("created_at", sa.Float, nullable=False),
        sa.Column("updated_at", sa.Float, nullable=False),
    ]


teams = sa.Table(
    "teams",
    metadata,
    sa.Column("id", sa.String(64), primary_key=True),
    sa.Column("name", sa.String(256), nullable=False),
    *_limits_and_spend(),
)

api_keys = sa.Table(
    "api_keys",
    metadata,
    sa.Column("id", sa.String(64), primary_key=True),
    sa.Column("team_id", sa.String(64), sa.ForeignKey("teams.id"), nullable=False, index=True),
    sa.Column("name", sa.String(256)),
    sa.Column("key_hash", sa.String(64), nullable=False, unique=True),
    sa.Column("key_prefix", sa.String(32), nullable=False),
    sa.Column("previous_key_hash", sa.String(64), index=True),
    sa.Column("previous_key_expires_at", sa.Float),
    sa.Column("expires_at", sa.Float),
    sa.Column("revoked_at", sa.Float),
    *_limits_and_spend(),
)
