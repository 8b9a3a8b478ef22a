"""Masking credentials in text that came from somewhere we do not control.

A provider's error text is relayed to clients, stored with failed videos and written
to logs; a buggy or compromised provider may echo its own database URL, a key or the
gateway's request back. ``redact`` masks what looks like a credential (URLs with
userinfo, bearer tokens, ``sk-`` keys, ``Authorization`` values, secret-named query
parameters) and every secret value the running configuration holds.
``redact_urls`` additionally masks every query value of every URL, for log lines.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

MASK = "***"
_MIN_SECRET_LENGTH = 6

# scheme://user:pass@host → scheme://***@host (the userinfo may not contain '/', '@' or
# whitespace, so a path with an '@' later on is left alone).
_USERINFO = re.compile(r"(?P<scheme>\b[a-zA-Z][a-zA-Z0-9+.-]*://)[^\s/@?#\"'<>]+@")
_AUTHORIZATION = re.compile(
    r"(?P<name>\b(?:proxy-)?authorization[\"']?\s*[:=]\s*[\"']?)"
    r"(?:(?:bearer|basic|token|key)\s+)?[^\s\"',;}]+",
    re.IGNORECASE,
)
# A bearer token has a digit somewhere; "Bearer token" in prose is left alone.
_BEARER = re.compile(r"(?P<name>\bbearer\s+)(?=\S*\d)[A-Za-z0-9._~+/=-]{6,}", re.IGNORECASE)
_API_KEY = re.compile(r"\b(?:sk|pk|rk)[-_](?:[A-Za-z0-9]+[-_])*[A-Za-z0-9]{6,}")
_SECRET_NAME = (
    r"(?:api[-_]?key|key|token|access[-_]?token|secret|client[-_]?secret|password|passwd|"
    r"pwd|sig|signature|x-amz-signature|x-goog-signature|auth|credential)"
)
# key=value in a query or a form, and "key": "value" in JSON (a bare "key: value" is
# too common in ordinary messages to mask).
_SECRET_PARAM = re.compile(
    rf"(?P<name>(?:^|(?<=[?&;\s,(]))(?:{_SECRET_NAME})\s*=\s*|[\"']{_SECRET_NAME}[\"']\s*:\s*[\"']?)"
    r"[^\s&#\"',;})]+",
    re.IGNORECASE,
)
_URL_QUERY = re.compile(r"(?P<base>\b[a-zA-Z][a-zA-Z0-9+.-]*://[^\s?#\"'<>]*)\?[^\s#\"'<>]*")

_known: tuple[str, ...] = ()


def remember_secrets(values: Iterable[str]) -> None:
    """Add configured secret values (master key, provider keys) for ``redact`` to mask.

    Called whenever a configuration is loaded. Values are kept across reloads (a rotated
    key is still a secret, and retired deployments may still use it); short values are
    ignored so a one-letter "secret" cannot mask every occurrence of that letter.
    """
    global _known
    merged = {*_known, *(v for v in values if len(v) >= _MIN_SECRET_LENGTH)}
    _known = tuple(sorted(merged, key=len, reverse=True))


def redact(text: str, secrets: Iterable[str] = ()) -> str:
    """``text`` with credentials and the known (and given) secret values masked."""
    for secret in (*_known, *(s for s in secrets if len(s) >= _MIN_SECRET_LENGTH)):
        text = text.replace(secret, MASK)
    text = _USERINFO.sub(rf"\g<scheme>{MASK}@", text)
    text = _AUTHORIZATION.sub(rf"\g<name>{MASK}", text)
    text = _BEARER.sub(rf"\g<name>{MASK}", text)
    text = _API_KEY.sub(MASK, text)
    return _SECRET_PARAM.sub(rf"\g<name>{MASK}", text)


def redact_urls(text: str, secrets: Iterable[str] = ()) -> str:
    """``redact``, and every query value of every URL masked (``?token=***&n=***``):
    for log lines, where a URL's query is the usual place for a token."""
    if "://" in text:
        text = _URL_QUERY.sub(_mask_query, text)
    return redact(text, secrets)


def _mask_query(match: re.Match[str]) -> str:
    base = match.group("base")
    parts = match.group(0)[len(base) + 1 :].split("&")
    masked = (
        f"{part.partition('=')[0]}={MASK}" if "=" in part else (MASK if part else part)
        for part in parts
    )
    return f"{base}?{'&'.join(masked)}"
