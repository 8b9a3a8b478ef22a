"""An OpenAI-videos upstream that answers at once: the baseline every number is compared to.

It speaks the same wire format as the real API (multipart or JSON create, Video objects,
``/content`` bytes) and does as little as possible, so that "direct" measures the cost
of HTTP plus a dictionary lookup. Job behaviour is chosen by the prompt:

- a prompt starting with ``[hold]`` stays ``in_progress`` forever (for the many
  in-flight jobs the gateway must keep polling);
- any other job is ``completed`` from its first retrieve.

``/content`` streams ``--content-mb`` megabytes from one preallocated buffer, so the
upstream itself never holds more than a megabyte of video in memory.
``GET /bench/stats`` counts the calls it served (how many polls reached it).

Run: ``python -m bench.upstream --port 8100 --api-key bench-upstream-key``.
"""

from __future__ import annotations

import argparse
import json
import secrets
import time
from collections import Counter
from collections.abc import AsyncIterator
from typing import Any

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route

HOLD_MARKER = "[hold]"
_FORMS = ("multipart/form-data", "application/x-www-form-urlencoded")
CHUNK = 1024 * 1024


def _error(status: int, message: str, code: str | None = None) -> Response:
    body = {"error": {"message": message, "type": "invalid_request_error", "param": None}}
    body["error"]["code"] = code
    return JSONResponse(body, status_code=status)


class Upstream:
    """The jobs it has accepted and the handful of routes a gateway calls."""

    def __init__(self, api_key: str, content_bytes: int) -> None:
        self.expected_auth = f"Bearer {api_key}"
        self.content_bytes = content_bytes
        self.jobs: dict[str, dict[str, Any]] = {}
        self.calls: Counter[str] = Counter()
        self._chunk = memoryview(bytes(CHUNK))

    def _authorized(self, request: Request) -> bool:
        return request.headers.get("authorization") == self.expected_auth

    def _video(self, job: dict[str, Any]) -> dict[str, Any]:
        held = job["prompt"].startswith(HOLD_MARKER)
        return {
            **job,
            "status": "in_progress" if held else "completed",
            "progress": 50 if held else 100,
            "completed_at": None if held else job["created_at"],
        }

    async def create(self, request: Request) -> Response:
        self.calls["create"] += 1
        if not self._authorized(request):
            return _error(401, "Incorrect API key provided.", "invalid_api_key")
        if request.headers.get("content-type", "").startswith(_FORMS):
            form = await request.form()
            body: dict[str, Any] = {k: v for k, v in form.items() if isinstance(v, str)}
        else:
            body = json.loads(await request.body())
        prompt = body.get("prompt")
        if not isinstance(prompt, str) or not prompt:
            return _error(400, "Missing required parameter: 'prompt'.", "missing")
        video_id = f"video_{secrets.token_hex(12)}"
        job = {
            "id": video_id,
            "object": "video",
            "model": str(body.get("model") or "sora-2"),
            "created_at": int(time.time()),
            "expires_at": None,
            "prompt": prompt,
            "seconds": str(body.get("seconds") or "4"),
            "size": str(body.get("size") or "720x1280"),
            "remixed_from_video_id": None,
            "error": None,
        }
        self.jobs[video_id] = job
        return JSONResponse({**job, "status": "queued", "progress": 0, "completed_at": None})

    async def retrieve(self, request: Request) -> Response:
        self.calls["retrieve"] += 1
        if not self._authorized(request):
            return _error(401, "Incorrect API key provided.", "invalid_api_key")
        job = self.jobs.get(request.path_params["video_id"])
        if job is None:
            return _error(404, "Video not found.")
        return JSONResponse(self._video(job))

    async def delete(self, request: Request) -> Response:
        self.calls["delete"] += 1
        if not self._authorized(request):
            return _error(401, "Incorrect API key provided.", "invalid_api_key")
        video_id = request.path_params["video_id"]
        if self.jobs.pop(video_id, None) is None:
            return _error(404, "Video not found.")
        return JSONResponse({"id": video_id, "object": "video.deleted", "deleted": True})

    async def content(self, request: Request) -> Response:
        self.calls["content"] += 1
        if not self._authorized(request):
            return _error(401, "Incorrect API key provided.", "invalid_api_key")
        if request.path_params["video_id"] not in self.jobs:
            return _error(404, "Video not found.")
        if request.query_params.get("variant", "video") != "video":
            return Response(b"\xff\xd8\xff\xd9", media_type="image/jpeg")
        return StreamingResponse(
            self._stream(),
            media_type="video/mp4",
            headers={"content-length": str(self.content_bytes)},
        )

    async def _stream(self) -> AsyncIterator[bytes]:
        remaining = self.content_bytes
        while remaining > 0:
            size = min(CHUNK, remaining)
            yield self._chunk[:size]  # type: ignore[misc]  # memoryview is sent without a copy
            remaining -= size

    async def stats(self, request: Request) -> Response:
        return JSONResponse({"calls": dict(self.calls), "jobs": len(self.jobs)})

    def app(self) -> Starlette:
        return Starlette(
            routes=[
                Route("/v1/videos", self.create, methods=["POST"]),
                Route("/v1/videos/{video_id}", self.retrieve, methods=["GET"]),
                Route("/v1/videos/{video_id}", self.delete, methods=["DELETE"]),
                Route("/v1/videos/{video_id}/content", self.content, methods=["GET"]),
                Route("/bench/stats", self.stats, methods=["GET"]),
            ]
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--api-key", default="bench-upstream-key")
    parser.add_argument("--content-mb", type=float, default=200.0)
    args = parser.parse_args()
    upstream = Upstream(args.api_key, int(args.content_mb * 1024 * 1024))
    uvicorn.run(
        upstream.app(),
        host="127.0.0.1",
        port=args.port,
        log_level="warning",
        access_log=False,
        loop="uvloop",
        http="httptools",
    )


if __name__ == "__main__":
    main()
