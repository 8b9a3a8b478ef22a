"""POST /v1/images/generations, OpenAI-compatible, through the image adapters.

Images are synchronous for the client, so the budget is reserved (the most any
deployment of the alias's chain could charge), the router called (breaker, limits,
retries and fallbacks, as for videos) and the serving deployment's price settled within
the one request; each call is recorded in ``image_generations`` with its attempts, so
spend reports include it.
"""

from __future__ import annotations

import base64
import secrets
import time
from dataclasses import dataclass, field
from typing import Any

import pydantic
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from tarash_gateway.proxy.gateway import Gateway
from tarash_gateway.proxy.http.admission import check_model_allowed, check_rate, refusal_error
from tarash_gateway.proxy.http.auth import Caller, authenticate
from tarash_gateway.proxy.http.errors import APIError, invalid_body
from tarash_gateway.proxy.http.params import check_extras_size, read_body
from tarash_gateway.proxy.http.routes import route
from tarash_gateway.proxy.metrics import SPEND
from tarash_gateway.proxy.store.jobs import attempts_json
from tarash_gateway.proxy.store.ledger import AdmissionRefused, reserve, settle
from tarash_gateway.proxy.store.schema import image_generations
from tarash_gateway.router import (
    AttemptRecord,
    Deployment,
    ImageGenerationRequest,
    TarashError,
    UnknownAliasError,
)

RESPONSE_FORMATS = ("url", "b64_json")


def _parse(data: dict[str, Any]) -> tuple[str, str, ImageGenerationRequest]:
    data = dict(data)
    alias = data.pop("model", None)
    if not isinstance(alias, str) or not alias:
        raise APIError(
            400,
            "Missing required parameter 'model'.",
            param="model",
            code="missing_required_parameter",
        )
    response_format = data.pop("response_format", None) or "url"
    if response_format not in RESPONSE_FORMATS:
        raise APIError(
            400,
            f"Invalid response_format {response_format!r}; expected url or b64_json.",
            param="response_format",
            code="invalid_value",
        )
    data.pop("user", None)
    if data.get("size") == "auto":
        data.pop("size")
    try:
        request = ImageGenerationRequest.model_validate(data)
    except pydantic.ValidationError as exc:
        raise invalid_body(exc) from None
    return alias, str(response_format), request


async def _as_base64(gateway: Gateway, deployment: Deployment, image: str) -> str:
    """The image's bytes, base64: a ``data:`` URL's payload, raw base64 as it is (its
    alphabet has no colon, so anything with one is a URL), or what a provider URL points
    at, read under the outbound policy (no local files outside the media directories,
    no private addresses but the deployment's own host)."""
    if image.startswith("data:"):
        return image.partition(",")[2]
    if ":" not in image:
        return image
    data = await gateway.outbound.read(image, deployment.params.base_url)
    return base64.b64encode(data).decode()


async def _image_entry(
    gateway: Gateway, deployment: Deployment, image: str, response_format: str
) -> dict[str, str]:
    """One ``data`` item. Local files and raw base64 never leave as a bare path."""
    if response_format == "b64_json":
        return {"b64_json": await _as_base64(gateway, deployment, image)}
    if image.startswith(("http://", "https://", "data:")):
        return {"url": image}
    encoded = await _as_base64(gateway, deployment, image)
    return {"url": f"data:{_image_type(encoded)};base64,{encoded}"}


def _image_type(encoded: str) -> str:
    """The image's media type from its first bytes (providers answer JPEG, PNG or WebP)."""
    head = base64.b64decode(encoded[:24] + "=" * (-len(encoded[:24]) % 4))
    if head.startswith(b"\xff\xd8"):
        return "image/jpeg"
    if head.startswith(b"RIFF") and head[8:12] == b"WEBP":
        return "image/webp"
    return "image/png"


def _check_alias(gateway: Gateway, caller: Caller, alias: str) -> Deployment:
    """The alias's first image deployment, if the caller may use it. The allowlist comes
    first, so a restricted key cannot probe which aliases exist (see videos)."""
    router = gateway.router
    check_model_allowed(caller, alias, router.aliases)
    if alias not in router.aliases:
        raise UnknownAliasError(alias, [name for name in router.aliases if caller.allows(name)])
    able = router.image_deployments(alias)
    if not able:
        raise APIError(
            400,
            f"Model {alias!r} does not generate images.",
            param="model",
            code="model_not_supported",
        )
    return able[0]


