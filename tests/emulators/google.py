"""A loopback Google API for tests: Veo and Imagen on the Gemini API and on Vertex AI,
plus the OAuth token endpoint a service-account key points at.

Checked on 2026-11-25 against:
- ai.google.dev/gemini-api/docs/video (Veo 3.1 in the Gemini API): ``POST
  /v1beta/models/{model}:predictLongRunning`` with ``x-goog-api-key``, body
  ``{instances: [{prompt, image, lastFrame, referenceImages}], parameters: {aspectRatio,
  durationSeconds, negativePrompt, personGeneration, resolution, sampleCount, seed}}`` →
  ``{name: "models/{model}/operations/{id}"}``; ``GET /v1beta/{name}`` until ``done``;
  result ``response.generateVideoResponse.generatedSamples[].video.uri``, a
  ``/v1beta/files/{id}:download?alt=media`` URL fetched with the key that redirects to
  the bytes (``curl -L``).
- googleapis/python-genai ``models.py`` (``_GenerateVideosConfig_to_mldev`` /
  ``_to_vertex``, ``_Image_to_mldev``, ``_GenerateVideosResponse_from_mldev`` /
  ``_from_vertex``, ``_GenerateImagesConfig_to_*``): images travel as
  ``{bytesBase64Encoded, mimeType}`` (``gcsUri`` on Vertex only); ``generateAudio``,
  ``storageUri`` are Vertex-only; Vertex results are ``response.videos[]`` with ``gcsUri``
  or ``bytesBase64Encoded``; both report ``raiMediaFilteredCount`` /
  ``raiMediaFilteredReasons``; Imagen ``:predict`` answers ``predictions[]`` with
  ``bytesBase64Encoded``, ``mimeType`` or ``raiFilteredReason``; ``negativePrompt`` and
  ``seed`` are Vertex-only for Imagen.
- cloud.google.com/vertex-ai/generative-ai/docs/model-reference/veo-video-generation:
  ``POST https://{location}-aiplatform.googleapis.com/v1/projects/{project}/locations/
  {location}/publishers/google/models/{model}:predictLongRunning`` with a bearer token;
  poll ``POST …/{model}:fetchPredictOperation {operationName}``.
- docs.cloud.google.com/gemini-enterprise-agent-platform/models/veo/2-0-generate and
  3-1-generate: veo-2.0/3.0 deprecated (June 2026) in favour of veo-3.1-generate-001,
  veo-3.1-fast-generate-001, veo-3.1-lite-generate-001.
- RFC 7523 / google-auth ``service_account``: the key's ``token_uri`` takes
  ``grant_type=urn:ietf:params:oauth:grant-type:jwt-bearer&assertion=<RS256 JWT>`` and
  answers ``{access_token, expires_in, token_type}``, or 400 ``{error: invalid_grant,
  error_description}``.
- Google API errors are ``{error: {code, message, status, details}}``; a bad Gemini API
  key is a 400 with ``ErrorInfo.reason = API_KEY_INVALID``; a bad bearer token is a 401
  ``UNAUTHENTICATED``; 429 ``RESOURCE_EXHAUSTED`` may carry ``RetryInfo.retryDelay``.

Strict since 2026-12-03 (issue 15): every Veo submit goes through
:mod:`tests.emulators.google_veo_schema` (unknown or mistyped fields, Vertex-only fields
on the Gemini API, durations and resolutions a family lacks, data: URIs or non-base64
where bytes are taken, images over 20 MB: 400 INVALID_ARGUMENT); an unknown model id is a
404 NOT_FOUND with Google's wording; so is any path or method Google does not serve (the
API versions answer in JSON, other paths with Google's HTML 404 page). A Gemini API
result can be set to come back inline (``encodedVideo``), as python-genai's
``_Video_from_mldev`` reads it.
"""

from __future__ import annotations

import base64
import secrets
import time
from typing import Any

from google.auth import jwt
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from tarash_gateway.adapters.media import SAMPLE_THUMBNAIL, SAMPLE_VIDEO
from tests.emulators.base import Emulator, Job
from tests.emulators.google_veo_schema import Api, RefusedError, check_veo_body, family

JWT_BEARER = "urn:ietf:params:oauth:grant-type:jwt-bearer"
SCOPE = "https://www.googleapis.com/auth/cloud-platform"
VERTEX_PREFIX = "/v1/projects/{project}/locations/{location}/publishers/google/models/{model}"
RAI_REASON = (
    "Unable to generate videos because the prompt could violate Google's Responsible AI "
    "practices. Try rephrasing the prompt."
)


def google_error(code: int, status: str, message: str, **extra: Any) -> JSONResponse:
    """Google's JSON error envelope."""
    return JSONResponse(
        {"error": {"code": code, "message": message, "status": status, **extra}},
        status_code=code,
    )


