"""The shared machinery of provider emulators: a loopback server with scripted faults.

Each emulator subclass speaks one provider's real wire format (paths, auth header,
status names, result shapes); this base gives them a server on a free 127.0.0.1 port,
a record of every call, simulated jobs that finish after ``job_seconds``, a media
route serving real MP4 bytes, and a script of faults to inject:

    emulator.fail_next("submit", Fault(status=429, headers={"Retry-After": "2"}))
    emulator.fail_next("status", Fault(hang_seconds=5))        # a hang past the timeout
    emulator.fail_next("submit", Fault(malformed=True))         # 200 with broken JSON
    emulator.next_job_outcome = "fail"                          # accepted, fails later
    emulator.next_job_outcome = "moderation"                    # refused on content
"""

from __future__ import annotations

import asyncio
import random
import secrets
import threading
import time
from collections import defaultdict, deque
from dataclasses import dataclass, field
from typing import Any, Literal, Self

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, Response
from starlette.routing import BaseRoute, Route

from tarash_gateway.adapters.media import SAMPLE_THUMBNAIL, SAMPLE_VIDEO
from tests.servers import free_port

Outcome = Literal["success", "fail", "moderation"]


@dataclass
class Fault:
    """One injected misbehaviour for one call."""

    status: int | None = None
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)
    hang_seconds: float | None = None
    malformed: bool = False


@dataclass
class Call:
    operation: str
    method: str
    path: str
    headers: dict[str, str]
    body: Any
    query: str = ""
    """The raw query string (conformance tests compare it with the official SDK's)."""


@dataclass
class Job:
    """A simulated upstream job."""

    id: str
    input: Any
    created: float
    outcome: Outcome = "success"
    cancelled: bool = False
    extra: dict[str, Any] = field(default_factory=dict)

    def phase(self, job_seconds: float) -> Literal["queued", "running", "done"]:
        elapsed = time.time() - self.created
        if elapsed >= job_seconds:
            return "done"
        return "queued" if elapsed < job_seconds * 0.2 else "running"

    def progress(self, job_seconds: float) -> float:
        if job_seconds <= 0:
            return 1.0
        return min(1.0, (time.time() - self.created) / job_seconds)


class Emulator:
    """Base class: subclasses implement :meth:`provider_routes` and :meth:`authorized`."""

    name = "emulator"

    def __init__(self, *, job_seconds: float = 0.3, api_key: str = "test-key") -> None:
        self.job_seconds = job_seconds
        self.api_key = api_key
        self.port = free_port()
        self.faults: dict[str, deque[Fault]] = defaultdict(deque)
        self.random_faults: dict[str, tuple[Fault, float, random.Random]] = {}
        self.calls: list[Call] = []
        self.jobs: dict[str, Job] = {}
        self.next_job_outcome: Outcome = "success"
        app = Starlette(
            routes=[
                Route("/_media/{name}", self._media, methods=["GET", "HEAD"]),
                *self.provider_routes(),
            ]
        )
        config = uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="warning")
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, daemon=True)

    # -- for tests ---------------------------------------------------------------------

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def fail_next(self, operation: str, fault: Fault, times: int = 1) -> None:
        """The next ``times`` calls of ``operation`` misbehave as ``fault`` says."""
        for _ in range(times):
            self.faults[operation].append(fault)

    def fail_randomly(self, operation: str, fault: Fault, rate: float, seed: int = 0) -> None:
        """From now on, each call of ``operation`` misbehaves with probability ``rate``."""
        self.random_faults[operation] = (fault, rate, random.Random(seed))

    def calls_of(self, operation: str) -> list[Call]:
        return [call for call in self.calls if call.operation == operation]

    def start(self) -> Self:
        self._thread.start()
        deadline = time.monotonic() + 10
        while not self._server.started:
            if time.monotonic() > deadline:
                raise RuntimeError(f"{self.name} emulator did not start")
            time.sleep(0.01)
        return self

    def stop(self) -> None:
        self._server.should_exit = True
        self._thread.join(timeout=10)

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- for subclasses ----------------------------------------------------------------

    def provider_routes(self) -> list[BaseRoute]:
        raise NotImplementedError

    def authorized(self, request: Request) -> bool:
        """Whether the request carries this provider's credentials."""
        raise NotImplementedError

    def unauthorized(self) -> Response:
        """The provider's own answer to bad credentials."""
        return JSONResponse({"error": "unauthorized"}, status_code=401)

    async def enter(self, request: Request, operation: str) -> Response | None:
        """Record the call, check auth, apply a scripted fault. A non-None return is
        the response to send instead of the normal one."""
        try:
            body: Any = await request.json()
        except Exception:
            body = None
        self.calls.append(
            Call(
                operation,
                request.method,
                request.url.path,
                dict(request.headers),
                body,
                request.url.query,
            )
        )
        if not self.authorized(request):
            return self.unauthorized()
        queue = self.faults.get(operation)
        if queue:
            return await self._apply(queue.popleft())
        chance = self.random_faults.get(operation)
        if chance is not None and chance[2].random() < chance[1]:
            return await self._apply(chance[0])
        return None

    async def _apply(self, fault: Fault) -> Response | None:
        if fault.hang_seconds is not None:
            await asyncio.sleep(fault.hang_seconds)
        if fault.malformed:
            return Response(
                b'{"this is": not json',
                media_type="application/json",
                status_code=fault.status or 200,
                headers=fault.headers,
            )
        if fault.status is not None:
            return JSONResponse(
                fault.body if fault.body is not None else {"error": "injected"},
                status_code=fault.status,
                headers=fault.headers,
            )
        return None

    def new_job(self, input_: Any, prefix: str = "") -> Job:
        job = Job(
            id=prefix + secrets.token_hex(8),
            input=input_,
            created=time.time(),
            outcome=self.next_job_outcome,
        )
        self.next_job_outcome = "success"
        self.jobs[job.id] = job
        return job

    async def wait_for_a_job_after(self, jobs_before: int) -> None:
        """Let a create the client gave up on (a hang past its timeout) land: the
        emulator still makes its job, later, and that job would otherwise take the
        scripted outcome meant for whichever test runs next. Waits up to 2 s."""
        for _ in range(100):
            if len(self.jobs) > jobs_before:
                return
            await asyncio.sleep(0.02)

    def media_url(self, job: Job, kind: Literal["video", "image"] = "video") -> str:
        suffix = "mp4" if kind == "video" else "jpg"
        return f"{self.base_url}/_media/{job.id}.{suffix}"

    async def _media(self, request: Request) -> Response:
        name = request.path_params["name"]
        path = SAMPLE_VIDEO if name.endswith(".mp4") else SAMPLE_THUMBNAIL
        media_type = "video/mp4" if name.endswith(".mp4") else "image/jpeg"
        return FileResponse(path, media_type=media_type)
