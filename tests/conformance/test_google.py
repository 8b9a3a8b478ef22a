"""The google adapter puts the same Veo requests on the wire as Google's own SDK.

- **Vertex AI**: compared live with the installed google-genai (3.6.x),
  ``genai.Client(vertexai=True, project, location, credentials)`` whose HTTP goes to an
  ``httpx.MockTransport`` (``HttpOptions(httpx_client=...)``); nothing is sent.
- **Gemini API**: google-genai 3.x no longer builds Gemini API video requests (asserted
  below), so the adapter is compared with requests recorded from python-genai v2.19.0,
  the last release that does (``fixtures/google/gemini_api_python_genai_2_19_0.json``,
  re-recorded with ``fixtures/google/record_gemini_api.py``).

For each case the adapter runs against the strict emulator, whose record of the call is
compared with the SDK's: method, path, query, auth scheme and JSON body, then the first
status poll (``GET /v1beta/{operation}`` or ``POST …:fetchPredictOperation``). Requests
python-genai refuses for an API, the adapter must refuse too (a 400, no call).
"""

from __future__ import annotations

import json
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from google import genai
from google.genai import types
from google.oauth2.credentials import Credentials

from tarash_gateway.adapters.errors import ValidationError
from tarash_gateway.adapters.models import (
    ImageGenerationConfig,
    ImageGenerationRequest,
    VideoGenerationConfig,
    VideoGenerationRequest,
)
from tarash_gateway.adapters.providers import google_vertex
from tarash_gateway.adapters.providers.google import GoogleProvider
from tests.conformance.capture import SdkRecorder, WireRequest, from_call, from_httpx
from tests.conformance.google_cases import (
    GEMINI_AUDIO_ON,
    MODELS,
    Case,
    cases,
    defaults,
)
from tests.emulators.google import GoogleEmulator

PROJECT = "conformance-project"
LOCATION = "us-central1"
TOKEN = "ya29.conformance"
API_KEY = "conformance-key"
KEY_HEADERS = ("x-goog-api-key",)
FIXTURE = Path(__file__).parent / "fixtures" / "google" / "gemini_api_python_genai_2_19_0.json"
VERTEX_HOST = f"https://{LOCATION}-aiplatform.googleapis.com"

KNOWN_DIFFERENCES: dict[str, str] = {
    "vertex api version": (
        "google-genai defaults Vertex AI to /v1beta1; the adapter calls the GA /v1 that "
        "Google's Veo reference documents, so the SDK is pinned to api_version='v1' here"
    ),
    GEMINI_AUDIO_ON: (
        "generate_audio: true on the Gemini API: python-genai cannot express it (Vertex-only "
        "parameter); Veo 3 there always makes sound, so the adapter sends the request "
        "without it, compared with the SDK's request without it"
    ),
}
"""Every place the comparison is not one-to-one, named (asserted complete below)."""


@pytest.fixture(scope="module")
def server() -> Iterator[GoogleEmulator]:
    emulator = GoogleEmulator(api_key=API_KEY, project=PROJECT)
    emulator.start()
    try:
        yield emulator
    finally:
        emulator.stop()


@pytest.fixture
def emulator(server: GoogleEmulator, monkeypatch: pytest.MonkeyPatch) -> GoogleEmulator:
    server.reset()
    server.tokens[TOKEN] = 4e9
    google_vertex.clear_token_cache()
    for name in ("GEMINI_API_KEY", "GOOGLE_API_KEY", "GOOGLE_CLOUD_PROJECT"):
        monkeypatch.delenv(name, raising=False)
    return server


def _config(emulator: GoogleEmulator, case: Case) -> VideoGenerationConfig:
    if case.api == "gemini":
        return VideoGenerationConfig(
            provider="google",
            model=case.model,
            api_key=API_KEY,
            base_url=emulator.base_url,
            provider_config=case.provider_config,
        )
    return VideoGenerationConfig(
        provider="google",
        model=case.model,
        base_url=emulator.base_url,
        provider_config={
            "project": PROJECT,
            "location": LOCATION,
            "access_token": TOKEN,
            **case.provider_config,
        },
    )


async def _adapter_wire(emulator: GoogleEmulator, case: Case) -> tuple[WireRequest, WireRequest]:
    """The adapter's submit and first poll, as the emulator received them."""
    provider = GoogleProvider()
    config = _config(emulator, case)
    job = await provider.submit_video(config, VideoGenerationRequest(**case.unified))
    await provider.poll_video(config, job.request_id)
    submit, status = emulator.calls_of("submit"), emulator.calls_of("status")
    assert len(submit) == 1, [c.path for c in emulator.calls]
    assert len(status) == 1, [c.path for c in emulator.calls]
    return from_call(submit[0], KEY_HEADERS), from_call(status[0], KEY_HEADERS)


