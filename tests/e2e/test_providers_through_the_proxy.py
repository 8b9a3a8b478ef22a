"""The OpenAI SDK, pointed at the gateway, completes videos on real provider adapters
(fal, an OpenAI-compatible upstream and Runway, each a loopback emulator)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import openai
import pytest

from tarash_gateway.adapters.media import SAMPLE_VIDEO
from tests.conftest import write_config
from tests.emulators.base import Emulator
from tests.emulators.fal import FalEmulator
from tests.emulators.openai import OpenAIEmulator
from tests.emulators.runway import RunwayEmulator
from tests.servers import GatewayProcess

KEY = "sk-providers"


@dataclass
class Stack:
    server: GatewayProcess
    fal: Emulator
    openai: Emulator
    runway: Emulator

    @property
    def emulators(self) -> list[Emulator]:
        return [self.fal, self.openai, self.runway]

    def client(self) -> openai.OpenAI:
        return openai.OpenAI(base_url=f"{self.server.base_url}/v1", api_key=KEY, max_retries=0)


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    directory = tmp_path_factory.mktemp("providers")
    with (
        FalEmulator(job_seconds=1.0) as fal,
        OpenAIEmulator(job_seconds=1.0) as upstream,
        RunwayEmulator(job_seconds=1.0) as runway,
    ):
        common = "api_key: test-key, poll_interval: 0.1, request_timeout: 5"
        config = write_config(
            directory,
            f"""
            model_list:
              - model_name: cinematic
                params: {{provider: fal, model: fal-ai/veo3.1/fast, id: via-fal,
                          base_url: "{fal.base_url}", {common}}}
              - model_name: cinematic
                params: {{provider: openai, model: sora-2, id: via-openai,
                          base_url: "{upstream.base_url}", {common}}}
              - model_name: cinematic
                params: {{provider: runway, model: veo3.1, id: via-runway,
                          base_url: "{runway.base_url}", {common}}}
            router_settings: {{routing_strategy: least-busy}}
            general_settings:
              master_key: {KEY}
              database_url: sqlite:///{directory / "jobs.db"}
        """,
        )
        server = GatewayProcess(config, directory / "gateway.log").start()
        try:
            yield Stack(server, fal, upstream, runway)
        finally:
            server.stop()


def test_each_provider_completes_a_video_through_the_sdk(stack: Stack) -> None:
    client = stack.client()
    # least-busy spreads three concurrent jobs over the three deployments.
    created = [
        client.videos.create(
            model="cinematic", prompt=f"lighthouse {i}", seconds="8", size="1280x720"
        )
        for i in range(3)
    ]
    finished = [client.videos.poll(v.id, poll_interval_ms=100) for v in created]
    assert [v.status for v in finished] == ["completed"] * 3
    used = {(v.model_extra or {})["tarash"]["deployment_id"] for v in finished}
    assert used == {"via-fal", "via-openai", "via-runway"}
    for video in finished:
        assert client.videos.download_content(video.id).read() == SAMPLE_VIDEO.read_bytes()
    for emulator in stack.emulators:
        assert len(emulator.calls_of("submit")) >= 1


def test_impossible_duration_is_refused_with_zero_upstream_calls(stack: Stack) -> None:
    client = stack.client()
    before = [len(emulator.calls) for emulator in stack.emulators]
    with pytest.raises(openai.BadRequestError) as caught:
        client.videos.create(model="cinematic", prompt="too long", seconds="5", size="1280x720")
    message = caught.value.message
    assert caught.value.param == "seconds"
    assert "4, 6, 8" in message  # fal Veo 3.1 and Runway Veo 3.1
    assert "4, 8, 12" in message  # Sora 2
    assert [len(emulator.calls) for emulator in stack.emulators] == before


def test_unsupported_size_for_every_deployment_is_a_400(stack: Stack) -> None:
    with pytest.raises(openai.BadRequestError) as caught:
        stack.client().videos.create(
            model="cinematic", prompt="square", seconds="8", size="1024x1024"
        )
    assert "1:1" in caught.value.message
