"""A hostile client cannot make a provider render (or bill) something other than what the
gateway checked and charged: extras that would override a mapped, validated or billed
field are a 400 naming the field, sent nowhere, and cost nothing (issue 14, finding 2).

A real gateway process, a loopback fal queue and the real OpenAI SDK. Before the fix,
``seconds="4"`` with ``extra_body={"duration": "60"}`` reserved and charged 4 s while fal
was asked for 60.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import openai
import pytest

from tests.conftest import write_config
from tests.emulators.fal import FalEmulator
from tests.servers import GatewayProcess

MASTER = "sk-overrides-master"


@dataclass
class Stack:
    server: GatewayProcess
    fal: FalEmulator
    team_id: str
    key: str

    def client(self) -> openai.OpenAI:
        return openai.OpenAI(base_url=f"{self.server.base_url}/v1", api_key=self.key, max_retries=0)

    def spend(self) -> dict[str, Any]:
        answer = httpx.get(
            f"{self.server.base_url}/admin/teams/{self.team_id}",
            headers={"Authorization": f"Bearer {MASTER}"},
        )
        assert answer.status_code == 200, answer.text
        spend: dict[str, Any] = answer.json()["spend"]
        return spend


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    directory = tmp_path_factory.mktemp("overrides")
    with FalEmulator(job_seconds=0.2, open_endpoints=("someone/new-video-model",)) as fal:
        common = f'api_key: test-key, base_url: "{fal.base_url}", poll_interval: 0.05'
        config = write_config(
            directory,
            f"""
            model_list:
              - model_name: any-fal
                params: {{provider: fal, model: someone/new-video-model, id: any-fal,
                          cost_per_second: 0.10, {common}}}
              - model_name: sora
                params: {{provider: fal, model: fal-ai/sora-2/text-to-video, id: sora,
                          cost_per_second: 0.10, {common}}}
              - model_name: flux
                params: {{provider: fal, model: fal-ai/flux/dev, id: flux,
                          cost_per_image: 0.05, {common}}}
            general_settings:
              master_key: {MASTER}
              database_url: sqlite:///{directory / "jobs.db"}
            """,
        )
        server = GatewayProcess(config, directory / "gateway.log").start()
        try:
            admin = {"Authorization": f"Bearer {MASTER}"}
            team = httpx.post(
                f"{server.base_url}/admin/teams",
                json={"name": "attackers", "budget_usd": 100},
                headers=admin,
            )
            assert team.status_code == 201, team.text
            key = httpx.post(
                f"{server.base_url}/admin/keys", json={"team_id": team.json()["id"]}, headers=admin
            )
            assert key.status_code == 201, key.text
            yield Stack(server, fal, team.json()["id"], key.json()["key"])
        finally:
            server.stop()


@pytest.fixture
def clean(stack: Stack) -> Stack:
    stack.fal.calls.clear()
    return stack


def _refused(error: openai.BadRequestError) -> dict[str, Any]:
    assert error.status_code == 400
    body = error.response.json()
    assert set(body["error"]) == {"message", "type", "param", "code"}
    assert body["error"]["type"] == "invalid_request_error"
    detail: dict[str, Any] = body["error"]
    return detail


@pytest.mark.parametrize(
    ("extras", "field"),
    [
        ({"duration": "60", "num_frames": 9999}, "duration"),
        ({"num_frames": 9999}, "num_frames"),
        ({"Duration": 60}, "Duration"),
        ({"extra_params": {"duration": 60}}, "duration"),  # nesting smuggles nothing
        ({"num_videos": 4}, "num_videos"),
        ({"n": 2}, "n"),
    ],
)
def test_an_extra_that_overrides_a_billed_field_is_a_400_and_costs_nothing(
    clean: Stack, extras: dict[str, Any], field: str
) -> None:
    before = clean.spend()
    with pytest.raises(openai.BadRequestError) as caught:
        clean.client().videos.create(
            model="any-fal", prompt="a lighthouse", seconds="4", extra_body=extras
        )
    error = _refused(caught.value)
    assert error["param"] == field
    assert repr(field) in error["message"]
    assert clean.fal.calls == []  # fal was never asked
    assert clean.spend() == before  # nothing reserved, nothing spent


def test_the_message_names_the_unified_parameter_to_use(clean: Stack) -> None:
    with pytest.raises(openai.BadRequestError) as caught:
        clean.client().videos.create(
            model="any-fal", prompt="p", seconds="4", extra_body={"duration": "60"}
        )
    assert "use 'seconds'" in _refused(caught.value)["message"]


def test_new_provider_fields_still_pass_through(clean: Stack) -> None:
    video = clean.client().videos.create(
        model="any-fal", prompt="p", seconds="4", extra_body={"guidance_scale": 3.5}
    )
    assert video.seconds == "4"
    (submit,) = [call for call in clean.fal.calls if call.operation == "submit"]
    assert submit.body["guidance_scale"] == "3.5"  # the SDK sends a form
    assert submit.body["duration"] == "4"  # the generic family sends fal's string form


def _wait_for(client: openai.OpenAI, video_id: str) -> None:
    deadline = time.monotonic() + 30
    while client.videos.retrieve(video_id).status not in ("completed", "failed"):
        assert time.monotonic() < deadline, "the source video never finished"
        time.sleep(0.05)


def test_a_refusal_after_the_reservation_gives_it_back(clean: Stack) -> None:
    # A remix reuses the source's extras and skips the router's pre-check: here the
    # adapter's own merge refuses (a remix may not be pointed at another video) after
    # the budget was reserved, and the refusal must give the reservation back.
    client = clean.client()
    source = client.videos.create(
        model="sora", prompt="p", seconds="4", extra_body={"video_id": "video_of_another"}
    )
    _wait_for(client, source.id)
    before = clean.spend()
    submits = len(clean.fal.calls_of("submit"))
    with pytest.raises(openai.BadRequestError) as caught:
        client.videos.remix(source.id, prompt="q")
    assert _refused(caught.value)["param"] == "video_id"
    assert len(clean.fal.calls_of("submit")) == submits
    assert clean.spend() == before


def test_image_extras_cannot_override_the_billed_count(clean: Stack) -> None:
    before = clean.spend()
    with pytest.raises(openai.BadRequestError) as caught:
        clean.client().images.generate(model="flux", prompt="p", extra_body={"num_images": 4})
    assert _refused(caught.value)["param"] == "num_images"
    assert clean.fal.calls == []
    assert clean.spend() == before
