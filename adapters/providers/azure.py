"""Azure OpenAI video (and image) generation, in both of the APIs Azure has shipped.

- ``provider_config: {api: videos}`` (the default): Sora 2 deployments speak the OpenAI
  videos API under ``{endpoint}/openai/v1/videos``, so this is the ``openai`` provider
  pointed there, with Azure's ``api-key`` header and ``api-version`` query
  (``config.api_version``, default ``preview``). Images go to
  ``{endpoint}/openai/v1/images/generations`` the same way.
- ``provider_config: {api: preview-jobs}``: the earlier Sora (1) preview jobs API,
  ``POST {endpoint}/openai/v1/video/generations/jobs`` with ``width``/``height``/
  ``n_seconds``/``n_variants``; results are per generation at
  ``…/video/generations/{generation_id}/content/video``. No SDK covers it, so it goes
  through :func:`adapters.http.call`.

``config.model`` is the Azure *deployment* name; since deployments can be named
anything, ``provider_config: {model_family: sora-2-pro}`` picks the field mapper when
the name does not start with the model's own.
"""

from __future__ import annotations

import json
import os
from typing import Any, Literal, cast
from urllib.parse import quote, urlencode

import aiohttp
from openai import AsyncOpenAI

from tarash_gateway.adapters.base import VideoProvider, with_result
from tarash_gateway.adapters.errors import (
    ContentModerationError,
    GenerationFailedError,
    HTTPError,
    TarashError,
    ValidationError,
)
from tarash_gateway.adapters.field_mappers import (
    Capabilities,
    FieldMap,
    ModelMapping,
    build_payload,
    lookup_mapping,
    register_provider_field_mapping,
)
from tarash_gateway.adapters.http import call, scrub
from tarash_gateway.adapters.models import (
    JobProgress,
    JobStatus,
    ProviderSettings,
    SubmittedJob,
    VideoGenerationConfig,
    VideoGenerationRequest,
    VideoGenerationResponse,
)
from tarash_gateway.adapters.providers.openai import OpenAIProvider, http_client
from tarash_gateway.adapters.providers.openai_errors import is_moderation
from tarash_gateway.adapters.providers.openai_forms import decode_image
from tarash_gateway.adapters.providers.openai_models import (
    DEFAULT_ASPECT_RATIO,
    DEFAULT_RESOLUTION,
    GENERIC,
    OPENAI_SIZES,
    SORA_2,
    SORA_2_PRO,
    SizeTable,
    longest_prefix,
)
from tarash_gateway.adapters.sizes import describe_size

DEFAULT_API_VERSION = "preview"
ApiMode = Literal["videos", "preview-jobs"]

AZURE_MAPPINGS: dict[str, ModelMapping] = {
    # Azure documents 720x1280 / 1280x720 and 4, 8, 12 s for Sora 2 (Sora 2 Pro: the
    # OpenAI sizes, as Azure rolls it out).
    "sora-2": SORA_2,
    "sora-2-pro": SORA_2_PRO,
    "": GENERIC,
}
register_provider_field_mapping("azure", AZURE_MAPPINGS)

SORA_1_SIZES: SizeTable = {
    ("480p", "1:1"): "480x480",
    ("480p", "16:9"): "854x480",
    ("480p", "9:16"): "480x854",
    ("720p", "1:1"): "720x720",
    ("720p", "16:9"): "1280x720",
    ("720p", "9:16"): "720x1280",
    ("1080p", "1:1"): "1080x1080",
    ("1080p", "16:9"): "1920x1080",
    ("1080p", "9:16"): "1080x1920",
}
SORA_1_MAX_VARIANTS = {"1080p": 1, "720p": 2, "480p": 4}
"""Azure: no variants at 1080p, at most two at 720p, four otherwise."""

SORA_1_JOBS = ModelMapping(
    # Not registered by prefix: the preview jobs API is chosen by provider_config, and
    # a "sora" prefix would also catch Sora 2 deployments named "sora-…".
    fields=(
        FieldMap("prompt", "prompt", required=True),
        FieldMap("duration_seconds", "n_seconds"),
        FieldMap("number_of_videos", "n_variants"),
    ),
    capabilities=Capabilities(
        durations=tuple(range(1, 21)),
        resolutions=("480p", "720p", "1080p"),
        aspect_ratios=("1:1", "16:9", "9:16"),
        image_roles=("first_frame",),
        # n_seconds defaults to 5 (Microsoft's v1 preview reference, "Video generation
        # jobs - Create": n_seconds default 5, n_variants default 1). width and height are
        # required there with no default; the gateway sends 720x1280, the size Azure's
        # Sora 2 defaults to, so a request naming neither is never refused.
        default_duration=5,
        default_resolution=DEFAULT_RESOLUTION,
        default_aspect_ratio=DEFAULT_ASPECT_RATIO,
    ),
    image_fields={"first_frame": "inpaint_items"},
    duration_format="int",
    reserved={"size": "size", "width": "size", "height": "size"},
)

