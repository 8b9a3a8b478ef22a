"""Replicate: every video model runs as a *prediction*, driven through the official SDK.

Wire format (checked 2026-11-25 against replicate.com/docs/reference/http and the
installed ``replicate`` 1.0.7 source): official models are started with
``POST /v1/models/{owner}/{name}/predictions {input}``, pinned versions with
``POST /v1/predictions {version, input}``; a prediction is polled with
``GET /v1/predictions/{id}`` and stopped with ``POST /v1/predictions/{id}/cancel``.
Statuses are ``starting`` / ``processing`` / ``succeeded`` / ``failed`` / ``canceled``
and ``aborted`` (replicate.com/docs/topics/predictions/lifecycle: a ``Cancel-After``
deadline passed before the prediction started; not billed). The SDK's ``Prediction``
model lists only the first five (replicate 1.0.7 ``prediction.py``), so an aborted
prediction is read without its validation (see ``_unlisted_terminal``). A video model's
``output`` is a URL string (sometimes a list of them).

Two things about the SDK shape this module:

* ``replicate.Client`` always wraps its transport in ``RetryTransport``, which retries
  GET/PUT/DELETE on 429/503/504 up to ten times with backoff. There is no switch to
  turn that off, so every call mounts a plain ``httpx.AsyncHTTPTransport`` for
  ``all://`` (httpx consults mounts before the default transport): retries stay the
  router's job, and one poll is one HTTP request.
* ``ReplicateError`` keeps the status and the problem-details fields but drops the
  response headers and any extra body fields, so a response hook keeps the last error
  response; that is where ``Retry-After`` / ``retry_after`` are read from.

Uploaded input images (``data:`` URIs, raw base64) go through Replicate's files API
(``POST /v1/files``, multipart part ``content``; replicate 1.0.7 ``file.py``) and the
prediction gets the file's ``urls.get``: that is what the SDK itself does with a file
input (``helpers.py`` ``async_encode_json``), and it keeps large images out of the
prediction body.

The request id handed back is Replicate's own prediction id: polling, fetching and
cancelling need nothing else, so a restarted process can resume any job.
"""

from __future__ import annotations

import asyncio
import functools
import io
import mimetypes
import re
import ssl
from collections.abc import Awaitable, Callable, Mapping
from typing import Any, TypeVar, cast
from urllib.parse import urlparse

import httpx
from replicate.client import Client
from replicate.exceptions import ReplicateError, ReplicateException
from replicate.file import File
from replicate.prediction import Prediction

from tarash_gateway.adapters.base import VideoProvider, with_result
from tarash_gateway.adapters.errors import (
    ContentModerationError,
    GenerationFailedError,
    HTTPError,
    ProviderConnectionError,
    RateLimitError,
    TarashError,
    ValidationError,
)
from tarash_gateway.adapters.field_mappers import (
    ModelMapping,
    build_payload,
    get_provider_field_mapping,
    lookup_mapping,
)
from tarash_gateway.adapters.http import classify_status, error_message
from tarash_gateway.adapters.keys import require_api_key
from tarash_gateway.adapters.models import (
    ImageInput,
    JobProgress,
    JobStatus,
    SubmittedJob,
    VideoGenerationConfig,
    VideoGenerationRequest,
    VideoGenerationResponse,
)
from tarash_gateway.adapters.providers.replicate_models import (
    ADJUSTMENTS,
    MODEL_MAPPINGS,
    PROVIDER,
    refuse,
)
from tarash_gateway.adapters.uploads import Publisher, as_data_url, images_as_urls

API_KEY_ENV = "REPLICATE_API_TOKEN"
DEFAULT_BASE_URL = "https://api.replicate.com"

_MODEL_REF = re.compile(r"^(?P<owner>[^/\s:]+)/(?P<name>[^/\s:]+)(?::(?P<version>[0-9A-Za-z]+))?$")
_BARE_VERSION = re.compile(r"^[0-9a-f]{64}$")
_PREDICTION_ID = re.compile(r"^[0-9A-Za-z_-]+$")
_MODERATION = re.compile(
    r"\bnsfw\b|flagged|sensitive content|content (?:policy|moderation|filter)|"
    r"safety (?:filter|check|system|violation)|unsafe content|inappropriate",
    re.IGNORECASE,
)
_RESETS_IN = re.compile(r"resets in ~?\s*(\d+(?:\.\d+)?)\s*s", re.IGNORECASE)
_INVALID_INPUT_FIELD = re.compile(r"input\.(\w+)")

# -- model references and payloads ------------------------------------------------------


