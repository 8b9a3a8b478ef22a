"""Trying deployments in order: the one loop every kind of job is sent through.

A create, a resubmission, a remix and an image generation differ only in what one try
does; which deployment to try next, how often, when to back off, when a refusal is not
a try, when to move to the next alias and when to give up are decided here, once. The
caller (:class:`~router.routing.Router`) supplies the candidates per alias, the try,
the availability check (breaker, limits) and the pause.
"""

from __future__ import annotations

import enum
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Generic, TypeVar

from tarash_gateway.adapters import (
    AttemptRecord,
    ContentModerationError,
    TarashError,
    ValidationError,
)
from tarash_gateway.router.config import Deployment
from tarash_gateway.router.errors import NoDeploymentAvailableError

T = TypeVar("T")

Group = tuple[str, "list[Deployment] | ValidationError"]
"""One alias of a chain: its servable deployments, or why it has none."""


class Outcome(enum.Enum):
    """How one try ended, when it did not succeed."""

    REFUSED = "refused"
    """The adapter refused before any call (a rule its table cannot express): not a
    failure of the deployment, and not a try."""
    RETRY = "retry"
    """A retryable failure: try another candidate (or this one after a backoff)."""
    NEXT_ALIAS = "next_alias"
    """A moderation refusal on an alias that opted in: go on to its fallbacks."""


@dataclass
class Tally:
    """What one send has learned so far, across every alias and candidate."""

    budget: int | None
    """Tries allowed in all (None: ``num_retries`` + 1 per alias)."""
    moderation_fallback: bool = False
    made: int = 0
    waited: float = 0.0
    """Seconds spent in retry backoff."""
    waits: list[float] = field(default_factory=list)
    """Seconds until each skipped deployment is available again."""
    limited: bool = False
    """Whether a limit, not only the breaker, kept a deployment out."""
    refused: set[str] = field(default_factory=set)
    last_error: TarashError | None = None

    @property
    def spent(self) -> bool:
        return self.budget is not None and self.made >= self.budget


@dataclass
class Loop(Generic[T]):
    """One send: its tries, the checks around them and its tally."""

    num_retries: int
    cooldown_seconds: float
    """What to tell the caller to wait when nothing could be tried at all."""
    attempt: Callable[[Deployment], Awaitable[T]]
    available: Callable[[Deployment, Tally], Awaitable[bool]]
    pause: Callable[[int, Tally], Awaitable[None]]
    tally: Tally

    async def first_success(
        self,
        alias: str,
        groups: Sequence[Group],
        order: Callable[[str, list[Deployment]], list[Deployment]],
    ) -> tuple[Deployment, T]:
        """Each alias's candidates (``order``ed when it is reached, so its ranking sees
        the failures before it) until one try succeeds. The first alias's refusal is
        the caller's error; a fallback's is remembered and skipped."""
        tally = self.tally
        for position, (name, planned) in enumerate(groups):
            if isinstance(planned, ValidationError):
                if position == 0:
                    raise planned
                tally.last_error = tally.last_error or planned
                continue
            served = await self._on_alias(order(name, planned))
            if served is not None:
                return served
            if tally.spent:
                break
        raise exhausted(alias, tally, self.cooldown_seconds)

    async def _on_alias(self, candidates: list[Deployment]) -> tuple[Deployment, T] | None:
        """Cycle through the candidates (best first) until the retries run out: another
        deployment when there is one, the same one again after a backoff otherwise."""
        tries = 0
        while tries <= self.num_retries:
            tried = False
            for deployment in candidates:
                if deployment.id in self.tally.refused:
                    continue
                if tries > self.num_retries or self.tally.spent:
                    return None
                if not await self.available(deployment, self.tally):
                    continue
                if tries > 0:
                    await self.pause(tries, self.tally)
                tried = True
                outcome = await self._try(deployment)
                if isinstance(outcome, Outcome):
                    if outcome is Outcome.NEXT_ALIAS:
                        return None
                    if outcome is Outcome.RETRY:
                        tries += 1
                    continue
                return deployment, outcome
            if not tried:
                return None  # everything here is cooling down or at a limit
        return None

    async def _try(self, deployment: Deployment) -> T | Outcome:
        tally = self.tally
        tally.made += 1
        try:
            return await self.attempt(deployment)
        except ValidationError as error:
            tally.made -= 1
            tally.refused.add(deployment.id)
            tally.last_error = tally.last_error or error
            return Outcome.REFUSED
        except TarashError as error:
            tally.last_error = error
            if error.is_retryable:
                return Outcome.RETRY
            if isinstance(error, ContentModerationError) and tally.moderation_fallback:
                return Outcome.NEXT_ALIAS
            raise


def exhausted(alias: str, tally: Tally, cooldown_seconds: float) -> TarashError:
    """The error a send ends with when nothing succeeded: the last provider error, or
    (nothing was tried) why every deployment was skipped, with when to retry."""
    if tally.last_error is not None:
        return tally.last_error
    retry_after = min(tally.waits) if tally.waits else cooldown_seconds
    reason = "at their rate or parallel-job limits" if tally.limited else "cooling down"
    return NoDeploymentAvailableError(
        f"every deployment of model {alias!r} (and its fallbacks) is {reason}; "
        f"retry in {retry_after:.0f}s",
        retry_after=retry_after,
        limited=tally.limited,
    )


def attempt_record(
    deployment: Deployment, started: float, error: TarashError | None = None
) -> AttemptRecord:
    """One try as callers see it in ``execution_metadata`` and ``tarash.attempts``."""
    return AttemptRecord(
        provider=deployment.params.provider,
        model=deployment.params.model,
        deployment_id=deployment.id,
        status="failed" if error is not None else "success",
        error_type=type(error).__name__ if error is not None else None,
        error_message=error.message if error is not None else None,
        elapsed_seconds=round(time.monotonic() - started, 6),
    )
