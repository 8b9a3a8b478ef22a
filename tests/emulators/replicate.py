"""A loopback Replicate: predictions with Replicate's paths, auth, statuses and bodies.

Checked 2026-11-25 against:
- replicate.com/docs/reference/http (predictions.create / get / cancel,
  models.predictions.create) and replicate.com/changelog/2025-08-05 (official models via
  ``/v1/models/{owner}/{name}/predictions``; pinned versions via ``/v1/predictions``);
- the ``replicate`` Python SDK 1.0.7 source (``client.py``: ``Authorization: Bearer``,
  ``RetryTransport``; ``prediction.py``: the ``Prediction`` fields it requires, ``model``
  and ``version`` included, and the tqdm-style log line it parses for progress;
  ``exceptions.py``: errors are RFC 7807 problem details ``{title, detail, status}``);
- replicate.com/docs/topics/predictions/rate-limits (429 body
  ``{"detail": "Request was throttled. Your rate limit resets in ~30s."}``);
- the 401 body ``{"title": "Unauthenticated", "detail": "You did not pass a valid
  authentication token", "status": 401}`` as reported by SDK tests and users;
- prediction examples on replicate.com: official models answer ``"version": "hidden"``,
  ``urls`` carry ``get``, ``cancel``, ``stream`` and ``web``; a video model's ``output``
  is one URL. Refused content fails with an E005 "flagged as sensitive" error.

Strict since 2026-12-03 (issue 15):
- replicate.com/docs/topics/predictions/lifecycle and changelog/2025-10-16-prediction-
  deadlines: a ``Cancel-After`` header sets a deadline; passed before the prediction
  starts, its status is ``aborted`` (not billed), passed while it runs, ``canceled``;
- input validation failures are 422 problem details with ``invalid_fields`` (one entry
  per field: ``type``, ``field`` ``input.<name>``, ``description``), as the API answers
  a Cog schema violation;
- official models listed in ``SCHEMAS`` take only their published inputs (names, types,
  enums and ranges from each model's API page, replicate.com/<owner>/<name>/versions/
  <id>/api, read 2026-12-03). An input the schema lacks is refused here: the real API is
  more lenient about extra inputs (they are dropped), which would hide a misnamed field,
  so the emulator makes that mistake loud. Models not listed take any input;
- unknown paths are a 404 and known paths with the wrong method a 405, both in the
  problem-details shape.

Files (2026-12-03, replicate 1.0.7 ``file.py`` and replicate.com/docs/reference/http
files.create): ``POST /v1/files`` takes ``multipart/form-data`` with the bytes in a part
named ``content`` (its filename and Content-Type in the part headers; the SDK adds only a
``metadata`` JSON field) and answers 201 with a File {id, name, content_type, size, etag,
checksums, metadata, created_at, expires_at, urls: {get}}, every field the SDK's ``File``
model requires. Refused here: no ``content`` part, an empty one, unknown form fields, and
files over 100 MiB (the documented limit). ``GET /v1/files/{id}`` returns the File; the
stored bytes are kept in :attr:`ReplicateEmulator.files` for tests.
"""

from __future__ import annotations

import hashlib
import json
import re
import secrets
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from tests.emulators.base import Call, Emulator, Job

FAILED_ERROR = "Prediction failed: CUDA error: an illegal memory access was encountered"
FLAGGED_ERROR = (
    "The input or output was flagged as sensitive. Please try again with different inputs. (E005)"
)


def _timestamp(seconds: float) -> str:
    return datetime.fromtimestamp(seconds, UTC).isoformat().replace("+00:00", "Z")


def problem(status: int, title: str, detail: str, **fields: Any) -> JSONResponse:
    """Replicate's error shape (RFC 7807 problem details)."""
    body = {"title": title, "detail": detail, "status": status, **fields}
    return JSONResponse(body, status_code=status)


@dataclass(frozen=True)
class Field:
    """One input of a model's published schema."""

    kind: str
    """JSON type: string, integer, number, boolean, array."""
    enum: tuple[Any, ...] | None = None
    minimum: float | None = None
    maximum: float | None = None


