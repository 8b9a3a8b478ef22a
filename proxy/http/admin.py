"""The admin API (master key only): teams, virtual keys and spend."""

from __future__ import annotations

import fnmatch
import logging
import time
from datetime import UTC, datetime
from typing import Any, TypeVar

import pydantic
import sqlalchemy as sa
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from tarash_gateway.proxy.gateway import Gateway
from tarash_gateway.proxy.http.admin_models import (
    ConfigReloaded,
    Deleted,
    DeploymentHealthView,
    DeploymentList,
    KeyCreate,
    KeyList,
    KeyRotate,
    KeyUpdate,
    KeyWithSecret,
    SpendReport,
    SpendRow,
    TeamCreate,
    TeamList,
    TeamUpdate,
    WebhookDelivery,
    WebhookDeliveryList,
    expires_epoch,
    key_view,
    team_view,
)
from tarash_gateway.proxy.http.auth import require_master
from tarash_gateway.proxy.http.errors import APIError, invalid_body, not_found
from tarash_gateway.proxy.http.numbers import MAX_UNIX_SECONDS, parse_float
from tarash_gateway.proxy.http.params import read_body
from tarash_gateway.proxy.http.routes import route
from tarash_gateway.proxy.store.outbox import Outbox
from tarash_gateway.proxy.store.schema import image_generations, videos
from tarash_gateway.proxy.workers.webhooks import new_webhook_secret
from tarash_gateway.router import ConfigError

logger = logging.getLogger("tarash.admin")

Body = TypeVar("Body", bound=pydantic.BaseModel)
GROUPS = ("team", "key", "alias", "deployment", "day")


def _gateway(request: Request) -> Gateway:
    gateway: Gateway = request.app.state.gateway
    return gateway


def _json(model: pydantic.BaseModel, status_code: int = 200) -> Response:
    return JSONResponse(model.model_dump(mode="json"), status_code=status_code)


async def _body(request: Request, model: type[Body]) -> Body:
    data = await read_body(request)
    try:
        return model.model_validate(data)
    except pydantic.ValidationError as exc:
        raise invalid_body(exc) from None


def _check_models(gateway: Gateway, models: list[str] | None) -> None:
    """Allowlist entries must name an alias (or be a wildcard pattern)."""
    aliases = gateway.router.aliases
    for name in models or []:
        if not any(fnmatch.fnmatchcase(alias, name) for alias in aliases) and not any(
            char in name for char in "*?["
        ):
            raise APIError(
                400,
                f"Unknown model {name!r} in models; available: {', '.join(aliases)}.",
                param="models",
                code="model_not_found",
            )


def _check_expiry(expires_at: float | None) -> None:
    if expires_at is not None and expires_at <= time.time():
        raise APIError(
            400, "expires_at must be in the future.", param="expires_at", code="invalid_value"
        )


def _webhook(values: dict[str, Any], existing_secret: str | None = None) -> str | None:
    """Fill in a signing secret when a webhook URL arrives without one; clearing the URL
    clears the secret. Returns the secret to reveal in this response, if any."""
    if "webhook_url" in values and values["webhook_url"] is None:
        values["webhook_secret"] = None
        return None
    if values.get("webhook_url") and not values.get("webhook_secret") and not existing_secret:
        values["webhook_secret"] = new_webhook_secret()
    secret = values.get("webhook_secret")
    return str(secret) if secret else None


def _reveal(view: Body, secret: str | None) -> Body:
    return view.model_copy(update={"webhook_secret": secret}) if secret else view


# -- teams -------------------------------------------------------------------------------


async def create_team(request: Request) -> Response:
    await require_master(request)
    gateway = _gateway(request)
    body = await _body(request, TeamCreate)
    _check_models(gateway, body.models)
    values = body.model_dump()
    secret = _webhook(values)
    team = await gateway.accounts.create_team(values)
    return _json(_reveal(team_view(team, time.time()), secret), 201)


