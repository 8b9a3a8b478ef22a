"""Fill the capability tables in docs/providers/*.md from the field-mapper registry.

Each page keeps its hand-written text; only the part between the GENERATED markers is
rewritten, so the tables can never drift from what the router actually enforces.
Run `scripts/provider_docs.py` to update, `scripts/provider_docs.py --check` to verify.
"""

from __future__ import annotations

import sys
from pathlib import Path

import tarash_gateway.adapters  # noqa: F401 - registers every provider and its tables
from tarash_gateway.adapters import VideoProvider, registry
from tarash_gateway.adapters.field_mappers import (
    Capabilities,
    ModelMapping,
    get_provider_field_mapping,
)

DOCS = Path(__file__).resolve().parent.parent / "docs" / "providers"
BEGIN = "<!-- BEGIN GENERATED: capabilities -->"
END = "<!-- END GENERATED -->"


def _values(values: tuple[object, ...] | None, unit: str = "") -> str:
    """Allowed values, with runs of consecutive whole numbers shown as ranges."""
    if values is None:
        return "any"
    if not values:
        return "—"
    numbers = [v for v in values if isinstance(v, int)]
    consecutive = numbers == list(range(numbers[0], numbers[-1] + 1)) if numbers else False
    if len(numbers) == len(values) > 2 and consecutive:
        return f"{numbers[0]} to {numbers[-1]}{unit}"
    return ", ".join(f"{value}{unit}" for value in values)


def _defaults(caps: Capabilities) -> str:
    """What a request that names no duration, resolution or aspect ratio gets."""
    parts = [
        f"{caps.default_duration} s" if caps.default_duration is not None else None,
        caps.default_resolution,
        caps.default_aspect_ratio,
    ]
    shown = [part for part in parts if part is not None]
    return ", ".join(shown) if shown else "the provider's"


def _row(prefix: str, mapping: ModelMapping) -> str:
    caps = mapping.capabilities
    roles = ", ".join(caps.image_roles) if caps.image_roles else "—"
    if not caps.text_to_video:
        roles += " (required)"
    return (
        f"| `{prefix or '(any other model)'}` | {_values(caps.durations, ' s')} "
        f"| {_values(caps.resolutions)} | {_values(caps.aspect_ratios)} "
        f"| {_defaults(caps)} "
        f"| {'yes' if caps.audio else 'no'} | {roles} "
        f"| {'yes' if caps.video_input else 'no'} |"
    )


def _image_row(prefix: str, mapping: ModelMapping) -> str:
    caps = mapping.capabilities
    return f"| `{prefix or '(any other model)'}` | {_values(caps.aspect_ratios)} |"


def table(provider: str) -> str:
    families = get_provider_field_mapping(provider)
    if not families:
        return "This provider declares no model tables: nothing is ruled out before a call."
    if not isinstance(registry.get_provider_or_none(provider), VideoProvider):
        lines = ["| model id prefix | aspect ratios |", "|---|---|"]
        lines.extend(_image_row(prefix, families[prefix]) for prefix in sorted(families))
        return "Generated from the field-mapper registry (image models):\n\n" + "\n".join(lines)
    lines = [
        "| model id prefix | durations | resolutions | aspect ratios | defaults | audio "
        "| image input | video input |",
        "|---|---|---|---|---|---|---|---|",
    ]
    lines.extend(_row(prefix, families[prefix]) for prefix in sorted(families))
    return (
        "Generated from the field-mapper registry (the longest matching prefix applies; a "
        "request outside these values is refused with a 400 before any call, unless the "
        "alias sets `coerce: nearest`; what a request leaves out takes the defaults "
        "column):\n\n" + "\n".join(lines)
    )


def render(page: Path) -> str:
    text = page.read_text()
    if BEGIN not in text or END not in text:
        raise SystemExit(f"{page}: missing the {BEGIN} / {END} markers")
    head, _, rest = text.partition(BEGIN)
    _, _, tail = rest.partition(END)
    return f"{head}{BEGIN}\n{table(page.stem)}\n{END}{tail}"


def main(argv: list[str]) -> int:
    stale = []
    for page in sorted(DOCS.glob("*.md")):
        if page.stem == "index":
            continue
        fresh = render(page)
        if fresh != page.read_text():
            stale.append(page.name)
            if "--check" not in argv:
                page.write_text(fresh)
    if stale and "--check" in argv:
        print("out of date (run scripts/provider_docs.py):", ", ".join(stale))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
