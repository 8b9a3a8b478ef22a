"""The OpenAPI document the gateway serves at /openapi.json, built from pydantic models."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel
from pydantic.json_schema import models_json_schema

from tarash_gateway.proxy.http import admin_models as am
from tarash_gateway.proxy.http import api_models as v1

REF = "#/components/schemas/{model}"


@dataclass(frozen=True)
class Query:
    name: str
    description: str
    type: str = "string"
    enum: tuple[str, ...] = ()


@dataclass(frozen=True)
class Operation:
    method: str
    path: str
    summary: str
    tag: str
    response: type[BaseModel] | None
    request: type[BaseModel] | None = None
    status: int = 200
    query: tuple[Query, ...] = ()
    form: bool = False
    binary: bool = False
    text: bool = False
    public: bool = False
    errors: tuple[int, ...] = field(default=(400, 401, 404))


_ADMIN_ERRORS = (400, 401, 403, 404)
_LIST = (
    Query("limit", "1 to 100 (default 20).", "integer"),
    Query("order", "Sort by creation.", enum=("asc", "desc")),
    Query("after", "A video id: return the page after it."),
)

OPERATIONS: tuple[Operation, ...] = (
    Operation(
        "post",
        "/v1/videos",
        "Create a video",
        "videos",
        v1.VideoObject,
        v1.VideoCreate,
        form=True,
        errors=(400, 401, 403, 404, 413, 429),
    ),
    Operation("get", "/v1/videos", "List your videos", "videos", v1.VideoList, query=_LIST),
    Operation("get", "/v1/videos/{video_id}", "Retrieve a video", "videos", v1.VideoObject),
    Operation("delete", "/v1/videos/{video_id}", "Delete a video", "videos", v1.VideoDeleted),
    Operation(
        "get",
        "/v1/videos/{video_id}/content",
        "Download a video's bytes",
        "videos",
        None,
        binary=True,
        query=(Query("variant", "Which file.", enum=("video", "thumbnail", "spritesheet")),),
    ),
    Operation(
        "post",
        "/v1/videos/{video_id}/remix",
        "Remix a completed video",
        "videos",
        v1.VideoObject,
        v1.VideoRemix,
        errors=(400, 401, 403, 404, 429),
    ),
    Operation(
        "post",
        "/v1/images/generations",
        "Generate images",
        "images",
        v1.ImagesResponse,
        v1.ImageCreate,
        errors=(400, 401, 403, 404, 429, 502),
    ),
    Operation("get", "/v1/models", "List the model aliases you may use", "models", v1.ModelList),
    Operation("get", "/v1/models/{model}", "Retrieve a model alias", "models", v1.ModelObject),
    Operation(
        "get",
        "/health/liveness",
        "Is the process up",
        "health",
        v1.Liveness,
        public=True,
        errors=(),
    ),
    Operation(
        "get",
        "/health/readiness",
        "Database reachable and a config loaded",
        "health",
        v1.Readiness,
        public=True,
        errors=(503,),
    ),
    Operation(
        "get",
        "/v1/inputs/{token}",
        "An uploaded input image, for the provider (signed, short-lived link)",
        "videos",
        None,
        binary=True,
        public=True,
        errors=(404,),
    ),
    Operation(
        "get", "/metrics", "Prometheus metrics", "health", None, public=True, errors=(), text=True
    ),
    Operation(
        "post",
        "/admin/teams",
        "Create a team",
        "admin",
        am.TeamView,
        am.TeamCreate,
        status=201,
        errors=_ADMIN_ERRORS,
    ),
    Operation("get", "/admin/teams", "List teams", "admin", am.TeamList, errors=_ADMIN_ERRORS),
    Operation(
        "get",
        "/admin/teams/{team_id}",
        "Retrieve a team",
        "admin",
        am.TeamView,
        errors=_ADMIN_ERRORS,
    ),
    Operation(
        "patch",
        "/admin/teams/{team_id}",
        "Update a team",
        "admin",
        am.TeamView,
        am.TeamUpdate,
        errors=_ADMIN_ERRORS,
    ),
    Operation(
        "delete",
        "/admin/teams/{team_id}",
        "Delete a team and its keys",
        "admin",
        am.Deleted,
        errors=_ADMIN_ERRORS,
    ),
    Operation(
        "post",
        "/admin/keys",
        "Create a key (the secret is shown once)",
        "admin",
        am.KeyWithSecret,
        am.KeyCreate,
        status=201,
        errors=_ADMIN_ERRORS,
    ),
    Operation(
        "get",
        "/admin/keys",
        "List keys",
        "admin",
        am.KeyList,
        errors=_ADMIN_ERRORS,
        query=(Query("team_id", "Only this team's keys."),),
    ),
    Operation(
        "get", "/admin/keys/{key_id}", "Retrieve a key", "admin", am.KeyView, errors=_ADMIN_ERRORS
    ),
    Operation(
        "patch",
        "/admin/keys/{key_id}",
        "Update a key",
        "admin",
        am.KeyView,
        am.KeyUpdate,
        errors=_ADMIN_ERRORS,
    ),
    Operation(
        "post",
        "/admin/keys/{key_id}/revoke",
        "Revoke a key now",
        "admin",
        am.KeyView,
        errors=_ADMIN_ERRORS,
    ),
    Operation(
        "post",
        "/admin/keys/{key_id}/rotate",
        "Rotate a key's secret",
        "admin",
        am.KeyWithSecret,
        am.KeyRotate,
        errors=_ADMIN_ERRORS,
    ),
    Operation(
        "post",
        "/admin/config/reload",
        "Reload the config file",
        "admin",
        am.ConfigReloaded,
        errors=_ADMIN_ERRORS,
    ),
    Operation(
        "get",
        "/admin/deployments",
        "Deployment health (never calls a provider)",
        "admin",
        am.DeploymentList,
        errors=_ADMIN_ERRORS,
    ),
    Operation(
        "get",
        "/admin/webhooks/deliveries",
        "Webhook delivery log",
        "admin",
        am.WebhookDeliveryList,
        errors=_ADMIN_ERRORS,
        query=(
            Query("team_id", "Only this team."),
            Query("video_id", "Only this video."),
            Query("status", "pending, delivered, failed or skipped."),
        ),
    ),
    Operation(
        "get",
        "/admin/spend",
        "Spend report",
        "admin",
        am.SpendReport,
        errors=_ADMIN_ERRORS,
        query=(
            Query("group_by", "How to group.", enum=("team", "key", "alias", "deployment", "day")),
            Query("team_id", "Only this team."),
            Query("key_id", "Only this key."),
            Query("alias", "Only this alias."),
            Query("start", "From (date, ISO time or Unix seconds)."),
            Query("end", "Until (exclusive)."),
        ),
    ),
)


def _parameters(operation: Operation) -> list[dict[str, Any]]:
    parameters: list[dict[str, Any]] = []
    for segment in operation.path.split("/"):
        if segment.startswith("{"):
            parameters.append(
                {
                    "name": segment.strip("{}"),
                    "in": "path",
                    "required": True,
                    "schema": {"type": "string"},
                }
            )
    for query in operation.query:
        schema: dict[str, Any] = {"type": query.type}
        if query.enum:
            schema["enum"] = list(query.enum)
        parameters.append(
            {
                "name": query.name,
                "in": "query",
                "required": False,
                "description": query.description,
                "schema": schema,
            }
        )
    return parameters


def _ref(model: type[BaseModel]) -> dict[str, str]:
    return {"$ref": REF.format(model=model.__name__)}


def _responses(op: Operation) -> dict[str, Any]:
    """The operation's success body (JSON, Prometheus text or file bytes) and its errors."""
    responses: dict[str, Any] = {}
    if op.text:
        responses[str(op.status)] = {
            "description": "Prometheus text exposition format.",
            "content": {"text/plain": {}},
        }
    elif op.binary:
        responses[str(op.status)] = {
            "description": "The file's bytes (supports Range).",
            "content": {"video/mp4": {}, "image/jpeg": {}},
        }
    elif op.response is not None:
        responses[str(op.status)] = {
            "description": "OK",
            "content": {"application/json": {"schema": _ref(op.response)}},
        }
    for status in op.errors:
        responses[str(status)] = {
            "description": "Error",
            "content": {"application/json": {"schema": _ref(v1.ErrorBody)}},
        }
    return responses