_STR = Field("string")
_INT = Field("integer")
_BOOL = Field("boolean")
_ARRAY = Field("array")
_SEEDANCE_ASPECTS = ("16:9", "4:3", "1:1", "3:4", "9:16", "21:9", "9:21")
_LUMA_ASPECTS = ("1:1", "3:4", "4:3", "9:16", "16:9", "9:21", "21:9")
_KLING_ASPECTS = ("16:9", "9:16", "1:1")


def _veo(*, last_frame: bool, references: bool) -> dict[str, Field]:
    schema = {
        "prompt": _STR,
        "aspect_ratio": Field("string", ("16:9", "9:16")),
        "duration": Field("integer", (4, 6, 8)),
        "image": _STR,
        "negative_prompt": _STR,
        "resolution": Field("string", ("720p", "1080p")),
        "generate_audio": _BOOL,
        "seed": _INT,
    }
    if last_frame:
        schema["last_frame"] = _STR
    if references:
        schema["reference_images"] = _ARRAY
    return schema


def _kling(**extra: Field) -> dict[str, Field]:
    return {
        "prompt": _STR,
        "negative_prompt": _STR,
        "aspect_ratio": Field("string", _KLING_ASPECTS),
        "duration": Field("integer", (5, 10)),
        "start_image": _STR,
        **extra,
    }


def _seedance(**extra: Field) -> dict[str, Field]:
    return {
        "prompt": _STR,
        "image": _STR,
        "last_frame_image": _STR,
        "duration": Field("integer", minimum=2, maximum=12),
        "aspect_ratio": Field("string", _SEEDANCE_ASPECTS),
        "fps": Field("integer", (24,)),
        "camera_fixed": _BOOL,
        "seed": _INT,
        **extra,
    }


def _luma_ray2() -> dict[str, Field]:
    return {
        "prompt": _STR,
        "duration": Field("integer", (5, 9)),
        "aspect_ratio": Field("string", _LUMA_ASPECTS),
        "start_image": _STR,
        "end_image": _STR,
        "loop": _BOOL,
        "concepts": _ARRAY,
    }


_HAILUO = {
    "prompt": _STR,
    "duration": Field("integer", (6, 10)),
    "prompt_optimizer": _BOOL,
    "first_frame_image": _STR,
}
_WAN_COMMON = {
    "prompt": _STR,
    "negative_prompt": _STR,
    "audio": _STR,
    "duration": Field("integer", (5, 10)),
    "enable_prompt_expansion": _BOOL,
    "seed": _INT,
}

