"""A line's life between periods: renewals in the night window, blocks and unblocks, and the
helpers the due jobs (`lines.tasks`) call."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from yagona.catalog import service as catalog
from yagona.kernel.ids import new_id
from yagona.kernel.money import Money
from yagona.lines import repository, rules
from yagona.lines.errors import BelowMinimumError, InvalidRequestError, LineBlockedError
from yagona.lines.events import LineBlocked, LineUnblocked
from yagona.lines.models import Line
from yagona.lines.schemas import BlockReason, LineState
from yagona.lines.service import periods, rewards
from yagona.lines.service._base import balance, charge, line_for_change, night_start, state
from yagona.platform.uow import UnitOfWork


def renew(uow: UnitOfWork, line: Line, *, key: str) -> list[dict[str, Any]]:
    """The fee falls due: charge (into debt once, if short — a zero balance too) and grant, or,
    at a negative balance, block. A renewal continues the cycle (its day of the month); the
    renewal that lifts a debt block starts a new one."""
    plan = catalog.get_plan(line.plan_id)
    now = uow.clock.now()
    fee = rewards.fee_due(uow, line, plan.monthly_fee.tiyin)
    outcome = rules.renewal_outcome(balance(uow, line.msisdn), fee)
    if outcome == "blocked":
        repository.burn_plan_bundles(uow.session, line.id)
        line.status, line.block_reason, line.next_charge_at, line.version = "blocked", "debt", None, line.version + 1
        uow.add_event(LineBlocked(occurred_at=now, msisdn=line.msisdn, reason="debt"))
        return [{"kind": "blocked"}]
    charged = periods.restart_period(
        uow, line, plan, fee=plan.monthly_fee.tiyin, reason=outcome, key=key, new_cycle=line.next_charge_at is None
    )
    return [{"kind": outcome, "amount": Money(charged).to_json()}]


def charge_fee(uow: UnitOfWork, line: Line, amount: int, *, reason: str, key: str) -> None:
    charge(uow, line, amount, reason=reason, key=key)


def line_for_job(uow: UnitOfWork, msisdn: str) -> Line | None:
    return repository.line_for_update(uow.session, msisdn)


def balance_of(uow: UnitOfWork, msisdn: str) -> int:
    return balance(uow, msisdn)


def schedule_block_fee(uow: UnitOfWork, line: Line, due: datetime) -> None:
    periods.schedule_block_fee(uow, line, due)


def block(uow: UnitOfWork, *, msisdn: str, reason: BlockReason) -> LineState:
    """Block a line: administratively (a daily fee where the plan has one) or when the phone is lost."""
    if reason not in ("administrative", "lost"):
        raise InvalidRequestError("a line is blocked for reason administrative or lost", field="reason")
    line = line_for_change(uow, msisdn)
    if line.status == "blocked":
        raise LineBlockedError(f"line {line.msisdn} is already blocked ({line.block_reason})")
    now = uow.clock.now()
    line.status, line.block_reason, line.version = "blocked", reason, line.version + 1
    plan = catalog.get_plan(line.plan_id)
    if reason == "administrative" and plan.admin_block_daily_fee is not None:
        periods.schedule_block_fee(uow, line, rules.next_night_window(now, night_start()))
    uow.add_event(LineBlocked(occurred_at=now, msisdn=line.msisdn, reason=reason))
    return state(uow, msisdn=line.msisdn)


def unblock(uow: UnitOfWork, *, msisdn: str) -> LineState:
    return unblock_charging(uow, msisdn=msisdn)[0]


def unblock_charging(uow: UnitOfWork, *, msisdn: str) -> tuple[LineState, int]:
    """Lift a block, and say what it charged (tiyin). After an administrative block the full
    fee is charged, the bundles granted and a new cycle starts today; a debt block lifts
    itself after a top-up."""
    line = line_for_change(uow, msisdn)
    if line.status != "blocked":
        raise InvalidRequestError(f"line {line.msisdn} is not blocked", field="msisdn")
    if line.block_reason == "debt":
        raise InvalidRequestError("a line blocked for debt is unblocked in the night window after a top-up")
    now = uow.clock.now()
    line.status, reason, line.block_reason = "active", line.block_reason, None
    charged = 0
    if reason == "administrative":
        plan = catalog.get_plan(line.plan_id)
        if rules.renewal_outcome(balance(uow, line.msisdn), plan.monthly_fee.tiyin) == "blocked":
            raise BelowMinimumError("the balance does not cover the fee charged on unblocking")
        charged = periods.restart_period(
            uow,
            line,
            plan,
            fee=plan.monthly_fee.tiyin,
            reason="unblock_fee",
            key=f"lines.unblock:{line.msisdn}:{new_id()}",
        )
    uow.add_event(LineUnblocked(occurred_at=now, msisdn=line.msisdn))
    return state(uow, msisdn=line.msisdn), charged
