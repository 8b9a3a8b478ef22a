"""fal: videos and images through fal's queue API (``queue.fal.run``).

One protocol serves every fal model: ``POST /{model_id}`` submits and answers
``{request_id, status_url, response_url, cancel_url}``; ``GET
/{app}/requests/{id}/status`` reports IN_QUEUE / IN_PROGRESS / COMPLETED (HTTP 202
while running, 200 when done); ``GET /{app}/requests/{id}`` returns the model's output,
or the failure as an error body; ``PUT …/cancel`` cancels. ``{app}`` is the model id
without its endpoint path (``fal-ai/veo3.1`` for ``fal-ai/veo3.1/fast``).

Why the calls go through :func:`adapters.http.call` rather than fal-client (1.0.3): the
client cannot be pointed at a host per call. Its queue host is read once, at import,
from ``FAL_QUEUE_RUN_HOST`` with ``https://`` fixed, and ``AsyncClient`` takes only
``key`` and ``default_timeout`` (its httpx client is a private cached property). It also
retries 408/409/429, connection errors and timeouts up to ten times inside every call,
with its own backoff and no way to turn that off short of changing module globals, and
fixes status/result/cancel timeouts at 120 s; so a 429 would never reach the router
with its Retry-After and ``request_timeout`` could not be honoured. fal-client is still
the authority for turning a model id into its queue app (:class:`fal_client.client.AppId`).

Uploaded images (:meth:`FalProvider.prepare_images`) always go to fal's storage
(:mod:`adapters.providers.fal_storage`, the CDN v3 upload fal_client makes) and the
model gets the file's URL. fal's CDN page (fal.ai/docs/documentation/model-apis/fal-cdn,
read 2026-12-03) says "some models also accept data URIs ... but URLs are the universal
format that works with every model" and calls the CDN "the recommended approach for file
inputs"; it documents no data URI size limit, so there is no threshold to apply: every
inline image is uploaded. ``provider_config.rest_url`` / ``cdn_url`` move the storage
hosts (defaults ``https://rest.fal.ai`` and ``https://v3.fal.media``, fal_client's).

Failures: fal never reports a FAILED status; a request that failed is COMPLETED and its
result answers with the error (a ``detail`` list for input/content errors, a
``detail`` string with ``error_type`` for infrastructure ones). So a COMPLETED poll reads
the result before saying "completed".
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urlsplit

from fal_client.client import AppId

from tarash_gateway.adapters import http
from tarash_gateway.adapters.base import ImageProvider, VideoProvider
from tarash_gateway.adapters.errors import (
    ContentModerationError,
    GenerationFailedError,
    HTTPError,
    ProviderAuthenticationError,
    RateLimitError,
    ValidationError,
)
from tarash_gateway.adapters.extras import merge_extra_params
from tarash_gateway.adapters.field_mappers import build_payload, lookup_mapping, protected_fields
from tarash_gateway.adapters.keys import find_api_key, require_api_key
from tarash_gateway.adapters.models import (
    ImageGenerationConfig,
    ImageGenerationRequest,
    ImageGenerationResponse,
    JobProgress,
    ProviderSettings,
    SubmittedJob,
    VideoGenerationConfig,
    VideoGenerationRequest,
    VideoGenerationResponse,
)
from tarash_gateway.adapters.polling import run_video_job
from tarash_gateway.adapters.providers import fal_storage
from tarash_gateway.adapters.providers.fal_family import PROVIDER
from tarash_gateway.adapters.providers.fal_images import build_image_payload
from tarash_gateway.adapters.providers.fal_models import GENERIC, SORA_REMIX_ENDPOINT
from tarash_gateway.adapters.providers.fal_veo_sora import SORA2_REMIX
from tarash_gateway.adapters.uploads import Publisher, images_as_urls, inline_image

DEFAULT_BASE_URL = "https://queue.fal.run"
ID_SEPARATOR = "::"
SORA_PREFIX = "fal-ai/sora-2"
FAILED_STATUSES = frozenset({"FAILED", "ERROR", "CANCELED", "CANCELLED"})
"""Not part of fal's documented lifecycle; treated as failures should they ever appear."""


