"""Raw HTTP behaviour the SDK hides: error shapes for every kind of bad request."""

from __future__ import annotations

import httpx
import pytest

from tests.conftest import MASTER_KEY
from tests.servers import GatewayProcess

AUTH = {"Authorization": f"Bearer {MASTER_KEY}"}


def assert_openai_error(response: httpx.Response, status: int) -> dict[str, object]:
    assert response.status_code == status
    assert response.headers["content-type"].startswith("application/json")
    error = response.json()["error"]
    assert set(error) == {"message", "type", "param", "code"}
    assert isinstance(error["message"], str)
    assert error["message"]
    assert "Traceback" not in response.text
    return dict(error)


@pytest.fixture
def http(gateway: GatewayProcess) -> httpx.Client:
    return httpx.Client(base_url=gateway.base_url, headers=AUTH)


def test_json_create_works_for_curl_users(http: httpx.Client) -> None:
    response = http.post("/v1/videos", json={"model": "quick", "prompt": "hi", "seconds": 8})
    assert response.status_code == 200
    body = response.json()
    assert body["object"] == "video"
    assert body["status"] == "queued"
    assert body["seconds"] == "8"


def test_malformed_json(http: httpx.Client) -> None:
    response = http.post(
        "/v1/videos",
        content=b'{"model": "quick", "prompt":',
        headers={"content-type": "application/json"},
    )
    assert "could not parse the JSON" in str(assert_openai_error(response, 400)["message"])


def test_json_that_is_not_an_object(http: httpx.Client) -> None:
    response = http.post("/v1/videos", json=["model", "quick"])
    assert_openai_error(response, 400)


def test_empty_body(http: httpx.Client) -> None:
    response = http.post("/v1/videos", content=b"", headers={"content-type": "application/json"})
    assert_openai_error(response, 400)


def test_unsupported_content_type(http: httpx.Client) -> None:
    response = http.post("/v1/videos", content=b"<xml/>", headers={"content-type": "text/xml"})
    assert_openai_error(response, 415)


def test_wrong_type_in_json(http: httpx.Client) -> None:
    response = http.post("/v1/videos", json={"model": "quick", "prompt": ["a", "list"]})
    assert assert_openai_error(response, 400)["param"] == "prompt"


def test_body_over_the_limit_is_413(http: httpx.Client) -> None:
    big = {"model": "quick", "prompt": "x" * 3_000_000}
    response = http.post("/v1/videos", json=big)
    assert assert_openai_error(response, 413)["code"] == "request_too_large"


def test_chunked_body_over_the_limit_is_413(http: httpx.Client) -> None:
    def chunks():  # no Content-Length: the limit is enforced while counting
        for _ in range(40):
            yield b"x" * 100_000

    response = http.post(
        "/v1/videos", content=chunks(), headers={"content-type": "application/json"}
    )
    assert_openai_error(response, 413)


def test_unknown_path_is_404(http: httpx.Client) -> None:
    assert assert_openai_error(http.get("/v1/nothing-here"), 404)["code"] == "unknown_url"


def test_unknown_video_is_404(http: httpx.Client) -> None:
    response = http.get("/v1/videos/video_0000")
    assert assert_openai_error(response, 404)["code"] == "not_found"


def test_wrong_method_is_405(http: httpx.Client) -> None:
    response = http.put("/v1/videos", json={})
    assert assert_openai_error(response, 405)["code"] == "method_not_allowed"
    assert "GET" in response.headers["allow"]


def test_liveness_needs_no_key(gateway: GatewayProcess) -> None:
    response = httpx.get(f"{gateway.base_url}/health/liveness")
    assert response.json() == {"status": "ok"}
