"""A loopback MiniMax video API: real paths, Bearer auth, base_resp errors at HTTP 200.

Checked 2026-11-25 against:
- platform.minimax.io/docs/api-reference/video-generation (``POST /v1/video_generation``
  → ``{task_id, base_resp: {status_code, status_msg}}``; models MiniMax-Hailuo-2.3,
  -2.3-Fast, -02, T2V-01(-Director), I2V-01(-Director, -live), S2V-01; duration 6|10,
  resolution 512P|720P|768P|1080P depending on the model);
- platform.minimax.io/docs/api-reference/video-generation-query (``GET
  /v1/query/video_generation?task_id=`` → ``status`` Preparing | Queueing | Processing |
  Success | Fail, ``file_id``, ``video_width``, ``video_height``);
- the file retrieve call as used by MiniMax-AI/MiniMax-MCP ``server.py``
  (``GET /v1/files/retrieve?file_id=`` → ``file.download_url``);
- platform.minimax.io/docs/api-reference/errorcode (1002 rate limit, 1004 not authorized,
  1008 insufficient balance, 1026/1027 input/output new_sensitive, 2013 invalid params,
  2049 invalid api key). Errors come back as HTTP 200 with a non-zero status_code.

Strict since 2026-12-03 (issue 15), per model, from the t2v / i2v / fl2v / s2v pages
(platform.minimax.io/docs/api-reference/video-generation-*, read 2026-12-03) and MiniMax's
CLI (github.com/MiniMax-AI/cli ``src/sdk/video/index.ts``): see ``MODELS``. A request
outside them is ``2013 invalid params``: an unknown model or field, a field of the wrong
JSON type (``"duration": "6"``), a duration or resolution the model (in that mode) does
not make, 10 s at 1080P, a last frame without a first frame or on a model other than
Hailuo-02, an image-to-video model without ``first_frame_image``, an image that is
neither an http(s) URL nor a ``data:image/(jpeg|png|webp);base64,`` URL, an image over
20 MB, a prompt over 2000 characters. The real API may ignore an unknown field; the
emulator refuses it so that a misnamed field fails a test instead of vanishing. Paths
the API lacks are a 404.
"""

from __future__ import annotations

import base64
import binascii
import re
import time
from dataclasses import dataclass
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from tarash_gateway.adapters.media import SAMPLE_VIDEO
from tests.emulators.base import Call, Emulator, Job

OK = {"status_code": 0, "status_msg": "success"}
SIZES = {"512P": (912, 512), "720P": (1280, 720), "768P": (1366, 768), "1080P": (1920, 1080)}


@dataclass(frozen=True)
class Model:
    """What one model takes: per mode (text, first frame, first+last frame) resolutions."""

    text: tuple[str, ...] | None
    """Resolutions from text alone (None: the model needs an image)."""
    image: tuple[str, ...] | None
    """Resolutions with a first frame (None: no first frame)."""
    keyframes: tuple[str, ...] | None = None
    """Resolutions with a first and a last frame (None: no last frame)."""
    durations: tuple[int, ...] = (6, 10)
    default_resolution: str = "768P"
    subject: bool = False


_HAILUO = ("768P", "1080P")
_SERIES_01 = ("720P",)
MODELS: dict[str, Model] = {
    "MiniMax-Hailuo-2.3": Model(text=_HAILUO, image=_HAILUO),
    "MiniMax-Hailuo-2.3-Fast": Model(text=None, image=_HAILUO),
    "MiniMax-Hailuo-02": Model(text=_HAILUO, image=("512P", *_HAILUO), keyframes=_HAILUO),
    "T2V-01": Model(text=_SERIES_01, image=None, durations=(6,), default_resolution="720P"),
    "T2V-01-Director": Model(
        text=_SERIES_01, image=None, durations=(6,), default_resolution="720P"
    ),
    "I2V-01": Model(text=None, image=_SERIES_01, durations=(6,), default_resolution="720P"),
    "I2V-01-Director": Model(
        text=None, image=_SERIES_01, durations=(6,), default_resolution="720P"
    ),
    "I2V-01-live": Model(text=None, image=_SERIES_01, durations=(6,), default_resolution="720P"),
    "S2V-01": Model(
        text=_SERIES_01, image=None, durations=(6,), default_resolution="720P", subject=True
    ),
}
"""The models ``POST /v1/video_generation`` takes, as the reference pages list them."""