def _operation(op: Operation) -> dict[str, Any]:
    """One path item's method entry."""
    entry: dict[str, Any] = {
        "summary": op.summary,
        "tags": [op.tag],
        "operationId": f"{op.method}_{op.path}",
        "responses": _responses(op),
    }
    if parameters := _parameters(op):
        entry["parameters"] = parameters
    if op.request is not None:
        content = {"application/json": {"schema": _ref(op.request)}}
        if op.form:
            content["multipart/form-data"] = {"schema": _ref(op.request)}
        entry["requestBody"] = {"required": True, "content": content}
    if op.public:
        entry["security"] = []
    return entry


def _schemas() -> dict[str, Any]:
    """Every model an operation names (and the error body), as JSON Schema definitions."""
    models = {m for op in OPERATIONS for m in (op.request, op.response) if m is not None}
    models.add(v1.ErrorBody)
    _, definitions = models_json_schema(
        [(model, "validation") for model in sorted(models, key=lambda m: m.__name__)],
        ref_template=REF,
    )
    schemas: dict[str, Any] = definitions.get("$defs", {})
    return schemas


def openapi_document(version: str) -> dict[str, Any]:
    """The whole document; the schemas come straight from the pydantic models."""
    paths: dict[str, dict[str, Any]] = {}
    for op in OPERATIONS:
        paths.setdefault(op.path, {})[op.method] = _operation(op)
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Tarash Gateway",
            "version": version,
            "description": "The OpenAI videos API in front of every video provider, with "
            "teams, virtual keys and budgets.",
        },
        "paths": paths,
        "components": {
            "schemas": _schemas(),
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
        },
        "security": [{"bearer": []}],
    }