_JOB_STATUS: dict[str, tuple[str, int]] = {
    # The jobs API reports no percentage: a coarse one by stage.
    "queued": ("queued", 0),
    "preprocessing": ("queued", 5),
    "running": ("in_progress", 30),
    "processing": ("in_progress", 80),
    "succeeded": ("completed", 100),
}


class AzureProvider(OpenAIProvider):
    """Azure OpenAI: the v1 videos API (as the ``openai`` provider calls it), or the
    preview jobs API."""

    name = "azure"
    env_key = "AZURE_OPENAI_API_KEY"
    auth_scheme = "api-key"

    # -- configuration ---------------------------------------------------------------------

    def api_mode(self, config: ProviderSettings) -> ApiMode:
        api = config.provider_config.get("api", "videos")
        if api not in ("videos", "preview-jobs"):
            raise ValidationError(
                f"unknown Azure video API {api!r}; expected 'videos' or 'preview-jobs'",
                param="provider_config.api",
                provider=self.name,
                model=config.model,
            )
        return "videos" if api == "videos" else "preview-jobs"

    def endpoint(self, config: ProviderSettings) -> str:
        """The resource endpoint (``https://<name>.openai.azure.com``), however given."""
        url = (config.base_url or os.environ.get("AZURE_OPENAI_ENDPOINT") or "").rstrip("/")
        if not url:
            raise ValidationError(
                "no endpoint for azure: set base_url or AZURE_OPENAI_ENDPOINT",
                param="base_url",
                provider=self.name,
                model=config.model,
            )
        for suffix in ("/openai/v1", "/openai"):
            if url.endswith(suffix):
                return url[: -len(suffix)]
        return url

    def base_url(self, config: ProviderSettings) -> str:
        return f"{self.endpoint(config)}/openai/v1"

    def default_query(self, config: ProviderSettings) -> dict[str, str]:
        return {"api-version": config.api_version or DEFAULT_API_VERSION}

    def auth_headers(self, config: ProviderSettings) -> dict[str, str]:
        return {"api-key": self.api_key(config)}

    def api_headers(self, config: ProviderSettings) -> dict[str, str]:
        """What ``openai.AzureOpenAI(api_key=..., base_url={endpoint}/openai/v1)`` sends on
        a video call (openai 3.60, ``lib/azure.py`` ``_auth_headers``): the key as
        ``api-key`` and no ``Authorization``; Azure reads a bearer token as an Entra ID
        token, so the key never goes there."""
        return {"Accept": "application/json", **self.auth_headers(config)}

    def new_client(self, config: ProviderSettings, key: str, base_url: str) -> AsyncOpenAI:
        # The plain client, not AzureOpenAI: the latter rewrites image calls to the older
        # /deployments/{name}/ paths, which the v1 surface does not use. Azure's v1 API
        # takes the key as ``api-key`` (and as a bearer token, as Microsoft's own
        # examples for this client send it).
        return AsyncOpenAI(
            api_key=key,
            base_url=base_url,
            default_headers={"api-key": key},
            default_query=self.default_query(config),
            max_retries=0,
            http_client=http_client(),
        )

    def _family(self, config: ProviderSettings) -> str:
        family = config.provider_config.get("model_family")
        return family if isinstance(family, str) and family else config.model

    def mapping(self, config: ProviderSettings) -> ModelMapping:
        if self.api_mode(config) == "preview-jobs":
            return SORA_1_JOBS
        mapping = lookup_mapping(self.name, self._family(config))
        return mapping if mapping is not None else GENERIC

    def size_table(self, config: ProviderSettings) -> SizeTable | None:
        if self.api_mode(config) == "preview-jobs":
            return SORA_1_SIZES
        return longest_prefix(OPENAI_SIZES, self._family(config))

    # -- dispatch by API ---------------------------------------------------------------

    async def submit_video(
        self, config: VideoGenerationConfig, request: VideoGenerationRequest
    ) -> SubmittedJob:
        if self.api_mode(config) == "videos":
            return await super().submit_video(config, request)
        return await self._submit_job(config, request)

    async def poll_video(self, config: VideoGenerationConfig, request_id: str) -> JobProgress:
        if self.api_mode(config) == "videos":
            return await super().poll_video(config, request_id)
        job = await self._get_job(config, request_id)
        progress = self._job_progress(config, request_id, job)
        return with_result(progress, lambda: self._job_result(config, request_id, job))

    async def fetch_video(
        self, config: VideoGenerationConfig, request_id: str
    ) -> VideoGenerationResponse:
        if self.api_mode(config) == "videos":
            return await super().fetch_video(config, request_id)
        return await self._fetch_job(config, request_id)

    async def cancel_video(self, config: VideoGenerationConfig, request_id: str) -> None:
        if self.api_mode(config) == "videos":
            return await super().cancel_video(config, request_id)
        try:
            await self._jobs_call(
                config, "DELETE", f"/jobs/{quote(request_id, safe='')}", request_id=request_id
            )
        except HTTPError as error:
            if error.status_code != 404:
                raise
        return None

    def supports_remix(self, config: VideoGenerationConfig) -> bool:
        return self.api_mode(config) == "videos"

    async def remix_video(
        self,
        config: VideoGenerationConfig,
        source_request_id: str,
        request: VideoGenerationRequest,
    ) -> SubmittedJob:
        if self.api_mode(config) == "videos":
            return await super().remix_video(config, source_request_id, request)
        return await VideoProvider.remix_video(self, config, source_request_id, request)

    # -- the preview jobs API ----------------------------------------------------------

    async def _jobs_call(
        self,
        config: ProviderSettings,
        method: str,
        path: str,
        *,
        json_body: Any = None,
        data: Any = None,
        request_id: str | None = None,
    ) -> Any:
        """One call under ``/openai/v1/video/generations``, classified by ``call``."""
        try:
            return await call(
                method,
                f"{self.base_url(config)}/video/generations{path}",
                provider=self.name,
                model=config.model,
                request_timeout=config.request_timeout,
                headers=self.auth_headers(config),
                params=self.default_query(config),
                json_body=json_body,
                data=data,
                request_id=request_id,
                moderation=is_moderation,
            )
        except TarashError as error:
            secret = self.api_key(config)  # never keep a key the upstream echoed
            error.message = scrub(error.message, secret)
            error.args = (error.message,)
            error.raw_response = scrub(error.raw_response, secret)
            raise

    def build_job(
        self, config: VideoGenerationConfig, request: VideoGenerationRequest
    ) -> dict[str, Any]:
        """The jobs API body: validated, sized and with its image (if any) decoded."""
        payload = build_payload(SORA_1_JOBS, request, provider=self.name, model=config.model)
        resolution = request.resolution or DEFAULT_RESOLUTION
        aspect = request.aspect_ratio or DEFAULT_ASPECT_RATIO
        # The table's size, always: extras may not set size, width or height.
        width, height = SORA_1_SIZES[(resolution, aspect)].split("x")
        payload["width"], payload["height"] = int(width), int(height)
        payload["model"] = config.model
        limit = SORA_1_MAX_VARIANTS.get(resolution, 4)
        if request.number_of_videos > limit:
            raise ValidationError(
                f"{config.model} makes at most {limit} variant(s) at {resolution}",
                param="n",
                provider=self.name,
                model=config.model,
            )
        image = payload.get("inpaint_items")
        if isinstance(image, str):  # the first_frame image
            del payload["inpaint_items"]
            decoded = decode_image(image)
            if decoded is None:
                raise ValidationError(
                    "the preview jobs API needs the first frame inline (a data: URL or "
                    "base64); the gateway does not fetch image URLs for it",
                    param="image_list",
                    provider=self.name,
                    model=config.model,
                )
            payload["__image__"] = decoded
        return payload

    async def _submit_job(
        self, config: VideoGenerationConfig, request: VideoGenerationRequest
    ) -> SubmittedJob:
        payload = self.build_job(config, request)
        image = payload.pop("__image__", None)
        if image is None:
            job = await self._jobs_call(config, "POST", "/jobs", json_body=payload)
        else:
            job = await self._jobs_call(config, "POST", "/jobs", data=_job_form(payload, image))
        if not isinstance(job, dict) or not isinstance(job.get("id"), str):
            raise HTTPError(
                f"{self.name} accepted the job without an id",
                status_code=502,
                provider=self.name,
                model=config.model,
                raw_response=job,
            )
        return SubmittedJob(request_id=job["id"], raw_response=job)

    async def _get_job(self, config: ProviderSettings, job_id: str) -> dict[str, Any]:
        path = f"/jobs/{quote(job_id, safe='')}"
        job = await self._jobs_call(config, "GET", path, request_id=job_id)
        if not isinstance(job, dict):
            raise HTTPError(
                f"{self.name} answered with an unexpected job shape",
                status_code=502,
                provider=self.name,
                model=config.model,
                request_id=job_id,
                raw_response=job,
            )
        return job

    def _job_progress(
        self, config: ProviderSettings, job_id: str, job: dict[str, Any]
    ) -> JobProgress:
        status = str(job.get("status") or "")
        known = _JOB_STATUS.get(status)
        if known is not None:
            unified, progress = known
            return JobProgress(status=cast(JobStatus, unified), progress=progress, raw_response=job)
        reason = str(job.get("failure_reason") or status or "unknown_status")
        common: dict[str, Any] = {
            "provider": self.name,
            "model": config.model,
            "request_id": job_id,
            "raw_response": job,
        }
        message = f"{self.name} job {job_id} {status or 'ended'} ({reason})"
        error: TarashError = (
            ContentModerationError(message, **common)
            if "moderation" in reason.lower()
            else GenerationFailedError(message, **common)
        )
        return JobProgress(status="failed", error=error, raw_response=job)

    def _generation_url(self, config: ProviderSettings, generation_id: str, kind: str) -> str:
        generation = quote(generation_id, safe="")
        query = urlencode(self.default_query(config))
        return f"{self.base_url(config)}/video/generations/{generation}/content/{kind}?{query}"

    async def _fetch_job(
        self, config: VideoGenerationConfig, job_id: str
    ) -> VideoGenerationResponse:
        return self._job_result(config, job_id, await self._get_job(config, job_id))

    def _job_result(
        self, config: VideoGenerationConfig, job_id: str, job: dict[str, Any]
    ) -> VideoGenerationResponse:
        """The result a finished job describes, or why it has none."""
        progress = self._job_progress(config, job_id, job)
        if progress.status != "completed":
            raise self._unfinished(config, job_id, job, progress)
        generations = [g for g in job.get("generations") or [] if isinstance(g, dict)]
        ids = [str(g["id"]) for g in generations if g.get("id")]
        if not ids:
            raise GenerationFailedError(
                f"{self.name} job {job_id} succeeded without generations",
                provider=self.name,
                model=config.model,
                request_id=job_id,
                raw_response=job,
            )
        first = generations[0]
        width = first.get("width") or job.get("width")
        height = first.get("height") or job.get("height")
        size = f"{width}x{height}" if width and height else None
        resolution, aspect = describe_size(size)
        seconds = first.get("n_seconds") or job.get("n_seconds")
        videos = [self._generation_url(config, gid, "video") for gid in ids]
        return VideoGenerationResponse(
            request_id=job_id,
            video=videos[0],
            thumbnail=self._generation_url(config, ids[0], "thumbnail"),
            status="completed",
            duration=float(seconds) if isinstance(seconds, int | float) else None,
            resolution=resolution,
            aspect_ratio=aspect,
            content_type="video/mp4",
            raw_response=job,
            provider_metadata={
                "auth": self.auth_scheme,
                "api": "preview-jobs",
                "upstream_id": job_id,
                "generation_ids": ids,
                "variants": videos,
                "size": size,
                "expires_at": job.get("expires_at"),
            },
        )


def _job_form(payload: dict[str, Any], image: tuple[bytes, str]) -> aiohttp.FormData:
    """A multipart jobs body: the fields, the image as ``files`` and an ``inpaint_items``
    entry placing it at frame 0 (the first frame)."""
    data, mime = image
    filename = "first_frame." + {"image/png": "png", "image/webp": "webp"}.get(mime, "jpg")
    form = aiohttp.FormData()
    for key, value in payload.items():
        form.add_field(key, str(value))
    items = [{"frame_index": 0, "type": "image", "file_name": filename}]
    form.add_field("inpaint_items", json.dumps(items))
    form.add_field("files", data, filename=filename, content_type=mime)
    return form
