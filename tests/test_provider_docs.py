"""The capability tables in docs/providers/ match the field-mapper registry."""

from __future__ import annotations

import subprocess
import sys

from tests.servers import REPO_ROOT


def test_provider_pages_are_up_to_date() -> None:
    result = subprocess.run(
        [sys.executable, "scripts/provider_docs.py", "--check"],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_every_registered_provider_has_a_page() -> None:
    from tarash_gateway import adapters

    pages = {page.stem for page in (REPO_ROOT / "docs" / "providers").glob("*.md")}
    builtin = {name for name in adapters.registered_providers() if not name.startswith("test-")}
    assert builtin <= pages