SCHEMAS: dict[str, dict[str, Field]] = {
    # google/veo-3.1 version 9c6ca0c2; veo-3.1-fast and veo-3 as the adapter reads them.
    "google/veo-3.1": _veo(last_frame=True, references=True),
    "google/veo-3.1-fast": _veo(last_frame=True, references=False),
    "google/veo-3": _veo(last_frame=False, references=False),
    "google/veo-2": {
        "prompt": _STR,
        "duration": Field("integer", (5, 6, 7, 8)),
        "aspect_ratio": Field("string", ("16:9", "9:16")),
        "image": _STR,
        "seed": _INT,
    },
    # kwaivgi/kling-v2.1 version daad218f; the v2.x text models share the other inputs.
    "kwaivgi/kling-v2.1": {
        "prompt": _STR,
        "negative_prompt": _STR,
        "mode": Field("string", ("standard", "pro")),
        "duration": Field("integer", (5, 10)),
        "start_image": _STR,
        "end_image": _STR,
    },
    "kwaivgi/kling-v2.0": _kling(),
    "kwaivgi/kling-v2.1-master": _kling(),
    "kwaivgi/kling-v2.5-turbo-pro": _kling(),
    "kwaivgi/kling-v1.6-pro": _kling(
        end_image=_STR, reference_images=_ARRAY, cfg_scale=Field("number", minimum=0, maximum=1)
    ),
    # minimax/hailuo-2.3 version 23a02633: 768p|1080p; hailuo-02 adds 512p and last frame.
    "minimax/hailuo-2.3": {**_HAILUO, "resolution": Field("string", ("768p", "1080p"))},
    "minimax/hailuo-02": {
        **_HAILUO,
        "resolution": Field("string", ("512p", "768p", "1080p")),
        "last_frame_image": _STR,
    },
    "minimax/video-01": {
        "prompt": _STR,
        "prompt_optimizer": _BOOL,
        "first_frame_image": _STR,
        "subject_reference": _STR,
    },
    "minimax/video-01-live": {"prompt": _STR, "prompt_optimizer": _BOOL, "first_frame_image": _STR},
    "luma/ray-2-720p": _luma_ray2(),
    "luma/ray-2-540p": _luma_ray2(),
    "luma/ray-flash-2-720p": _luma_ray2(),
    "luma/ray-flash-2-540p": _luma_ray2(),
    "luma/ray": {
        "prompt": _STR,
        "aspect_ratio": Field("string", _LUMA_ASPECTS),
        "loop": _BOOL,
        "start_image_url": _STR,
        "end_image_url": _STR,
    },
    # wan-video/wan-2.5-t2v(-fast) version 6f841a19: size "W*H", default 1280*720.
    "wan-video/wan-2.5-t2v": {
        **_WAN_COMMON,
        "size": Field(
            "string", ("832*480", "480*832", "1280*720", "720*1280", "1920*1080", "1080*1920")
        ),
    },
    "wan-video/wan-2.5-i2v": {
        **_WAN_COMMON,
        "image": _STR,
        "resolution": Field("string", ("480p", "720p", "1080p")),
    },
    # bytedance/seedance-1-pro a5fd5508, seedance-1-lite f22bbc7d, seedance-1.5-pro 78c1986f.
    "bytedance/seedance-1-pro": _seedance(resolution=Field("string", ("480p", "720p", "1080p"))),
    "bytedance/seedance-1-lite": _seedance(
        resolution=Field("string", ("480p", "720p", "1080p")), reference_images=_ARRAY
    ),
    "bytedance/seedance-1.5-pro": _seedance(generate_audio=_BOOL),
}
"""Published inputs of the official models the adapter maps."""

_TYPES: dict[str, tuple[type, ...]] = {
    "string": (str,),
    "integer": (int,),
    "number": (int, float),
    "boolean": (bool,),
    "array": (list,),
}
_CREATE_FIELDS = frozenset(
    {"version", "input", "webhook", "webhook_completed", "webhook_events_filter", "stream"}
)
MAX_FILE_BYTES = 100 * 1024 * 1024
_FILE_FIELDS = frozenset({"content", "filename", "type", "metadata"})
_WEBHOOK_EVENTS = frozenset({"start", "output", "logs", "completed"})
_DURATION_PART = re.compile(r"(\d+(?:\.\d+)?)(ms|s|m|h)")
_UNIT_SECONDS = {"ms": 0.001, "s": 1.0, "m": 60.0, "h": 3600.0}


def invalid(fields: list[dict[str, str]]) -> JSONResponse:
    """The 422 Replicate answers when inputs break the model's schema."""
    detail = "".join(f"- {entry['field']}: {entry['description']}\n" for entry in fields)
    return problem(422, "Input validation failed", detail, invalid_fields=fields)


def _type_error(name: str, value: Any, spec: Field) -> dict[str, str] | None:
    expected = _TYPES[spec.kind]
    if isinstance(value, bool) and spec.kind != "boolean":
        expected = ()
    if not isinstance(value, expected):
        given = type(value).__name__
        return {
            "type": "invalid_type",
            "field": f"input.{name}",
            "description": f"Invalid type. Expected: {spec.kind}, given: {given}",
        }
    if spec.enum is not None and value not in spec.enum:
        allowed = ", ".join(str(option) for option in spec.enum)
        return {
            "type": "enum",
            "field": f"input.{name}",
            "description": f"{name} must be one of the following: {allowed}",
        }
    number = float(value) if isinstance(value, (int, float)) else 0.0
    if spec.minimum is not None and number < spec.minimum:
        return {
            "type": "number_gte",
            "field": f"input.{name}",
            "description": f"Must be greater than or equal to {spec.minimum:g}",
        }
    if spec.maximum is not None and number > spec.maximum:
        return {
            "type": "number_lte",
            "field": f"input.{name}",
            "description": f"Must be less than or equal to {spec.maximum:g}",
        }
    return None


