"""GET /v1/models: the aliases a client may pass as ``model``."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from tarash_gateway.proxy.gateway import Gateway
from tarash_gateway.proxy.http.auth import authenticate
from tarash_gateway.proxy.http.errors import not_found
from tarash_gateway.proxy.http.routes import route


def _model(alias: str, created: int) -> dict[str, object]:
    return {"id": alias, "object": "model", "created": created, "owned_by": "tarash-gateway"}


async def list_models(request: Request) -> Response:
    caller = await authenticate(request)
    gateway: Gateway = request.app.state.gateway
    aliases = [alias for alias in gateway.router.aliases if caller.allows(alias)]
    data = [_model(alias, gateway.started_at) for alias in aliases]
    return JSONResponse({"object": "list", "data": data})


async def retrieve_model(request: Request) -> Response:
    caller = await authenticate(request)
    gateway: Gateway = request.app.state.gateway
    alias = request.path_params["model"]
    if alias not in gateway.router.aliases or not caller.allows(alias):
        raise not_found("model", alias, param="model")
    return JSONResponse(_model(alias, gateway.started_at))


routes = [
    route("/v1/models", GET=list_models),
    route("/v1/models/{model:path}", GET=retrieve_model),
]
