"""Every snippet in docs/ works as written.

- ```yaml blocks with `general_settings` are validated as whole configs;
- ```python blocks run standalone (cwd = the repository root);
- ```python gateway / ```python team-key blocks run against a gateway started on
  config.example.yaml (team-key blocks get a fresh team key for the literal `sk-tg-…`);
- ```bash gateway blocks run in a shell against that gateway (TARASH_URL and
  TARASH_MASTER_KEY set, the venv's bin on PATH).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tarash_gateway.router import parse_config
from tests.servers import REPO_ROOT, GatewayProcess

DOCS = sorted((REPO_ROOT / "docs").rglob("*.md"))
ENV = {"TARASH_MASTER_KEY": "sk-doc"}
MASTER = "sk-tarash-local"  # config.example.yaml's local master key


def blocks(opening: str) -> list[tuple[str, int, str]]:
    """(page, line, code) of every block opened with exactly ```<opening>."""
    found = []
    for page in DOCS:
        text = page.read_text()
        for match in re.finditer(
            rf"^```{re.escape(opening)}\n(.*?)^```", text, flags=re.DOTALL | re.MULTILINE
        ):
            line = text[: match.start()].count("\n") + 1
            found.append((str(page.relative_to(REPO_ROOT)), line, match.group(1)))
    return found


def ids(found: list[tuple[str, int, str]]) -> list[str]:
    return [f"{page}:{line}" for page, line, _code in found]


def run(
    code: str, directory: Path, env: dict[str, str] | None = None, shell: bool = False
) -> subprocess.CompletedProcess[str]:
    script = directory / ("snippet.sh" if shell else "snippet.py")
    script.write_text(code)
    command = (
        ["bash", "-euo", "pipefail", str(script)]
        if shell
        else [sys.executable, "-W", "ignore", str(script)]
    )
    return subprocess.run(
        command,
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=180,
        env={**os.environ, "PYTHONPATH": str(REPO_ROOT), **ENV, **(env or {})},
    )


@pytest.fixture(scope="module")
def gateway(tmp_path_factory: pytest.TempPathFactory) -> Iterator[GatewayProcess]:
    directory = tmp_path_factory.mktemp("docs-gateway")
    config = (
        (REPO_ROOT / "config.example.yaml")
        .read_text()
        .replace("sqlite:///./tarash.db", f"sqlite:///{directory / 'tarash.db'}")
    )
    path = directory / "config.yaml"
    path.write_text(config)
    server = GatewayProcess(path, directory / "gateway.log").start()
    yield server
    server.stop()


def localised(code: str, server: GatewayProcess) -> str:
    return code.replace("127.0.0.1:4000", f"127.0.0.1:{server.port}").replace(
        "localhost:4000", f"127.0.0.1:{server.port}"
    )


YAML = [b for b in blocks("yaml") if "general_settings" in b[2]]


@pytest.mark.parametrize(("page", "line", "text"), YAML, ids=ids(YAML))
def test_full_yaml_configs_in_docs_are_valid(page: str, line: int, text: str) -> None:
    env = {**ENV, **{name: "dummy" for name in re.findall(r"os\.environ/(\w+)", text)}}
    parse_config(text, f"{page}:{line}", env)


PYTHON = blocks("python")


@pytest.mark.parametrize(("page", "line", "code"), PYTHON, ids=ids(PYTHON))
def test_python_snippets_run(page: str, line: int, code: str, tmp_path: Path) -> None:
    result = run(code, tmp_path)
    assert result.returncode == 0, f"{page}:{line}\n{result.stderr}"


GATEWAY_PYTHON = blocks("python gateway")


@pytest.mark.parametrize(("page", "line", "code"), GATEWAY_PYTHON, ids=ids(GATEWAY_PYTHON))
def test_python_snippets_run_against_a_gateway(
    page: str, line: int, code: str, tmp_path: Path, gateway: GatewayProcess
) -> None:
    result = run(localised(code, gateway), tmp_path)
    assert result.returncode == 0, f"{page}:{line}\n{result.stderr}"


TEAM_KEY = blocks("python team-key")


@pytest.mark.parametrize(("page", "line", "code"), TEAM_KEY, ids=ids(TEAM_KEY))
def test_team_key_snippets_run(
    page: str, line: int, code: str, tmp_path: Path, gateway: GatewayProcess
) -> None:
    admin = httpx.Client(base_url=gateway.base_url, headers={"Authorization": f"Bearer {MASTER}"})
    team = admin.post("/admin/teams", json={"name": f"docs {page}:{line}"}).json()
    key = admin.post("/admin/keys", json={"team_id": team["id"]}).json()["key"]
    code = localised(code, gateway).replace("sk-tg-…", key)
    if "from openai import OpenAI" not in code:
        code = "from openai import OpenAI\n" + code
    result = run(code, tmp_path)
    assert result.returncode == 0, f"{page}:{line}\n{result.stderr}"


BASH = blocks("bash gateway")


@pytest.mark.parametrize(("page", "line", "code"), BASH, ids=ids(BASH))
def test_shell_snippets_run_against_a_gateway(
    page: str, line: int, code: str, tmp_path: Path, gateway: GatewayProcess
) -> None:
    env = {
        "TARASH_URL": gateway.base_url,
        "TARASH_MASTER_KEY": MASTER,
        "PATH": f"{REPO_ROOT / '.venv' / 'bin'}:{os.environ.get('PATH', '/usr/bin:/bin')}",
    }
    result = run(localised(code, gateway), tmp_path, env, shell=True)
    assert result.returncode == 0, f"{page}:{line}\n{result.stdout}\n{result.stderr}"
