"""An emulator of the OpenAI videos and images API, as the official SDK speaks it.

Strict, as the real API is (schemas re-checked on 2026-12-03 against openai 3.60.0 in
.venv: ``openai/types/video_create_params.py``, ``video_remix_params.py``,
``image_generate_params.py``, ``video_seconds.py``, ``video_size.py``,
``video_model_param.py``):
- a parameter outside the endpoint's schema is a 400 ``unknown_parameter`` (OpenAI's
  shape: ``{"error": {"message": "Unknown parameter: 'x'.", "type":
  "invalid_request_error", "param": "x", "code": "unknown_parameter"}}``), unless a test
  declares it in ``accepted_extras`` (an OpenAI-compatible upstream with more fields);
- ``seconds`` must be the string "4", "8" or "12" (an integer in a JSON body is a 400
  ``invalid_type``: the SDK only ever sends the string) and ``size`` one of the model's
  sizes (sora-2: 720x1280, 1280x720; sora-2-pro also 1024x1792, 1792x1024), checked for
  every Sora 2 model and snapshot; other model names stand for another upstream and only
  get the type checks;
- ``input_reference`` is a file (image/jpeg, image/png or image/webp) or an object with
  ``image_url`` (an http(s) URL or a base64 data URL) or ``file_id``;
- unknown paths and unknown methods on known paths are a 404 ``Invalid URL (METHOD
  /path)`` in the same error shape.

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
import json
import re
import struct
import time
import zlib
from typing import Any

from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, Response
from starlette.routing import BaseRoute, Route

from tarash_gateway.adapters.media import SAMPLE_THUMBNAIL, SAMPLE_VIDEO
from tests.emulators.base import Call, Emulator, Job

SECONDS = ("4", "8", "12")
SIZES = {
    "sora-2": ("720x1280", "1280x720"),
    "sora-2-pro": ("720x1280", "1280x720", "1024x1792", "1792x1024"),
}
CREATE_FIELDS = frozenset({"prompt", "model", "seconds", "size", "input_reference"})
REFERENCE_FIELDS = frozenset({"image_url", "file_id"})
REFERENCE_TYPES = frozenset({"image/jpeg", "image/png", "image/webp"})
REMIX_FIELDS = frozenset({"prompt"})
IMAGE_FIELDS = frozenset(
    {
        "background",
        "complexity",
        "frame_count",
        "frame_duration_ms",
        "model",
        "moderation",
        "n",
        "output_compression",
        "output_format",
        "partial_images",
        "prompt",
        "quality",
        "response_format",
        "safety_identifier",
        "size",
        "style",
        "stream",
        "svg",
        "user",
    }
)
"""``images.generate``'s parameters (openai 3.60 ``image_generate_params.py``)."""
ALL_METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]
_BRACKETS = re.compile(r"^([^\[\]]+)\[([^\[\]]*)\]$")


