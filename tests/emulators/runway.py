"""A loopback Runway API (api.dev.runwayml.com) for tests, as strict as the real one.

What it refuses, and the source of each rule (read on 2026-12-03):
- request bodies, per model and endpoint: :mod:`tests.emulators.runway_schema`, built
  from the official SDK's types (runwayml 5.24 ``image_to_video_create_params`` /
  ``text_to_video_create_params``): an unknown model, a key the model does not take,
  a missing required key or a value outside its ``Literal`` is a 400; so is an image
  that is not an HTTPS / ``runway://`` / data URI, a data URI over 5 MB, or a last frame
  without a first one.
- headers: ``Authorization: Bearer <key>`` (401 otherwise) and ``X-Runway-Version:
  2024-11-06`` (the runwayml client's value; 400 otherwise) on every call.
- paths: ``POST /v1/image_to_video``, ``POST /v1/text_to_video``, ``GET`` / ``DELETE
  /v1/tasks/{id}`` (runwayml ``resources/tasks.py``), ``POST /v1/uploads``
  (``resources/uploads.py``); any other path is a 404 and a known path with another
  method a 405.
- uploads, as runwayml 5.24's ``create_ephemeral`` makes them: ``POST /v1/uploads`` takes
  exactly ``{filename, type: "ephemeral"}`` (``_RunwayCreateUploadArguments``; anything
  else is a 400) and answers ``{runwayUri, uploadUrl, fields}``
  (``_RunwayUploadStartedResponse``); ``uploadUrl`` (here ``/_upload_target/{id}``) is a
  presigned storage POST: no Runway key (an ``Authorization`` header is a 400, as S3
  refuses two auth mechanisms), a multipart form with every returned field unchanged
  (403 otherwise) and the bytes in a part named ``file``, last as S3 wants it (400
  otherwise), answering 204. S3's XML error bodies are abbreviated. A task naming a
  ``runway://`` URI that was never uploaded (or whose bytes never arrived) is a 400.
- errors carry ``{"error": "…"}`` (docs.dev.runwayml.com/api-details/errors; the
  wording of each message is ours, unverified).
- tasks answer in the SDK's ``TaskRetrieveResponse`` shape: ``{id, createdAt, status}``
  plus ``estimatedCost`` while PENDING / THROTTLED / RUNNING (with ``progress`` 0-1),
  ``cost`` once terminal, ``output`` [url] on SUCCEEDED and ``failure`` /
  ``failureCode`` on FAILED (codes from docs.dev.runwayml.com/api-details/task-failures:
  ``SAFETY.INPUT.*`` / ``SAFETY.OUTPUT.*`` moderation, ``INTERNAL.BAD_OUTPUT.*`` retryable).
  ``DELETE`` answers 204; a deleted task then reads CANCELLED.
"""

from __future__ import annotations

import secrets
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from tests.emulators.base import Call, Emulator, Job
from tests.emulators.runway_schema import SCHEMAS, Endpoint, input_problems

API_VERSION = "2024-11-06"
CREATE_PATHS = ("/v1/image_to_video", "/v1/text_to_video", "/v1/uploads")
UPLOAD_TARGET = "/_upload_target/"


@dataclass
class Upload:
    """One ephemeral upload: started by ``POST /v1/uploads``, filled by the storage POST."""

    filename: str
    fields: dict[str, str]
    data: bytes | None = None
    content_type: str = ""
    extra: dict[str, str] = field(default_factory=dict)


