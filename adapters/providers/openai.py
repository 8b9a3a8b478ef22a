"""Any upstream that speaks the OpenAI videos API, as the official ``openai`` SDK speaks it.

OpenAI's own Sora API closed on 2026-09-24, so ``provider: openai`` means *any* server
speaking that API (another gateway, a self-hosted model server, Azure's v1 surface):
``base_url`` says where it lives.

The video calls (create, retrieve, delete, remix) are on the gateway's hot path, so they
go over the loop's pooled ``aiohttp`` session (:func:`adapters.http.call`) with the bytes
the SDK would send: the SDK's request options, httpx layers and pydantic parsing made up
most of the CPU a gateway create spent in its provider call (about 2.5 ms of CPU per
create + retrieve, against 0.3 ms now). Image generation is not hot and still goes
through ``openai.AsyncOpenAI``, with the SDK's own retries off (``max_retries=0``).
There are no retries here either way: retrying and falling back is the router's job,
and it needs every failure classified, which :meth:`OpenAIProvider._request` (videos)
and :meth:`OpenAIProvider._call` (images) do with the same classes
(:func:`adapters.http.classify_status`).

The request id is the upstream's video id, so a restarted gateway polls the same job
with nothing but the config. Result bytes need the upstream's credentials, so
``fetch_video`` returns the upstream content URL and :meth:`download_headers` supplies
the auth header for exactly that origin.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import os
import secrets
import warnings
from collections.abc import Awaitable, Callable
from typing import Any, ClassVar, TypeVar, cast
from urllib.parse import quote, urlencode, urlsplit

import openai
from openai import AsyncOpenAI

from tarash_gateway.adapters.base import ImageProvider, VideoProvider, with_result
from tarash_gateway.adapters.defaults import resolve_request
from tarash_gateway.adapters.errors import (
    ContentModerationError,
    GenerationFailedError,
    HTTPError,
    ProviderConnectionError,
    TarashError,
    ValidationError,
)
from tarash_gateway.adapters.extras import IMAGE_PARAMS, check_extra_params, merge_extra_params
from tarash_gateway.adapters.field_mappers import (
    Capabilities,
    ModelMapping,
    build_payload,
    lookup_mapping,
    protected_fields,
)
from tarash_gateway.adapters.http import (
    aclose_sessions,
    call,
    classify_status,
    scrub,
)
from tarash_gateway.adapters.keys import require_api_key
from tarash_gateway.adapters.models import (
    ImageGenerationConfig,
    ImageGenerationRequest,
    ImageGenerationResponse,
    JobProgress,
    JobStatus,
    ProviderSettings,
    SubmittedJob,
    VideoGenerationConfig,
    VideoGenerationRequest,
    VideoGenerationResponse,
)
from tarash_gateway.adapters.providers.image_size import image_size
from tarash_gateway.adapters.providers.openai_errors import (
    is_moderation,
    status_body,
)
from tarash_gateway.adapters.providers.openai_forms import (
    create_form,
    input_reference,
    path_segment,
)
from tarash_gateway.adapters.providers.openai_models import (
    DEFAULT_ASPECT_RATIO,
    DEFAULT_BASE_URL,
    DEFAULT_RESOLUTION,
    GENERIC,
    GENERIC_IMAGES,
    IMAGE_FAMILIES,
    OPENAI_SIZES,
    SizeTable,
    longest_prefix,
)
from tarash_gateway.adapters.providers.openai_shutdown import (
    SHUTDOWN_STATUSES,
    config_warnings,
    targets_openai,
    videos_shut_down,
)
from tarash_gateway.adapters.sizes import describe_size, formula_size

# Every ``client.videos`` method carries a deprecation note because OpenAI's own Sora
# API closed; keeping that API alive is this provider's purpose, so the note is noise.
warnings.filterwarnings("ignore", message="The Sora API", category=DeprecationWarning)

T = TypeVar("T")

# -- the client cache ------------------------------------------------------------------------


class ClientCache:
    """One ``AsyncOpenAI`` (for images) per (credentials, base URL, query) and event loop.

    The SDK's connection pool belongs to the loop it was first used on, so a client is
    never shared across loops; clients of closed loops are dropped.
    """

    def __init__(self) -> None:
        self._loops: dict[int, tuple[asyncio.AbstractEventLoop, dict[tuple[Any, ...], Any]]] = {}

    def get(self, key: tuple[Any, ...], factory: Callable[[], T]) -> T:
        loop = asyncio.get_running_loop()
        entry = self._loops.get(id(loop))
        if entry is None or entry[0] is not loop:
            for loop_id, (other, _clients) in list(self._loops.items()):
                if other.is_closed():
                    del self._loops[loop_id]
            entry = (loop, {})
            self._loops[id(loop)] = entry
        clients = entry[1]
        if key not in clients:
            clients[key] = factory()
        return cast(T, clients[key])

    async def aclose(self) -> None:
        entry = self._loops.pop(id(asyncio.get_running_loop()), None)
        for client in entry[1].values() if entry is not None else ():
            await client.close()


def http_client() -> openai.DefaultAsyncHttpxClient:
    """The SDK's default HTTP client, passed explicitly: the SDK's implicit one closes
    itself on garbage collection by scheduling a task on whatever loop is running then,
    which fails noisily for a client whose own loop has already closed."""
    return openai.DefaultAsyncHttpxClient()


def _origin(url: str) -> tuple[str, str, int | None]:
    parts = urlsplit(url)
    port = parts.port or {"http": 80, "https": 443}.get(parts.scheme)
    return parts.scheme, (parts.hostname or "").lower(), port


# -- the provider ------------------------------------------------------------------------------


class OpenAIProvider(VideoProvider, ImageProvider):
    """Videos (over the pooled session) and images (via ``openai.AsyncOpenAI``) from any
    OpenAI-API upstream."""

    name = "openai"
    env_key: ClassVar[str] = "OPENAI_API_KEY"
    auth_scheme: ClassVar[str] = "bearer"

    def __init__(self) -> None:
        self._clients = ClientCache()

    def config_warnings(self, config: VideoGenerationConfig) -> list[str]:
        return config_warnings(config)

    # -- configuration ---------------------------------------------------------------------

    def api_key(self, config: ProviderSettings) -> str:
        """The key from the config, else the provider's standard environment variable."""
        return require_api_key(config, self.name, [self.env_key])

    def base_url(self, config: ProviderSettings) -> str:
        """The API root (ending in ``/v1`` by convention); a bare host gets ``/v1``."""
        url = (config.base_url or os.environ.get("OPENAI_BASE_URL") or DEFAULT_BASE_URL).rstrip("/")
        return url if urlsplit(url).path else f"{url}/v1"

    def default_query(self, config: ProviderSettings) -> dict[str, str]:
        """Query parameters every call carries, set on the client (Azure: ``api-version``)."""
        return {}

    def auth_headers(self, config: ProviderSettings) -> dict[str, str]:
        """The credentials header for this upstream (used for downloads)."""
        return {"Authorization": f"Bearer {self.api_key(config)}"}

    def api_headers(self, config: ProviderSettings) -> dict[str, str]:
        """The headers of a video call, as the SDK client sends them: its bearer token,
        plus the upstream's own credentials header where it has one (Azure's ``api-key``,
        set on Azure's client as a default header)."""
        return {
            "Accept": "application/json",
            "Authorization": f"Bearer {self.api_key(config)}",
            **self.auth_headers(config),
        }

    def api_url(self, config: ProviderSettings, path: str) -> str:
        """``path`` under the API root, with the query every call carries."""
        query = self.default_query(config)
        url = f"{self.base_url(config)}{path}"
        return f"{url}?{urlencode(query)}" if query else url

    def new_client(self, config: ProviderSettings, key: str, base_url: str) -> AsyncOpenAI:
        return AsyncOpenAI(api_key=key, base_url=base_url, max_retries=0, http_client=http_client())

    async def aclose(self) -> None:
        """Close the clients this event loop uses (e.g. at application shutdown): the SDK
        clients, and the loop's pooled session that every HTTP adapter shares (a later
        call on this loop simply opens a new one)."""
        await self._clients.aclose()
        await aclose_sessions()

    def client(self, config: ProviderSettings) -> AsyncOpenAI:
        key = self.api_key(config)
        base_url = self.base_url(config)
        cache_key = (
            type(self).__name__,
            hashlib.sha256(key.encode()).hexdigest(),
            base_url,
            tuple(sorted(self.default_query(config).items())),
        )
        return self._clients.get(cache_key, lambda: self.new_client(config, key, base_url))

    def mapping(self, config: ProviderSettings) -> ModelMapping:
        mapping = lookup_mapping(self.name, config.model)
        return mapping if mapping is not None else GENERIC

    def size_table(self, config: ProviderSettings) -> SizeTable | None:
        return longest_prefix(OPENAI_SIZES, config.model)

    def protected_extras(self, config: VideoGenerationConfig) -> dict[str, str | None]:
        return protected_fields(self.mapping(config))

    def capabilities(self, config: VideoGenerationConfig) -> Capabilities | None:
        """The family :meth:`mapping` picks, so the router checks, defaults and bills what
        the adapter will send (for Azure: by ``model_family`` and the API mode, not by the
        deployment's name)."""
        return self.mapping(config).capabilities

    # -- the classification paths --------------------------------------------------------

    async def _request(
        self,
        config: ProviderSettings,
        method: str,
        path: str,
        *,
        request_id: str | None = None,
        json_body: Any = None,
        multipart: tuple[bytes, str] | None = None,
    ) -> Any:
        """One call to the videos API over the pooled session; whatever goes wrong comes
        out as a classified TarashError (SPEC §4), with the key masked in anything the
        upstream echoed."""
        headers = self.api_headers(config)
        data = None
        if multipart is not None:
            data, headers["Content-Type"] = multipart
        try:
            return await call(
                method,
                self.api_url(config, path),
                provider=self.name,
                model=config.model,
                request_timeout=config.request_timeout,
                headers=headers,
                json_body=json_body,
                data=data,
                request_id=request_id,
                moderation=is_moderation,
                secret=self.api_key(config),
            )
        except HTTPError as error:
            # Every video call to api.openai.com now ends here; say why, not just "404".
            if error.status_code in SHUTDOWN_STATUSES and targets_openai(self.base_url(config)):
                raise videos_shut_down(error) from None
            raise

    def _usable_video(
        self, config: ProviderSettings, video: Any, request_id: str | None = None
    ) -> dict[str, Any]:
        """The Video a call answered with. A 200 without a usable Video (no id) is an
        answer the gateway cannot track: retryable, as a bad gateway."""
        if isinstance(video, dict) and isinstance(video.get("id"), str) and video["id"]:
            return video
        raise HTTPError(
            f"{self.name} answered without a usable video object",
            status_code=502,
            provider=self.name,
            model=config.model,
            request_id=request_id,
            raw_response=scrub(video, self.api_key(config)),
        )

    async def _call(
        self,
        config: ProviderSettings,
        operation: Callable[[AsyncOpenAI], Awaitable[T]],
        *,
        request_id: str | None = None,
    ) -> T:
        """Run one SDK call; whatever goes wrong comes out as a classified TarashError."""
        client = self.client(config)
        try:
            return await operation(client)
        except TarashError:
            raise
        except Exception as exc:
            raise self.classify(exc, config, request_id) from None

    def classify(
        self, exc: Exception, config: ProviderSettings, request_id: str | None
    ) -> TarashError:
        common: dict[str, Any] = {
            "provider": self.name,
            "model": config.model,
            "request_id": request_id,
        }
        secret = self.api_key(config)
        if isinstance(exc, openai.APITimeoutError):
            return ProviderConnectionError(
                f"{self.name} did not answer within {config.request_timeout:g}s", **common
            )
        if isinstance(exc, openai.APIConnectionError):
            cause = type(exc.__cause__).__name__ if exc.__cause__ is not None else "no answer"
            return ProviderConnectionError(f"could not reach {self.name}: {cause}", **common)
        if isinstance(exc, openai.APIStatusError):
            return classify_status(
                exc.status_code,
                scrub(status_body(exc), secret),
                provider=self.name,
                model=config.model,
                headers=dict(exc.response.headers),
                request_id=request_id,
                moderation=is_moderation,
            )
        if isinstance(exc, json.JSONDecodeError | openai.APIResponseValidationError):
            raw = exc.doc if isinstance(exc, json.JSONDecodeError) else exc.body
            return HTTPError(
                f"{self.name} answered with malformed JSON",
                status_code=502,
                raw_response=scrub(raw[:2000] if isinstance(raw, str) else raw, secret),
                **common,
            )
        # Anything else the SDK raised (or a bug in its answer handling) is an upstream
        # answer we could not use: retryable, like a bad gateway.
        return HTTPError(
            f"unexpected {type(exc).__name__} calling {self.name}", status_code=502, **common
        )

    def _job_error(self, config: ProviderSettings, video_id: str, raw: Any) -> TarashError:
        error = raw.get("error") if isinstance(raw, dict) else None
        error = error if isinstance(error, dict) else {}
        code = str(error.get("code") or "generation_failed")
        message = str(error.get("message") or "the upstream reported a failed generation")
        common: dict[str, Any] = {
            "provider": self.name,
            "model": config.model,
            "request_id": video_id,
            "raw_response": raw,
        }
        text = f"{self.name} job {video_id} failed ({code}): {message}"
        if is_moderation(400, {"error": error}):
            return ContentModerationError(text, **common)
        return GenerationFailedError(text, **common)

    # -- videos ---------------------------------------------------------------------------

    def video_path(self, config: ProviderSettings, video_id: str, action: str = "") -> str:
        """``/videos/{video_id}`` (+ ``action``). An id the SDK would refuse in a URL
        (``.``, ``..``) can only have come from the upstream: an unusable answer,
        retryable like a bad gateway (as the SDK's refusal was classified)."""
        try:
            return f"/videos/{path_segment(video_id)}{action}"
        except ValueError as exc:
            raise HTTPError(
                f"cannot call {self.name}: {exc}",
                status_code=502,
                provider=self.name,
                model=config.model,
                request_id=video_id,
            ) from None

    def build_create(
        self, config: VideoGenerationConfig, request: VideoGenerationRequest
    ) -> dict[str, Any]:
        """The ``videos.create`` input: validated and mapped before any network call.
        What the request leaves open takes the family's documented default (Sora: 4 s,
        720x1280, sent explicitly); a generic upstream gets no field it was not asked for."""
        mapping = self.mapping(config)
        request = resolve_request(request, mapping.capabilities).request
        payload = build_payload(mapping, request, provider=self.name, model=config.model)
        if request.number_of_videos != 1:
            raise ValidationError(
                f"{config.model} makes one video per request",
                param="n",
                provider=self.name,
                model=config.model,
            )
        size = self._size(config, request)
        if size is not None:
            payload["size"] = size
        reference = payload.get("input_reference")
        if isinstance(reference, str):
            payload["input_reference"] = input_reference(
                reference, provider=self.name, model=config.model
            )
            if size is not None and self.size_table(config) is not None:
                self._check_frame_size(config, payload["input_reference"], size)
        payload["model"] = config.model
        return payload

    def _check_frame_size(self, config: ProviderSettings, reference: Any, size: str) -> None:
        """An uploaded first frame must be exactly the video's size for the Sora models
        (Azure's Sora 2 reference: "Must match size exactly"; OpenAI's guide likewise);
        refused here, before the call, rather than by the upstream. URLs are not fetched,
        so only inline images are checked; a format this cannot read is let through."""
        if not isinstance(reference, tuple):
            return
        found = image_size(reference[1])
        if found is None or f"{found[0]}x{found[1]}" == size:
            return
        raise ValidationError(
            f"{config.model} needs the first frame at exactly the video's size {size}; "
            f"this image is {found[0]}x{found[1]} (resize it, or ask for the size that "
            "matches it with resolution and aspect_ratio)",
            param="input_reference",
            provider=self.name,
            model=config.model,
        )

    def _size(self, config: VideoGenerationConfig, request: VideoGenerationRequest) -> str | None:
        if request.resolution is None and request.aspect_ratio is None:
            return None  # the upstream's default
        caps = self.mapping(config).capabilities
        resolution = request.resolution or caps.default_resolution or DEFAULT_RESOLUTION
        aspect = request.aspect_ratio or caps.default_aspect_ratio or DEFAULT_ASPECT_RATIO
        table = self.size_table(config)
        if table is None:
            return formula_size(resolution, aspect)
        size = table.get((resolution, aspect))
        if size is None:
            allowed = ", ".join(f"{v} ({r} {a})" for (r, a), v in table.items())
            raise ValidationError(
                f"{config.model} has no {resolution} {aspect} size; allowed: {allowed}",
                param="size",
                provider=self.name,
                model=config.model,
            )
        return size

    async def submit_video(
        self, config: VideoGenerationConfig, request: VideoGenerationRequest
    ) -> SubmittedJob:
        form = create_form(self.build_create(config, request))
        video = self._usable_video(
            config, await self._request(config, "POST", "/videos", multipart=form)
        )
        return SubmittedJob(request_id=video["id"], raw_response=video)

    async def poll_video(self, config: VideoGenerationConfig, request_id: str) -> JobProgress:
        raw = await self._retrieve(config, request_id)
        progress = self._progress(config, request_id, raw)
        return with_result(progress, lambda: self._finished(config, request_id, raw))

    def _progress(
        self, config: ProviderSettings, request_id: str, raw: dict[str, Any]
    ) -> JobProgress:
        """What a video resource's status says about the job."""
        status = str(raw.get("status") or "")
        progress = max(0, min(100, int(raw.get("progress") or 0)))
        if status == "completed":
            return JobProgress(status="completed", progress=100, raw_response=raw)
        if status in ("queued", "in_progress"):
            return JobProgress(status=cast(JobStatus, status), progress=progress, raw_response=raw)
        if status != "failed":  # e.g. "cancelled", or a status this adapter does not know
            raw = {**raw, "error": raw.get("error") or {"code": status or "unknown_status"}}
        return JobProgress(
            status="failed",
            progress=progress,
            error=self._job_error(config, request_id, raw),
            raw_response=raw,
        )

    async def _retrieve(self, config: ProviderSettings, video_id: str) -> dict[str, Any]:
        path = self.video_path(config, video_id)
        video = await self._request(config, "GET", path, request_id=video_id)
        return self._usable_video(config, video, video_id)

    def content_url(self, config: ProviderSettings, video_id: str, variant: str = "video") -> str:
        """Where the upstream serves a finished video's bytes (auth required)."""
        query = dict(self.default_query(config))
        if variant != "video":
            query["variant"] = variant
        url = f"{self.base_url(config)}/videos/{quote(video_id, safe='')}/content"
        return f"{url}?{urlencode(query)}" if query else url

    async def fetch_video(
        self, config: VideoGenerationConfig, request_id: str
    ) -> VideoGenerationResponse:
        raw = await self._retrieve(config, request_id)
        return self._finished(config, request_id, raw)

    def _unfinished(
        self, config: ProviderSettings, job_id: str, body: dict[str, Any], progress: JobProgress
    ) -> TarashError:
        """Why a fetch found no result (here and in Azure's jobs API): the job's own error,
        else that it has not finished."""
        if isinstance(progress.error, TarashError):
            return progress.error
        return GenerationFailedError(
            f"{self.name} job {job_id} is not finished (status {body.get('status')!r})",
            provider=self.name,
            model=config.model,
            request_id=job_id,
            raw_response=body,
        )

    def _finished(
        self, config: ProviderSettings, request_id: str, raw: dict[str, Any]
    ) -> VideoGenerationResponse:
        """The result a video resource describes, or why it has none."""
        if raw.get("status") != "completed":
            raise self._unfinished(config, request_id, raw, self._progress(config, request_id, raw))
        size = raw.get("size")
        resolution, aspect = describe_size(size if isinstance(size, str) else None)
        url = self.content_url(config, request_id)
        return VideoGenerationResponse(
            request_id=request_id,
            video=url,
            thumbnail=self.content_url(config, request_id, "thumbnail"),
            status="completed",
            duration=_seconds(raw.get("seconds")),
            resolution=resolution,
            aspect_ratio=aspect,
            content_type="video/mp4",
            raw_response=raw,
            provider_metadata={
                "auth": self.auth_scheme,
                "upstream_id": request_id,
                "content_url": url,
                "size": size,
                "expires_at": raw.get("expires_at"),
                "remixed_from_video_id": raw.get("remixed_from_video_id"),
            },
        )

    def download_headers(self, config: VideoGenerationConfig, location: str) -> dict[str, str]:
        """The upstream's credentials, only for URLs on the upstream's own origin."""
        if _origin(location) != _origin(self.base_url(config)):
            return {}
        return self.auth_headers(config)

    async def cancel_video(self, config: VideoGenerationConfig, request_id: str) -> None:
        """Best effort: delete the upstream video (the API has no separate cancel)."""
        path = self.video_path(config, request_id)
        try:
            await self._request(config, "DELETE", path, request_id=request_id)
        except HTTPError as error:
            if error.status_code != 404:  # already gone is what we wanted
                raise

    def supports_remix(self, config: VideoGenerationConfig) -> bool:
        return True

    async def remix_video(
        self,
        config: VideoGenerationConfig,
        source_request_id: str,
        request: VideoGenerationRequest,
    ) -> SubmittedJob:
        answer = await self._request(
            config,
            "POST",
            self.video_path(config, source_request_id, "/remix"),
            request_id=source_request_id,
            json_body=merge_extra_params(
                {"prompt": request.prompt},
                request.extra_params,
                protected=self.protected_extras(config),
                provider=self.name,
                model=config.model,
            ),
        )
        video = self._usable_video(config, answer, source_request_id)
        return SubmittedJob(request_id=video["id"], raw_response=video)

    # -- images ---------------------------------------------------------------------------

    def build_image(
        self, config: ImageGenerationConfig, request: ImageGenerationRequest
    ) -> dict[str, Any]:
        """The ``images.generate`` input, checked against the model family first."""
        family = longest_prefix(IMAGE_FAMILIES, config.model) or GENERIC_IMAGES

        def refuse(message: str, param: str) -> ValidationError:
            return ValidationError(
                f"{config.model}: {message}", param=param, provider=self.name, model=config.model
            )

        if request.image_list or request.mask_image:
            raise refuse("image generation takes no input images (use an edit endpoint)", "image")
        if request.n > family.max_n:
            raise refuse(f"at most {family.max_n} image(s) per request", "n")
        size = request.size
        if size is None and request.aspect_ratio is not None:
            size = family.aspect_sizes.get(request.aspect_ratio)
            if size is None:
                allowed = ", ".join(family.aspect_sizes)
                raise refuse(
                    f"aspect ratio {request.aspect_ratio} is not available; allowed: {allowed}",
                    "aspect_ratio",
                )
        if size is not None and family.sizes is not None and size not in family.sizes:
            raise refuse(
                f"size {size} is not available; allowed: {', '.join(family.sizes)}", "size"
            )
        if (
            request.quality is not None
            and family.qualities is not None
            and request.quality not in family.qualities
        ):
            allowed = ", ".join(family.qualities)
            raise refuse(
                f"quality {request.quality} is not available; allowed: {allowed}", "quality"
            )
        if request.style is not None and family.styles is not None:
            if not family.styles:
                raise refuse("this model takes no style (describe it in the prompt)", "style")
            if request.style not in family.styles:
                allowed = ", ".join(family.styles)
                raise refuse(f"style {request.style} is not available; allowed: {allowed}", "style")
        params: dict[str, Any] = {"model": config.model, "prompt": request.prompt, "n": request.n}
        for key, value in (("size", size), ("quality", request.quality), ("style", request.style)):
            if value is not None:
                params[key] = value
        return params

    async def generate_image(
        self, config: ImageGenerationConfig, request: ImageGenerationRequest
    ) -> ImageGenerationResponse:
        params = self.build_image(config, request)
        extra = dict(request.extra_params)
        # The SDK's extra_body overrides the body, so extras are checked the same way.
        check_extra_params(
            extra,
            protected=IMAGE_PARAMS,
            provider=self.name,
            model=config.model,
            present=params,
        )
        result = await self._call(
            config,
            lambda client: client.images.generate(
                **params,
                extra_body=extra or None,
                timeout=config.request_timeout,
            ),
        )
        raw = result.to_dict()
        images = [item.url or item.b64_json for item in (result.data or [])]
        images = [image for image in images if image]
        if not images:
            raise HTTPError(
                f"{self.name} answered without images",
                status_code=502,
                provider=self.name,
                model=config.model,
                raw_response=_trim_images(raw),
            )
        output_format = str(extra.get("output_format") or getattr(result, "output_format", None))
        content_type = {"jpeg": "image/jpeg", "webp": "image/webp", "gif": "image/gif"}.get(
            output_format, "image/png"
        )
        return ImageGenerationResponse(
            request_id=f"{self.name}_image_{secrets.token_hex(8)}",
            images=images,
            content_type=content_type,
            revised_prompt=result.data[0].revised_prompt if result.data else None,
            raw_response=_trim_images(raw),
            provider_metadata={"created": raw.get("created"), "usage": raw.get("usage")},
        )


def _seconds(value: Any) -> float | None:
    try:
        return float(value) if value is not None else None
    except (TypeError, ValueError):
        return None


def _trim_images(raw: dict[str, Any]) -> dict[str, Any]:
    """The raw answer without the (possibly megabytes of) base64 payloads."""
    data = [
        {key: ("<base64>" if key == "b64_json" else value) for key, value in item.items()}
        for item in raw.get("data") or []
        if isinstance(item, dict)
    ]
    return {**raw, "data": data}
