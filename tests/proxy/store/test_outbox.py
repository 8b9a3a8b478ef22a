"""The webhook outbox on SQLite: events queued once, claimed under a lease, and the
states an attempt leaves them in."""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from tarash_gateway.proxy.store.database import Database
from tarash_gateway.proxy.store.outbox import Delivery, Outbox, enqueue
from tarash_gateway.proxy.store.schema import api_keys, teams

NOW = 1_000_000.0


@pytest.fixture
async def database(tmp_path: Path) -> AsyncIterator[Database]:
    database = Database(f"sqlite:///{tmp_path / 'outbox.db'}")
    await database.open()
    yield database
    await database.close()


async def queue(database: Database, video_id: str, event_type: str = "video.completed") -> str:
    async with database.begin() as conn:
        event_id = await enqueue(
            conn, video_id=video_id, event_type=event_type, owner="team-a", key_id=None, now=NOW
        )
    assert event_id is not None
    return event_id


async def only(outbox: Outbox) -> Delivery:
    (delivery,) = await outbox.list()
    return delivery


async def test_an_event_is_queued_once_per_video_and_type(database: Database) -> None:
    first = await queue(database, "video_1")
    async with database.begin() as conn:
        again = await enqueue(
            conn, video_id="video_1", event_type="video.completed", owner="t", key_id=None, now=NOW
        )
    assert again is None
    other = await queue(database, "video_1", "video.failed")
    listed = await Outbox(database).list()
    assert sorted(delivery.id for delivery in listed) == sorted([first, other])
    assert {delivery.status for delivery in listed} == {"pending"}


async def test_a_claimed_event_is_not_claimed_by_another_instance(database: Database) -> None:
    event_id = await queue(database, "video_1")
    outbox = Outbox(database)
    assert await outbox.claim("one", NOW - 1, lease_seconds=60, limit=10) == []  # not due yet
    (claimed,) = await outbox.claim("one", NOW, lease_seconds=60, limit=10)
    assert claimed.id == event_id
    assert await outbox.claim("two", NOW + 1, lease_seconds=60, limit=10) == []
    assert await outbox.release("one") == 1
    (taken,) = await outbox.claim("two", NOW + 1, lease_seconds=60, limit=10)
    assert taken.id == event_id


async def test_outcomes_of_an_attempt(database: Database) -> None:
    event_id = await queue(database, "video_1")
    outbox = Outbox(database)
    await outbox.mark_failed(
        event_id, attempts=1, url="https://a.test/h", status_code=500, error="HTTP 500",
        retry_at=NOW + 5,
    )  # fmt: skip
    retrying = await only(outbox)
    assert (retrying.status, retrying.attempts, retrying.next_attempt_at) == ("pending", 1, NOW + 5)
    assert (retrying.last_status_code, retrying.last_error) == (500, "HTTP 500")
    assert await outbox.claim("one", NOW + 1, lease_seconds=60, limit=10) == []  # backing off
    await outbox.mark_delivered(
        event_id, attempts=2, url="https://a.test/h", status_code=204, at=NOW + 6
    )
    delivered = await only(outbox)
    assert (delivered.status, delivered.attempts, delivered.delivered_at) == (
        "delivered",
        2,
        NOW + 6,
    )
    assert (delivered.last_error, delivered.next_attempt_at) == (None, None)


async def test_giving_up_and_skipping_are_final(database: Database) -> None:
    failed_id = await queue(database, "video_1")
    skipped_id = await queue(database, "video_2")
    outbox = Outbox(database)
    await outbox.mark_failed(
        failed_id, attempts=9, url="https://a.test/h", status_code=None, error="ConnectError",
        retry_at=None,
    )  # fmt: skip
    await outbox.mark_skipped(skipped_id)
    statuses = {d.id: (d.status, d.next_attempt_at) for d in await outbox.list()}
    assert statuses == {failed_id: ("failed", None), skipped_id: ("skipped", None)}
    assert await outbox.claim("one", NOW + 10**6, lease_seconds=60, limit=10) == []
    assert [d.id for d in await outbox.list(status="failed")] == [failed_id]
    assert [d.id for d in await outbox.list(video_id="video_2")] == [skipped_id]
    assert await outbox.list(team_id="team-b") == []


async def test_the_key_s_webhook_wins_over_the_team_s(database: Database) -> None:
    await queue(database, "video_1")
    outbox = Outbox(database)
    delivery = await only(outbox)
    assert await outbox.target(delivery) is None  # nobody to send to: the sender skips it
    stamps = {"created_at": NOW, "updated_at": NOW}
    async with database.begin() as conn:
        await conn.execute(
            sa.insert(teams).values(
                id="team-a",
                name="A",
                webhook_url="https://team.test/h",
                webhook_secret="whsec_team",
                **stamps,
            )
        )
        await conn.execute(
            sa.insert(api_keys).values(
                id="key-1",
                team_id="team-a",
                key_hash="hash-1",
                key_prefix="sk-1",
                webhook_url="https://key.test/h",
                webhook_secret="whsec_key",
                **stamps,
            )
        )
    assert await outbox.target(delivery) == ("https://team.test/h", "whsec_team")
    keyed = dataclasses.replace(delivery, key_id="key-1")
    assert await outbox.target(keyed) == ("https://key.test/h", "whsec_key")
