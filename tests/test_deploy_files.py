"""The deployment files stay valid (CI cannot run Docker, so it checks what it can)."""

from __future__ import annotations

import yaml

from tarash_gateway.router import load_config
from tests.servers import REPO_ROOT


def test_compose_config_passes_check_config() -> None:
    config = load_config(
        REPO_ROOT / "deploy" / "config.compose.yaml", env={"TARASH_MASTER_KEY": "sk-compose"}
    )
    assert config.general_settings.database_url.startswith("postgresql://")
    assert config.general_settings.redis_url is not None


def test_compose_file_runs_two_gateways_with_their_own_ids() -> None:
    compose = yaml.safe_load((REPO_ROOT / "docker-compose.yaml").read_text())
    services = compose["services"]
    assert {"gateway-1", "gateway-2", "postgres", "redis", "nginx"} <= set(services)
    ids = {
        services[name]["environment"]["TARASH_INSTANCE_ID"] for name in ("gateway-1", "gateway-2")
    }
    assert ids == {"gateway-1", "gateway-2"}
    nginx = (REPO_ROOT / "deploy" / "nginx.conf").read_text()
    assert "gateway-1" in nginx
    assert "gateway-2" in nginx
