"""fal storage and Runway ephemeral uploads (adapters/providers/fal_storage.py,
runway_uploads.py) against small emulators of the routes fal_client 1.0.3 and runwayml
5.24 call, each strict about what those SDKs send (paths, query, auth, body shape)."""

from __future__ import annotations

import asyncio
import json
import secrets
from collections.abc import Iterator

import pytest
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from adapters.errors import HTTPError, ProviderAuthenticationError
from adapters.providers import fal_storage
from adapters.providers.runway_uploads import upload_ephemeral
from tests.emulators.base import Emulator, Fault

PNG = b"\x89PNG\r\n\x1a\n" + b"\x01" * 40
CDN_TOKEN = "cdn-token-123"


class FalStorageEmulator(Emulator):
    """rest.fal.ai's storage routes and v3.fal.media's upload, on one loopback host."""

    name = "fal-storage"

    def __init__(self) -> None:
        super().__init__()
        self.stored: dict[str, tuple[bytes, str, str | None]] = {}

    def provider_routes(self) -> list[BaseRoute]:
        return [
            Route("/storage/auth/token", self._token, methods=["POST"]),
            Route("/files/upload", self._upload_v3, methods=["POST"]),
            Route("/storage/upload/initiate", self._initiate, methods=["POST"]),
            Route("/_signed/{id}", self._put, methods=["PUT"]),
        ]

    def authorized(self, request: Request) -> bool:
        auth = request.headers.get("authorization")
        if request.url.path == "/files/upload":
            return auth == f"Bearer {CDN_TOKEN}"
        if request.url.path.startswith("/_signed/"):
            return auth is None  # a signed URL: the key must not go there
        return auth == f"Key {self.api_key}"

    async def _token(self, request: Request) -> Response:
        if (fault := await self.enter(request, "token")) is not None:
            return fault
        if request.query_params.get("storage_type") != "fal-cdn-v3":
            return JSONResponse({"detail": "unknown storage_type"}, status_code=422)
        if await request.json() != {}:
            return JSONResponse({"detail": "body must be {}"}, status_code=422)
        return JSONResponse(
            {
                "token": CDN_TOKEN,
                "token_type": "Bearer",
                "base_url": self.base_url,
                "expires_at": "2999-01-01T00:00:00+00:00",
            }
        )

    async def _upload_v3(self, request: Request) -> Response:
        if (fault := await self.enter(request, "upload_v3")) is not None:
            return fault
        data = await request.body()
        kind = request.headers.get("content-type", "")
        if not data or not kind.startswith("image/"):
            return JSONResponse({"detail": "empty body or no content type"}, status_code=400)
        file_id = secrets.token_hex(6)
        self.stored[file_id] = (data, kind, request.headers.get("x-fal-file-name"))
        return JSONResponse({"access_url": f"{self.base_url}/files/{file_id}"})

    async def _initiate(self, request: Request) -> Response:
        if (fault := await self.enter(request, "initiate")) is not None:
            return fault
        if request.query_params.get("storage_type") != "gcs":
            return JSONResponse({"detail": "unknown storage_type"}, status_code=422)
        body = await request.json()
        if set(body) != {"file_name", "content_type"}:
            return JSONResponse({"detail": f"unexpected fields {sorted(body)}"}, status_code=422)
        file_id = secrets.token_hex(6)
        return JSONResponse(
            {
                "upload_url": f"{self.base_url}/_signed/{file_id}",
                "file_url": f"{self.base_url}/stored/{file_id}",
            }
        )

    async def _put(self, request: Request) -> Response:
        if (fault := await self.enter(request, "put")) is not None:
            return fault
        data = await request.body()
        self.stored[request.path_params["id"]] = (data, request.headers["content-type"], None)
        return Response(status_code=200)


