"""Runway ephemeral uploads: bytes in, a ``runway://`` URI any generation accepts.

Follows runwayml 5.24 (``resources/uploads.py``, ``AsyncUploadsResource.create_ephemeral``):

1. ``POST {base_url}/v1/uploads`` with the usual Runway headers (``Authorization: Bearer
   <key>``, ``X-Runway-Version``) and the JSON body ``{"filename": <name>, "type":
   "ephemeral"}`` answers ``{runwayUri, uploadUrl, fields}``
   (``_RunwayUploadStartedResponse``);
2. the bytes go to ``uploadUrl`` (a presigned storage POST: no Runway key) as
   ``multipart/form-data`` with every entry of ``fields`` as a form field, then the file
   in a part named ``file`` with the filename (``_prepare_upload_data``,
   ``_build_file_tuple_with_filename``); any status >= 400 is a failed upload
   (``_handle_upload_errors``);
3. ``runwayUri`` is the result (``UploadCreateEphemeralResponse.uri``), used in place of
   an image URL (``promptImage`` and the like).

This is how inputs over Runway's 5 MB data URI limit can still be sent: the Runway
adapter calls :func:`upload_ephemeral` from ``prepare_images`` for such an image.
"""

from __future__ import annotations

from typing import Any

from tarash_gateway.adapters.errors import HTTPError
from tarash_gateway.adapters.http import call, encode_multipart

PROVIDER = "runway"
DEFAULT_BASE_URL = "https://api.dev.runwayml.com"
API_VERSION = "2024-11-06"
UPLOADS_PATH = "/v1/uploads"
_NAMES = {"image/png": "input.png", "image/jpeg": "input.jpg", "image/webp": "input.webp"}


def _started(body: Any, model: str) -> tuple[str, str, dict[str, str]]:
    """(runwayUri, uploadUrl, fields) from the create answer, or a 502."""
    if isinstance(body, dict):
        uri, url, fields = body.get("runwayUri"), body.get("uploadUrl"), body.get("fields")
        if (
            isinstance(uri, str)
            and uri
            and isinstance(url, str)
            and url.startswith(("http://", "https://"))
            and isinstance(fields, dict)
            and all(isinstance(k, str) and isinstance(v, str) for k, v in fields.items())
        ):
            return uri, url, dict(fields)
    raise HTTPError(
        "runway started an upload without runwayUri, uploadUrl and fields",
        status_code=502,
        provider=PROVIDER,
        model=model,
        raw_response=body,
    )


async def upload_ephemeral(
    data: bytes,
    content_type: str,
    *,
    api_key: str,
    model: str,
    request_timeout: float,
    base_url: str | None = None,
    api_version: str | None = None,
    filename: str | None = None,
) -> str:
    """Upload ``data`` as an ephemeral Runway file; its ``runway://`` URI."""
    name = filename or _NAMES.get(content_type, "input.bin")
    body = await call(
        "POST",
        (base_url or DEFAULT_BASE_URL).rstrip("/") + UPLOADS_PATH,
        provider=PROVIDER,
        model=model,
        request_timeout=request_timeout,
        headers={
            "Authorization": f"Bearer {api_key}",
            "X-Runway-Version": api_version or API_VERSION,
        },
        json_body={"filename": name, "type": "ephemeral"},
        secret=api_key,
    )
    uri, upload_url, fields = _started(body, model)
    form, form_type = encode_multipart(fields.items(), [("file", (name, data, content_type))])
    await call(
        "POST",
        upload_url,
        provider=PROVIDER,
        model=model,
        request_timeout=request_timeout,
        headers={"Content-Type": form_type},
        data=form,
        expect_json=False,
    )
    return uri
