"""uvicorn's HTTP protocol, guarded against slow and oversized clients.

uvicorn (with httptools) buffers a request head of any size, waits for it forever, and
accepts connections until the process runs out of file descriptors; past that, libuv
resets every new connection. Three limits close those holes:

- the request line and headers may hold ``max_header_bytes`` (431 past that, counted
  as the bytes arrive, so nothing larger is ever buffered);
- they must arrive within ``header_timeout`` seconds of the connection being made, or
  of the first byte of a later request on a kept-alive connection (408, or a plain
  close when nothing was sent at all);
- at most ``max_connections`` client connections are open. A new one past the limit
  makes room by closing the oldest connection that has no request running: first one
  still sending its head, then an idle kept-alive one. Only when every connection is
  running a request is the new one answered 503.
"""

from __future__ import annotations

import asyncio
import json
import logging
import resource
import time
from dataclasses import dataclass
from typing import Any, ClassVar

from uvicorn.protocols.http.httptools_impl import STATUS_LINE, HttpToolsProtocol

logger = logging.getLogger("tarash.server")

DEFAULT_MAX_HEADER_BYTES = 64 * 1024
"""Far above what any SDK sends (a few hundred bytes, a JWT or cookie a few KB)."""

DEFAULT_HEADER_TIMEOUT = 10.0
"""A client sends its whole head at once, in milliseconds; 10 s forgives a slow link."""

MAX_CONNECTIONS_CAP = 10_000
"""Upper bound for the derived default: an idle connection costs memory too."""

LINGER_SECONDS = 2.0
"""After a 431 or 408 the connection keeps reading (and dropping) what the client still
sends, this long at most, so the client reads the answer instead of a reset."""

LOG_EVERY_SECONDS = 10.0


@dataclass(frozen=True)
class ClientLimits:
    """What one client connection may take from the server."""

    max_header_bytes: int = DEFAULT_MAX_HEADER_BYTES
    header_timeout: float = DEFAULT_HEADER_TIMEOUT
    max_connections: int = MAX_CONNECTIONS_CAP


def raise_fd_limit() -> int:
    """Raise the soft RLIMIT_NOFILE to the hard limit; return the limit now in force.

    Every client connection holds a descriptor, and so does every provider connection,
    database connection and temporary file; the usual soft limit of 1024 is the first
    thing a few hundred idle sockets exhaust.
    """
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = hard if hard != resource.RLIM_INFINITY else max(soft, 1 << 20)
    if soft != resource.RLIM_INFINITY and soft < target:
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
            soft = target
        except (ValueError, OSError):  # e.g. macOS caps it below the hard limit
            pass
    return int(soft) if soft != resource.RLIM_INFINITY else int(target)


