"""A loopback Luma Dream Machine API (api.lumalabs.ai/dream-machine/v1) for tests.

Checked on 2026-11-25 against:
- the lumalabs/lumaai-python SDK source (``resources/generations/video.py``,
  ``types/generations/video_create_params.py``, ``types/generations/image_create_params.py``,
  ``types/generation.py``): ``POST /dream-machine/v1/generations`` {prompt, model ray-2 |
  ray-flash-2 | ray-1-6, aspect_ratio 1:1 | 16:9 | 9:16 | 4:3 | 3:4 | 21:9 | 9:21,
  duration "5s" | "9s", resolution 540p | 720p | 1080p | 4k, loop, keyframes {frame0 |
  frame1: {type: image, url} | {type: generation, id}}, callback_url, generation_type
  video}; image requests {prompt, model photon-1 | photon-flash-1, aspect_ratio,
  image_ref [{url, weight}], style_ref, character_ref, modify_image_ref, format jpg |
  png}; both answer a Generation {id, state queued | dreaming | completed | failed,
  failure_reason, generation_type video | image, assets {video, image, progress_video},
  model, request, created_at}. Auth: ``Authorization: Bearer <key>``.
- ``POST /generations/image`` and polling ``GET /generations/{id}`` for Photon: the
  Vercel AI SDK Luma provider (@ai-sdk/luma) and other public Luma API clients.
- docs.lumalabs.ai changelog (callbacks, credits under /dream-machine/v1); GMI Cloud's
  Ray 2 guide for the defaults (5s, 720p, 16:9).
- lumalabs/ComfyUI-LumaAI-API issues #7, #9, #14 for failure reasons: "Advanced
  moderation failed" (a refusal) and "400: failed to moderate image" (the image URL could
  not be fetched, not a refusal).
- Errors are FastAPI-style ``{"detail": "…"}`` bodies (400 invalid input, 401 bad key,
  404 unknown generation, 429 rate limit); the exact texts here are stand-ins.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from tests.emulators.base import Emulator, Job

PREFIX = "/dream-machine/v1"
VIDEO_MODELS = {"ray-2", "ray-flash-2", "ray-1-6"}
IMAGE_MODELS = {"photon-1", "photon-flash-1"}
ASPECTS = {"1:1", "16:9", "9:16", "4:3", "3:4", "21:9", "9:21"}
DURATIONS = {"5s", "9s"}
RESOLUTIONS = {"540p", "720p", "1080p", "4k"}


class LumaEmulator(Emulator):
    """Luma generations: create (video or image), poll, delete."""

    name = "luma"

    def provider_routes(self) -> list[BaseRoute]:
        return [
            Route(f"{PREFIX}/generations", self.create_video, methods=["POST"]),
            Route(f"{PREFIX}/generations/image", self.create_image, methods=["POST"]),
            Route(f"{PREFIX}/generations/{{generation_id}}", self.get, methods=["GET"]),
            Route(f"{PREFIX}/generations/{{generation_id}}", self.delete, methods=["DELETE"]),
        ]

    def authorized(self, request: Request) -> bool:
        return request.headers.get("authorization") == f"Bearer {self.api_key}"

    def unauthorized(self) -> Response:
        return JSONResponse({"detail": "Invalid API key"}, status_code=401)

    @staticmethod
    def _bad(detail: str) -> Response:
        return JSONResponse({"detail": detail}, status_code=400)

    # -- create -------------------------------------------------------------------------

    async def create_video(self, request: Request) -> Response:
        if (fault := await self.enter(request, "submit")) is not None:
            return fault
        body = await request.json()
        if body.get("model") not in VIDEO_MODELS:
            return self._bad(f"Invalid model {body.get('model')!r}")
        checks = (("aspect_ratio", ASPECTS), ("duration", DURATIONS), ("resolution", RESOLUTIONS))
        for field, allowed in checks:
            if field in body and body[field] not in allowed:
                return self._bad(f"Invalid {field} {body[field]!r}")
        for frame in (body.get("keyframes") or {}).values():
            if frame.get("type") != "image" or not frame.get("url"):
                return self._bad("Invalid keyframe")
        return self._create(body, "video")

    async def create_image(self, request: Request) -> Response:
        if (fault := await self.enter(request, "image")) is not None:
            return fault
        body = await request.json()
        if body.get("model") not in IMAGE_MODELS:
            return self._bad(f"Invalid model {body.get('model')!r}")
        if "aspect_ratio" in body and body["aspect_ratio"] not in ASPECTS:
            return self._bad(f"Invalid aspect_ratio {body['aspect_ratio']!r}")
        return self._create(body, "image")

    def _create(self, body: dict[str, Any], kind: str) -> Response:
        job = self.new_job(body)
        del self.jobs[job.id]  # Luma generation ids are UUIDs
        job.id = str(uuid.uuid4())
        job.extra["kind"] = kind
        self.jobs[job.id] = job
        return JSONResponse(self._generation(job), status_code=201)

    # -- generations --------------------------------------------------------------------

    def _generation(self, job: Job) -> dict[str, Any]:
        kind = job.extra["kind"]
        generation: dict[str, Any] = {
            "id": job.id,
            "generation_type": kind,
            "model": job.input.get("model"),
            "request": {**job.input, "generation_type": kind},
            "created_at": datetime.fromtimestamp(job.created, UTC).isoformat(),
            "failure_reason": None,
            "assets": None,
        }
        phase = job.phase(self.job_seconds)
        if phase != "done":
            return {**generation, "state": "queued" if phase == "queued" else "dreaming"}
        if job.outcome == "fail":
            return {**generation, "state": "failed", "failure_reason": "Generation failed"}
        if job.outcome == "moderation":
            return {
                **generation,
                "state": "failed",
                "failure_reason": "400: prompt not allowed because advanced moderation failed",
            }
        if kind == "image":
            assets = {"image": self.media_url(job, "image")}
        else:
            assets = {"video": self.media_url(job), "image": self.media_url(job, "image")}
        return {**generation, "state": "completed", "assets": assets}

    async def get(self, request: Request) -> Response:
        if (fault := await self.enter(request, "status")) is not None:
            return fault
        job = self.jobs.get(request.path_params["generation_id"])
        if job is None or job.cancelled:
            return JSONResponse({"detail": "Generation not found"}, status_code=404)
        return JSONResponse(self._generation(job))

    async def delete(self, request: Request) -> Response:
        if (fault := await self.enter(request, "cancel")) is not None:
            return fault
        job = self.jobs.get(request.path_params["generation_id"])
        if job is None or job.cancelled:
            return JSONResponse({"detail": "Generation not found"}, status_code=404)
        job.cancelled = True
        return Response(status_code=204)
