"""A loopback webhook receiver that can be told to fail, for delivery tests."""

from __future__ import annotations

import threading
import time
from collections import Counter
from dataclasses import dataclass

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from tests.servers import free_port


@dataclass
class Received:
    body: bytes
    headers: dict[str, str]
    answered: int


class WebhookReceiver:
    """Answers 500 to the first ``fail_first`` deliveries of each event, then 200."""

    def __init__(self, fail_first: int = 0) -> None:
        self.fail_first = fail_first
        self.port = free_port()
        self.received: list[Received] = []
        self._seen: Counter[str] = Counter()

        async def hook(request: Request) -> Response:
            body = await request.body()
            event_id = request.headers.get("webhook-id", "")
            self._seen[event_id] += 1
            status = 500 if self._seen[event_id] <= self.fail_first else 200
            self.received.append(Received(body, dict(request.headers), status))
            return Response(status_code=status)

        app = Starlette(routes=[Route("/hook", hook, methods=["POST"])])
        config = uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="warning")
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hook"

    def successes(self) -> list[Received]:
        return [r for r in self.received if r.answered == 200]

    def wait_for_successes(self, count: int, seconds: float = 20) -> list[Received]:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline and len(self.successes()) < count:
            time.sleep(0.05)
        return self.successes()

    def __enter__(self) -> WebhookReceiver:
        self._thread.start()
        deadline = time.monotonic() + 10
        while not self._server.started:
            if time.monotonic() > deadline:
                raise RuntimeError("webhook receiver did not start")
            time.sleep(0.01)
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.should_exit = True
        self._thread.join(timeout=10)
