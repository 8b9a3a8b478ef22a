"""LiteLLM's proxy as the third contestant of the benchmark, set up for an OpenAI-videos upstream.

The benchmark runs the same client workload against the emulated upstream directly, against
our gateway, and against LiteLLM's proxy pointed at that same upstream. This module covers
the LiteLLM side and nothing else:

- :func:`ensure_installed` puts ``litellm[proxy]`` into a virtualenv of its own (LiteLLM pins
  many packages, so it must not share ``.venv`` with the gateway) and never raises for an
  install failure: it returns a reason the results table can print instead;
- :func:`write_config` writes the proxy's YAML: one model alias routed to the upstream as the
  ``openai`` provider, no database, no callbacks, minimal logging;
- :func:`command` and :func:`environment` start it on ``127.0.0.1:<port>`` with one worker and
  nothing that reaches the internet (local model cost map, telemetry vetoed, admin UI off).

How LiteLLM's proxy treats the videos API (read off ``litellm/proxy/video_endpoints`` and
``litellm/types/videos/utils.py`` of the pinned version, and checked by ``bench.litellm_smoke``):

- ``POST /v1/videos``, ``GET /v1/videos/{id}`` and ``GET /v1/videos/{id}/content`` (plus
  remix, edits, extensions and characters) exist; ``DELETE /v1/videos/{id}`` does not, and
  ``GET /v1/videos`` (list) carries no model, so it is not routed to a configured deployment.
  Startup makes no network connection (checked with ``strace -e connect``).
- The id LiteLLM returns is not the upstream's: it is ``video_`` + base64 of
  ``litellm:custom_llm_provider:openai;model_id:sora-2;video_id:<upstream id>;deployment_id:<hash>``
  (see :func:`decode_video_id`). Retrieve and content must be given that id; LiteLLM decodes
  it to find the deployment, so no ``custom-llm-provider`` header is needed.
- LiteLLM keeps no job state: every retrieve and every content download is a call to the
  upstream.
- ``GET /v1/videos`` without a model answers 400 ("LLM Provider NOT provided"); with a
  ``custom-llm-provider: openai`` header it goes to api.openai.com, not to ``api_base``.
  ``DELETE`` answers 405.
- Content is read whole into memory before it is sent (memory grows with the file), always
  as ``video/mp4``, and the ``variant`` query is dropped: a thumbnail request gets the video.
- The Video it returns has no ``prompt`` (LiteLLM's model lacks the field) and adds ``usage``.
- The create it sends upstream is multipart, with ``model=sora-2`` (the part after
  ``openai/``), whatever alias the client used; the answer carries the alias again.

Start the proxy with ``env=clean_environ()``: that is ``os.environ`` plus :func:`environment`,
minus ``DATABASE_URL`` and Redis settings, with which LiteLLM would reach for a database.
"""

from __future__ import annotations

import base64
import binascii
import os
import re
import subprocess
import sys
import time
from pathlib import Path
from typing import Final

DEFAULT_VERSION: Final = "1.108.7"
"""The release SPEC §9 quotes; it is on PyPI (checked with ``pip index versions litellm``)."""

MASTER_KEY: Final = "sk-bench-litellm"
"""The key clients present to LiteLLM (its master key: no database means no virtual keys)."""

UPSTREAM_MODEL: Final = "openai/sora-2"
"""What LiteLLM calls the upstream model: provider ``openai``, model ``sora-2`` sent upstream."""

STAMP_NAME: Final = "litellm-installed.txt"
INSTALL_LOG_NAME: Final = "install.log"
INSTALL_TIMEOUT_SECONDS: Final = 900.0


def executable(venv: Path) -> Path:
    """The ``litellm`` console script of a virtualenv made by :func:`ensure_installed`."""
    return venv / "bin" / "litellm"


def _stamp(venv: Path) -> Path:
    return venv / STAMP_NAME


def _installed_version(venv: Path) -> str | None:
    try:
        return _stamp(venv).read_text().strip() or None
    except OSError:
        return None


def _run(args: list[str], log: Path | None = None) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(
        args,
        capture_output=True,
        text=True,
        timeout=INSTALL_TIMEOUT_SECONDS,
        check=False,
    )
    if log is not None:
        with log.open("a") as handle:
            handle.write(f"$ {' '.join(args)}\n{result.stdout}{result.stderr}\n")
    return result


def available_versions(python: Path | str = sys.executable) -> list[str]:
    """The versions of ``litellm`` the package index offers, newest first ([] if unknown)."""
    try:
        result = _run([str(python), "-m", "pip", "index", "versions", "litellm"])
    except (OSError, subprocess.TimeoutExpired):
        return []
    match = re.search(r"Available versions:\s*(.+)", result.stdout)
    if result.returncode != 0 or match is None:
        return []
    return [version.strip() for version in match.group(1).split(",") if version.strip()]


def _last_line(text: str) -> str:
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    errors = [line for line in lines if line.startswith("ERROR")]
    return (errors or lines or ["no output"])[-1][:200]


