"""POST /v1/images/generations, OpenAI-compatible, through the image adapters.

Images are synchronous for the client, so the budget is reserved, the provider called
and the reservation settled within the one request; each call is recorded in
``image_generations`` so spend reports include it.
"""

from __future__ import annotations

import base64
import secrets
import time
from typing import Any

import pydantic
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from tarash_gateway.adapters.registry import image_provider_for
from tarash_gateway.proxy.gateway import Gateway
from tarash_gateway.proxy.http.admission import check_model_allowed, check_rate, refusal_error
from tarash_gateway.proxy.http.auth import Caller, authenticate
from tarash_gateway.proxy.http.errors import APIError, invalid_body
from tarash_gateway.proxy.http.params import check_extras_size, read_body
from tarash_gateway.proxy.http.routes import route
from tarash_gateway.proxy.metrics import SPEND
from tarash_gateway.proxy.store.ledger import AdmissionRefused, reserve, settle
from tarash_gateway.proxy.store.schema import image_generations
from tarash_gateway.router import Deployment, ImageGenerationRequest, TarashError, UnknownAliasError

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


def _image_deployment(gateway: Gateway, caller: Caller, alias: str) -> Deployment:
    visible = [name for name in gateway.router.aliases if caller.allows(name)]
    check_model_allowed(
        caller, alias, gateway.router.aliases
    )  # first, so existence is not revealed (see videos)
    if alias not in gateway.router.aliases:
        raise UnknownAliasError(alias, visible)
    deployment = gateway.router.pick(alias)
    try:
        image_provider_for(deployment.image_config)
    except TarashError:
        raise APIError(
            400,
            f"Model {alias!r} does not generate images.",
            param="model",
            code="model_not_supported",
        ) from None
    return deployment


async def create_image(request: Request) -> Response:
    caller = await authenticate(request)
    gateway: Gateway = request.app.state.gateway
    alias, response_format, image_request = _parse(await read_body(request))
    check_extras_size(
        image_request.extra_params, gateway.config.general_settings.max_extra_params_bytes
    )
    deployment = _image_deployment(gateway, caller, alias)
    await check_rate(gateway, caller)
    cost = deployment.image_cost(image_request.n)
    now = time.time()
    row_id = f"img_{secrets.token_hex(12)}"
    holder = caller.holder
    try:
        async with gateway.database.begin() as conn:
            if holder is not None:
                await reserve(conn, holder, cost, now)
            await conn.execute(
                image_generations.insert().values(
                    id=row_id,
                    owner=caller.owner,
                    key_id=caller.key.id if caller.key else None,
                    alias=alias,
                    deployment_id=deployment.id,
                    n=image_request.n,
                    status="in_progress",
                    estimated_cost_usd=cost,
                    created_at=now,
                )
            )
    except AdmissionRefused as refusal:
        raise refusal_error(refusal) from None

    charge, status, error_code = 0.0, "failed", None
    try:
        result = await gateway.router.generate_image(deployment, image_request)
        data = [
            await _image_entry(gateway, deployment, image, response_format)
            for image in result.images
        ]
        charge, status = cost, "completed"
        if charge:
            SPEND.labels(caller.owner, alias).inc(charge)
    except TarashError as error:
        error_code = error.code
        raise
    finally:
        async with gateway.database.begin() as conn:
            if holder is not None:
                await settle(conn, holder.key.id, holder.team.id, cost, charge, time.time())
            await conn.execute(
                image_generations.update()
                .where(image_generations.c.id == row_id)
                .values(
                    status=status,
                    cost_usd=charge,
                    error_code=error_code,
                    completed_at=time.time(),
                )
            )
    if result.revised_prompt:
        for entry in data:
            entry["revised_prompt"] = result.revised_prompt
    return JSONResponse({"created": int(now), "data": data}, headers={"x-tarash-alias": alias})


routes = [route("/v1/images/generations", POST=create_image)]
