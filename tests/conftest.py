"""Shared fixtures: a real gateway process driven by the real OpenAI SDK."""

from __future__ import annotations

import textwrap
from collections.abc import Iterator
from pathlib import Path

import openai
import pytest

from tests.db_backends import adapt_config
from tests.servers import GatewayProcess

MASTER_KEY = "sk-test-master-0123456789"

BASE_CONFIG = f"""
model_list:
  - model_name: quick
    params:
      provider: mock
      model: mock-quick
      id: quick-1
      poll_interval: 0.1
      mock: {{job_seconds: 0.6}}
  - model_name: weighted
    params: {{provider: mock, model: mock-a, id: weighted-a, weight: 1, poll_interval: 0.1,
              mock: {{job_seconds: 0.3}}}}
  - model_name: weighted
    params: {{provider: mock, model: mock-b, id: weighted-b, weight: 1, poll_interval: 0.1,
              mock: {{job_seconds: 0.3}}}}
  - model_name: broken
    params:
      provider: mock
      model: mock-broken
      id: broken-1
      poll_interval: 0.1
      mock:
        job_seconds: 0.4
        responses:
          - error: {{code: generation_failed, message: "mock: the render farm caught fire"}}
  - model_name: refusing
    params:
      provider: mock
      model: mock-refusing
      id: refusing-1
      mock:
        responses:
          - error: {{code: moderation_blocked, at: submit, message: "prompt flagged"}}
  - model_name: pics
    params: {{provider: mock, model: mock-image, id: pics-1, cost_per_image: 0.02}}
  - model_name: no-remix
    params:
      provider: mock
      model: mock-no-remix
      id: no-remix-1
      poll_interval: 0.1
      mock: {{job_seconds: 0.2, supports_remix: false}}
general_settings:
  master_key: {MASTER_KEY}
  database_url: sqlite:///{{db}}
  max_request_body_bytes: 2000000
"""


def write_config(directory: Path, text: str, name: str = "config.yaml") -> Path:
    """Write a gateway config, adapted to the database/Redis this test run targets."""
    path = directory / name
    path.write_text(adapt_config(textwrap.dedent(text)))
    return path


@pytest.fixture(scope="session")
def gateway(tmp_path_factory: pytest.TempPathFactory) -> Iterator[GatewayProcess]:
    """One gateway for the whole session, on the shared test config."""
    directory = tmp_path_factory.mktemp("gateway")
    config = write_config(directory, BASE_CONFIG.replace("{db}", str(directory / "jobs.db")))
    server = GatewayProcess(config, directory / "gateway.log").start()
    yield server
    server.stop()


@pytest.fixture
def client(gateway: GatewayProcess) -> openai.OpenAI:
    return openai.OpenAI(base_url=f"{gateway.base_url}/v1", api_key=MASTER_KEY, max_retries=0)
