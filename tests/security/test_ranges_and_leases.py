"""A finished video's bytes and row: Range errors in the OpenAI error shape (the SDKs
read nothing else), and no instance left named as the owner of a finished job."""

from __future__ import annotations

import httpx
import openai
import pytest

from tarash_gateway.adapters.media import SAMPLE_VIDEO
from tests.conftest import MASTER_KEY
from tests.db_backends import database_url_of, query
from tests.servers import GatewayProcess

SIZE = SAMPLE_VIDEO.stat().st_size


@pytest.fixture(scope="module")
def finished(gateway: GatewayProcess) -> str:
    sdk = openai.OpenAI(base_url=f"{gateway.base_url}/v1", api_key=MASTER_KEY, max_retries=0)
    video = sdk.videos.create_and_poll(model="quick", prompt="ranges", poll_interval_ms=50)
    assert video.status == "completed"
    return video.id


def _content(gateway: GatewayProcess, video_id: str, ranged: str) -> httpx.Response:
    return httpx.get(
        f"{gateway.base_url}/v1/videos/{video_id}/content",
        headers={"Authorization": f"Bearer {MASTER_KEY}", "Range": ranged},
        timeout=10,
    )


@pytest.mark.parametrize("ranged", ["bytes=abc", "pages=0-1", "bytes=9-2"])
def test_a_malformed_range_is_a_json_400(
    gateway: GatewayProcess, finished: str, ranged: str
) -> None:
    response = _content(gateway, finished, ranged)
    assert response.status_code == 400
    assert response.headers["content-type"] == "application/json"
    assert response.json()["error"]["code"] == "invalid_range"


def test_a_range_past_the_end_is_a_json_416_with_the_size(
    gateway: GatewayProcess, finished: str
) -> None:
    response = _content(gateway, finished, f"bytes={SIZE + 10}-")
    assert response.status_code == 416
    assert response.headers["content-range"] == f"bytes */{SIZE}"
    error = response.json()["error"]
    assert error["code"] == "range_not_satisfiable"
    assert str(SIZE) in error["message"]


def test_the_sdk_reads_a_range_error_as_an_api_error(
    gateway: GatewayProcess, finished: str
) -> None:
    sdk = openai.OpenAI(base_url=f"{gateway.base_url}/v1", api_key=MASTER_KEY, max_retries=0)
    with pytest.raises(openai.BadRequestError) as caught:
        sdk.videos.download_content(finished, extra_headers={"Range": "bytes=x-y"})
    assert caught.value.code == "invalid_range"


def test_a_good_range_still_answers_206(gateway: GatewayProcess, finished: str) -> None:
    response = _content(gateway, finished, "bytes=4-7")
    assert response.status_code == 206
    assert response.content == SAMPLE_VIDEO.read_bytes()[4:8]
    assert response.headers["content-range"] == f"bytes 4-7/{SIZE}"


def test_a_finished_job_keeps_no_lease(gateway: GatewayProcess, finished: str) -> None:
    [(status, owner, expires)] = query(
        database_url_of(gateway.config_path),
        "select status, lease_owner, lease_expires_at from videos where id = :id",
        {"id": finished},
    )
    assert status == "completed"
    assert (owner, expires) == (None, None)


def test_a_failed_job_keeps_no_lease(gateway: GatewayProcess) -> None:
    sdk = openai.OpenAI(base_url=f"{gateway.base_url}/v1", api_key=MASTER_KEY, max_retries=0)
    video = sdk.videos.create_and_poll(model="broken", prompt="fails", poll_interval_ms=50)
    assert video.status == "failed"
    [(owner, expires)] = query(
        database_url_of(gateway.config_path),
        "select lease_owner, lease_expires_at from videos where id = :id",
        {"id": video.id},
    )
    assert (owner, expires) == (None, None)
