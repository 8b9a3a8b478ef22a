"""The house rules for the tree, checked on the source (issue 16, items 5, 6 and 8).

- Everything imports the code as ``tarash_gateway.<layer>``: a bare ``import adapters``
  would load a second copy of every module (two ``TarashError`` classes, two registries).
- proxy reaches the providers only through ``tarash_gateway.router``, never adapters.
- No shipped module over 800 lines, no function over 60 (ast's ``end_lineno - lineno +
  1``, decorators excluded, docstring included). A migration's ``upgrade`` is the one
  exception to the function rule: it is a record of the schema as released, read top
  to bottom and never edited afterwards, so splitting it would only rewrite history.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

from tests.servers import REPO_ROOT

LAYERS = ("adapters", "router", "proxy")
IMPORTING = (*LAYERS, "bench", "tests", "scripts")
MAX_MODULE_LINES = 800
MAX_FUNCTION_LINES = 60
MIGRATIONS = REPO_ROOT / "proxy" / "store" / "migrations" / "versions"


def python_files(*folders: str) -> Iterator[Path]:
    for folder in folders:
        for path in sorted((REPO_ROOT / folder).rglob("*.py")):
            if "__pycache__" not in path.parts:
                yield path


def shipped_files() -> Iterator[Path]:
    """The modules the wheel installs: the three layers, the package face, the compat path."""
    yield from python_files(*LAYERS, "tarash")
    yield REPO_ROOT / "tarash_gateway" / "__init__.py"


def module_name(path: Path) -> str:
    """The name a layer's file imports as (``proxy/http/videos.py`` is
    ``tarash_gateway.proxy.http.videos``); other folders import by their own path."""
    parts = list(path.relative_to(REPO_ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    if parts[0] in LAYERS:
        parts.insert(0, "tarash_gateway")
    return ".".join(parts)


def imported_modules(path: Path) -> Iterator[tuple[int, str]]:
    """(line, absolute module name) of every import in ``path``."""
    return imports_in(path.read_text(), module_name(path), path.name == "__init__.py")


def imports_in(source: str, module: str, is_package: bool) -> Iterator[tuple[int, str]]:
    """(line, absolute module name) of every import in ``source``, the code of ``module``,
    relative imports resolved; ``from x import y`` yields both ``x`` and ``x.y``, since
    ``y`` may be a submodule."""
    package = module.split(".") if is_package else module.split(".")[:-1]
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom):
            base = package[: len(package) - node.level + 1] if node.level else []
            imported = ".".join([*base, *([node.module] if node.module else [])])
            yield node.lineno, imported
            for alias in node.names:
                yield node.lineno, f"{imported}.{alias.name}"


def _is_within(module: str, package: str) -> bool:
    return module == package or module.startswith(package + ".")


def where(path: Path, line: int | None = None) -> str:
    relative = path.relative_to(REPO_ROOT).as_posix()
    return relative if line is None else f"{relative}:{line}"


def test_nothing_imports_a_bare_layer() -> None:
    found = [
        f"{where(path, line)} imports {module}"
        for path in python_files(*IMPORTING)
        for line, module in imported_modules(path)
        if any(_is_within(module, layer) for layer in LAYERS)
    ]
    assert found == [], "import these as tarash_gateway.<layer>:\n" + "\n".join(found)


def test_proxy_does_not_import_adapters() -> None:
    found = sorted(
        {
            f"{where(path, line)} imports {module}"
            for path in python_files("proxy")
            for line, module in imported_modules(path)
            if _is_within(module, "tarash_gateway.adapters")
        }
    )
    assert found == [], "proxy reaches adapters through tarash_gateway.router:\n" + "\n".join(found)


def test_no_module_is_over_the_line_limit() -> None:
    found = [
        f"{where(path)}: {lines} lines"
        for path in shipped_files()
        if (lines := len(path.read_text().splitlines())) > MAX_MODULE_LINES
    ]
    assert found == [], f"modules over {MAX_MODULE_LINES} lines:\n" + "\n".join(found)


def test_no_function_is_over_the_line_limit() -> None:
    found = []
    for path in shipped_files():
        if path.is_relative_to(MIGRATIONS):
            continue
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                assert node.end_lineno is not None
                lines = node.end_lineno - node.lineno + 1
                if lines > MAX_FUNCTION_LINES:
                    found.append(f"{where(path, node.lineno)} {node.name}: {lines} lines")
    assert found == [], f"functions over {MAX_FUNCTION_LINES} lines:\n" + "\n".join(found)


def test_import_resolution_sees_every_form() -> None:
    """The checks above are only as good as ``imports_in``: each form a module can use to
    reach a layer resolves to its absolute name."""
    source = (
        "import adapters.models\n"
        "from router import Router\n"
        "from tarash_gateway import adapters\n"
        "from ...adapters import errors\n"
        "from .. import store\n"
    )
    found = {name for _line, name in imports_in(source, "tarash_gateway.proxy.http.x", False)}
    assert {
        "adapters.models",
        "router",
        "tarash_gateway.adapters",
        "tarash_gateway.adapters.errors",
        "tarash_gateway.proxy.store",
    } <= found
    assert module_name(REPO_ROOT / "proxy" / "http" / "__init__.py") == "tarash_gateway.proxy.http"
