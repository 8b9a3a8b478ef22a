"""``tarash-gateway teams …``, ``keys …`` and ``spend``: the admin API from a shell.

The commands talk to a running gateway over HTTP with the master key, so they work the
same against one local process or a fleet behind a load balancer.
"""

from __future__ import annotations

import json
from typing import Annotated, Any

import httpx
import typer

Url = Annotated[str, typer.Option("--url", envvar="TARASH_URL", help="The gateway's base URL.")]
MasterKey = Annotated[
    str,
    typer.Option("--master-key", envvar="TARASH_MASTER_KEY", help="The gateway's master key."),
]
Models = Annotated[
    str | None, typer.Option(help="Comma-separated aliases (wildcards allowed); omit for all.")
]
Budget = Annotated[float | None, typer.Option("--budget-usd", help="Budget in USD.")]
Period = Annotated[
    str | None, typer.Option("--budget-period", help="daily, weekly, monthly or total.")
]
Rpm = Annotated[int | None, typer.Option(help="Creates per minute.")]
Parallel = Annotated[int | None, typer.Option("--max-parallel-jobs", help="Videos in flight.")]
Metadata = Annotated[str | None, typer.Option(help="A JSON object.")]
DEFAULT_URL = "http://127.0.0.1:4000"

teams_app = typer.Typer(help="Create and manage teams.", no_args_is_help=True)
keys_app = typer.Typer(help="Create, rotate and revoke virtual keys.", no_args_is_help=True)


def _call(url: str, master_key: str, method: str, path: str, **kwargs: Any) -> Any:
    """One admin request; print the error and exit 1 if the gateway refuses it."""
    try:
        response = httpx.request(
            method,
            url.rstrip("/") + path,
            headers={"Authorization": f"Bearer {master_key}"},
            timeout=30,
            **kwargs,
        )
    except httpx.HTTPError as exc:
        typer.echo(f"error: cannot reach the gateway at {url}: {exc}", err=True)
        raise typer.Exit(1) from None
    body = response.json() if response.content else {}
    if response.is_error:
        message = body.get("error", {}).get("message", response.text) if body else response.text
        typer.echo(f"error ({response.status_code}): {message}", err=True)
        raise typer.Exit(1)
    return body


def _print(body: Any) -> None:
    typer.echo(json.dumps(body, indent=2))


def _limits(
    models: str | None,
    budget_usd: float | None,
    budget_period: str | None,
    rpm: int | None,
    max_parallel_jobs: int | None,
    metadata: str | None,
) -> dict[str, Any]:
    """Only the options given, as an admin API body."""
    body: dict[str, Any] = {}
    if models is not None:
        body["models"] = [name.strip() for name in models.split(",") if name.strip()]
    for name, value in (
        ("budget_usd", budget_usd),
        ("budget_period", budget_period),
        ("rpm", rpm),
        ("max_parallel_jobs", max_parallel_jobs),
    ):
        if value is not None:
            body[name] = value
    if metadata is not None:
        try:
            body["metadata"] = json.loads(metadata)
        except ValueError as exc:
            raise typer.BadParameter(f"--metadata is not JSON: {exc}") from None
    return body


@teams_app.command("create")
def teams_create(
    name: str,
    models: Models = None,
    budget_usd: Budget = None,
    budget_period: Period = None,
    rpm: Rpm = None,
    max_parallel_jobs: Parallel = None,
    metadata: Metadata = None,
    url: Url = DEFAULT_URL,
    master_key: MasterKey = "",
) -> None:
    """Create a team."""
    body = {
        "name": name,
        **_limits(models, budget_usd, budget_period, rpm, max_parallel_jobs, metadata),
    }
    _print(_call(url, master_key, "POST", "/admin/teams", json=body))


@teams_app.command("list")
def teams_list(url: Url = DEFAULT_URL, master_key: MasterKey = "") -> None:
    """List teams with their spend."""
    _print(_call(url, master_key, "GET", "/admin/teams"))


@teams_app.command("get")
def teams_get(team_id: str, url: Url = DEFAULT_URL, master_key: MasterKey = "") -> None:
    """Show one team."""
    _print(_call(url, master_key, "GET", f"/admin/teams/{team_id}"))


