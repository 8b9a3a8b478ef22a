"""The OpenAI-compatible /v1/videos endpoints."""

from __future__ import annotations

import hashlib
import json
import logging
import time
from typing import Literal, cast

from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response

from tarash_gateway.proxy import jobs
from tarash_gateway.proxy.gateway import Gateway
from tarash_gateway.proxy.http.admission import check_model_allowed, check_rate, refusal_error
from tarash_gateway.proxy.http.auth import Caller, authenticate
from tarash_gateway.proxy.http.content import serve_location
from tarash_gateway.proxy.http.echo import coerced_header
from tarash_gateway.proxy.http.errors import APIError, not_found
from tarash_gateway.proxy.http.numbers import parse_int
from tarash_gateway.proxy.http.params import (
    CreateParams,
    parse_create,
    parse_remix,
    read_body,
)
from tarash_gateway.proxy.http.routes import route
from tarash_gateway.proxy.http.serialize import json_response, video_json, video_list_json
from tarash_gateway.proxy.metrics import CREATE_OVERHEAD
from tarash_gateway.proxy.store.jobs import IdempotencyKeyTaken, VideoRecord
from tarash_gateway.proxy.store.ledger import AdmissionRefused
from tarash_gateway.router import (
    Deployment,
    TarashError,
    UnknownAliasError,
    VideoGenerationRequest,
)

MAX_LIST_LIMIT = 100
logger = logging.getLogger("tarash.videos")


def _gateway(request: Request) -> Gateway:
    gateway: Gateway = request.app.state.gateway
    return gateway


async def _owned(request: Request, caller: Caller) -> VideoRecord:
    """The video in the path, if the caller may see it; another team's video is a 404."""
    video_id = request.path_params["video_id"]
    record = await _gateway(request).store.get(video_id, owner=caller.scope)
    if record is None:
        raise not_found("video", video_id, param="video_id")
    return record


def _video_response(gateway: Gateway, record: VideoRecord, status_code: int = 200) -> Response:
    # Owners may see where their video runs; never a key or an upstream URL.
    headers = {"x-tarash-alias": record.alias, "x-tarash-deployment": record.deployment_id}
    if record.in_flight:
        try:
            interval = gateway.router.deployment(record.deployment_id).params.poll_interval
            headers["openai-poll-after-ms"] = str(max(100, int(interval * 1000)))
        except TarashError:
            pass
    return json_response(video_json(record), status_code, headers)


async def _start(
    gateway: Gateway,
    caller: Caller,
    plan: jobs.Plan,
    idempotency: tuple[str, str] | None = None,
) -> VideoRecord:
    """Take the caller's rate slot, then start the job; a budget or parallel-job
    refusal becomes its 429/400 answer."""
    await check_rate(gateway, caller)
    try:
        return await jobs.start_job(
            gateway, plan, owner=caller.owner, holder=caller.holder, idempotency=idempotency
        )
    except AdmissionRefused as refusal:
        raise refusal_error(refusal) from None


async def create_video(request: Request) -> Response:
    started = time.perf_counter()
    caller = await authenticate(request)
    gateway = _gateway(request)
    visible = [alias for alias in gateway.router.aliases if caller.allows(alias)]
    body = await read_body(request, files=("input_reference",))
    limit = gateway.config.general_settings.max_extra_params_bytes
    params = await parse_create(body, visible, max_extra_bytes=limit)
    # The allowlist first: a restricted key is refused the same way whether or not the
    # alias exists, so it cannot probe which aliases are configured.
    check_model_allowed(caller, params.alias, gateway.router.aliases)
    if params.alias not in gateway.router.aliases:
        raise UnknownAliasError(params.alias, visible)  # never name aliases it may not use
    idempotency = _idempotency(request, params)
    if idempotency is not None and (replay := await _replay(gateway, caller, idempotency)):
        return replay
    try:
        plan = jobs.plan_video(gateway.router, params.alias, params.request, params.size)
        record = await _start(gateway, caller, plan, idempotency)
    except IdempotencyKeyTaken:
        assert idempotency is not None
        replay = await _replay(gateway, caller, idempotency)
        if replay is None:  # the first request failed and gave the key back: try again
            raise APIError(
                409,
                "A request with this Idempotency-Key is in progress; retry.",
                code="idempotency_in_progress",
            ) from None
        return replay
    response = _video_response(gateway, record)
    if record.coerced:
        response.headers["x-tarash-coerced"] = coerced_header(record.coerced)
    CREATE_OVERHEAD.observe(max(0.0, time.perf_counter() - started - record.provider_seconds))
    return response


def _idempotency(request: Request, params: CreateParams) -> tuple[str, str] | None:
    """(Idempotency-Key, hash of what the request asks for), if the client sent a key."""
    key = request.headers.get("idempotency-key", "").strip()
    if not key:
        return None
    if len(key) > 255:
        raise APIError(
            400,
            "Idempotency-Key is longer than 255 characters.",
            param="Idempotency-Key",
            code="invalid_value",
        )
    wanted = {
        "alias": params.alias,
        "seconds": params.seconds,
        "size": params.size,
        "request": params.request.model_dump(mode="json"),
    }
    digest = hashlib.sha256(json.dumps(wanted, sort_keys=True).encode()).hexdigest()
    return key, digest


