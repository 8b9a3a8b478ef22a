"""Model-family tables registered for one test only: the registry is process-wide, and a
table left behind changes what every later test sees for that provider."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager

from tarash_gateway.adapters.field_mappers import (
    ModelMapping,
    get_provider_field_mapping,
    register_provider_field_mapping,
    unregister_provider_field_mapping,
)


@contextmanager
def registered_tables(provider: str, mappings: Mapping[str, ModelMapping]) -> Iterator[None]:
    """``mappings`` registered for ``provider`` inside the block; what was there before
    (replaced prefixes included) is restored after it."""
    before = get_provider_field_mapping(provider)
    register_provider_field_mapping(provider, mappings)
    try:
        yield
    finally:
        unregister_provider_field_mapping(provider, mappings)
        register_provider_field_mapping(
            provider, {prefix: before[prefix] for prefix in mappings if prefix in before}
        )
