"""Budget periods: when the current one started, in UTC calendar terms."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Literal

BudgetPeriod = Literal["daily", "weekly", "monthly", "total"]


def period_start(period: str, now: float) -> float:
    """Start of the period containing ``now``: UTC midnight, Monday, the 1st, or never.

    Budgets reset lazily: the first reservation or settlement after a boundary sees an
    older ``period_start`` on the row and zeroes its spend, so no scheduler is needed
    and every instance agrees on when a period turned.
    """
    if period == "total":
        return 0.0
    moment = datetime.fromtimestamp(now, tz=UTC)
    midnight = moment.replace(hour=0, minute=0, second=0, microsecond=0)
    if period == "daily":
        return midnight.timestamp()
    if period == "weekly":
        return (midnight - timedelta(days=midnight.weekday())).timestamp()
    if period == "monthly":
        return midnight.replace(day=1).timestamp()
    raise ValueError(f"unknown budget period {period!r}")
