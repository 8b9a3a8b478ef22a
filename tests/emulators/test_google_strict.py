"""The Google emulator refuses what Google refuses (issue 15): each wrong request here is
one the adapter must never send, answered in Google's own error shape."""

from __future__ import annotations

import base64
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tests.emulators.google import GoogleEmulator
from tests.emulators.google_veo_schema import MAX_IMAGE_BYTES

PROJECT = "test-project"
TOKEN = "ya29.strict-test"
PNG = base64.b64encode(b"\x89PNG\r\n\x1a\n" + b"\0" * 24).decode()
IMAGE = {"bytesBase64Encoded": PNG, "mimeType": "image/png"}
GEMINI = "/v1beta/models/{model}:predictLongRunning"
VERTEX = (
    f"/v1/projects/{PROJECT}/locations/us-central1/publishers/google/models/"
    "{model}:predictLongRunning"
)


@pytest.fixture(scope="module")
def server() -> Iterator[GoogleEmulator]:
    emulator = GoogleEmulator(project=PROJECT)
    emulator.start()
    try:
        yield emulator
    finally:
        emulator.stop()


@pytest.fixture
def client(server: GoogleEmulator) -> Iterator[httpx.Client]:
    server.reset()
    server.tokens[TOKEN] = 4e9
    headers = {"x-goog-api-key": server.api_key, "authorization": f"Bearer {TOKEN}"}
    with httpx.Client(base_url=server.base_url, headers=headers) as http:
        yield http


def body(parameters: dict[str, Any] | None = None, **instance: Any) -> dict[str, Any]:
    return {"instances": [{"prompt": "a fox", **instance}], "parameters": parameters or {}}


def post(
    client: httpx.Client, api: str, payload: Any, model: str = "veo-3.1-generate-preview"
) -> httpx.Response:
    path = (GEMINI if api == "gemini" else VERTEX).format(model=model)
    return client.post(path, json=payload)


def assert_google_error(response: httpx.Response, code: int, status: str, text: str) -> None:
    assert response.status_code == code, response.text
    error = response.json()["error"]
    assert (error["code"], error["status"]) == (code, status)
    assert text in error["message"]


def test_both_apis_accept_a_well_formed_request(client: httpx.Client) -> None:
    full = body(
        {"aspectRatio": "9:16", "durationSeconds": 8, "resolution": "1080p", "sampleCount": 1},
        image=IMAGE,
        lastFrame=IMAGE,
    )
    assert post(client, "gemini", full).status_code == 200
    vertex = body({**full["parameters"], "seed": 1, "generateAudio": True}, image=IMAGE)
    assert post(client, "vertex", vertex, model="veo-3.1-generate-001").status_code == 200
    inline = body(image={"inlineData": {"mimeType": "image/png", "data": PNG}})
    assert post(client, "gemini", inline).status_code == 200  # the Gemini REST samples' form


@pytest.mark.parametrize(
    "name",
    ["seed", "generateAudio", "storageUri", "pubsubTopic", "fps", "compressionQuality"],
)
def test_gemini_api_refuses_vertex_only_parameters(client: httpx.Client, name: str) -> None:
    value: Any = {"seed": 1, "generateAudio": True, "fps": 24}.get(name, "gs://b/x")
    response = post(client, "gemini", body({name: value}))
    assert_google_error(response, 400, "INVALID_ARGUMENT", f"`{name}` isn't supported")


@pytest.mark.parametrize(
    ("api", "payload", "text"),
    [
        ("gemini", body({"durationSeconds": "8"}), "durationSeconds needs to be a number"),
        ("vertex", body({"durationSeconds": 8.5}), "durationSeconds needs to be a number"),
        ("gemini", body({"durationSeconds": 5}), "Unsupported duration 5s"),
        ("gemini", body({"duration_seconds": 8}), "`duration_seconds` isn't supported"),
        ("gemini", body({"numberOfVideos": 1}), "`numberOfVideos` isn't supported"),
        ("vertex", body({"sampleCount": 5}), "sampleCount must be between 1 and 4"),
        ("vertex", body({"seed": -1}), "seed must be an integer"),
        ("vertex", body({"generateAudio": "yes"}), "generateAudio needs to be a boolean"),
        ("gemini", body({"aspectRatio": "1:1"}), "Unsupported aspect ratio"),
        ("gemini", body({"resolution": "1440p"}), "Unsupported resolution"),
        ("gemini", body({"resolution": "4k", "durationSeconds": 4}), "must be 8 seconds"),
        ("gemini", body({"personGeneration": "everyone"}), "Unsupported personGeneration"),
        ("vertex", body({"storageUri": "s3://bucket/"}), "storageUri must be a gs:// URI"),
        ("gemini", {**body(), "labels": {"a": "b"}}, 'Unknown name "labels"'),
        ("vertex", {**body(), "config": {}}, 'Unknown name "config"'),
        ("gemini", {"instances": [], "parameters": {}}, "exactly one instance"),
        ("gemini", body(negative="x"), "`negative` isn't supported"),
        ("gemini", body(mask=IMAGE), "`mask` isn't supported"),
        ("gemini", {"instances": [{}]}, "A prompt or an image is required"),
    ],
)
def test_unknown_or_mistyped_fields_are_refused(
    client: httpx.Client, api: str, payload: Any, text: str
) -> None:
    model = "veo-3.1-generate-preview" if api == "gemini" else "veo-3.1-generate-001"
    assert_google_error(post(client, api, payload, model), 400, "INVALID_ARGUMENT", text)


