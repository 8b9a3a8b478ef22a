"""What a provider's URL may make the gateway read or connect to.

A provider answer names where a result lives, and the gateway then fetches it with its
own privileges: a buggy or hostile provider must not be able to point that at the
gateway's files (``file:///proc/self/environ``) or at the network behind it (the cloud
metadata service, a database on 10.0.0.5). Two rules, checked every time a provider URL
is used rather than when it is stored, so rows written before a rule existed obey it too:

* **Schemes.** ``http(s)`` and ``data:`` only; ``file://`` only when the real path
  (symlinks resolved) lies inside the package's own media directory or the gateway's
  ``media_dir``, the two places results the gateway itself wrote or shipped live.
* **Addresses.** Every connection made for a provider URL, each redirect hop included,
  goes to a public unicast address. The check sits in the connector's socket factory,
  so it sees the very address being connected to after DNS resolution: a name that
  resolves to a public address when checked and a private one when used (DNS rebinding)
  gains nothing, and IP literals are checked the same way. Exceptions: the addresses the
  deployment's own ``base_url`` host resolves to (decided per host, any port: a
  provider's content server on another port of its own host is still its own), and the
  networks listed in ``general_settings.outbound_allow_networks``.

Connections are pooled per policy (one ``aiohttp`` session for each set of trusted
addresses), so a kept-alive connection opened under one deployment's allowance is never
reused by a fetch that does not have it.
"""

from __future__ import annotations

import asyncio
import ipaddress
import logging
import socket
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlparse

import aiohttp
import anyio
from aiohappyeyeballs import AddrInfoType

from tarash_gateway.proxy.http.errors import APIError
from tarash_gateway.router import MEDIA_DIR, redact_urls
from tarash_gateway.router.config import GeneralSettings

logger = logging.getLogger("tarash.outbound")

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network

READ_BUFFER_BYTES = 1024 * 1024
MAX_REDIRECTS = 5


class AddressRefusedError(OSError):
    """Raised by the socket factory for an address the policy does not allow; aiohttp
    reports it as the ``os_error`` of a ``ClientConnectorError``."""


def refusal() -> APIError:
    """The one answer for a provider URL the gateway will not follow."""
    return APIError(
        502,
        "The provider's URL for this content points somewhere the gateway does not fetch "
        "from (only http(s) on public addresses, data:, and the gateway's own media).",
        type="api_error",
        code="content_unavailable",
    )


def refused_by_policy(error: BaseException) -> bool:
    """Whether a failed fetch failed because the address policy refused to connect."""
    return isinstance(error, aiohttp.ClientConnectorError) and isinstance(
        error.os_error, AddressRefusedError
    )


def _describe(url: str) -> str:
    """A URL fit for the log: query values and userinfo masked, length bounded."""
    return redact_urls(url[:300])


def warn_refused(url: str, why: str) -> None:
    logger.warning("refused a provider URL (%s): %s", why, _describe(url))


_NAT64 = ipaddress.IPv6Network("64:ff9b::/96")


def _unwrapped(address: IPAddress) -> IPAddress:
    """The IPv4 address an IPv6 one stands for, if it embeds one (mapped ``::ffff:a.b.c.d``,
    6to4 ``2002::/16``, NAT64 ``64:ff9b::/96``): it is judged as that address."""
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return address.ipv4_mapped
        if address.sixtofour is not None:
            return address.sixtofour
        if address in _NAT64:
            return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return address


def _public(address: IPAddress) -> bool:
    """Globally routable unicast: not loopback, link-local (169.254.169.254 included),
    private (RFC 1918, fc00::/7), shared (100.64/10), unspecified, multicast or reserved."""
    address = _unwrapped(address)
    return address.is_global and not (
        address.is_multicast
        or address.is_reserved
        or address.is_unspecified
        or (isinstance(address, ipaddress.IPv6Address) and address.is_site_local)
    )


@dataclass(frozen=True)
class AddressPolicy:
    """The addresses one fetch may connect to, beyond public ones."""

    trusted: frozenset[IPAddress] = frozenset()
    networks: tuple[IPNetwork, ...] = ()

    def allows(self, address: IPAddress) -> bool:
        address = _unwrapped(address)
        return (
            _public(address)
            or address in self.trusted
            or any(address in network for network in self.networks)
        )

    def socket_factory(self, addr_info: AddrInfoType) -> socket.socket:
        """Open the socket for ``addr_info`` only if its address is allowed."""
        family, type_, proto, _, sockaddr = addr_info
        address = ipaddress.ip_address(str(sockaddr[0]).partition("%")[0])
        if not self.allows(address):
            logger.warning("refused to connect to %s for a provider URL", address)
            raise AddressRefusedError(f"connecting to {address} is not allowed")
        return socket.socket(family=family, type=type_, proto=proto)


def _parse_networks(values: Iterable[str]) -> tuple[IPNetwork, ...]:
    return tuple(ipaddress.ip_network(value, strict=False) for value in values)