def png_frame(width: int, height: int) -> bytes:
    """A black RGB PNG of exactly ``width`` x ``height`` (a valid first frame for that size)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = zlib.crc32(kind + data) & 0xFFFFFFFF
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)

    row = b"\x00" + b"\x00\x00\x00" * width
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(row * height))
        + chunk(b"IEND", b"")
    )


def frame_size(data: bytes) -> tuple[int, int] | None:
    """(width, height) of a PNG or baseline/progressive JPEG; None otherwise."""
    if data.startswith(b"\x89PNG") and len(data) >= 24:
        width, height = struct.unpack(">II", data[16:24])
        return int(width), int(height)
    index = 2 if data.startswith(b"\xff\xd8") else len(data)
    while index + 9 <= len(data) and data[index] == 0xFF:
        marker = data[index + 1]
        if marker in (0xC0, 0xC1, 0xC2):
            height, width = struct.unpack(">HH", data[index + 5 : index + 9])
            return int(width), int(height)
        index += 2 + int.from_bytes(data[index + 2 : index + 4], "big")
    return None


def sora_family(model: str) -> str | None:
    """The Sora 2 family of a model id or snapshot (``sora-2-pro-2025-10-06`` →
    ``sora-2-pro``); None for a model this API does not define."""
    matches = [family for family in SIZES if model == family or model.startswith(f"{family}-")]
    return max(matches, key=len) if matches else None


async def read_form(request: Request) -> dict[str, Any]:
    """A multipart body as recorded: each field's string, each file as its name, type,
    size and base64 data (conformance tests parse the official SDK's body the same way)."""
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


def nest_form(fields: dict[str, Any]) -> dict[str, Any]:
    """A multipart body with bracket keys (``input_reference[image_url]``) as the nested
    object the API reads."""
    nested: dict[str, Any] = {}
    for key, value in fields.items():
        match = _BRACKETS.match(key)
        if match is None:
            nested[key] = value
            continue
        outer, inner = match.groups()
        target = nested.setdefault(outer, {})
        if isinstance(target, dict):
            target[inner] = value
    return nested


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
        self.accepted_extras: set[str] = set()
        """Fields beyond OpenAI's schema this upstream takes (empty: OpenAI's own API)."""
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
            Route("/{path:path}", self.unknown_path, methods=ALL_METHODS),
        ]

    def unknown_path_response(self, request: Request) -> Response:
        """OpenAI's answer to a path (or method) it does not serve."""
        return JSONResponse(
            error_body(f"Invalid URL ({request.method} {request.url.path})"), status_code=404
        )

    async def unknown_path(self, request: Request) -> Response:
        self.calls.append(
            Call("unknown", request.method, request.url.path, dict(request.headers), None)
        )
        return self.unknown_path_response(request)

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

    def unknown_parameter(self, name: str) -> Response:
        return self.invalid(f"Unknown parameter: '{name}'.", name, "unknown_parameter")

    def check_fields(self, body: dict[str, Any], known: frozenset[str]) -> Response | None:
        """A 400 for the first field outside ``known`` (and the accepted extras)."""
        for name in body:
            if name not in known and name not in self.accepted_extras:
                return self.unknown_parameter(name)
        return None

    def family(self, model: str) -> str | None:
        """The Sora 2 family whose sizes ``model`` is checked against (None: unchecked)."""
        return sora_family(model)

    def check_create(self, body: dict[str, Any]) -> Response | None:
        """What the API refuses in a create body, in the API's own words."""
        refused = self.check_fields(body, CREATE_FIELDS)
        if refused is not None:
            return refused
        prompt = body.get("prompt")
        if not isinstance(prompt, str) or not prompt:
            return self.invalid("Missing required parameter: 'prompt'.", "prompt", "missing")
        for name in ("model", "seconds", "size"):
            if name in body and not isinstance(body[name], str):
                kind = type(body[name]).__name__
                return self.invalid(
                    f"Invalid type for '{name}': expected a string, but got {kind} instead.",
                    name,
                    "invalid_type",
                )
        family = self.family(str(body.get("model") or "sora-2"))
        if family is not None:
            seconds = body.get("seconds", "4")
            if seconds not in SECONDS:
                allowed = "', '".join(SECONDS)
                return self.invalid(
                    f"Invalid value: '{seconds}'. Supported values are: '{allowed}'.", "seconds"
                )
            size = body.get("size", "720x1280")
            if size not in SIZES[family]:
                allowed = "', '".join(SIZES[family])
                return self.invalid(
                    f"Invalid value: '{size}'. Supported values are: '{allowed}'.", "size"
                )
        if "input_reference" in body:
            refused = self.check_reference(body["input_reference"])
            if refused is not None or family is None:
                return refused
            return self.check_frame(body["input_reference"], str(body.get("size", "720x1280")))
        return None

    def check_frame(self, reference: Any, size: str) -> Response | None:
        """An uploaded first frame must be exactly the video's size (Azure's Sora 2
        reference: "Must match size exactly"; the message is a stand-in)."""
        if not isinstance(reference, dict) or "data" not in reference:
            return None
        found = frame_size(base64.b64decode(reference["data"]))
        if found is None or f"{found[0]}x{found[1]}" == size:
            return None
        return self.invalid(
            "Inpaint image must match the requested width and height.",
            "input_reference",
            "invalid_value",
        )

    def check_reference(self, reference: Any) -> Response | None:
        if isinstance(reference, dict) and "content_type" in reference and "data" in reference:
            if reference["content_type"] not in REFERENCE_TYPES:
                return self.invalid(
                    f"Invalid file type '{reference['content_type']}' for 'input_reference'. "
                    "Supported types: image/jpeg, image/png, image/webp.",
                    "input_reference",
                    "invalid_file_type",
                )
            return None
        if not isinstance(reference, dict) or not reference:
            return self.invalid(
                "Invalid value for 'input_reference': expected a file or an object.",
                "input_reference",
                "invalid_type",
            )
        for key in reference:
            if key not in REFERENCE_FIELDS:
                return self.unknown_parameter(f"input_reference.{key}")
        url = reference.get("image_url")
        if url is not None and not (
            isinstance(url, str)
            and (url.startswith(("http://", "https://")) or url.startswith("data:image/"))
        ):
            return self.invalid(
                "Invalid 'input_reference.image_url': expected a URL or a base64 data URL.",
                "input_reference.image_url",
                "invalid_value",
            )
        return None

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
        return await read_form(request)

    async def create_video(self, request: Request) -> Response:
        fault = await self.enter(request, "submit")
        if fault is not None:
            return fault
        content_type = request.headers.get("content-type", "")
        multipart = content_type.startswith("multipart/form-data")
        body: dict[str, Any]
        if multipart:
            fields = await self._form(request)
            self._record_body(request.url.path, fields)
            body = nest_form(fields)
        else:
            try:
                parsed: Any = json.loads(await request.body())
            except ValueError:
                parsed = None
            if not isinstance(parsed, dict):
                return self.invalid("We could not parse the JSON body of your request.", None)
            body = parsed
        refused = self.check_create(body)
        if refused is not None:
            return refused
        model = str(body.get("model") or "sora-2")
        seconds = str(body.get("seconds", "4"))
        size = str(body.get("size", "720x1280"))
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
        if isinstance(body, dict):
            refused = self.check_fields(body, REMIX_FIELDS)
            if refused is not None:
                return refused
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
        if isinstance(body, dict):
            refused = self.check_fields(body, IMAGE_FIELDS)
            if refused is not None:
                return refused
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
