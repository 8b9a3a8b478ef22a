"""A loopback Runway API (api.dev.runwayml.com) for tests.

Checked on 2026-11-25 against:
- the runwayml/sdk-python source (``types/image_to_video_create_params.py``,
  ``types/text_to_video_create_params.py``, ``types/task_retrieve_response.py``):
  ``POST /v1/image_to_video`` {model, promptImage (HTTPS URL, upload URI or data URI, or
  [{uri, position: first|last}] for Veo 3.1), promptText, ratio, duration, seed, audio,
  negativePrompt, contentModeration} and ``POST /v1/text_to_video`` {model, promptText,
  ratio, duration, …} answer ``{id}``; gen4.5 / gen4_turbo take durations 2-10 and the
  ratios 1280:720 720:1280 1104:832 832:1104 960:960 1584:672 (gen4.5 text-only: the
  first two); veo3.1 / veo3.1_fast take 4 | 6 | 8 s and 1280:720 720:1280 1920:1080
  1080:1920 (no seed on text_to_video); veo3 is text-only, 8 s. ``GET /v1/tasks/{id}`` →
  {id, createdAt, status PENDING | THROTTLED | RUNNING | SUCCEEDED | FAILED | CANCELLED,
  progress 0-1, output [url], failure, failureCode}.
- runwayml/skills ``rw-api-reference`` (Runway's own model table: base URL, headers,
  model → endpoint, credits per second) and docs.comfy.org's Runway page (Gen-3 Alpha
  Turbo retired on 2026-07-30).
- docs.dev.runwayml.com/api-details/versioning: ``X-Runway-Version: 2024-11-06``.
- docs.dev.runwayml.com/api-details/errors: 400 carries ``{"error": "…"}``; 401 bad key;
  404 unknown task; 429 / 502 / 503 / 504 may be retried. /errors/troubleshooting: keys
  go in ``Authorization: Bearer``; the host is api.dev.runwayml.com.
- docs.dev.runwayml.com/api-details/task-failures: ``SAFETY.INPUT.*`` /
  ``SAFETY.OUTPUT.*`` / ``INPUT_PREPROCESSING.SAFETY.TEXT`` are moderation (do not retry);
  ``INTERNAL.BAD_OUTPUT.*`` may be retried.
- ``DELETE /v1/tasks/{id}`` (cancel or delete a task, 204) from the API reference link
  cited by the ComfyUI Runway nodes (docs.dev.runwayml.com/api/#tag/Task-management).
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from tests.emulators.base import Emulator, Job

API_VERSION = "2024-11-06"
MODELS = {"gen4.5", "gen4_turbo", "veo3.1", "veo3.1_fast", "veo3"}
TEXT_MODELS = {"gen4.5", "veo3.1", "veo3.1_fast", "veo3"}
RATIOS = {
    "1280:720",
    "720:1280",
    "1104:832",
    "832:1104",
    "960:960",
    "1584:672",
    "1920:1080",
    "1080:1920",
}


class RunwayEmulator(Emulator):
    """Runway's task API: create, poll, cancel; jobs finish after ``job_seconds``."""

    name = "runway"

    def provider_routes(self) -> list[BaseRoute]:
        return [
            Route("/v1/image_to_video", self.image_to_video, methods=["POST"]),
            Route("/v1/text_to_video", self.text_to_video, methods=["POST"]),
            Route("/v1/tasks/{task_id}", self.get_task, methods=["GET"]),
            Route("/v1/tasks/{task_id}", self.delete_task, methods=["DELETE"]),
        ]

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
        if (early := await self._enter(request, "submit")) is not None:
            return early
        body = await request.json()
        if not body.get("promptImage"):
            return self._bad("promptImage: Required")
        return self._create(body)

    async def text_to_video(self, request: Request) -> Response:
        if (early := await self._enter(request, "submit")) is not None:
            return early
        body = await request.json()
        if body.get("model") not in TEXT_MODELS:
            return self._bad(f"model: {body.get('model')!r} cannot generate from text alone")
        if "promptImage" in body:
            return self._bad("promptImage: Unrecognized key")
        if not body.get("promptText"):
            return self._bad("promptText: Required")
        return self._create(body)

    def _create(self, body: dict[str, Any]) -> Response:
        if body.get("model") not in MODELS:
            return self._bad(f"model: Invalid enum value {body.get('model')!r}")
        if body.get("ratio") not in RATIOS:
            return self._bad(f"ratio: Invalid enum value {body.get('ratio')!r}")
        duration = body.get("duration")
        if duration is not None and (not isinstance(duration, int) or not 2 <= duration <= 10):
            return self._bad("duration: Expected an integer from 2 to 10")
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
            "createdAt": datetime.fromtimestamp(job.created, UTC).isoformat(),
        }
        if job.cancelled:
            return {**task, "status": "CANCELLED"}
        phase = job.phase(self.job_seconds)
        if phase == "queued":
            return {**task, "status": "PENDING"}
        if phase == "running":
            return {
                **task,
                "status": "RUNNING",
                "progress": round(job.progress(self.job_seconds), 3),
            }
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
