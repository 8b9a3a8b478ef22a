"""A loopback fal queue API (``queue.fal.run``) for the fal adapter's tests.

Checked 2026-11-25 against:
- fal's queue docs (docs.fal.ai/model-endpoints/queue, fal.ai/docs/documentation/
  model-apis/inference/queue, fal.ai/docs/api-reference/inference-api): submit is
  ``POST /{model_id}`` (endpoint path included) with ``Authorization: Key …`` and
  answers ``{request_id, response_url, status_url, cancel_url}`` as absolute URLs;
  status, result and cancel live under ``/{owner}/{app}/requests/{id}`` with the
  endpoint path left out; the status call answers 202 while IN_QUEUE (with
  ``queue_position``) or IN_PROGRESS and 200 once COMPLETED; cancel is ``PUT …/cancel``
  answering CANCELLATION_REQUESTED, or ALREADY_COMPLETED / NOT_FOUND;
- fal's error references (fal.ai/docs/errors, …/model-apis/request-errors): input and
  content errors are 422 with a ``detail`` list of ``{loc, msg, type}``
  (``content_policy_violation`` for refusals); infrastructure failures are a ``detail``
  string with ``error_type`` (e.g. 504 ``request_timeout``) and an ``X-Fal-Error-Type``
  header;
- TanStack/ai#396 (checked against the live API): a failed request still goes
  IN_PROGRESS → COMPLETED; the failure only shows when its result is read;
- fal-ai/fal-swift#8 and fal-ai/fal#1068: a bad key gets 401
  ``{"detail": "No user found for Key ID and Secret"}``;
- fal-client 1.0.3 (``fal_client/client.py``): which fields it reads from each answer;
- fal's model pages for result shapes: ``{"video": {url, content_type, file_name,
  file_size}, "seed"}``, Sora 2 adds ``video_id`` (its remix endpoint takes it), image
  models answer ``{"images": [{url, content_type, width, height}], "seed",
  "has_nsfw_concepts"}``.

Strict since 2026-12-03 (issue 15): each video endpoint's published input schema
(:mod:`tests.emulators.fal_schemas`, which names its sources) is enforced. Like fal, the
queue accepts any JSON object at submit and the validation failure shows when the result
is read: a 422 ``{"detail": [{"loc": ["body", field], "msg", "type", "input"}]}``
(TanStack/ai#396, checked against the live API, saw exactly that for a prompt over the
limit). Refused: unknown fields, wrong JSON types, enum values outside the list (so a
duration in the wrong encoding, ``8`` for ``"8s"`` or ``"6"`` for ``6``), missing
required fields, file inputs that are neither an http(s) URL nor a ``data:`` URI.
An endpoint the emulator has no schema for answers 404 at submit, as fal does for an
app that does not exist (fal's exact 404 body is not documented; ``{"detail": "Not
Found"}`` is FastAPI's). Image endpoints (``IMAGE_APPS``, seedream) are served without a
schema check: their schemas are not transcribed yet. ``open_endpoints`` lets a test serve
an endpoint id of its own without a schema (a model "newer than the emulator").

Storage (for uploaded input images), as fal_client 1.0.3 (``client.py``) calls it, all on
this one host (a deployment's ``provider_config.rest_url`` / ``cdn_url`` point here):
- ``POST /storage/auth/token?storage_type=fal-cdn-v3`` (``AsyncCDNTokenManager``):
  ``Key`` auth (401 otherwise), the JSON body ``{}`` (422 otherwise), answers ``{token,
  token_type, base_url, expires_at}``;
- ``POST /files/upload`` (``_async_upload_v3``): ``Authorization: <token_type> <token>``
  with a token this emulator issued (401 otherwise; a ``Key`` is not a CDN token), a
  ``Content-Type`` and a non-empty body (400 otherwise), answers ``{access_url}``;
- ``POST /storage/upload/initiate?storage_type=gcs`` (``_async_upload_via_storage``, the
  fallback): ``Key`` auth, exactly ``{file_name, content_type}``, answers ``{upload_url,
  file_url}``; the bytes go by ``PUT`` to ``upload_url`` (signed: an ``Authorization``
  header is refused);
- ``GET /files/{id}/{name}``: the stored bytes with their type, no auth (fal's CDN URLs
  are public, per its CDN page). The wording of storage error bodies is ours.
"""

