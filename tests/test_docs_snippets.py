"""Every YAML config and Python snippet in docs/ works as written."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from router import parse_config
from tests.servers import REPO_ROOT

DOCS = sorted((REPO_ROOT / "docs").rglob("*.md"))
ENV = {"TARASH_MASTER_KEY": "sk-doc"}


def blocks(language: str) -> list[tuple[str, int, str]]:
    found = []
    for page in DOCS:
        text = page.read_text()
        for match in re.finditer(rf"```{language}\n(.*?)```", text, flags=re.DOTALL):
            line = text[: match.start()].count("\n") + 1
            found.append((str(page.relative_to(REPO_ROOT)), line, match.group(1)))
    return found


@pytest.mark.parametrize(
    ("page", "line", "text"), [b for b in blocks("yaml") if "general_settings" in b[2]]
)
def test_full_yaml_configs_in_docs_are_valid(page: str, line: int, text: str) -> None:
    env = {**ENV, **{name: "dummy" for name in re.findall(r"os\.environ/(\w+)", text)}}
    parse_config(text, f"{page}:{line}", env)


@pytest.mark.parametrize(("page", "line", "code"), blocks("python"))
def test_python_snippets_in_docs_run(page: str, line: int, code: str, tmp_path: Path) -> None:
    (tmp_path / "snippet.py").write_text(code)
    result = subprocess.run(
        [sys.executable, "-W", "ignore", str(tmp_path / "snippet.py")],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        env={"PATH": "/usr/bin:/bin", "TARASH_MASTER_KEY": "sk-doc", "PYTHONPATH": str(REPO_ROOT)},
    )
    assert result.returncode == 0, f"{page}:{line}\n{result.stderr}"