def api_key(config: ProviderSettings) -> str:
    """The key from the config, else ``FAL_KEY``, else ``FAL_KEY_ID:FAL_KEY_SECRET``."""
    if key := find_api_key(config, ["FAL_KEY"]):
        return key
    key_id, secret = os.environ.get("FAL_KEY_ID"), os.environ.get("FAL_KEY_SECRET")
    if key_id and secret:
        return f"{key_id}:{secret}"
    return require_api_key(
        config, PROVIDER, ["FAL_KEY"], hint="FAL_KEY (or FAL_KEY_ID and FAL_KEY_SECRET)"
    )


def queue_app(model: str) -> str:
    """The ``{app}`` of status/result/cancel URLs: the model id without its endpoint path."""
    try:
        app = AppId.from_endpoint_id(model)
    except ValueError:
        raise ValidationError(
            f"not a fal model id: {model!r} (expected owner/app[/path])",
            param="model",
            provider=PROVIDER,
            model=model,
        ) from None
    namespace = f"{app.namespace}/" if app.namespace else ""
    return f"{namespace}{app.owner}/{app.alias}"


@dataclass(frozen=True)
class JobRef:
    """Everything needed to reach a queued request again, kept in its ``request_id``.

    Encoded as ``{app}::{fal request id}[::{requested seconds}]``: the app is taken from
    the ``response_url`` fal returned (as fal asks), and the requested length lets
    :meth:`FalProvider.fetch_video` report a duration after a restart.
    """

    app: str
    fal_id: str
    seconds: int | None = None

    def encode(self) -> str:
        parts = [self.app, self.fal_id]
        if self.seconds:
            parts.append(str(self.seconds))
        return ID_SEPARATOR.join(parts)

    @classmethod
    def decode(cls, request_id: str, model: str) -> JobRef:
        parts = request_id.split(ID_SEPARATOR)
        try:
            if len(parts) == 1:  # a bare fal id: its app follows from the model
                return cls(queue_app(model), _non_empty(parts[0]))
            if len(parts) in (2, 3):
                seconds = int(parts[2]) if len(parts) == 3 else None
                return cls(_non_empty(parts[0]), _non_empty(parts[1]), seconds)
        except ValueError:
            pass
        raise ValidationError(
            f"not a fal request id: {request_id!r}",
            param="video_id",
            provider=PROVIDER,
            model=model,
            request_id=request_id,
        )

    def url(self, base: str, suffix: str = "") -> str:
        return f"{base}/{quote(self.app)}/requests/{quote(self.fal_id, safe='')}{suffix}"


def _non_empty(value: str) -> str:
    if not value:
        raise ValueError("empty")
    return value


def _base_url(config: ProviderSettings) -> str:
    return (config.base_url or DEFAULT_BASE_URL).rstrip("/")


def _app_from_response_url(response_url: Any, base: str) -> str | None:
    """The app part of ``…/{app}/requests/{id}``, relative to the configured base."""
    if not isinstance(response_url, str):
        return None
    head, found, _ = urlsplit(response_url).path.rpartition("/requests/")
    if not found:
        return None
    prefix = urlsplit(base).path.rstrip("/")
    if prefix and head.startswith(prefix + "/"):
        head = head[len(prefix) :]
    return head.strip("/") or None


def is_moderation(status: int, body: Any) -> bool:
    """fal's content refusals: a ``content_policy_violation`` entry or error type."""
    if not isinstance(body, dict):
        return False
    if body.get("error_type") == "content_policy_violation":
        return True
    detail = body.get("detail")
    return isinstance(detail, list) and any(
        isinstance(item, dict) and item.get("type") == "content_policy_violation" for item in detail
    )


def _invalid_input(error: HTTPError) -> ValidationError:
    """A 422 with fal's field errors, named after the first field at fault."""
    detail = error.raw_response.get("detail") if isinstance(error.raw_response, dict) else None
    param = None
    if isinstance(detail, list) and detail and isinstance(detail[0], dict):
        location = detail[0].get("loc")
        if isinstance(location, list) and location:
            param = str(location[-1])
    return ValidationError(
        error.message,
        param=param,
        provider=error.provider,
        model=error.model,
        request_id=error.request_id,
        raw_response=error.raw_response,
    )


def _is_job_failure(body: Any) -> bool:
    """An error body fal stored as a request's outcome (rather than a gateway hiccup)."""
    return isinstance(body, dict) and ("detail" in body or "error_type" in body)


