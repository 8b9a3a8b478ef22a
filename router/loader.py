"""Load a YAML config file into a :class:`GatewayConfig`, or explain precisely why not.

The YAML is composed into a node tree first so every error, whether a syntax error, a
schema violation or a broken cross-reference, can be pinned to a line and column.
"""

from __future__ import annotations

import difflib
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pydantic
import yaml
from pydantic_core import ErrorDetails

from tarash_gateway.router.config import GatewayConfig, deployment_ids

ENV_PREFIX = "os.environ/"
MERGE_TAG = "tag:yaml.org,2002:merge"
BOOL_TAG = "tag:yaml.org,2002:bool"
_TRUE_WORDS = frozenset({"y", "yes", "true", "on"})
SECRET_FIELDS = frozenset({"api_key", "master_key", "metrics_token"})

Loc = tuple[str | int, ...]


@dataclass(frozen=True)
class ConfigIssue:
    """One mistake in a config file."""

    file: str
    line: int
    column: int
    field: str
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}:{self.column}"
        return (
            f"{where}: {self.field}: {self.message}" if self.field else f"{where}: {self.message}"
        )


class ConfigError(Exception):
    """A config file that cannot be used; ``issues`` lists every mistake found."""

    def __init__(self, issues: list[ConfigIssue]) -> None:
        self.issues = issues
        super().__init__("\n".join(str(issue) for issue in issues))


class _StrictLoader(yaml.SafeLoader):
    """SafeLoader that refuses duplicate keys instead of silently keeping the last one."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: dict[Any, yaml.Node] = {}
        for key_node, _value in node.value:
            if key_node.tag == MERGE_TAG:
                continue  # `<<: *anchor` entries are merged by the base class
            key = self.construct_object(key_node, deep=deep)
            try:
                hash(key)
            except TypeError:
                raise yaml.constructor.ConstructorError(
                    "while reading a mapping",
                    node.start_mark,
                    "found an unhashable key (a list or mapping used as a key)",
                    key_node.start_mark,
                ) from None
            if key in seen:
                raise yaml.constructor.ConstructorError(
                    "while reading a mapping",
                    node.start_mark,
                    f"duplicate key {key!r} "
                    f"(first defined on line {seen[key].start_mark.line + 1})",
                    key_node.start_mark,
                )
            seen[key] = key_node
        return super().construct_mapping(node, deep=deep)


def format_loc(loc: Loc) -> str:
    """``("model_list", 2, "params", "weight")`` → ``model_list[2].params.weight``."""
    text = ""
    for part in loc:
        if isinstance(part, int) and not isinstance(part, bool):
            text += f"[{part}]"
        else:
            name = str(part).lower() if isinstance(part, bool) else part
            text += f".{name}" if text else name
    return text


def _key_matches(key_node: yaml.Node, part: str | int) -> bool:
    """Whether a mapping key node is the key pydantic calls ``part``.

    YAML 1.1 reads unquoted ``on``/``yes``/… as booleans, so such keys reach pydantic
    as ``True``/``False`` and must be matched by meaning, not by text.
    """
    value = getattr(key_node, "value", None)
    if isinstance(part, bool):
        return key_node.tag == BOOL_TAG and (str(value).lower() in _TRUE_WORDS) == part
    return value == str(part)


def _node_at(root: yaml.Node | None, loc: Loc) -> yaml.Node | None:
    """The deepest node along ``loc`` (a missing field points at its parent mapping)."""
    node = root
    for part in loc:
        if isinstance(node, yaml.MappingNode):
            match = next((v for k, v in node.value if _key_matches(k, part)), None)
            if match is None:
                return node
            node = match
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int):
            if not 0 <= part < len(node.value):
                return node
            node = node.value[part]
        else:
            return node
    return node


def _key_node_at(root: yaml.Node | None, loc: Loc) -> yaml.Node | None:
    """The key node of the last mapping entry on ``loc``, for errors about the key itself."""
    parent = _node_at(root, loc[:-1])
    if isinstance(parent, yaml.MappingNode):
        for key, _value in parent.value:
            if _key_matches(key, loc[-1]):
                return key  # type: ignore[no-any-return]
    return None


class _Reporter:
    """Collects issues against one file and its node tree."""

    def __init__(self, file: str, root: yaml.Node | None) -> None:
        self.file = file
        self.root = root
        self.issues: list[ConfigIssue] = []

    def add(self, loc: Loc, message: str, *, at_key: bool = False) -> None:
        node = _key_node_at(self.root, loc) if at_key and loc else None
        node = node or _node_at(self.root, loc)
        mark = node.start_mark if node is not None else None
        line, column = (mark.line + 1, mark.column + 1) if mark is not None else (1, 1)
        self.issues.append(ConfigIssue(self.file, line, column, format_loc(loc), message))


def _describe(error: ErrorDetails, hide_value: bool = False) -> str:
    """A pydantic error in words, with the offending value unless it may be a secret."""
    kind = error["type"]
    loc = error["loc"]
    field = str(loc[-1]) if loc else ""
    if kind == "missing":
        return f"missing required field {field!r}"
    if kind == "extra_forbidden":
        return f"unknown field {field!r}"
    if kind == "invalid_key" and isinstance(error.get("input"), bool):
        return "keys must be text; YAML reads on/off/yes/no as booleans, so quote the key"
    message = str(error["msg"])
    message = message.removeprefix("Value error, ")
    value = error.get("input")
    if kind == "string_type" and isinstance(value, bool):
        message += "; YAML reads yes/no/on/off/true/false as booleans, so quote the value"
    shown = (
        not hide_value
        and field not in SECRET_FIELDS
        and isinstance(value, str | int | float | bool)
    )
    if shown and repr(value) not in message:
        message += f" (got {value!r})"
    return message


def _allowed_fields(model: type[pydantic.BaseModel], loc: Loc) -> list[str]:
    """Field names valid at ``loc``'s parent, for "did you mean" hints."""
    current: Any = model
    for part in loc[:-1]:
        if isinstance(part, int):
            continue
        if not (isinstance(current, type) and issubclass(current, pydantic.BaseModel)):
            return []
        info = current.model_fields.get(str(part))
        if info is None:
            return []
        current = _unwrap(info.annotation)
    if isinstance(current, type) and issubclass(current, pydantic.BaseModel):
        return list(current.model_fields)
    return []


