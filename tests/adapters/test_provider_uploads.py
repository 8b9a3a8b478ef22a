"""fal storage and Runway ephemeral uploads (adapters/providers/fal_storage.py,
runway_uploads.py) against the fal and Runway emulators' storage routes, which are strict
about what fal_client 1.0.3 and runwayml 5.24 send (paths, query, auth, body shape)."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator

import pytest

from tarash_gateway.adapters.errors import HTTPError, ProviderAuthenticationError
from tarash_gateway.adapters.providers import fal_storage
from tarash_gateway.adapters.providers.runway_uploads import upload_ephemeral
from tests.emulators.base import Fault
from tests.emulators.fal import FalEmulator
from tests.emulators.runway import RunwayEmulator

PNG = b"\x89PNG\r\n\x1a\n" + b"\x01" * 40


@pytest.fixture(scope="module")
def fal() -> Iterator[FalEmulator]:
    with FalEmulator() as emulator:
        yield emulator


@pytest.fixture(scope="module")
def runway() -> Iterator[RunwayEmulator]:
    with RunwayEmulator() as emulator:
        yield emulator


def _fal_upload(fal: FalEmulator, key: str = "test-key") -> str:
    return asyncio.run(
        fal_storage.upload(
            PNG,
            "image/png",
            api_key=key,
            model="fal-ai/kling-video",
            request_timeout=5,
            rest_url=fal.base_url,
            cdn_url=fal.base_url,
        )
    )


def test_fal_uploads_through_the_cdn_with_a_token(fal: FalEmulator) -> None:
    fal_storage._TOKENS.clear()
    url = _fal_upload(fal)
    file_id = url.rsplit("/", 2)[1]
    assert fal.stored[file_id] == (PNG, "image/png")
    assert fal.calls_of("storage_upload")[-1].headers["x-fal-file-name"] == "upload.png"
    token_calls = fal.calls_of("storage_token")
    assert token_calls[-1].query == "storage_type=fal-cdn-v3"
    # The token is reused while it is valid, as fal_client's manager does.
    _fal_upload(fal)
    assert len(fal.calls_of("storage_token")) == len(token_calls)


def test_fal_falls_back_to_storage_when_the_cdn_fails(fal: FalEmulator) -> None:
    fal.fail_next("storage_upload", Fault(status=503))
    url = _fal_upload(fal)
    file_id = url.rsplit("/", 2)[1]
    assert fal.stored[file_id] == (PNG, "image/png")
    assert "authorization" not in fal.calls_of("storage_put")[-1].headers
    initiate = fal.calls_of("storage_initiate")[-1]
    assert initiate.body == {"file_name": "upload.png", "content_type": "image/png"}
    assert initiate.query == "storage_type=gcs"


def test_fal_refuses_a_bad_key_without_trying_the_fallback(fal: FalEmulator) -> None:
    fal_storage._TOKENS.clear()
    before = len(fal.calls_of("storage_initiate"))
    with pytest.raises(ProviderAuthenticationError):
        _fal_upload(fal, key="wrong-key")
    assert len(fal.calls_of("storage_initiate")) == before


def test_runway_uploads_ephemerally_and_returns_its_uri(runway: RunwayEmulator) -> None:
    uri = asyncio.run(
        upload_ephemeral(
            PNG,
            "image/png",
            api_key="test-key",
            model="gen4_turbo",
            request_timeout=5,
            base_url=runway.base_url,
        )
    )
    assert uri.startswith("runway://uploads/")
    stored = runway.uploads[uri]
    assert (stored.filename, stored.data, stored.content_type) == ("input.png", PNG, "image/png")
    assert stored.extra == {}  # the returned fields, and nothing else, went with the file
    create = runway.calls_of("upload_create")[-1]
    assert create.body == {"filename": "input.png", "type": "ephemeral"}


def test_a_failed_runway_storage_post_is_an_error(runway: RunwayEmulator) -> None:
    runway.fail_next("upload_file", Fault(status=403, body={"error": "expired policy"}))
    with pytest.raises(HTTPError) as caught:
        asyncio.run(
            upload_ephemeral(
                PNG,
                "image/png",
                api_key="test-key",
                model="gen4_turbo",
                request_timeout=5,
                base_url=runway.base_url,
            )
        )
    assert caught.value.status_code == 403


def test_a_malformed_runway_start_is_a_502(runway: RunwayEmulator) -> None:
    runway.fail_next("upload_create", Fault(status=200, body=json.loads('{"runwayUri": "x"}')))
    with pytest.raises(HTTPError) as caught:
        asyncio.run(
            upload_ephemeral(
                PNG,
                "image/png",
                api_key="test-key",
                model="gen4_turbo",
                request_timeout=5,
                base_url=runway.base_url,
            )
        )
    assert caught.value.status_code == 502
