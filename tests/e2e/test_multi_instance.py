"""Two gateway instances sharing PostgreSQL and Redis, one of them killed mid-run.

300 videos are created through both instances with the OpenAI SDK against emulated
providers that answer with delays and faults. While the jobs run, one instance is
killed with SIGKILL and restarted. Every video must complete, each provider must have
seen exactly one submission per video, and the spend booked must equal the sum of
the videos' costs.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import openai
import pytest

from tests.conftest import write_config
from tests.emulators.base import Emulator, Fault
from tests.emulators.fal import FalEmulator
from tests.emulators.runway import RunwayEmulator
from tests.servers import GatewayProcess
from tests.services import PostgresServer, RedisServer

MASTER = "sk-multi-instance"
VIDEOS = 300


@pytest.fixture(scope="module")
def backends() -> Iterator[tuple[PostgresServer, RedisServer]]:
    with PostgresServer() as postgres, RedisServer() as redis:
        yield postgres, redis


def prompt_of(job_input: Any) -> str | None:
    if not isinstance(job_input, dict):
        return None
    return job_input.get("prompt") or job_input.get("promptText")


async def create_everything(urls: list[str], key: str) -> list[str]:
    """Create the videos alternately on each instance; on a connection failure, the same
    request (same Idempotency-Key) goes to the other instance."""
    clients = [
        openai.AsyncOpenAI(base_url=f"{url}/v1", api_key=key, max_retries=3, timeout=30)
        for url in urls
    ]
    limit = asyncio.Semaphore(30)

    async def one(index: int) -> str:
        async with limit:
            for attempt in range(6):
                client = clients[(index + attempt) % len(clients)]
                try:
                    video = await client.videos.create(
                        model="cinematic",
                        prompt=f"multi {index}",
                        seconds="8",
                        size="1280x720",
                        extra_headers={"Idempotency-Key": f"multi-{index}"},
                    )
                    return video.id
                except openai.APIConnectionError:
                    await asyncio.sleep(0.5)
            raise AssertionError(f"video {index} could not be created")

    try:
        return await asyncio.gather(*(one(i) for i in range(VIDEOS)))
    finally:
        for client in clients:
            await client.close()


async def wait_for_all(urls: list[str], key: str, ids: list[str]) -> list[Any]:
    clients = [
        openai.AsyncOpenAI(base_url=f"{url}/v1", api_key=key, max_retries=5, timeout=30)
        for url in urls
    ]
    limit = asyncio.Semaphore(30)

    async def one(index: int, video_id: str) -> Any:
        async with limit:
            deadline = time.monotonic() + 120
            while time.monotonic() < deadline:
                client = clients[index % len(clients)]
                try:
                    video = await client.videos.retrieve(video_id)
                except openai.APIConnectionError:
                    client = clients[(index + 1) % len(clients)]
                    video = await client.videos.retrieve(video_id)
                if video.status in ("completed", "failed"):
                    return video
                await asyncio.sleep(0.3)
            raise AssertionError(f"{video_id} did not finish")

    try:
        return await asyncio.gather(*(one(i, v) for i, v in enumerate(ids)))
    finally:
        for client in clients:
            await client.close()


def test_two_instances_one_killed_every_video_once(
    tmp_path: Path, backends: tuple[PostgresServer, RedisServer]
) -> None:
    postgres, redis = backends
    database_url = postgres.create_database("multi_instance")
    with FalEmulator(job_seconds=3.0) as fal, RunwayEmulator(job_seconds=4.0) as runway:
        emulators: list[Emulator] = [fal, runway]
        for seed, emulator in enumerate(emulators):
            emulator.fail_randomly(
                "submit", Fault(status=503, body={"error": "busy"}), rate=0.1, seed=seed
            )
            emulator.fail_randomly(
                "status", Fault(status=503, body={"error": "busy"}), rate=0.05, seed=seed + 10
            )
        common = "api_key: test-key, poll_interval: 0.3, request_timeout: 5"
        config = write_config(
            tmp_path,
            f"""
            model_list:
              - model_name: cinematic
                params: {{provider: fal, model: fal-ai/veo3.1/fast, id: fal,
                          cost_per_second: 0.10, base_url: "{fal.base_url}", {common}}}
              - model_name: cinematic
                params: {{provider: runway, model: veo3.1, id: runway,
                          cost_per_second: 0.15, base_url: "{runway.base_url}", {common}}}
            router_settings: {{num_retries: 4, retry_backoff_seconds: 0.05}}
            general_settings:
              master_key: {MASTER}
              database_url: "{database_url}"
              redis_url: "{redis.url}"
              lease_seconds: 3
        """,
        )
        first = GatewayProcess(config, tmp_path / "gateway-1.log").start()
        second = GatewayProcess(config, tmp_path / "gateway-2.log").start()
        try:
            admin = httpx.Client(
                base_url=first.base_url, headers={"Authorization": f"Bearer {MASTER}"}
            )
            team = admin.post("/admin/teams", json={"name": "studio", "budget_usd": 1000}).json()
            key = admin.post("/admin/keys", json={"team_id": team["id"]}).json()["key"]
            urls = [first.base_url, second.base_url]
            ids = asyncio.run(create_everything(urls, key))
            assert len(set(ids)) == VIDEOS

            first.kill()  # SIGKILL while the jobs run: its leases are left behind
            time.sleep(1.0)
            first = GatewayProcess(config, tmp_path / "gateway-1.log", port=first.port).start()
            videos = asyncio.run(wait_for_all(urls, key, ids))

            spend = admin.get(f"/admin/teams/{team['id']}").json()["spend"]
        finally:
            first.stop()
            second.stop()

    statuses = Counter(video.status for video in videos)
    assert statuses == Counter({"completed": VIDEOS})
    accepted = Counter(prompt_of(job.input) for e in emulators for job in e.jobs.values())
    assert set(accepted) == {f"multi {i}" for i in range(VIDEOS)}
    duplicates = sum(count - 1 for count in accepted.values())
    assert duplicates == 0
    costs = sum((video.model_extra or {})["tarash"]["cost_usd"] for video in videos)
    assert spend["spent_usd"] == pytest.approx(costs)
    assert spend["reserved_usd"] == pytest.approx(0.0)
    summary = {
        "videos": VIDEOS,
        "completed": statuses["completed"],
        "kills": 1,
        "duplicates": duplicates,
        "spend_difference": round(spend["spent_usd"] - costs, 9),
        "spent_usd": spend["spent_usd"],
        "completed_on": dict(
            Counter((v.model_extra or {})["tarash"]["deployment_id"] for v in videos)
        ),
    }
    print("multi-instance summary:", json.dumps(summary))
