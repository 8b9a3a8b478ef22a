"""Starting a video job: plan it, reserve and write its row, submit it, checkpoint it.

The HTTP handlers (``proxy/http/videos.py``) parse, authenticate and answer; what
happens between an accepted create (or remix) and a job the poller can follow lives
here, so it reads as one sequence and can be driven without a request. A refusal at
any step before the provider accepts leaves nothing behind: no row, no reservation.
"""

from __future__ import annotations

import logging
import secrets
import time
from dataclasses import dataclass

from tarash_gateway.proxy.gateway import Gateway
from tarash_gateway.proxy.http.echo import video_echo
from tarash_gateway.proxy.logs import bind
from tarash_gateway.proxy.store.jobs import VideoRecord, attempts_json
from tarash_gateway.proxy.store.ledger import Holder
from tarash_gateway.router import (
    Deployment,
    Route,
    Router,
    Submission,
    VideoGenerationRequest,
)

logger = logging.getLogger("tarash.videos")


def new_video_id() -> str:
    """Opaque and unguessable: 128 random bits."""
    return f"video_{secrets.token_hex(16)}"


@dataclass
class Plan:
    """What a job will ask for before anything is reserved: where it starts, the
    request as that deployment reads it, the Video's ``seconds``/``size``, and the
    most it may cost (the reservation)."""

    alias: str
    first: Deployment
    request: VideoGenerationRequest
    seconds: str
    size: str
    estimate: float
    request_json: str = ""
    """The request as stored, serialised at plan time: a failure costs no rate slot."""
    asked_size: str | None = None
    """The client's own size (None when left out), echoed back as asked."""
    remix_of: VideoRecord | None = None
    route: Route | None = None
    """The deployments the request may use, worked out once for plan and submit."""


def plan_video(
    router: Router, alias: str, request: VideoGenerationRequest, asked_size: str | None
) -> Plan:
    """A new video goes through the alias (capabilities, strategy): a 400 here costs
    nothing. ``seconds`` and ``size`` are what the first deployment would request from
    its provider, its model's defaults filled in."""
    route = router.route(alias, request)
    first = router.plan(alias, request, route)[0]
    seconds, size = video_echo(route.resolved_for(first).request, asked_size)
    estimate = router.max_cost(alias, request, route)
    request_json = request.model_dump_json()
    return Plan(
        alias, first, request, seconds, size, estimate, request_json, asked_size, route=route
    )


def plan_remix(router: Router, source: VideoRecord, request: VideoGenerationRequest) -> Plan:
    """A remix runs where its source ran (only that deployment knows the upstream job),
    at the source's duration and size."""
    first = router.deployment(source.deployment_id)
    resolved = router.resolve(first, request).request
    estimate = first.cost(float(source.seconds))
    return Plan(
        alias=source.alias,
        first=first,
        request=resolved,
        seconds=source.seconds,
        size=source.size,
        estimate=estimate,
        request_json=resolved.model_dump_json(),
        asked_size=source.size,
        remix_of=source,
    )


def new_record(router: Router, owner: str, plan: Plan) -> VideoRecord:
    """The row as written before the submit: queued on the first deployment."""
    now = time.time()
    return VideoRecord(
        id=new_video_id(),
        owner=owner,
        alias=plan.alias,
        deployment_id=plan.first.id,
        status="queued",
        seconds=plan.seconds,
        size=plan.size,
        prompt=plan.request.prompt,
        request_json=plan.request_json,
        created_at=now,
        updated_at=now,
        remixed_from_video_id=plan.remix_of.id if plan.remix_of else None,
        next_poll_at=now + router.settings.jobs.submit_grace_seconds,
        estimated_cost_usd=plan.estimate,
    )


async def submit(router: Router, plan: Plan, record: VideoRecord) -> Submission:
    """Hand the job to a provider through the router (breaker, limits, retries, every
    try recorded). A remix stays on its source's deployment; a create may settle on
    another (retries, fallbacks), whose resolved request then sets the Video's
    ``seconds`` and ``size``."""
    if plan.remix_of is not None:
        upstream_id = plan.remix_of.upstream_id
        assert upstream_id is not None
        return await router.remix(plan.first, upstream_id, plan.request)
    submission = await router.submit(plan.alias, plan.request, route=plan.route)
    if submission.resolved is not None:
        record.seconds, record.size = video_echo(submission.resolved.request, plan.asked_size)
        record.coerced = submission.resolved.coerced
    return submission


async def checkpoint(gateway: Gateway, record: VideoRecord, submitted: Submission) -> None:
    """Write down where the job now runs, so the poller can follow it."""
    deployment = submitted.deployment
    record.deployment_id = deployment.id
    record.upstream_id = submitted.job.request_id
    record.attempts = max(1, len(submitted.attempts))
    record.attempts_json = attempts_json(submitted.attempts)
    record.submitted_at = time.time()
    record.next_poll_at = record.submitted_at + deployment.params.poll_interval
    await gateway.store.update(
        record.id,
        deployment_id=record.deployment_id,
        seconds=record.seconds,
        size=record.size,
        upstream_id=record.upstream_id,
        attempts=record.attempts,
        attempts_json=record.attempts_json,
        submitted_at=record.submitted_at,
        next_poll_at=record.next_poll_at,
    )
    record.provider_seconds = submitted.provider_seconds


def _log_created(gateway: Gateway, record: VideoRecord, prompt: str | None) -> None:
    bind(
        alias=record.alias,
        deployment=record.deployment_id,
        upstream_id=record.upstream_id,
        video_id=record.id,
    )
    logged_prompt = {"prompt": prompt} if gateway.config.general_settings.log_prompts else {}
    logger.info(
        "video created",
        extra={
            "attempts": record.attempts,
            "seconds": record.seconds,
            "size": record.size,
            **logged_prompt,
        },
    )


async def start_job(
    gateway: Gateway,
    plan: Plan,
    *,
    owner: str,
    holder: Holder | None,
    idempotency: tuple[str, str] | None = None,
) -> VideoRecord:
    """Reserve and write the job down, then submit it; a refusal leaves nothing behind.

    Raises ``AdmissionRefused`` (budget, parallel-job limit) before anything is written,
    ``IdempotencyKeyTaken`` when another request holds the key, and the router's error
    when no provider accepts the job (the row is discarded then).
    """
    record = new_record(gateway.router, owner, plan)
    await gateway.store.insert(record, holder, idempotency)
    try:
        submitted = await submit(gateway.router, plan, record)
    except BaseException:
        await gateway.store.discard(record.id)
        raise
    await checkpoint(gateway, record, submitted)
    _log_created(gateway, record, plan.request.prompt)
    return record
