"""The `tarash-gateway` command line: `check-config`, and a `serve` that refuses bad configs."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import textwrap
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]

VALID = """\
model_list:
  - model_name: cinematic
    params: {provider: mock, model: mock-a}
  - model_name: cinematic
    params: {provider: mock, model: mock-a}
  - model_name: cinematic
    params: {provider: mock, model: mock-b, id: pinned, weight: 2.5}
  - model_name: fast
    params: {provider: mock, model: mock-fast}
general_settings:
  master_key: os.environ/CLI_TEST_MASTER_KEY
"""

INVALID = """\
model_list:
  - model_name: a
    params:
      provider: sora
      model: m
      weight: -1
  - model_name: b
    params: {provider: mock, modle: m}
general_settings:
  database_url: sqlite:///x.db
"""


def write(directory: Path, text: str, name: str = "config.yaml") -> Path:
    path = directory / name
    path.write_text(textwrap.dedent(text))
    return path


def run_cli(
    *args: str, env: dict[str, str] | None = None, timeout: float = 60
) -> subprocess.CompletedProcess[str]:
    environment = {k: v for k, v in os.environ.items() if k != "TARASH_CONFIG"}
    environment.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "tarash_gateway.proxy.cli.main", *args],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=timeout,
        env=environment,
        check=False,
    )


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_check_config_lists_aliases_and_deployment_ids(tmp_path: Path) -> None:
    path = write(tmp_path, VALID)
    result = run_cli("check-config", str(path), env={"CLI_TEST_MASTER_KEY": "sk-cli-secret"})
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        f"{path}: OK",
        "  cinematic",
        "    - cinematic:mock:mock-a (mock mock-a, weight 1)",
        "    - cinematic:mock:mock-a#2 (mock mock-a, weight 1)",
        "    - pinned (mock mock-b, weight 2.5)",
        "  fast",
        "    - fast:mock:mock-fast (mock mock-fast, weight 1)",
    ]
    assert result.stderr == ""
    assert "sk-cli-secret" not in result.stdout


def test_check_config_prints_every_issue_with_file_and_line(tmp_path: Path) -> None:
    path = write(tmp_path, INVALID)
    result = run_cli("check-config", str(path))
    assert result.returncode == 1
    assert "OK" not in result.stdout
    lines = result.stderr.splitlines()
    assert lines[0] == f"{path}: 5 problem(s) found:"
    # The list of providers is whatever the CLI's process registered (built-ins only).
    provider_line = f"  {path}:4:17: model_list[0].params.provider: unknown provider 'sora'; "
    assert lines[1].startswith(provider_line + "expected one of: ")
    assert {"mock", "runway", "google"} <= set(lines[1].split(": ")[-1].split(", "))
    assert lines[2:] == [
        f"  {path}:6:15: model_list[0].params.weight: "
        "Input should be greater than or equal to 0 (got -1)",
        f"  {path}:8:13: model_list[1].params.model: missing required field 'model'",
        f"  {path}:8:30: model_list[1].params.modle: unknown field 'modle'; did you mean 'model'?",
        f"  {path}:10:3: general_settings.master_key: missing required field 'master_key'",
    ]
    assert "Traceback" not in result.stderr


def test_check_config_reports_yaml_syntax_errors_with_line(tmp_path: Path) -> None:
    path = write(tmp_path, "model_list:\n  - model_name: a\n     params: x\n")
    result = run_cli("check-config", str(path))
    assert result.returncode == 1
    assert f"{path}:3:12: invalid YAML: mapping values are not allowed here" in result.stderr


def test_check_config_reports_missing_environment_variable(tmp_path: Path) -> None:
    path = write(tmp_path, VALID)
    result = run_cli("check-config", str(path))
    assert result.returncode == 1
    assert (
        f"{path}:11:15: general_settings.master_key: environment variable "
        "CLI_TEST_MASTER_KEY is not set"
    ) in result.stderr


def test_check_config_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "absent.yaml"
    result = run_cli("check-config", str(path))
    assert result.returncode == 1
    assert f"{path}:1:1: cannot read file: No such file or directory" in result.stderr


def test_check_config_reads_tarash_config_from_environment(tmp_path: Path) -> None:
    path = write(tmp_path, VALID)
    result = run_cli(
        "check-config",
        env={"TARASH_CONFIG": str(path), "CLI_TEST_MASTER_KEY": "sk"},
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(f"{path}: OK")


def test_example_config_passes_check_config() -> None:
    result = run_cli("check-config", "config.example.yaml")
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[0] == "config.example.yaml: OK"
    for alias in ("cinematic", "fast", "flaky"):
        assert f"  {alias}" in result.stdout.splitlines()
    for deployment_id in ("cinematic-a", "cinematic-b", "fast-a", "flaky-a"):
        assert f"    - {deployment_id} (mock " in result.stdout


def test_serve_refuses_an_invalid_config_without_starting(tmp_path: Path) -> None:
    path = write(tmp_path, INVALID, name="bad.yaml")
    port = free_port()
    result = run_cli("serve", "--config", str(path), "--port", str(port), timeout=30)
    assert result.returncode == 1
    assert "Tarash Gateway on" not in result.stdout
    assert f"{path}: 5 problem(s) found:" in result.stderr
    assert f"{path}:4:17: model_list[0].params.provider: unknown provider 'sora'" in (result.stderr)


def test_import_option_registers_a_custom_provider_first(tmp_path: Path) -> None:
    (tmp_path / "house_provider.py").write_text(
        textwrap.dedent("""
        from tarash_gateway.adapters import VideoGenerationResponse
        from tarash_gateway.router import register_provider

        class House:
            async def generate_video_async(self, config, request):
                return VideoGenerationResponse(request_id="h", video="https://x/h.mp4")

        register_provider("house", House())
    """)
    )
    config = write(
        tmp_path,
        """
        model_list:
          - model_name: house
            params: {provider: house, model: h}
        general_settings: {master_key: k}
    """,
    )
    env = {"PYTHONPATH": str(tmp_path)}
    without = run_cli("check-config", str(config), env=env)
    assert without.returncode == 1
    assert "unknown provider 'house'" in without.stderr
    with_import = run_cli("check-config", str(config), "--import", "house_provider", env=env)
    assert with_import.returncode == 0, with_import.stderr
    missing = run_cli("check-config", str(config), "--import", "no_such_module", env=env)
    assert missing.returncode == 1
    assert "cannot import no_such_module" in missing.stderr


def test_check_config_warns_about_video_on_the_shut_down_openai_api(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """\
        model_list:
          - model_name: sora
            params: {provider: openai, model: sora-2, api_key: sk-cli-provider-key}
          - model_name: sora-proxied
            params: {provider: openai, model: sora-2, api_key: k, base_url: "http://gw/v1"}
          - model_name: pics
            params: {provider: openai, model: gpt-image-1, api_key: k}
        general_settings:
          master_key: sk-cli-master
        """,
    )
    environment = {"OPENAI_BASE_URL": ""}
    result = run_cli("check-config", str(path), env=environment)
    assert result.returncode == 0, result.stderr  # a warning, not an invalid config
    warnings = [line for line in result.stderr.splitlines() if "warning:" in line]
    assert len(warnings) == 1, result.stderr
    assert warnings[0].startswith("  warning: sora:openai:sora-2: provider openai")
    assert "2026-09-24" in warnings[0]
    assert "base_url" in warnings[0]
    assert "sk-cli-provider-key" not in result.stderr + result.stdout