def _unwrap(annotation: Any) -> Any:
    """The model class inside ``X | None`` or ``list[X]``, if any."""
    for arg in getattr(annotation, "__args__", ()) or ():
        inner = _unwrap(arg)
        if isinstance(inner, type) and issubclass(inner, pydantic.BaseModel):
            return inner
    return annotation


class _EnvResolver:
    """Replaces every ``os.environ/NAME`` string with the variable's value, remembering
    where values came from the environment so they are never echoed in messages."""

    def __init__(self, reporter: _Reporter, env: Mapping[str, str]) -> None:
        self.reporter = reporter
        self.env = env
        self.from_env: set[Loc] = set()
        self.unresolved: set[Loc] = set()

    def resolve(self, data: Any, loc: Loc = ()) -> Any:
        if isinstance(data, dict):
            return {key: self.resolve(value, (*loc, key)) for key, value in data.items()}
        if isinstance(data, list):
            return [self.resolve(value, (*loc, i)) for i, value in enumerate(data)]
        if not (isinstance(data, str) and data.startswith(ENV_PREFIX)):
            return data
        name = data.removeprefix(ENV_PREFIX)
        if not name:
            self.reporter.add(loc, f"{ENV_PREFIX} needs a variable name after the slash")
        elif name not in self.env:
            self.reporter.add(loc, f"environment variable {name} is not set (referenced as {data})")
        else:
            self.from_env.add(loc)
            return self.env[name]
        self.unresolved.add(loc)
        return None


def _check_references(config: GatewayConfig, reporter: _Reporter) -> None:
    """Checks that span several entries: unique deployment ids, known fallback aliases."""
    first_use: dict[str, int] = {}
    for index, deployment_id in enumerate(deployment_ids(config)):
        if deployment_id not in first_use:
            first_use[deployment_id] = index
            continue
        earlier = first_use[deployment_id]
        # Point at the id someone wrote; a derived id has no line of its own.
        at = index if config.model_list[index].params.id is not None else earlier
        reporter.add(
            ("model_list", at, "params", "id"),
            f"duplicate deployment id {deployment_id!r} (already used by "
            f"model_list[{earlier if at == index else index}]); ids must be unique",
        )

    aliases = {entry.model_name for entry in config.model_list}
    for alias in sorted(aliases):
        weights = [e.params.weight for e in config.model_list if e.model_name == alias]
        if sum(weights) <= 0:
            index = next(i for i, e in enumerate(config.model_list) if e.model_name == alias)
            reporter.add(
                ("model_list", index, "params", "weight"),
                f"alias {alias!r} has no deployment with a positive weight",
            )

    settings = config.router_settings
    for alias in settings.strategy_per_alias:
        if alias not in aliases:
            reporter.add(
                ("router_settings", "strategy_per_alias", alias),
                _unknown_alias(alias, aliases),
                at_key=True,
            )
    for position, alias in enumerate(settings.moderation_fallbacks):
        if alias not in aliases:
            reporter.add(
                ("router_settings", "moderation_fallbacks", position),
                _unknown_alias(alias, aliases),
            )

    for index, rule in enumerate(config.router_settings.fallbacks):
        for source, targets in rule.items():
            loc: Loc = ("router_settings", "fallbacks", index, source)
            if source not in aliases:
                reporter.add(loc, _unknown_alias(source, aliases), at_key=True)
            for position, target in enumerate(targets):
                if target not in aliases:
                    reporter.add((*loc, position), _unknown_alias(target, aliases))
                elif target == source:
                    reporter.add((*loc, position), f"alias {source!r} cannot fall back to itself")