def validate_input(model: str, model_input: dict[str, Any]) -> list[dict[str, str]]:
    """Every way ``model_input`` breaks ``model``'s published schema (none if unlisted)."""
    errors: list[dict[str, str]] = []
    if not model_input.get("prompt") and "image" not in model_input:
        errors.append(
            {"type": "required", "field": "input.prompt", "description": "prompt is required"}
        )
    schema = SCHEMAS.get(model)
    if schema is None:
        return errors
    for name, value in model_input.items():
        spec = schema.get(name)
        if spec is None:
            errors.append(
                {
                    "type": "additional_property_not_allowed",
                    "field": f"input.{name}",
                    "description": "Additional property is not allowed",
                }
            )
            continue
        error = _type_error(name, value, spec)
        if error is not None:
            errors.append(error)
    return errors


def parse_cancel_after(value: str) -> float | None:
    """Seconds in a ``Cancel-After`` value (``30``, ``90s``, ``5m``, ``1h30m``); None if
    it does not parse."""
    text = value.strip()
    if re.fullmatch(r"\d+(?:\.\d+)?", text):
        return float(text)
    parts = _DURATION_PART.findall(text)
    if not parts or "".join(number + unit for number, unit in parts) != text:
        return None
    return sum(float(number) * _UNIT_SECONDS[unit] for number, unit in parts)


