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
"""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from tests.emulators.base import Emulator, Job

FAILED_ERROR = "Prediction failed: CUDA error: an illegal memory access was encountered"
FLAGGED_ERROR = (
    "The input or output was flagged as sensitive. Please try again with different inputs. (E005)"
)


def _timestamp(seconds: float) -> str:
    return datetime.fromtimestamp(seconds, UTC).isoformat().replace("+00:00", "Z")


def problem(status: int, title: str, detail: str) -> JSONResponse:
    """Replicate's error shape."""
    return JSONResponse({"title": title, "detail": detail, "status": status}, status_code=status)


class ReplicateEmulator(Emulator):
    name = "replicate"

    def provider_routes(self) -> list[BaseRoute]:
        return [
            Route("/v1/models/{owner}/{name}/predictions", self._create_official, methods=["POST"]),
            Route("/v1/predictions", self._create_version, methods=["POST"]),
            Route("/v1/predictions/{id}", self._get, methods=["GET"]),
            Route("/v1/predictions/{id}/cancel", self._cancel, methods=["POST"]),
        ]

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
            return problem(422, "Input validation failed", "- version: version is required")
        model, _, pinned = version.rpartition(":")
        return await self._create(request, model=model or "emulated/model", version=pinned)

    async def _create(self, request: Request, *, model: str, version: str) -> Response:
        body = await request.json()
        model_input = body.get("input") if isinstance(body, dict) else None
        if not isinstance(model_input, dict):
            return problem(422, "Input validation failed", "- input: input is required")
        if not model_input.get("prompt"):
            return problem(422, "Input validation failed", "- input.prompt: prompt is required")
        job = self.new_job(model_input)
        job.extra.update(model=model, version=version)
        return JSONResponse(self._prediction(job), status_code=201)

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
