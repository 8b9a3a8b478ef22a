"""The four measurements of issue 9, each a function of targets and sizes.

Every function returns plain dicts (JSON-ready); bench/report.py turns them into tables.
"""

from __future__ import annotations

import asyncio
import subprocess
import time
from typing import Any

import httpx

from bench import loadgen
from bench.processes import MemorySampler, Service, cpu_seconds, rss_bytes
from bench.targets import HOLD_ALIAS, Target

HOLD_PROMPT = "[hold] a lighthouse that never finishes rendering"


def create_request(target: Target, model: str, prompt: str) -> loadgen.Request:
    fields = {"model": model, "prompt": prompt, "seconds": "4", "size": "1280x720"}
    return loadgen.multipart("/v1/videos", fields, target.auth)


def _load(target: Target, request: loadgen.Request, clients: int, seconds: float) -> dict[str, Any]:
    """One wrk run, with the target process's CPU use over the same window."""
    pid = target.service.pid
    cpu_before, wall_before = cpu_seconds(pid), time.monotonic()
    result = loadgen.run(target.base_url, request, connections=clients, seconds=seconds)
    cpu = (cpu_seconds(pid) - cpu_before) / (time.monotonic() - wall_before)
    return {**result.as_dict(), "target_cpu_percent": round(100 * cpu, 1)}