def _vertex_sdk_wire(case: Case, operation: str) -> tuple[WireRequest, WireRequest]:
    """The installed SDK's submit and first poll for ``case``, answered with the
    emulator's operation name so both polls name the same operation."""

    def respond(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json={"name": operation})

    recorder = SdkRecorder(respond)
    client = genai.Client(
        vertexai=True,
        project=PROJECT,
        location=LOCATION,
        credentials=Credentials(token=TOKEN),  # type: ignore[no-untyped-call]
        http_options=types.HttpOptions(
            base_url=VERTEX_HOST, api_version="v1", httpx_client=recorder.client()
        ),
    )
    submitted = client.models.generate_videos(
        model=case.model,
        source=types.GenerateVideosSource.model_validate(case.source),
        config=types.GenerateVideosConfig.model_validate(case.config),
    )
    client.operations.get(submitted)
    assert len(recorder.requests) == 2
    return from_httpx(recorder.requests[0], KEY_HEADERS), from_httpx(
        recorder.requests[1], KEY_HEADERS
    )


def _vertex_cases() -> list[Case]:
    return [case for case in cases("vertex") if not case.refused]


@pytest.mark.parametrize("case", _vertex_cases(), ids=lambda case: case.name)
async def test_vertex_requests_match_google_genai(emulator: GoogleEmulator, case: Case) -> None:
    ours_submit, ours_poll = await _adapter_wire(emulator, case)
    operation = ours_poll.body["operationName"]
    sdk_submit, sdk_poll = _vertex_sdk_wire(case, operation)
    assert ours_submit == sdk_submit
    assert ours_poll == sdk_poll
    assert ours_submit.auth_scheme == "Bearer"
    assert ours_submit.path.endswith(f"/publishers/google/models/{case.model}:predictLongRunning")
    assert ours_poll.path.endswith(f"/models/{case.model}:fetchPredictOperation")


def test_every_vertex_family_and_duration_is_covered() -> None:
    names = {case.name for case in _vertex_cases()}
    for model in MODELS["vertex"]:
        for kind in ("text_only", "first_frame", "seed", "portrait", "two_videos"):
            assert f"{kind}[{model}]" in names
        seconds = (5, 6, 7, 8) if model.startswith("veo-2") else (4, 6, 8)
        assert {f"duration_{s}s[{model}]" for s in seconds} <= names
        if model.startswith("veo-3"):
            assert {f"audio_on[{model}]", f"audio_off[{model}]"} <= names
        if not model.startswith("veo-3.0"):
            assert f"first_and_last_frame[{model}]" in names


# -- Gemini API --------------------------------------------------------------------------


def _recorded() -> dict[str, Any]:
    document: dict[str, Any] = json.loads(FIXTURE.read_text())
    return document


def _recorded_cases() -> dict[str, dict[str, Any]]:
    return {entry["name"]: entry for entry in _recorded()["cases"]}


def _from_fixture(entry: dict[str, Any]) -> WireRequest:
    return WireRequest(
        method=entry["method"],
        path=entry["path"],
        query=entry["query"],
        auth_scheme=entry["auth_scheme"],
        body=entry["body"],
    )


def _named_operation(wire: WireRequest, operation_id: str, placeholder: str) -> WireRequest:
    return WireRequest(
        method=wire.method,
        path=wire.path.replace(f"/operations/{operation_id}", f"/operations/{placeholder}"),
        query=wire.query,
        auth_scheme=wire.auth_scheme,
        body=wire.body,
    )


def test_installed_sdk_no_longer_builds_gemini_api_video_requests() -> None:
    """Why the Gemini API half compares with recorded requests."""
    recorder = SdkRecorder(lambda request: httpx.Response(500))
    client = genai.Client(
        api_key=API_KEY, http_options=types.HttpOptions(httpx_client=recorder.client())
    )
    with pytest.raises(ValueError, match="only supported in Gemini Enterprise Agent Platform"):
        client.models.generate_videos(
            model="veo-3.1-generate-preview", source=types.GenerateVideosSource(prompt="x")
        )
    assert recorder.requests == []


def test_the_fixture_covers_every_gemini_case_and_says_where_it_came_from() -> None:
    document = _recorded()
    assert document["sdk_version"] == "2.19.0"
    assert "66807187" in document["source"]
    assert set(_recorded_cases()) == {case.name for case in cases("gemini")}


