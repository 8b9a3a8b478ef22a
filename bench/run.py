"""``scripts/bench``: measure Tarash Gateway beside the upstream it fronts and LiteLLM.

One run starts an instant OpenAI-videos upstream (bench/upstream.py), a gateway in front
of it, and LiteLLM's proxy in front of the same upstream, then measures all three with
wrk (bench/loadgen.py) and prints a markdown table; the table and the raw numbers (JSON)
are written to ``--out`` too. ``--smoke`` runs everything with tiny counts, to prove the
harness works (CI); its numbers mean nothing.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime
import json
import os
import platform
import sqlite3
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path
from typing import Any

from bench import litellm, scenarios
from bench.processes import Service, free_port
from bench.report import markdown
from bench.stores import STORES, open_store
from bench.targets import (
    CREATE_ALIAS,
    READY_ALIAS,
    UPSTREAM_KEY,
    Target,
    gateway_service,
    team_key,
    upstream_service,
)

ROOT = Path(__file__).resolve().parent.parent
LITELLM_MODEL = "bench-sora"
PHASES = frozenset({"create", "retrieve", "content", "in-flight"})


@dataclass(frozen=True)
class Settings:
    clients: list[int]
    seconds: float
    repeats: int
    retrieve_clients: int
    content_mb: float
    content_repeats: int
    jobs: int
    poll_interval: float
    window: float
    with_litellm: bool
    phases: frozenset[str]
    store: str

    @classmethod
    def from_args(cls, args: argparse.Namespace) -> Settings:
        if args.smoke:
            return cls(
                clients=[1, 4],
                seconds=1,
                repeats=1,
                retrieve_clients=4,
                content_mb=4,
                content_repeats=1,
                jobs=40,
                poll_interval=1.0,
                window=2,
                with_litellm=args.litellm,
                phases=PHASES,
                store=args.store,
            )
        return cls(
            clients=[int(x) for x in args.clients.split(",")],
            seconds=args.seconds,
            repeats=args.repeats,
            retrieve_clients=args.retrieve_clients,
            content_mb=args.content_mb,
            content_repeats=3,
            jobs=args.jobs,
            poll_interval=args.poll_interval,
            window=args.window,
            with_litellm=args.litellm,
            phases=frozenset(args.phases.split(",")),
            store=args.store,
        )

    def describe(self) -> str:
        return (
            f"{self.seconds:g} s per run, median of {self.repeats} runs per point, "
            f"clients {self.clients}, retrieve with "
            f"{self.retrieve_clients} connections, {self.content_mb:g} MB video (best of "
            f"{self.content_repeats}), {self.jobs} in-flight jobs polled every "
            f"{self.poll_interval:g} s watched for {self.window:g} s"
        )


def machine() -> dict[str, Any]:
    cpu = "unknown"
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.partition(":")[2].strip()
                break
    wrk = subprocess.run(["wrk", "-v"], capture_output=True, text=True, check=False)
    versions = {
        name: version(name)
        for name in (
            "tarash-gateway",
            "uvicorn",
            "starlette",
            "sqlalchemy",
            "aiohttp",
            "httpx",
            "openai",
        )
    }
    versions["sqlite"] = sqlite3.sqlite_version
    versions["wrk"] = (wrk.stdout or wrk.stderr).split()[1] if (wrk.stdout or wrk.stderr) else "?"
    return {
        "cores": os.cpu_count(),
        "cpu": cpu,
        "python": platform.python_version(),
        "kernel": platform.release(),
        "versions": versions,
    }


def litellm_target(workdir: Path, upstream: Service) -> tuple[Target | None, str]:
    """LiteLLM in front of the upstream, or None and the reason it is missing."""
    installed = litellm.ensure_installed(ROOT / ".bench" / "litellm-venv")
    if isinstance(installed, str):
        return None, f"not measured: {installed}"
    config = workdir / "litellm.yaml"
    litellm.write_config(config, f"{upstream.base_url}/v1", UPSTREAM_KEY, LITELLM_MODEL)
    port = free_port()
    service = Service(
        "litellm",
        litellm.command(installed, config, port),
        port,
        ready_path="/health/liveliness",
        env=litellm.clean_environ(),
        log_path=workdir / "litellm.log",
        startup_seconds=120,
    )
    service.start()
    target = Target("litellm", service, litellm.MASTER_KEY, LITELLM_MODEL, LITELLM_MODEL)
    return target, f"LiteLLM {litellm.DEFAULT_VERSION}, one worker, no database"


def run(settings: Settings, workdir: Path) -> dict[str, Any]:
    results: dict[str, Any] = {
        "started_at": datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": machine(),
        "settings": settings.describe(),
    }
    with contextlib.ExitStack() as stack:
        store = stack.enter_context(open_store(settings.store))
        results["store"] = store.describe()
        upstream = stack.enter_context(upstream_service(workdir, settings.content_mb))
        direct = Target("direct", upstream, UPSTREAM_KEY, "sora-2", "sora-2")
        gateway_process = stack.enter_context(
            gateway_service(workdir, upstream.base_url, 3600, store)
        )
        key = team_key(gateway_process)
        gateway = Target("tarash", gateway_process, key, CREATE_ALIAS, READY_ALIAS)
        targets = [direct, gateway]
        if settings.with_litellm:
            lite, note = litellm_target(workdir, upstream)
            if lite is not None:
                stack.callback(lite.service.stop)
                targets.append(lite)
        else:
            note = "not measured (--no-litellm)"
        results["litellm_note"] = note
        print(f"measuring {', '.join(t.name for t in targets)}; {note}", file=sys.stderr)

        phases = settings.phases
        if "create" in phases:
            results["create"] = scenarios.create_latency(
                targets, settings.clients, settings.seconds, settings.repeats
            )
            print("create done", file=sys.stderr)
        ready = {target.name: scenarios.ready_video(target) for target in targets}
        if "retrieve" in phases:
            results["retrieve"] = scenarios.retrieve_throughput(
                targets, ready, settings.retrieve_clients, settings.seconds, settings.repeats
            )
            print("retrieve done", file=sys.stderr)
        if "content" in phases:
            results["content"] = scenarios.content_throughput(
                targets, ready, settings.content_repeats
            )
            print("content done", file=sys.stderr)
        gateway_process.stop()

        if "in-flight" in phases:
            fresh = stack.enter_context(
                gateway_service(workdir, upstream.base_url, settings.poll_interval, store)
            )
            polled = Target("tarash", fresh, team_key(fresh), CREATE_ALIAS, READY_ALIAS)
            print(f"in-flight: gateway pid {fresh.pid}", file=sys.stderr)
            results["in_flight"] = scenarios.in_flight_jobs(
                polled, upstream, settings.jobs, settings.poll_interval, settings.window
            )
            print("in-flight done", file=sys.stderr)
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--smoke", action="store_true", help="tiny counts: prove it works")
    parser.add_argument("--clients", default="1,10,50,200", help="create concurrency levels")
    parser.add_argument("--seconds", type=float, default=10.0, help="duration of each run")
    parser.add_argument(
        "--repeats", type=int, default=3, help="runs per point; the median is reported"
    )
    parser.add_argument("--retrieve-clients", type=int, default=64)
    parser.add_argument("--content-mb", type=float, default=200.0)
    parser.add_argument("--jobs", type=int, default=10_000, help="in-flight jobs to poll")
    parser.add_argument("--poll-interval", type=float, default=5.0, help="their poll interval")
    parser.add_argument("--window", type=float, default=30.0, help="seconds to watch them")
    parser.add_argument(
        "--litellm", action=argparse.BooleanOptionalAction, default=True, help="measure LiteLLM"
    )
    parser.add_argument(
        "--phases",
        default=",".join(sorted(PHASES)),
        help="which measurements to run (comma-separated): " + ", ".join(sorted(PHASES)),
    )
    parser.add_argument(
        "--store",
        choices=STORES,
        default="sqlite",
        help="the gateway's store: sqlite (the default), or postgres (throwaway PostgreSQL "
        "and Redis servers, as several instances share them)",
    )
    parser.add_argument(
        "--workdir",
        type=Path,
        help="keep the processes' logs and databases here (default: "
        "a temporary directory, removed afterwards)",
    )
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results")
    args = parser.parse_args(argv)
    if unknown := set(args.phases.split(",")) - PHASES:
        parser.error(f"unknown phase(s) {', '.join(sorted(unknown))}; expected {sorted(PHASES)}")
    settings = Settings.from_args(args)
    if args.workdir is not None:
        args.workdir.mkdir(parents=True, exist_ok=True)
        results = run(settings, args.workdir)
    else:
        with tempfile.TemporaryDirectory(prefix="tarash-bench-") as tmp:
            results = run(settings, Path(tmp))
    table = markdown(results)
    print(table)
    args.out.mkdir(parents=True, exist_ok=True)
    stamp = datetime.datetime.now(datetime.UTC).strftime("%Y%m%d-%H%M%S")
    prefix = ("smoke-" if args.smoke else "") + ("" if args.store == "sqlite" else f"{args.store}-")
    name = prefix + stamp
    (args.out / f"{name}.json").write_text(json.dumps(results, indent=2) + "\n")
    (args.out / f"{name}.md").write_text(table)
    print(f"written: {args.out / name}.json and .md", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
