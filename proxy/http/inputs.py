"""Uploaded input images served back to providers at short-lived signed URLs.

Some providers only fetch image URLs (Luma). When ``general_settings.public_url`` is set,
the router hands such an adapter :class:`InputPublisher`: the bytes are written under
``<media_dir>/inputs/`` and the provider gets ``<public_url>/v1/inputs/<token>``. The
route needs no key (a provider has none); the token is the credential:

    <id>_<expiry>_<signature>.<ext>

``id`` is 128 random bits, ``expiry`` a Unix time, and ``signature`` the HMAC-SHA256 of
``<id>_<expiry>.<ext>`` under a key derived from the master key. A forged, altered or
expired token is a 404 in the OpenAI error shape, the same answer as for a file that
never existed, so the route tells a prober nothing. Rotating the master key voids the
links already handed out (jobs already started have fetched theirs).
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import re
import secrets
import time
from collections.abc import Callable
from pathlib import Path

import anyio
from starlette.requests import Request
from starlette.responses import FileResponse, Response

from tarash_gateway.proxy.http.errors import APIError

ROUTE_PREFIX = "/v1/inputs/"
_KEY_LABEL = b"tarash-gateway input image links v1"
_EXTENSIONS = {
    "image/png": "png",
    "image/jpeg": "jpg",
    "image/webp": "webp",
    "image/gif": "gif",
}
_TYPES = {ext: kind for kind, ext in _EXTENSIONS.items()} | {"bin": "application/octet-stream"}
_TOKEN = re.compile(r"^([0-9a-f]{32})_([0-9]{1,12})_([0-9a-f]{64})\.(png|jpg|webp|gif|bin)$")
_STORED = re.compile(r"^[0-9a-f]{32}_[0-9]{1,12}\.(png|jpg|webp|gif|bin)$")
SWEEP_SECONDS = 60.0
"""At most one sweep of expired files per this many seconds (done on publish)."""


def signing_key(master_key: bytes) -> bytes:
    """A key for input links alone, so a link's signature reveals nothing usable
    against the master key and the master key is never used for two purposes."""
    return hmac.new(master_key, _KEY_LABEL, hashlib.sha256).digest()


def _signature(key: bytes, name: str) -> str:
    return hmac.new(key, name.encode(), hashlib.sha256).hexdigest()


def make_token(key: bytes, expires_at: int, content_type: str) -> tuple[str, str]:
    """(token, stored file name) for a new file that works until ``expires_at``."""
    ident = secrets.token_hex(16)
    ext = _EXTENSIONS.get(content_type, "bin")
    name = f"{ident}_{expires_at}.{ext}"
    return f"{ident}_{expires_at}_{_signature(key, name)}.{ext}", name


def check_token(key: bytes, token: str, now: float) -> str | None:
    """The stored file name (``<id>_<expiry>.<ext>``) if ``token`` is genuine and
    unexpired, else None."""
    match = _TOKEN.match(token)
    if match is None:
        return None
    ident, expiry, signature, ext = match.groups()
    name = f"{ident}_{expiry}.{ext}"
    if not hmac.compare_digest(signature, _signature(key, name)):
        return None
    if int(expiry) < now:
        return None
    return name


def _expiry(name: str) -> int:
    return int(name.split("_", 1)[1].split(".", 1)[0])


class InputPublisher:
    """Writes uploads under ``directory`` and signs links to them (a
    :class:`adapters.uploads.Publisher`)."""

    def __init__(
        self,
        public_url: str,
        directory: Path,
        master_key: Callable[[], bytes],
        seconds: float,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.public_url = public_url.rstrip("/")
        self.directory = directory
        self._master_key = master_key
        self.seconds = seconds
        self._clock = clock
        self._last_sweep = 0.0

    @property
    def key(self) -> bytes:
        """Derived from the current master key (a reload that rotates it applies)."""
        return signing_key(self._master_key())

    async def publish(self, data: bytes, content_type: str) -> str:
        now = self._clock()
        expires_at = int(now + self.seconds) + 1
        token, name = make_token(self.key, expires_at, content_type)
        await asyncio.to_thread(self._write, name, data, now)
        return f"{self.public_url}{ROUTE_PREFIX}{token}"

    def _write(self, name: str, data: bytes, now: float) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        partial = self.directory / f".{name}.partial"
        partial.write_bytes(data)
        partial.replace(self.directory / name)  # never serve half a file
        if now - self._last_sweep >= SWEEP_SECONDS:
            self._last_sweep = now
            self._sweep(now)

    def _sweep(self, now: float) -> None:
        """Delete files whose links have expired (their expiry is in the name)."""
        for path in self.directory.iterdir():
            if _STORED.match(path.name) and _expiry(path.name) < now:
                path.unlink(missing_ok=True)

    async def serve(self, token: str) -> Response:
        """The file behind ``token``, or the 404 every bad token gets."""
        name = check_token(self.key, token, self._clock())
        if name is None:
            raise _gone()
        path = self.directory / name
        if not await anyio.Path(path).is_file():
            raise _gone()
        remaining = max(0, _expiry(name) - int(self._clock()))
        return FileResponse(
            path,
            media_type=_TYPES[name.rsplit(".", 1)[1]],
            headers={
                "cache-control": f"private, max-age={remaining}",
                "x-content-type-options": "nosniff",
            },
        )


def _gone() -> APIError:
    return APIError(
        404,
        "No input image at this link: it has expired or never existed.",
        code="input_not_found",
    )


async def serve_input(request: Request) -> Response:
    """``GET /v1/inputs/{token}``: no key needed, the signed token is the credential."""
    publisher: InputPublisher | None = request.app.state.gateway.inputs
    if publisher is None:
        raise _gone()
    return await publisher.serve(request.path_params["token"])