def default_max_connections(fd_limit: int) -> int:
    """Half the descriptors for clients: the other half stays for what their requests
    open (provider and database connections, temporary files), capped for memory."""
    return max(1, min(MAX_CONNECTIONS_CAP, fd_limit // 2))


def client_limits(
    max_header_bytes: int, header_timeout: float, max_connections: int | None
) -> ClientLimits:
    """The limits ``serve`` runs with; raises the descriptor limit first and logs both."""
    fd_limit = raise_fd_limit()
    limits = ClientLimits(
        max_header_bytes=max_header_bytes,
        header_timeout=header_timeout,
        max_connections=max_connections or default_max_connections(fd_limit),
    )
    logger.info(
        "file descriptor limit %d; at most %d client connections (%s), request headers "
        "up to %d bytes within %g s",
        fd_limit,
        limits.max_connections,
        "--max-connections" if max_connections else "half the descriptor limit",
        limits.max_header_bytes,
        limits.header_timeout,
    )
    if limits.max_connections > fd_limit // 2:
        logger.warning(
            "--max-connections %d leaves under half of the %d file descriptors for "
            "provider and database connections; when they run out, new clients are reset",
            limits.max_connections,
            fd_limit,
        )
    return limits


# Connection states; plain ints, as they change several times per request (an Enum's
# hash alone cost a microsecond per request). The first three are queues to evict from.
REFUSED = 0  # answered 431/408/503 and lingering: the first to go
HEAD = 1  # sending its request head (or nothing yet, since connecting)
IDLE = 2  # kept alive between requests
BUSY = 3  # a request is running: never closed to make room
GONE = 4  # closed


class _Registry:
    """The open connections of one server, in arrival order within each state.

    The HEAD queue is also the header-timeout clock: a connection enters it when its
    head starts, so one sweep from the oldest end finds every late one, instead of a
    timer armed and cancelled for every request.
    """

    def __init__(self, limits: ClientLimits) -> None:
        self.limits = limits
        self.live = 0
        self.queues: tuple[dict[GuardedProtocol, None], ...] = ({}, {}, {})
        self.closed_for_room = 0
        self.refused_full = 0
        self._last_log = 0.0
        self._sweeper: asyncio.TimerHandle | None = None

    def move(self, connection: GuardedProtocol, old: int, new: int) -> None:
        if old < BUSY:
            self.queues[old].pop(connection, None)
        if new < BUSY:
            self.queues[new][connection] = None  # dicts keep insertion order
        elif new == GONE:
            self.live -= 1

    def arrived(self, loop: asyncio.AbstractEventLoop) -> None:
        self.live += 1
        if self._sweeper is None:
            self._schedule_sweep(loop)

    def _schedule_sweep(self, loop: asyncio.AbstractEventLoop) -> None:
        interval = min(1.0, self.limits.header_timeout / 4)
        self._sweeper = loop.call_later(interval, self._sweep, loop)

    def _sweep(self, loop: asyncio.AbstractEventLoop) -> None:
        self._sweeper = None
        cutoff = loop.time() - self.limits.header_timeout
        heads = self.queues[HEAD]
        while heads:
            oldest = next(iter(heads))
            if oldest.head_since > cutoff:
                break
            oldest.head_timed_out()  # leaves the HEAD queue
        if self.live:
            self._schedule_sweep(loop)

    def make_room(self, newcomer: GuardedProtocol) -> bool:
        """Close connections until ``newcomer`` fits; False if only busy ones are left."""
        while self.live > self.limits.max_connections:
            victim = next(
                (c for queue in self.queues for c in queue if c is not newcomer),
                None,
            )
            if victim is None:
                self.refused_full += 1
                self._report()
                return False
            victim.close()
            self.closed_for_room += 1
        self._report()
        return True

    def _report(self) -> None:
        """One warning per interval, not one per connection, during a flood."""
        if not (self.closed_for_room or self.refused_full):
            return
        now = time.monotonic()
        if now - self._last_log < LOG_EVERY_SECONDS:
            return
        self._last_log = now
        logger.warning(
            "connection limit (%d) reached: %d connection(s) without a running request "
            "closed to make room, %d new one(s) answered 503 (every connection busy)",
            self.limits.max_connections,
            self.closed_for_room,
            self.refused_full,
        )
        self.closed_for_room = self.refused_full = 0


def _error_response(status: int, message: str, code: str) -> bytes:
    body = json.dumps(
        {
            "error": {
                "message": message,
                "type": "invalid_request_error" if status < 500 else "api_error",
                "param": None,
                "code": code,
            }
        }
    ).encode()
    return b"".join(
        [
            STATUS_LINE[status],
            b"content-type: application/json\r\n",
            b"content-length: %d\r\n" % len(body),
            b"connection: close\r\n\r\n",
            body,
        ]
    )


class GuardedProtocol(HttpToolsProtocol):
    """HttpToolsProtocol with the head size, head time and connection limits."""

    limits: ClassVar[ClientLimits] = ClientLimits()
    registry: ClassVar[_Registry] = _Registry(ClientLimits())

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._state = BUSY  # in no queue until connection_made
        self._head_budget = self.limits.max_header_bytes
        self._awaiting_head = True  # the next bytes belong to a request head
        self._head_started = False  # ...and they have begun (or we just connected)
        self.head_since = 0.0
        self._linger_timer: asyncio.TimerHandle | None = None

    # State bookkeeping

    def _request_running(self) -> bool:
        return bool(self.pipeline) or (self.cycle is not None and not self.cycle.response_complete)

    def _set_state(self, state: int) -> None:
        if state != self._state and self._state != GONE:
            if state == HEAD:
                self.head_since = self.loop.time()
            self.registry.move(self, self._state, state)
            self._state = state

    def _update_state(self) -> None:
        if self._state == REFUSED or self._state == GONE:
            return
        if not self._awaiting_head or self._request_running():
            self._set_state(BUSY)
        elif self._head_started:
            self._set_state(HEAD)
        else:
            self._set_state(IDLE)

    def close(self) -> None:
        """Close now, and stop counting this connection."""
        self._set_state(GONE)
        self.transport.close()

    def _refuse(self, status: int, message: str, code: str, *, linger: bool = True) -> None:
        """Answer and close; meanwhile read and drop what the client still sends."""
        self._set_state(REFUSED)
        self._unset_keepalive_if_required()
        self.transport.write(_error_response(status, message, code))
        if linger and self.transport.can_write_eof():
            self.transport.write_eof()
            self._linger_timer = self.loop.call_later(LINGER_SECONDS, self.close)
        else:
            self.close()

    def head_timed_out(self) -> None:
        """Called by the registry's sweep once the head is ``header_timeout`` late."""
        if self._head_budget == self.limits.max_header_bytes:
            self.close()  # connected and sent nothing: nothing to answer
            return
        self._refuse(
            408,
            f"The request headers did not arrive within {self.limits.header_timeout:g} s.",
            "request_timeout",
        )

    # asyncio.Protocol and parser callbacks

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self.registry.arrived(self.loop)
        self._head_started = True
        self._set_state(HEAD)
        if not self.registry.make_room(self):
            self._refuse(
                503,
                "The gateway is at its connection limit; retry shortly.",
                "service_unavailable",
                linger=False,
            )

    def connection_lost(self, exc: Exception | None) -> None:
        if self._linger_timer is not None:
            self._linger_timer.cancel()
            self._linger_timer = None
        self._set_state(GONE)
        super().connection_lost(exc)

    def eof_received(self) -> None:
        if self._state == REFUSED:
            self.close()

    def data_received(self, data: bytes) -> None:
        if self._state == REFUSED or self._state == GONE:
            return  # lingering: drop it
        while data:
            if not self._awaiting_head:
                super().data_received(data)
                return
            if not self._head_started:
                self._head_started = True
                self._update_state()
            budget = self._head_budget
            if budget <= 0:
                self._refuse(
                    431,
                    "The request line and headers are larger than the limit of "
                    f"{self.limits.max_header_bytes} bytes.",
                    "request_header_fields_too_large",
                )
                return
            if len(data) <= budget:  # the usual case: the whole head in one read
                self._head_budget = budget - len(data)
                super().data_received(data)
                return
            piece, data = data[:budget], data[budget:]
            self._head_budget = 0
            super().data_received(piece)
            if self.transport.is_closing():
                return
            protocol = self.transport.get_protocol()
            if protocol is not self:  # upgraded (WebSocket): the rest is the new protocol's
                protocol.data_received(data)  # type: ignore[attr-defined]
                return

    def handle_websocket_upgrade(self) -> None:
        super().handle_websocket_upgrade()
        self._set_state(GONE)  # the WebSocket protocol has the socket now

    def on_headers_complete(self) -> None:
        self._awaiting_head = False
        super().on_headers_complete()
        if self._state == HEAD or self._state == IDLE:
            self._set_state(BUSY)

    def on_message_complete(self) -> None:
        super().on_message_complete()
        self._awaiting_head = True
        self._head_started = False
        self._head_budget = self.limits.max_header_bytes
        if not self._request_running():  # answered before the body was all in
            self._update_state()

    def on_response_complete(self) -> None:
        super().on_response_complete()
        if not self.transport.is_closing():
            self._update_state()


def protocol_class(limits: ClientLimits) -> type[GuardedProtocol]:
    """A GuardedProtocol subclass bound to ``limits`` and a registry of its own."""
    return type(
        "GatewayHTTPProtocol",
        (GuardedProtocol,),
        {"limits": limits, "registry": _Registry(limits)},
    )
