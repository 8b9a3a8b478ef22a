"""POST /v1/images/generations with the real OpenAI SDK."""

from __future__ import annotations

import base64

import openai
import pytest

from tarash_gateway.adapters.media import SAMPLE_THUMBNAIL


def test_b64_json_images(client: openai.OpenAI) -> None:
    result = client.images.generate(
        model="pics", prompt="a red kite", n=2, response_format="b64_json"
    )
    assert len(result.data) == 2
    assert result.data[0].b64_json is not None
    assert base64.b64decode(result.data[0].b64_json) == SAMPLE_THUMBNAIL.read_bytes()
    assert result.created > 0


def test_url_images_never_expose_server_paths(client: openai.OpenAI) -> None:
    result = client.images.generate(model="pics", prompt="a red kite")
    url = result.data[0].url
    assert url is not None
    assert url.startswith("data:image/jpeg;base64,")  # the mock's image is a JPEG
    assert "file://" not in url


def test_bad_image_requests(client: openai.OpenAI) -> None:
    with pytest.raises(openai.NotFoundError, match="nope"):
        client.images.generate(model="nope", prompt="x")
    with pytest.raises(openai.BadRequestError) as caught:
        client.images.generate(model="pics", prompt="x", n=50)
    assert caught.value.param == "n"
    with pytest.raises(openai.BadRequestError) as bad_format:
        client.images.generate(model="pics", prompt="x", response_format="gif")  # type: ignore[arg-type]
    assert bad_format.value.param == "response_format"