async def list_teams(request: Request) -> Response:
    await require_master(request)
    now = time.time()
    teams = await _gateway(request).accounts.list_teams()
    return _json(TeamList(data=[team_view(team, now) for team in teams]))


async def get_team(request: Request) -> Response:
    await require_master(request)
    team_id = request.path_params["team_id"]
    team = await _gateway(request).accounts.get_team(team_id)
    if team is None:
        raise not_found("team", team_id, param="team_id")
    return _json(team_view(team, time.time()))


async def update_team(request: Request) -> Response:
    await require_master(request)
    gateway = _gateway(request)
    team_id = request.path_params["team_id"]
    changes = (await _body(request, TeamUpdate)).model_dump(exclude_unset=True)
    _check_models(gateway, changes.get("models"))
    if changes.get("name", "") is None:
        raise APIError(400, "name cannot be null.", param="name", code="invalid_value")
    if "metadata" in changes and changes["metadata"] is None:
        changes["metadata"] = {}
    existing = await gateway.accounts.get_team(team_id)
    if existing is None:
        raise not_found("team", team_id, param="team_id")
    secret = _webhook(changes, existing.webhook_secret)
    team = await gateway.accounts.update_team(team_id, changes)
    if team is None:
        raise not_found("team", team_id, param="team_id")
    return _json(_reveal(team_view(team, time.time()), secret))


async def delete_team(request: Request) -> Response:
    await require_master(request)
    team_id = request.path_params["team_id"]
    if not await _gateway(request).accounts.delete_team(team_id):
        raise not_found("team", team_id, param="team_id")
    return _json(Deleted(id=team_id, object="team.deleted", deleted=True))


# -- keys --------------------------------------------------------------------------------


async def create_key(request: Request) -> Response:
    await require_master(request)
    gateway = _gateway(request)
    body = await _body(request, KeyCreate)
    _check_models(gateway, body.models)
    if await gateway.accounts.get_team(body.team_id) is None:
        raise not_found("team", body.team_id, param="team_id")
    values = body.model_dump()
    values["expires_at"] = expires_epoch(body.expires_at)
    _check_expiry(values["expires_at"])
    webhook_secret = _webhook(values)
    key, secret = await gateway.accounts.create_key(values)
    view = _reveal(key_view(key, time.time()), webhook_secret)
    return _json(KeyWithSecret(key=secret, **view.model_dump()), 201)


async def list_keys(request: Request) -> Response:
    await require_master(request)
    now = time.time()
    team_id = request.query_params.get("team_id") or None
    keys = await _gateway(request).accounts.list_keys(team_id)
    return _json(KeyList(data=[key_view(key, now) for key in keys]))


async def get_key(request: Request) -> Response:
    await require_master(request)
    key_id = request.path_params["key_id"]
    key = await _gateway(request).accounts.get_key(key_id)
    if key is None:
        raise not_found("key", key_id, param="key_id")
    return _json(key_view(key, time.time()))


async def update_key(request: Request) -> Response:
    await require_master(request)
    gateway = _gateway(request)
    key_id = request.path_params["key_id"]
    changes = (await _body(request, KeyUpdate)).model_dump(exclude_unset=True)
    _check_models(gateway, changes.get("models"))
    if "expires_at" in changes:
        changes["expires_at"] = expires_epoch(changes["expires_at"])
        _check_expiry(changes["expires_at"])
    if "metadata" in changes and changes["metadata"] is None:
        changes["metadata"] = {}
    existing = await gateway.accounts.get_key(key_id)
    if existing is None:
        raise not_found("key", key_id, param="key_id")
    webhook_secret = _webhook(changes, existing.webhook_secret)
    key = await gateway.accounts.update_key(key_id, changes)
    if key is None:
        raise not_found("key", key_id, param="key_id")
    return _json(_reveal(key_view(key, time.time()), webhook_secret))


async def revoke_key(request: Request) -> Response:
    await require_master(request)
    key_id = request.path_params["key_id"]
    key = await _gateway(request).accounts.revoke_key(key_id)
    if key is None:
        raise not_found("key", key_id, param="key_id")
    return _json(key_view(key, time.time()))


