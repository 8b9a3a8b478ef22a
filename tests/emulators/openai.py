"""An emulator of the OpenAI videos and images API, as the official SDK speaks it.

Checked on 2026-11-25 against:
- the ``openai`` Python SDK 3.57.0 installed in .venv: ``openai/resources/videos.py``
  (create is multipart with ``input_reference`` as a file or ``input_reference[image_url]``,
  remix is JSON ``{prompt}``, delete answers ``video.deleted``), ``openai/types/video.py``
  (the Video object and its statuses queued / in_progress / completed / failed),
  ``openai/types/video_seconds.py`` ("4", "8", "12"), ``openai/types/video_size.py``
  (720x1280, 1280x720, 1024x1792, 1792x1024), ``openai/_client.py`` (errors are read
  from ``body["error"]``), ``openai/resources/images.py`` (``images.generate``);
- ../shared/openai-video-contract.md (the same facts, as the gateway relies on them);
- Azure's Sora 2 docs (MicrosoftDocs/azure-ai-docs,
  articles/ai-foundry/openai/concepts/video-generation.md): the same API shape, with
  Sora 2 limited to 720x1280 / 1280x720.

Paths sit under ``/v1`` (``base_url`` + ``/v1`` is what clients configure). Auth is
``Authorization: Bearer <key>``; a bad key gets OpenAI's ``invalid_api_key`` body with
the key masked, as OpenAI did. Moderation refusals are 400s with code
``moderation_blocked`` at create (``moderation_at = "submit"``, the default) or a failed
video whose ``error.code`` is ``moderation_blocked`` (``moderation_at = "job"``).
"""

from __future__ import annotations

import base64
import time
from typing import Any

from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, Response
from starlette.routing import BaseRoute, Route

from adapters.media import SAMPLE_THUMBNAIL, SAMPLE_VIDEO
from tests.emulators.base import Emulator, Job

SECONDS = ("4", "8", "12")
SIZES = {
    "sora-2": ("720x1280", "1280x720"),
    "sora-2-pro": ("720x1280", "1280x720", "1024x1792", "1792x1024"),
}


def error_body(
    message: str,
    *,
    type_: str = "invalid_request_error",
    param: str | None = None,
    code: str | None = None,
) -> dict[str, Any]:
    return {"error": {"message": message, "type": type_, "param": param, "code": code}}


def mask(key: str) -> str:
    """How OpenAI echoed a wrong key: a few characters, the rest starred."""
    return f"{key[:3]}{'*' * max(0, len(key) - 5)}{key[-2:]}" if len(key) > 5 else "***"