def split_model(model: str) -> tuple[str, str | None]:
    """``owner/name[:version]`` → (``owner/name``, version or None). A bare 64-hex
    version id gives (``""``, id)."""
    if _BARE_VERSION.match(model):
        return "", model
    match = _MODEL_REF.match(model)
    if match is None:
        raise ValidationError(
            f"not a Replicate model reference: {model!r}; expected owner/name or "
            "owner/name:version",
            param="model",
            provider=PROVIDER,
            model=model,
        )
    return f"{match['owner']}/{match['name']}", match["version"]


def _family_prefix(name: str) -> str:
    """The registered prefix ``name`` resolves to (same rule as ``lookup_mapping``)."""
    prefixes = [prefix for prefix in get_provider_field_mapping(PROVIDER) if prefix]
    matches = [prefix for prefix in prefixes if name.startswith(prefix)]
    return max(matches, key=len, default="")


def mapping_for(model: str) -> ModelMapping:
    """The field table for ``model``; a ``:version`` suffix plays no part in the lookup."""
    name, _version = split_model(model)
    mapping = lookup_mapping(PROVIDER, name)
    return mapping if mapping is not None else MODEL_MAPPINGS[""]


def build_input(model: str, request: VideoGenerationRequest) -> dict[str, Any]:
    """The prediction ``input`` for ``request``; raises ValidationError before any call."""
    name, _version = split_model(model)
    if request.number_of_videos != 1:
        raise refuse(f"{model} makes one video per prediction", "n", model)
    images = [
        ImageInput(image=as_data_url(image.image), role=image.role) for image in request.image_list
    ]
    request = request.model_copy(update={"image_list": images})
    payload = build_payload(mapping_for(model), request, provider=PROVIDER, model=model)
    adjust = ADJUSTMENTS.get(_family_prefix(name))
    if adjust is not None:
        adjust(request, payload, model)
    return payload


# -- calls through the SDK -----------------------------------------------------------


@functools.cache
def _tls_context() -> ssl.SSLContext:
    """Built once: loading the CA bundle for every call would cost milliseconds."""
    return httpx.create_ssl_context()


def _api_key(config: VideoGenerationConfig) -> str:
    return require_api_key(config, PROVIDER, [API_KEY_ENV])


def _is_moderation(status: int, body: Any) -> bool:
    return 400 <= status < 500 and bool(_MODERATION.search(error_message(body, "")))


_T = TypeVar("_T")

_UPLOAD_NAMES = {"image/png": "input.png", "image/jpeg": "input.jpg", "image/webp": "input.webp"}


class _Exchange:
    """One SDK client for one provider call: SDK retries off, the last response kept
    (for ``raw_response`` and for the headers ``ReplicateError`` drops)."""

    def __init__(self, config: VideoGenerationConfig, *, request_id: str | None = None) -> None:
        self.config = config
        self.request_id = request_id
        self.status = 0
        self.headers: dict[str, str] = {}
        self.body: Any = None
        api_token = _api_key(config)
        self._transport = httpx.AsyncHTTPTransport(verify=_tls_context())
        self.client = Client(
            api_token=api_token,
            base_url=config.base_url or DEFAULT_BASE_URL,
            timeout=httpx.Timeout(config.request_timeout),
            transport=self._transport,
            mounts={"all://": self._transport},
            event_hooks={"response": [self._keep]},
        )

    async def _keep(self, response: httpx.Response) -> None:
        await response.aread()
        self.status = response.status_code
        self.headers = dict(response.headers)
        try:
            self.body = response.json()
        except ValueError:
            self.body = response.text[:2000]

    def _common(self) -> dict[str, Any]:
        return {"provider": PROVIDER, "model": self.config.model, "request_id": self.request_id}

    async def run(self, operation: Callable[[Client], Awaitable[_T]]) -> _T:
        """Run one SDK call; every failure leaves as a classified ``TarashError``."""
        timeout = self.config.request_timeout
        try:
            async with asyncio.timeout(timeout):
                return await operation(self.client)
        except ReplicateError as exc:
            raise self._classify(exc) from None
        except (TimeoutError, httpx.TimeoutException):
            raise ProviderConnectionError(
                f"{PROVIDER} did not answer within {timeout:g}s", **self._common()
            ) from None
        except httpx.InvalidURL:
            raise ValidationError(
                f"invalid {PROVIDER} base_url", param="base_url", **self._common()
            ) from None
        except httpx.HTTPError as exc:
            raise ProviderConnectionError(
                f"could not reach {PROVIDER}: {type(exc).__name__}", **self._common()
            ) from None
        except (ValueError, ReplicateException):
            unlisted = _unlisted_terminal(self.body)
            if unlisted is not None:  # only a prediction body can be one
                return cast(_T, unlisted)
            # Unparseable JSON, or JSON that is not a prediction (the SDK's model rejects it).
            raise HTTPError(
                f"{PROVIDER} answered with malformed JSON",
                status_code=502,
                raw_response=self.body,
                **self._common(),
            ) from None
        finally:
            await self._transport.aclose()

    def _classify(self, exc: ReplicateError) -> TarashError:
        status = exc.status or self.status or 500
        body = self.body if self.status == status and self.body is not None else exc.to_dict()
        if status == 422 and not _is_moderation(status, body):
            return ValidationError(
                f"{PROVIDER} rejected the input: {error_message(body, 'invalid input')}",
                param=self._invalid_param(body),
                raw_response=body,
                **self._common(),
            )
        error = classify_status(
            status,
            body,
            headers=self.headers,
            moderation=_is_moderation,
            **self._common(),
        )
        if isinstance(error, RateLimitError) and error.retry_after is None:
            match = _RESETS_IN.search(error_message(body, ""))
            error.retry_after = float(match.group(1)) if match else None
        return error

    def _invalid_param(self, body: Any) -> str | None:
        """The unified name of the input field Replicate complained about, if known."""
        match = _INVALID_INPUT_FIELD.search(error_message(body, ""))
        if match is None:
            return None
        mapping = mapping_for(self.config.model)
        for row in mapping.fields:
            if row.target == match.group(1):
                return "seconds" if row.source == "duration_seconds" else row.source
        if match.group(1) in mapping.image_fields.values():
            return "image_list"
        return match.group(1)


