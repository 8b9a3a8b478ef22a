"""An emulator of Azure OpenAI video generation: the v1 videos API and the preview jobs API.

Checked on 2026-11-25 against MicrosoftDocs/azure-ai-docs:
- articles/ai-foundry/openai/concepts/video-generation.md (Sora 2 through the OpenAI
  client with ``base_url = {endpoint}/openai/v1/``: create / retrieve / download_content
  / remix / delete; statuses queued, in_progress, completed, failed; sizes 720x1280 and
  1280x720; seconds 4, 8, 12; Sora 1 limits: 480x480 … 1920x1080, 1 to 20 s, variants
  none at 1080p, two at 720p, four otherwise);
- articles/ai-foundry/openai/includes/video-generation-rest.md (the preview jobs API:
  ``POST {endpoint}/openai/v1/video/generations/jobs?api-version=preview`` with
  ``api-key``; JSON ``{prompt, width, height, n_seconds, model}`` or multipart with
  ``inpaint_items`` + ``files``; job statuses queued, preprocessing, running,
  processing, succeeded, failed, cancelled; ``generations[].id`` then
  ``GET …/video/generations/{generation_id}/content/video``);
- articles/ai-foundry/openai/includes/api-versions/new-inference-preview.md (jobs Get /
  Delete (204) / generation content paths, the VideoGenerationJob and VideoGeneration
  objects, AzureOpenAIVideoGenerationErrorResponse with ``inner_error.code``
  ``ResponsibleAIPolicyViolation``; images at ``POST {endpoint}/openai/v1/images/generations``);
- the ``openai`` SDK 3.57.0 for the v1 wire format (see tests/emulators/openai.py).

Auth is the ``api-key`` header (the v1 surface also takes the key as a bearer token, as
Microsoft's examples with the plain OpenAI client send it). Every call must carry
``api-version``: Azure itself defaults a missing one on the v1 surface, but the
emulator insists so tests prove the adapter sends ``config.api_version``.
"""

from __future__ import annotations

import json
import re
from typing import Any

from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, Response
from starlette.routing import BaseRoute, Route

from tarash_gateway.adapters.media import SAMPLE_THUMBNAIL, SAMPLE_VIDEO
from tests.emulators.base import Call, Job
from tests.emulators.openai import OpenAIEmulator, sora_family

JOB_FIELDS = frozenset(
    {"prompt", "model", "width", "height", "n_seconds", "n_variants", "inpaint_items", "files"}
)
"""The jobs API's create fields (Microsoft's v1 preview reference, "Video generation jobs -
Create", JSON and multipart bodies; learn.microsoft.com/azure/ai-foundry/openai/reference-preview,
read 2026-12-03 from MicrosoftDocs/azure-ai-docs
articles/ai-foundry/openai/includes/api-versions/new-inference-preview.md)."""

SORA_1_DIMENSIONS = {
    (480, 480),
    (854, 480),
    (480, 854),
    (720, 720),
    (1280, 720),
    (720, 1280),
    (1080, 1080),
    (1920, 1080),
    (1080, 1920),
}
API_VERSION = re.compile(r"^(preview|v1|latest|\d{4}-\d{2}-\d{2}(-preview)?)$")


def azure_error(
    code: str, message: str, *, param: str | None = None, inner: dict[str, Any] | None = None
) -> dict[str, Any]:
    error: dict[str, Any] = {"code": code, "message": message, "param": param, "type": None}
    if inner is not None:
        error["inner_error"] = inner
    return {"error": error}


