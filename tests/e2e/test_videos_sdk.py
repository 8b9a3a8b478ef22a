"""The /v1/videos API driven end to end by the real OpenAI SDK against a real server."""

from __future__ import annotations

import asyncio

import httpx
import openai
import pytest

from tarash_gateway.adapters.media import SAMPLE_THUMBNAIL, SAMPLE_VIDEO
from tests.conftest import MASTER_KEY
from tests.servers import GatewayProcess

FAST_POLL = 50


def create_done(client: openai.OpenAI, **kwargs: object) -> openai.types.Video:
    kwargs.setdefault("model", "quick")
    kwargs.setdefault("prompt", "a lighthouse at dawn")
    return client.videos.create_and_poll(poll_interval_ms=FAST_POLL, **kwargs)  # type: ignore[arg-type]


def test_create_and_poll_completes_with_the_alias_as_model(client: openai.OpenAI) -> None:
    video = create_done(
        client, seconds="8", size="1280x720", extra_body={"negative_prompt": "text", "seed": 42}
    )
    assert video.status == "completed"
    assert video.progress == 100
    assert video.model == "quick"
    assert video.seconds == "8"
    assert video.size == "1280x720"
    assert video.prompt == "a lighthouse at dawn"
    assert video.id.startswith("video_")
    assert len(video.id) == len("video_") + 32
    assert video.completed_at is not None
    assert video.completed_at >= video.created_at
    assert video.error is None


def test_defaults_follow_openai(client: openai.OpenAI) -> None:
    video = client.videos.create(model="quick", prompt="defaults")
    assert video.status == "queued"
    assert (video.seconds, video.size) == ("4", "720x1280")


def test_size_derived_from_unified_fields(client: openai.OpenAI) -> None:
    video = client.videos.create(
        model="quick", prompt="wide", extra_body={"resolution": "1080p", "aspect_ratio": "16:9"}
    )
    assert video.size == "1920x1080"


def test_download_content_returns_the_shipped_mp4_byte_for_byte(client: openai.OpenAI) -> None:
    video = create_done(client)
    content = client.videos.download_content(video.id)
    assert content.read() == SAMPLE_VIDEO.read_bytes()
    assert content.response.headers["content-type"] == "video/mp4"
    thumbnail = client.videos.download_content(video.id, variant="thumbnail")
    assert thumbnail.read() == SAMPLE_THUMBNAIL.read_bytes()
    assert thumbnail.response.headers["content-type"] == "image/jpeg"


def test_content_honours_range_requests(client: openai.OpenAI, gateway: GatewayProcess) -> None:
    video = create_done(client)
    expected = SAMPLE_VIDEO.read_bytes()
    response = httpx.get(
        f"{gateway.base_url}/v1/videos/{video.id}/content",
        headers={"Authorization": f"Bearer {MASTER_KEY}", "Range": "bytes=100-1099"},
    )
    assert response.status_code == 206
    assert response.content == expected[100:1100]
    assert response.headers["content-range"] == f"bytes 100-1099/{len(expected)}"


def test_content_variant_errors(client: openai.OpenAI) -> None:
    video = create_done(client)
    with pytest.raises(openai.NotFoundError, match="spritesheet"):
        client.videos.download_content(video.id, variant="spritesheet")
    with pytest.raises(openai.BadRequestError, match="variant"):
        client.videos.download_content(video.id, variant="poster")  # type: ignore[arg-type]


def test_content_of_unfinished_video_is_refused(client: openai.OpenAI) -> None:
    video = client.videos.create(model="quick", prompt="not yet")
    with pytest.raises(openai.BadRequestError, match="not ready"):
        client.videos.download_content(video.id)


def test_retrieve(client: openai.OpenAI) -> None:
    created = client.videos.create(model="quick", prompt="retrieve me")
    fetched = client.videos.retrieve(created.id)
    assert fetched.id == created.id
    assert fetched.status in ("queued", "in_progress", "completed")
    assert fetched.model == "quick"


def test_retrieve_tells_the_sdk_how_often_to_poll(client: openai.OpenAI) -> None:
    created = client.videos.with_raw_response.create(model="quick", prompt="pace")
    assert created.headers["openai-poll-after-ms"] == "100"