async def _addresses_of(host: str) -> frozenset[IPAddress]:
    """The non-public addresses ``host`` resolves to now (an IP literal is itself); empty
    if it does not resolve. Public ones are allowed anyway, and leaving them out keeps
    one session for a public ``base_url`` whose DNS answers rotate."""
    try:
        found = {ipaddress.ip_address(host.strip("[]"))}
    except ValueError:
        try:
            infos = await asyncio.get_running_loop().getaddrinfo(
                host, None, type=socket.SOCK_STREAM
            )
        except OSError:
            return frozenset()
        found = {ipaddress.ip_address(str(info[4][0]).partition("%")[0]) for info in infos}
    return frozenset(_unwrapped(address) for address in found if not _public(address))


def require_http(url: str) -> None:
    """Refuse anything but an ``http(s)`` URL with a host (redirect hops included)."""
    parsed = urlparse(url)
    if parsed.scheme not in ("http", "https") or not parsed.hostname:
        warn_refused(url, f"scheme {parsed.scheme or 'none'!r}")
        raise refusal()


class Outbound:
    """The gateway's client for URLs a provider handed it: local media under the scheme
    rule, network fetches under the address rule, with size and time limits."""

    def __init__(self, settings: Callable[[], GeneralSettings]) -> None:
        #: Read at each fetch, so a config reload applies to the next one.
        self._settings = settings
        self._sessions: dict[AddressPolicy, aiohttp.ClientSession] = {}

    def media_roots(self) -> tuple[Path, ...]:
        return (MEDIA_DIR.resolve(), Path(self._settings().media_dir).resolve())

    def local_file(self, url: str) -> Path:
        """The real path of a ``file://`` URL, if it lies inside the media roots."""
        parsed = urlparse(url)
        path = Path(unquote(parsed.path)).resolve()
        if parsed.netloc not in ("", "localhost") or not any(
            path.is_relative_to(root) for root in self.media_roots()
        ):
            warn_refused(url, "local file outside the media directories")
            raise refusal()
        return path

    async def policy(self, base_url: str | None) -> AddressPolicy:
        """The policy for a fetch on behalf of a deployment with this ``base_url``."""
        host = urlparse(base_url).hostname if base_url else None
        networks = _parse_networks(self._settings().outbound_allow_networks)
        return AddressPolicy(await _addresses_of(host) if host else frozenset(), networks)

    async def session(self, base_url: str | None) -> aiohttp.ClientSession:
        """The pooled client whose every connection obeys this deployment's policy."""
        policy = await self.policy(base_url)
        session = self._sessions.get(policy)
        if session is None or session.closed:
            session = self._sessions[policy] = _new_session(policy)
        return session

    async def read(self, url: str, base_url: str | None) -> bytes:
        """The whole body at ``url`` (``file://`` or ``http(s)``), within the configured
        size and time limits; redirects are followed, every hop under the policy."""
        settings = self._settings()
        limit = settings.max_fetched_image_bytes
        if urlparse(url).scheme == "file":
            path = anyio.Path(self.local_file(url))
            if not await path.is_file():
                raise _fetch_failed()
            if (await path.stat()).st_size > limit:
                raise _too_large()
            return await path.read_bytes()
        require_http(url)
        session = await self.session(base_url)
        try:
            async with session.get(
                url,
                auto_decompress=True,
                max_redirects=MAX_REDIRECTS,
                timeout=aiohttp.ClientTimeout(total=settings.image_fetch_timeout_seconds),
            ) as response:
                if response.status != 200:
                    raise _fetch_failed()
                if (response.content_length or 0) > limit:
                    raise _too_large()
                body = bytearray()
                async for chunk in response.content.iter_chunked(READ_BUFFER_BYTES):
                    body += chunk
                    if len(body) > limit:  # counted after decompression
                        raise _too_large()
                return bytes(body)
        except (aiohttp.ClientError, TimeoutError) as error:
            if refused_by_policy(error):
                warn_refused(url, "address not allowed")
                raise refusal() from None
            raise _fetch_failed() from None

    async def close(self) -> None:
        sessions, self._sessions = list(self._sessions.values()), {}
        for session in sessions:
            await session.close()


def _new_session(policy: AddressPolicy) -> aiohttp.ClientSession:
    """Bytes pass through as they are (no decompression unless asked, so a relayed
    ``content-encoding`` stays intact), read in large buffers; a slow provider may take
    up to five minutes between two reads; no cookies carried from one answer to the next."""
    return aiohttp.ClientSession(
        connector=aiohttp.TCPConnector(socket_factory=policy.socket_factory),
        timeout=aiohttp.ClientTimeout(total=None, connect=30, sock_read=300),
        auto_decompress=False,
        read_bufsize=READ_BUFFER_BYTES,
        cookie_jar=aiohttp.DummyCookieJar(),
    )


def _fetch_failed() -> APIError:
    return APIError(
        502,
        "Could not fetch the generated content from the provider.",
        type="api_error",
        code="content_fetch_failed",
    )


def _too_large() -> APIError:
    return APIError(
        502,
        "The provider's content is larger than the gateway fetches into memory "
        "(general_settings.max_fetched_image_bytes).",
        type="api_error",
        code="content_too_large",
    )