@pytest.mark.parametrize(
    "case", [c for c in cases("gemini") if not c.refused], ids=lambda case: case.name
)
async def test_gemini_api_requests_match_python_genai(emulator: GoogleEmulator, case: Case) -> None:
    entry = _recorded_cases()[case.name]
    placeholder = _recorded()["operation_id"]
    ours_submit, ours_poll = await _adapter_wire(emulator, case)
    operation_id = ours_poll.path.rsplit("/operations/", 1)[1]
    assert ours_submit == _from_fixture(entry["submit"])
    assert _named_operation(ours_poll, operation_id, placeholder) == _from_fixture(entry["poll"])
    assert ours_submit.auth_scheme == "header:x-goog-api-key"
    assert ours_submit.path == f"/v1beta/models/{case.model}:predictLongRunning"


@pytest.mark.parametrize(
    "case", [c for c in cases("gemini") if c.refused], ids=lambda case: case.name
)
async def test_what_python_genai_refuses_on_the_gemini_api_the_adapter_refuses(
    emulator: GoogleEmulator, case: Case
) -> None:
    assert (
        "only supported in Gemini Enterprise Agent Platform"
        in (_recorded_cases()[case.name]["refused"])
    )
    with pytest.raises(ValidationError) as info:
        await GoogleProvider().submit_video(
            _config(emulator, case), VideoGenerationRequest(**case.unified)
        )
    assert "Vertex AI" in str(info.value)
    assert emulator.calls == []


@pytest.mark.parametrize("model", [m for m in MODELS["gemini"] if m.startswith("veo-3")])
async def test_gemini_audio_on_is_the_request_without_it(
    emulator: GoogleEmulator, model: str
) -> None:
    """The named exception: python-genai cannot say ``generate_audio: true`` here."""
    without = _recorded_cases()[f"text_only[{model}]"]["submit"]
    case = Case(
        name=GEMINI_AUDIO_ON,
        api="gemini",
        model=model,
        unified={"prompt": "a red fox in fresh snow", "generate_audio": True},
        source={},
        config=defaults("gemini", model),
    )
    ours_submit, _ = await _adapter_wire(emulator, case)
    assert ours_submit == _from_fixture(without)


def test_the_exception_list_is_complete() -> None:
    assert set(KNOWN_DIFFERENCES) == {"vertex api version", GEMINI_AUDIO_ON}


# -- Imagen on Vertex AI -------------------------------------------------------------------

IMAGEN_CASES = [
    pytest.param({"prompt": "a red kite"}, {"number_of_images": 1}, id="text_only"),
    pytest.param(
        {
            "prompt": "a red kite",
            "n": 2,
            "aspect_ratio": "4:3",
            "negative_prompt": "text",
            "seed": 3,
        },
        {
            "number_of_images": 2,
            "aspect_ratio": "4:3",
            "negative_prompt": "text",
            "seed": 3,
            "add_watermark": False,  # Vertex refuses a seed with the watermark on
        },
        id="seed_and_negative_prompt",
    ),
    pytest.param(
        {"prompt": "a red kite", "size": "1792x1008"},
        {"number_of_images": 1, "aspect_ratio": "16:9"},
        id="size_as_aspect_ratio",
    ),
]


@pytest.mark.parametrize(("unified", "config"), IMAGEN_CASES)
async def test_imagen_vertex_requests_match_google_genai(
    emulator: GoogleEmulator, unified: dict[str, Any], config: dict[str, Any]
) -> None:
    model = "imagen-4.0-generate-001"
    settings = ImageGenerationConfig(
        provider="google",
        model=model,
        base_url=emulator.base_url,
        provider_config={"project": PROJECT, "location": LOCATION, "access_token": TOKEN},
    )
    await GoogleProvider().generate_image(settings, ImageGenerationRequest(**unified))
    ours = from_call(emulator.calls_of("image")[0], KEY_HEADERS)

    answer = {"predictions": [{"bytesBase64Encoded": "AAAA", "mimeType": "image/png"}]}
    recorder = SdkRecorder(lambda request: httpx.Response(200, json=answer))
    client = genai.Client(
        vertexai=True,
        project=PROJECT,
        location=LOCATION,
        credentials=Credentials(token=TOKEN),  # type: ignore[no-untyped-call]
        http_options=types.HttpOptions(
            base_url=VERTEX_HOST, api_version="v1", httpx_client=recorder.client()
        ),
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # generate_images is deprecated in favour of Gemini
        client.models.generate_images(
            model=model,
            prompt=unified["prompt"],
            config=types.GenerateImagesConfig.model_validate(config),
        )
    assert ours == from_httpx(recorder.requests[0], KEY_HEADERS)
