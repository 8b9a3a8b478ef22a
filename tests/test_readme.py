"""The README's Python snippet runs as written against config.example.yaml."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import httpx

from tests.servers import REPO_ROOT, GatewayProcess


def python_blocks(markdown: str, tag: str = "") -> list[str]:
    """Python code blocks; ``tag`` selects blocks opened with ```python <tag>."""
    opening = f"```python {tag}\n" if tag else "```python\n"
    return re.findall(re.escape(opening) + r"(.*?)```", markdown, flags=re.DOTALL)


def run_snippet(directory: Path, code: str) -> subprocess.CompletedProcess[str]:
    script = directory / "snippet.py"
    script.write_text(code)
    return subprocess.run(
        [sys.executable, "-W", "ignore", str(script)],
        cwd=directory,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_readme_snippet_produces_a_playable_mp4(tmp_path: Path) -> None:
    config = (REPO_ROOT / "config.example.yaml").read_text()
    config = config.replace("sqlite:///./tarash.db", f"sqlite:///{tmp_path / 'tarash.db'}")
    config_path = tmp_path / "config.yaml"
    config_path.write_text(config)
    server = GatewayProcess(config_path, tmp_path / "gateway.log").start()
    try:
        [snippet] = python_blocks((REPO_ROOT / "README.md").read_text())
        assert "http://127.0.0.1:4000/v1" in snippet
        script = tmp_path / "snippet.py"
        script.write_text(snippet.replace("127.0.0.1:4000", f"127.0.0.1:{server.port}"))
        result = subprocess.run(
            [sys.executable, "-W", "ignore", str(script)],
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert result.returncode == 0, result.stderr
        assert result.stdout.startswith("completed video_")
        video = (tmp_path / "out.mp4").read_bytes()
        assert video[4:8] == b"ftyp"
        assert (tmp_path / "thumb.jpg").read_bytes()[:3] == b"\xff\xd8\xff"
        if shutil.which("ffprobe"):
            probe = subprocess.run(
                [
                    "ffprobe",
                    "-v",
                    "error",
                    "-show_entries",
                    "format=duration",
                    "-of",
                    "csv=p=0",
                    str(tmp_path / "out.mp4"),
                ],
                capture_output=True,
                text=True,
                check=True,
            )
            assert float(probe.stdout) > 1.0
    finally:
        server.stop()


def test_readme_team_key_snippet(tmp_path: Path) -> None:
    config = (REPO_ROOT / "config.example.yaml").read_text()
    config = config.replace("sqlite:///./tarash.db", f"sqlite:///{tmp_path / 'tarash.db'}")
    config_path = tmp_path / "config.yaml"
    config_path.write_text(config)
    server = GatewayProcess(config_path, tmp_path / "gateway.log").start()
    try:
        admin = httpx.Client(
            base_url=server.base_url, headers={"Authorization": "Bearer sk-tarash-local"}
        )
        team = admin.post("/admin/teams", json={"name": "studio", "budget_usd": 20}).json()
        key = admin.post("/admin/keys", json={"team_id": team["id"], "name": "laptop"}).json()
        [snippet] = python_blocks((REPO_ROOT / "README.md").read_text(), "team-key")
        code = "from openai import OpenAI\n" + snippet.replace(
            "127.0.0.1:4000", f"127.0.0.1:{server.port}"
        ).replace("sk-tg-…", key["key"])
        result = run_snippet(tmp_path, code)
        assert result.returncode == 0, result.stderr
        assert result.stdout.strip() == "0.2 0.2 fast-a"
    finally:
        server.stop()


def test_readme_library_snippet(tmp_path: Path) -> None:
    [snippet] = python_blocks((REPO_ROOT / "README.md").read_text(), "library")
    result = run_snippet(tmp_path, snippet)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[-1].endswith(" 1")  # one attempt, on the first config
    assert lines[-1].startswith("file://")
    assert "completed 100" in lines
