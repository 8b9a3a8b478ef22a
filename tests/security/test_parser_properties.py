"""Property tests of the request parsers through the real app: whatever a client sends
to create (JSON or multipart), list, or the admin team and key endpoints, the answer is
a 2xx or a 4xx in the OpenAI error shape, never a 500, and a 4xx writes no row.

Hypothesis runs derandomized with a fixed example budget so CI sees the same inputs
every run; one gateway serves every example (rows are counted before and after each).
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Coroutine, Iterator
from typing import Any, TypeVar

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tarash_gateway.adapters.media import SAMPLE_THUMBNAIL
from tests.security.inprocess import App, assert_openai_error, running_app

T = TypeVar("T")

PROPERTY_SETTINGS = settings(
    max_examples=150,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


class Harness:
    """One event loop and one gateway for a whole module of examples."""

    def __init__(self, runner: asyncio.Runner, app: App) -> None:
        self.runner = runner
        self.app = app

    def run(self, coroutine: Coroutine[Any, Any, T]) -> T:
        return self.runner.run(coroutine)

    def check(self, send: Coroutine[Any, Any, httpx.Response], written: str | None) -> None:
        """Send one request: never a 5xx; a 4xx leaves every table as it was, and a 2xx
        adds at most one row, to ``written``."""

        async def go() -> None:
            before = await self.app.rows()
            response = await send
            after = await self.app.rows()
            assert response.status_code < 500, response.text
            if response.status_code >= 400:
                assert_openai_error(response)
                assert after == before, response.text
            else:
                grew = {name for name in after if after[name] != before[name]}
                assert grew <= ({written} if written else set()), (grew, response.text)

        self.run(go())


@pytest.fixture(scope="module")
def harness(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Harness]:
    directory = tmp_path_factory.mktemp("properties")
    with asyncio.Runner() as runner:
        context = running_app(directory, "max_json_body_bytes: 100000")
        app = runner.run(context.__aenter__())
        try:
            yield Harness(runner, app)
        finally:
            runner.run(context.__aexit__(None, None, None))


# -- strategies ----------------------------------------------------------------------------

NUMBERS = st.one_of(
    st.integers(),
    st.integers(min_value=-(2**80), max_value=2**80),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from(["4", "8", "\u00b2", "\u0664", "1e400", "nan", "inf", "-1", "0", " 12 "]),
)
SCALARS = st.one_of(st.none(), st.booleans(), NUMBERS, st.text(max_size=20))
JSON_VALUES = st.recursive(
    SCALARS,
    lambda children: st.one_of(
        st.lists(children, max_size=4),
        st.dictionaries(st.text(max_size=8), children, max_size=4),
    ),
    max_leaves=12,
)


def _nest(depth: int) -> Any:
    value: Any = 1
    for level in range(depth):
        value = [value] if level % 2 else {"k": value}
    return value


VALUES = st.one_of(NUMBERS, SCALARS, JSON_VALUES, st.integers(1, 400).map(_nest))
"""What a field may hold: numbers of every kind weighted up, anything JSON, deep nests."""
KEYS = st.one_of(
    st.sampled_from(
        [
            "seconds",
            "size",
            "seed",
            "number_of_videos",
            "resolution",
            "aspect_ratio",
            "generate_audio",
            "image_list",
            "input_reference",
            "negative_prompt",
            "extra_params",
            "duration_seconds",
            "n",
            "response_format",
            "video",
        ]
    ),
    st.text(max_size=12),
)
CREATE_BODIES = st.fixed_dictionaries(
    {
        "model": st.one_of(st.sampled_from(["quick", "pics", "missing", ""]), SCALARS),
        "prompt": st.one_of(st.text(min_size=1, max_size=40), SCALARS),
    }
).flatmap(lambda base: st.dictionaries(KEYS, VALUES, max_size=6).map(lambda more: {**base, **more}))
JSON_HEADERS = {"content-type": "application/json"}


def as_json(value: Any) -> bytes:
    """Serialized as Python does by default: NaN and Infinity included, as a hostile
    client could send them."""
    return json.dumps(value).encode()


# -- create --------------------------------------------------------------------------------


@PROPERTY_SETTINGS
@given(body=CREATE_BODIES, path=st.sampled_from(["/v1/videos", "/v1/images/generations"]))
def test_create_json_bodies_never_fail_the_server(
    harness: Harness, body: dict[str, Any], path: str
) -> None:
    written = "videos" if path == "/v1/videos" else "images"
    send = harness.app.client.post(path, content=as_json(body), headers=JSON_HEADERS)
    harness.check(send, written)


@PROPERTY_SETTINGS
@given(raw=st.one_of(st.binary(max_size=200), st.text(max_size=200).map(str.encode)))
def test_arbitrary_bytes_as_a_json_body_are_a_4xx(harness: Harness, raw: bytes) -> None:
    send = harness.app.client.post("/v1/videos", content=raw, headers=JSON_HEADERS)
    harness.check(send, "videos")


FORM_TEXT = st.one_of(st.text(max_size=20), st.sampled_from(["4", "\u00b2", "1280x720", "quick"]))


@PROPERTY_SETTINGS
@given(
    fields=st.dictionaries(
        st.one_of(KEYS, st.sampled_from(["style[a]", "a[][b]", "x[]"])), FORM_TEXT, max_size=6
    ),
    file_fields=st.lists(st.one_of(KEYS, st.just("prompt")), max_size=2, unique=True),
    model=st.sampled_from(["quick", "missing"]),
)
def test_multipart_creates_never_fail_the_server(
    harness: Harness, fields: dict[str, str], file_fields: list[str], model: str
) -> None:
    data = {"model": model, "prompt": "p", **fields}
    image = SAMPLE_THUMBNAIL.read_bytes()
    files = {name: ("f.jpg", image, "image/jpeg") for name in file_fields}
    if files:
        send = harness.app.client.post("/v1/videos", data=data, files=files)
    else:
        send = harness.app.client.post("/v1/videos", data=data)
    harness.check(send, "videos")


# -- list ----------------------------------------------------------------------------------


@PROPERTY_SETTINGS
@given(
    params=st.dictionaries(
        st.sampled_from(["limit", "order", "after", "variant", "x"]),
        st.one_of(st.text(max_size=24), NUMBERS.map(str)),
        max_size=4,
    )
)
def test_list_query_params_never_fail_the_server(harness: Harness, params: dict[str, str]) -> None:
    harness.check(harness.app.client.get("/v1/videos", params=params), None)


# -- admin ---------------------------------------------------------------------------------

ADMIN_FIELDS = st.sampled_from(
    [
        "name",
        "models",
        "budget_usd",
        "budget_period",
        "rpm",
        "max_parallel_jobs",
        "metadata",
        "webhook_url",
        "webhook_secret",
        "expires_at",
        "team_id",
        "grace_seconds",
        "unknown",
    ]
)
ADMIN_BODIES = st.dictionaries(ADMIN_FIELDS, VALUES, max_size=5)


@PROPERTY_SETTINGS
@given(body=ADMIN_BODIES, name=st.one_of(st.text(min_size=1, max_size=8), SCALARS))
def test_team_bodies_never_fail_the_server(
    harness: Harness, body: dict[str, Any], name: Any
) -> None:
    send = harness.app.client.post(
        "/admin/teams", content=as_json({"name": name, **body}), headers=JSON_HEADERS
    )
    harness.check(send, "teams")
    listed = harness.run(harness.app.client.get("/admin/teams"))
    assert listed.status_code == 200, listed.text


@pytest.fixture(scope="module")
def team_id(harness: Harness) -> str:
    response = harness.run(harness.app.client.post("/admin/teams", json={"name": "keys"}))
    return str(response.json()["id"])


@PROPERTY_SETTINGS
@given(body=ADMIN_BODIES, own_team=st.booleans())
def test_key_bodies_never_fail_the_server(
    harness: Harness, team_id: str, body: dict[str, Any], own_team: bool
) -> None:
    if own_team:
        body = {**body, "team_id": team_id}
    send = harness.app.client.post("/admin/keys", content=as_json(body), headers=JSON_HEADERS)
    harness.check(send, "api_keys")
    listed = harness.run(harness.app.client.get("/admin/keys"))
    assert listed.status_code == 200, listed.text


@PROPERTY_SETTINGS
@given(body=ADMIN_BODIES)
def test_team_updates_never_fail_the_server(
    harness: Harness, team_id: str, body: dict[str, Any]
) -> None:
    send = harness.app.client.patch(
        f"/admin/teams/{team_id}", content=as_json(body), headers=JSON_HEADERS
    )
    harness.check(send, None)
    listed = harness.run(harness.app.client.get("/admin/teams"))
    assert listed.status_code == 200, listed.text