@teams_app.command("update")
def teams_update(
    team_id: str,
    name: Annotated[str | None, typer.Option()] = None,
    models: Models = None,
    budget_usd: Budget = None,
    budget_period: Period = None,
    rpm: Rpm = None,
    max_parallel_jobs: Parallel = None,
    metadata: Metadata = None,
    url: Url = DEFAULT_URL,
    master_key: MasterKey = "",
) -> None:
    """Change a team's name, allowlist, limits or budget."""
    body = _limits(models, budget_usd, budget_period, rpm, max_parallel_jobs, metadata)
    if name is not None:
        body["name"] = name
    _print(_call(url, master_key, "PATCH", f"/admin/teams/{team_id}", json=body))


@teams_app.command("delete")
def teams_delete(team_id: str, url: Url = DEFAULT_URL, master_key: MasterKey = "") -> None:
    """Delete a team and its keys (its videos stay in the spend history)."""
    _print(_call(url, master_key, "DELETE", f"/admin/teams/{team_id}"))


@keys_app.command("create")
def keys_create(
    team_id: Annotated[str, typer.Option("--team", help="The team the key belongs to.")],
    name: Annotated[str | None, typer.Option()] = None,
    models: Models = None,
    budget_usd: Budget = None,
    budget_period: Period = None,
    rpm: Rpm = None,
    max_parallel_jobs: Parallel = None,
    metadata: Metadata = None,
    expires_at: Annotated[str | None, typer.Option(help="ISO 8601 time or Unix seconds.")] = None,
    url: Url = DEFAULT_URL,
    master_key: MasterKey = "",
) -> None:
    """Create a key; its secret is printed once."""
    body = {
        "team_id": team_id,
        **_limits(models, budget_usd, budget_period, rpm, max_parallel_jobs, metadata),
    }
    if name is not None:
        body["name"] = name
    if expires_at is not None:
        body["expires_at"] = expires_at
    _print(_call(url, master_key, "POST", "/admin/keys", json=body))


@keys_app.command("list")
def keys_list(
    team_id: Annotated[str | None, typer.Option("--team")] = None,
    url: Url = DEFAULT_URL,
    master_key: MasterKey = "",
) -> None:
    """List keys (prefixes only, never secrets)."""
    params = {"team_id": team_id} if team_id else {}
    _print(_call(url, master_key, "GET", "/admin/keys", params=params))


@keys_app.command("get")
def keys_get(key_id: str, url: Url = DEFAULT_URL, master_key: MasterKey = "") -> None:
    """Show one key (prefix only) with its spend."""
    _print(_call(url, master_key, "GET", f"/admin/keys/{key_id}"))


@keys_app.command("update")
def keys_update(
    key_id: str,
    name: Annotated[str | None, typer.Option()] = None,
    models: Models = None,
    budget_usd: Budget = None,
    budget_period: Period = None,
    rpm: Rpm = None,
    max_parallel_jobs: Parallel = None,
    metadata: Metadata = None,
    expires_at: Annotated[str | None, typer.Option(help="ISO 8601 time or Unix seconds.")] = None,
    url: Url = DEFAULT_URL,
    master_key: MasterKey = "",
) -> None:
    """Change a key's name, allowlist, limits, budget or expiry."""
    body = _limits(models, budget_usd, budget_period, rpm, max_parallel_jobs, metadata)
    for field, value in (("name", name), ("expires_at", expires_at)):
        if value is not None:
            body[field] = value
    _print(_call(url, master_key, "PATCH", f"/admin/keys/{key_id}", json=body))


@keys_app.command("revoke")
def keys_revoke(key_id: str, url: Url = DEFAULT_URL, master_key: MasterKey = "") -> None:
    """Revoke a key now."""
    _print(_call(url, master_key, "POST", f"/admin/keys/{key_id}/revoke"))


@keys_app.command("rotate")
def keys_rotate(
    key_id: str,
    grace_seconds: Annotated[float, typer.Option(help="How long the old secret works.")] = 3600,
    url: Url = DEFAULT_URL,
    master_key: MasterKey = "",
) -> None:
    """Issue a new secret; the old one keeps working for the grace period."""
    _print(
        _call(
            url,
            master_key,
            "POST",
            f"/admin/keys/{key_id}/rotate",
            json={"grace_seconds": grace_seconds},
        )
    )


def spend(
    group_by: Annotated[str, typer.Option(help="team, key, alias, deployment or day.")] = "team",
    url: Url = DEFAULT_URL,
    master_key: MasterKey = "",
) -> None:
    """Show spend grouped by team, key, alias, deployment or day."""
    _print(_call(url, master_key, "GET", "/admin/spend", params={"group_by": group_by}))
