"""The documentation site builds in strict mode (a broken link or reference fails)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.servers import REPO_ROOT


def test_site_builds_strictly(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(tmp_path)],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert (tmp_path / "index.html").is_file()
    api = (tmp_path / "reference" / "http-api" / "index.html").read_text()
    assert "/v1/videos" in api
    assert "/admin/keys" in api
    config = (tmp_path / "reference" / "configuration" / "index.html").read_text()
    assert "cost_per_second" in config
    python = (tmp_path / "reference" / "python" / "index.html").read_text()
    assert "generate_video" in python
