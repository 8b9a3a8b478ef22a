"""The hostile client at the HTTP layer: HEAD probes, doubled Authorization headers,
trailing slashes with a forged Host, and a restricted key probing for aliases."""

from __future__ import annotations

import httpx
import pytest

from tests.conftest import MASTER_KEY
from tests.servers import GatewayProcess


@pytest.fixture
def http(gateway: GatewayProcess) -> httpx.Client:
    return httpx.Client(base_url=gateway.base_url, timeout=10)


def _error_of(response: httpx.Response) -> dict[str, object]:
    body = response.json()
    assert set(body["error"]) == {"message", "type", "param", "code"}
    return dict(body["error"])


@pytest.mark.parametrize("path", ["/health/liveness", "/health/readiness", "/openapi.json"])
def test_head_on_public_get_routes_answers_like_get_without_a_body(
    http: httpx.Client, path: str
) -> None:
    got, head = http.get(path), http.head(path)
    assert head.status_code == got.status_code == 200
    assert head.content == b""
    assert head.headers["content-type"] == got.headers["content-type"]


def test_head_on_a_protected_route_is_a_401_not_a_500(http: httpx.Client) -> None:
    assert http.head("/v1/videos").status_code == 401
    authorized = http.head("/v1/videos", headers={"Authorization": f"Bearer {MASTER_KEY}"})
    assert authorized.status_code == 200
    assert authorized.content == b""


def test_a_head_flood_leaves_no_traceback_in_the_log(
    http: httpx.Client, gateway: GatewayProcess
) -> None:
    before = gateway.log_path.read_text()
    for _ in range(20):
        http.head("/v1/models")
    assert "Traceback" not in gateway.log_path.read_text()[len(before) :]


def test_a_method_the_path_lacks_is_a_405_naming_the_allowed_ones(http: httpx.Client) -> None:
    response = http.put("/v1/videos", headers={"Authorization": f"Bearer {MASTER_KEY}"})
    assert response.status_code == 405
    assert _error_of(response)["code"] == "method_not_allowed"
    assert "POST" in response.headers["allow"]


def test_two_authorization_headers_are_refused(http: httpx.Client) -> None:
    headers = [("Authorization", f"Bearer {MASTER_KEY}"), ("Authorization", "Bearer sk-other")]
    response = http.get("/v1/models", headers=headers)
    assert response.status_code == 400
    assert _error_of(response)["code"] == "duplicate_header"


def test_a_trailing_slash_is_served_in_place_never_redirected_to_the_host_header(
    http: httpx.Client,
) -> None:
    response = http.get(
        "/v1/models/",
        headers={"Authorization": f"Bearer {MASTER_KEY}", "Host": "evil.example"},
        follow_redirects=False,
    )
    assert response.status_code == 200
    assert "location" not in response.headers
    assert response.json()["object"] == "list"
    assert "evil.example" not in response.text


def test_a_restricted_key_cannot_tell_unknown_aliases_from_forbidden_ones(
    http: httpx.Client,
) -> None:
    admin = {"Authorization": f"Bearer {MASTER_KEY}"}
    team = http.post("/admin/teams", json={"name": "probe"}, headers=admin).json()
    created = http.post(
        "/admin/keys", json={"team_id": team["id"], "models": ["quick"]}, headers=admin
    ).json()
    key = {"Authorization": f"Bearer {created['key']}"}
    answers = {
        alias: http.post("/v1/videos", json={"model": alias, "prompt": "x"}, headers=key)
        for alias in ("weighted", "no-such-alias")  # one exists, one does not
    }
    statuses = {alias: response.status_code for alias, response in answers.items()}
    assert statuses == {"weighted": 403, "no-such-alias": 403}
    codes = {_error_of(response)["code"] for response in answers.values()}
    assert codes == {"model_not_allowed"}
    assert "weighted" not in str(_error_of(answers["no-such-alias"])["message"])