async def upload_file(config: VideoGenerationConfig, data: bytes, content_type: str) -> str:
    """``POST /v1/files`` through the SDK (``files.async_create``); the file's
    ``urls.get``, which a prediction input may name, or a classified error."""
    exchange = _Exchange(config)
    name = _UPLOAD_NAMES.get(content_type, "input.bin")
    uploaded: File = await exchange.run(
        lambda client: client.files.async_create(
            io.BytesIO(data), filename=name, content_type=content_type
        )
    )
    url = uploaded.urls.get("get") if isinstance(uploaded.urls, Mapping) else None
    if not isinstance(url, str) or not url.startswith(("http://", "https://")):
        raise HTTPError(
            f"{PROVIDER} stored the file but returned no URL for it",
            status_code=502,
            provider=PROVIDER,
            model=config.model,
            raw_response=exchange.body,
        )
    return url


# -- reading predictions -----------------------------------------------------------------

UNLISTED_TERMINAL = frozenset({"aborted"})
"""Terminal statuses the API reports and the SDK's ``Prediction.status`` Literal lacks."""
FAILED_STATUSES = frozenset({"failed", "canceled", *UNLISTED_TERMINAL})


def _unlisted_terminal(body: Any) -> Prediction | None:
    """A prediction in a terminal status the SDK's model refuses (``aborted``), built
    without validation so it is reported as the failure it is, not as a malformed 502."""
    if (
        isinstance(body, Mapping)
        and body.get("status") in UNLISTED_TERMINAL
        and isinstance(body.get("id"), str)
    ):
        fields: dict[str, Any] = {"model": "", "version": "", "input": None, "output": None}
        fields.update({"logs": None, "error": None, "metrics": None, **body})
        return Prediction.construct(**fields)
    return None


def _first_url(output: Any) -> str | None:
    """The video URL in a prediction output: a string, a list, or a dict of them."""
    if isinstance(output, str):
        return output if output.startswith(("http://", "https://", "data:")) else None
    if isinstance(output, list):
        for item in output:
            url = _first_url(item)
            if url is not None:
                return url
    if isinstance(output, Mapping):
        for key in ("video", "url", "output", *output.keys()):
            url = _first_url(output.get(key))
            if url is not None:
                return url
    return None


def _failure(prediction: Prediction, config: VideoGenerationConfig, raw: Any) -> TarashError:
    common: dict[str, Any] = {
        "provider": PROVIDER,
        "model": config.model,
        "request_id": prediction.id,
        "raw_response": raw,
    }
    if prediction.status == "canceled":
        return GenerationFailedError(f"{PROVIDER} prediction was canceled", **common)
    status: str = prediction.status  # may be one the SDK's Literal lacks
    if status == "aborted":
        return GenerationFailedError(
            f"{PROVIDER} prediction was aborted: its Cancel-After deadline passed before "
            "it started running (not billed)",
            **common,
        )
    detail = str(prediction.error or "prediction failed")
    if _MODERATION.search(detail):
        return ContentModerationError(f"{PROVIDER} refused the content: {detail}", **common)
    return GenerationFailedError(f"{PROVIDER} prediction failed: {detail}", **common)


def _percent(prediction: Prediction) -> int:
    progress = prediction.progress
    return 0 if progress is None else max(0, min(99, int(progress.percentage * 100)))


def _requested_seconds(config: VideoGenerationConfig, model_input: Any) -> float | None:
    """The duration the prediction was asked for, read back from its own input."""
    if not isinstance(model_input, Mapping):
        return None
    for row in mapping_for(config.model).fields:
        if row.source == "duration_seconds" and row.target in model_input:
            value = str(model_input[row.target]).rstrip("s")
            try:
                return float(value)
            except ValueError:
                return None
    return None


