"""A period charged in advance or the account suspended; the reminders (the due jobs call these)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from yagona.catalog import home as catalogue
from yagona.catalog import service as catalog
from yagona.home import repository, rules
from yagona.home.events import (
    HomeFeeCharged,
    HomePlanChanged,
    HomeReminderSent,
    HomeSuspended,
)
from yagona.home.models import HomeAccount
from yagona.home.service._base import (
    REMIND,
    RENEWAL,
    REVENUE,
    REVENUE_TV,
    _live_addons,
    _local_date,
    _period_fee,
    _sealers,
    account_of,
    balance,
)
from yagona.identity import service as identity
from yagona.kernel.clock import TASHKENT
from yagona.kernel.money import Money
from yagona.ledger import service as ledger
from yagona.notify import service as notify
from yagona.notify.schemas import Channel, Language
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


def remind(uow: UnitOfWork, *, contract: str, reminder: str, mark: str) -> dict[str, Any]:
    """A due reminder: sent by SMS in the customer's language when it is still needed."""
    row = repository.account(uow.session, contract)
    if row is None or reminder not in rules.REMINDERS:
        return {}
    kind = rules.REMINDERS[rules.REMINDERS.index(reminder)]
    stamp = row.next_charge_at if kind == "fee_tomorrow" else row.suspended_at
    current = stamp is not None and stamp == datetime.fromisoformat(mark)
    fee = _period_fee(uow, row, next_period=True)
    sent = rules.reminder_needed(kind, state=row.state, balance=balance(uow, row.contract), fee=fee, current=current)
    if sent and _tell_customer(uow, row, f"home.{kind}", amount=str(Money(fee))):
        uow.add_event(HomeReminderSent(occurred_at=uow.clock.now(), contract=row.contract, reminder=kind))
    else:
        sent = False
    return {"kind": "reminder", "reminder": kind, "sent": sent}


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
    day = _local_date(now)
    reminders: tuple[rules.Reminder, ...] = ("suspended", "still_suspended")
    for reminder in reminders:
        _schedule_reminder(uow, row, reminder, rules.reminder_at(reminder, day), mark=now)
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
    _schedule_reminder(uow, row, "fee_tomorrow", rules.reminder_at("fee_tomorrow", due_day), mark=due)


def _schedule_reminder(
    uow: UnitOfWork, row: HomeAccount, reminder: rules.Reminder, at: datetime, *, mark: datetime
) -> None:
    jobs.schedule(
        uow.session,
        key=f"{REMIND}:{row.contract}:{reminder}:{mark.astimezone(TASHKENT).isoformat()}",
        kind=REMIND,
        due_at=max(at, uow.clock.now()),
        payload={"contract": row.contract, "reminder": reminder, "mark": mark.isoformat()},
        now=uow.clock.now(),
    )


def _tell_customer(uow: UnitOfWork, row: HomeAccount, template: str, **params: str) -> bool:
    customer = identity.get_customer(uow, customer_id=row.customer_id)
    if not customer.phones or not _sealers:
        return False
    notify.queue(
        uow,
        channel=Channel.SMS,
        recipient=customer.phones[0],
        template=template,
        language=Language(customer.language.value),
        params={"contract": row.contract, **params},
        sealer=_sealers[0],
    )
    return True