class OpenAIEmulator(Emulator):
    """The OpenAI videos + images API on a loopback port."""

    name = "openai"
    prefix = "/v1"

    def __init__(self, *, job_seconds: float = 0.3, api_key: str = "test-key") -> None:
        self.moderation_at = "submit"
        self.last_presented_key = ""
        self.deleted: set[str] = set()
        super().__init__(job_seconds=job_seconds, api_key=api_key)

    # -- wiring ----------------------------------------------------------------------

    def provider_routes(self) -> list[BaseRoute]:
        p = self.prefix
        return [
            Route(f"{p}/videos", self.create_video, methods=["POST"]),
            Route(f"{p}/videos", self.list_videos, methods=["GET"]),
            Route(f"{p}/videos/{{video_id}}", self.retrieve_video, methods=["GET"]),
            Route(f"{p}/videos/{{video_id}}", self.delete_video, methods=["DELETE"]),
            Route(f"{p}/videos/{{video_id}}/content", self.video_content, methods=["GET"]),
            Route(f"{p}/videos/{{video_id}}/remix", self.remix_video, methods=["POST"]),
            Route(f"{p}/images/generations", self.generate_images, methods=["POST"]),
        ]

    def authorized(self, request: Request) -> bool:
        presented = request.headers.get("authorization", "")
        self.last_presented_key = presented.removeprefix("Bearer ")
        return presented == f"Bearer {self.api_key}"

    def unauthorized(self) -> Response:
        return JSONResponse(self.unauthorized_body(), status_code=401)

    def unauthorized_body(self) -> dict[str, Any]:
        return error_body(
            f"Incorrect API key provided: {mask(self.last_presented_key)}. You can find your "
            "API key at https://platform.openai.com/account/api-keys.",
            code="invalid_api_key",
        )

    def moderation_response(self) -> Response:
        return JSONResponse(
            error_body(
                "Your request was blocked by our moderation system.",
                code="moderation_blocked",
            ),
            status_code=400,
        )

    def image_moderation_response(self) -> Response:
        return JSONResponse(
            error_body(
                "Your request was rejected as a result of our safety system.",
                code="content_policy_violation",
            ),
            status_code=400,
        )

    def invalid(self, message: str, param: str | None, code: str = "invalid_value") -> Response:
        return JSONResponse(error_body(message, param=param, code=code), status_code=400)

    def not_found(self, video_id: str) -> Response:
        return JSONResponse(
            error_body(f"Video with id '{video_id}' not found.", param="video_id", code=None),
            status_code=404,
        )

    def _record_body(self, call_path: str, body: dict[str, Any]) -> None:
        """``enter`` records JSON only; multipart bodies are filled in here."""
        for call in reversed(self.calls):
            if call.path == call_path and call.body is None:
                call.body = body
                return

    # -- videos --------------------------------------------------------------------------

    def video_object(self, job: Job) -> dict[str, Any]:
        phase = job.phase(self.job_seconds)
        status = {"queued": "queued", "running": "in_progress"}.get(phase, "completed")
        error = None
        if phase == "done" and job.outcome != "success":
            status = "failed"
            error = (
                {"code": "moderation_blocked", "message": "The output was blocked by moderation."}
                if job.outcome == "moderation"
                else {"code": "internal_error", "message": "The render failed."}
            )
        progress = 100 if status == "completed" else int(job.progress(self.job_seconds) * 100)
        return {
            "id": job.id,
            "object": "video",
            "model": job.input.get("model", "sora-2"),
            "status": status,
            "progress": min(progress, 100),
            "created_at": int(job.created),
            "completed_at": int(job.created + self.job_seconds) if status == "completed" else None,
            "expires_at": int(job.created + 86400) if status == "completed" else None,
            "prompt": job.input.get("prompt"),
            "seconds": job.input.get("seconds", "4"),
            "size": job.input.get("size", "720x1280"),
            "remixed_from_video_id": job.extra.get("remixed_from"),
            "error": error,
        }

    async def _form(self, request: Request) -> dict[str, Any]:
        form = await request.form()
        body: dict[str, Any] = {}
        for key, value in form.multi_items():
            if isinstance(value, UploadFile):
                data = await value.read()
                body[key] = {
                    "filename": value.filename,
                    "content_type": value.content_type,
                    "size": len(data),
                    "data": base64.b64encode(data).decode(),
                }
            else:
                body[key] = value
        return body

    async def create_video(self, request: Request) -> Response:
        fault = await self.enter(request, "submit")
        if fault is not None:
            return fault
        content_type = request.headers.get("content-type", "")
        if content_type.startswith("multipart/form-data"):
            body = await self._form(request)
            self._record_body(request.url.path, body)
        else:
            body = await request.json()
        model = str(body.get("model") or "sora-2")
        if not isinstance(body.get("prompt"), str) or not body["prompt"]:
            return self.invalid("Missing required parameter: 'prompt'.", "prompt", "missing")
        seconds = str(body.get("seconds", "4"))
        if model in SIZES and seconds not in SECONDS:
            allowed = "', '".join(SECONDS)
            return self.invalid(
                f"Invalid value: '{seconds}'. Supported values are: '{allowed}'.", "seconds"
            )
        size = str(body.get("size", "720x1280"))
        if model in SIZES and size not in SIZES[model]:
            allowed = "', '".join(SIZES[model])
            return self.invalid(
                f"Invalid value: '{size}'. Supported values are: '{allowed}'.", "size"
            )
        if self.next_job_outcome == "moderation" and self.moderation_at == "submit":
            self.next_job_outcome = "success"
            return self.moderation_response()
        job = self.new_job({**body, "model": model, "seconds": seconds, "size": size}, "video_")
        return JSONResponse(self.video_object(job))

    def _job(self, video_id: str) -> Job | None:
        if video_id in self.deleted:
            return None
        return self.jobs.get(video_id)

    async def retrieve_video(self, request: Request) -> Response:
        fault = await self.enter(request, "status")
        if fault is not None:
            return fault
        job = self._job(request.path_params["video_id"])
        if job is None:
            return self.not_found(request.path_params["video_id"])
        return JSONResponse(self.video_object(job))

    async def list_videos(self, request: Request) -> Response:
        fault = await self.enter(request, "list")
        if fault is not None:
            return fault
        data = [self.video_object(job) for job in self.jobs.values() if job.id not in self.deleted]
        return JSONResponse(
            {
                "object": "list",
                "data": data,
                "has_more": False,
                "first_id": data[0]["id"] if data else None,
                "last_id": data[-1]["id"] if data else None,
            }
        )

    async def delete_video(self, request: Request) -> Response:
        fault = await self.enter(request, "cancel")
        if fault is not None:
            return fault
        video_id = request.path_params["video_id"]
        job = self._job(video_id)
        if job is None:
            return self.not_found(video_id)
        job.cancelled = True
        self.deleted.add(video_id)
        return JSONResponse({"id": video_id, "object": "video.deleted", "deleted": True})

    async def video_content(self, request: Request) -> Response:
        fault = await self.enter(request, "result")
        if fault is not None:
            return fault
        video_id = request.path_params["video_id"]
        job = self._job(video_id)
        if job is None:
            return self.not_found(video_id)
        if self.video_object(job)["status"] != "completed":
            return self.invalid(
                "Video is not ready yet, use GET /v1/videos/{video_id} to check status.",
                "video_id",
                "video_not_ready",
            )
        variant = request.query_params.get("variant", "video")
        if variant == "thumbnail":
            return FileResponse(SAMPLE_THUMBNAIL, media_type="image/jpeg")
        if variant != "video":
            return self.invalid(f"Unsupported variant '{variant}'.", "variant")
        return FileResponse(SAMPLE_VIDEO, media_type="video/mp4")

    async def remix_video(self, request: Request) -> Response:
        fault = await self.enter(request, "remix")
        if fault is not None:
            return fault
        source_id = request.path_params["video_id"]
        source = self._job(source_id)
        if source is None:
            return self.not_found(source_id)
        if self.video_object(source)["status"] != "completed":
            return self.invalid("Only completed videos can be remixed.", "video_id")
        body = await request.json()
        prompt = body.get("prompt") if isinstance(body, dict) else None
        if not isinstance(prompt, str) or not prompt:
            return self.invalid("Missing required parameter: 'prompt'.", "prompt", "missing")
        job = self.new_job({**source.input, "prompt": prompt}, "video_")
        job.extra["remixed_from"] = source_id
        return JSONResponse(self.video_object(job))

    # -- images ------------------------------------------------------------------------------

    async def generate_images(self, request: Request) -> Response:
        fault = await self.enter(request, "image")
        if fault is not None:
            return fault
        body = await request.json()
        if not isinstance(body, dict) or not body.get("prompt"):
            return self.invalid("Missing required parameter: 'prompt'.", "prompt", "missing")
        if self.next_job_outcome == "moderation":
            self.next_job_outcome = "success"
            return self.image_moderation_response()
        model = str(body.get("model") or "gpt-image-1.5")
        n = int(body.get("n") or 1)
        job = self.new_job(body, "img_")
        if model.startswith("dall-e") and body.get("response_format") != "b64_json":
            data = [
                {"url": self.media_url(job, "image"), "revised_prompt": f"{body['prompt']}!"}
                for _ in range(n)
            ]
        else:
            encoded = base64.b64encode(SAMPLE_THUMBNAIL.read_bytes()).decode()
            data = [{"b64_json": encoded} for _ in range(n)]
        return JSONResponse(
            {
                "created": int(time.time()),
                "data": data,
                "output_format": body.get("output_format", "png"),
                "usage": {"input_tokens": 10, "output_tokens": 100, "total_tokens": 110},
            }
        )
