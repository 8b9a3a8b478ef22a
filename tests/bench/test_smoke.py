"""The benchmark harness works end to end: ``scripts/bench --smoke`` with tiny counts.

Its numbers are not checked (timings don't belong in the test suite); what is checked is
that every measurement ran against every contestant, LiteLLM included, and that no
request failed, so a harness that silently measures error responses cannot pass.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]


def run_smoke(out: Path, *options: str) -> tuple[str, Path, dict[str, Any]]:
    """``python -m bench.run --smoke --out OUT OPTIONS`` must succeed: its printed output,
    the JSON file it wrote and that file's results."""
    finished = subprocess.run(
        [sys.executable, "-m", "bench.run", "--smoke", "--out", str(out), *options],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    assert finished.returncode == 0, finished.stderr[-3000:]
    [results_file] = out.glob("smoke-*.json")
    return finished.stdout, results_file, json.loads(results_file.read_text())


def test_smoke_run_measures_every_target_without_errors(tmp_path: Path) -> None:
    printed, results_file, results = run_smoke(tmp_path)
    targets = {"direct", "tarash", "litellm"}

    assert set(results["create"]) == targets, results.get("litellm_note")
    for target, levels in results["create"].items():
        assert set(levels) == {"1", "4"}
        for clients, run in levels.items():
            assert run["requests"] > 0, (target, clients)
            assert run["errors"] == 0, (target, clients, run)
            assert run["non_2xx"] == 0, (target, clients, run)
            assert 0 < run["p50_ms"] <= run["p95_ms"] <= run["p99_ms"]

    assert set(results["retrieve"]) == targets
    for target, run in results["retrieve"].items():
        assert run["requests"] > 0, (target, run)
        assert run["non_2xx"] == 0, (target, run)

    assert set(results["content"]) == targets
    for target, run in results["content"].items():
        assert run["bytes"] == 4 * 1024 * 1024, target  # the whole video, through each

    in_flight = results["in_flight"]
    assert in_flight["accepted"] == in_flight["jobs"] == 40
    assert in_flight["polls_per_second"] > 0  # the gateway really polls the upstream

    table = (tmp_path / results_file.name.replace(".json", ".md")).read_text()
    assert "### SPEC §9 targets" in table
    assert "| 1 |" in table
    assert "litellm" in table
    assert table in printed


def test_smoke_run_on_postgres_and_redis_puts_the_gateway_on_them(tmp_path: Path) -> None:
    workdir = tmp_path / "work"
    _, results_file, results = run_smoke(
        tmp_path,
        "--no-litellm",
        "--store",
        "postgres",
        "--phases",
        "create,in-flight",
        "--workdir",
        str(workdir),
    )
    assert results_file.name.startswith("smoke-postgres-")
    assert results["store"].startswith("PostgreSQL + Redis, as several instances share them")
    assert "(PostgreSQL 1" in results["store"]
    for run in results["create"]["tarash"].values():
        assert run["requests"] > 0
        assert run["errors"] == run["non_2xx"] == 0, run
    assert results["in_flight"]["accepted"] == 40
    # Each gateway really ran on its own Postgres database and Redis database.
    configs = sorted(workdir.glob("gateway-*/config.yaml"))
    assert len(configs) == 2
    settings = [config.read_text() for config in configs]
    assert all("database_url: postgresql://" in text for text in settings)
    assert [text.count("/bench_") for text in settings] == [1, 1]
    assert "/bench_1\n" in settings[0]
    assert "/bench_2\n" in settings[1]
    assert "redis_url: redis://127.0.0.1:" in settings[0]
    assert not list(workdir.glob("gateway-*/tarash.db"))