async def _replay(
    gateway: Gateway, caller: Caller, idempotency: tuple[str, str]
) -> Response | None:
    """The video an earlier request with this key created, or a 409 if the body differs.
    None when the key is unused."""
    key, digest = idempotency
    found = await gateway.store.idempotent_video(caller.owner, key)
    if found is None:
        return None
    video_id, recorded = found
    if recorded != digest:
        raise APIError(
            409,
            "This Idempotency-Key was already used with a different request body.",
            code="idempotency_key_reused",
            param="Idempotency-Key",
            headers={"x-should-retry": "false"},
        )
    record = await gateway.store.get(video_id)
    if record is None:
        return None
    response = _video_response(gateway, record)
    response.headers["idempotent-replayed"] = "true"
    return response


async def retrieve_video(request: Request) -> Response:
    caller = await authenticate(request)
    return _video_response(_gateway(request), await _owned(request, caller))


def _list_query(request: Request) -> tuple[int, Literal["asc", "desc"], str | None]:
    query = request.query_params
    limit = parse_int(query.get("limit", "20"), param="limit", low=1, high=MAX_LIST_LIMIT)
    order = query.get("order", "desc")
    if order not in ("asc", "desc"):
        raise APIError(
            400,
            f"Invalid order {order!r}; expected 'asc' or 'desc'.",
            param="order",
            code="invalid_value",
        )
    return limit, cast(Literal["asc", "desc"], order), query.get("after") or None


async def list_videos(request: Request) -> Response:
    caller = await authenticate(request)
    store = _gateway(request).store
    limit, order, after = _list_query(request)
    after_seq = None
    if after is not None:
        cursor = await store.get(after, owner=caller.scope)
        if cursor is None:
            raise APIError(
                400, f"Invalid cursor: no video {after!r}.", param="after", code="invalid_value"
            )
        after_seq = cursor.seq
    records, has_more = await store.page(
        caller.scope, after_seq=after_seq, limit=limit, order=order
    )
    return json_response(video_list_json(records, has_more))


async def delete_video(request: Request) -> Response:
    caller = await authenticate(request)
    gateway = _gateway(request)
    record = await _owned(request, caller)
    if record.in_flight and record.upstream_id is not None:
        try:
            deployment = gateway.router.deployment(record.deployment_id)
            await gateway.router.cancel(deployment, record.upstream_id)
        except TarashError:
            pass  # best effort: the video is deleted for the client either way
    await gateway.store.delete(record.id)
    return JSONResponse({"id": record.id, "object": "video.deleted", "deleted": True})


async def video_content(request: Request) -> Response:
    caller = await authenticate(request)
    gateway = _gateway(request)
    record = await _owned(request, caller)
    variant = request.query_params.get("variant", "video")
    if variant not in ("video", "thumbnail", "spritesheet"):
        raise APIError(
            400,
            f"Invalid variant {variant!r}; expected video, thumbnail or spritesheet.",
            param="variant",
            code="invalid_value",
        )
    if record.status != "completed":
        raise APIError(
            400,
            f"Video {record.id} is not ready: its status is {record.status}.",
            param="video_id",
            code="video_not_ready",
        )
    result = record.result
    location = result.get(variant)
    if not location:
        raise APIError(
            404,
            f"This video has no {variant} variant.",
            param="variant",
            code="variant_unavailable",
        )
    default_type = result.get("content_type", "video/mp4") if variant == "video" else "image/jpeg"
    auth: dict[str, str] = {}
    try:
        deployment: Deployment | None = gateway.router.deployment(record.deployment_id)
    except TarashError:
        deployment = None  # gone from the config: try the URL as it is, with no allowance
    if deployment is not None and location.startswith(("http://", "https://")):
        auth = gateway.router.download_headers(deployment, location)
        if deployment.params.content_redirect and not auth:
            return RedirectResponse(location, status_code=302)
    base_url = deployment.params.base_url if deployment is not None else None
    return await serve_location(request, gateway.outbound, location, default_type, auth, base_url)


async def remix_video(request: Request) -> Response:
    caller = await authenticate(request)
    gateway = _gateway(request)
    source = await _owned(request, caller)
    prompt = parse_remix(await read_body(request))
    if source.status != "completed":
        raise APIError(
            400,
            f"Only completed videos can be remixed; {source.id} is {source.status}.",
            param="video_id",
            code="video_not_ready",
        )
    check_model_allowed(caller, source.alias)
    deployment = gateway.router.deployment(source.deployment_id)
    if not gateway.router.supports_remix(deployment):
        raise APIError(
            400,
            f"The deployment serving model {source.alias!r} "
            f"({deployment.params.provider}) does not support remix.",
            param="video_id",
            code="remix_not_supported",
        )
    original = VideoGenerationRequest.model_validate_json(source.request_json)
    remix_request = original.model_copy(update={"prompt": prompt})
    plan = jobs.plan_remix(gateway.router, source, remix_request)
    record = await _start(gateway, caller, plan)
    return _video_response(gateway, record)


routes = [
    route("/v1/videos", GET=list_videos, POST=create_video),
    route("/v1/videos/{video_id}", GET=retrieve_video, DELETE=delete_video),
    route("/v1/videos/{video_id}/content", GET=video_content),
    route("/v1/videos/{video_id}/remix", POST=remix_video),
]