def _unknown_alias(name: str, aliases: Iterable[str]) -> str:
    return f"unknown alias {name!r}; expected one of: {', '.join(sorted(aliases))}"


def parse_config(
    text: str, file: str = "<config>", env: Mapping[str, str] | None = None
) -> GatewayConfig:
    """Parse YAML text into a validated config, raising :class:`ConfigError` on any mistake."""
    env = os.environ if env is None else env
    reporter = _Reporter(file, None)
    data = _read_yaml(text, file, reporter)
    if not isinstance(data, dict):
        found = "an empty file" if data is None else f"a {type(data).__name__}"
        reporter.add((), f"expected a mapping with model_list and general_settings, found {found}")
        raise ConfigError(reporter.issues)
    resolver = _EnvResolver(reporter, env)
    config = _validated(resolver.resolve(data), resolver, reporter)
    _check_references(config, reporter)
    if reporter.issues:
        raise ConfigError(reporter.issues)
    return config


def _read_yaml(text: str, file: str, reporter: _Reporter) -> Any:
    """The document as plain data (strict: no duplicate keys), its root node kept by
    ``reporter`` so later issues point at lines; a syntax error names where it began."""
    loader = _StrictLoader(text)
    try:
        root = loader.get_single_node()
        reporter.root = root
        return loader.construct_document(root) if root is not None else None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        problem = "; ".join(str(p) for p in (exc.context, exc.problem) if p)
        started = exc.context_mark
        if started is not None and mark is not None and started.line != mark.line:
            problem += f" (the construct started on line {started.line + 1})"
        raise ConfigError(
            [ConfigIssue(file, line, column, "", f"invalid YAML: {problem}")]
        ) from None
    except yaml.YAMLError as exc:
        raise ConfigError([ConfigIssue(file, 1, 1, "", f"invalid YAML: {exc}")]) from None
    finally:
        loader.dispose()


def _validated(data: Any, resolver: _EnvResolver, reporter: _Reporter) -> GatewayConfig:
    """``data`` as a :class:`GatewayConfig`, every pydantic error reported at its line
    (a missing environment variable only once, a secret's value never shown)."""
    try:
        config = GatewayConfig.model_validate(data)
    except pydantic.ValidationError as exc:
        for error in exc.errors():
            loc = tuple(error["loc"])
            if error["type"] == "invalid_key" and loc and isinstance(error["input"], bool):
                # pydantic reports the key True as 1; point at the key as written.
                loc = (*loc[:-1], error["input"])
            if loc in resolver.unresolved and error["type"] != "extra_forbidden":
                continue  # already reported as a missing environment variable
            message = _describe(error, hide_value=loc in resolver.from_env)
            if error["type"] == "extra_forbidden":
                message += _suggestion(loc)
            at_key = error["type"] in ("extra_forbidden", "invalid_key")
            reporter.add(loc, message, at_key=at_key)
        raise ConfigError(reporter.issues) from None
    if reporter.issues:
        raise ConfigError(reporter.issues)
    return config


def _suggestion(loc: tuple[Any, ...]) -> str:
    """For an unknown field: the closest allowed name, else every allowed name."""
    allowed = _allowed_fields(GatewayConfig, loc)
    close = difflib.get_close_matches(str(loc[-1]), allowed, n=1)
    if close:
        return f"; did you mean {close[0]!r}?"
    if allowed:
        return f"; expected one of: {', '.join(allowed)}"
    return ""


def load_config(
    path: str | os.PathLike[str], env: Mapping[str, str] | None = None
) -> GatewayConfig:
    """Read and validate a config file."""
    file = str(path)
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(
            [ConfigIssue(file, 1, 1, "", f"cannot read file: {exc.strerror}")]
        ) from None
    except UnicodeDecodeError:
        raise ConfigError([ConfigIssue(file, 1, 1, "", "file is not valid UTF-8")]) from None
    return parse_config(text, file, env)