def test_list_paginates_with_cursor(client: openai.OpenAI) -> None:
    ids = [client.videos.create(model="quick", prompt=f"page {i}").id for i in range(5)]
    first = client.videos.list(limit=2)
    assert len(first.data) == 2
    assert first.has_more is True
    # Newest first by default: the last created leads.
    assert first.data[0].id == ids[-1]
    newest_first = [v.id for v in client.videos.list(limit=2)]  # auto-paginates every page
    assert newest_first[: len(ids)] == list(reversed(ids))
    assert len(newest_first) == len(set(newest_first))
    oldest_first = [v.id for v in client.videos.list(limit=3, order="asc")]
    assert oldest_first == list(reversed(newest_first))
    after = client.videos.list(limit=2, after=ids[-1])
    assert [v.id for v in after.data] == [ids[-2], ids[-3]]


def test_list_rejects_bad_parameters(client: openai.OpenAI) -> None:
    with pytest.raises(openai.BadRequestError, match="limit"):
        client.videos.list(limit=0)
    with pytest.raises(openai.BadRequestError, match="order"):
        client.videos.list(order="sideways")  # type: ignore[arg-type]
    with pytest.raises(openai.BadRequestError, match="cursor"):
        client.videos.list(after="video_doesnotexist")


def test_delete_then_404_everywhere(client: openai.OpenAI) -> None:
    video = create_done(client)
    deleted = client.videos.delete(video.id)
    assert deleted.deleted is True
    assert deleted.id == video.id
    assert deleted.object == "video.deleted"
    with pytest.raises(openai.NotFoundError):
        client.videos.retrieve(video.id)
    with pytest.raises(openai.NotFoundError):
        client.videos.download_content(video.id)
    with pytest.raises(openai.NotFoundError):
        client.videos.delete(video.id)
    assert video.id not in [v.id for v in client.videos.list(limit=100)]


def test_delete_in_flight_video_stops_it(client: openai.OpenAI) -> None:
    video = client.videos.create(model="quick", prompt="cancel me")
    assert client.videos.delete(video.id).deleted is True
    with pytest.raises(openai.NotFoundError):
        client.videos.retrieve(video.id)


def test_remix_makes_a_new_linked_video(client: openai.OpenAI) -> None:
    source = create_done(client, seconds="8", size="1280x720")
    remix = client.videos.remix(source.id, prompt="the same scene at dusk")
    assert remix.id != source.id
    assert remix.remixed_from_video_id == source.id
    assert remix.prompt == "the same scene at dusk"
    assert (remix.seconds, remix.size, remix.model) == ("8", "1280x720", "quick")
    done = client.videos.poll(remix.id, poll_interval_ms=FAST_POLL)
    assert done.status == "completed"
    assert client.videos.download_content(done.id).read() == SAMPLE_VIDEO.read_bytes()


def test_remix_refused_where_the_deployment_cannot(client: openai.OpenAI) -> None:
    source = create_done(client, model="no-remix")
    with pytest.raises(openai.BadRequestError, match="does not support remix"):
        client.videos.remix(source.id, prompt="again")


def test_remix_of_unfinished_video_refused(client: openai.OpenAI) -> None:
    source = client.videos.create(model="quick", prompt="still running")
    with pytest.raises(openai.BadRequestError, match="completed"):
        client.videos.remix(source.id, prompt="again")


def test_failed_job_gives_failed_video_with_useful_error(client: openai.OpenAI) -> None:
    video = create_done(client, model="broken")
    assert video.status == "failed"
    assert video.error is not None
    assert video.error.code == "generation_failed"
    assert "render farm caught fire" in video.error.message


def test_submit_time_refusal_is_an_error_and_leaves_no_video(client: openai.OpenAI) -> None:
    before = {v.id for v in client.videos.list(limit=100)}
    with pytest.raises(openai.BadRequestError, match="prompt flagged") as caught:
        client.videos.create(model="refusing", prompt="something flagged")
    assert caught.value.code == "moderation_blocked"
    after = {v.id for v in client.videos.list(limit=100)}
    assert after - before == set()


def test_wrong_key_is_an_authentication_error(gateway: GatewayProcess) -> None:
    bad = openai.OpenAI(base_url=f"{gateway.base_url}/v1", api_key="sk-wrong", max_retries=0)
    with pytest.raises(openai.AuthenticationError) as caught:
        bad.videos.list()
    assert caught.value.code == "invalid_api_key"
    with pytest.raises(openai.AuthenticationError):
        bad.videos.create(model="quick", prompt="x")


def test_missing_key_is_401(gateway: GatewayProcess) -> None:
    response = httpx.get(f"{gateway.base_url}/v1/videos")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "missing_api_key"


