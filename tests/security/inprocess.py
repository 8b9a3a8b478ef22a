"""An in-process gateway for the hostile-client tests: requests go through the real ASGI
app (httpx.ASGITransport), and rows are counted straight from its database."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import sqlalchemy as sa

from tarash_gateway.proxy.app import create_app
from tarash_gateway.proxy.gateway import Gateway
from tarash_gateway.proxy.store.schema import api_keys, image_generations, teams, videos
from tarash_gateway.router import parse_config
from tests.db_backends import adapt_config

MASTER = "sk-security-master-0123456789"
TABLES = {"videos": videos, "teams": teams, "api_keys": api_keys, "images": image_generations}


def config_text(db: Path, extra_settings: str = "") -> str:
    return f"""
model_list:
  - model_name: quick
    params: {{provider: mock, model: m, id: quick-1, poll_interval: 0.05,
              mock: {{job_seconds: 30}}}}
  - model_name: pics
    params: {{provider: mock, model: mock-image, id: pics-1}}
general_settings:
  master_key: {MASTER}
  database_url: sqlite:///{db}
  {extra_settings}
"""


@dataclass
class App:
    client: httpx.AsyncClient
    gateway: Gateway

    async def rows(self) -> dict[str, int]:
        """How many rows each client-writable table holds."""
        async with self.gateway.database.connect() as conn:
            return {
                name: int((await conn.execute(sa.select(sa.func.count()).select_from(t))).scalar())
                for name, t in TABLES.items()
            }

    async def team_key(self, **limits: Any) -> str:
        """A fresh team and key with these limits; returns the key's secret."""
        team = await self.client.post("/admin/teams", json={"name": "t", **limits})
        assert team.status_code == 201, team.text
        key = await self.client.post("/admin/keys", json={"team_id": team.json()["id"]})
        assert key.status_code == 201, key.text
        return str(key.json()["key"])


@asynccontextmanager
async def running_app(directory: Path, extra_settings: str = "") -> AsyncIterator[App]:
    config = parse_config(adapt_config(config_text(directory / "jobs.db", extra_settings)))
    app = create_app(config)
    gateway: Gateway = app.state.gateway
    await gateway.start()
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    try:
        async with httpx.AsyncClient(
            transport=transport,
            base_url="http://gateway",
            headers={"Authorization": f"Bearer {MASTER}"},
        ) as client:
            yield App(client, gateway)
    finally:
        await gateway.stop()


def assert_openai_error(response: httpx.Response, status: int | None = None) -> dict[str, Any]:
    """A 4xx in the OpenAI error shape; returns its ``error`` object."""
    if status is not None:
        assert response.status_code == status, response.text
    assert 400 <= response.status_code < 500, response.text
    error = response.json()["error"]
    assert set(error) == {"message", "type", "param", "code"}, error
    assert isinstance(error["message"], str)
    assert error["message"]
    return dict(error)
