"""The README's Python snippet runs as written against config.example.yaml."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

from tests.servers import REPO_ROOT, GatewayProcess


def python_blocks(markdown: str) -> list[str]:
    return re.findall(r"```python\n(.*?)```", markdown, flags=re.DOTALL)


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