async def _reserve(
    gateway: Gateway, caller: Caller, alias: str, first: Deployment, n: int, cost: float
) -> str:
    """Reserve ``cost`` and write the call down in one transaction; a refusal writes
    nothing. Returns the row's id."""
    row_id = f"img_{secrets.token_hex(12)}"
    try:
        async with gateway.database.begin() as conn:
            if caller.holder is not None:
                await reserve(conn, caller.holder, cost, time.time())
            await conn.execute(
                image_generations.insert().values(
                    id=row_id,
                    owner=caller.owner,
                    key_id=caller.key.id if caller.key else None,
                    alias=alias,
                    deployment_id=first.id,
                    n=n,
                    status="in_progress",
                    estimated_cost_usd=cost,
                    created_at=time.time(),
                )
            )
    except AdmissionRefused as refusal:
        raise refusal_error(refusal) from None
    return row_id


@dataclass
class _Outcome:
    """How the call ended, for the row and the ledger (failed until proven otherwise)."""

    reserved: float
    deployment_id: str
    attempts: list[AttemptRecord] = field(default_factory=list)
    charge: float = 0.0
    status: str = "failed"
    error_code: str | None = None


async def _settle(gateway: Gateway, caller: Caller, row_id: str, outcome: _Outcome) -> None:
    """Book the charge (0 on failure), free the reservation and finish the row."""
    holder = caller.holder
    async with gateway.database.begin() as conn:
        if holder is not None:
            await settle(
                conn, holder.key.id, holder.team.id, outcome.reserved, outcome.charge, time.time()
            )
        await conn.execute(
            image_generations.update()
            .where(image_generations.c.id == row_id)
            .values(
                status=outcome.status,
                deployment_id=outcome.deployment_id,
                cost_usd=outcome.charge,
                error_code=outcome.error_code,
                attempts_json=attempts_json(outcome.attempts),
                completed_at=time.time(),
            )
        )


async def _generate(
    gateway: Gateway,
    alias: str,
    request: ImageGenerationRequest,
    response_format: str,
    outcome: _Outcome,
) -> list[dict[str, str]]:
    """Generate through the router (breaker, limits, retries, fallbacks) and shape the
    ``data`` items; ``outcome`` learns the serving deployment, attempts and charge."""
    try:
        served = await gateway.router.generate_image(alias, request, attempts=outcome.attempts)
    except TarashError as error:
        outcome.error_code = error.code
        if outcome.attempts:
            outcome.deployment_id = outcome.attempts[-1].deployment_id or outcome.deployment_id
        raise
    deployment, result = served.deployment, served.response
    data = [
        await _image_entry(gateway, deployment, image, response_format) for image in result.images
    ]
    if result.revised_prompt:
        for entry in data:
            entry["revised_prompt"] = result.revised_prompt
    outcome.deployment_id = deployment.id
    outcome.charge, outcome.status = deployment.image_cost(request.n), "completed"
    return data


async def create_image(request: Request) -> Response:
    caller = await authenticate(request)
    gateway: Gateway = request.app.state.gateway
    alias, response_format, image_request = _parse(await read_body(request))
    check_extras_size(
        image_request.extra_params, gateway.config.general_settings.max_extra_params_bytes
    )
    first = _check_alias(gateway, caller, alias)
    await check_rate(gateway, caller)
    now = time.time()
    cost = gateway.router.max_image_cost(alias, image_request.n)
    row_id = await _reserve(gateway, caller, alias, first, image_request.n, cost)
    outcome = _Outcome(reserved=cost, deployment_id=first.id)
    try:
        data = await _generate(gateway, alias, image_request, response_format, outcome)
    finally:
        await _settle(gateway, caller, row_id, outcome)
    if outcome.charge:
        SPEND.labels(caller.owner, alias).inc(outcome.charge)
    return JSONResponse({"created": int(now), "data": data}, headers={"x-tarash-alias": alias})


routes = [route("/v1/images/generations", POST=create_image)]