async def rotate_key(request: Request) -> Response:
    await require_master(request)
    key_id = request.path_params["key_id"]
    body = KeyRotate()
    if (await request.body()).strip():
        body = await _body(request, KeyRotate)
    gateway = _gateway(request)
    existing = await gateway.accounts.get_key(key_id)
    if existing is None:
        raise not_found("key", key_id, param="key_id")
    if existing.revoked_at is not None:
        raise APIError(400, "A revoked key cannot be rotated.", param="key_id", code="key_revoked")
    rotated = await gateway.accounts.rotate_key(key_id, body.grace_seconds)
    assert rotated is not None
    key, secret = rotated
    view = key_view(key, time.time())
    return _json(KeyWithSecret(key=secret, **view.model_dump()))


# -- spend -------------------------------------------------------------------------------


def _billable(group_by: str, dialect: str) -> sa.Subquery:
    """Completed videos and image generations as one table of (group, cost, when, …)."""
    selects = []
    for table in (videos, image_generations):
        day: sa.ColumnElement[Any]
        if dialect == "sqlite":
            day = sa.func.strftime("%Y-%m-%d", table.c.completed_at, "unixepoch")
        else:
            day = sa.func.to_char(sa.func.to_timestamp(table.c.completed_at), "YYYY-MM-DD")
        groups = {
            "team": table.c.owner,
            "key": table.c.key_id,
            "alias": table.c.alias,
            "deployment": table.c.deployment_id,
            "day": day,
        }
        selects.append(
            sa.select(
                groups[group_by].label("grp"),
                table.c.cost_usd.label("cost"),
                table.c.completed_at.label("completed_at"),
                table.c.owner.label("owner"),
                table.c.key_id.label("key_id"),
                table.c.alias.label("alias"),
            ).where(table.c.status == "completed")
        )
    return sa.union_all(*selects).subquery()


def _time_bound(request: Request, name: str) -> float | None:
    raw = request.query_params.get(name)
    if not raw:
        return None
    try:
        return parse_float(raw, param=name, low=0, high=MAX_UNIX_SECONDS)
    except APIError:
        pass  # not Unix seconds: an ISO date or time, then
    try:
        parsed = datetime.fromisoformat(raw)
    except ValueError:
        raise APIError(
            400,
            f"Invalid {name} {raw!r}; expected a date, an ISO time or Unix seconds.",
            param=name,
            code="invalid_value",
        ) from None
    return (parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)).timestamp()


async def spend(request: Request) -> Response:
    await require_master(request)
    gateway = _gateway(request)
    group_by = request.query_params.get("group_by", "team")
    if group_by not in GROUPS:
        raise APIError(
            400,
            f"Invalid group_by {group_by!r}; expected one of {', '.join(GROUPS)}.",
            param="group_by",
            code="invalid_value",
        )
    rows_table = _billable(group_by, gateway.database.dialect)
    filters = []
    for param in ("team_id", "key_id", "alias"):
        if value := request.query_params.get(param):
            column = rows_table.c.owner if param == "team_id" else rows_table.c[param]
            filters.append(column == value)
    if (start := _time_bound(request, "start")) is not None:
        filters.append(rows_table.c.completed_at >= start)
    if (end := _time_bound(request, "end")) is not None:
        filters.append(rows_table.c.completed_at < end)
    query = (
        sa.select(rows_table.c.grp, sa.func.sum(rows_table.c.cost), sa.func.count())
        .where(*filters)
        .group_by(rows_table.c.grp)
        .order_by(rows_table.c.grp)
    )
    reserved_query = sa.select(sa.func.coalesce(sa.func.sum(videos.c.reserved_usd), 0.0)).where(
        videos.c.holds_slot.is_(True)
    )
    async with gateway.database.connect() as conn:
        rows = (await conn.execute(query)).all()
        reserved = float((await conn.execute(reserved_query)).scalar() or 0.0)
    data = [
        SpendRow(group=row[0], spend_usd=round(float(row[1] or 0.0), 6), videos=int(row[2]))
        for row in rows
    ]
    return _json(
        SpendReport(
            group_by=group_by,
            data=data,
            total_usd=round(sum(row.spend_usd for row in data), 6),
            reserved_usd=round(reserved, 6),
        )
    )


