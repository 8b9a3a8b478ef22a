"""``tarash.tarash_gateway.api``: the predecessor's entry points, now the gateway's own."""

from tarash_gateway import (
    generate_image,
    generate_image_async,
    generate_video,
    generate_video_async,
    get_provider_field_mapping,
    register_provider,
    register_provider_field_mapping,
)

__all__ = [
    "generate_image",
    "generate_image_async",
    "generate_video",
    "generate_video_async",
    "get_provider_field_mapping",
    "register_provider",
    "register_provider_field_mapping",
]