@pytest.mark.parametrize(
    ("api", "image", "text"),
    [
        ("gemini", {"gcsUri": "gs://b/a.png", "mimeType": "image/png"}, "image.gcsUri"),
        ("vertex", {"gcsUri": "https://b/a.png", "mimeType": "image/png"}, "not a gs:// URI"),
        (
            "gemini",
            {"bytesBase64Encoded": f"data:image/png;base64,{PNG}", "mimeType": "image/png"},
            "Base64 decoding failed",
        ),
        ("vertex", {"bytesBase64Encoded": "not base64!", "mimeType": "image/png"}, "Base64"),
        ("gemini", {"bytesBase64Encoded": PNG}, "Unsupported MIME type None"),
        ("gemini", {"bytesBase64Encoded": PNG, "mimeType": "image/gif"}, "image/gif"),
        ("vertex", {"imageBytes": PNG, "mimeType": "image/png"}, "image.imageBytes"),
        ("vertex", {"inlineData": {"mimeType": "image/png", "data": PNG}}, "image.inlineData"),
        ("vertex", {**IMAGE, "gcsUri": "gs://b/a.png"}, "exactly one of"),
    ],
)
def test_input_images_google_cannot_read_are_refused(
    client: httpx.Client, api: str, image: dict[str, Any], text: str
) -> None:
    model = "veo-3.1-generate-preview" if api == "gemini" else "veo-3.1-generate-001"
    response = post(client, api, body(image=image), model)
    assert_google_error(response, 400, "INVALID_ARGUMENT", text)


def test_oversize_images_are_refused(client: httpx.Client) -> None:
    big = base64.b64encode(b"\x89PNG\r\n\x1a\n" + b"\0" * MAX_IMAGE_BYTES).decode()
    response = post(client, "vertex", body(image={**IMAGE, "bytesBase64Encoded": big}))
    assert_google_error(response, 400, "INVALID_ARGUMENT", "20 MB limit")


@pytest.mark.parametrize(
    ("model", "payload", "text"),
    [
        ("veo-2.0-generate-001", body({"resolution": "720p"}), "`resolution` isn't supported"),
        ("veo-2.0-generate-001", body({"durationSeconds": 4}), "Unsupported duration 4s"),
        ("veo-3.0-generate-001", body(image=IMAGE, lastFrame=IMAGE), "`lastFrame` isn't"),
        ("veo-3.0-generate-001", body({"resolution": "4k"}), "Unsupported resolution"),
        (
            "veo-3.1-lite-generate-preview",
            body(referenceImages=[{"image": IMAGE, "referenceType": "asset"}]),
            "`referenceImages` isn't",
        ),
        (
            "veo-3.1-generate-preview",
            body(referenceImages=[{"image": IMAGE, "referenceType": "style"}]),
            "referenceType",
        ),
        (
            "veo-3.1-generate-preview",
            body(referenceImages=[{"image": IMAGE, "referenceType": "asset"}] * 4),
            "1 to 3 asset images",
        ),
        ("veo-3.1-generate-preview", body(lastFrame=IMAGE), "needs an image"),
    ],
)
def test_what_a_family_lacks_is_refused(
    client: httpx.Client, model: str, payload: Any, text: str
) -> None:
    assert_google_error(post(client, "gemini", payload, model), 400, "INVALID_ARGUMENT", text)


def test_vertex_generate_audio_on_veo_2_is_refused(client: httpx.Client) -> None:
    response = post(client, "vertex", body({"generateAudio": True}), "veo-2.0-generate-001")
    assert_google_error(response, 400, "INVALID_ARGUMENT", "`generateAudio` isn't supported")


def test_unknown_models_are_404_in_each_api_s_words(client: httpx.Client) -> None:
    gemini = post(client, "gemini", body(), model="veo-9-ultra")
    assert_google_error(gemini, 404, "NOT_FOUND", "models/veo-9-ultra is not found")
    vertex = post(client, "vertex", body(), model="sora-2")
    assert_google_error(vertex, 404, "NOT_FOUND", "Publisher Model `projects/test-project/")


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("POST", "/v1beta/models/veo-3.1-generate-preview:generateVideos"),
        ("POST", "/v1beta/models/veo-3.1-generate-preview/operations/x"),  # GET only
        ("GET", "/v1beta/models/veo-3.1-generate-preview:predictLongRunning"),
        ("GET", f"/v1/projects/{PROJECT}/locations/us-central1/operations/x"),
        ("POST", "/v1/videos"),
    ],
)
def test_unknown_paths_and_methods_are_404_json(
    client: httpx.Client, method: str, path: str
) -> None:
    assert_google_error(client.request(method, path, json={}), 404, "NOT_FOUND", "not found")


def test_paths_outside_the_api_get_google_s_html_404(client: httpx.Client) -> None:
    response = client.post("/dream-machine/v1/generations", json={})
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("text/html")
    assert "That's an error" in response.text


def test_fetch_predict_operation_takes_operation_name_only(client: httpx.Client) -> None:
    path = VERTEX.format(model="veo-3.1-generate-001").replace(
        ":predictLongRunning", ":fetchPredictOperation"
    )
    response = client.post(path, json={"operationName": "x", "name": "x"})
    assert_google_error(response, 400, "INVALID_ARGUMENT", "operationName")


@pytest.mark.parametrize("name", ["negativePrompt", "seed", "addWatermark", "enhancePrompt"])
def test_gemini_imagen_refuses_vertex_only_parameters(client: httpx.Client, name: str) -> None:
    payload = {"instances": [{"prompt": "a kite"}], "parameters": {name: 1}}
    response = client.post("/v1beta/models/imagen-4.0-generate-001:predict", json=payload)
    assert_google_error(response, 400, "INVALID_ARGUMENT", name)