def test_unknown_alias_names_it_and_lists_the_real_ones(client: openai.OpenAI) -> None:
    with pytest.raises(openai.NotFoundError) as caught:
        client.videos.create(model="cinematic-typo", prompt="x")
    message = caught.value.message
    assert "cinematic-typo" in message
    assert "quick" in message
    assert caught.value.code == "model_not_found"


@pytest.mark.parametrize(
    ("kwargs", "param"),
    [
        ({"seconds": "0"}, "seconds"),
        ({"seconds": "eight"}, "seconds"),
        ({"size": "huge"}, "size"),
        ({"size": "1000x100"}, "size"),
        ({"extra_body": {"seed": "not-a-number"}}, "seed"),
        ({"extra_body": {"aspect_ratio": "7:3"}}, "aspect_ratio"),
        ({"extra_body": {"generate_audio": "perhaps"}}, "generate_audio"),
        ({"size": "1280x720", "extra_body": {"aspect_ratio": "9:16"}}, "aspect_ratio"),
    ],
)
def test_invalid_parameters_are_bad_requests(
    client: openai.OpenAI, kwargs: dict[str, object], param: str
) -> None:
    with pytest.raises(openai.BadRequestError) as caught:
        client.videos.create(model="quick", prompt="x", **kwargs)  # type: ignore[arg-type]
    assert caught.value.param == param


def test_missing_prompt_is_a_bad_request(client: openai.OpenAI) -> None:
    with pytest.raises(openai.BadRequestError, match="prompt"):
        client.videos.create(model="quick", prompt="")


def test_multipart_upload_of_input_reference(client: openai.OpenAI) -> None:
    video = create_done(
        client, input_reference=("frame.jpg", SAMPLE_THUMBNAIL.read_bytes(), "image/jpeg")
    )
    assert video.status == "completed"


def test_input_reference_must_be_an_image(client: openai.OpenAI) -> None:
    with pytest.raises(openai.BadRequestError, match="input_reference"):
        client.videos.create(
            model="quick", prompt="x", input_reference=("notes.txt", b"hello", "text/plain")
        )


def test_models_lists_aliases(client: openai.OpenAI) -> None:
    ids = [model.id for model in client.models.list()]
    assert ids == sorted(["quick", "weighted", "broken", "refusing", "no-remix", "pics"])
    assert client.models.retrieve("quick").owned_by == "tarash-gateway"
    with pytest.raises(openai.NotFoundError):
        client.models.retrieve("nope")


def test_weighted_alias_serves_from_its_deployments(client: openai.OpenAI) -> None:
    videos = [create_done(client, model="weighted") for _ in range(3)]
    assert all(v.status == "completed" and v.model == "weighted" for v in videos)


def test_idempotency_key_returns_the_same_video(client: openai.OpenAI) -> None:
    headers = {"Idempotency-Key": "order-7781"}
    first = client.videos.create(model="quick", prompt="once", extra_headers=headers)
    again = client.videos.with_raw_response.create(
        model="quick", prompt="once", extra_headers=headers
    )
    assert again.parse().id == first.id
    assert again.headers["idempotent-replayed"] == "true"
    with pytest.raises(openai.ConflictError) as caught:
        client.videos.create(model="quick", prompt="a different body", extra_headers=headers)
    assert caught.value.code == "idempotency_key_reused"
    assert caught.value.response.headers["x-should-retry"] == "false"


def test_concurrent_creates_with_one_key_make_one_video(gateway: GatewayProcess) -> None:
    async def burst() -> set[str]:
        client = openai.AsyncOpenAI(
            base_url=f"{gateway.base_url}/v1", api_key=MASTER_KEY, max_retries=0
        )
        calls = [
            client.videos.create(
                model="quick", prompt="racing", extra_headers={"Idempotency-Key": "race-1"}
            )
            for _ in range(10)
        ]
        results = await asyncio.gather(*calls)
        await client.close()
        return {video.id for video in results}

    assert len(asyncio.run(burst())) == 1


def test_a_refused_create_leaves_its_key_free(client: openai.OpenAI) -> None:
    headers = {"Idempotency-Key": "refused-then-fine"}
    for _ in range(2):  # the refusal is not remembered as the key's answer
        with pytest.raises(openai.BadRequestError):
            client.videos.create(model="refusing", prompt="flagged", extra_headers=headers)