async def reload_config(request: Request) -> Response:
    """Re-read the config file; a bad file is refused and the running config stays."""
    await require_master(request)
    gateway = _gateway(request)
    try:
        config = await gateway.reload()
    except ConfigError as error:
        logger.error("config reload refused:\n%s", error)
        raise APIError(
            400,
            "The new config was refused; the gateway keeps running the previous one. "
            + " | ".join(str(issue) for issue in error.issues),
            code="invalid_config",
        ) from None
    aliases = sorted({entry.model_name for entry in config.model_list})
    return _json(ConfigReloaded(aliases=aliases, deployments=len(config.model_list)))


async def deployments(request: Request) -> Response:
    """Every deployment's health as the router sees it. Reads memory only: asking never
    calls a provider, so it never starts a paid generation."""
    await require_master(request)
    router = _gateway(request).router
    now = time.monotonic()
    rows = []
    for alias in router.aliases:
        for deployment in router.deployments(alias):
            health = router.health.of(deployment.id)
            total = health.successes + health.failures
            remaining = router.health.cooldown_remaining(deployment.id, now)
            rows.append(
                DeploymentHealthView(
                    id=deployment.id,
                    alias=alias,
                    provider=deployment.params.provider,
                    model=deployment.params.model,
                    state=health.state(now),
                    cooldown_remaining_seconds=round(remaining, 3),
                    cooldown_until=int(time.time() + remaining) if remaining > 0 else None,
                    in_flight=health.in_flight,
                    successes=health.successes,
                    failures=health.failures,
                    success_rate=round(health.successes / total, 4) if total else None,
                    seconds_per_video_second=health.seconds_per_video_second,
                    submit_latency_seconds=health.submit_latency,
                    last_error=health.last_error,
                )
            )
    return _json(DeploymentList(data=rows))


async def webhook_deliveries_log(request: Request) -> Response:
    """The delivery log: every event, its attempts and the last answer it got."""
    await require_master(request)
    params = request.query_params
    deliveries = await Outbox(_gateway(request).database).list(
        team_id=params.get("team_id"), video_id=params.get("video_id"), status=params.get("status")
    )

    def stamp(value: float | None) -> int | None:
        return int(value) if value is not None else None

    return _json(
        WebhookDeliveryList(
            data=[
                WebhookDelivery(
                    id=row.id,
                    type=row.type,
                    video_id=row.video_id,
                    team_id=row.owner,
                    key_id=row.key_id,
                    status=row.status,
                    url=row.url,
                    attempts=row.attempts,
                    last_status_code=row.last_status_code,
                    last_error=row.last_error,
                    created_at=int(row.created_at),
                    next_attempt_at=stamp(row.next_attempt_at),
                    delivered_at=stamp(row.delivered_at),
                )
                for row in deliveries
            ]
        )
    )


routes = [
    route("/admin/webhooks/deliveries", GET=webhook_deliveries_log),
    route("/admin/deployments", GET=deployments),
    route("/admin/config/reload", POST=reload_config),
    route("/admin/teams", GET=list_teams, POST=create_team),
    route("/admin/teams/{team_id}", GET=get_team, PATCH=update_team, DELETE=delete_team),
    route("/admin/keys", GET=list_keys, POST=create_key),
    route("/admin/keys/{key_id}", GET=get_key, PATCH=update_key),
    route("/admin/keys/{key_id}/revoke", POST=revoke_key),
    route("/admin/keys/{key_id}/rotate", POST=rotate_key),
    route("/admin/spend", GET=spend),
]
