"""The three things measured side by side, all in front of one instant upstream.

- ``direct``: the upstream itself, as a client calling it without any gateway would;
- ``tarash``: Tarash Gateway (``tarash-gateway serve``) on the chosen store (bench/stores.py;
  SQLite by default), called with a team's virtual key (the auth, budget reservation
  and job row a real team's call costs);
- ``litellm``: LiteLLM's proxy with one worker and no database (bench/litellm.py).
"""

from __future__ import annotations

import sys
import time
from dataclasses import dataclass
from pathlib import Path

import httpx

from bench.processes import Service, free_port
from bench.stores import Store

UPSTREAM_KEY = "bench-upstream-key"
MASTER_KEY = "sk-bench-master"
HOLD_ALIAS = "bench-hold"
READY_ALIAS = "bench-ready"
CREATE_ALIAS = "bench"


@dataclass
class Target:
    """Where to send requests, with what key and model, and which process to watch."""

    name: str
    service: Service
    api_key: str
    model: str
    ready_model: str
    """The model whose jobs finish quickly (for retrieve and content)."""

    @property
    def base_url(self) -> str:
        return self.service.base_url

    @property
    def auth(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.api_key}"}


def upstream_service(workdir: Path, content_mb: float) -> Service:
    port = free_port()
    command = [sys.executable, "-m", "bench.upstream", "--port", str(port)]
    command += ["--api-key", UPSTREAM_KEY, "--content-mb", str(content_mb)]
    return Service(
        "upstream",
        command,
        port,
        ready_path="/bench/stats",
        log_path=workdir / "upstream.log",
    )


def gateway_config(
    upstream_url: str, store_settings: dict[str, str], media_dir: Path, hold_poll_interval: float
) -> str:
    """Three aliases on the same upstream: jobs nobody polls during the create run
    (``bench``), jobs that finish at once (``bench-ready``), and jobs that never finish,
    polled every ``hold_poll_interval`` seconds (``bench-hold``)."""
    deployments = [
        (CREATE_ALIAS, "create", 3600.0),
        (READY_ALIAS, "ready", 0.05),
        (HOLD_ALIAS, "hold", hold_poll_interval),
    ]
    lines = ["model_list:"]
    for alias, suffix, interval in deployments:
        lines += [
            f"  - model_name: {alias}",
            "    params:",
            "      provider: openai",
            "      model: sora-2",
            f"      id: upstream-{suffix}",
            f"      base_url: {upstream_url}/v1",
            f"      api_key: {UPSTREAM_KEY}",
            "      cost_per_second: 0.1",
            f"      poll_interval: {interval}",
        ]
    lines += [
        "general_settings:",
        f"  master_key: {MASTER_KEY}",
        *(f"  {name}: {value}" for name, value in store_settings.items()),
        f"  media_dir: {media_dir}",
    ]
    return "\n".join(lines) + "\n"


def gateway_service(
    workdir: Path, upstream_url: str, hold_poll_interval: float, store: Store
) -> Service:
    """A gateway on a fresh database of ``store``, logging at the default level (info) to
    a file."""
    run = workdir / f"gateway-{time.monotonic_ns()}"
    run.mkdir(parents=True)
    config = run / "config.yaml"
    settings = store.general_settings(run)
    config.write_text(gateway_config(upstream_url, settings, run / "media", hold_poll_interval))
    port = free_port()
    executable = Path(sys.executable).parent / "tarash-gateway"
    command = [str(executable), "serve", "--config", str(config), "--port", str(port)]
    command += ["--no-watch"]
    return Service(
        "tarash",
        command,
        port,
        ready_path="/health/liveness",
        cwd=run,
        log_path=run / "gateway.log",
    )


def team_key(gateway: Service) -> str:
    """A fresh team and virtual key with a budget, created through the admin API."""
    master = {"Authorization": f"Bearer {MASTER_KEY}"}
    with httpx.Client(base_url=gateway.base_url, headers=master, timeout=30) as client:
        team = client.post("/admin/teams", json={"name": "bench", "budget_usd": 1e9})
        team.raise_for_status()
        key = client.post("/admin/keys", json={"team_id": team.json()["id"], "budget_usd": 1e9})
        key.raise_for_status()
        return str(key.json()["key"])