from __future__ import annotations

import secrets
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from tarash_gateway.adapters.media import SAMPLE_VIDEO
from tests.emulators.base import Emulator, Job
from tests.emulators.fal_schemas import SCHEMAS, Schema, validate

NAMESPACES = ("workflows", "comfy")
IMAGE_APPS = (
    "fal-ai/flux",
    "fal-ai/flux-pro",
    "fal-ai/flux-2",
    "fal-ai/flux-2-pro",
    "fal-ai/flux-lora",
    "fal-ai/nano-banana",
    "fal-ai/recraft",
    "fal-ai/ideogram",
)
SORA_APP = "fal-ai/sora-2"
REMIX_ENDPOINT = "fal-ai/sora-2/video-to-video/remix"


def app_of(endpoint: str) -> str:
    """fal's ``{app}``: owner and alias (namespace-prefixed), without the endpoint path."""
    parts = endpoint.strip("/").split("/")
    width = 3 if parts[0] in NAMESPACES else 2
    return "/".join(parts[:width])


def is_image_endpoint(endpoint: str) -> bool:
    """Image models answer ``images``; seedream shares ``fal-ai/bytedance`` with seedance."""
    return app_of(endpoint) in IMAGE_APPS or "/seedream/" in endpoint


class FalEmulator(Emulator):
    """fal's queue: submit, status, result, cancel, with fal's auth and error bodies."""

    name = "fal"

    def __init__(
        self,
        *,
        job_seconds: float = 0.3,
        api_key: str = "test-key",
        open_endpoints: tuple[str, ...] = (),
    ) -> None:
        self.open_endpoints = frozenset(open_endpoints)
        super().__init__(job_seconds=job_seconds, api_key=api_key)
        self.cdn_tokens: set[str] = set()
        self.stored: dict[str, tuple[bytes, str]] = {}
        """Uploaded files by id: (bytes, content type)."""

    def schema_for(self, endpoint: str) -> Schema | None:
        """The endpoint's input schema; None for one served unchecked; KeyError if fal
        would not know it."""
        if endpoint in SCHEMAS:
            return SCHEMAS[endpoint]
        if endpoint in self.open_endpoints or is_image_endpoint(endpoint):
            return None
        raise KeyError(endpoint)

    def provider_routes(self) -> list[BaseRoute]:
        return [
            Route("/storage/auth/token", self._cdn_token, methods=["POST"]),
            Route("/storage/upload/initiate", self._initiate, methods=["POST"]),
            Route("/files/upload", self._upload, methods=["POST"]),
            Route("/files/{file_id}/{name}", self._file, methods=["GET"]),
            Route("/_signed/{file_id}/{name}", self._signed_put, methods=["PUT"]),
            Route("/{app:path}/requests/{request_id}/status", self._status, methods=["GET"]),
            Route("/{app:path}/requests/{request_id}/cancel", self._cancel, methods=["PUT"]),
            Route("/{app:path}/requests/{request_id}", self._result, methods=["GET"]),
            Route("/{endpoint:path}", self._submit, methods=["POST"]),
        ]

    def authorized(self, request: Request) -> bool:
        path = request.url.path
        auth = request.headers.get("authorization")
        if path == "/files/upload":
            scheme, _, token = (auth or "").partition(" ")
            return scheme == "Bearer" and token in self.cdn_tokens
        if path.startswith("/_signed/"):
            return auth is None  # a signed URL: the key must not travel there
        return auth == f"Key {self.api_key}"

    def unauthorized(self) -> Response:
        return JSONResponse({"detail": "No user found for Key ID and Secret"}, status_code=401)

    # -- helpers -----------------------------------------------------------------------

    def _urls(self, app: str, job_id: str) -> dict[str, str]:
        response_url = f"{self.base_url}/{app}/requests/{job_id}"
        return {
            "response_url": response_url,
            "status_url": f"{response_url}/status",
            "cancel_url": f"{response_url}/cancel",
        }

    def _find(self, request: Request) -> Job | None:
        """The job, only when addressed under the app it was submitted to (fal answers
        404 for a request id under another path, e.g. one that kept the endpoint path)."""
        job = self.jobs.get(request.path_params["request_id"])
        if job is None or job.extra.get("app") != request.path_params["app"]:
            return None
        return job

    def _done(self, job: Job) -> bool:
        return job.cancelled or job.phase(self.job_seconds) == "done"

    # -- storage -----------------------------------------------------------------------

    async def _cdn_token(self, request: Request) -> Response:
        if (fault := await self.enter(request, "storage_token")) is not None:
            return fault
        if request.query_params.get("storage_type") != "fal-cdn-v3":
            return _storage_error(422, "storage_type must be fal-cdn-v3")
        if self.calls[-1].body != {}:
            return _storage_error(422, "the token request body is {}")
        token = secrets.token_urlsafe(16)
        self.cdn_tokens.add(token)
        return JSONResponse(
            {
                "token": token,
                "token_type": "Bearer",
                "base_url": self.base_url,
                "expires_at": "2999-01-01T00:00:00+00:00",
            }
        )

    def _store(self, data: bytes, content_type: str, name: str) -> str:
        file_id = secrets.token_hex(6)
        self.stored[file_id] = (data, content_type)
        return f"{self.base_url}/files/{file_id}/{name}"

    async def _upload(self, request: Request) -> Response:
        if (fault := await self.enter(request, "storage_upload")) is not None:
            return fault
        data = await request.body()
        kind = request.headers.get("content-type")
        if not kind or not data:
            return _storage_error(400, "an upload needs a Content-Type and a body")
        name = request.headers.get("x-fal-file-name") or "file"
        return JSONResponse({"access_url": self._store(data, kind, name)})

    async def _initiate(self, request: Request) -> Response:
        if (fault := await self.enter(request, "storage_initiate")) is not None:
            return fault
        body = self.calls[-1].body
        if request.query_params.get("storage_type") != "gcs":
            return _storage_error(422, "storage_type must be gcs")
        if not isinstance(body, dict) or set(body) != {"file_name", "content_type"}:
            return _storage_error(422, "the body is {file_name, content_type}")
        file_id = secrets.token_hex(6)
        name = str(body["file_name"])
        return JSONResponse(
            {
                "upload_url": f"{self.base_url}/_signed/{file_id}/{name}",
                "file_url": f"{self.base_url}/files/{file_id}/{name}",
            }
        )

    async def _signed_put(self, request: Request) -> Response:
        if (fault := await self.enter(request, "storage_put")) is not None:
            return fault
        data = await request.body()
        kind = request.headers.get("content-type")
        if not kind or not data:
            return _storage_error(400, "an upload needs a Content-Type and a body")
        self.stored[request.path_params["file_id"]] = (data, kind)
        return Response(status_code=200)

    async def _file(self, request: Request) -> Response:
        found = self.stored.get(request.path_params["file_id"])
        if found is None:
            return _storage_error(404, "File not found")
        return Response(found[0], media_type=found[1])

    # -- routes ------------------------------------------------------------------------

    async def _submit(self, request: Request) -> Response:
        fault = await self.enter(request, "submit")
        if fault is not None:
            return fault
        endpoint = request.path_params["endpoint"]
        try:
            body = await request.json()
        except ValueError:
            body = None
        if not isinstance(body, dict):
            return JSONResponse(
                {
                    "detail": [
                        {
                            "loc": ["body"],
                            "msg": "Input should be a valid dictionary",
                            "type": "dict_type",
                        }
                    ]
                },
                status_code=422,
            )
        try:
            schema = self.schema_for(endpoint)
        except KeyError:
            return JSONResponse({"detail": "Not Found"}, status_code=404)
        app = app_of(endpoint)
        job = self.new_job(body)
        job.extra.update(app=app, endpoint=endpoint)
        errors = validate(schema, body) if schema is not None else []
        if errors:  # fal queues it anyway; the result answers the 422
            job.outcome = "fail"
            job.extra["failure"] = (422, {"detail": errors})
        elif endpoint == REMIX_ENDPOINT and not self._remixable(body.get("video_id")):
            job.outcome = "fail"
            job.extra["failure"] = (
                400,
                {"detail": "Video not found: it was deleted after generation"},
            )
        return JSONResponse(
            {
                "status": "IN_QUEUE",
                "request_id": job.id,
                "queue_position": 0,
                **self._urls(app, job.id),
            }
        )

    def _remixable(self, video_id: Any) -> bool:
        for job in self.jobs.values():
            if f"video_{job.id}" == video_id:
                return job.input.get("delete_video", True) is False
        return False

    async def _status(self, request: Request) -> Response:
        fault = await self.enter(request, "status")
        if fault is not None:
            return fault
        job = self._find(request)
        if job is None:
            return JSONResponse({"detail": "Request not found"}, status_code=404)
        urls = self._urls(job.extra["app"], job.id)
        with_logs = request.query_params.get("logs") in ("1", "true", "True")
        if self._done(job):
            return JSONResponse(
                {
                    "status": "COMPLETED",
                    "logs": [] if with_logs else None,
                    "metrics": {"inference_time": self.job_seconds},
                    **urls,
                }
            )
        if job.phase(self.job_seconds) == "queued":
            return JSONResponse(
                {"status": "IN_QUEUE", "queue_position": 0, **urls}, status_code=202
            )
        logs = [{"message": "generating", "level": "INFO"}] if with_logs else None
        return JSONResponse({"status": "IN_PROGRESS", "logs": logs, **urls}, status_code=202)

    async def _result(self, request: Request) -> Response:
        fault = await self.enter(request, "result")
        if fault is not None:
            return fault
        job = self._find(request)
        if job is None:
            return JSONResponse({"detail": "Request not found"}, status_code=404)
        if not self._done(job):
            return JSONResponse({"detail": "Request is still in progress"}, status_code=400)
        if job.cancelled:
            return JSONResponse(
                {"detail": "Request was cancelled", "error_type": "request_cancelled"},
                status_code=400,
            )
        if job.outcome == "moderation":
            return JSONResponse(
                {
                    "detail": [
                        {
                            "loc": ["body", "prompt"],
                            "msg": "The content was flagged by a content checker.",
                            "type": "content_policy_violation",
                            "url": "https://docs.fal.ai/errors#content_policy_violation",
                            "input": job.input.get("prompt"),
                        }
                    ]
                },
                status_code=422,
            )
        if job.outcome == "fail":
            status, body = job.extra.get(
                "failure", (504, {"detail": "Request timed out", "error_type": "request_timeout"})
            )
            headers = {"X-Fal-Error-Type": body["error_type"]} if "error_type" in body else {}
            return JSONResponse(body, status_code=status, headers=headers)
        return JSONResponse(self._output(job))

    def _output(self, job: Job) -> dict[str, Any]:
        endpoint: str = job.extra["endpoint"]
        seed = job.input.get("seed", 42)
        if is_image_endpoint(endpoint):
            count = int(job.input.get("num_images", 1))
            image = {
                "url": self.media_url(job, "image"),
                "content_type": "image/jpeg",
                "width": 256,
                "height": 144,
            }
            return {
                "images": [image] * count,
                "seed": seed,
                "has_nsfw_concepts": [False] * count,
                "prompt": job.input.get("prompt"),
            }
        output: dict[str, Any] = {
            "video": {
                "url": self.media_url(job),
                "content_type": "video/mp4",
                "file_name": "output.mp4",
                "file_size": SAMPLE_VIDEO.stat().st_size,
            },
            "seed": seed,
        }
        if job.extra["app"] == SORA_APP:
            output["video_id"] = f"video_{job.id}"
        return output

    async def _cancel(self, request: Request) -> Response:
        fault = await self.enter(request, "cancel")
        if fault is not None:
            return fault
        job = self._find(request)
        if job is None:
            return JSONResponse({"status": "NOT_FOUND"}, status_code=404)
        if self._done(job):
            return JSONResponse({"status": "ALREADY_COMPLETED"}, status_code=400)
        job.cancelled = True
        return JSONResponse({"status": "CANCELLATION_REQUESTED"}, status_code=202)


def _storage_error(status: int, message: str) -> Response:
    return JSONResponse({"detail": message}, status_code=status)
