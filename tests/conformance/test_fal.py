"""The fal adapter makes the same HTTP requests as fal's official client (fal-client 1.0.3).

For each case, the expected input is written out by hand from the endpoint's published
schema (the sources are in :mod:`tests.emulators.fal_schemas`), not taken from our
tables. fal-client submits that input through a mock transport (nothing is sent); our
adapter maps the unified request and submits it to the strict fal emulator. Both
become a :class:`~tests.conformance.capture.WireRequest` and must be equal: method, path
(the endpoint id for submit, ``/{owner}/{app}/requests/{id}/status`` and friends with the
endpoint path left out for the rest), query (``logs=false`` on status), the ``Key`` auth
scheme and the JSON body. The emulator must also accept the body (its schema check is
the second, independent reading).

Defaults: the gateway now sends each family's documented default explicitly (fal would
apply the same value when the field is missing), so the hand-written inputs carry them.

What fal-client cannot express: nothing. ``submit(application, arguments)`` posts the
arguments as the JSON body verbatim, so every field the adapter sends is expressible;
:data:`SDK_CANNOT_EXPRESS` stays empty and is asserted so.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from typing import Any

import fal_client.client as fal_sdk
import httpx
import pytest

from tarash_gateway.adapters.models import ImageInput, VideoGenerationConfig, VideoGenerationRequest
from tarash_gateway.adapters.providers.fal import FalProvider
from tests.conformance.capture import WireRequest, from_call, from_httpx
from tests.emulators.fal import FalEmulator
from tests.emulators.fal_schemas import SCHEMAS, validate

KEY = "conformance-key"
FIRST = "https://example.com/first.png"
LAST = "https://example.com/last.png"
SDK_CANNOT_EXPRESS: frozenset[str] = frozenset()
"""Body fields our adapter sends that fal-client has no way to send (none: the SDK's
``arguments`` is the body)."""


@dataclass(frozen=True)
class Case:
    """One unified request, and the input fal documents for it."""

    name: str
    endpoint: str
    unified: dict[str, Any]
    fal_input: dict[str, Any]


def frames(*roles: str) -> list[ImageInput]:
    urls = {"first_frame": FIRST, "last_frame": LAST, "reference": FIRST}
    return [ImageInput.model_validate({"image": urls[role], "role": role}) for role in roles]


CASES = [
    # Veo 3.1: "8s"-style durations, 720p/16:9 defaults
    Case(
        "veo31-text-only",
        "fal-ai/veo3.1/fast",
        {},
        {"prompt": "p", "duration": "8s", "resolution": "720p", "aspect_ratio": "16:9"},
    ),
    Case(
        "veo31-seed-audio-4s",
        "fal-ai/veo3.1",
        {"duration_seconds": 4, "seed": 42, "generate_audio": False},
        {
            "prompt": "p",
            "duration": "4s",
            "resolution": "720p",
            "aspect_ratio": "16:9",
            "generate_audio": False,
            "seed": 42,
        },
    ),
    Case(
        "veo31-first-frame",
        "fal-ai/veo3.1/fast/image-to-video",
        {"duration_seconds": 6, "image_list": frames("first_frame")},
        {"prompt": "p", "duration": "6s", "resolution": "720p", "image_url": FIRST},
    ),
    Case(
        "veo31-first-and-last-frame",
        "fal-ai/veo3.1/first-last-frame-to-video",
        {"image_list": frames("first_frame", "last_frame")},
        {
            "prompt": "p",
            "duration": "8s",
            "resolution": "720p",
            "first_frame_url": FIRST,
            "last_frame_url": LAST,
        },
    ),
    # Veo 3.1 Lite: its own endpoints, 1080p at most
    Case(
        "veo31-lite-text-1080p",
        "fal-ai/veo3.1/lite",
        {"resolution": "1080p", "aspect_ratio": "9:16"},
        {"prompt": "p", "duration": "8s", "resolution": "1080p", "aspect_ratio": "9:16"},
    ),
    Case(
        "veo31-lite-first-frame",
        "fal-ai/veo3.1/lite/image-to-video",
        {"duration_seconds": 4, "image_list": frames("first_frame")},
        {"prompt": "p", "duration": "4s", "resolution": "720p", "image_url": FIRST},
    ),
    Case(
        "veo31-lite-last-frame",
        "fal-ai/veo3.1/lite/first-last-frame-to-video",
        {"image_list": frames("first_frame", "last_frame")},
        {
            "prompt": "p",
            "duration": "8s",
            "resolution": "720p",
            "first_frame_url": FIRST,
            "last_frame_url": LAST,
        },
    ),
    # Kling: plain-string durations "5"/"10"
    Case(
        "kling25-turbo-text-only",
        "fal-ai/kling-video/v2.5-turbo/pro/text-to-video",
        {},
        {"prompt": "p", "duration": "5", "aspect_ratio": "16:9"},
    ),
    Case(
        "kling25-turbo-first-and-last-frame",
        "fal-ai/kling-video/v2.5-turbo/pro/image-to-video",
        {"duration_seconds": 10, "image_list": frames("first_frame", "last_frame")},
        {"prompt": "p", "duration": "10", "image_url": FIRST, "tail_image_url": LAST},
    ),
    Case(
        "kling26-audio",
        "fal-ai/kling-video/v2.6/pro/text-to-video",
        {"generate_audio": True, "negative_prompt": "fog"},
        {
            "prompt": "p",
            "duration": "5",
            "aspect_ratio": "16:9",
            "generate_audio": True,
            "negative_prompt": "fog",
        },
    ),
    # Seedance 1.5: "4".."12", audio, frames
    Case(
        "seedance15-text-audio-seed",
        "fal-ai/bytedance/seedance/v1.5/pro/text-to-video",
        {"duration_seconds": 12, "generate_audio": True, "seed": 3},
        {
            "prompt": "p",
            "duration": "12",
            "resolution": "720p",
            "aspect_ratio": "16:9",
            "generate_audio": True,
            "seed": 3,
        },
    ),
    Case(
        "seedance15-first-and-last-frame",
        "fal-ai/bytedance/seedance/v1.5/pro/image-to-video",
        {"duration_seconds": 4, "image_list": frames("first_frame", "last_frame")},
        {
            "prompt": "p",
            "duration": "4",
            "resolution": "720p",
            "aspect_ratio": "16:9",
            "image_url": FIRST,
            "end_image_url": LAST,
        },
    ),
    # PixVerse 5.6: "5"/"8"/"10", audio via generate_audio_switch
    Case(
        "pixverse56-text-audio",
        "fal-ai/pixverse/v5.6/text-to-video",
        {"duration_seconds": 8, "generate_audio": True},
        {
            "prompt": "p",
            "duration": "8",
            "resolution": "720p",
            "aspect_ratio": "16:9",
            "generate_audio_switch": True,
        },
    ),
    Case(
        "pixverse56-first-frame",
        "fal-ai/pixverse/v5.6/image-to-video",
        {"image_list": frames("first_frame"), "seed": 9},
        {"prompt": "p", "duration": "5", "resolution": "720p", "seed": 9, "image_url": FIRST},
    ),
    # LTX-2: integer durations, 1080p and up
    Case(
        "ltx2-text-int-duration",
        "fal-ai/ltx-2/text-to-video",
        {"duration_seconds": 10},
        {"prompt": "p", "duration": 10, "resolution": "1080p", "aspect_ratio": "16:9"},
    ),
    Case(
        "ltx2-first-frame-4k",
        "fal-ai/ltx-2/image-to-video",
        {"resolution": "4k", "generate_audio": False, "image_list": frames("first_frame")},
        {
            "prompt": "p",
            "duration": 6,
            "resolution": "2160p",
            "generate_audio": False,
            "image_url": FIRST,
        },
    ),
    # Luma Ray 2: "5s"/"9s", 540p for the unified 480p
    Case(
        "luma-ray2-text-9s",
        "fal-ai/luma-dream-machine/ray-2",
        {"duration_seconds": 9},
        {"prompt": "p", "duration": "9s", "resolution": "540p", "aspect_ratio": "16:9"},
    ),
    Case(
        "luma-ray2-last-frame-only",
        "fal-ai/luma-dream-machine/ray-2-flash/image-to-video",
        {"image_list": frames("last_frame")},
        {
            "prompt": "p",
            "duration": "5s",
            "resolution": "540p",
            "aspect_ratio": "16:9",
            "end_image_url": LAST,
        },
    ),
    # Sora 2: integer durations; the adapter keeps the video for later remixes
    Case(
        "sora2-int-duration",
        "fal-ai/sora-2/text-to-video",
        {"duration_seconds": 12},
        {
            "prompt": "p",
            "duration": 12,
            "resolution": "720p",
            "aspect_ratio": "16:9",
            "delete_video": False,
        },
    ),
    # Hailuo: "6"/"10", no resolution field on the text endpoint
    Case(
        "hailuo02-text",
        "fal-ai/minimax/hailuo-02/standard/text-to-video",
        {"duration_seconds": 10},
        {"prompt": "p", "duration": "10"},
    ),
    # Wan 2.2 counts frames
    Case(
        "wan22-frames",
        "fal-ai/wan/v2.2-a14b/text-to-video",
        {"duration_seconds": 5, "seed": 1},
        {"prompt": "p", "num_frames": 81, "resolution": "720p", "aspect_ratio": "16:9", "seed": 1},
    ),
    # Happy Horse: integer duration, not under fal-ai/
    Case(
        "happy-horse-int",
        "alibaba/happy-horse/text-to-video",
        {"duration_seconds": 7},
        {"prompt": "p", "duration": 7, "resolution": "1080p", "aspect_ratio": "16:9"},
    ),
]


# -- the official client, recorded ---------------------------------------------------------


@dataclass
class SdkQueue:
    """fal-client against a mock transport: the requests it makes, and canned answers."""

    requests: list[httpx.Request] = field(default_factory=list)

    def handle(self, request: httpx.Request) -> httpx.Response:
        request.read()
        self.requests.append(request)
        path = request.url.path
        if request.method == "POST":
            base = "https://queue.fal.run/fal-ai/app/requests/sdk-id"
            return httpx.Response(
                200,
                json={
                    "request_id": "sdk-id",
                    "response_url": base,
                    "status_url": base + "/status",
                    "cancel_url": base + "/cancel",
                },
            )
        if path.endswith("/status"):
            return httpx.Response(200, json={"status": "COMPLETED", "logs": None, "metrics": {}})
        if path.endswith("/cancel"):
            return httpx.Response(202, json={"status": "CANCELLATION_REQUESTED"})
        return httpx.Response(200, json={"video": {"url": "https://example.com/v.mp4"}})

    def wire(self, method: str, suffix: str = "") -> WireRequest:
        """The last request with this method whose path ends with ``suffix``."""
        found = [r for r in self.requests if r.method == method and r.url.path.endswith(suffix)]
        return with_id(from_httpx(found[-1]), "sdk-id")


@pytest.fixture
def sdk(monkeypatch: pytest.MonkeyPatch) -> tuple[fal_sdk.SyncClient, SdkQueue]:
    queue = SdkQueue()
    real_transport = fal_sdk.BackupDomainTransport
    monkeypatch.setattr(
        fal_sdk,
        "BackupDomainTransport",
        lambda: real_transport(transport=httpx.MockTransport(queue.handle)),
    )
    return fal_sdk.SyncClient(key=KEY), queue


@pytest.fixture(scope="module")
def emulator() -> Iterator[FalEmulator]:
    with FalEmulator(job_seconds=0.0, api_key=KEY) as server:
        yield server


def with_id(wire: WireRequest, request_id: str) -> WireRequest:
    """The request with its queue id replaced by ``{id}``, so both sides compare."""
    return replace(wire, path=wire.path.replace(f"/requests/{request_id}", "/requests/{id}"))


def config(emulator: FalEmulator, model: str) -> VideoGenerationConfig:
    return VideoGenerationConfig(
        provider="fal",
        model=model,
        api_key=KEY,
        base_url=emulator.base_url,
        poll_interval=0.01,
        request_timeout=5.0,
    )


# -- the tests -----------------------------------------------------------------------------


def test_the_cases_cover_every_duration_encoding_and_input_kind() -> None:
    durations = {type(case.fal_input.get("duration")).__name__ for case in CASES}
    suffixed = any(str(case.fal_input.get("duration", "")).endswith("s") for case in CASES)
    assert {"str", "int"} <= durations
    assert suffixed
    assert any("num_frames" in case.fal_input for case in CASES)
    kinds = {key for case in CASES for key in case.unified}
    assert {"seed", "generate_audio", "image_list", "duration_seconds"} <= kinds
    roles = {image.role for case in CASES for image in case.unified.get("image_list", [])}
    assert {"first_frame", "last_frame"} <= roles
    assert any(not case.unified for case in CASES)  # text only, every default


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
async def test_submit_is_the_request_fal_client_makes(
    case: Case, emulator: FalEmulator, sdk: tuple[fal_sdk.SyncClient, SdkQueue]
) -> None:
    client, queue = sdk
    assert validate(SCHEMAS[case.endpoint], case.fal_input) == []  # the case itself is sound
    await asyncio.to_thread(client.submit, case.endpoint, case.fal_input)
    expected = queue.wire("POST")

    emulator.calls.clear()
    request = VideoGenerationRequest(prompt="p", **case.unified)
    job = await FalProvider().submit_video(config(emulator, case.endpoint), request)
    (call,) = emulator.calls_of("submit")
    ours = from_call(call)

    assert ours == expected
    assert set(ours.body) - set(expected.body) == SDK_CANNOT_EXPRESS
    # and the strict emulator took it: the job finishes instead of failing with a 422
    progress = await FalProvider().poll_video(config(emulator, case.endpoint), job.request_id)
    assert progress.status == "completed", progress.error


@pytest.mark.parametrize(
    ("endpoint", "app"),
    [
        ("fal-ai/veo3.1/fast/image-to-video", "fal-ai/veo3.1"),
        ("fal-ai/ltx-2/text-to-video", "fal-ai/ltx-2"),
        ("bytedance/seedance-2.0/text-to-video", "bytedance/seedance-2.0"),
        ("alibaba/happy-horse/text-to-video", "alibaba/happy-horse"),
    ],
)
async def test_status_result_and_cancel_are_the_requests_fal_client_makes(
    endpoint: str, app: str, emulator: FalEmulator, sdk: tuple[fal_sdk.SyncClient, SdkQueue]
) -> None:
    client, queue = sdk
    await asyncio.to_thread(client.status, endpoint, "sdk-id")
    await asyncio.to_thread(client.result, endpoint, "sdk-id")
    await asyncio.to_thread(client.cancel, endpoint, "sdk-id")
    sdk_status = queue.wire("GET", "/status")
    sdk_result = queue.wire("GET", "/sdk-id")
    sdk_cancel = queue.wire("PUT", "/cancel")
    assert sdk_status.path == f"/{app}/requests/{{id}}/status"
    assert sdk_status.query == {"logs": "false"}

    provider, settings = FalProvider(), config(emulator, endpoint)
    body = {"prompt": "p", "image_list": frames("first_frame")} if "image" in endpoint else {}
    emulator.calls.clear()
    job = await provider.submit_video(settings, VideoGenerationRequest(**{"prompt": "p", **body}))
    fal_id = job.request_id.split("::")[1]
    await provider.poll_video(settings, job.request_id)  # status, then the result
    await provider.fetch_video(settings, job.request_id)
    await provider.cancel_video(settings, job.request_id)  # ALREADY_COMPLETED counts as done

    ours_status = with_id(from_call(emulator.calls_of("status")[-1]), fal_id)
    ours_result = with_id(from_call(emulator.calls_of("result")[-1]), fal_id)
    ours_cancel = with_id(from_call(emulator.calls_of("cancel")[-1]), fal_id)
    assert ours_status == sdk_status
    assert ours_result == sdk_result
    assert ours_cancel == sdk_cancel