class RunwayUploadsEmulator(Emulator):
    """api.dev.runwayml.com's ``POST /v1/uploads`` and the presigned storage POST."""

    name = "runway-uploads"

    def __init__(self) -> None:
        super().__init__()
        self.stored: dict[str, tuple[dict[str, str], str, bytes, str]] = {}
        self.fields = {"key": "uploads/abc", "policy": "p0l1cy", "x-amz-signature": "s1g"}

    def provider_routes(self) -> list[BaseRoute]:
        return [
            Route("/v1/uploads", self._create, methods=["POST"]),
            Route("/_s3/{id}", self._storage_post, methods=["POST"]),
        ]

    def authorized(self, request: Request) -> bool:
        if request.url.path.startswith("/_s3/"):
            return "authorization" not in request.headers
        return (
            request.headers.get("authorization") == f"Bearer {self.api_key}"
            and request.headers.get("x-runway-version") == "2024-11-06"
        )

    async def _create(self, request: Request) -> Response:
        if (fault := await self.enter(request, "create")) is not None:
            return fault
        body = await request.json()
        if set(body) != {"filename", "type"} or body["type"] != "ephemeral":
            return JSONResponse({"error": "Invalid request"}, status_code=400)
        upload_id = secrets.token_hex(6)
        return JSONResponse(
            {
                "runwayUri": f"runway://uploads/{upload_id}",
                "uploadUrl": f"{self.base_url}/_s3/{upload_id}",
                "fields": self.fields,
            }
        )

    async def _storage_post(self, request: Request) -> Response:
        if (fault := await self.enter(request, "storage")) is not None:
            return fault
        form = await request.form()
        names = list(form.keys())
        # Presigned POSTs need the policy fields before the file part.
        if names[-1:] != ["file"] or {k: form[k] for k in names[:-1]} != self.fields:
            return Response("<Error>bad form</Error>", status_code=400)
        upload = form["file"]
        assert not isinstance(upload, str)
        data = await upload.read()
        self.stored[request.path_params["id"]] = (
            {k: str(form[k]) for k in names[:-1]},
            upload.filename or "",
            data,
            upload.content_type or "",
        )
        return Response(status_code=204)


@pytest.fixture(scope="module")
def fal() -> Iterator[FalStorageEmulator]:
    with FalStorageEmulator() as emulator:
        yield emulator


@pytest.fixture(scope="module")
def runway() -> Iterator[RunwayUploadsEmulator]:
    with RunwayUploadsEmulator() as emulator:
        yield emulator


def _fal_upload(fal: FalStorageEmulator, key: str = "test-key") -> str:
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


def test_fal_uploads_through_the_cdn_with_a_token(fal: FalStorageEmulator) -> None:
    fal_storage._TOKENS.clear()
    url = _fal_upload(fal)
    file_id = url.rsplit("/", 1)[1]
    assert fal.stored[file_id] == (PNG, "image/png", "upload.png")
    token_calls = fal.calls_of("token")
    assert token_calls[-1].query == "storage_type=fal-cdn-v3"
    # The token is reused while it is valid, as fal_client's manager does.
    _fal_upload(fal)
    assert len(fal.calls_of("token")) == len(token_calls)


def test_fal_falls_back_to_storage_when_the_cdn_fails(fal: FalStorageEmulator) -> None:
    fal.fail_next("upload_v3", Fault(status=503))
    url = _fal_upload(fal)
    assert "/stored/" in url
    file_id = url.rsplit("/", 1)[1]
    assert fal.stored[file_id] == (PNG, "image/png", None)
    initiate = fal.calls_of("initiate")[-1]
    assert initiate.body == {"file_name": "upload.png", "content_type": "image/png"}
    assert initiate.query == "storage_type=gcs"


def test_fal_refuses_a_bad_key_without_trying_the_fallback(fal: FalStorageEmulator) -> None:
    fal_storage._TOKENS.clear()
    before = len(fal.calls_of("initiate"))
    with pytest.raises(ProviderAuthenticationError):
        _fal_upload(fal, key="wrong-key")
    assert len(fal.calls_of("initiate")) == before


def test_runway_uploads_ephemerally_and_returns_its_uri(runway: RunwayUploadsEmulator) -> None:
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
    fields, filename, data, kind = runway.stored[uri.rsplit("/", 1)[1]]
    assert fields == runway.fields
    assert (filename, data, kind) == ("input.png", PNG, "image/png")
    create = runway.calls_of("create")[-1]
    assert create.body == {"filename": "input.png", "type": "ephemeral"}


def test_a_failed_runway_storage_post_is_an_error(runway: RunwayUploadsEmulator) -> None:
    runway.fail_next("storage", Fault(status=403, body={"error": "expired policy"}))
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


def test_a_malformed_runway_start_is_a_502(runway: RunwayUploadsEmulator) -> None:
    runway.fail_next("create", Fault(status=200, body=json.loads('{"runwayUri": "x"}')))
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
