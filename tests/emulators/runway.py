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
  /v1/tasks/{id}`` (runwayml ``resources/tasks.py``); any other path is a 404 and a
  known path with another method a 405.
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

import uuid
from datetime import UTC, datetime
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from tests.emulators.base import Call, Emulator, Job
from tests.emulators.runway_schema import SCHEMAS, Endpoint, input_problems

API_VERSION = "2024-11-06"
CREATE_PATHS = ("/v1/image_to_video", "/v1/text_to_video")


class RunwayEmulator(Emulator):
    """Runway's task API: create, poll, cancel; jobs finish after ``job_seconds``."""

    name = "runway"
    throttle = False
    """Queued tasks read THROTTLED (the account is at its concurrency limit), not PENDING."""

    def provider_routes(self) -> list[BaseRoute]:
        return [
            Route("/v1/image_to_video", self.image_to_video, methods=["POST"]),
            Route("/v1/text_to_video", self.text_to_video, methods=["POST"]),
            Route("/v1/tasks/{task_id}", self.get_task, methods=["GET"]),
            Route("/v1/tasks/{task_id}", self.delete_task, methods=["DELETE"]),
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
        problems = schema.problems(body) + input_problems(body)
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
