"""A loopback HTTP server that serves files with Range support, like a provider's CDN."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import FileResponse, Response
from starlette.routing import Route

from tests.servers import free_port


class MediaServer:
    """Serves every file in ``directory`` at ``/<name>``; counts requests."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.port = free_port()
        self.requests: list[dict[str, str]] = []

        async def serve(request: Request) -> Response:
            self.requests.append(dict(request.headers))
            path = directory / request.path_params["name"]
            if not path.is_file():
                return Response(status_code=404)
            return FileResponse(path, media_type="video/mp4")

        app = Starlette(routes=[Route("/{name}", serve)])
        config = uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="warning")
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, daemon=True)

    def url(self, name: str) -> str:
        return f"http://127.0.0.1:{self.port}/{name}"

    def __enter__(self) -> MediaServer:
        self._thread.start()
        deadline = time.monotonic() + 10
        while not self._server.started:
            if time.monotonic() > deadline:
                raise RuntimeError("media server did not start")
            time.sleep(0.02)
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.should_exit = True
        self._thread.join(timeout=10)