class GoogleEmulator(Emulator):
    """Gemini API (API key) and Vertex AI (bearer token from ``/token``) in one server."""

    name = "google"

    def __init__(
        self, *, job_seconds: float = 0.3, api_key: str = "test-key", project: str = "test-project"
    ) -> None:
        self.project = project
        self.service_accounts: dict[str, str] = {}
        """client_email → public key PEM, for checking signed assertions."""
        self.tokens: dict[str, float] = {}
        """Issued access tokens → expiry time."""
        self.token_scopes: list[str] = []
        self.gemini_inline_results = False
        """Answer Gemini API jobs with inline ``encodedVideo`` instead of a file URI."""
        self._denied = "gemini"
        super().__init__(job_seconds=job_seconds, api_key=api_key)

    # -- for tests ----------------------------------------------------------------------

    def register_service_account(self, email: str, public_key_pem: str) -> None:
        self.service_accounts[email] = public_key_pem

    def reset(self) -> None:
        self.faults.clear()
        self.calls.clear()
        self.jobs.clear()
        self.tokens.clear()
        self.token_scopes.clear()
        self.gemini_inline_results = False
        self.next_job_outcome = "success"

    # -- routing and auth ---------------------------------------------------------------

    def provider_routes(self) -> list[BaseRoute]:
        return [
            Route(
                "/v1beta/models/{model}:predictLongRunning", self.gemini_submit, methods=["POST"]
            ),
            Route("/v1beta/models/{model}:predict", self.gemini_image, methods=["POST"]),
            Route("/v1beta/models/{model}/operations/{op}", self.gemini_status, methods=["GET"]),
            Route("/v1beta/files/{file}:download", self.gemini_download, methods=["GET"]),
            Route(VERTEX_PREFIX + ":predictLongRunning", self.vertex_submit, methods=["POST"]),
            Route(VERTEX_PREFIX + ":fetchPredictOperation", self.vertex_status, methods=["POST"]),
            Route(VERTEX_PREFIX + ":predict", self.vertex_image, methods=["POST"]),
            Route("/token", self.token, methods=["POST"]),
            Route("/{path:path}", self.not_found, methods=_ALL_METHODS),
        ]

    async def not_found(self, request: Request) -> Response:
        """Google answers unknown paths and wrong methods with 404, never 405: JSON under
        an API version, its HTML error page elsewhere."""
        if (fault := await self.enter(request, "unknown")) is not None:
            return fault
        if request.url.path.startswith(("/v1beta/", "/v1/")):
            return google_error(404, "NOT_FOUND", "Method not found.")
        page = (
            "<!DOCTYPE html><title>Error 404 (Not Found)!!1</title><p><b>404.</b> "
            f"<ins>That's an error.</ins><p>The requested URL <code>{request.url.path}</code> "
            "was not found on this server. <ins>That's all we know.</ins>"
        )
        return HTMLResponse(page, status_code=404)

    def authorized(self, request: Request) -> bool:
        path = request.url.path
        if path.startswith("/v1beta/"):
            self._denied = "gemini"
            key = request.headers.get("x-goog-api-key") or request.query_params.get("key")
            return key == self.api_key
        if path.startswith("/v1/"):
            self._denied = "vertex"
            header = request.headers.get("authorization", "")
            token = header.removeprefix("Bearer ") if header.startswith("Bearer ") else ""
            return self.tokens.get(token, 0.0) > time.time()
        return True  # the token endpoint checks the signed assertion itself

    def unauthorized(self) -> Response:
        # `enter` calls authorized() then unauthorized() with no await in between, so
        # the API noted by authorized() is the one being refused.
        if self._denied == "vertex":
            return google_error(
                401,
                "UNAUTHENTICATED",
                "Request had invalid authentication credentials. Expected OAuth 2 access "
                "token, login cookie or other valid authentication credential.",
            )
        return google_error(
            400,
            "INVALID_ARGUMENT",
            "API key not valid. Please pass a valid API key.",
            details=[
                {
                    "@type": "type.googleapis.com/google.rpc.ErrorInfo",
                    "reason": "API_KEY_INVALID",
                    "domain": "googleapis.com",
                    "metadata": {"service": "generativelanguage.googleapis.com"},
                }
            ],
        )

    # -- OAuth ---------------------------------------------------------------------------

    async def token(self, request: Request) -> Response:
        if (fault := await self.enter(request, "token")) is not None:
            return fault
        form = await request.form()
        if form.get("grant_type") != JWT_BEARER:
            return JSONResponse(
                {"error": "unsupported_grant_type", "error_description": "Invalid grant_type"},
                status_code=400,
            )
        assertion = str(form.get("assertion") or "")
        try:
            unverified = jwt.decode(assertion, verify=False)  # type: ignore[no-untyped-call]
            public_key = self.service_accounts[unverified["iss"]]
            claims = jwt.decode(  # type: ignore[no-untyped-call]
                assertion, certs=public_key, audience=f"{self.base_url}/token"
            )
        except Exception:
            return JSONResponse(
                {"error": "invalid_grant", "error_description": "Invalid JWT Signature."},
                status_code=400,
            )
        self.token_scopes.append(str(claims.get("scope")))
        if SCOPE not in str(claims.get("scope", "")).split():
            return JSONResponse(
                {"error": "invalid_scope", "error_description": "Invalid OAuth scope."},
                status_code=400,
            )
        token = "ya29.emulated-" + secrets.token_urlsafe(24)
        self.tokens[token] = time.time() + 3599
        return JSONResponse({"access_token": token, "expires_in": 3599, "token_type": "Bearer"})

    # -- Veo on the Gemini API -----------------------------------------------------------

    async def gemini_submit(self, request: Request) -> Response:
        if (fault := await self.enter(request, "submit")) is not None:
            return fault
        body = self.calls[-1].body
        model = request.path_params["model"]
        if (problem := _refused_veo(body, model, "gemini")) is not None:
            return problem
        job = self.new_job(body)
        job.extra.update(api="gemini", model=model)
        return JSONResponse({"name": f"models/{model}/operations/{job.id}"})

    async def gemini_status(self, request: Request) -> Response:
        if (fault := await self.enter(request, "status")) is not None:
            return fault
        job = self.jobs.get(request.path_params["op"])
        if job is None or job.extra.get("api") != "gemini":
            return google_error(404, "NOT_FOUND", "Operation not found.")
        name = f"models/{job.extra['model']}/operations/{job.id}"
        if job.phase(self.job_seconds) != "done":
            return JSONResponse({"name": name})  # proto3 JSON omits `done: false`
        if job.outcome == "fail":
            return JSONResponse({"name": name, "done": True, "error": _internal_error()})
        if job.outcome == "moderation":
            result: dict[str, Any] = {
                "raiMediaFilteredCount": 1,
                "raiMediaFilteredReasons": [RAI_REASON],
            }
        else:
            count = int(job.input.get("parameters", {}).get("sampleCount") or 1)
            uri = f"{self.base_url}/v1beta/files/{job.id}:download?alt=media"
            video: dict[str, str] = {"uri": uri}
            if self.gemini_inline_results:
                video = {"encodedVideo": _b64(SAMPLE_VIDEO.read_bytes()), "encoding": "video/mp4"}
            result = {"generatedSamples": [{"video": video}] * count}
        return JSONResponse(
            {
                "name": name,
                "done": True,
                "response": {
                    "@type": "type.googleapis.com/"
                    "google.ai.generativelanguage.v1beta.PredictLongRunningResponse",
                    "generateVideoResponse": result,
                },
            }
        )

    async def gemini_download(self, request: Request) -> Response:
        if (fault := await self.enter(request, "download")) is not None:
            return fault
        job = self.jobs.get(request.path_params["file"])
        if job is None:
            return google_error(404, "NOT_FOUND", "File not found.")
        return RedirectResponse(self.media_url(job), status_code=302)

    # -- Veo on Vertex AI ----------------------------------------------------------------

    async def vertex_submit(self, request: Request) -> Response:
        if (fault := await self.enter(request, "submit")) is not None:
            return fault
        if (problem := self._wrong_project(request)) is not None:
            return problem
        body = self.calls[-1].body
        vertex_model = request.path_params["model"]
        if (problem := _refused_veo(body, vertex_model, "vertex", request.url.path)) is not None:
            return problem
        job = self.new_job(body)
        params = request.path_params
        job.extra.update(api="vertex", **params)
        prefix = VERTEX_PREFIX.format(**params).removeprefix("/v1/")
        return JSONResponse({"name": f"{prefix}/operations/{job.id}"})

    async def vertex_status(self, request: Request) -> Response:
        if (fault := await self.enter(request, "status")) is not None:
            return fault
        if (problem := self._wrong_project(request)) is not None:
            return problem
        asked = self.calls[-1].body
        if not isinstance(asked, dict) or set(asked) != {"operationName"}:
            return google_error(
                400, "INVALID_ARGUMENT", "fetchPredictOperation takes {operationName} only."
            )
        name = str(asked.get("operationName") or "")
        prefix = VERTEX_PREFIX.format(**request.path_params).removeprefix("/v1/")
        job = self.jobs.get(name.rsplit("/", 1)[-1])
        if job is None or job.extra.get("api") != "vertex" or not name.startswith(prefix + "/"):
            return google_error(404, "NOT_FOUND", f"Operation {name} not found.")
        if job.phase(self.job_seconds) != "done":
            return JSONResponse({"name": name})
        if job.outcome == "fail":
            return JSONResponse({"name": name, "done": True, "error": _internal_error()})
        response: dict[str, Any] = {
            "@type": "type.googleapis.com/cloud.ai.large_models.vision.GenerateVideoResponse",
            "raiMediaFilteredCount": 0,
        }
        if job.outcome == "moderation":
            response.update(raiMediaFilteredCount=1, raiMediaFilteredReasons=[RAI_REASON])
        else:
            parameters = job.input.get("parameters", {})
            count = int(parameters.get("sampleCount") or 1)
            storage = parameters.get("storageUri")
            response["videos"] = [
                {
                    "gcsUri": f"{storage.rstrip('/')}/{job.id}/sample_{i}.mp4",
                    "mimeType": "video/mp4",
                }
                if storage
                else {
                    "bytesBase64Encoded": _b64(SAMPLE_VIDEO.read_bytes()),
                    "mimeType": "video/mp4",
                }
                for i in range(count)
            ]
        return JSONResponse({"name": name, "done": True, "response": response})

    def _wrong_project(self, request: Request) -> Response | None:
        if request.path_params["project"] == self.project:
            return None
        return google_error(
            403,
            "PERMISSION_DENIED",
            f"Permission denied on resource project {request.path_params['project']}.",
        )

    # -- Imagen ----------------------------------------------------------------------------

    async def gemini_image(self, request: Request) -> Response:
        if (fault := await self.enter(request, "image")) is not None:
            return fault
        return self._imagen(self.calls[-1].body, vertex=False)

    async def vertex_image(self, request: Request) -> Response:
        if (fault := await self.enter(request, "image")) is not None:
            return fault
        if (problem := self._wrong_project(request)) is not None:
            return problem
        return self._imagen(self.calls[-1].body, vertex=True)

    def _imagen(self, body: Any, *, vertex: bool) -> Response:
        if (problem := _bad_instances(body)) is not None:
            return problem
        parameters = body.get("parameters") or {}
        if not vertex:
            for name in IMAGEN_GEMINI_REFUSED:
                if name in parameters:
                    return google_error(400, "INVALID_ARGUMENT", f"{name} is not supported.")
        if vertex and "seed" in parameters and parameters.get("addWatermark", True):
            return google_error(
                400, "INVALID_ARGUMENT", "Seed is not supported when watermark is enabled."
            )
        job: Job = self.new_job(body)
        if job.outcome == "moderation":
            if parameters.get("includeRaiReason"):
                return JSONResponse({"predictions": [{"raiFilteredReason": RAI_REASON}]})
            return JSONResponse({})
        image = {
            "mimeType": "image/jpeg",
            "bytesBase64Encoded": _b64(SAMPLE_THUMBNAIL.read_bytes()),
        }
        count = int(parameters.get("sampleCount") or 1)
        return JSONResponse({"predictions": [image] * count})


