"""fal storage uploads: bytes in, a URL any fal endpoint can read out.

Follows fal_client 1.0.3 (``client.py``, ``AsyncClient.upload``) for a file under its
100 MB multipart threshold (the gateway takes uploads of at most 20 MB):

1. **fal CDN v3** (the SDK's default repository, ``fal_v3``): ``POST
   https://rest.fal.ai/storage/auth/token?storage_type=fal-cdn-v3`` with ``Authorization:
   Key <key>`` and the JSON body ``{}`` answers ``{token, token_type, base_url,
   expires_at}`` (``AsyncCDNTokenManager``, which reuses the token until it expires);
   then ``POST https://v3.fal.media/files/upload`` with the raw bytes as the body,
   ``Content-Type: <type>``, ``X-Fal-File-Name: <name>`` and ``Authorization:
   <token_type> <token>`` answers ``{access_url}`` (``_async_upload_v3``; the SDK posts
   to its ``CDN_URL`` constant, not to the token's ``base_url``).
2. **fal storage** (the SDK's fallback repository, ``fal``, tried when the first fails):
   ``POST https://rest.fal.ai/storage/upload/initiate?storage_type=gcs`` with ``Key`` auth
   and ``{file_name, content_type}`` answers ``{upload_url, file_url}``; the bytes go to
   ``upload_url`` by ``PUT`` with only ``Content-Type`` (a signed URL: no key), and
   ``file_url`` is the result (``_async_upload_via_storage``).

The fal adapter's ``prepare_images`` calls :func:`upload` for every uploaded image.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from tarash_gateway.adapters.errors import HTTPError, TarashError, ValidationError
from tarash_gateway.adapters.http import call

PROVIDER = "fal"
REST_URL = "https://rest.fal.ai"
CDN_URL = "https://v3.fal.media"
TOKEN_PATH = "/storage/auth/token?storage_type=fal-cdn-v3"
UPLOAD_PATH = "/files/upload"
INITIATE_PATH = "/storage/upload/initiate?storage_type=gcs"
_NAMES = {"image/png": "upload.png", "image/jpeg": "upload.jpg", "image/webp": "upload.webp"}


@dataclass(frozen=True)
class _Token:
    header: str
    expires_at: float


_TOKENS: dict[tuple[str, str], _Token] = {}
"""CDN tokens by (REST host, key), reused until they expire as the SDK's manager does."""


def _expiry(value: Any) -> float:
    try:
        return datetime.fromisoformat(str(value).replace("Z", "+00:00")).timestamp()
    except ValueError:
        return 0.0  # unknown: fetch a new token next time


def _field(body: Any, name: str, model: str) -> str:
    value = body.get(name) if isinstance(body, dict) else None
    if not isinstance(value, str) or not value:
        raise HTTPError(
            f"fal storage answered without {name}",
            status_code=502,
            provider=PROVIDER,
            model=model,
            raw_response=body,
        )
    return value


async def _cdn_token(api_key: str, rest_url: str, model: str, request_timeout: float) -> str:
    cached = _TOKENS.get((rest_url, api_key))
    if cached is not None and cached.expires_at > time.time() + 30:
        return cached.header
    body = await call(
        "POST",
        rest_url + TOKEN_PATH,
        provider=PROVIDER,
        model=model,
        request_timeout=request_timeout,
        headers={"Authorization": f"Key {api_key}", "Accept": "application/json"},
        json_body={},
        secret=api_key,
    )
    header = f"{_field(body, 'token_type', model)} {_field(body, 'token', model)}"
    _TOKENS[(rest_url, api_key)] = _Token(header, _expiry(body.get("expires_at")))
    return header


async def upload_v3(
    data: bytes,
    content_type: str,
    *,
    api_key: str,
    model: str,
    request_timeout: float,
    rest_url: str = REST_URL,
    cdn_url: str = CDN_URL,
    file_name: str | None = None,
) -> str:
    """The CDN v3 path (fal_client's default): a token, then the bytes; the access URL."""
    token = await _cdn_token(api_key, rest_url, model, request_timeout)
    body = await call(
        "POST",
        cdn_url + UPLOAD_PATH,
        provider=PROVIDER,
        model=model,
        request_timeout=request_timeout,
        headers={
            "Content-Type": content_type,
            "X-Fal-File-Name": file_name or _NAMES.get(content_type, "upload.bin"),
            "Authorization": token,
        },
        data=data,
        secret=api_key,
    )
    return _field(body, "access_url", model)


async def upload_via_storage(
    data: bytes,
    content_type: str,
    *,
    api_key: str,
    model: str,
    request_timeout: float,
    rest_url: str = REST_URL,
    file_name: str | None = None,
) -> str:
    """The storage path (fal_client's fallback): initiate, then PUT to the signed URL."""
    body = await call(
        "POST",
        rest_url + INITIATE_PATH,
        provider=PROVIDER,
        model=model,
        request_timeout=request_timeout,
        headers={"Authorization": f"Key {api_key}", "Accept": "application/json"},
        json_body={
            "file_name": file_name or _NAMES.get(content_type, "upload.bin"),
            "content_type": content_type,
        },
        secret=api_key,
    )
    upload_url = _field(body, "upload_url", model)
    file_url = _field(body, "file_url", model)
    await call(
        "PUT",
        upload_url,
        provider=PROVIDER,
        model=model,
        request_timeout=request_timeout,
        headers={"Content-Type": content_type},
        data=data,
        expect_json=False,
    )
    return file_url


async def upload(
    data: bytes,
    content_type: str,
    *,
    api_key: str,
    model: str,
    request_timeout: float,
    rest_url: str = REST_URL,
    cdn_url: str = CDN_URL,
) -> str:
    """CDN v3 first, fal storage when it fails (the SDK's order); a refusal of the key
    itself is not retried on the second path, since it would be refused there too."""
    try:
        return await upload_v3(
            data,
            content_type,
            api_key=api_key,
            model=model,
            request_timeout=request_timeout,
            rest_url=rest_url,
            cdn_url=cdn_url,
        )
    except ValidationError:
        raise
    except TarashError as error:
        if isinstance(error, HTTPError) and error.status_code in (401, 403):
            raise
        return await upload_via_storage(
            data,
            content_type,
            api_key=api_key,
            model=model,
            request_timeout=request_timeout,
            rest_url=rest_url,
        )