def storage_urls(config: ProviderSettings) -> tuple[str, str]:
    """(REST host, CDN host) for uploads: ``provider_config.rest_url`` / ``cdn_url``,
    else fal_client's own constants."""
    urls: list[str] = []
    for key, default in (("rest_url", fal_storage.REST_URL), ("cdn_url", fal_storage.CDN_URL)):
        value = config.provider_config.get(key, default)
        if not isinstance(value, str) or not value.startswith(("http://", "https://")):
            raise ValidationError(
                f"provider_config.{key} must be an http(s) URL, not {value!r}",
                param=f"provider_config.{key}",
                provider=PROVIDER,
                model=config.model,
            )
        urls.append(value.rstrip("/"))
    return urls[0], urls[1]


def _file_url(value: Any) -> str | None:
    if isinstance(value, dict):
        value = value.get("url")
    return value if isinstance(value, str) and value else None


class FalProvider(VideoProvider, ImageProvider):
    """fal's queue for every fal video and image model; stateless between calls."""

    name = PROVIDER

    # -- the one classified call -------------------------------------------------------

    async def _call(
        self,
        config: ProviderSettings,
        method: str,
        url: str,
        *,
        json_body: Any = None,
        request_id: str | None = None,
    ) -> Any:
        try:
            return await http.call(
                method,
                url,
                provider=PROVIDER,
                model=config.model,
                request_timeout=config.request_timeout,
                headers={"Authorization": f"Key {api_key(config)}"},
                json_body=json_body,
                request_id=request_id,
                moderation=is_moderation,
            )
        except HTTPError as error:
            if error.status_code == 422:
                raise _invalid_input(error) from None
            raise

    async def _submit(
        self,
        config: ProviderSettings,
        endpoint: str,
        payload: dict[str, Any],
        seconds: int | None,
    ) -> SubmittedJob:
        base = _base_url(config)
        derived_app = queue_app(endpoint)  # an impossible model id fails before any call
        body = await self._call(config, "POST", f"{base}/{endpoint}", json_body=payload)
        fal_id = body.get("request_id") if isinstance(body, dict) else None
        if not isinstance(fal_id, str) or not fal_id:
            raise HTTPError(
                "fal accepted the request but sent no request_id",
                status_code=502,
                provider=PROVIDER,
                model=config.model,
                raw_response=body,
            )
        app = _app_from_response_url(body.get("response_url"), base) or derived_app
        job = JobRef(app, fal_id, seconds)
        return SubmittedJob(request_id=job.encode(), raw_response=body)

    async def _result(
        self,
        config: ProviderSettings,
        job: JobRef,
        request_id: str,
    ) -> dict[str, Any]:
        """The request's output; a stored failure raises GenerationFailedError (or the
        moderation/validation error it was)."""
        try:
            body = await self._call(
                config, "GET", job.url(_base_url(config)), request_id=request_id
            )
        except (RateLimitError, ProviderAuthenticationError):
            raise
        except HTTPError as error:
            if error.status_code == 404 or not _is_job_failure(error.raw_response):
                raise
            raise GenerationFailedError(
                f"fal reported the request failed: {http.error_message(error.raw_response, '')}",
                provider=PROVIDER,
                model=config.model,
                request_id=request_id,
                raw_response=error.raw_response,
            ) from None
        if not isinstance(body, dict):
            raise HTTPError(
                "fal sent a result that is not a JSON object",
                status_code=502,
                provider=PROVIDER,
                model=config.model,
                request_id=request_id,
                raw_response=body,
            )
        return body

    async def _progress(
        self,
        config: ProviderSettings,
        request_id: str,
    ) -> JobProgress:
        job = JobRef.decode(request_id, config.model)
        base = _base_url(config)
        # ?logs=false as fal-client 1.0.3 sends it (status(with_logs=False)): the same
        # request the official client makes, and no log lines in every poll answer.
        url = job.url(base, "/status") + "?logs=false"
        body = await self._call(config, "GET", url, request_id=request_id)
        status = body.get("status") if isinstance(body, dict) else None
        if not isinstance(status, str):
            raise HTTPError(
                "fal sent a status answer without a status",
                status_code=502,
                provider=PROVIDER,
                model=config.model,
                request_id=request_id,
                raw_response=body,
            )
        if status == "IN_QUEUE":
            return JobProgress(status="queued", raw_response=body)
        if status == "COMPLETED":
            try:
                await self._result(config, job, request_id)
            except (GenerationFailedError, ContentModerationError, ValidationError) as failure:
                return JobProgress(
                    status="failed", error=failure, raw_response=failure.raw_response
                )
            return JobProgress(status="completed", progress=100, raw_response=body)
        if status in FAILED_STATUSES:
            stopped = GenerationFailedError(
                f"fal reported the request as {status}",
                provider=PROVIDER,
                model=config.model,
                request_id=request_id,
                raw_response=body,
            )
            return JobProgress(status="failed", error=stopped, raw_response=body)
        # IN_PROGRESS, or a status newer than this adapter: keep polling.
        return JobProgress(status="in_progress", raw_response=body)

    # -- videos ------------------------------------------------------------------------

    def _video_payload(
        self, config: VideoGenerationConfig, request: VideoGenerationRequest
    ) -> dict[str, Any]:
        """The submit body for ``request``; a ValidationError before any call otherwise."""
        if request.number_of_videos != 1:
            raise ValidationError(
                "fal models make one video per request",
                param="number_of_videos",
                provider=PROVIDER,
                model=config.model,
            )
        mapping = lookup_mapping(PROVIDER, config.model) or GENERIC
        payload = build_payload(mapping, request, provider=PROVIDER, model=config.model)
        if self.supports_remix(config):
            # fal deletes Sora videos after generation unless told otherwise, which would
            # make every later remix fail; the caller can still send delete_video=true.
            payload.setdefault("delete_video", False)
        return payload

    async def prepare_images(
        self,
        config: VideoGenerationConfig,
        request: VideoGenerationRequest,
        publisher: Publisher | None,
    ) -> VideoGenerationRequest:
        """Every uploaded (inline) image goes to fal storage; the model gets its URL (see
        the module docstring for why always). The request is checked first, so one the
        adapter refuses uploads nothing; ``publisher`` is not needed."""
        if all(inline_image(item.image) is None for item in request.image_list):
            return request
        self._video_payload(config, request)
        rest_url, cdn_url = storage_urls(config)
        key = api_key(config)

        async def upload(data: bytes, content_type: str) -> str:
            return await fal_storage.upload(
                data,
                content_type,
                api_key=key,
                model=config.model,
                request_timeout=config.request_timeout,
                rest_url=rest_url,
                cdn_url=cdn_url,
            )

        return await images_as_urls(
            request, provider=PROVIDER, model=config.model, publisher=publisher, upload=upload
        )

    async def submit_video(
        self, config: VideoGenerationConfig, request: VideoGenerationRequest
    ) -> SubmittedJob:
        payload = self._video_payload(config, request)
        return await self._submit(config, config.model, payload, request.duration_seconds)

    async def poll_video(self, config: VideoGenerationConfig, request_id: str) -> JobProgress:
        return await self._progress(config, request_id)

    async def fetch_video(
        self, config: VideoGenerationConfig, request_id: str
    ) -> VideoGenerationResponse:
        job = JobRef.decode(request_id, config.model)
        result = await self._result(config, job, request_id)
        video = result.get("video")
        if video is None and isinstance(result.get("videos"), list) and result["videos"]:
            video = result["videos"][0]
        url = _file_url(video)
        if url is None:
            raise GenerationFailedError(
                "fal finished the request but its result holds no video",
                provider=PROVIDER,
                model=config.model,
                request_id=request_id,
                raw_response=result,
            )
        details = video if isinstance(video, dict) else {}
        reported = details.get("duration", result.get("duration"))
        if isinstance(reported, int | float):
            duration: float | None = float(reported)
        else:  # fal rarely reports it; the requested length is what was paid for
            duration = float(job.seconds) if job.seconds else None
        metadata = {
            "fal_request_id": job.fal_id,
            "app": job.app,
            "seed": result.get("seed"),
            "video_id": result.get("video_id"),
            "file_size": details.get("file_size"),
        }
        return VideoGenerationResponse(
            request_id=request_id,
            video=url,
            thumbnail=_file_url(result.get("thumbnail")),
            status="completed",
            duration=duration,
            content_type=str(details.get("content_type") or "video/mp4"),
            raw_response=result,
            provider_metadata={key: value for key, value in metadata.items() if value is not None},
        )

    async def cancel_video(self, config: VideoGenerationConfig, request_id: str) -> None:
        job = JobRef.decode(request_id, config.model)
        url = job.url(_base_url(config), "/cancel")
        try:
            await self._call(config, "PUT", url, request_id=request_id)
        except HTTPError as error:
            body = error.raw_response
            if isinstance(body, dict) and body.get("status") == "ALREADY_COMPLETED":
                return  # nothing left to stop
            raise

    def supports_remix(self, config: VideoGenerationConfig) -> bool:
        """Sora 2 videos can be remixed through fal's video-to-video/remix endpoint."""
        return config.model.startswith(SORA_PREFIX)

    async def remix_video(
        self,
        config: VideoGenerationConfig,
        source_request_id: str,
        request: VideoGenerationRequest,
    ) -> SubmittedJob:
        if not self.supports_remix(config):
            return await super().remix_video(config, source_request_id, request)
        source = JobRef.decode(source_request_id, config.model)
        result = await self._result(config, source, source_request_id)
        video_id = result.get("video_id")
        if not isinstance(video_id, str) or not video_id:
            raise ValidationError(
                "the source video has no Sora video_id, so fal cannot remix it",
                param="video_id",
                provider=PROVIDER,
                model=config.model,
                request_id=source_request_id,
                raw_response=result,
            )
        payload: dict[str, Any] = {
            "video_id": video_id,
            "prompt": request.prompt,
            "delete_video": False,
        }
        merge_extra_params(
            payload,
            request.extra_params,
            protected={**protected_fields(SORA2_REMIX), "video_id": None},
            provider=PROVIDER,
            model=config.model,
            overridable=("delete_video",),
        )
        return await self._submit(config, SORA_REMIX_ENDPOINT, payload, source.seconds)

    # -- images ------------------------------------------------------------------------

    async def generate_image(
        self, config: ImageGenerationConfig, request: ImageGenerationRequest
    ) -> ImageGenerationResponse:
        """Queue the image job and drive it through the shared poll loop."""
        payload = build_image_payload(request, model=config.model)
        loop_config = VideoGenerationConfig.model_validate(
            config.model_dump(exclude={"fallback_configs"})
        )
        finished = await run_video_job(
            _ImageJob(self, config, payload),
            loop_config,
            VideoGenerationRequest(prompt=request.prompt),
        )
        result = finished.raw_response if isinstance(finished.raw_response, dict) else {}
        files = [item for item in result.get("images") or [] if _file_url(item)]
        if not files:
            raise GenerationFailedError(
                "fal finished the request but its result holds no image",
                provider=PROVIDER,
                model=config.model,
                request_id=finished.request_id,
                raw_response=result,
            )
        flags = result.get("has_nsfw_concepts")
        if isinstance(flags, list) and flags and all(flag is True for flag in flags):
            raise ContentModerationError(
                "fal's safety checker blanked every image",
                provider=PROVIDER,
                model=config.model,
                request_id=finished.request_id,
                raw_response=result,
            )
        first = files[0] if isinstance(files[0], dict) else {}
        return ImageGenerationResponse(
            request_id=finished.request_id,
            images=[url for url in map(_file_url, files) if url],
            content_type=str(first.get("content_type") or "image/jpeg"),
            raw_response=result,
            provider_metadata={"seed": result.get("seed")} if "seed" in result else {},
        )


