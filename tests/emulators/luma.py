"""A strict loopback Luma Dream Machine API (api.lumalabs.ai/dream-machine/v1) for tests.

It refuses what the real API refuses, so an adapter that agrees with it has agreed with
Luma's published schema, not with its own reading of it.

Schema source (checked 2026-12-03): the official SDK **lumaai 1.21.0**
(``lumaai/resources/generations/generations.py``, ``.../generations/video.py``,
``.../generations/image.py``, ``lumaai/types/generation_create_params.py``,
``types/generations/image_create_params.py``, ``types/generation.py``,
``types/generation_list_response.py``; base URL ``https://api.lumalabs.ai/dream-machine/v1``,
``Authorization: Bearer <key>``):

- ``POST /generations/video`` creates a video: {model ray-2 | ray-flash-2 (required),
  prompt, aspect_ratio 1:1 | 16:9 | 9:16 | 4:3 | 3:4 | 21:9 | 9:21, duration "5s" |
  "9s", resolution 540p | 720p | 1080p | 4k, loop, keyframes {frame0 | frame1:
  {type: image, url} | {type: generation, id}}, concepts [{key}], callback_url,
  generation_type video}. lumalabs/lumaai-python moved create here from ``POST
  /generations`` on 2025-05-28 (commits 9e107a1, ddc15c8); ray-1-6 left the model list
  after 1.18.1.
- ``POST /generations/image`` creates an image: {model photon-1 | photon-flash-1
  (required), prompt, aspect_ratio, format jpg | png, image_ref [{url, weight}],
  style_ref [{url, weight}], modify_image_ref {url, weight}, character_ref {identity0:
  {images [url]}}, callback_url, sync, sync_timeout, generation_type image}.
- ``GET /generations`` lists (limit, offset) and is the *only* method there: the old
  create path answers 405, as a FastAPI host does for a route without that method.
- ``GET /generations/{id}`` and ``DELETE /generations/{id}``; a Generation is {id, state
  queued | dreaming | completed | failed, failure_reason, generation_type, assets {video,
  image, progress_video}, model, request, created_at}.
- Images are URLs only: "You should upload and use your own cdn image urls, currently
  this is the only way to pass an image" (https://docs.lumalabs.ai/docs/video-generation).

Failure reasons: lumalabs/ComfyUI-LumaAI-API issues #7, #9, #14 ("Advanced moderation
failed" is a refusal; "400: failed to moderate image" means the URL could not be
fetched). Errors are FastAPI-style ``{"detail": ...}`` bodies (400 invalid input, 401
bad key, 404 unknown generation or path, 405 wrong method, 429 rate limit). Unverified
without network: the exact error texts (stand-ins here), and whether the live host still
serves the pre-2025 ``POST /generations`` as a legacy alias (the current spec has none;
this emulator follows the spec). Unknown fields are refused here although the live host
may ignore them: an adapter should send only what the schema names.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from tests.emulators.base import Call, Emulator, Job

PREFIX = "/dream-machine/v1"
VIDEO_MODELS = frozenset({"ray-2", "ray-flash-2"})
IMAGE_MODELS = frozenset({"photon-1", "photon-flash-1"})
ASPECTS = frozenset({"1:1", "16:9", "9:16", "4:3", "3:4", "21:9", "9:21"})
DURATIONS = frozenset({"5s", "9s"})
RESOLUTIONS = frozenset({"540p", "720p", "1080p", "4k"})
IMAGE_FORMATS = frozenset({"jpg", "png"})

Check = Callable[[Any], str | None]
"""A field check: None when the value is fine, else why it is refused."""


def _one_of(allowed: frozenset[str]) -> Check:
    def check(value: Any) -> str | None:
        if isinstance(value, str) and value in allowed:
            return None
        return f"must be one of {', '.join(sorted(allowed))}"

    return check


def _typed(*kinds: type, name: str) -> Check:
    """A value of one of ``kinds`` (a JSON true/false is not a number here)."""

    def check(value: Any) -> str | None:
        if isinstance(value, bool) and bool not in kinds:
            return f"must be {name}"
        return None if isinstance(value, kinds) else f"must be {name}"

    return check


def image_url_problem(value: Any) -> str | None:
    """Luma fetches images itself: only an http(s) URL will do (no data: URIs, no bytes)."""
    if not isinstance(value, str) or not value:
        return "must be an image URL"
    if value.startswith("data:"):
        return "must be an image URL; data URIs are not accepted"
    if not value.startswith(("http://", "https://")):
        return "must be an http(s) image URL"
    return None


def _keyframe(value: Any) -> str | None:
    if not isinstance(value, dict):
        return "must be an object"
    kind = value.get("type")
    if kind == "image":
        if set(value) - {"type", "url"}:
            return f"has unknown fields {sorted(set(value) - {'type', 'url'})}"
        problem = image_url_problem(value.get("url"))
        return f"url {problem}" if problem else None
    if kind == "generation":
        if set(value) - {"type", "id"}:
            return f"has unknown fields {sorted(set(value) - {'type', 'id'})}"
        ok = isinstance(value.get("id"), str) and value["id"]
        return None if ok else "id must be a generation id"
    return "type must be image or generation"


def _keyframes(value: Any) -> str | None:
    if not isinstance(value, dict):
        return "must be an object"
    unknown = set(value) - {"frame0", "frame1"}
    if unknown:
        return f"has unknown frames {sorted(unknown)}"
    for name, frame in value.items():
        if (problem := _keyframe(frame)) is not None:
            return f"{name} {problem}"
    return None


def _concepts(value: Any) -> str | None:
    if not isinstance(value, list):
        return "must be a list"
    for item in value:
        if not isinstance(item, dict) or set(item) != {"key"} or not isinstance(item["key"], str):
            return "items must be {key}"
    return None


def _image_ref(value: Any) -> str | None:
    if not isinstance(value, dict) or set(value) - {"url", "weight"}:
        return "must be {url, weight}"
    weight = value.get("weight")
    if weight is not None and (isinstance(weight, bool) or not isinstance(weight, int | float)):
        return "weight must be a number"
    problem = image_url_problem(value.get("url"))
    return f"url {problem}" if problem else None


def _image_refs(value: Any) -> str | None:
    if not isinstance(value, list):
        return "must be a list"
    for item in value:
        if (problem := _image_ref(item)) is not None:
            return problem
    return None


def _character_ref(value: Any) -> str | None:
    if not isinstance(value, dict) or set(value) - {"identity0"}:
        return "must be {identity0: {images}}"
    identity = value.get("identity0")
    if identity is None:
        return None
    images = identity.get("images") if isinstance(identity, dict) else None
    if not isinstance(images, list) or set(identity) - {"images"}:
        return "identity0 must be {images: [url]}"
    for image in images:
        if (problem := image_url_problem(image)) is not None:
            return f"identity0.images {problem}"
    return None


VIDEO_SCHEMA: dict[str, Check] = {
    "model": _one_of(VIDEO_MODELS),
    "prompt": _typed(str, name="a string"),
    "aspect_ratio": _one_of(ASPECTS),
    "duration": _one_of(DURATIONS),
    "resolution": _one_of(RESOLUTIONS),
    "loop": _typed(bool, name="a boolean"),
    "keyframes": _keyframes,
    "concepts": _concepts,
    "callback_url": _typed(str, name="a string"),
    "generation_type": _one_of(frozenset({"video"})),
}
"""``VideoCreateParams`` of lumaai 1.21 (``types/generations/video_create_params.py``)."""

IMAGE_SCHEMA: dict[str, Check] = {
    "model": _one_of(IMAGE_MODELS),
    "prompt": _typed(str, name="a string"),
    "aspect_ratio": _one_of(ASPECTS),
    "format": _one_of(IMAGE_FORMATS),
    "image_ref": _image_refs,
    "style_ref": _image_refs,
    "modify_image_ref": _image_ref,
    "character_ref": _character_ref,
    "callback_url": _typed(str, name="a string"),
    "sync": _typed(bool, name="a boolean"),
    "sync_timeout": _typed(int, float, name="a number"),
    "generation_type": _one_of(frozenset({"image"})),
}
"""``ImageCreateParams`` of lumaai 1.21 (``types/generations/image_create_params.py``)."""


async def _json(request: Request) -> Any:
    """The body as JSON, or None when it is not JSON (refused as not an object)."""
    try:
        return await request.json()
    except ValueError:
        return None


def request_problem(body: Any, schema: dict[str, Check]) -> str | None:
    """Why Luma would refuse ``body`` (model required, no unknown fields), or None."""
    if not isinstance(body, dict):
        return "Request body must be a JSON object"
    if "model" not in body:
        return "model: field required"
    unknown = sorted(set(body) - set(schema))
    if unknown:
        return f"Unknown fields: {', '.join(unknown)}"
    for name, value in body.items():
        if (problem := schema[name](value)) is not None:
            return f"Invalid {name} {value!r}: {problem}"
    return None


class LumaEmulator(Emulator):
    """Luma generations: create (video or image), list, poll, delete; strict on input."""

    name = "luma"

    def provider_routes(self) -> list[BaseRoute]:
        return [
            Route(f"{PREFIX}/generations/video", self.create_video, methods=["POST"]),
            Route(f"{PREFIX}/generations/image", self.create_image, methods=["POST"]),
            Route(f"{PREFIX}/generations", self.list_generations, methods=["GET"]),
            Route(f"{PREFIX}/generations", self.not_allowed, methods=["POST", "PUT", "DELETE"]),
            Route(f"{PREFIX}/generations/{{generation_id}}", self.get, methods=["GET"]),
            Route(f"{PREFIX}/generations/{{generation_id}}", self.delete, methods=["DELETE"]),
            Route("/{path:path}", self.not_found, methods=["GET", "POST", "PUT", "DELETE"]),
        ]

    def authorized(self, request: Request) -> bool:
        return request.headers.get("authorization") == f"Bearer {self.api_key}"

    def unauthorized(self) -> Response:
        return JSONResponse({"detail": "Invalid API key"}, status_code=401)

    @staticmethod
    def _bad(detail: str) -> Response:
        return JSONResponse({"detail": detail}, status_code=400)

    # -- what the host answers before any route runs ------------------------------------

    async def _record(self, request: Request, operation: str) -> None:
        """Keep a refused call in ``calls`` too, so a test sees what was sent."""
        body = await _json(request)
        call = Call(
            operation,
            request.method,
            request.url.path,
            dict(request.headers),
            body,
            request.url.query,
        )
        self.calls.append(call)

    async def not_allowed(self, request: Request) -> Response:
        """``/generations`` only lists: the pre-2025 create path is a 405, like FastAPI's."""
        await self._record(request, "refused")
        return JSONResponse(
            {"detail": "Method Not Allowed"}, status_code=405, headers={"Allow": "GET"}
        )

    async def not_found(self, request: Request) -> Response:
        await self._record(request, "refused")
        return JSONResponse({"detail": "Not Found"}, status_code=404)

    # -- create -------------------------------------------------------------------------

    async def create_video(self, request: Request) -> Response:
        if (fault := await self.enter(request, "submit")) is not None:
            return fault
        body = await _json(request)
        if (problem := request_problem(body, VIDEO_SCHEMA)) is not None:
            return self._bad(problem)
        return self._create(body, "video")

    async def create_image(self, request: Request) -> Response:
        if (fault := await self.enter(request, "image")) is not None:
            return fault
        body = await _json(request)
        if (problem := request_problem(body, IMAGE_SCHEMA)) is not None:
            return self._bad(problem)
        return self._create(body, "image")

    def _create(self, body: Any, kind: str) -> Response:
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

    async def list_generations(self, request: Request) -> Response:
        if (fault := await self.enter(request, "list")) is not None:
            return fault
        try:
            limit = int(request.query_params.get("limit", "100"))
            offset = int(request.query_params.get("offset", "0"))
        except ValueError:
            return self._bad("limit and offset must be integers")
        live = [job for job in self.jobs.values() if not job.cancelled]
        page = live[offset : offset + limit]
        return JSONResponse(
            {
                "generations": [self._generation(job) for job in page],
                "count": len(page),
                "has_more": offset + limit < len(live),
                "limit": limit,
                "offset": offset,
            }
        )

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