FIELDS: dict[str, type | tuple[type, ...]] = {
    "model": str,
    "prompt": str,
    "duration": int,
    "resolution": str,
    "prompt_optimizer": bool,
    "fast_pretreatment": bool,
    "callback_url": str,
    "aigc_watermark": bool,
    "first_frame_image": str,
    "last_frame_image": str,
    "subject_reference": list,
}
"""Every body field of the create call and its JSON type."""
MAX_PROMPT = 2000
MAX_IMAGE_BYTES = 20 * 1024 * 1024
_DATA_URL = re.compile(r"^data:image/(?:jpeg|jpg|png|webp);base64,(?P<data>.+)$", re.DOTALL)


def _image_problem(name: str, value: str) -> str | None:
    """Why ``value`` is not an image MiniMax takes (None if it is)."""
    if value.startswith(("http://", "https://")):
        return None
    match = _DATA_URL.match(value)
    if match is None:
        return f"{name} must be a public URL or a base64 data URL (data:image/jpeg;base64,...)"
    data = match["data"]
    if len(data) * 3 // 4 > MAX_IMAGE_BYTES:
        return f"{name} is larger than 20MB"
    try:
        base64.b64decode(data, validate=True)
    except (binascii.Error, ValueError):
        return f"{name} is not valid base64"
    return None


def validate(body: Any) -> str | None:
    """The 2013 message for what is wrong with a create body (None if nothing is)."""
    if not isinstance(body, dict):
        return "invalid params, body must be a JSON object"
    for name, value in body.items():
        expected = FIELDS.get(name)
        if expected is None:
            return f"invalid params, unknown field {name}"
        if isinstance(value, bool) and expected is not bool:
            return f"invalid params, {name} has the wrong type"
        if not isinstance(value, expected):
            return f"invalid params, {name} has the wrong type"
    model = MODELS.get(body.get("model", ""))
    if model is None:
        return f"invalid params, model {body.get('model')!r} is not supported"
    prompt = body.get("prompt", "")
    if len(prompt) > MAX_PROMPT:
        return "invalid params, prompt is longer than 2000 characters"
    first, last = body.get("first_frame_image"), body.get("last_frame_image")
    for name in ("first_frame_image", "last_frame_image"):
        if isinstance(body.get(name), str):
            problem = _image_problem(name, body[name])
            if problem is not None:
                return f"invalid params, {problem}"
    if last is not None and first is None:
        return "invalid params, last_frame_image requires first_frame_image"
    if last is not None:
        allowed = model.keyframes
        mode = "first-and-last-frame"
    elif first is not None:
        allowed = model.image
        mode = "image-to-video"
    else:
        allowed = model.text
        mode = "text-to-video"
    if allowed is None:
        return f"invalid params, {body['model']} does not support {mode}"
    if model.subject:
        reference = body.get("subject_reference")
        if not (
            isinstance(reference, list)
            and len(reference) == 1
            and isinstance(reference[0], dict)
            and reference[0].get("type") == "character"
            and isinstance(reference[0].get("image"), list)
            and len(reference[0]["image"]) == 1
        ):
            return "invalid params, subject_reference must be [{type: character, image: [url]}]"
    elif "subject_reference" in body:
        return f"invalid params, {body['model']} does not take subject_reference"
    if not prompt and first is None:
        return "invalid params, prompt is required"
    duration = body.get("duration", 6)
    if duration not in model.durations:
        return f"invalid params, duration {duration} is not supported by {body['model']}"
    resolution = body.get("resolution", model.default_resolution)
    if resolution not in allowed:
        return f"invalid params, resolution {resolution} is not supported for {mode}"
    if duration == 10 and resolution == "1080P":
        return "invalid params, 1080P supports only 6s"
    return None