def _median_run(runs: list[dict[str, Any]], key: str) -> dict[str, Any]:
    """The run whose ``key`` is the median: one whole run, so its numbers stay together."""
    ordered = sorted(runs, key=lambda run: float(run[key]))
    return {**ordered[(len(ordered) - 1) // 2], "runs": len(runs)}


def create_latency(
    targets: list[Target], clients: list[int], seconds: float, repeats: int
) -> dict[str, dict[str, dict[str, Any]]]:
    """Create latency per target and concurrency, the median of ``repeats`` runs by p50.

    Runs interleave (every target at every level, then again), so a noisy moment on the
    machine lands on all targets alike. Each target gets a short warm-up first."""
    for target in targets:
        warm_up = create_request(target, target.model, "warm-up")
        loadgen.run(target.base_url, warm_up, connections=4, seconds=1)
    runs: dict[tuple[str, int], list[dict[str, Any]]] = {}
    for _ in range(repeats):
        for count in clients:
            for target in targets:
                request = create_request(target, target.model, "a red kite over a grey sea")
                runs.setdefault((target.name, count), []).append(
                    _load(target, request, count, seconds)
                )
    return {
        target.name: {
            str(count): _median_run(runs[target.name, count], "p50_ms") for count in clients
        }
        for target in targets
    }


def ready_video(target: Target, timeout: float = 30.0) -> str:
    """Create a video that completes at once and wait until the target says so."""
    with httpx.Client(base_url=target.base_url, headers=target.auth, timeout=30) as client:
        created = client.post(
            "/v1/videos", data={"model": target.ready_model, "prompt": "a finished video"}
        )
        created.raise_for_status()
        video_id = str(created.json()["id"])
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            status = client.get(f"/v1/videos/{video_id}").json().get("status")
            if status == "completed":
                return video_id
            if status == "failed":
                raise RuntimeError(f"{target.name}: the ready video failed")
            time.sleep(0.05)
    raise RuntimeError(f"{target.name}: video {video_id} did not complete in {timeout:g}s")


def retrieve_throughput(
    targets: list[Target], video_ids: dict[str, str], clients: int, seconds: float, repeats: int
) -> dict[str, dict[str, Any]]:
    """Requests per second for GET /v1/videos/{id} with ``clients`` connections, the
    median of ``repeats`` interleaved runs."""
    requests = {
        target.name: loadgen.Request("GET", f"/v1/videos/{video_ids[target.name]}", target.auth)
        for target in targets
    }
    for target in targets:
        loadgen.run(target.base_url, requests[target.name], connections=4, seconds=1)  # warm-up
    runs: dict[str, list[dict[str, Any]]] = {target.name: [] for target in targets}
    for _ in range(repeats):
        for target in targets:
            runs[target.name].append(_load(target, requests[target.name], clients, seconds))
    return {name: _median_run(found, "requests_per_second") for name, found in runs.items()}


def content_throughput(
    targets: list[Target], video_ids: dict[str, str], repeats: int
) -> dict[str, dict[str, Any]]:
    """Download the video with curl (so the client is never the limit) and sample the
    target's memory while it streams; the best of ``repeats`` runs is kept."""
    results: dict[str, dict[str, Any]] = {}
    for target in targets:
        url = f"{target.base_url}/v1/videos/{video_ids[target.name]}/content"
        runs = []
        curl = ["curl", "-sS", "-f", "-o", "/dev/null", "-w", "%{size_download} %{time_total}"]
        curl += ["-H", f"Authorization: Bearer {target.api_key}", url]
        for _ in range(repeats):
            idle_rss = rss_bytes(target.service.pid)
            with MemorySampler(target.service.pid) as memory:
                finished = subprocess.run(curl, capture_output=True, text=True, check=False)
            if finished.returncode != 0:
                raise RuntimeError(f"{target.name}: curl failed: {finished.stderr.strip()}")
            size, seconds = finished.stdout.split()
            runs.append(
                {
                    "bytes": int(size),
                    "seconds": float(seconds),
                    "mb_per_second": round(int(size) / float(seconds) / 1e6, 1),
                    "idle_rss_mb": round(idle_rss / 2**20, 1),
                    "peak_rss_mb": round(memory.peak / 2**20, 1),
                    "rss_growth_mb": round((memory.peak - idle_rss) / 2**20, 1),
                }
            )
        results[target.name] = max(runs, key=lambda run: run["mb_per_second"])
    return results


async def _create_many(target: Target, count: int, concurrency: int) -> tuple[int, list[str]]:
    """Start ``count`` jobs that never finish: how many were accepted, and what went
    wrong with the others (a refusal or a broken connection is counted, not fatal)."""
    accepted, failures = 0, []
    limits = httpx.Limits(max_connections=concurrency)
    async with httpx.AsyncClient(
        base_url=target.base_url, headers=target.auth, timeout=60, limits=limits
    ) as client:
        queue = iter(range(count))

        async def worker() -> None:
            nonlocal accepted
            for _ in queue:
                try:
                    response = await client.post(
                        "/v1/videos", data={"model": HOLD_ALIAS, "prompt": HOLD_PROMPT}
                    )
                except httpx.TransportError as error:
                    failures.append(f"{type(error).__name__}: {error}")
                    continue
                if response.status_code == 200:
                    accepted += 1
                else:
                    failures.append(f"HTTP {response.status_code}: {response.text[:200]}")

        await asyncio.gather(*(worker() for _ in range(concurrency)))
    return accepted, failures


def upstream_calls(upstream: Service) -> dict[str, int]:
    calls: dict[str, int] = httpx.get(upstream.base_url + "/bench/stats").json()["calls"]
    return calls


def in_flight_jobs(
    gateway: Target, upstream: Service, jobs: int, poll_interval: float, window: float
) -> dict[str, Any]:
    """Start ``jobs`` jobs that stay in progress, then watch the gateway poll them."""
    idle_rss = rss_bytes(gateway.service.pid)
    started = time.monotonic()
    accepted, failures = asyncio.run(_create_many(gateway, jobs, concurrency=32))
    create_seconds = time.monotonic() - started
    time.sleep(min(poll_interval, 10.0))  # let the first round of polls come due
    before = upstream_calls(upstream).get("retrieve", 0)
    pid = gateway.service.pid
    cpu_before, wall_before = cpu_seconds(pid), time.monotonic()
    with MemorySampler(pid, interval=0.1) as memory:
        time.sleep(window)
    elapsed = time.monotonic() - wall_before
    cpu = (cpu_seconds(pid) - cpu_before) / elapsed
    polls = upstream_calls(upstream).get("retrieve", 0) - before
    return {
        "jobs": jobs,
        "accepted": accepted,
        "create_failures": len(failures),
        "first_failures": sorted(set(failures))[:5],
        "create_seconds": round(create_seconds, 1),
        "poll_interval_s": poll_interval,
        "window_s": round(elapsed, 1),
        "polls_per_second_wanted": round(accepted / poll_interval, 1),
        "polls_per_second": round(polls / elapsed, 1),
        "cpu_percent": round(100 * cpu, 1),
        "cpu_ms_per_poll": round(1000 * cpu * elapsed / polls, 3) if polls else None,
        "idle_rss_mb": round(idle_rss / 2**20, 1),
        "rss_mb": round(rss_bytes(pid) / 2**20, 1),
        "peak_rss_mb": round(memory.peak / 2**20, 1),
    }
