"""Uploads are judged by their bytes, not by the type the client declared."""

from __future__ import annotations

import openai
import pytest

from tarash_gateway.adapters.media import SAMPLE_THUMBNAIL
from tarash_gateway.proxy.http.sniff import sniff_image_type


@pytest.mark.parametrize(
    ("declared", "data"),
    [
        ("image/png", b"<html><script>alert(1)</script></html>"),
        ("image/jpeg", b"\x89PNG\r\n\x1a\n" + b"\0" * 32),  # a PNG that says it is a JPEG
        ("image/webp", b"RIFF\0\0\0\0AVI LIST"),
    ],
)
def test_an_upload_whose_bytes_are_not_its_declared_image_type_is_refused(
    client: openai.OpenAI, declared: str, data: bytes
) -> None:
    before = client.videos.list(limit=100).data
    with pytest.raises(openai.BadRequestError) as refused:
        client.videos.create(
            model="quick", prompt="x", input_reference=("frame.img", data, declared)
        )
    assert refused.value.code == "invalid_file"
    assert refused.value.param == "input_reference"
    assert [v.id for v in client.videos.list(limit=100).data] == [v.id for v in before]


def test_a_real_jpeg_upload_is_accepted(client: openai.OpenAI) -> None:
    video = client.videos.create(
        model="quick",
        prompt="x",
        input_reference=("frame.jpg", SAMPLE_THUMBNAIL.read_bytes(), "image/jpeg"),
    )
    assert video.status in ("queued", "in_progress")


def test_sniffing_recognises_the_three_accepted_types() -> None:
    assert sniff_image_type(SAMPLE_THUMBNAIL.read_bytes()) == "image/jpeg"
    assert sniff_image_type(b"\x89PNG\r\n\x1a\n....") == "image/png"
    assert sniff_image_type(b"RIFF\x10\0\0\0WEBPVP8 ") == "image/webp"
    assert sniff_image_type(b"GIF89a") is None