class RunwayEmulator(Emulator):
    """Runway's task API: create, poll, cancel; jobs finish after ``job_seconds``."""

    name = "runway"
    throttle = False
    """Queued tasks read THROTTLED (the account is at its concurrency limit), not PENDING."""

    def __init__(self, *, job_seconds: float = 0.3, api_key: str = "test-key") -> None:
        super().__init__(job_seconds=job_seconds, api_key=api_key)
        self.uploads: dict[str, Upload] = {}
        """Ephemeral uploads by ``runway://`` URI."""

    def provider_routes(self) -> list[BaseRoute]:
        return [
            Route("/v1/image_to_video", self.image_to_video, methods=["POST"]),
            Route("/v1/text_to_video", self.text_to_video, methods=["POST"]),
            Route("/v1/tasks/{task_id}", self.get_task, methods=["GET"]),
            Route("/v1/tasks/{task_id}", self.delete_task, methods=["DELETE"]),
            Route("/v1/uploads", self.create_upload, methods=["POST"]),
            Route(UPLOAD_TARGET + "{upload_id}", self.upload_target, methods=["POST"]),
            Route("/{path:path}", self.no_route, methods=["GET", "POST", "PUT", "PATCH", "DELETE"]),
        ]

    async def no_route(self, request: Request) -> Response:
        """A known path with the wrong method is a 405; anything else a 404."""
        self.calls.append(
            Call("unknown", request.method, request.url.path, dict(request.headers), None, "")
        )
        path = request.url.path
        if path in CREATE_PATHS or path.startswith("/v1/tasks/"):
            return JSONResponse({"error": "Method not allowed"}, status_code=405)
        return JSONResponse({"error": "Not found"}, status_code=404)

    def authorized(self, request: Request) -> bool:
        if request.url.path.startswith(UPLOAD_TARGET):
            return True  # a presigned URL: its own checks are in upload_target
        return request.headers.get("authorization") == f"Bearer {self.api_key}"

    def unauthorized(self) -> Response:
        return JSONResponse({"error": "Invalid API key"}, status_code=401)

    async def _enter(self, request: Request, operation: str) -> Response | None:
        if (fault := await self.enter(request, operation)) is not None:
            return fault
        version = request.headers.get("x-runway-version")
        if version != API_VERSION:
            return JSONResponse(
                {"error": f"Invalid or missing X-Runway-Version header (got {version!r})"},
                status_code=400,
            )
        return None

    # -- create -------------------------------------------------------------------------

    async def image_to_video(self, request: Request) -> Response:
        return await self._create(request, "image_to_video")

    async def text_to_video(self, request: Request) -> Response:
        return await self._create(request, "text_to_video")

    async def _create(self, request: Request, endpoint: Endpoint) -> Response:
        if (early := await self._enter(request, "submit")) is not None:
            return early
        body = self.calls[-1].body
        if not isinstance(body, dict):
            return self._bad("Expected a JSON object body")
        schema = SCHEMAS[endpoint].get(body.get("model"))  # type: ignore[arg-type]
        if schema is None:
            known = sorted(SCHEMAS[endpoint])
            return self._bad(f"model: Invalid enum value {body.get('model')!r}; expected {known}")
        problems = schema.problems(body) + input_problems(body) + self._upload_problems(body)
        if problems:
            return self._bad("Invalid parameter: " + "; ".join(problems))
        job = self.new_job(body)
        del self.jobs[job.id]  # Runway task ids are UUIDs
        job.id = str(uuid.uuid4())
        self.jobs[job.id] = job
        return JSONResponse({"id": job.id})

    @staticmethod
    def _bad(message: str) -> Response:
        return JSONResponse({"error": message}, status_code=400)

    def _upload_problems(self, body: dict[str, Any]) -> list[str]:
        """``runway://`` URIs in ``promptImage`` that name no finished upload."""
        image = body.get("promptImage")
        items = image if isinstance(image, list) else [{"uri": image}]
        uris = [item.get("uri") for item in items if isinstance(item, dict)]
        return [
            f"promptImage: {uri} is not a Runway upload of this account"
            for uri in uris
            if isinstance(uri, str)
            and uri.startswith("runway://")
            and (uri not in self.uploads or self.uploads[uri].data is None)
        ]

    # -- uploads ------------------------------------------------------------------------

    async def create_upload(self, request: Request) -> Response:
        """``POST /v1/uploads``: a place to put one file, and the URI it will have."""
        if (early := await self._enter(request, "upload_create")) is not None:
            return early
        body = self.calls[-1].body
        if not isinstance(body, dict):
            return self._bad("Expected a JSON object body")
        problems = [f"{key}: Unrecognized key" for key in sorted(set(body) - {"filename", "type"})]
        if not isinstance(body.get("filename"), str) or not body["filename"]:
            problems.append("filename: Required")
        if body.get("type") != "ephemeral":
            problems.append(
                f"type: Invalid literal value, expected 'ephemeral' (got {body.get('type')!r})"
            )
        if problems:
            return self._bad("Invalid parameter: " + "; ".join(problems))
        upload_id = str(uuid.uuid4())
        fields = {
            "key": f"ephemeral/{upload_id}/{body['filename']}",
            "policy": secrets.token_urlsafe(12),
            "x-amz-signature": secrets.token_hex(16),
        }
        uri = f"runway://uploads/{upload_id}"
        self.uploads[uri] = Upload(body["filename"], fields)
        return JSONResponse(
            {
                "runwayUri": uri,
                "uploadUrl": self.base_url + UPLOAD_TARGET + upload_id,
                "fields": fields,
            }
        )

    async def upload_target(self, request: Request) -> Response:
        """The presigned storage POST ``uploadUrl`` points at."""
        if (early := await self.enter(request, "upload_file")) is not None:
            return early
        upload = self.uploads.get("runway://uploads/" + request.path_params["upload_id"])
        if "authorization" in request.headers:
            return self._s3_error(400, "InvalidArgument", "Only one auth mechanism allowed")
        if upload is None:
            return self._s3_error(403, "AccessDenied", "Invalid according to Policy")
        try:
            form = await request.form()
        except Exception:  # not multipart
            return self._s3_error(400, "MalformedPOSTRequest", "not multipart/form-data")
        sent = {name: value for name, value in form.items() if isinstance(value, str)}
        if any(sent.get(name) != value for name, value in upload.fields.items()):
            return self._s3_error(403, "AccessDenied", "Invalid according to Policy")
        file = form.get("file")
        if list(form.keys())[-1:] != ["file"]:  # S3 ignores fields after the file
            file = None
        if file is None or isinstance(file, str):
            return self._s3_error(400, "InvalidArgument", "POST requires exactly one file upload")
        upload.data = await file.read()
        upload.content_type = file.content_type or ""
        upload.extra = {name: value for name, value in sent.items() if name not in upload.fields}
        return Response(status_code=204)

    @staticmethod
    def _s3_error(status: int, code: str, message: str) -> Response:
        body = f"<Error><Code>{code}</Code><Message>{message}</Message></Error>"
        return Response(body, status_code=status, media_type="application/xml")

    # -- tasks --------------------------------------------------------------------------

    async def get_task(self, request: Request) -> Response:
        if (early := await self._enter(request, "status")) is not None:
            return early
        job = self.jobs.get(request.path_params["task_id"])
        if job is None:
            return JSONResponse({"error": "Task not found"}, status_code=404)
        return JSONResponse(self._task(job))

    def _task(self, job: Job) -> dict[str, Any]:
        task: dict[str, Any] = {
            "id": job.id,
            "createdAt": datetime.fromtimestamp(job.created, UTC)
            .isoformat(timespec="milliseconds")
            .replace("+00:00", "Z"),
        }
        seconds = job.input.get("duration") if isinstance(job.input, dict) else None
        credits = 10 * (seconds if isinstance(seconds, int) else 5)
        if job.cancelled:
            return {**task, "status": "CANCELLED", "cost": {"credits": 0}}
        phase = job.phase(self.job_seconds)
        if phase == "queued":
            status = "THROTTLED" if self.throttle else "PENDING"
            return {**task, "status": status, "estimatedCost": {"credits": credits}}
        if phase == "running":
            return {
                **task,
                "status": "RUNNING",
                "estimatedCost": {"credits": credits},
                "progress": round(job.progress(self.job_seconds), 3),
            }
        task["cost"] = {"credits": credits}
        if job.outcome == "fail":
            return {
                **task,
                "status": "FAILED",
                "failure": "The generation did not pass our quality checks.",
                "failureCode": "INTERNAL.BAD_OUTPUT.CODE01",
            }
        if job.outcome == "moderation":
            return {
                **task,
                "status": "FAILED",
                "failure": "The prompt text was flagged by content moderation.",
                "failureCode": "SAFETY.INPUT.TEXT",
            }
        return {**task, "status": "SUCCEEDED", "output": [self.media_url(job)]}

    async def delete_task(self, request: Request) -> Response:
        if (early := await self._enter(request, "cancel")) is not None:
            return early
        job = self.jobs.get(request.path_params["task_id"])
        if job is None:
            return JSONResponse({"error": "Task not found"}, status_code=404)
        job.cancelled = True
        return Response(status_code=204)
