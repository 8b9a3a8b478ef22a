"""Every number a client sends is finite, in range, ASCII and fits a 64-bit column; a
bad one is a 400 that writes nothing, instead of a 500 or a poisoned row (issue 14,
findings 4 and 8)."""

from __future__ import annotations

import math
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tarash_gateway.proxy.http.errors import APIError
from tarash_gateway.proxy.http.numbers import parse_float, parse_int
from tests.security.inprocess import App, assert_openai_error, running_app


@pytest.fixture
async def app(tmp_path: Path) -> AsyncIterator[App]:
    async with running_app(tmp_path) as running:
        yield running


# -- the one parser ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "text", ["\u00b2", "\u0664", "4\u00b2", "", " ", "4.0", "0x4", "1e3", "\uff11"]
)
def test_parse_int_takes_ascii_digits_only(text: str) -> None:
    with pytest.raises(APIError) as refused:
        parse_int(text, param="seconds", low=1, high=600)
    assert (refused.value.status_code, refused.value.param) == (400, "seconds")


@pytest.mark.parametrize("value", [True, 4.0, None, 0, 601, 2**70, "601"])
def test_parse_int_refuses_other_types_and_out_of_range(value: object) -> None:
    with pytest.raises(APIError):
        parse_int(value, param="seconds", low=1, high=600)


def test_parse_int_accepts_json_ints_and_digit_strings() -> None:
    assert parse_int(8, param="s", low=1, high=600) == 8
    assert parse_int(" 12 ", param="s", low=1, high=600) == 12


@pytest.mark.parametrize(
    "value", ["nan", "inf", "-inf", "1e400", math.nan, math.inf, "\u0661", 10**400]
)
def test_parse_float_refuses_non_finite_and_non_ascii(value: object) -> None:
    with pytest.raises(APIError):
        parse_float(value, param="start", low=0, high=1e12)


# -- video create and list ---------------------------------------------------------------


@pytest.mark.parametrize("seconds", ["\u00b2", "\u0664", "4\u00b2", "\uff11"])
async def test_unicode_digit_seconds_are_a_400_that_costs_no_rate_slot(
    app: App, seconds: str
) -> None:
    key = await app.team_key(rpm=1)
    auth = {"Authorization": f"Bearer {key}"}
    before = await app.rows()
    for body in (
        {"json": {"model": "quick", "prompt": "p", "seconds": seconds}},
        {"data": {"model": "quick", "prompt": "p", "seconds": seconds}},
    ):
        refused = await app.client.post("/v1/videos", headers=auth, **body)  # type: ignore[arg-type]
        assert assert_openai_error(refused, 400)["param"] == "seconds"
    assert await app.rows() == before
    accepted = await app.client.post(
        "/v1/videos", headers=auth, json={"model": "quick", "prompt": "p", "seconds": "4"}
    )
    assert accepted.status_code == 200, accepted.text  # the one rpm slot was still free


@pytest.mark.parametrize(
    "limit", ["\u00b2", "\u0664", "1e1", "0", "101", "-1", "99999999999999999999999"]
)
async def test_list_limit_must_be_ascii_digits_in_range(app: App, limit: str) -> None:
    response = await app.client.get("/v1/videos", params={"limit": limit})
    assert assert_openai_error(response, 400)["param"] == "limit"


async def test_json_numbers_beyond_64_bits_or_infinite_are_refused(app: App) -> None:
    before = await app.rows()
    for raw in (
        b'{"model": "quick", "prompt": "p", "seed": 1180591620717411303424}',
        b'{"model": "quick", "prompt": "p", "strength": 1e400}',
        b'{"model": "quick", "prompt": "p", "strength": NaN}',
        b'{"model": "quick", "prompt": "p", "strength": -Infinity}',
    ):
        response = await app.client.post(
            "/v1/videos", content=raw, headers={"content-type": "application/json"}
        )
        assert_openai_error(response, 400)
    assert await app.rows() == before


# -- admin bodies --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "raw",
    [
        b'{"name": "t", "budget_usd": 1e400}',
        b'{"name": "t", "budget_usd": NaN}',
        b'{"name": "t", "budget_usd": 1e300}',
        b'{"name": "t", "rpm": 1180591620717411303424}',
        b'{"name": "t", "rpm": 9223372036854775808}',
        b'{"name": "t", "max_parallel_jobs": 1180591620717411303424}',
    ],
)
async def test_team_limits_that_cannot_be_stored_are_a_400_and_listing_still_works(
    app: App, raw: bytes
) -> None:
    before = await app.rows()
    response = await app.client.post(
        "/admin/teams", content=raw, headers={"content-type": "application/json"}
    )
    assert_openai_error(response, 400)
    assert await app.rows() == before
    assert (await app.client.get("/admin/teams")).status_code == 200


@pytest.mark.parametrize("budget", ["inf", "nan", "Infinity", "1e400"])
async def test_form_encoded_non_finite_budget_is_refused(app: App, budget: str) -> None:
    response = await app.client.post("/admin/teams", data={"name": "t", "budget_usd": budget})
    assert assert_openai_error(response, 400)["param"] == "budget_usd"
    assert (await app.rows())["teams"] == 0


async def test_team_update_with_an_infinite_budget_changes_nothing(app: App) -> None:
    team = (await app.client.post("/admin/teams", json={"name": "t", "budget_usd": 5})).json()
    response = await app.client.patch(
        f"/admin/teams/{team['id']}",
        content=b'{"budget_usd": 1e400}',
        headers={"content-type": "application/json"},
    )
    assert_openai_error(response, 400)
    listed = await app.client.get("/admin/teams")
    assert listed.status_code == 200
    assert listed.json()["data"][0]["budget_usd"] == 5


@pytest.mark.parametrize(
    "expires_at",
    [b"1e400", b"NaN", b'"nan"', b'"inf"', b"1e300", b"-1e400"],
)
async def test_key_expiry_must_be_a_finite_time(app: App, expires_at: bytes) -> None:
    team = (await app.client.post("/admin/teams", json={"name": "t"})).json()
    before = await app.rows()
    raw = b'{"team_id": "%s", "expires_at": %s}' % (team["id"].encode(), expires_at)
    response = await app.client.post(
        "/admin/keys", content=raw, headers={"content-type": "application/json"}
    )
    assert_openai_error(response, 400)
    assert await app.rows() == before
    assert (await app.client.get("/admin/keys")).status_code == 200


async def test_key_update_to_nan_expiry_is_refused(app: App) -> None:
    team = (await app.client.post("/admin/teams", json={"name": "t"})).json()
    key = (await app.client.post("/admin/keys", json={"team_id": team["id"]})).json()
    response = await app.client.patch(f"/admin/keys/{key['id']}", data={"expires_at": "nan"})
    assert assert_openai_error(response, 400)["param"].startswith("expires_at")
    assert (await app.client.get(f"/admin/keys/{key['id']}")).json()["expires_at"] is None


@pytest.mark.parametrize("start", ["nan", "inf", "\u0661\u0667" + "\u0660" * 8, "1e400"])
async def test_spend_time_bounds_must_be_finite_ascii(app: App, start: str) -> None:
    response = await app.client.get("/admin/spend", params={"start": start})
    assert assert_openai_error(response, 400)["param"] == "start"
