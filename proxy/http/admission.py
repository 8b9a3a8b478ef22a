"""Whether a caller may start a video now: allowlist, then rate limits (the budget and
parallel-job checks follow atomically when the job row is written, see ledger.py)."""

from __future__ import annotations

import time
from collections.abc import Iterable

from tarash_gateway.proxy.gateway import Gateway
from tarash_gateway.proxy.http.auth import Caller
from tarash_gateway.proxy.http.errors import APIError
from tarash_gateway.proxy.store.ledger import AdmissionRefused

PARALLEL_RETRY_AFTER_SECONDS = 5


def check_model_allowed(caller: Caller, alias: str, aliases: Iterable[str] = ()) -> None:
    """403 for an alias outside the caller's allowlists, naming those of ``aliases`` it
    may use; asked before the alias is looked up, so it never reveals what exists."""
    if not caller.allows(alias):
        usable = [name for name in aliases if caller.allows(name)]
        hint = f" It may use: {', '.join(usable)}." if usable else ""
        raise APIError(
            403,
            f"This key is not allowed to use model {alias!r}.{hint}",
            type="permission_error",
            code="model_not_allowed",
            param="model",
        )


async def check_rate(gateway: Gateway, caller: Caller) -> None:
    """Count the request against the key's and the team's requests per minute."""
    if caller.key is None or caller.team is None:
        return
    wait = await gateway.rate_limiter.try_acquire(
        [(caller.key.id, caller.key.rpm), (caller.team.id, caller.team.rpm)]
    )
    if wait:
        raise APIError(
            429,
            f"Rate limit reached: too many requests per minute. Retry in {wait:.0f}s.",
            type="rate_limit_error",
            code="rate_limit_exceeded",
            headers={"retry-after": f"{wait:.0f}"},
        )


def refusal_error(refusal: AdmissionRefused) -> APIError:
    """The client-facing error for a refused reservation."""
    account = refusal.account
    if refusal.kind == "parallel":
        return APIError(
            429,
            f"Too many videos in progress for {refusal.label} "
            f"(limit {account.max_parallel_jobs}); retry when one finishes.",
            type="rate_limit_error",
            code="rate_limit_exceeded",
            headers={"retry-after": str(PARALLEL_RETRY_AFTER_SECONDS)},
        )
    remaining = account.remaining(time.time())
    return APIError(
        429,
        f"Budget exceeded for {refusal.label}: ${remaining or 0:.4f} remaining of "
        f"${account.budget_usd or 0:.4f} ({account.budget_period}); this video is "
        f"estimated at ${refusal.cost:.4f}.",
        type="insufficient_quota",
        code="budget_exceeded",
        headers={"x-should-retry": "false"},
    )
