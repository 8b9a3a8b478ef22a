"""A loopback Stability AI Stable Image API (api.stability.ai/v2beta) for tests.

Checked on 2026-11-25 against:
- The GenerateImageResponse schema and image-generation structure published in
  api-evangelist/stability-ai (a catalogue of Stability's public API): with ``Accept:
  application/json`` the answer is ``{image: <base64>, finish_reason: SUCCESS |
  CONTENT_FILTERED, seed}``; request fields
  prompt (required), negative_prompt, aspect_ratio, seed (0-4294967294), output_format
  (png | jpeg | webp), style_preset (Core), model and mode (SD3).
- The stability-ai Node SDK (``dist/v2beta/stable-image/generate.d.ts``) and a Stability
  troubleshooting guide (prismix.dev): ``POST /v2beta/stable-image/generate/{ultra|core|
  sd3}``, multipart/form-data, ``Authorization: Bearer``, aspect ratios 16:9 1:1 21:9 2:3
  3:2 4:5 5:4 9:16 9:21, 401 bad key, 402 out of credits; SD3 outputs png | jpeg.
- juspay/neurolink's Stability guide for the SD3 model ids (sd3.5-large,
  sd3.5-large-turbo, sd3.5-medium); sd3.5-flash is accepted too.
- Re-checked on 2026-12-03 against the request schemas of Stability's reference
  (platform.stability.ai/docs/api-reference, as mirrored field for field by
  schemas.apis.io/schemas/stability-ai/… GenerateUltraRequest / GenerateCoreRequest /
  GenerateSD3Request and apifox copies of the reference pages): prompt 1-10,000
  characters, negative_prompt at most 10,000, aspect_ratio default 1:1, seed default 0,
  output_format default png, ``Accept`` image/* (default) or application/json. The
  fields each endpoint takes are :data:`FIELDS`; the emulator refuses any other field
  (Stability's handling of unknown fields is not documented, so this is stricter than
  known: it proves the adapter sends only documented fields). Paths other than
  ``/v2beta/stable-image/generate/{ultra|core|sd3}`` are a 404 in the same error shape.
- Error bodies ``{name, errors: [...]}``; 403 ``content_moderation`` ("Your request was
  flagged by our content moderation system…", quoted in
  ZHO-ZHO-ZHO/ComfyUI-StableDiffusion3-API issue #2); other error texts are stand-ins.
"""

from __future__ import annotations

import base64
import random
import secrets
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from tarash_gateway.adapters.media import SAMPLE_THUMBNAIL
from tests.emulators.base import Call, Emulator

ASPECT_RATIOS = {"16:9", "1:1", "21:9", "2:3", "3:2", "4:5", "5:4", "9:16", "9:21"}
OUTPUT_FORMATS = {"ultra": {"png", "jpeg", "webp"}, "core": {"png", "jpeg", "webp"}}
OUTPUT_FORMATS["sd3"] = {"png", "jpeg"}
SD3_MODELS = {"sd3.5-large", "sd3.5-large-turbo", "sd3.5-medium", "sd3.5-flash"}
MAX_PROMPT = 10_000
_COMMON = {"prompt", "negative_prompt", "aspect_ratio", "seed", "output_format"}
FIELDS = {
    "ultra": _COMMON | {"image", "strength"},
    "core": _COMMON | {"style_preset"},
    "sd3": _COMMON | {"image", "strength", "model", "mode"},
}
"""The multipart fields of each generate endpoint, from the reference's request schemas."""
ALL_METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]
MODERATION_MESSAGE = (
    "Your request was flagged by our content moderation system, as a result your request "
    "was denied and you were not charged."
)


class StabilityEmulator(Emulator):
    """Stable Image generation: one synchronous multipart call per image."""

    name = "stability"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.next_finish_reason = "SUCCESS"
        """Set to ``CONTENT_FILTERED`` to filter the next output (a 200, not an error)."""

    def provider_routes(self) -> list[BaseRoute]:
        return [
            Route("/v2beta/stable-image/generate/{endpoint}", self.generate, methods=["POST"]),
            Route("/{path:path}", self.unknown_path, methods=ALL_METHODS),
        ]

    async def unknown_path(self, request: Request) -> Response:
        self.calls.append(
            Call("unknown", request.method, request.url.path, dict(request.headers), None)
        )
        return self._error(404, "not_found", f"{request.method} {request.url.path}: not found")

    def authorized(self, request: Request) -> bool:
        return request.headers.get("authorization") == f"Bearer {self.api_key}"

    def unauthorized(self) -> Response:
        return self._error(401, "unauthorized", "authorization: invalid or missing API key")

    @staticmethod
    def _error(status: int, name: str, message: str) -> Response:
        return JSONResponse(
            {"id": secrets.token_hex(16), "name": name, "errors": [message]}, status_code=status
        )

    async def generate(self, request: Request) -> Response:
        if (fault := await self.enter(request, "image")) is not None:
            return fault
        form = {key: str(value) for key, value in (await request.form()).items()}
        self.calls[-1].body = form
        endpoint = request.path_params["endpoint"]
        if endpoint not in OUTPUT_FORMATS:
            return self._error(404, "not_found", f"no such endpoint: {endpoint}")
        if not request.headers.get("content-type", "").startswith("multipart/form-data"):
            return self._error(400, "bad_request", "content-type: must be multipart/form-data")
        accept = request.headers.get("accept", "")
        if accept not in ("application/json", "image/*"):
            return self._error(400, "bad_request", "accept: must be image/* or application/json")
        problem = self._check(endpoint, form)
        if problem is not None:
            return self._error(400, "bad_request", problem)
        if self.next_job_outcome == "moderation":
            self.next_job_outcome = "success"
            return self._error(403, "content_moderation", MODERATION_MESSAGE)
        finish_reason, self.next_finish_reason = self.next_finish_reason, "SUCCESS"
        image = SAMPLE_THUMBNAIL.read_bytes()
        seed = int(form.get("seed") or 0) or random.randint(1, 4_294_967_294)
        headers = {"finish-reason": finish_reason, "seed": str(seed)}
        if accept == "image/*":
            return Response(image, media_type="image/jpeg", headers=headers)
        return JSONResponse(
            {
                "image": base64.b64encode(image).decode(),
                "finish_reason": finish_reason,
                "seed": seed,
            }
        )

    @staticmethod
    def _check(endpoint: str, form: dict[str, str]) -> str | None:
        for name in form:
            if name not in FIELDS[endpoint]:
                return f"{name}: not a field of generate/{endpoint}"
        if not form.get("prompt"):
            return "prompt: cannot be empty"
        for name in ("prompt", "negative_prompt"):
            if len(form.get(name, "")) > MAX_PROMPT:
                return f"{name}: must be at most {MAX_PROMPT} characters"
        if form.get("aspect_ratio", "1:1") not in ASPECT_RATIOS:
            return f"aspect_ratio: must be one of {sorted(ASPECT_RATIOS)}"
        if form.get("output_format", "png") not in OUTPUT_FORMATS[endpoint]:
            return f"output_format: must be one of {sorted(OUTPUT_FORMATS[endpoint])}"
        if "style_preset" in form and endpoint != "core":
            return "style_preset: not supported by this endpoint"
        if endpoint == "sd3" and form.get("model", "sd3.5-large") not in SD3_MODELS:
            return f"model: must be one of {sorted(SD3_MODELS)}"
        seed = form.get("seed", "0")
        if not str(seed).isdigit() or int(seed) > 4_294_967_294:
            return "seed: must be an integer from 0 to 4294967294"
        return None