class ReplicateEmulator(Emulator):
    name = "replicate"

    def __init__(self, *, job_seconds: float = 0.3, api_key: str = "test-key") -> None:
        super().__init__(job_seconds=job_seconds, api_key=api_key)
        self.files: dict[str, tuple[dict[str, Any], bytes]] = {}
        """Uploaded files by id: (the File object answered, the bytes)."""
        self.abort_next = False
        """The next prediction's deadline passes before it starts: status ``aborted``."""

    def provider_routes(self) -> list[BaseRoute]:
        return [
            Route("/v1/models/{owner}/{name}/predictions", self._create_official, methods=["POST"]),
            Route("/v1/predictions", self._create_version, methods=["POST"]),
            Route("/v1/predictions/{id}", self._get, methods=["GET"]),
            Route("/v1/predictions/{id}/cancel", self._cancel, methods=["POST"]),
            Route("/v1/files", self._create_file, methods=["POST"]),
            Route("/v1/files/{id}", self._get_file, methods=["GET"]),
            Route("/{path:path}", self._unknown, methods=["GET", "POST", "PUT", "DELETE"]),
        ]

    _KNOWN = (
        re.compile(r"^/v1/models/[^/]+/[^/]+/predictions$"),
        re.compile(r"^/v1/predictions(?:/[^/]+(?:/cancel)?)?$"),
        re.compile(r"^/v1/files(?:/[^/]+)?$"),
    )

    async def _unknown(self, request: Request) -> Response:
        """A path the API does not have is a 404; a known one with the wrong method, 405."""
        self.calls.append(
            Call("unknown", request.method, request.url.path, dict(request.headers), None)
        )
        if any(pattern.match(request.url.path) for pattern in self._KNOWN):
            return problem(405, "Method not allowed", f"{request.method} is not allowed here")
        return problem(404, "Not found", "The requested resource could not be found.")

    def authorized(self, request: Request) -> bool:
        return request.headers.get("authorization") == f"Bearer {self.api_key}"

    def unauthorized(self) -> Response:
        return problem(401, "Unauthenticated", "You did not pass a valid authentication token")

    # -- handlers ------------------------------------------------------------------------

    async def _create_official(self, request: Request) -> Response:
        fault = await self.enter(request, "submit")
        if fault is not None:
            return fault
        model = f"{request.path_params['owner']}/{request.path_params['name']}"
        return await self._create(request, model=model, version="hidden")

    async def _create_version(self, request: Request) -> Response:
        fault = await self.enter(request, "submit")
        if fault is not None:
            return fault
        body = await request.json()
        version = body.get("version") if isinstance(body, dict) else None
        if not isinstance(version, str) or not version:
            return invalid(
                [{"type": "required", "field": "version", "description": "version is required"}]
            )
        model, _, pinned = version.rpartition(":")
        return await self._create(request, model=model or "emulated/model", version=pinned)

    async def _create(self, request: Request, *, model: str, version: str) -> Response:
        body = await request.json()
        model_input = body.get("input") if isinstance(body, dict) else None
        if not isinstance(model_input, dict):
            return invalid(
                [{"type": "required", "field": "input", "description": "input is required"}]
            )
        errors = [
            {
                "type": "additional_property_not_allowed",
                "field": key,
                "description": "Additional property is not allowed",
            }
            for key in body
            if key not in _CREATE_FIELDS
        ]
        events = body.get("webhook_events_filter")
        if events is not None and not (isinstance(events, list) and set(events) <= _WEBHOOK_EVENTS):
            errors.append(
                {
                    "type": "enum",
                    "field": "webhook_events_filter",
                    "description": "events must be start, output, logs or completed",
                }
            )
        errors.extend(validate_input(model, model_input))
        deadline: float | None = None
        header = request.headers.get("cancel-after")
        if header is not None:
            deadline = parse_cancel_after(header)
            if deadline is None or deadline < 5:
                errors.append(
                    {
                        "type": "invalid_header",
                        "field": "Cancel-After",
                        "description": "must be a duration of at least 5s, such as 30s or 5m",
                    }
                )
        if errors:
            return invalid(errors)
        job = self.new_job(model_input)
        job.extra.update(model=model, version=version)
        created = self._prediction(job)  # a new prediction is "starting", whatever follows
        if deadline is not None:
            job.extra["deadline"] = deadline
        if self.abort_next:
            self.abort_next = False
            job.extra["deadline"] = 0.0
        return JSONResponse(created, status_code=201)

    async def _get(self, request: Request) -> Response:
        fault = await self.enter(request, "status")
        if fault is not None:
            return fault
        job = self.jobs.get(request.path_params["id"])
        if job is None:
            return problem(404, "Not found", "The requested resource could not be found.")
        return JSONResponse(self._prediction(job))

    async def _cancel(self, request: Request) -> Response:
        fault = await self.enter(request, "cancel")
        if fault is not None:
            return fault
        job = self.jobs.get(request.path_params["id"])
        if job is None:
            return problem(404, "Not found", "The requested resource could not be found.")
        if job.phase(self.job_seconds) != "done":
            job.cancelled = True
            job.extra["cancelled_at"] = time.time()
        return JSONResponse(self._prediction(job))

    # -- files -----------------------------------------------------------------------------

    async def _create_file(self, request: Request) -> Response:
        fault = await self.enter(request, "upload")
        if fault is not None:
            return fault
        call = self.calls[-1]  # recorded just now, with no await since
        if not request.headers.get("content-type", "").startswith("multipart/form-data"):
            return problem(400, "Bad request", "the body must be multipart/form-data")
        form = await request.form(max_part_size=MAX_FILE_BYTES + 1)
        unknown = sorted(set(form.keys()) - _FILE_FIELDS)
        if unknown:
            return invalid(
                [
                    {
                        "type": "additional_property_not_allowed",
                        "field": name,
                        "description": "Additional property is not allowed",
                    }
                    for name in unknown
                ]
            )
        content = form.get("content")
        if content is None or isinstance(content, str):
            return invalid(
                [{"type": "required", "field": "content", "description": "content is required"}]
            )
        data = await content.read()
        if not data:
            return invalid([{"type": "required", "field": "content", "description": "empty"}])
        if len(data) > MAX_FILE_BYTES:
            return problem(413, "Payload too large", "files may be at most 100 MiB")
        metadata_field = form.get("metadata")
        metadata = json.loads(metadata_field) if isinstance(metadata_field, str) else {}
        file_id = secrets.token_hex(13)
        now = time.time()
        name = content.filename or "file"
        kind = content.content_type or "application/octet-stream"
        record: dict[str, Any] = {
            "id": file_id,
            "name": name,
            "content_type": kind,
            "size": len(data),
            "etag": hashlib.md5(data).hexdigest(),
            "checksums": {
                "sha256": hashlib.sha256(data).hexdigest(),
                "md5": hashlib.md5(data).hexdigest(),
            },
            "metadata": metadata,
            "created_at": _timestamp(now),
            "expires_at": _timestamp(now + 86400),
            "urls": {"get": f"{self.base_url}/v1/files/{file_id}"},
        }
        self.files[file_id] = (record, data)
        call.body = {
            "filename": name,
            "content_type": kind,
            "size": len(data),
            "metadata": metadata,
        }
        return JSONResponse(record, status_code=201)

    async def _get_file(self, request: Request) -> Response:
        fault = await self.enter(request, "get_file")
        if fault is not None:
            return fault
        found = self.files.get(request.path_params["id"])
        if found is None:
            return problem(404, "Not found", "The requested resource could not be found.")
        return JSONResponse(found[0])

    # -- the prediction object -------------------------------------------------------------

    def _prediction(self, job: Job) -> dict[str, Any]:
        get_url = f"{self.base_url}/v1/predictions/{job.id}"
        prediction: dict[str, Any] = {
            "id": job.id,
            "model": job.extra["model"],
            "version": job.extra["version"],
            "input": job.input,
            "logs": "",
            "output": None,
            "data_removed": False,
            "error": None,
            "status": "starting",
            "source": "api",
            "created_at": _timestamp(job.created),
            "started_at": None,
            "completed_at": None,
            "urls": {
                "get": get_url,
                "cancel": f"{get_url}/cancel",
                "stream": f"{self.base_url}/v1/files/stream-{job.id}",
                "web": f"{self.base_url}/p/{job.id}",
            },
            "metrics": {},
        }
        phase = job.phase(self.job_seconds)
        if job.cancelled:
            prediction.update(status="canceled", completed_at=_timestamp(job.extra["cancelled_at"]))
            return prediction
        deadline = job.extra.get("deadline")
        elapsed = time.time() - job.created
        if deadline is not None and elapsed >= deadline and elapsed < self.job_seconds:
            # A deadline passed while queued aborts (unbilled); while running, cancels.
            queued = deadline < self.job_seconds * 0.2
            prediction.update(
                status="aborted" if queued else "canceled",
                completed_at=_timestamp(job.created + deadline),
            )
            if not queued:
                prediction["started_at"] = _timestamp(job.created + self.job_seconds * 0.2)
            return prediction
        if phase == "queued":
            return prediction
        prediction["started_at"] = _timestamp(job.created + self.job_seconds * 0.2)
        if phase == "running":
            percent = int(job.progress(self.job_seconds) * 100)
            steps = max(1, percent // 2)
            prediction.update(
                status="processing",
                logs=f"Generating video...\n{percent:3d}%|{'#' * (percent // 10):<10}| "
                f"{steps}/50 [00:01<00:01,  2.00it/s]",
            )
            return prediction
        finished = {
            "completed_at": _timestamp(job.created + self.job_seconds),
            "metrics": {"predict_time": round(self.job_seconds * 0.8, 3)},
        }
        prediction.update(finished)
        if job.outcome == "success":
            prediction.update(status="succeeded", output=self.media_url(job), logs="done")
        elif job.outcome == "moderation":
            prediction.update(status="failed", error=FLAGGED_ERROR)
        else:
            prediction.update(status="failed", error=FAILED_ERROR, logs="Traceback ...")
        return prediction