class AzureEmulator(OpenAIEmulator):
    """Azure OpenAI's Sora surfaces on a loopback port."""

    name = "azure"
    prefix = "/openai/v1"

    def __init__(self, *, job_seconds: float = 0.3, api_key: str = "test-key") -> None:
        self.deployment_families: dict[str, str] = {}
        """Deployment name → the model it serves (Azure's ``model`` is the deployment)."""
        super().__init__(job_seconds=job_seconds, api_key=api_key)

    def family(self, model: str) -> str | None:
        return sora_family(self.deployment_families.get(model, model))

    def unknown_path_response(self, request: Request) -> Response:
        # Azure's classic answer to a path it does not serve.
        body = {"error": {"code": "404", "message": "Resource not found"}}
        return JSONResponse(body, status_code=404)

    def provider_routes(self) -> list[BaseRoute]:
        jobs = f"{self.prefix}/video/generations"
        return [
            Route(f"{jobs}/jobs", self.create_job, methods=["POST"]),
            Route(f"{jobs}/jobs/{{job_id}}", self.get_job, methods=["GET"]),
            Route(f"{jobs}/jobs/{{job_id}}", self.delete_job, methods=["DELETE"]),
            Route(f"{jobs}/{{generation_id}}", self.get_generation, methods=["GET"]),
            Route(f"{jobs}/{{generation_id}}/content/{{kind}}", self.content, methods=["GET"]),
            *super().provider_routes(),
        ]

    # -- auth, api-version, error shapes ---------------------------------------------------

    def authorized(self, request: Request) -> bool:
        key = request.headers.get("api-key")
        if key is not None:
            return key == self.api_key
        return request.headers.get("authorization") == f"Bearer {self.api_key}"

    def unauthorized_body(self) -> dict[str, Any]:
        return azure_error(
            "401",
            "Access denied due to invalid subscription key or wrong API endpoint. Make sure "
            "to provide a valid key for an active subscription and use a correct regional "
            "API endpoint for your resource.",
        )

    async def enter(self, request: Request, operation: str) -> Response | None:
        version = request.query_params.get("api-version")
        if version is None or not API_VERSION.match(version):
            self.calls.append(
                Call(operation, request.method, request.url.path, dict(request.headers), None)
            )
            if version is None:  # what Azure's classic surface answers without one
                return JSONResponse(azure_error("404", "Resource not found"), status_code=404)
            return JSONResponse(
                azure_error("BadRequest", "API version not supported"), status_code=400
            )
        return await super().enter(request, operation)

    def moderation_response(self) -> Response:
        return JSONResponse(
            azure_error(
                "content_policy_violation",
                "Your request was rejected as a result of our safety system. Your prompt may "
                "contain text that is not allowed by our safety system.",
                param="prompt",
                inner={
                    "code": "ResponsibleAIPolicyViolation",
                    "content_filter_results": {"violence": {"filtered": True, "severity": "high"}},
                },
            ),
            status_code=400,
        )

    def image_moderation_response(self) -> Response:
        return self.moderation_response()

    def invalid(self, message: str, param: str | None, code: str = "invalid_value") -> Response:
        return JSONResponse(azure_error(code, message, param=param), status_code=400)

    # -- the preview jobs API -------------------------------------------------------------

    def job_stage(self, job: Job) -> str:
        if job.cancelled:
            return "cancelled"
        fraction = job.progress(self.job_seconds)
        if fraction >= 1.0:
            return "succeeded" if job.outcome == "success" else "failed"
        for limit, stage in ((0.1, "queued"), (0.2, "preprocessing"), (0.6, "running")):
            if fraction < limit:
                return stage
        return "processing"

    def generation(self, job: Job, index: int) -> dict[str, Any]:
        body = job.input
        return {
            "object": "video.generation",
            "id": f"gen_{job.id}_{index}",
            "job_id": job.id,
            "created_at": int(job.created + self.job_seconds),
            "width": body["width"],
            "height": body["height"],
            "n_seconds": body["n_seconds"],
            "prompt": body["prompt"],
        }

    def job_object(self, job: Job) -> dict[str, Any]:
        body = job.input
        stage = self.job_stage(job)
        failure = None
        if stage == "failed":
            failure = "input_moderation" if job.outcome == "moderation" else "internal_error"
        done = stage in ("succeeded", "failed", "cancelled")
        return {
            "object": "video.generation.job",
            "id": job.id,
            "status": stage,
            "created_at": int(job.created),
            "finished_at": int(job.created + self.job_seconds) if done else None,
            "expires_at": int(job.created + 86400) if done else None,
            "generations": (
                [self.generation(job, i) for i in range(body["n_variants"])]
                if stage == "succeeded"
                else []
            ),
            "prompt": body["prompt"],
            "model": body["model"],
            "n_variants": body["n_variants"],
            "n_seconds": body["n_seconds"],
            "height": body["height"],
            "width": body["width"],
            "inpaint_items": body.get("inpaint_items"),
            "failure_reason": failure,
        }

    async def create_job(self, request: Request) -> Response:
        fault = await self.enter(request, "submit")
        if fault is not None:
            return fault
        if request.headers.get("content-type", "").startswith("multipart/form-data"):
            body = await self._form(request)
            self._record_body(request.url.path, dict(body))
            if isinstance(body.get("inpaint_items"), str):
                body["inpaint_items"] = json.loads(body["inpaint_items"])
        else:
            body = await request.json()
        if not isinstance(body, dict):
            return self.invalid("The request body must be a JSON object.", None)
        refused = self.check_fields(body, JOB_FIELDS)
        if refused is not None:
            return refused
        try:
            width, height = int(body["width"]), int(body["height"])
            n_seconds = int(body.get("n_seconds", 5))
            n_variants = int(body.get("n_variants", 1))
        except (KeyError, TypeError, ValueError):
            return self.invalid("width and height are required integers.", "width")
        if not body.get("model") or not body.get("prompt"):
            return self.invalid("model and prompt are required.", "prompt", "missing")
        if (width, height) not in SORA_1_DIMENSIONS:
            return self.invalid(f"Unsupported dimensions {width}x{height}.", "width")
        if not 1 <= n_seconds <= 20:
            return self.invalid("n_seconds must be between 1 and 20.", "n_seconds")
        limit = 1 if min(width, height) == 1080 else 2 if min(width, height) == 720 else 4
        if not 1 <= n_variants <= limit:
            return self.invalid(f"n_variants must be between 1 and {limit}.", "n_variants")
        if self.next_job_outcome == "moderation" and self.moderation_at == "submit":
            self.next_job_outcome = "success"
            return self.moderation_response()
        job = self.new_job(
            {
                **body,
                "width": width,
                "height": height,
                "n_seconds": n_seconds,
                "n_variants": n_variants,
            },
            "task_",
        )
        return JSONResponse(self.job_object(job))

    def _find_job(self, job_id: str) -> Job | None:
        job = self.jobs.get(job_id)
        return None if job is None or job_id in self.deleted else job

    def job_not_found(self, job_id: str) -> Response:
        return JSONResponse(
            azure_error("NotFound", f"The job {job_id} was not found."), status_code=404
        )

    async def get_job(self, request: Request) -> Response:
        fault = await self.enter(request, "status")
        if fault is not None:
            return fault
        job = self._find_job(request.path_params["job_id"])
        if job is None:
            return self.job_not_found(request.path_params["job_id"])
        return JSONResponse(self.job_object(job))

    async def delete_job(self, request: Request) -> Response:
        fault = await self.enter(request, "cancel")
        if fault is not None:
            return fault
        job_id = request.path_params["job_id"]
        job = self._find_job(job_id)
        if job is None:
            return self.job_not_found(job_id)
        job.cancelled = True
        self.deleted.add(job_id)
        return Response(status_code=204)

    def _generation_job(self, generation_id: str) -> tuple[Job, int] | None:
        match = re.fullmatch(r"gen_(task_[0-9a-f]+)_(\d+)", generation_id)
        if match is None:
            return None
        job = self._find_job(match.group(1))
        if job is None or self.job_stage(job) != "succeeded":
            return None
        index = int(match.group(2))
        return (job, index) if index < job.input["n_variants"] else None

    async def get_generation(self, request: Request) -> Response:
        fault = await self.enter(request, "generation")
        if fault is not None:
            return fault
        found = self._generation_job(request.path_params["generation_id"])
        if found is None:
            return self.job_not_found(request.path_params["generation_id"])
        return JSONResponse(self.generation(*found))

    async def content(self, request: Request) -> Response:
        fault = await self.enter(request, "result")
        if fault is not None:
            return fault
        if self._generation_job(request.path_params["generation_id"]) is None:
            return self.job_not_found(request.path_params["generation_id"])
        kind = request.path_params["kind"]
        if kind == "video":
            return FileResponse(SAMPLE_VIDEO, media_type="video/mp4")
        if kind == "thumbnail":
            return FileResponse(SAMPLE_THUMBNAIL, media_type="image/jpeg")
        return self.job_not_found(kind)