def _check_id(config: VideoGenerationConfig, request_id: str) -> None:
    if not _PREDICTION_ID.match(request_id):
        raise ValidationError(
            f"not a {PROVIDER} prediction id: {request_id!r}",
            param="video_id",
            provider=PROVIDER,
            model=config.model,
            request_id=request_id,
        )


class ReplicateProvider(VideoProvider):
    """Video generation on Replicate (official models and pinned versions)."""

    name = PROVIDER

    async def prepare_images(
        self,
        config: VideoGenerationConfig,
        request: VideoGenerationRequest,
        publisher: Publisher | None,
    ) -> VideoGenerationRequest:
        """Uploaded images go to Replicate's files API; the prediction gets their URLs.
        The input is checked first, so a request the adapter refuses uploads nothing."""
        build_input(config.model, request)

        async def upload(data: bytes, content_type: str) -> str:
            return await upload_file(config, data, content_type)

        return await images_as_urls(
            request, provider=PROVIDER, model=config.model, publisher=publisher, upload=upload
        )

    async def submit_video(
        self, config: VideoGenerationConfig, request: VideoGenerationRequest
    ) -> SubmittedJob:
        model_input = build_input(config.model, request)
        name, version = split_model(config.model)
        exchange = _Exchange(config)
        if version is not None:
            pinned = version
            prediction = await exchange.run(
                lambda client: client.predictions.async_create(version=pinned, input=model_input)
            )
        else:
            prediction = await exchange.run(
                lambda client: client.models.predictions.async_create(model=name, input=model_input)
            )
        return SubmittedJob(request_id=prediction.id, raw_response=exchange.body)

    async def _get(self, config: VideoGenerationConfig, request_id: str) -> tuple[Prediction, Any]:
        _check_id(config, request_id)
        exchange = _Exchange(config, request_id=request_id)
        prediction = await exchange.run(lambda client: client.predictions.async_get(request_id))
        return prediction, exchange.body

    async def poll_video(self, config: VideoGenerationConfig, request_id: str) -> JobProgress:
        prediction, raw = await self._get(config, request_id)
        if prediction.status in FAILED_STATUSES:
            return JobProgress(
                status="failed",
                progress=_percent(prediction),
                error=_failure(prediction, config, raw),
                raw_response=raw,
            )
        if prediction.status == "succeeded":
            done = JobProgress(status="completed", progress=100, raw_response=raw)
            return with_result(done, lambda: self._finished(config, request_id, prediction, raw))
        status: JobStatus = "queued" if prediction.status == "starting" else "in_progress"
        return JobProgress(status=status, progress=_percent(prediction), raw_response=raw)

    async def fetch_video(
        self, config: VideoGenerationConfig, request_id: str
    ) -> VideoGenerationResponse:
        prediction, raw = await self._get(config, request_id)
        return self._finished(config, request_id, prediction, raw)

    def _finished(
        self, config: VideoGenerationConfig, request_id: str, prediction: Prediction, raw: Any
    ) -> VideoGenerationResponse:
        """The result a prediction describes, or why it has none."""
        if prediction.status in FAILED_STATUSES:
            raise _failure(prediction, config, raw)
        common: dict[str, Any] = {
            "provider": PROVIDER,
            "model": config.model,
            "request_id": request_id,
            "raw_response": raw,
        }
        if prediction.status != "succeeded":
            raise GenerationFailedError(
                f"{PROVIDER} prediction is still {prediction.status}", **common
            )
        url = _first_url(prediction.output)
        if url is None:
            raise GenerationFailedError(f"{PROVIDER} prediction has no video output", **common)
        model_input = prediction.input or {}
        content_type = mimetypes.guess_type(urlparse(url).path)[0] or "video/mp4"
        resolution = model_input.get("resolution")
        aspect_ratio = model_input.get("aspect_ratio")
        return VideoGenerationResponse(
            request_id=request_id,
            video=url,
            status="completed",
            duration=_requested_seconds(config, model_input),
            resolution=str(resolution) if resolution is not None else None,
            aspect_ratio=str(aspect_ratio) if aspect_ratio is not None else None,
            content_type=content_type if content_type.startswith("video/") else "video/mp4",
            raw_response=raw,
            provider_metadata={
                "prediction_id": prediction.id,
                "model": prediction.model,
                "version": prediction.version,
                "metrics": prediction.metrics or {},
                "outputs": prediction.output if isinstance(prediction.output, list) else None,
            },
        )

    async def cancel_video(self, config: VideoGenerationConfig, request_id: str) -> None:
        _check_id(config, request_id)
        exchange = _Exchange(config, request_id=request_id)
        await exchange.run(lambda client: client.predictions.async_cancel(request_id))
