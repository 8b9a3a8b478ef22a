"""MkDocs hook: write the generated reference pages before every build.

The HTTP API page comes from the OpenAPI document the proxy serves, and the YAML page
from the pydantic models the config loader validates with, so neither can drift from
the code. (The provider capability tables are filled by scripts/provider_docs.py and
checked by the test suite.)
"""

from __future__ import annotations

import re
import types
import typing
from pathlib import Path
from typing import Any

import pydantic
from pydantic.fields import FieldInfo
from pydantic_core import PydanticUndefined

REFERENCE = Path(__file__).resolve().parent.parent / "docs" / "reference"


_RUN_TAGS = re.compile(r"^```(python|bash) (?:gateway|team-key|library)[ \t]*$", re.MULTILINE)


def on_page_markdown(markdown: str, **kwargs: Any) -> str:
    """Drop the tags that tell the snippet runner how to execute a block (``python
    gateway``): readers see ordinary highlighted code."""
    return _RUN_TAGS.sub(r"```\1", markdown)


def on_pre_build(config: Any) -> None:
    REFERENCE.mkdir(parents=True, exist_ok=True)
    _write(REFERENCE / "http-api.md", http_api_page())
    _write(REFERENCE / "configuration.md", configuration_page())


def _write(path: Path, text: str) -> None:
    if not path.exists() or path.read_text() != text:  # avoid rebuild loops in `serve`
        path.write_text(text)


# -- HTTP API ----------------------------------------------------------------------------


def _schema_type(schema: dict[str, Any]) -> str:
    if "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        return f"[{name}](#{name.lower()})"
    if "anyOf" in schema:
        return " or ".join(_schema_type(option) for option in schema["anyOf"])
    if schema.get("type") == "array":
        return f"array of {_schema_type(schema.get('items', {}))}"
    if "enum" in schema:
        return " / ".join(f"`{value}`" for value in schema["enum"])
    if "const" in schema:
        return f"`{schema['const']}`"
    return str(schema.get("type", "any"))


def _properties_table(schema: dict[str, Any]) -> list[str]:
    required = set(schema.get("required", []))
    rows = ["| field | type | required | description |", "|---|---|---|---|"]
    for name, prop in schema.get("properties", {}).items():
        description = " ".join(str(prop.get("description", "")).split())
        rows.append(
            f"| `{name}` | {_schema_type(prop)} | {'yes' if name in required else ''} "
            f"| {description} |"
        )
    return rows


def http_api_page() -> str:
    from tarash_gateway.proxy.http.openapi import openapi_document

    document = openapi_document("docs")
    lines = [
        "# HTTP API reference",
        "",
        "Generated from the OpenAPI document the gateway serves at `/openapi.json`. Every "
        "endpoint takes `Authorization: Bearer <key>` unless marked public; errors have "
        "the shape of [ErrorBody](#errorbody).",
        "",
    ]
    tags: dict[str, list[tuple[str, str, dict[str, Any]]]] = {}
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            tags.setdefault(operation["tags"][0], []).append((method, path, operation))
    for tag, operations in tags.items():
        lines += [f"## {tag.capitalize()}", ""]
        for method, path, operation in operations:
            lines += [
                f"### `{method.upper()} {path}`",
                "",
                operation["summary"]
                + "."
                + (" Public (no key)." if operation.get("security") == [] else ""),
                "",
            ]
            parameters = operation.get("parameters", [])
            if parameters:
                lines += ["| parameter | in | description |", "|---|---|---|"]
                lines += [
                    f"| `{p['name']}` | {p['in']} | {p.get('description', '')} |"
                    for p in parameters
                ]
                lines.append("")
            body = operation.get("requestBody")
            if body:
                kinds = ", ".join(f"`{kind}`" for kind in body["content"])
                schema = next(iter(body["content"].values()))["schema"]
                lines += [f"Body ({kinds}): {_schema_type(schema)}.", ""]
            answers = []
            for status, response in operation["responses"].items():
                content = response.get("content", {})
                schema = next(iter(content.values()), {}).get("schema") if content else None
                shown = _schema_type(schema) if schema else ", ".join(f"`{c}`" for c in content)
                answers.append(f"`{status}` {shown}".strip())
            lines += ["Responses: " + "; ".join(answers) + ".", ""]
    lines += ["## Schemas", ""]
    for name, schema in sorted(document["components"]["schemas"].items()):
        lines += [f"### {name}", ""]
        if schema.get("description"):
            lines += [" ".join(schema["description"].split()), ""]
        lines += [*_properties_table(schema), ""]
    return "\n".join(lines)


# -- YAML configuration ------------------------------------------------------------------


def _type_name(annotation: Any) -> str:
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, types.UnionType):
        return " or ".join(_type_name(arg) for arg in typing.get_args(annotation))
    if origin is typing.Literal:
        return " / ".join(f"`{value}`" for value in typing.get_args(annotation))
    if origin in (list, dict):
        inner = ", ".join(_type_name(arg) for arg in typing.get_args(annotation))
        return f"{origin.__name__}[{inner}]"
    if isinstance(annotation, type) and issubclass(annotation, pydantic.BaseModel):
        return f"[{annotation.__name__}](#{annotation.__name__.lower()})"
    if annotation is type(None):
        return "null"
    return getattr(annotation, "__name__", str(annotation))


def _default(field: FieldInfo) -> str:
    if field.is_required():
        return "required"
    if field.default_factory is not None:
        return "`" + repr(field.default_factory()) + "`"  # type: ignore[call-arg]
    if field.default is PydanticUndefined:
        return ""
    return "`" + ("null" if field.default is None else str(field.default)) + "`"


def configuration_page() -> str:
    from tarash_gateway.adapters.models import MockConfig, MockError, MockResponse
    from tarash_gateway.router.config import (
        CooldownSettings,
        DeploymentParams,
        GatewayConfig,
        GeneralSettings,
        JobSettings,
        ModelEntry,
        RouterSettings,
    )

    models: list[type[pydantic.BaseModel]] = [
        GatewayConfig,
        ModelEntry,
        DeploymentParams,
        RouterSettings,
        CooldownSettings,
        JobSettings,
        GeneralSettings,
        MockConfig,
        MockResponse,
        MockError,
    ]
    lines = [
        "# Configuration reference",
        "",
        "Generated from the pydantic models the loader validates a config file with. "
        "Secrets are written as `os.environ/NAME`; unknown fields are errors.",
        "",
    ]
    for model in models:
        lines += [f"## {model.__name__}", ""]
        if model.__doc__:
            lines += [" ".join(model.__doc__.split()), ""]
        lines += ["| field | type | default | description |", "|---|---|---|---|"]
        for name, field in model.model_fields.items():
            description = " ".join((field.description or "").split())
            lines.append(
                f"| `{name}` | {_type_name(field.annotation)} | {_default(field)} | {description} |"
            )
        lines.append("")
    return "\n".join(lines)
