"""Budget reservations and parallel-job slots, kept exact under concurrency.

Every check-and-take is a single conditional UPDATE (``... WHERE spent + reserved +
cost <= budget``), so two racing requests can never both take the last dollar or the
last slot: the database serialises the two statements, and the loser's UPDATE matches
no row. Team and key are charged in one transaction with the video row itself, so a
refusal leaves nothing behind.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from proxy.accounts import Account, KeyRecord, TeamRecord
from proxy.periods import period_start
from proxy.schema import api_keys, teams

EPSILON = 1e-9


class AdmissionRefused(Exception):  # noqa: N818 - a decision, not a failure
    """A limit or budget said no; ``kind`` is ``parallel`` or ``budget``."""

    def __init__(self, kind: str, account: Account, label: str, cost: float) -> None:
        super().__init__(kind)
        self.kind = kind
        self.account = account
        self.label = label
        self.cost = cost


@dataclass(frozen=True, slots=True)
class Holder:
    """Whose limits and budget a video counts against."""

    key: KeyRecord
    team: TeamRecord

    def accounts(self) -> tuple[tuple[sa.Table, Account, str], ...]:
        return (
            (api_keys, self.key, f"key {self.key.name or self.key.id!r}"),
            (teams, self.team, f"team {self.team.name!r}"),
        )


async def _roll_period(
    conn: AsyncConnection, table: sa.Table, row_id: str, budget_period: str, now: float
) -> None:
    """Zero the spend of a row whose budget period has ended (lazy calendar reset)."""
    start = period_start(budget_period, now)
    await conn.execute(
        table.update()
        .where(table.c.id == row_id, table.c.period_start < start)
        .values(spent_usd=0.0, period_start=start)
    )


def _at_least_zero(expression: sa.ColumnElement[float]) -> sa.ColumnElement[float]:
    return sa.case((expression < 0, 0), else_=expression)


async def reserve(conn: AsyncConnection, holder: Holder, cost: float, now: float) -> None:
    """Take a parallel-job slot and reserve ``cost`` on key and team, or raise."""
    for table, account, label in holder.accounts():
        await _roll_period(conn, table, account.id, account.budget_period, now)
        taken = await conn.execute(
            table.update()
            .where(
                table.c.id == account.id,
                sa.or_(
                    table.c.max_parallel_jobs.is_(None),
                    table.c.in_flight < table.c.max_parallel_jobs,
                ),
            )
            .values(in_flight=table.c.in_flight + 1)
        )
        if taken.rowcount != 1:
            raise AdmissionRefused("parallel", account, label, cost)
    for table, account, label in holder.accounts():
        reserved = await conn.execute(
            table.update()
            .where(
                table.c.id == account.id,
                sa.or_(
                    table.c.budget_usd.is_(None),
                    table.c.spent_usd + table.c.reserved_usd + cost <= table.c.budget_usd + EPSILON,
                ),
            )
            .values(reserved_usd=table.c.reserved_usd + cost)
        )
        if reserved.rowcount != 1:
            raise AdmissionRefused("budget", account, label, cost)


async def settle(
    conn: AsyncConnection, key_id: str, team_id: str, reserved: float, charge: float, now: float
) -> None:
    """Free the slot, drop the reservation and book the actual ``charge`` (0 on failure)."""
    for table, row_id in ((api_keys, key_id), (teams, team_id)):
        row = (
            await conn.execute(sa.select(table.c.budget_period).where(table.c.id == row_id))
        ).first()
        if row is None:
            continue  # deleted team or key: nothing left to book against
        await _roll_period(conn, table, row_id, row.budget_period, now)
        await conn.execute(
            table.update()
            .where(table.c.id == row_id)
            .values(
                in_flight=_at_least_zero(table.c.in_flight - 1),
                reserved_usd=_at_least_zero(table.c.reserved_usd - reserved),
                spent_usd=table.c.spent_usd + charge,
            )
        )
