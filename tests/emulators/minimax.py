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
"""

from __future__ import annotations

import time
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from adapters.media import SAMPLE_VIDEO
from tests.emulators.base import Emulator, Job

OK = {"status_code": 0, "status_msg": "success"}
RESOLUTIONS = {"512P", "720P", "768P", "1080P"}
SIZES = {"512P": (912, 512), "720P": (1280, 720), "768P": (1366, 768), "1080P": (1920, 1080)}


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
        ]

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
        if not body.get("prompt") and not body.get("first_frame_image"):
            return base_resp(2013, "invalid params, prompt is required", task_id="")
        if body.get("duration", 6) not in (6, 10):
            return base_resp(2013, "invalid params, duration must be 6 or 10", task_id="")
        if body.get("resolution", "768P") not in RESOLUTIONS:
            return base_resp(2013, "invalid params, resolution is not supported", task_id="")
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
            width, height = SIZES[job.input.get("resolution", "768P")]
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