IMAGEN_GEMINI_REFUSED = (
    "negativePrompt",
    "seed",
    "storageUri",
    "addWatermark",
    "enhancePrompt",
    "labels",
)
"""Imagen parameters python-genai refused in Gemini API mode (its _GenerateImagesConfig_
to_mldev, removed with Gemini API Imagen in commit 43ef621f, 2026-08-21)."""

_ALL_METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]


def _refused_veo(body: Any, model: str, api: Api, path: str = "") -> Response | None:
    """Google's answer to a Veo body it would not run, or None to accept it."""
    veo = family(model)
    if veo is None:
        if api == "vertex":
            resource = path.removeprefix("/v1/").rsplit(":", 1)[0]
            return google_error(404, "NOT_FOUND", f"Publisher Model `{resource}` not found.")
        return google_error(
            404,
            "NOT_FOUND",
            f"models/{model} is not found for API version v1beta, or is not supported for "
            "predictLongRunning. Call ListModels to see the list of available models and "
            "their supported methods.",
        )
    try:
        check_veo_body(body, api=api, veo=veo)
    except RefusedError as refusal:
        return google_error(400, "INVALID_ARGUMENT", refusal.message)
    return None


def _bad_instances(body: Any) -> Response | None:
    instances = body.get("instances") if isinstance(body, dict) else None
    if not isinstance(instances, list) or not instances or not isinstance(instances[0], dict):
        return google_error(400, "INVALID_ARGUMENT", "Invalid JSON payload: missing instances.")
    if not instances[0].get("prompt") and not instances[0].get("image"):
        return google_error(400, "INVALID_ARGUMENT", "A prompt or an image is required.")
    return None


def _internal_error() -> dict[str, Any]:
    return {"code": 13, "message": "Video generation failed due to an internal error."}


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()
