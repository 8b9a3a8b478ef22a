"""Request and response bodies of the admin API (also the source of its OpenAPI schema)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from tarash_gateway.proxy.http.numbers import PositiveInt64, UnixSeconds, Usd
from tarash_gateway.proxy.store.accounts import Account, KeyRecord, TeamRecord
from tarash_gateway.proxy.store.periods import BudgetPeriod


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class LimitFields(_Body):
    """Allowlist, limits and budget, shared by teams and keys."""

    models: list[str] | None = Field(
        default=None,
        description="Aliases this caller may use (`*` wildcards allowed); null means all.",
    )
    budget_usd: Usd | None = Field(default=None, description="Null means unlimited.")
    budget_period: BudgetPeriod = Field(
        default="total", description="When spend resets: UTC day, ISO week, month, or never."
    )
    rpm: PositiveInt64 | None = Field(default=None, description="Video creates per minute.")
    max_parallel_jobs: PositiveInt64 | None = Field(default=None, description="Videos in flight.")
    metadata: dict[str, Any] = Field(default_factory=dict)
    webhook_url: str | None = Field(
        default=None,
        pattern=r"^https?://\S+$",
        description="Receives signed `video.completed` / `video.failed` events.",
    )
    webhook_secret: str | None = Field(
        default=None,
        min_length=16,
        description="Standard Webhooks secret (`whsec_…`); generated when omitted.",
    )

    @field_validator("models")
    @classmethod
    def _non_empty_names(cls, models: list[str] | None) -> list[str] | None:
        if models is not None and any(not name.strip() for name in models):
            raise ValueError("model names must not be empty")
        return models


class TeamCreate(LimitFields):
    name: str = Field(min_length=1, max_length=256)


class TeamUpdate(_Body):
    """Only the fields present are changed; an explicit null clears a limit."""

    name: str | None = Field(default=None, min_length=1, max_length=256)
    models: list[str] | None = None
    budget_usd: Usd | None = None
    budget_period: BudgetPeriod | None = None
    rpm: PositiveInt64 | None = None
    max_parallel_jobs: PositiveInt64 | None = None
    metadata: dict[str, Any] | None = None
    webhook_url: str | None = Field(default=None, pattern=r"^https?://\S+$")
    webhook_secret: str | None = Field(default=None, min_length=16)


class KeyCreate(LimitFields):
    team_id: str = Field(min_length=1)
    name: str | None = Field(default=None, max_length=256)
    expires_at: datetime | UnixSeconds | None = Field(
        default=None, description="ISO 8601 time or Unix seconds; must be in the future."
    )


class KeyUpdate(TeamUpdate):
    expires_at: datetime | UnixSeconds | None = None


class KeyRotate(_Body):
    grace_seconds: float = Field(
        default=3600,
        ge=0,
        allow_inf_nan=False,
        le=30 * 86400,
        description="How long the previous secret keeps working.",
    )


class ConfigReloaded(BaseModel):
    object: Literal["config.reloaded"] = "config.reloaded"
    aliases: list[str]
    deployments: int


class DeploymentHealthView(BaseModel):
    id: str
    alias: str
    provider: str
    model: str
    state: Literal["closed", "open", "half_open"]
    cooldown_remaining_seconds: float
    cooldown_until: int | None = Field(description="Unix time the cooldown ends, if cooling.")
    in_flight: int
    successes: int
    failures: int
    success_rate: float | None
    seconds_per_video_second: float | None = Field(
        description="Learned time to completion per second of video (lowest-latency)."
    )
    submit_latency_seconds: float | None
    last_error: str | None


class DeploymentList(BaseModel):
    object: Literal["list"] = "list"
    data: list[DeploymentHealthView]


class WebhookDelivery(BaseModel):
    id: str = Field(description="The event id (also the `webhook-id` header).")
    type: str
    video_id: str
    team_id: str
    key_id: str | None
    status: Literal["pending", "delivered", "failed", "skipped"]
    url: str | None
    attempts: int
    last_status_code: int | None
    last_error: str | None
    created_at: int
    next_attempt_at: int | None
    delivered_at: int | None


class WebhookDeliveryList(BaseModel):
    object: Literal["list"] = "list"
    data: list[WebhookDelivery]


class SpendState(BaseModel):
    period_start: int
    spent_usd: float
    reserved_usd: float
    remaining_usd: float | None


class AccountView(BaseModel):
    id: str
    models: list[str] | None
    budget_usd: float | None
    budget_period: str
    rpm: int | None
    max_parallel_jobs: int | None
    metadata: dict[str, Any]
    in_flight: int
    spend: SpendState
    webhook_url: str | None
    webhook_secret: str | None = Field(
        default=None,
        description="Shown only in the response of the call that set or generated it.",
    )
    created_at: int
    updated_at: int


class TeamView(AccountView):
    object: Literal["team"] = "team"
    name: str


class KeyView(AccountView):
    object: Literal["api_key"] = "api_key"
    team_id: str
    name: str | None
    key_prefix: str = Field(description="The first characters of the secret, for recognition.")
    expires_at: int | None
    revoked: bool
    revoked_at: int | None
    previous_key_valid_until: int | None


class KeyWithSecret(KeyView):
    key: str = Field(description="The secret. Shown only in this response; store it now.")


class Deleted(BaseModel):
    id: str
    object: str
    deleted: bool


class TeamList(BaseModel):
    object: Literal["list"] = "list"
    data: list[TeamView]


class KeyList(BaseModel):
    object: Literal["list"] = "list"
    data: list[KeyView]


class SpendRow(BaseModel):
    group: str | None
    spend_usd: float
    videos: int


class SpendReport(BaseModel):
    object: Literal["spend_report"] = "spend_report"
    group_by: str
    data: list[SpendRow]
    total_usd: float
    reserved_usd: float = Field(description="Held for videos still in flight.")


def _account_fields(account: Account, now: float) -> dict[str, Any]:
    spent = account.current_spend(now)
    return {
        "id": account.id,
        "models": account.models,
        "budget_usd": account.budget_usd,
        "budget_period": account.budget_period,
        "rpm": account.rpm,
        "max_parallel_jobs": account.max_parallel_jobs,
        "metadata": account.metadata,
        "in_flight": account.in_flight,
        "webhook_url": account.webhook_url,
        "spend": SpendState(
            period_start=int(account.period_start),
            spent_usd=round(spent, 6),
            reserved_usd=round(account.reserved_usd, 6),
            remaining_usd=None
            if account.budget_usd is None
            else round(account.remaining(now) or 0.0, 6),
        ),
        "created_at": int(account.created_at),
        "updated_at": int(account.updated_at),
    }


def team_view(team: TeamRecord, now: float) -> TeamView:
    return TeamView(name=team.name, **_account_fields(team, now))


def key_view(key: KeyRecord, now: float) -> KeyView:
    grace = key.previous_key_expires_at
    return KeyView(
        team_id=key.team_id,
        name=key.name,
        key_prefix=key.key_prefix + "…",
        expires_at=int(key.expires_at) if key.expires_at is not None else None,
        revoked=key.revoked_at is not None,
        revoked_at=int(key.revoked_at) if key.revoked_at is not None else None,
        previous_key_valid_until=int(grace) if grace is not None and grace > now else None,
        **_account_fields(key, now),
    )


def expires_epoch(value: datetime | float | None) -> float | None:
    """An ISO time or Unix seconds as Unix seconds."""
    if value is None:
        return None
    return value.timestamp() if isinstance(value, datetime) else float(value)