class _ImageJob(VideoProvider):
    """One image request seen as a job, so images share :func:`run_video_job`'s loop
    (timeout, poll budget, cancel on give-up) instead of growing a second one."""

    name = PROVIDER

    def __init__(
        self, fal: FalProvider, config: ImageGenerationConfig, payload: dict[str, Any]
    ) -> None:
        self._fal = fal
        self._config = config
        self._payload = payload

    async def submit_video(
        self, config: VideoGenerationConfig, request: VideoGenerationRequest
    ) -> SubmittedJob:
        return await self._fal._submit(self._config, self._config.model, self._payload, None)

    async def poll_video(self, config: VideoGenerationConfig, request_id: str) -> JobProgress:
        return await self._fal._progress(self._config, request_id)

    async def fetch_video(
        self, config: VideoGenerationConfig, request_id: str
    ) -> VideoGenerationResponse:
        job = JobRef.decode(request_id, self._config.model)
        result = await self._fal._result(self._config, job, request_id)
        return VideoGenerationResponse(request_id=request_id, raw_response=result)

    async def cancel_video(self, config: VideoGenerationConfig, request_id: str) -> None:
        await self._fal.cancel_video(config, request_id)


__all__ = [
    "DEFAULT_BASE_URL",
    "FalProvider",
    "JobRef",
    "api_key",
    "is_moderation",
    "queue_app",
]
