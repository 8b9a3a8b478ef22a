"""Uploaded input images reach providers that cannot take them inline (issue 15, item 5).

Through a real gateway process and the real OpenAI SDK (``input_reference=open(png)``):
Luma only fetches URLs, so with ``general_settings.public_url`` the gateway serves the
upload at a signed link and Luma gets that link (the emulator does not fetch it; the test
does, and gets the same bytes); without ``public_url`` the create is a 400 naming the
setting and Luma is never called. Replicate and fal have their own upload APIs (Replicate's
files API, fal storage): the upload goes there and the model input names the file's URL.

The signing itself (expiry, tampering, key rotation) is tested on :class:`InputPublisher`
directly, with a clock the test sets.
"""

from __future__ import annotations

import asyncio
import struct
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import openai
import pytest

from tarash_gateway.proxy.http.inputs import InputPublisher, check_token, signing_key
from tests.conftest import write_config
from tests.emulators.fal import FalEmulator
from tests.emulators.luma import LumaEmulator
from tests.emulators.replicate import ReplicateEmulator
from tests.servers import GatewayProcess, free_port

KEY = "sk-inputs"


def tiny_png(width: int = 4, height: int = 3) -> bytes:
    """A valid RGB PNG, built by hand so the test needs no image library."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    rows = b"".join(b"\x00" + bytes([200, 30, 30]) * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


@dataclass
class Stack:
    served: GatewayProcess
    """A gateway with ``public_url`` set to its own address."""
    unserved: GatewayProcess
    """The same deployments, without ``public_url``."""
    luma: LumaEmulator
    replicate: ReplicateEmulator
    fal: FalEmulator
    png: Path

    def client(self, server: GatewayProcess) -> openai.OpenAI:
        return openai.OpenAI(base_url=f"{server.base_url}/v1", api_key=KEY, max_retries=0)


def _config(directory: Path, luma: str, replicate: str, fal: str, public_url: str | None) -> Path:
    common = "api_key: test-key, poll_interval: 0.1, request_timeout: 5"
    public = f'public_url: "{public_url}"' if public_url else ""
    return write_config(
        directory,
        f"""
        model_list:
          - model_name: luma
            params: {{provider: luma, model: ray-2, id: via-luma,
                      base_url: "{luma}", {common}}}
          - model_name: replicate
            params: {{provider: replicate, model: google/veo-3, id: via-replicate,
                      base_url: "{replicate}", {common}}}
          - model_name: fal
            params: {{provider: fal, model: fal-ai/veo3.1/fast/image-to-video, id: via-fal,
                      base_url: "{fal}", {common},
                      provider_config: {{rest_url: "{fal}", cdn_url: "{fal}"}}}}
        general_settings:
          master_key: {KEY}
          database_url: sqlite:///{directory / "jobs.db"}
          media_dir: "{directory / "media"}"
          {public}
        """,
    )


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    root = tmp_path_factory.mktemp("inputs")
    png = root / "frame.png"
    png.write_bytes(tiny_png())
    with (
        LumaEmulator(job_seconds=0.5) as luma,
        ReplicateEmulator(job_seconds=0.5) as replicate,
        FalEmulator(job_seconds=0.5) as fal,
    ):
        port = free_port()
        served_dir, unserved_dir = root / "served", root / "unserved"
        served_dir.mkdir()
        unserved_dir.mkdir()
        served = GatewayProcess(
            _config(
                served_dir,
                luma.base_url,
                replicate.base_url,
                fal.base_url,
                f"http://127.0.0.1:{port}",
            ),
            served_dir / "gateway.log",
            port=port,
        ).start()
        unserved = GatewayProcess(
            _config(unserved_dir, luma.base_url, replicate.base_url, fal.base_url, None),
            unserved_dir / "gateway.log",
        ).start()
        try:
            yield Stack(served, unserved, luma, replicate, fal, png)
        finally:
            served.stop()
            unserved.stop()


def test_luma_gets_a_signed_gateway_url_that_serves_the_upload(stack: Stack) -> None:
    before = len(stack.luma.calls_of("submit"))
    with stack.png.open("rb") as image:
        video = stack.client(stack.served).videos.create(
            model="luma", prompt="a lighthouse at dusk", input_reference=image
        )
    assert video.status in ("queued", "in_progress")
    submits = stack.luma.calls_of("submit")
    assert len(submits) == before + 1
    url = submits[-1].body["keyframes"]["frame0"]["url"]
    assert url.startswith(f"{stack.served.base_url}/v1/inputs/")
    # No key: the provider has none; the signed token is the credential.
    fetched = httpx.get(url)
    assert fetched.status_code == 200
    assert fetched.content == stack.png.read_bytes()
    assert fetched.headers["content-type"] == "image/png"


def test_a_tampered_or_unknown_link_is_a_404_in_the_openai_shape(stack: Stack) -> None:
    with stack.png.open("rb") as image:
        stack.client(stack.served).videos.create(
            model="luma", prompt="a lighthouse at dawn", input_reference=image
        )
    url = stack.luma.calls_of("submit")[-1].body["keyframes"]["frame0"]["url"]
    token = url.rsplit("/", 1)[1]
    flipped = token[:-5] + ("0" if token[-5] != "0" else "1") + token[-4:]  # in the signature
    for bad in (flipped, "nope", token.replace(".png", ".jpg")):
        answer = httpx.get(f"{stack.served.base_url}/v1/inputs/{bad}")
        assert answer.status_code == 404
        error = answer.json()["error"]
        assert error["code"] == "input_not_found"
        assert set(error) == {"message", "type", "param", "code"}


def sent_to_luma(stack: Stack) -> int:
    """Luma calls other than status polls: the earlier tests' jobs are still being polled
    by the other gateway while this one runs, so those may arrive at any moment."""
    return sum(call.operation != "status" for call in stack.luma.calls)


def test_without_public_url_luma_refuses_the_upload_before_any_call(stack: Stack) -> None:
    before = sent_to_luma(stack)
    with stack.png.open("rb") as image, pytest.raises(openai.BadRequestError) as caught:
        stack.client(stack.unserved).videos.create(
            model="luma", prompt="a lighthouse at night", input_reference=image
        )
    error = caught.value.body
    assert isinstance(error, dict)
    assert "general_settings.public_url" in error["message"]
    assert "input_reference[image_url]" in error["message"]
    assert error["param"] == "input_reference"
    assert sent_to_luma(stack) == before  # not one upstream call
    # Nor is the gateway's own route there to serve anything.
    assert httpx.get(f"{stack.unserved.base_url}/v1/inputs/x").status_code == 404


def test_an_image_url_still_needs_no_public_url(stack: Stack) -> None:
    before = len(stack.luma.calls_of("submit"))
    stack.client(stack.unserved).videos.create(
        model="luma",
        prompt="a lighthouse by URL",
        extra_body={"input_reference": {"image_url": "https://images.example.com/a.png"}},
    )
    submits = stack.luma.calls_of("submit")
    assert len(submits) == before + 1
    frame = submits[-1].body["keyframes"]["frame0"]
    assert frame == {"type": "image", "url": "https://images.example.com/a.png"}


def test_replicate_uploads_through_its_files_api(stack: Stack) -> None:
    uploads_before = len(stack.replicate.calls_of("upload"))
    with stack.png.open("rb") as image:
        stack.client(stack.unserved).videos.create(
            model="replicate", prompt="a lighthouse in fog", input_reference=image
        )
    uploads = stack.replicate.calls_of("upload")
    assert len(uploads) == uploads_before + 1
    upload = uploads[-1]
    assert upload.method == "POST"
    assert upload.path == "/v1/files"
    assert upload.headers["authorization"] == "Bearer test-key"
    assert upload.headers["content-type"].startswith("multipart/form-data")
    assert upload.body["content_type"] == "image/png"
    file_id = next(
        file_id
        for file_id, (record, _data) in stack.replicate.files.items()
        if record["size"] == upload.body["size"]
    )
    record, data = stack.replicate.files[file_id]
    assert data == stack.png.read_bytes()
    prediction = stack.replicate.calls_of("submit")[-1].body
    assert prediction["input"]["image"] == record["urls"]["get"]
    assert not prediction["input"]["image"].startswith("data:")


def test_fal_uploads_to_fal_storage(stack: Stack) -> None:
    with stack.png.open("rb") as image:
        stack.client(stack.unserved).videos.create(
            model="fal", prompt="a lighthouse in rain", input_reference=image, seconds="8"
        )
    assert stack.fal.calls_of("storage_upload")[-1].headers["content-type"] == "image/png"
    url = stack.fal.calls_of("submit")[-1].body["image_url"]
    assert url.startswith(f"{stack.fal.base_url}/files/")
    assert httpx.get(url).content == stack.png.read_bytes()


# -- the signed links themselves ------------------------------------------------------------


class Clock:
    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def _publisher(tmp_path: Path, clock: Clock, master: list[bytes]) -> InputPublisher:
    return InputPublisher(
        "https://gw.example.com/", tmp_path / "inputs", lambda: master[0], 60.0, clock
    )


def test_a_link_works_until_its_expiry_and_not_after(tmp_path: Path) -> None:
    clock, master = Clock(1_000_000.0), [b"master-1"]
    publisher = _publisher(tmp_path, clock, master)
    url = asyncio.run(publisher.publish(b"\x89PNG...", "image/png"))
    assert url.startswith("https://gw.example.com/v1/inputs/")
    assert url.endswith(".png")
    token = url.rsplit("/", 1)[1]
    key = signing_key(master[0])
    name = check_token(key, token, clock.now)
    assert name is not None
    assert (tmp_path / "inputs" / name).read_bytes() == b"\x89PNG..."
    assert check_token(key, token, clock.now + 60) is not None
    assert check_token(key, token, clock.now + 62) is None  # past its expiry


def test_a_changed_expiry_id_or_key_breaks_the_signature(tmp_path: Path) -> None:
    clock, master = Clock(2_000_000.0), [b"master-1"]
    publisher = _publisher(tmp_path, clock, master)
    token = asyncio.run(publisher.publish(b"bytes", "image/jpeg")).rsplit("/", 1)[1]
    ident, expiry, signature = token.removesuffix(".jpg").split("_")
    key = signing_key(master[0])
    later = f"{ident}_{int(expiry) + 3600}_{signature}.jpg"
    other = f"{'0' * 32}_{expiry}_{signature}.jpg"
    assert check_token(key, later, clock.now) is None
    assert check_token(key, other, clock.now) is None
    assert check_token(signing_key(b"master-2"), token, clock.now) is None
    assert check_token(key, token, clock.now) is not None
    # The link key is not the master key itself.
    assert signing_key(master[0]) != master[0]


def test_expired_files_are_swept_on_a_later_publish(tmp_path: Path) -> None:
    clock, master = Clock(3_000_000.0), [b"m"]
    publisher = _publisher(tmp_path, clock, master)
    asyncio.run(publisher.publish(b"old", "image/png"))
    clock.now += 3600
    asyncio.run(publisher.publish(b"new", "image/png"))
    stored = sorted(path.read_bytes() for path in (tmp_path / "inputs").iterdir())
    assert stored == [b"new"]
