"""The served OpenAPI document is valid and covers exactly the routes the app has."""

from __future__ import annotations

import json
import re
import time

import httpx
from openapi_spec_validator import validate
from starlette.routing import Route

from tarash_gateway.proxy.app import create_app
from tarash_gateway.proxy.http.api_models import VideoList, VideoObject
from tarash_gateway.proxy.http.serialize import video_json, video_list_json, video_model
from tarash_gateway.proxy.store.jobs import VideoRecord
from tarash_gateway.router import parse_config
from tests.servers import GatewayProcess

CONFIG = """
model_list: [{model_name: a, params: {provider: mock, model: m}}]
general_settings: {master_key: k, database_url: "sqlite:///:memory:"}
"""


def test_served_document_is_valid_openapi(gateway: GatewayProcess) -> None:
    response = httpx.get(f"{gateway.base_url}/openapi.json")
    assert response.status_code == 200
    document = response.json()
    validate(document)
    assert document["info"]["title"] == "Tarash Gateway"


def test_document_lists_every_route_and_method() -> None:
    app = create_app(parse_config(CONFIG))
    served = {
        (method.lower(), re.sub(r":\w+}", "}", route.path))
        for route in app.routes
        if isinstance(route, Route) and route.path != "/openapi.json"
        for method in (route.methods or set()) - {"HEAD"}
    }
    documented = {
        (method, path)
        for path, operations in app.state.openapi["paths"].items()
        for method in operations
    }
    assert served == documented


def test_video_wire_format_matches_the_published_schema() -> None:
    now = time.time()
    record = VideoRecord(
        id="video_x",
        owner="master",
        alias="a",
        deployment_id="d",
        status="failed",
        seconds="4",
        size="720x1280",
        request_json="{}",
        created_at=now,
        updated_at=now,
        error_code="generation_failed",
        error_message="boom",
        cost_usd=0.0,
    )
    body = json.loads(video_json(record))
    assert VideoObject.model_validate(body) == video_model(record)
    assert body["error"] == {"code": "generation_failed", "message": "boom"}
    assert body["model"] == "a"
    assert body["tarash"]["attempts"] == []
    page = json.loads(video_list_json([record], has_more=False))
    assert VideoList.model_validate(page).data == [video_model(record)]
    assert (page["first_id"], page["last_id"], page["has_more"]) == ("video_x", "video_x", False)
