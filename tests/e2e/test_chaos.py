"""Chaos through the proxy: two providers refuse 30 % of submits with 5xx, a third
deployment is down; every one of 200 videos created with the OpenAI SDK completes, none
is lost, and no video ever had two live upstream jobs."""

from __future__ import annotations

import asyncio
import json
from collections import Counter
from pathlib import Path
from typing import Any

import openai

from tests.conftest import write_config
from tests.emulators.base import Emulator, Fault
from tests.emulators.fal import FalEmulator
from tests.emulators.runway import RunwayEmulator
from tests.servers import GatewayProcess, free_port

KEY = "sk-chaos"
VIDEOS = 200


def prompt_of(job_input: Any) -> str | None:
    if not isinstance(job_input, dict):
        return None
    return job_input.get("prompt") or job_input.get("promptText")


async def create_all(base_url: str) -> list[Any]:
    client = openai.AsyncOpenAI(base_url=f"{base_url}/v1", api_key=KEY, timeout=60)
    limit = asyncio.Semaphore(20)

    async def one(index: int) -> Any:
        async with limit:
            video = await client.videos.create(
                model="cinematic", prompt=f"chaos {index}", seconds="8", size="1280x720"
            )
            return await client.videos.poll(video.id, poll_interval_ms=100)

    try:
        return await asyncio.gather(*(one(i) for i in range(VIDEOS)), return_exceptions=True)
    finally:
        await client.close()


def test_chaos_every_video_completes_exactly_once(tmp_path: Path) -> None:
    dead_port = free_port()  # nothing listens here: that deployment is hard down
    with FalEmulator(job_seconds=0.5) as fal, RunwayEmulator(job_seconds=0.5) as runway:
        emulators: list[Emulator] = [fal, runway]
        for seed, emulator in enumerate(emulators):
            emulator.fail_randomly(
                "submit", Fault(status=503, body={"error": "overloaded"}), rate=0.3, seed=seed
            )
        common = "api_key: test-key, poll_interval: 0.1, request_timeout: 2"
        config = write_config(
            tmp_path,
            f"""
            model_list:
              - model_name: cinematic
                params: {{provider: fal, model: fal-ai/veo3.1/fast, id: fal,
                          base_url: "{fal.base_url}", {common}}}
              - model_name: cinematic
                params: {{provider: runway, model: veo3.1, id: runway,
                          base_url: "{runway.base_url}", {common}}}
              - model_name: cinematic
                params: {{provider: openai, model: sora-2, id: down,
                          base_url: "http://127.0.0.1:{dead_port}", {common}}}
            router_settings:
              num_retries: 4
              retry_backoff_seconds: 0.05
              cooldown: {{failure_ratio: 0.5, window_seconds: 30, min_requests: 10, seconds: 1}}
            general_settings:
              master_key: {KEY}
              database_url: sqlite:///{tmp_path / "jobs.db"}
        """,
        )
        server = GatewayProcess(config, tmp_path / "gateway.log").start()
        try:
            results = asyncio.run(create_all(server.base_url))
        finally:
            server.stop()

    failures = [r for r in results if not isinstance(r, openai.types.Video)]
    assert failures == []
    assert [video.status for video in results].count("completed") == VIDEOS

    # No duplicates: each prompt was accepted by exactly one upstream job.
    accepted = Counter(prompt_of(job.input) for e in emulators for job in e.jobs.values())
    assert set(accepted) == {f"chaos {i}" for i in range(VIDEOS)}
    assert max(accepted.values()) == 1

    attempts = [len((video.model_extra or {})["tarash"]["attempts"]) for video in results]
    used = Counter((video.model_extra or {})["tarash"]["deployment_id"] for video in results)
    assert "down" not in used
    submits = sum(len(e.calls_of("submit")) for e in emulators)
    summary = {
        "videos": VIDEOS,
        "completed": len(results),
        "attempts_per_video": dict(sorted(Counter(attempts).items())),
        "completed_on": dict(used),
        "upstream_submit_calls": submits,
    }
    (tmp_path / "chaos-summary.json").write_text(json.dumps(summary, indent=2))
    print("chaos summary:", json.dumps(summary))
