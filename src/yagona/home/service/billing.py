"""A period charged in advance or the account suspended (the due jobs call these). The
reminders of a fee and of a suspension are the reminder engine's: it hears these events."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from yagona.catalog import home as catalogue
from yagona.catalog import service as catalog
from yagona.home import repository, rules
from yagona.home.events import (
    HomeFeeCharged,
    HomePlanChanged,
    HomeSuspended,
)
from yagona.home.models import HomeAccount
from yagona.home.service._base import (
    RENEWAL,
    REVENUE,
    REVENUE_TV,
    _live_addons,
    _local_date,
    _period_fee,
    account_of,
    balance,
)
from yagona.kernel.clock import TASHKENT
from yagona.kernel.money import Money
from yagona.ledger import service as ledger
from yagona.platform import jobs
from yagona.platform.uow import UnitOfWork


def renew(uow: UnitOfWork, *, contract: str, due: datetime, key: str) -> list[dict[str, Any]]:
    """The due night of an account: the next period charged, or the account suspended."""
    row = repository.account_for_update(uow.session, contract)
    if row is None or row.next_charge_at is None or row.next_charge_at != due or row.state != "active":
        return []  # the period moved (resume, close) since this job was scheduled
    effects: list[dict[str, Any]] = []
    plan = rules.plan_for_period(row.plan_id, row.next_plan_id)
    if plan != row.plan_id:
        row.plan_id, row.next_plan_id = plan, None
        uow.add_event(
            HomePlanChanged(occurred_at=uow.clock.now(), contract=row.contract, plan=plan, effective="applied")
        )
        effects.append({"kind": "plan_changed", "plan": plan})
    fee = _period_fee(uow, row, next_period=False)
    decision = rules.renewal(row.state, balance(uow, row.contract), fee)
    if decision == "charge":
        _bill_period(uow, row, fee, reason="renewal", key=key)
        anchor = _local_date(row.period_started_at or due)
        _schedule_period(uow, row, rules.next_due(anchor, _local_date(due)))
        effects.append({"kind": "renewal", "amount": Money(fee).to_json()})
    else:
        _suspend(uow, row, fee)
        effects.append({"kind": "suspended", "amount": Money(fee).to_json()})
    return effects


def _start_period(uow: UnitOfWork, row: HomeAccount, *, reason: str) -> bool:
    """A period starts now (activation, resume): charged in advance when the balance covers it,
    the next due date one month later on the same day; else the account is suspended."""
    now = uow.clock.now()
    row.plan_id, row.next_plan_id = rules.plan_for_period(row.plan_id, row.next_plan_id), None
    fee = _period_fee(uow, row, next_period=False)
    if not rules.covers(balance(uow, row.contract), fee):
        if row.state != "suspended":
            _suspend(uow, row, fee)
        return False
    _bill_period(uow, row, fee, reason=reason, key=f"home.{reason}:{row.contract}:{now.isoformat()}")
    row.state, row.suspended_at, row.period_started_at = "active", None, now
    today = _local_date(now)
    _schedule_period(uow, row, rules.next_due(today, today))
    return True


def _bill_period(uow: UnitOfWork, row: HomeAccount, fee: int, *, reason: str, key: str) -> None:
    """One period in advance: the plan and the equipment to the home revenue, the IPTV
    packages to the TV revenue, in one ledger batch."""
    tv = sum(catalogue.get_iptv_package(a.package_id).monthly_fee.tiyin for a in _live_addons(uow, row))
    legs = [(REVENUE, fee - tv), (REVENUE_TV, tv)]
    for credit, amount in legs:
        _charge(uow, row, amount, credit=credit, reason=reason, key=f"{key}:{credit}")
    row.last_charged_at = uow.clock.now()
    uow.add_event(HomeFeeCharged(occurred_at=uow.clock.now(), contract=row.contract, amount_tiyin=fee, reason=reason))


def _charge(uow: UnitOfWork, row: HomeAccount, amount: int, *, credit: str, reason: str, key: str) -> None:
    if amount > 0:
        ledger.transfer(
            uow,
            debit=account_of(row.contract),
            credit=credit,
            amount=amount,
            reason=f"home.{reason}",
            idempotency_key=key,
        )


def _suspend(uow: UnitOfWork, row: HomeAccount, fee: int) -> None:
    now = uow.clock.now()
    row.state, row.suspended_at, row.next_charge_at = "suspended", now, None
    uow.add_event(
        HomeSuspended(occurred_at=now, contract=row.contract, fee_tiyin=fee, balance_tiyin=balance(uow, row.contract))
    )


def _schedule_period(uow: UnitOfWork, row: HomeAccount, due_day: date) -> None:
    due = rules.charge_at(due_day, catalog.get_catalogue().rules.night_window.start)
    row.next_charge_at = due
    jobs.schedule(
        uow.session,
        key=f"{RENEWAL}:{row.contract}:{due.astimezone(TASHKENT).isoformat()}",
        kind=RENEWAL,
        due_at=due,
        payload={"contract": row.contract, "due": due.isoformat()},
        now=uow.clock.now(),
    )
