"""The google provider (Veo, Imagen) against the Gemini API / Vertex AI emulator."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from tarash_gateway.adapters.errors import (
    ContentModerationError,
    GenerationFailedError,
    HTTPError,
    ProviderAuthenticationError,
    ProviderConnectionError,
    RateLimitError,
    ValidationError,
)
from tarash_gateway.adapters.field_mappers import build_payload, lookup_mapping
from tarash_gateway.adapters.media import SAMPLE_THUMBNAIL, SAMPLE_VIDEO
from tarash_gateway.adapters.models import (
    ImageGenerationConfig,
    ImageGenerationRequest,
    ImageInput,
    VideoGenerationConfig,
    VideoGenerationRequest,
)
from tarash_gateway.adapters.polling import follow_job, run_video_job
from tarash_gateway.adapters.providers import google_vertex
from tarash_gateway.adapters.providers.google import (
    GoogleProvider,
    build_imagen_body,
    build_veo_body,
)
from tarash_gateway.adapters.providers.google_models import (
    VEO_2_0,
    VEO_3_0,
    VEO_3_1,
    VEO_3_1_LITE,
    VEO_GENERIC,
)
from tests.emulators.base import Fault
from tests.emulators.google import GoogleEmulator

PROJECT = "test-project"
JPEG = "data:image/jpeg;base64," + base64.b64encode(SAMPLE_THUMBNAIL.read_bytes()).decode()
SA_EMAIL = "veo-runner@test-project.iam.gserviceaccount.com"


def _private_key() -> tuple[str, str]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    private = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
    public = (
        key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )
    return private, public


@pytest.fixture(scope="module")
def keys() -> dict[str, tuple[str, str]]:
    return {"good": _private_key(), "other": _private_key()}


@pytest.fixture(scope="module")
def server(keys: dict[str, tuple[str, str]]) -> Iterator[GoogleEmulator]:
    emulator = GoogleEmulator(job_seconds=0.2, project=PROJECT)
    emulator.register_service_account(SA_EMAIL, keys["good"][1])
    emulator.start()
    try:
        yield emulator
    finally:
        emulator.stop()


@pytest.fixture
def emulator(server: GoogleEmulator, monkeypatch: pytest.MonkeyPatch) -> GoogleEmulator:
    server.reset()
    google_vertex.clear_token_cache()
    for name in ("GEMINI_API_KEY", "GOOGLE_API_KEY", "GOOGLE_APPLICATION_CREDENTIALS"):
        monkeypatch.delenv(name, raising=False)
    for name in ("GOOGLE_CLOUD_PROJECT", "GOOGLE_CLOUD_LOCATION"):
        monkeypatch.delenv(name, raising=False)
    return server


def sa_info(emulator: GoogleEmulator, private_key: str) -> dict[str, Any]:
    return {
        "type": "service_account",
        "project_id": PROJECT,
        "private_key_id": "k1",
        "private_key": private_key,
        "client_email": SA_EMAIL,
        "client_id": "1234567890",
        "token_uri": f"{emulator.base_url}/token",
    }


def gemini(emulator: GoogleEmulator, model: str = "veo-3.1-generate-preview", **kw: Any) -> Any:
    settings: dict[str, Any] = {
        "provider": "google",
        "model": model,
        "api_key": "test-key",
        "base_url": emulator.base_url,
        "poll_interval": 0.05,
        "request_timeout": 2.0,
    }
    settings.update(kw)
    return VideoGenerationConfig(**settings)


def vertex(
    emulator: GoogleEmulator,
    keys: dict[str, tuple[str, str]],
    model: str = "veo-3.1-generate-001",
    key: str = "good",
    **provider_config: Any,
) -> VideoGenerationConfig:
    return VideoGenerationConfig(
        provider="google",
        model=model,
        base_url=emulator.base_url,
        poll_interval=0.05,
        request_timeout=2.0,
        provider_config={
            "project": PROJECT,
            "location": "us-central1",
            "credentials": sa_info(emulator, keys[key][0]),
            **provider_config,
        },
    )


def _decode_data_url(url: str) -> bytes:
    header, _, payload = url.partition(",")
    assert header.endswith(";base64")
    return base64.b64decode(payload)


# -- 1. the full cycle -------------------------------------------------------------------


async def test_gemini_full_cycle(emulator: GoogleEmulator) -> None:
    provider = GoogleProvider()
    config = gemini(emulator)
    request = VideoGenerationRequest(
        prompt="a lighthouse at dusk",
        duration_seconds=8,
        resolution="1080p",
        aspect_ratio="9:16",
        negative_prompt="fog",
        image_list=[
            ImageInput(image=JPEG, role="first_frame"),
            ImageInput(image=JPEG, role="last_frame"),
        ],
        extra_params={"personGeneration": "allow_adult"},
    )  # no seed: the Gemini API has none (test_gemini_api_refuses_vertex_only_fields)
    result = await run_video_job(provider, config, request)

    assert result.request_id.startswith("gemini;8,1080p,9:16;models/veo-3.1-generate-preview/")
    assert isinstance(result.video, str)
    assert result.video.startswith(f"{emulator.base_url}/v1beta/files/")
    assert (result.duration, result.resolution, result.aspect_ratio) == (8.0, "1080p", "9:16")
    assert result.content_type == "video/mp4"
    assert result.provider_metadata["api"] == "gemini"
    assert "test-key" not in json.dumps(result.provider_metadata)
    assert "test-key" not in json.dumps(result.raw_response)

    headers = provider.download_headers(config, result.video)
    assert headers == {"x-goog-api-key": "test-key"}
    async with httpx.AsyncClient(follow_redirects=True) as client:
        download = await client.get(result.video, headers=headers)
        unauthenticated = await client.get(result.video)
    assert download.content == SAMPLE_VIDEO.read_bytes()
    assert unauthenticated.status_code == 400
    assert provider.download_headers(config, "https://elsewhere.example/v.mp4") == {}

    submit = emulator.calls_of("submit")[0]
    assert submit.method == "POST"
    assert submit.path == "/v1beta/models/veo-3.1-generate-preview:predictLongRunning"
    assert submit.headers["x-goog-api-key"] == "test-key"
    image = {"bytesBase64Encoded": JPEG.partition(",")[2], "mimeType": "image/jpeg"}
    assert submit.body == {
        "instances": [{"prompt": "a lighthouse at dusk", "image": image, "lastFrame": image}],
        "parameters": {
            "negativePrompt": "fog",
            "aspectRatio": "9:16",
            "durationSeconds": 8,
            "sampleCount": 1,
            "resolution": "1080p",
            "personGeneration": "allow_adult",
        },
    }
    status = emulator.calls_of("status")[0]
    assert status.method == "GET"
    assert status.path.startswith("/v1beta/models/veo-3.1-generate-preview/operations/")


async def test_vertex_full_cycle_with_service_account(
    emulator: GoogleEmulator, keys: dict[str, tuple[str, str]]
) -> None:
    config = vertex(emulator, keys)
    request = VideoGenerationRequest(prompt="waves", duration_seconds=6, aspect_ratio="16:9")
    result = await run_video_job(GoogleProvider(), config, request)

    assert isinstance(result.video, str)
    assert _decode_data_url(result.video) == SAMPLE_VIDEO.read_bytes()
    assert result.duration == 6.0
    assert result.raw_response["response"]["videos"][0]["bytesBase64Encoded"].endswith(
        "base64 characters>"
    )
    assert emulator.token_scopes == ["https://www.googleapis.com/auth/cloud-platform"]
    submit = emulator.calls_of("submit")[0]
    assert submit.path == (
        f"/v1/projects/{PROJECT}/locations/us-central1/publishers/google/models/"
        "veo-3.1-generate-001:predictLongRunning"
    )
    assert submit.headers["authorization"].startswith("Bearer ya29.emulated-")
    assert submit.body == {
        "instances": [{"prompt": "waves"}],
        "parameters": {
            "aspectRatio": "16:9",
            "durationSeconds": 6,
            "sampleCount": 1,
            "resolution": "720p",  # the family default, sent explicitly
            "generateAudio": True,
        },
    }
    status = emulator.calls_of("status")[0]
    assert status.method == "POST"
    assert status.path.endswith("/models/veo-3.1-generate-001:fetchPredictOperation")
    assert status.body["operationName"].startswith(f"projects/{PROJECT}/locations/us-central1/")


async def test_vertex_token_is_cached_until_expiry(
    emulator: GoogleEmulator, keys: dict[str, tuple[str, str]]
) -> None:
    config = vertex(emulator, keys)
    provider = GoogleProvider()
    first = await provider.submit_video(config, VideoGenerationRequest(prompt="one"))
    await provider.poll_video(config, first.request_id)
    await provider.submit_video(config, VideoGenerationRequest(prompt="two"))
    assert len(emulator.calls_of("token")) == 1
    emulator.tokens.clear()  # the server forgets it: a 401, never a silent retry
    with pytest.raises(ProviderAuthenticationError) as info:
        await provider.poll_video(config, first.request_id)
    assert info.value.status_code == 401


async def test_vertex_credentials_from_the_environment(
    emulator: GoogleEmulator,
    keys: dict[str, tuple[str, str]],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    key_file = tmp_path / "sa.json"
    key_file.write_text(json.dumps(sa_info(emulator, keys["good"][0])))
    monkeypatch.setenv("GOOGLE_APPLICATION_CREDENTIALS", str(key_file))
    config = VideoGenerationConfig(
        provider="google",
        model="veo-3.1-fast-generate-001",
        base_url=emulator.base_url,
        poll_interval=0.05,
        provider_config={"api": "vertex"},  # project comes from the key file
    )
    job = await GoogleProvider().submit_video(config, VideoGenerationRequest(prompt="x"))
    # the documented defaults were sent, so the job records them
    assert job.request_id.startswith(f"vertex;8,720p,16:9;projects/{PROJECT}/locations/")


async def test_vertex_storage_uri_results_are_cloud_storage_urls(
    emulator: GoogleEmulator, keys: dict[str, tuple[str, str]]
) -> None:
    config = vertex(emulator, keys, storage_uri="gs://bucket/veo")
    provider = GoogleProvider()
    result = await run_video_job(provider, config, VideoGenerationRequest(prompt="x"))
    assert emulator.calls_of("submit")[0].body["parameters"]["storageUri"] == "gs://bucket/veo"
    assert isinstance(result.video, str)
    assert result.video.startswith("https://storage.googleapis.com/bucket/veo/")
    assert result.provider_metadata["gcs_uris"][0].startswith("gs://bucket/veo/")
    headers = provider.download_headers(config, result.video)
    assert headers["Authorization"].startswith("Bearer ya29.emulated-")
    assert provider.download_headers(config, f"{emulator.base_url}/x.mp4") == {}


async def test_vertex_static_access_token(
    emulator: GoogleEmulator, keys: dict[str, tuple[str, str]]
) -> None:
    emulator.tokens["ya29.workload"] = 4e9
    config = vertex(emulator, keys, access_token="ya29.workload")
    await GoogleProvider().submit_video(config, VideoGenerationRequest(prompt="x"))
    assert emulator.calls_of("token") == []
    bad = vertex(emulator, keys, access_token="ya29.stale")
    with pytest.raises(ProviderAuthenticationError) as info:
        await GoogleProvider().submit_video(bad, VideoGenerationRequest(prompt="x"))
    assert "ya29.stale" not in str(info.value)
    assert "ya29.stale" not in json.dumps(info.value.raw_response)


# -- 2-5. classified transport errors ----------------------------------------------------


async def test_429_with_retry_after_at_submit(emulator: GoogleEmulator) -> None:
    emulator.fail_next(
        "submit",
        Fault(
            status=429,
            headers={"Retry-After": "7"},
            body={
                "error": {"code": 429, "message": "Quota exceeded", "status": "RESOURCE_EXHAUSTED"}
            },
        ),
    )
    with pytest.raises(RateLimitError) as info:
        await GoogleProvider().submit_video(gemini(emulator), VideoGenerationRequest(prompt="x"))
    assert info.value.retry_after == 7.0
    assert info.value.is_retryable


async def test_429_retry_delay_from_the_body(emulator: GoogleEmulator) -> None:
    body = {
        "error": {
            "code": 429,
            "message": "Resource has been exhausted",
            "status": "RESOURCE_EXHAUSTED",
            "details": [{"@type": "type.googleapis.com/google.rpc.RetryInfo", "retryDelay": "33s"}],
        }
    }
    emulator.fail_next("submit", Fault(status=429, body=body))
    with pytest.raises(RateLimitError) as info:
        await GoogleProvider().submit_video(gemini(emulator), VideoGenerationRequest(prompt="x"))
    assert info.value.retry_after == 33.0


@pytest.mark.parametrize(("status", "retryable"), [(500, True), (503, True), (400, False)])
async def test_http_errors_are_classified(
    emulator: GoogleEmulator, status: int, retryable: bool
) -> None:
    emulator.fail_next("submit", Fault(status=status, body={"error": {"code": status}}))
    with pytest.raises(HTTPError) as info:
        await GoogleProvider().submit_video(gemini(emulator), VideoGenerationRequest(prompt="x"))
    assert type(info.value) is HTTPError
    assert info.value.status_code == status
    assert info.value.is_retryable is retryable


async def test_5xx_at_the_token_endpoint_is_retryable(
    emulator: GoogleEmulator, keys: dict[str, tuple[str, str]]
) -> None:
    emulator.fail_next("token", Fault(status=503))
    with pytest.raises(HTTPError) as info:
        await GoogleProvider().submit_video(
            vertex(emulator, keys), VideoGenerationRequest(prompt="x")
        )
    assert info.value.is_retryable


async def test_hang_past_request_timeout(emulator: GoogleEmulator) -> None:
    emulator.fail_next("status", Fault(hang_seconds=1.0))
    provider = GoogleProvider()
    config = gemini(emulator, request_timeout=0.3)
    job = await provider.submit_video(config, VideoGenerationRequest(prompt="x"))
    with pytest.raises(ProviderConnectionError) as info:
        await provider.poll_video(config, job.request_id)
    assert info.value.is_retryable


async def test_malformed_json_at_submit(emulator: GoogleEmulator) -> None:
    emulator.fail_next("submit", Fault(malformed=True))
    with pytest.raises(HTTPError) as info:
        await GoogleProvider().submit_video(gemini(emulator), VideoGenerationRequest(prompt="x"))
    assert (info.value.status_code, info.value.is_retryable) == (502, True)


async def test_malformed_json_at_poll(emulator: GoogleEmulator) -> None:
    provider = GoogleProvider()
    config = gemini(emulator)
    job = await provider.submit_video(config, VideoGenerationRequest(prompt="x"))
    emulator.fail_next("status", Fault(malformed=True))
    with pytest.raises(HTTPError) as info:
        await provider.poll_video(config, job.request_id)
    assert (info.value.status_code, info.value.is_retryable) == (502, True)


# -- 6. credentials ------------------------------------------------------------------------


async def test_bad_gemini_key(emulator: GoogleEmulator) -> None:
    config = gemini(emulator, api_key="AIza-not-the-right-key")
    with pytest.raises(ProviderAuthenticationError) as info:
        await GoogleProvider().submit_video(config, VideoGenerationRequest(prompt="x"))
    assert not info.value.is_retryable
    assert "AIza-not-the-right-key" not in str(info.value)
    assert "AIza-not-the-right-key" not in json.dumps(info.value.raw_response)


async def test_bad_service_account_key(
    emulator: GoogleEmulator, keys: dict[str, tuple[str, str]]
) -> None:
    config = vertex(emulator, keys, key="other")
    with pytest.raises(ProviderAuthenticationError) as info:
        await GoogleProvider().submit_video(config, VideoGenerationRequest(prompt="x"))
    assert "invalid_grant" in str(info.value)
    private_key = keys["other"][0]
    assert private_key not in str(info.value)
    assert "PRIVATE KEY" not in json.dumps(info.value.raw_response)
    assert emulator.calls_of("submit") == []


async def test_missing_credentials(emulator: GoogleEmulator) -> None:
    with pytest.raises(ValidationError) as info:
        await GoogleProvider().submit_video(
            gemini(emulator, api_key=None), VideoGenerationRequest(prompt="x")
        )
    assert info.value.param == "api_key"
    assert "GEMINI_API_KEY" in str(info.value)
    config = VideoGenerationConfig(
        provider="google", model="veo-3.1-generate-001", provider_config={"project": PROJECT}
    )
    with pytest.raises(ValidationError) as vertex_info:
        await GoogleProvider().submit_video(config, VideoGenerationRequest(prompt="x"))
    assert vertex_info.value.param == "api_key"
    assert "GOOGLE_APPLICATION_CREDENTIALS" in str(vertex_info.value)
    assert emulator.calls == []


async def test_gemini_key_from_the_environment(
    emulator: GoogleEmulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GOOGLE_API_KEY", "test-key")
    config = gemini(emulator, api_key=None)
    await GoogleProvider().submit_video(config, VideoGenerationRequest(prompt="x"))
    assert emulator.calls_of("submit")[0].headers["x-goog-api-key"] == "test-key"


# -- 7-8. moderation and failures ----------------------------------------------------------


@pytest.mark.parametrize("api", ["gemini", "vertex"])
async def test_moderation_after_acceptance(
    emulator: GoogleEmulator, keys: dict[str, tuple[str, str]], api: str
) -> None:
    emulator.next_job_outcome = "moderation"
    config = gemini(emulator) if api == "gemini" else vertex(emulator, keys)
    with pytest.raises(ContentModerationError) as info:
        await run_video_job(GoogleProvider(), config, VideoGenerationRequest(prompt="x"))
    assert not info.value.is_retryable
    assert "Responsible AI" in str(info.value)


async def test_moderation_at_submit(emulator: GoogleEmulator) -> None:
    message = (
        "The prompt could not be submitted. This prompt contains sensitive words that "
        "violate Google's Responsible AI practices."
    )
    body = {"error": {"code": 400, "message": message, "status": "INVALID_ARGUMENT"}}
    emulator.fail_next("submit", Fault(status=400, body=body))
    with pytest.raises(ContentModerationError):
        await GoogleProvider().submit_video(gemini(emulator), VideoGenerationRequest(prompt="x"))


@pytest.mark.parametrize("api", ["gemini", "vertex"])
async def test_accepted_job_that_fails(
    emulator: GoogleEmulator, keys: dict[str, tuple[str, str]], api: str
) -> None:
    emulator.next_job_outcome = "fail"
    config = gemini(emulator) if api == "gemini" else vertex(emulator, keys)
    with pytest.raises(GenerationFailedError) as info:
        await run_video_job(GoogleProvider(), config, VideoGenerationRequest(prompt="x"))
    assert info.value.is_retryable
    assert "internal error" in str(info.value)
    assert info.value.request_id is not None


# -- 9. requests the model cannot serve ----------------------------------------------------


@pytest.mark.parametrize(
    ("model", "request_fields", "param"),
    [
        ("veo-3.1-generate-preview", {"duration_seconds": 5}, "seconds"),
        ("veo-3.1-generate-preview", {"aspect_ratio": "1:1"}, "aspect_ratio"),
        ("veo-3.1-generate-preview", {"resolution": "1080p", "duration_seconds": 4}, "seconds"),
        ("veo-3.0-generate-001", {"resolution": "4k"}, "resolution"),
        ("veo-2.0-generate-001", {"generate_audio": True}, "generate_audio"),
        ("veo-2.0-generate-001", {"duration_seconds": 4}, "seconds"),
        ("veo-3.1-generate-preview", {"generate_audio": False}, "generate_audio"),
        ("veo-3.0-fast-generate-001", {"video": "gs://b/in.mp4"}, "video"),
        (
            "veo-3.1-generate-preview",
            {"image_list": [ImageInput(image="https://example.com/a.png", role="first_frame")]},
            "image_list",
        ),
        (
            "veo-3.1-generate-preview",
            {"image_list": [ImageInput(image=JPEG, role="last_frame")]},
            "image_list",
        ),
        (
            "veo-3.1-lite-generate-preview",
            {"image_list": [ImageInput(image=JPEG, role="reference")]},
            "image_list",
        ),
        (
            "veo-3.1-generate-preview",
            {"image_list": [ImageInput(image="gs://b/a.png", role="first_frame")]},
            "image_list",
        ),
    ],
)
async def test_impossible_requests_never_reach_google(
    emulator: GoogleEmulator, model: str, request_fields: dict[str, Any], param: str
) -> None:
    request = VideoGenerationRequest(prompt="x", **request_fields)
    with pytest.raises(ValidationError) as info:
        await GoogleProvider().submit_video(gemini(emulator, model=model), request)
    assert info.value.param == param
    assert emulator.calls == []


# -- 10. field mappers --------------------------------------------------------------------


def test_longest_prefix_lookup() -> None:
    assert lookup_mapping("google", "veo-3.1-generate-preview") is VEO_3_1
    assert lookup_mapping("google", "veo-3.1-fast-generate-001") is VEO_3_1
    assert lookup_mapping("google", "veo-3.1-lite-generate-001") is VEO_3_1_LITE
    assert lookup_mapping("google", "veo-3.0-fast-generate-001") is VEO_3_0
    assert lookup_mapping("google", "veo-2.0-generate-001") is VEO_2_0
    assert lookup_mapping("google", "veo-9-experimental") is VEO_GENERIC


def test_veo_3_1_payload_with_reference_images() -> None:
    request = VideoGenerationRequest(
        prompt="a product turntable",
        number_of_videos=2,
        image_list=[ImageInput(image=JPEG, role="reference"), ImageInput(image=JPEG, role="asset")],
    )
    body = build_veo_body(request, "veo-3.1-generate-001", api="vertex")
    reference = {
        "image": {"bytesBase64Encoded": JPEG.partition(",")[2], "mimeType": "image/jpeg"},
        "referenceType": "ASSET",  # python-genai's spelling
    }
    assert body == {
        "instances": [{"prompt": "a product turntable", "referenceImages": [reference] * 2}],
        "parameters": {
            "aspectRatio": "16:9",
            "durationSeconds": 8,
            "sampleCount": 2,
            "resolution": "720p",
            "generateAudio": True,
        },
    }


def test_veo_3_1_reference_images_need_8_seconds_and_landscape() -> None:
    images = [ImageInput(image=JPEG, role="reference")]
    with pytest.raises(ValidationError) as info:
        build_veo_body(
            VideoGenerationRequest(prompt="x", image_list=images, aspect_ratio="9:16"),
            "veo-3.1-generate-preview",
            api="gemini",
        )
    assert info.value.param == "aspect_ratio"


def test_high_resolution_duration_rule_is_gemini_only() -> None:
    request = VideoGenerationRequest(prompt="x", resolution="1080p", duration_seconds=4)
    body = build_veo_body(request, "veo-3.1-generate-001", api="vertex")
    assert body["parameters"]["resolution"] == "1080p"
    with pytest.raises(ValidationError) as info:
        build_veo_body(request, "veo-3.1-generate-preview", api="gemini")
    assert info.value.param == "seconds"


def test_veo_3_0_payload_and_audio_switch() -> None:
    raw_png = base64.b64encode(b"\x89PNG\r\n\x1a\n" + b"\0" * 24).decode()
    request = VideoGenerationRequest(
        prompt="x",
        duration_seconds=4,
        generate_audio=False,
        enhance_prompt=True,
        image_list=[ImageInput(image=raw_png, role="first_frame")],
    )
    body = build_veo_body(request, "veo-3.0-generate-001", api="vertex")
    assert body["instances"][0]["image"] == {"bytesBase64Encoded": raw_png, "mimeType": "image/png"}
    assert body["parameters"] == {
        "aspectRatio": "16:9",
        "durationSeconds": 4,
        "sampleCount": 1,
        "enhancePrompt": True,
        "resolution": "720p",
        "generateAudio": False,
    }


def test_veo_2_payload_has_no_resolution_or_audio() -> None:
    request = VideoGenerationRequest(
        prompt="x",
        duration_seconds=5,
        resolution="720p",
        image_list=[
            ImageInput(image="gs://bucket/first.jpg", role="first_frame"),
            ImageInput(image="gs://bucket/last.png", role="last_frame"),
        ],
    )
    body = build_veo_body(request, "veo-2.0-generate-001", api="vertex")
    assert body["instances"][0] == {
        "prompt": "x",
        "image": {"gcsUri": "gs://bucket/first.jpg", "mimeType": "image/jpeg"},
        "lastFrame": {"gcsUri": "gs://bucket/last.png", "mimeType": "image/png"},
    }
    assert body["parameters"] == {"aspectRatio": "16:9", "durationSeconds": 5, "sampleCount": 1}


def test_generic_mapping_passes_everything() -> None:
    request = VideoGenerationRequest(
        prompt="x", duration_seconds=11, resolution="4k", aspect_ratio="21:9", generate_audio=True
    )
    flat = build_payload(VEO_GENERIC, request, provider="google", model="veo-9")
    assert flat == {
        "prompt": "x",
        "aspectRatio": "21:9",
        "durationSeconds": 11,
        "sampleCount": 1,
        "resolution": "4k",
        "generateAudio": True,
    }
    assert "generateAudio" not in build_veo_body(request, "veo-9", api="gemini")["parameters"]


# -- 11. restart and cancel ---------------------------------------------------------------


@pytest.mark.parametrize("api", ["gemini", "vertex"])
async def test_poll_and_fetch_after_a_restart(
    emulator: GoogleEmulator, keys: dict[str, tuple[str, str]], api: str
) -> None:
    config = gemini(emulator) if api == "gemini" else vertex(emulator, keys)
    request = VideoGenerationRequest(prompt="x", duration_seconds=4, resolution="720p")
    job = await GoogleProvider().submit_video(config, request)
    google_vertex.clear_token_cache()  # a new process: nothing cached
    running = await GoogleProvider().poll_video(config, job.request_id)
    assert running.status == "in_progress"
    emulator.jobs[job.request_id.rsplit("/", 1)[-1]].created -= 10
    done = await GoogleProvider().poll_video(config, job.request_id)
    assert (done.status, done.progress) == ("completed", 100)
    result = await GoogleProvider().fetch_video(config, job.request_id)
    assert (result.duration, result.resolution) == (4.0, "720p")


async def test_cancel_is_a_no_op(emulator: GoogleEmulator) -> None:
    config = gemini(emulator)
    job = await GoogleProvider().submit_video(config, VideoGenerationRequest(prompt="x"))
    calls = len(emulator.calls)
    await GoogleProvider().cancel_video(config, job.request_id)
    assert len(emulator.calls) == calls


@pytest.mark.parametrize(
    "request_id",
    ["fal-123", "gemini;;models/../../etc/operations/x", "vertex;,,;models/veo/operations/1"],
)
async def test_foreign_ids_are_refused(emulator: GoogleEmulator, request_id: str) -> None:
    with pytest.raises(ValidationError):
        await GoogleProvider().poll_video(gemini(emulator), request_id)
    assert emulator.calls == []


# -- Imagen --------------------------------------------------------------------------------


def image_config(emulator: GoogleEmulator, **kw: Any) -> ImageGenerationConfig:
    settings: dict[str, Any] = {
        "provider": "google",
        "model": "imagen-4.0-generate-001",
        "api_key": "test-key",
        "base_url": emulator.base_url,
    }
    settings.update(kw)
    return ImageGenerationConfig(**settings)


async def test_imagen_on_the_gemini_api(emulator: GoogleEmulator) -> None:
    request = ImageGenerationRequest(prompt="a red kite", n=2, size="1792x1008")
    result = await GoogleProvider().generate_image(image_config(emulator), request)
    assert len(result.images) == 2
    assert all(_decode_data_url(image) == SAMPLE_THUMBNAIL.read_bytes() for image in result.images)
    assert result.content_type == "image/jpeg"
    call = emulator.calls_of("image")[0]
    assert call.path == "/v1beta/models/imagen-4.0-generate-001:predict"
    assert call.headers["x-goog-api-key"] == "test-key"
    assert call.body == {
        "instances": [{"prompt": "a red kite"}],
        "parameters": {"sampleCount": 2, "aspectRatio": "16:9"},
    }
    assert "base64 characters" in json.dumps(result.raw_response)


async def test_imagen_on_vertex_with_seed_and_negative_prompt(
    emulator: GoogleEmulator, keys: dict[str, tuple[str, str]]
) -> None:
    config = image_config(
        emulator,
        api_key=None,
        provider_config={"project": PROJECT, "credentials": sa_info(emulator, keys["good"][0])},
    )
    request = ImageGenerationRequest(prompt="x", negative_prompt="text", seed=3, aspect_ratio="4:3")
    result = await GoogleProvider().generate_image(config, request)
    assert len(result.images) == 1
    call = emulator.calls_of("image")[0]
    assert call.path.endswith("/publishers/google/models/imagen-4.0-generate-001:predict")
    assert call.body["parameters"] == {
        "sampleCount": 1,
        "aspectRatio": "4:3",
        "negativePrompt": "text",
        "seed": 3,
        "addWatermark": False,
    }


@pytest.mark.parametrize(
    ("fields", "param"),
    [
        ({"negative_prompt": "text"}, "negative_prompt"),
        ({"seed": 1}, "seed"),
        ({"extra_params": {"addWatermark": False}}, "addWatermark"),
        ({"extra_params": {"enhancePrompt": True}}, "enhancePrompt"),
        ({"extra_params": {"storageUri": "gs://b/"}}, "storageUri"),
        ({"aspect_ratio": "21:9"}, "aspect_ratio"),
        ({"size": "1536x1024"}, "size"),
        ({"n": 5}, "n"),
        ({"image_list": [ImageInput(image=JPEG)]}, "image_list"),
    ],
)
async def test_imagen_refuses_before_calling(
    emulator: GoogleEmulator, fields: dict[str, Any], param: str
) -> None:
    with pytest.raises(ValidationError) as info:
        await GoogleProvider().generate_image(
            image_config(emulator), ImageGenerationRequest(prompt="x", **fields)
        )
    assert info.value.param == param
    assert emulator.calls == []


async def test_imagen_moderation(emulator: GoogleEmulator) -> None:
    emulator.next_job_outcome = "moderation"
    request = ImageGenerationRequest(prompt="x", extra_params={"includeRaiReason": True})
    assert build_imagen_body(request, "imagen-4.0-generate-001", api="gemini")["parameters"] == {
        "sampleCount": 1,
        "includeRaiReason": True,
    }
    with pytest.raises(ContentModerationError) as info:
        await GoogleProvider().generate_image(image_config(emulator), request)
    assert "Responsible AI" in str(info.value)


async def test_imagen_rate_limit(emulator: GoogleEmulator) -> None:
    emulator.fail_next("image", Fault(status=429, headers={"Retry-After": "2"}))
    with pytest.raises(RateLimitError) as info:
        await GoogleProvider().generate_image(
            image_config(emulator), ImageGenerationRequest(prompt="x")
        )
    assert info.value.retry_after == 2.0


@pytest.mark.parametrize(
    "extras",
    [
        {"durationSeconds": 8},
        {"duration_seconds": 8},  # Google's JSON takes both spellings
        {"sampleCount": 4},
        {"generateAudio": True},
        {"resolution": "4k"},
        {"aspectRatio": "9:16"},
        {"image": {"bytesBase64Encoded": "AAAA"}},
    ],
)
def test_veo_extras_cannot_override_billed_or_mapped_fields(extras: dict[str, Any]) -> None:
    request = VideoGenerationRequest(prompt="p", duration_seconds=5, extra_params=extras)
    with pytest.raises(ValidationError) as caught:
        build_veo_body(request, "veo-2.0-generate-001", api="vertex")
    assert caught.value.param == next(iter(extras))


def test_veo_and_imagen_extras_still_add_new_fields() -> None:
    request = VideoGenerationRequest(prompt="p", extra_params={"personGeneration": "allow_adult"})
    body = build_veo_body(request, "veo-3.1-generate-preview", api="gemini")
    assert body["parameters"]["personGeneration"] == "allow_adult"
    for extras in ({"sampleCount": 4}, {"aspectRatio": "16:9"}):
        image = ImageGenerationRequest(prompt="x", extra_params=extras)
        with pytest.raises(ValidationError) as caught:
            build_imagen_body(image, "imagen-4.0-generate-001", api="vertex")
        assert caught.value.param == next(iter(extras))


# -- 12. Gemini API vs Vertex AI, and the documented defaults (issue 15) ----------------------

PNG_BYTES = b"\x89PNG\r\n\x1a\n" + b"\0" * 24
PNG = "data:image/png;base64," + base64.b64encode(PNG_BYTES).decode()


@pytest.mark.parametrize(
    ("request_fields", "provider_config", "param"),
    [
        ({"seed": 7}, {}, "seed"),
        ({"generate_audio": False}, {}, "generate_audio"),
        (
            {"image_list": [ImageInput(image="gs://bucket/a.png", role="first_frame")]},
            {},
            "image_list",
        ),
        ({}, {"storage_uri": "gs://bucket/out/"}, "provider_config.storage_uri"),
        ({"extra_params": {"storageUri": "gs://bucket/out/"}}, {}, "storageUri"),
        ({"extra_params": {"pubsubTopic": "projects/p/topics/t"}}, {}, "pubsubTopic"),
        ({"extra_params": {"fps": 24}}, {}, "fps"),
        ({"extra_params": {"compressionQuality": "lossless"}}, {}, "compressionQuality"),
        ({"extra_params": {"resizeMode": "crop"}}, {}, "resizeMode"),
    ],
)
async def test_gemini_api_refuses_vertex_only_fields(
    emulator: GoogleEmulator,
    request_fields: dict[str, Any],
    provider_config: dict[str, Any],
    param: str,
) -> None:
    """python-genai refuses each of these in Gemini API mode; the adapter used to send
    ``parameters.seed`` (and extras like ``storageUri``) to the Gemini API anyway."""
    request = VideoGenerationRequest(prompt="x", **request_fields)
    config = gemini(emulator, provider_config=provider_config)
    with pytest.raises(ValidationError) as info:
        await GoogleProvider().submit_video(config, request)
    assert info.value.param == param
    assert info.value.code == "invalid_request"  # the gateway's 400
    assert "Vertex AI" in str(info.value)
    assert emulator.calls == []


async def test_vertex_keeps_seed_audio_switch_gcs_inputs_and_storage(
    emulator: GoogleEmulator, keys: dict[str, tuple[str, str]]
) -> None:
    request = VideoGenerationRequest(
        prompt="x",
        seed=7,
        generate_audio=False,
        image_list=[ImageInput(image="gs://bucket/a.png", role="first_frame")],
    )
    config = vertex(emulator, keys, storage_uri="gs://bucket/out/")
    await GoogleProvider().submit_video(config, request)
    body = emulator.calls_of("submit")[0].body
    assert body["instances"][0]["image"] == {"gcsUri": "gs://bucket/a.png", "mimeType": "image/png"}
    assert body["parameters"]["seed"] == 7
    assert body["parameters"]["generateAudio"] is False
    assert body["parameters"]["storageUri"] == "gs://bucket/out/"


async def test_gemini_api_audio_true_is_what_veo_3_does_and_is_not_sent(
    emulator: GoogleEmulator,
) -> None:
    request = VideoGenerationRequest(prompt="x", generate_audio=True)
    await GoogleProvider().submit_video(gemini(emulator), request)
    assert "generateAudio" not in emulator.calls_of("submit")[0].body["parameters"]


async def test_vertex_refuses_the_gemini_only_webhook_config(
    emulator: GoogleEmulator, keys: dict[str, tuple[str, str]]
) -> None:
    request = VideoGenerationRequest(prompt="x", extra_params={"webhookConfig": {"uris": ["x"]}})
    with pytest.raises(ValidationError) as info:
        await GoogleProvider().submit_video(vertex(emulator, keys), request)
    assert info.value.param == "webhookConfig"
    assert emulator.calls == []


async def test_gemini_inline_result_is_a_video(emulator: GoogleEmulator) -> None:
    """The Gemini API may answer ``video: {encodedVideo, encoding}`` (python-genai's
    ``_Video_from_mldev``); the adapter used to call that a job without a video."""
    emulator.gemini_inline_results = True
    result = await run_video_job(
        GoogleProvider(), gemini(emulator), VideoGenerationRequest(prompt="x")
    )
    assert isinstance(result.video, str)
    assert _decode_data_url(result.video) == SAMPLE_VIDEO.read_bytes()
    assert result.content_type == "video/mp4"
    sample = result.raw_response["response"]["generateVideoResponse"]["generatedSamples"][0]
    assert sample["video"]["encodedVideo"].endswith("base64 characters>")


@pytest.mark.parametrize(
    "image",
    [
        "data:image/gif;base64," + base64.b64encode(b"GIF89a" + b"\0" * 20).decode(),
        base64.b64encode(b"GIF89a" + b"\0" * 20).decode(),
        "data:image/bmp;base64," + base64.b64encode(b"BM" + b"\0" * 20).decode(),
    ],
)
async def test_image_types_google_refuses_never_leave(emulator: GoogleEmulator, image: str) -> None:
    """GIFs used to go out as ``image/gif``; Veo takes PNG, JPEG and WebP."""
    request = VideoGenerationRequest(
        prompt="x", image_list=[ImageInput(image=image, role="first_frame")]
    )
    with pytest.raises(ValidationError) as info:
        await GoogleProvider().submit_video(gemini(emulator), request)
    assert info.value.param == "image_list"
    assert emulator.calls == []


@pytest.mark.parametrize(
    ("model", "parameters"),
    [
        (
            "veo-3.1-generate-preview",
            {"aspectRatio": "16:9", "durationSeconds": 8, "sampleCount": 1, "resolution": "720p"},
        ),
        (
            "veo-3.1-lite-generate-preview",
            {"aspectRatio": "16:9", "durationSeconds": 8, "sampleCount": 1, "resolution": "720p"},
        ),
        (
            "veo-3.0-fast-generate-001",
            {"aspectRatio": "16:9", "durationSeconds": 8, "sampleCount": 1, "resolution": "720p"},
        ),
        ("veo-2.0-generate-001", {"aspectRatio": "16:9", "durationSeconds": 8, "sampleCount": 1}),
    ],
)
async def test_a_bare_prompt_sends_the_documented_defaults(
    emulator: GoogleEmulator, model: str, parameters: dict[str, Any]
) -> None:
    """8 s, 720p (Veo 2 has no resolution parameter) and 16:9, recorded in the job id."""
    job = await GoogleProvider().submit_video(
        gemini(emulator, model=model), VideoGenerationRequest(prompt="x")
    )
    assert emulator.calls_of("submit")[0].body["parameters"] == parameters
    expected = "8,720p,16:9" if "resolution" in parameters else "8,,16:9"
    assert job.request_id.startswith(f"gemini;{expected};")
    result = await run_video_job(
        GoogleProvider(), gemini(emulator, model=model), VideoGenerationRequest(prompt="x")
    )
    assert (result.duration, result.resolution, result.aspect_ratio) == (8.0, "720p", "16:9")


def test_unknown_models_get_no_invented_defaults() -> None:
    body = build_veo_body(VideoGenerationRequest(prompt="x"), "veo-9-experimental", api="vertex")
    assert body["parameters"] == {"sampleCount": 1}


# -- completion in one read (issue 16, item 3) ---------------------------------------------


async def test_a_finished_job_is_read_once(
    emulator: GoogleEmulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The poll that sees the job finished carries its result, so completing it takes one
    GET (the old lifecycle polled, then fetched the same resource again)."""
    monkeypatch.setattr(emulator, "job_seconds", 0)
    provider = GoogleProvider()
    cfg = gemini(emulator)
    job = await provider.submit_video(cfg, VideoGenerationRequest(prompt="a lighthouse at dusk"))
    emulator.calls.clear()

    result = await follow_job(provider, cfg, job)

    assert [call.method for call in emulator.calls] == ["GET"]
    progress = await provider.poll_video(cfg, job.request_id)
    assert progress.status == "completed"
    assert progress.result == result
    assert await provider.fetch_video(cfg, job.request_id) == result