def base_resp(code: int, message: str, **fields: Any) -> JSONResponse:
    """MiniMax's error answer: HTTP 200, the code in ``base_resp``."""
    return JSONResponse({**fields, "base_resp": {"status_code": code, "status_msg": message}})


class MiniMaxEmulator(Emulator):
    name = "minimax"

    def __init__(self, *, job_seconds: float = 0.3, api_key: str = "test-key") -> None:
        super().__init__(job_seconds=job_seconds, api_key=api_key)
        self.retrieve_queries: list[dict[str, str]] = []

    def provider_routes(self) -> list[BaseRoute]:
        return [
            Route("/v1/video_generation", self._create, methods=["POST"]),
            Route("/v1/query/video_generation", self._query, methods=["GET"]),
            Route("/v1/files/retrieve", self._retrieve, methods=["GET"]),
            Route("/{path:path}", self._unknown, methods=["GET", "POST", "PUT", "DELETE"]),
        ]

    async def _unknown(self, request: Request) -> Response:
        """A path (or method) the API does not have: a 404, recorded like any call."""
        self.calls.append(
            Call("unknown", request.method, request.url.path, dict(request.headers), None)
        )
        return JSONResponse(
            {"base_resp": {"status_code": 404, "status_msg": "404 page not found"}},
            status_code=404,
        )

    def authorized(self, request: Request) -> bool:
        return request.headers.get("authorization") == f"Bearer {self.api_key}"

    def unauthorized(self) -> Response:
        return base_resp(2049, "invalid api key", task_id="")

    async def _create(self, request: Request) -> Response:
        fault = await self.enter(request, "submit")
        if fault is not None:
            return fault
        body = await request.json()
        if not isinstance(body, dict) or not body.get("model"):
            return base_resp(2013, "invalid params, model is required", task_id="")
        message = validate(body)
        if message is not None:
            return base_resp(2013, message, task_id="")
        job = self.new_job(body)
        return JSONResponse({"task_id": job.id, "base_resp": OK})

    async def _query(self, request: Request) -> Response:
        fault = await self.enter(request, "status")
        if fault is not None:
            return fault
        job = self.jobs.get(request.query_params.get("task_id", ""))
        if job is None:
            return base_resp(2013, "invalid params, task not found", task_id="", status="")
        return JSONResponse(self._task(job))

    async def _retrieve(self, request: Request) -> Response:
        fault = await self.enter(request, "result")
        if fault is not None:
            return fault
        self.retrieve_queries.append(dict(request.query_params))
        file_id = request.query_params.get("file_id", "")
        job = next((job for job in self.jobs.values() if self._file_id(job) == file_id), None)
        if job is None or job.phase(self.job_seconds) != "done" or job.outcome != "success":
            return base_resp(2013, "invalid params, file not found")
        return JSONResponse(
            {
                "file": {
                    "file_id": int(file_id),
                    "bytes": SAMPLE_VIDEO.stat().st_size,
                    "created_at": int(job.created + self.job_seconds),
                    "filename": "output.mp4",
                    "purpose": "video_generation",
                    "download_url": self.media_url(job),
                },
                "base_resp": OK,
            }
        )

    @staticmethod
    def _file_id(job: Job) -> str:
        return str(int(job.id, 16) % 10**15)

    def _task(self, job: Job) -> dict[str, Any]:
        task: dict[str, Any] = {"task_id": job.id, "status": "Preparing", "base_resp": OK}
        phase = job.phase(self.job_seconds)
        if phase == "queued":
            elapsed = time.time() - job.created
            task["status"] = "Preparing" if elapsed < self.job_seconds * 0.1 else "Queueing"
        elif phase == "running":
            task["status"] = "Processing"
        elif job.outcome == "success":
            model = MODELS[job.input["model"]]
            width, height = SIZES[job.input.get("resolution", model.default_resolution)]
            task.update(
                status="Success",
                file_id=self._file_id(job),
                video_width=width,
                video_height=height,
            )
        elif job.outcome == "moderation":
            task.update(
                status="Fail", base_resp={"status_code": 1027, "status_msg": "output new_sensitive"}
            )
        else:
            task.update(status="Fail")
        return task
