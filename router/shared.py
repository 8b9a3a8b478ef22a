"""Router state shared across gateway instances through Redis.

What is shared, and how exact it is:

- per-deployment requests-per-minute: a sliding window checked and taken in one Lua
  script, so instances never exceed a deployment's ``rpm`` together (exact);
- jobs in flight per deployment: one counter per deployment, incremented at submit and
  decremented when the job ends (used by ``max_parallel_jobs`` and ``least-busy``);
- breaker cooldowns: when an instance opens a deployment's breaker, every instance skips
  it until the cooldown ends (the failure ratio that opens it is counted per instance);
- latency estimates: the moving averages ``lowest-latency`` ranks by.

Each instance pulls the state of an alias's deployments before choosing among them (one
pipelined round trip) and writes its changes through as they happen.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any

from redis.asyncio import Redis

from tarash_gateway.router.health import HealthBook

PREFIX = "tarash:router:"

# KEYS: one sorted set per window. ARGV: now (s), window (s), member, then one limit per
# key. Takes a slot in every window or in none; returns 0 when taken, else the seconds
# until the fullest window frees one.
_TAKE_SLOTS = """
local now, window, member = tonumber(ARGV[1]), tonumber(ARGV[2]), ARGV[3]
local wait = 0
for i, key in ipairs(KEYS) do
  local limit = tonumber(ARGV[3 + i])
  redis.call('ZREMRANGEBYSCORE', key, '-inf', now - window)
  local count = redis.call('ZCARD', key)
  if count >= limit then
    local oldest = redis.call('ZRANGE', key, count - limit, count - limit, 'WITHSCORES')
    local until_free = tonumber(oldest[2]) + window - now
    if until_free > wait then wait = until_free end
  end
end
if wait > 0 then return tostring(wait) end
for i, key in ipairs(KEYS) do
  redis.call('ZADD', key, now, member)
  redis.call('EXPIRE', key, math.ceil(window) + 1)
end
return '0'
"""


class SharedState:
    """The Redis side of the router's health book."""

    def __init__(self, redis: Redis, instance_id: str) -> None:
        self.redis = redis
        self.instance_id = instance_id
        self._take_slots = redis.register_script(_TAKE_SLOTS)
        self._sequence = 0

    @classmethod
    def from_url(cls, url: str, instance_id: str) -> SharedState:
        return cls(Redis.from_url(url), instance_id)

    async def close(self) -> None:
        await self.redis.aclose()

    async def ping(self) -> None:
        await self.redis.ping()

    async def take_slot(self, name: str, limit: int, window: float = 60.0) -> float:
        """Take one slot of a sliding window shared by all instances (0 = taken)."""
        return await self.take_slots([(name, limit)], window)

    async def take_slots(self, limits: Sequence[tuple[str, int]], window: float = 60.0) -> float:
        """Take a slot in every named window or in none, atomically across instances;
        0 when taken, else the seconds until the fullest window frees a slot."""
        if not limits:
            return 0.0
        self._sequence += 1
        member = f"{self.instance_id}:{self._sequence}:{time.time()}"
        keys = [PREFIX + "rpm:" + name for name, _limit in limits]
        args: list[str | float] = [time.time(), window, member]
        args.extend(limit for _name, limit in limits)
        return float(await self._take_slots(keys=keys, args=args))

    async def pull(self, book: HealthBook, deployment_ids: Sequence[str]) -> None:
        """Bring the shared cooldowns, in-flight counts and latencies into ``book``."""
        if not deployment_ids:
            return
        pipe = self.redis.pipeline(transaction=False)
        for deployment_id in deployment_ids:
            pipe.get(PREFIX + "cooldown:" + deployment_id)
            pipe.hget(PREFIX + "in_flight", deployment_id)
            pipe.hgetall(PREFIX + "latency:" + deployment_id)
        replies: list[Any] = await pipe.execute()
        wall, mono = time.time(), time.monotonic()
        for index, deployment_id in enumerate(deployment_ids):
            cooldown, in_flight, latency = replies[3 * index : 3 * index + 3]
            health = book.of(deployment_id)
            if cooldown is not None:
                until = mono + (float(cooldown) - wall)
                health.cooldown_until = max(health.cooldown_until, until)
            health.in_flight = max(0, int(in_flight or 0))
            if latency:
                per_second = latency.get(b"seconds_per_video_second")
                submit = latency.get(b"submit_latency")
                health.seconds_per_video_second = float(per_second) if per_second else None
                health.submit_latency = float(submit) if submit else None

    async def add_in_flight(self, deployment_id: str, delta: int) -> None:
        value = await self.redis.hincrby(PREFIX + "in_flight", deployment_id, delta)
        if int(value) < 0:  # a restart lost an increment: never let the count go negative
            await self.redis.hset(PREFIX + "in_flight", deployment_id, 0)

    async def push(self, book: HealthBook, deployment_id: str) -> None:
        """Publish a deployment's cooldown (if cooling) and latency estimates."""
        health = book.of(deployment_id)
        remaining = book.cooldown_remaining(deployment_id)
        pipe = self.redis.pipeline(transaction=False)
        if remaining > 0:
            pipe.set(
                PREFIX + "cooldown:" + deployment_id,
                time.time() + remaining,
                px=max(1, int(remaining * 1000)),
            )
        latency: dict[Any, Any] = {
            name: value
            for name, value in (
                ("seconds_per_video_second", health.seconds_per_video_second),
                ("submit_latency", health.submit_latency),
            )
            if value is not None
        }
        if latency:
            pipe.hset(PREFIX + "latency:" + deployment_id, mapping=latency)
        await pipe.execute()


class LocalState:
    """The state backend of one process alone (no Redis): the router's own health book
    is all there is, so pulling and publishing are nothing and a deployment's ``rpm``
    window is the book's."""

    def __init__(self, book: HealthBook) -> None:
        self.book = book

    async def take_slot(self, name: str, limit: int, window: float = 60.0) -> float:
        return self.book.rpm_wait(name, limit)

    async def pull(self, book: HealthBook, deployment_ids: Sequence[str]) -> None:
        return None

    async def add_in_flight(self, deployment_id: str, delta: int) -> None:
        return None

    async def push(self, book: HealthBook, deployment_id: str) -> None:
        return None


RouterState = SharedState | LocalState
"""Where the router keeps what other instances must see: Redis, or this process."""