def ensure_installed(venv: Path, version: str = DEFAULT_VERSION) -> Path | str:
    """Install ``litellm[proxy]==version`` into its own virtualenv at ``venv``.

    Idempotent: a stamp file in ``venv`` records the installed version, and a matching stamp
    with the executable present skips the install. Returns the path of the ``litellm``
    executable, or a short reason if it could not be installed (never raises for that); pip's
    output is appended to ``venv/install.log``.
    """
    exe = executable(venv)
    if _installed_version(venv) == version and exe.exists():
        return exe
    try:
        venv.mkdir(parents=True, exist_ok=True)
        log = venv / INSTALL_LOG_NAME
        python = venv / "bin" / "python"
        if not python.exists():
            created = _run([sys.executable, "-m", "venv", str(venv)], log)
            if created.returncode != 0:
                return f"could not create a virtualenv: {_last_line(created.stderr)}"
        _stamp(venv).unlink(missing_ok=True)
        started = time.monotonic()
        installed = _run(
            [str(python), "-m", "pip", "install", "--quiet", f"litellm[proxy]=={version}"], log
        )
        elapsed = time.monotonic() - started
    except subprocess.TimeoutExpired:
        return f"pip install litellm[proxy]=={version} took over {INSTALL_TIMEOUT_SECONDS:.0f} s"
    except OSError as error:
        return f"could not install litellm: {error}"
    if installed.returncode != 0:
        reason = f"pip install litellm[proxy]=={version} failed: {_last_line(installed.stderr)}"
        if "No matching distribution" in installed.stderr:
            newest = available_versions(python)
            if newest:
                reason += f" (newest on the index: {newest[0]})"
        return reason
    if not exe.exists():
        return f"pip installed litellm {version} but {exe} is missing"
    _stamp(venv).write_text(f"{version}\n")
    with (venv / INSTALL_LOG_NAME).open("a") as handle:
        handle.write(f"installed litellm[proxy]=={version} in {elapsed:.1f} s\n")
    return exe


def config_text(upstream_base_url: str, api_key: str, model_alias: str) -> str:
    """The YAML :func:`write_config` writes (JSON-quoted strings are valid YAML scalars)."""

    def quote(value: str) -> str:
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'

    return f"""\
# LiteLLM proxy for the benchmark: one alias routed to an OpenAI-videos upstream.
# Written by bench/litellm.py; started with its command() and environment().
model_list:
  - model_name: {quote(model_alias)}
    litellm_params:
      model: {quote(UPSTREAM_MODEL)}
      api_base: {quote(upstream_base_url.rstrip("/"))}
      api_key: {quote(api_key)}
    model_info:
      mode: video_generation

litellm_settings:
  callbacks: []
  success_callback: []
  failure_callback: []
  set_verbose: false
  request_timeout: 600
  num_retries: 0

general_settings:
  master_key: {quote(MASTER_KEY)}
  disable_spend_logs: true
  disable_error_logs: true
  disable_reset_budget: true
  background_health_checks: false
"""


def write_config(path: Path, upstream_base_url: str, api_key: str, model_alias: str) -> None:
    """Write a LiteLLM proxy config routing ``model_alias`` to the upstream.

    ``upstream_base_url`` ends with ``/v1`` (LiteLLM appends ``/videos``); ``api_key`` is the
    upstream's, sent as ``Authorization: Bearer``. Clients use :data:`MASTER_KEY` with LiteLLM.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(config_text(upstream_base_url, api_key, model_alias))


def command(litellm_exe: Path | str, config_path: Path, port: int) -> list[str]:
    """The command line starting the proxy on ``127.0.0.1:port`` with one uvicorn worker."""
    return [
        str(litellm_exe),
        "--config",
        str(config_path),
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--num_workers",
        "1",
    ]


def environment() -> dict[str, str]:
    """The variables to add to the proxy's environment: offline, quiet, keyed."""
    return {
        # Read the bundled model cost map instead of fetching it from GitHub at startup.
        "LITELLM_LOCAL_MODEL_COST_MAP": "True",
        # Veto the proxy's usage telemetry, whatever the database or UI would say.
        "LITELLM_TELEMETRY_DISABLED": "true",
        "LITELLM_MASTER_KEY": MASTER_KEY,
        "LITELLM_LOG": "ERROR",
        "LITELLM_MODE": "PRODUCTION",  # do not load a .env file from the working directory
        "LITELLM_DONT_SHOW_FEEDBACK_BOX": "true",
        "DISABLE_ADMIN_UI": "true",
        "NO_DOCS": "true",
        "PYTHONUNBUFFERED": "1",
    }


def base_url(port: int) -> str:
    """Where an OpenAI client should point to reach the proxy."""
    return f"http://127.0.0.1:{port}/v1"


def wait_ready(port: int, process: subprocess.Popen[bytes], timeout: float = 120.0) -> str | None:
    """Wait until the proxy answers ``/health/liveliness``; None when up, else a reason."""
    import urllib.error
    import urllib.request

    deadline = time.monotonic() + timeout
    url = f"http://127.0.0.1:{port}/health/liveliness"
    while time.monotonic() < deadline:
        if process.poll() is not None:
            return f"litellm exited with status {process.returncode} during startup"
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return None
        except (urllib.error.URLError, OSError):
            pass
        time.sleep(0.2)
    return f"litellm did not answer on port {port} within {timeout:.0f} s"


def decode_video_id(video_id: str) -> dict[str, str] | None:
    """The fields LiteLLM packed into one of its video ids, or None for a plain id.

    For example ``{"custom_llm_provider": "openai", "model_id": "sora-2",
    "video_id": "video_4f58a5c4127018da", "deployment_id": "fd2f..."}``.
    """
    if not video_id.startswith("video_"):
        return None
    encoded = video_id.removeprefix("video_")
    try:
        text = base64.b64decode(encoded + "=" * (-len(encoded) % 4)).decode()
    except (binascii.Error, UnicodeDecodeError):
        return None
    if not text.startswith("litellm:"):
        return None
    fields: dict[str, str] = {}
    for part in text.removeprefix("litellm:").split(";"):
        key, _, value = part.partition(":")
        fields[key] = value
    return fields


def clean_environ() -> dict[str, str]:
    """``os.environ`` without what would make LiteLLM reach for a database, plus ours."""
    drop = {"DATABASE_URL", "DIRECT_URL", "REDIS_HOST", "REDIS_URL"}
    return {
        **{key: value for key, value in os.environ.items() if key not in drop},
        **environment(),
    }
