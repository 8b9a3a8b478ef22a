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

from tarash_gateway.proxy.store.accounts import Account, KeyRecord, TeamRecord
from tarash_gateway.proxy.store.database import Connection
from tarash_gateway.proxy.store.periods import period_start
from tarash_gateway.proxy.store.schema import api_keys, teams

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


CALENDAR_PERIODS = ("daily", "weekly", "monthly")
"""The budget periods that roll over (``total`` never does)."""


def _start_param(period: str) -> str:
    return f"{period}_start_"


def _reserve_statement(table: sa.Table) -> sa.Update:
    """Take one parallel-job slot and reserve ``cost_`` on one account row, if its limits
    allow, rolling its budget period over first if it ended.

    The current period's start is picked by the database from the row's own
    ``budget_period`` (so a cached copy of the account can never be stale), among the
    starts of today, this week and this month passed in by the caller. Built once per
    table: executing a ready statement skips rebuilding and hashing the expression tree.
    """
    start = sa.case(
        *(
            (table.c.budget_period == period, sa.bindparam(_start_param(period), type_=sa.Float))
            for period in CALENDAR_PERIODS
        ),
        else_=0.0,
    )
    ended = table.c.period_start < start
    spent = sa.case((ended, 0.0), else_=table.c.spent_usd)
    cost = sa.bindparam("cost_", type_=sa.Float)
    return (
        table.update()
        .where(
            table.c.id == sa.bindparam("account_id_"),
            sa.or_(
                table.c.max_parallel_jobs.is_(None),
                table.c.in_flight < table.c.max_parallel_jobs,
            ),
            sa.or_(
                table.c.budget_usd.is_(None),
                spent + table.c.reserved_usd + cost <= table.c.budget_usd + EPSILON,
            ),
        )
        .values(
            in_flight=table.c.in_flight + 1,
            reserved_usd=table.c.reserved_usd + cost,
            spent_usd=spent,
            period_start=sa.case((ended, start), else_=table.c.period_start),
        )
    )


_RESERVE = {table.name: _reserve_statement(table) for table in (api_keys, teams)}


async def _roll_period(
    conn: Connection, table: sa.Table, row_id: str, budget_period: str, now: float
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


async def reserve(conn: Connection, holder: Holder, cost: float, now: float) -> None:
    """Take a parallel-job slot and reserve ``cost`` on key and team, or raise.

    One conditional UPDATE per account does it all: it rolls the budget period over if
    it ended, checks the parallel-job limit and the budget, and takes both. When either
    account refuses, the rows are read again to say which limit it was, parallel jobs
    first (the order clients see refusals in; the transaction is rolled back anyway).
    """
    starts = {_start_param(period): period_start(period, now) for period in CALENDAR_PERIODS}
    for index, (table, account, _label) in enumerate(holder.accounts()):
        taken = await conn.execute(
            _RESERVE[table.name], {"account_id_": account.id, "cost_": cost, **starts}
        )
        if taken.rowcount != 1:
            raise await _refusal(conn, holder, cost, now, taken=index)


async def _refusal(
    conn: Connection, holder: Holder, cost: float, now: float, taken: int
) -> AdmissionRefused:
    """Why the reservation was refused, from the accounts as they were before this
    request (the first ``taken`` accounts were already charged in this transaction)."""
    current: list[tuple[Account, str]] = []
    for index, (table, account, label) in enumerate(holder.accounts()):
        row = (await conn.execute(table.select().where(table.c.id == account.id))).first()
        fresh = type(account)(**row._mapping) if row is not None else account
        if index < taken:
            fresh.in_flight -= 1
            fresh.reserved_usd -= cost
        current.append((fresh, label))
    for account, label in current:
        if account.max_parallel_jobs is not None and account.in_flight >= account.max_parallel_jobs:
            return AdmissionRefused("parallel", account, label, cost)
    for account, label in current:
        remaining = account.remaining(now)
        if remaining is not None and remaining + EPSILON < cost:
            return AdmissionRefused("budget", account, label, cost)
    account, label = current[-1]  # not reproducible now (a race): report the budget
    return AdmissionRefused("budget", account, label, cost)


async def settle(
    conn: Connection, key_id: str, team_id: str, reserved: float, charge: float, now: float
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
