"""Virtual keys for teams, driven as two teams would: the real OpenAI SDK against a real
gateway, administered over the admin API with the master key."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import openai
import pytest

from tarash_gateway.proxy.store.accounts import hash_secret
from tests.conftest import write_config
from tests.db_backends import database_url_of, query
from tests.servers import REPO_ROOT, GatewayProcess

MASTER = "sk-master-governance"
PRICE = 0.1  # USD per second on every priced test deployment


@dataclass
class Env:
    server: GatewayProcess
    db: str
    """The database URL the gateway uses (SQLite or Postgres, per the test run)."""
    admin: httpx.Client

    def sdk(self, key: str) -> openai.OpenAI:
        return openai.OpenAI(base_url=f"{self.server.base_url}/v1", api_key=key, max_retries=0)

    def async_sdk(self, key: str) -> openai.AsyncOpenAI:
        return openai.AsyncOpenAI(
            base_url=f"{self.server.base_url}/v1", api_key=key, max_retries=0, timeout=60
        )

    def team(self, **values: Any) -> dict[str, Any]:
        values.setdefault("name", "team")
        response = self.admin.post("/admin/teams", json=values)
        assert response.status_code == 201, response.text
        return dict(response.json())

    def key(self, team_id: str, **values: Any) -> dict[str, Any]:
        response = self.admin.post("/admin/keys", json={"team_id": team_id, **values})
        assert response.status_code == 201, response.text
        return dict(response.json())

    def team_key(self, team: dict[str, Any] | None = None, **key_values: Any) -> str:
        team = team or self.team()
        return str(self.key(team["id"], **key_values)["key"])

    def get_team(self, team_id: str) -> dict[str, Any]:
        return dict(self.admin.get(f"/admin/teams/{team_id}").json())


@pytest.fixture(scope="module")
def env(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Env]:
    directory = tmp_path_factory.mktemp("governance")
    db = directory / "jobs.db"
    config = write_config(
        directory,
        f"""
        model_list:
          - model_name: fast
            params: {{provider: mock, model: f, id: fast-1, cost_per_second: {PRICE},
                      poll_interval: 0.05, mock: {{job_seconds: 0.3}}}}
          - model_name: slow
            params: {{provider: mock, model: s, id: slow-1, cost_per_second: {PRICE},
                      poll_interval: 0.5, mock: {{job_seconds: 60}}}}
          - model_name: burst
            params: {{provider: mock, model: b, id: burst-1, cost_per_second: {PRICE},
                      poll_interval: 0.2, mock: {{job_seconds: 2}}}}
          - model_name: pics
            params: {{provider: mock, model: i, id: pics-1, cost_per_image: 0.25}}
          - model_name: other
            params: {{provider: mock, model: o, poll_interval: 0.05, mock: {{job_seconds: 0.1}}}}
          - model_name: broken
            params:
              provider: mock
              model: x
              id: broken-1
              cost_per_second: {PRICE}
              poll_interval: 0.05
              mock:
                job_seconds: 0.2
                responses: [{{error: {{code: generation_failed, message: "mock: failed"}}}}]
        general_settings:
          master_key: {MASTER}
          database_url: sqlite:///{db}
    """,
    )
    server = GatewayProcess(config, directory / "gateway.log").start()
    admin = httpx.Client(base_url=server.base_url, headers={"Authorization": f"Bearer {MASTER}"})
    yield Env(server, database_url_of(config), admin)
    admin.close()
    server.stop()


def done(client: openai.OpenAI, video_id: str) -> openai.types.Video:
    return client.videos.poll(video_id, poll_interval_ms=50)


def cost_of(video: openai.types.Video) -> dict[str, Any]:
    assert video.model_extra is not None
    return dict(video.model_extra["tarash"])


# -- admin API ---------------------------------------------------------------------------


def test_key_secret_is_shown_once_and_stored_hashed(env: Env) -> None:
    team = env.team(name="hashing")
    created = env.key(team["id"], name="ci")
    secret = created["key"]
    assert secret.startswith("sk-tg-")
    assert len(secret) > 40
    assert created["key_prefix"].startswith(secret[:10])
    listed = env.admin.get("/admin/keys", params={"team_id": team["id"]}).json()["data"]
    assert [k["id"] for k in listed] == [created["id"]]
    assert "key" not in listed[0]
    assert secret not in env.admin.get(f"/admin/keys/{created['id']}").text
    dump = "\n".join(
        str(query(env.db, f"select * from {table}"))
        for table in ("api_keys", "teams", "videos", "idempotency_keys", "webhook_deliveries")
    )
    assert hash_secret(secret) in dump  # the key is there, as its hash only
    assert secret not in dump
    assert secret[10:] not in dump


def test_admin_needs_the_master_key(env: Env) -> None:
    key = env.team_key()
    response = httpx.get(
        f"{env.server.base_url}/admin/teams", headers={"Authorization": f"Bearer {key}"}
    )
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "admin_only"
    assert httpx.get(f"{env.server.base_url}/admin/teams").status_code == 401


def test_team_crud(env: Env) -> None:
    team = env.team(
        name="crud", budget_usd=5, budget_period="weekly", rpm=10, metadata={"cost_center": "42"}
    )
    assert team["object"] == "team"
    assert team["spend"] == {
        "period_start": team["spend"]["period_start"],
        "spent_usd": 0.0,
        "reserved_usd": 0.0,
        "remaining_usd": 5.0,
    }
    patched = env.admin.patch(f"/admin/teams/{team['id']}", json={"rpm": None, "name": "crud2"})
    assert patched.status_code == 200
    assert (patched.json()["rpm"], patched.json()["name"]) == (None, "crud2")
    assert patched.json()["budget_usd"] == 5
    ids = [t["id"] for t in env.admin.get("/admin/teams").json()["data"]]
    assert team["id"] in ids
    key = env.team_key(team)
    assert env.admin.delete(f"/admin/teams/{team['id']}").json()["deleted"] is True
    assert env.admin.get(f"/admin/teams/{team['id']}").status_code == 404
    with pytest.raises(openai.AuthenticationError):
        env.sdk(key).videos.list()


@pytest.mark.parametrize(
    ("path", "body", "status", "param"),
    [
        ("/admin/teams", {"name": ""}, 400, "name"),
        ("/admin/teams", {"name": "x", "budget_usd": -1}, 400, "budget_usd"),
        ("/admin/teams", {"name": "x", "budget_period": "hourly"}, 400, "budget_period"),
        ("/admin/teams", {"name": "x", "models": ["no-such-alias"]}, 400, "models"),
        ("/admin/teams", {"name": "x", "colour": "red"}, 400, "colour"),
        ("/admin/keys", {"team_id": "team_missing"}, 404, "team_id"),
    ],
)
def test_admin_rejects_bad_input(
    env: Env, path: str, body: dict[str, Any], status: int, param: str
) -> None:
    response = env.admin.post(path, json=body)
    assert response.status_code == status, response.text
    assert response.json()["error"]["param"] == param


def test_key_cannot_be_created_already_expired(env: Env) -> None:
    team = env.team()
    response = env.admin.post(
        "/admin/keys", json={"team_id": team["id"], "expires_at": "2020-01-01T00:00:00Z"}
    )
    assert response.status_code == 400
    assert response.json()["error"]["param"] == "expires_at"


# -- authentication ------------------------------------------------------------------------


def test_revoke_takes_effect_at_once(env: Env) -> None:
    created = env.key(env.team()["id"])
    client = env.sdk(created["key"])
    client.videos.list()
    revoked = env.admin.post(f"/admin/keys/{created['id']}/revoke").json()
    assert revoked["revoked"] is True
    with pytest.raises(openai.AuthenticationError) as caught:
        client.videos.list()
    assert "revoked" in caught.value.message


def test_expired_key_is_refused(env: Env) -> None:
    created = env.key(env.team()["id"], expires_at=time.time() + 1.0)
    client = env.sdk(created["key"])
    client.videos.list()
    time.sleep(1.2)
    with pytest.raises(openai.AuthenticationError) as caught:
        client.videos.list()
    assert caught.value.code == "key_expired"


def test_rotation_keeps_the_old_secret_for_the_grace_period(env: Env) -> None:
    created = env.key(env.team()["id"])
    rotated = env.admin.post(
        f"/admin/keys/{created['id']}/rotate", json={"grace_seconds": 1.5}
    ).json()
    assert rotated["key"] != created["key"]
    assert rotated["previous_key_valid_until"] is not None
    old, new = env.sdk(created["key"]), env.sdk(rotated["key"])
    old.videos.list()
    new.videos.list()
    time.sleep(1.7)
    with pytest.raises(openai.AuthenticationError):
        old.videos.list()
    new.videos.list()


def test_rotation_without_grace_cuts_the_old_secret_at_once(env: Env) -> None:
    created = env.key(env.team()["id"])
    rotated = env.admin.post(
        f"/admin/keys/{created['id']}/rotate", json={"grace_seconds": 0}
    ).json()
    with pytest.raises(openai.AuthenticationError):
        env.sdk(created["key"]).videos.list()
    env.sdk(rotated["key"]).videos.list()


# -- isolation -----------------------------------------------------------------------------


def test_teams_never_see_each_others_videos(env: Env) -> None:
    alice = env.sdk(env.team_key(env.team(name="alice")))
    bob = env.sdk(env.team_key(env.team(name="bob")))
    video = done(alice, alice.videos.create(model="fast", prompt="alice's").id)
    assert video.status == "completed"
    with pytest.raises(openai.NotFoundError):
        bob.videos.retrieve(video.id)
    with pytest.raises(openai.NotFoundError):
        bob.videos.download_content(video.id)
    with pytest.raises(openai.NotFoundError):
        bob.videos.remix(video.id, prompt="steal")
    with pytest.raises(openai.NotFoundError):
        bob.videos.delete(video.id)
    with pytest.raises(openai.BadRequestError):
        bob.videos.list(after=video.id)  # not even usable as a cursor
    assert video.id not in [v.id for v in bob.videos.list(limit=100)]
    assert video.id in [v.id for v in alice.videos.list(limit=100)]
    master = env.sdk(MASTER)
    assert master.videos.retrieve(video.id).id == video.id
    assert video.id in [v.id for v in master.videos.list(limit=100)]
    assert alice.videos.retrieve(video.id).status == "completed"  # bob's delete did nothing


# -- allowlists ----------------------------------------------------------------------------


def test_key_allowlist(env: Env) -> None:
    client = env.sdk(env.team_key(models=["fast"]))
    client.videos.create(model="fast", prompt="ok")
    with pytest.raises(openai.PermissionDeniedError) as caught:
        client.videos.create(model="other", prompt="no")
    assert caught.value.code == "model_not_allowed"
    assert [m.id for m in client.models.list()] == ["fast"]
    # An alias outside the allowlist is refused the same way whether it exists or not.
    with pytest.raises(openai.PermissionDeniedError) as unknown:
        client.videos.create(model="nonexistent", prompt="no")
    assert "It may use: fast." in unknown.value.message  # not the aliases it cannot use


def test_team_allowlist_applies_to_all_its_keys(env: Env) -> None:
    team = env.team(models=["b*"])  # burst, broken
    client = env.sdk(env.team_key(team))
    with pytest.raises(openai.PermissionDeniedError):
        client.videos.create(model="fast", prompt="no")
    assert [m.id for m in client.models.list()] == ["broken", "burst"]
    with pytest.raises(openai.NotFoundError):  # inside the allowlist, unknown is a 404
        client.videos.create(model="bogus", prompt="no")


# -- limits --------------------------------------------------------------------------------


def test_rpm_limit_answers_429_with_retry_after(env: Env) -> None:
    client = env.sdk(env.team_key(rpm=3))
    for _ in range(3):
        client.videos.create(model="fast", prompt="within")
    with pytest.raises(openai.RateLimitError) as caught:
        client.videos.create(model="fast", prompt="over")
    assert caught.value.code == "rate_limit_exceeded"
    assert 1 <= int(caught.value.response.headers["retry-after"]) <= 60


def test_team_rpm_is_shared_by_its_keys(env: Env) -> None:
    team = env.team(rpm=2)
    first, second = env.sdk(env.team_key(team)), env.sdk(env.team_key(team))
    first.videos.create(model="fast", prompt="1")
    second.videos.create(model="fast", prompt="2")
    with pytest.raises(openai.RateLimitError):
        first.videos.create(model="fast", prompt="3")


def test_parallel_limit_frees_a_slot_when_a_video_goes(env: Env) -> None:
    team = env.team()
    client = env.sdk(env.team_key(team, max_parallel_jobs=2))
    first = client.videos.create(model="slow", prompt="1")
    client.videos.create(model="slow", prompt="2")
    with pytest.raises(openai.RateLimitError) as caught:
        client.videos.create(model="slow", prompt="3")
    assert caught.value.code == "rate_limit_exceeded"
    assert "retry-after" in caught.value.response.headers
    assert env.get_team(team["id"])["in_flight"] == 2
    client.videos.delete(first.id)
    client.videos.create(model="slow", prompt="3 again")
    assert env.get_team(team["id"])["in_flight"] == 2


# -- budgets -------------------------------------------------------------------------------


def test_concurrent_creates_never_overrun_the_budget(env: Env) -> None:
    per_video = 4 * PRICE
    team = env.team(name="racers", budget_usd=10 * per_video)
    key = env.team_key(team)

    async def burst() -> list[Any]:
        client = env.async_sdk(key)
        calls = [
            client.videos.create(model="burst", prompt=f"racer {i}", seconds="4") for i in range(50)
        ]
        results = await asyncio.gather(*calls, return_exceptions=True)
        await client.close()
        return results

    results = asyncio.run(burst())
    accepted = [r for r in results if isinstance(r, openai.types.Video)]
    refused = [r for r in results if isinstance(r, openai.RateLimitError)]
    assert len(accepted) == 10
    assert len(refused) == 40
    assert all(r.code == "budget_exceeded" for r in refused)
    assert "remaining" in refused[0].message
    state = env.get_team(team["id"])["spend"]
    assert state["reserved_usd"] == pytest.approx(10 * per_video)
    assert state["remaining_usd"] == pytest.approx(0.0)

    client = env.sdk(key)
    finished = [done(client, video.id) for video in accepted]
    assert all(v.status == "completed" for v in finished)
    costs = [cost_of(v)["cost_usd"] for v in finished]
    assert costs == [pytest.approx(per_video)] * 10
    state = env.get_team(team["id"])["spend"]
    assert state["spent_usd"] == pytest.approx(sum(costs))
    assert state["reserved_usd"] == pytest.approx(0.0)
    report = env.admin.get(
        "/admin/spend", params={"group_by": "team", "team_id": team["id"]}
    ).json()
    assert report["data"] == [
        {"group": team["id"], "spend_usd": pytest.approx(sum(costs)), "videos": 10}
    ]


def test_failed_job_refunds_its_reservation(env: Env) -> None:
    team = env.team(budget_usd=1.0)
    client = env.sdk(env.team_key(team))
    video = client.videos.create(model="broken", prompt="will fail", seconds="4")
    assert cost_of(video)["estimated_cost_usd"] == pytest.approx(0.4)
    assert env.get_team(team["id"])["spend"]["reserved_usd"] == pytest.approx(0.4)
    failed = done(client, video.id)
    assert failed.status == "failed"
    assert cost_of(failed)["cost_usd"] == 0.0
    state = env.get_team(team["id"])
    assert state["spend"] == {
        "period_start": state["spend"]["period_start"],
        "spent_usd": 0.0,
        "reserved_usd": 0.0,
        "remaining_usd": 1.0,
    }
    assert state["in_flight"] == 0


def test_deleting_an_unfinished_video_releases_its_reservation(env: Env) -> None:
    team = env.team(budget_usd=1.0)
    client = env.sdk(env.team_key(team))
    video = client.videos.create(model="slow", prompt="cancel", seconds="8")
    assert env.get_team(team["id"])["spend"]["reserved_usd"] == pytest.approx(0.8)
    client.videos.delete(video.id)
    assert env.get_team(team["id"])["spend"]["reserved_usd"] == 0.0


def test_key_budget_is_enforced_besides_the_team_budget(env: Env) -> None:
    team = env.team(budget_usd=100)
    client = env.sdk(env.team_key(team, budget_usd=0.5))
    client.videos.create(model="slow", prompt="fits", seconds="4")
    with pytest.raises(openai.RateLimitError) as caught:
        client.videos.create(model="slow", prompt="does not fit", seconds="4")
    assert caught.value.code == "budget_exceeded"
    assert "$0.1000 remaining" in caught.value.message


def test_daily_budget_resets_when_the_day_turns(env: Env) -> None:
    team = env.team(budget_usd=0.4, budget_period="daily")
    client = env.sdk(env.team_key(team))
    done(client, client.videos.create(model="fast", prompt="today", seconds="4").id)
    assert env.get_team(team["id"])["spend"]["spent_usd"] == pytest.approx(0.4)
    with pytest.raises(openai.RateLimitError):
        client.videos.create(model="fast", prompt="over", seconds="4")
    query(
        env.db,
        "update teams set period_start = period_start - 86400 where id = :id",
        {"id": team["id"]},
    )  # as if the spend had been booked yesterday
    assert env.get_team(team["id"])["spend"]["spent_usd"] == 0.0
    video = client.videos.create(model="fast", prompt="tomorrow", seconds="4")
    assert done(client, video.id).status == "completed"
    assert env.get_team(team["id"])["spend"]["spent_usd"] == pytest.approx(0.4)


# -- spend -------------------------------------------------------------------------------


def test_spend_report_groups(env: Env) -> None:
    team = env.team(name="reporting")
    key = env.key(team["id"])
    client = env.sdk(key["key"])
    for seconds in ("2", "4"):
        done(client, client.videos.create(model="fast", prompt="r", seconds=seconds).id)
    filters = {"team_id": team["id"]}
    by_key = env.admin.get("/admin/spend", params={"group_by": "key", **filters}).json()
    assert by_key["data"] == [{"group": key["id"], "spend_usd": pytest.approx(0.6), "videos": 2}]
    by_alias = env.admin.get("/admin/spend", params={"group_by": "alias", **filters}).json()
    assert by_alias["data"][0]["group"] == "fast"
    by_deployment = env.admin.get(
        "/admin/spend", params={"group_by": "deployment", **filters}
    ).json()
    assert by_deployment["data"][0]["group"] == "fast-1"
    by_day = env.admin.get("/admin/spend", params={"group_by": "day", **filters}).json()
    assert by_day["data"][0]["group"] == time.strftime("%Y-%m-%d", time.gmtime())
    assert by_day["total_usd"] == pytest.approx(0.6)
    future = env.admin.get("/admin/spend", params={"start": "2999-01-01", **filters}).json()
    assert future["data"] == []
    bad = env.admin.get("/admin/spend", params={"group_by": "colour"})
    assert bad.status_code == 400


# -- CLI -----------------------------------------------------------------------------------


def run_cli(env: Env, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "tarash_gateway.proxy.cli.main", *args],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=REPO_ROOT,
        env={**os.environ, "TARASH_URL": env.server.base_url, "TARASH_MASTER_KEY": MASTER},
    )


def test_cli_manages_teams_and_keys(env: Env) -> None:
    created = run_cli(
        env,
        "teams",
        "create",
        "cli-team",
        "--budget-usd",
        "2",
        "--budget-period",
        "monthly",
        "--models",
        "fast,other",
        "--rpm",
        "30",
    )
    assert created.returncode == 0, created.stderr
    team = json.loads(created.stdout)
    assert (team["budget_usd"], team["models"], team["rpm"]) == (2, ["fast", "other"], 30)

    made = run_cli(env, "keys", "create", "--team", team["id"], "--name", "laptop")
    assert made.returncode == 0, made.stderr
    key = json.loads(made.stdout)
    client = env.sdk(key["key"])
    assert done(client, client.videos.create(model="fast", prompt="cli").id).status == "completed"

    listed = json.loads(run_cli(env, "keys", "list", "--team", team["id"]).stdout)
    assert [k["id"] for k in listed["data"]] == [key["id"]]
    assert key["key"] not in json.dumps(listed)

    updated = json.loads(run_cli(env, "teams", "update", team["id"], "--rpm", "5").stdout)
    assert updated["rpm"] == 5
    report = json.loads(run_cli(env, "spend", "--group-by", "key").stdout)
    assert key["id"] in [row["group"] for row in report["data"]]

    assert run_cli(env, "keys", "revoke", key["id"]).returncode == 0
    with pytest.raises(openai.AuthenticationError):
        client.videos.list()


def test_cli_reports_refusals_and_exits_non_zero(env: Env) -> None:
    result = run_cli(env, "keys", "create", "--team", "team_nope")
    assert result.returncode == 1
    assert "No team found with id 'team_nope'" in result.stderr
    wrong_key = subprocess.run(
        [sys.executable, "-m", "tarash_gateway.proxy.cli.main", "teams", "list"],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=REPO_ROOT,
        env={**os.environ, "TARASH_URL": env.server.base_url, "TARASH_MASTER_KEY": "wrong"},
    )
    assert wrong_key.returncode == 1
    assert "401" in wrong_key.stderr


def test_images_are_budgeted_and_reported(env: Env) -> None:
    team = env.team(budget_usd=0.5)
    client = env.sdk(env.team_key(team))
    result = client.images.generate(model="pics", prompt="a kite", n=2, response_format="b64_json")
    assert len(result.data) == 2
    assert env.get_team(team["id"])["spend"]["spent_usd"] == pytest.approx(0.5)
    with pytest.raises(openai.RateLimitError) as caught:
        client.images.generate(model="pics", prompt="one more")
    assert caught.value.code == "budget_exceeded"
    report = env.admin.get(
        "/admin/spend", params={"group_by": "alias", "team_id": team["id"]}
    ).json()
    assert report["data"] == [{"group": "pics", "spend_usd": pytest.approx(0.5), "videos": 1}]


def test_idempotent_replay_reserves_nothing_twice(env: Env) -> None:
    team = env.team(budget_usd=0.4)
    client = env.sdk(env.team_key(team))
    headers = {"Idempotency-Key": "budget-once"}
    first = client.videos.create(model="slow", prompt="p", seconds="4", extra_headers=headers)
    second = client.videos.create(model="slow", prompt="p", seconds="4", extra_headers=headers)
    assert first.id == second.id
    assert env.get_team(team["id"])["spend"]["reserved_usd"] == pytest.approx(0.4)


def test_deleting_a_finished_video_keeps_its_spend_in_the_report(env: Env) -> None:
    team = env.team(name="keeps-history")
    client = env.sdk(env.team_key(team))
    video = done(client, client.videos.create(model="fast", prompt="p", seconds="4").id)
    client.videos.delete(video.id)
    with pytest.raises(openai.NotFoundError):
        client.videos.retrieve(video.id)
    report = env.admin.get(
        "/admin/spend", params={"group_by": "team", "team_id": team["id"]}
    ).json()
    assert report["total_usd"] == pytest.approx(0.4)
    assert env.get_team(team["id"])["spend"]["spent_usd"] == pytest.approx(0.4)
