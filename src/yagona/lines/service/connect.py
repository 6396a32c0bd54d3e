"""A line joins: connected new (deposit, first fee, bundles) or adopted from the legacy billing.
A line connected on a customer's own phone number joins that customer's One ID profile."""

from __future__ import annotations

from yagona.catalog import service as catalog
from yagona.catalog.schemas import Plan
from yagona.identity import service as identity
from yagona.identity.schemas import ServiceKind
from yagona.kernel.clock import TASHKENT
from yagona.kernel.money import Money
from yagona.ledger import service as ledger
from yagona.ledger.schemas import AccountCreate, Unit
from yagona.lines import repository, rules
from yagona.lines.errors import BelowMinimumError, InvalidRequestError, LineExistsError, PlanClosedError
from yagona.lines.events import LineConnected
from yagona.lines.models import Line
from yagona.lines.schemas import LineState
from yagona.lines.service._base import LEGACY, PAYMENTS, account_of, charge, ensure_operator_accounts, own_number, state
from yagona.lines.service.periods import grant_period, next_charge_at, schedule_holiday, schedule_renewal
from yagona.platform.uow import UnitOfWork


def connect(uow: UnitOfWork, *, msisdn: str, plan_id: str, deposit: Money, region: str | None = None) -> LineState:
    """A new line: the deposit is paid in, the first fee charged, the bundles granted."""
    msisdn = own_number(msisdn)
    plan = catalog.get_plan(plan_id)
    if not plan.is_open:
        raise PlanClosedError(f"{plan.name} is closed to new connections", plan=plan.id)
    if plan.connection.regions and region not in plan.connection.regions:
        raise InvalidRequestError(
            f"{plan.name} connects only in: {', '.join(plan.connection.regions)}", field="region", plan=plan.id
        )
    if repository.line(uow.session, msisdn) is not None:
        raise LineExistsError(f"line {msisdn} is already connected", msisdn=msisdn)
    now = uow.clock.now()
    today = now.astimezone(TASHKENT).date()
    fee = rules.prorata(plan.first_fee.tiyin, today) if plan.prorata else plan.first_fee.tiyin
    # decision: the deposit must cover both the minimum to connect and the first fee, or
    # the line would start its life in debt.
    minimum = max(catalog.connection_minimum(plan).tiyin, fee)
    if deposit.tiyin < minimum:
        raise BelowMinimumError(
            f"{plan.name} needs {Money(minimum)} on the balance to connect", minimum=Money(minimum).to_json()
        )
    line = _new_line(
        uow,
        msisdn,
        plan,
        money_from=PAYMENTS,
        amount=deposit.tiyin,
        reason="topup",
        key=f"lines.connect:{msisdn}:deposit",
    )
    charge(uow, line, fee, reason="fee", key=f"lines.connect:{msisdn}:first_fee")
    grant_period(uow, line, plan, first=True, prorata_from=today if plan.prorata else None)
    schedule_renewal(uow, line)
    schedule_holiday(uow, line, plan, after=today)
    link_to_owner(uow, msisdn)
    uow.add_event(LineConnected(occurred_at=now, msisdn=msisdn, plan=plan.id, first_fee_tiyin=fee))
    return state(uow, msisdn=msisdn)


def adopt(uow: UnitOfWork, *, msisdn: str, plan_id: str, balance: Money) -> LineState:
    """Bring over an existing subscriber from the legacy billing, archive plans included: the
    balance moves in, the current period starts today with fresh bundles, no fee is charged
    (the legacy system charged it)."""
    msisdn = own_number(msisdn)
    plan = catalog.get_plan(plan_id)
    if repository.line(uow.session, msisdn) is not None:
        raise LineExistsError(f"line {msisdn} is already connected", msisdn=msisdn)
    now = uow.clock.now()
    line = _new_line(
        uow, msisdn, plan, money_from=LEGACY, amount=balance.tiyin, reason="migration", key=f"lines.adopt:{msisdn}"
    )
    grant_period(uow, line, plan, first=False, prorata_from=None)
    schedule_renewal(uow, line)
    schedule_holiday(uow, line, plan, after=now.astimezone(TASHKENT).date())
    link_to_owner(uow, msisdn)
    return state(uow, msisdn=msisdn)


def _new_line(uow: UnitOfWork, msisdn: str, plan: Plan, *, money_from: str, amount: int, reason: str, key: str) -> Line:
    """The line's ledger account with its first money, and the line, its cycle starting now."""
    now = uow.clock.now()
    ensure_operator_accounts(uow)
    code = account_of(msisdn)
    ledger.open_account(
        uow, account=AccountCreate(code=code, owner=msisdn, kind="line", unit=Unit.SOM, allow_negative=True)
    )
    if amount:
        ledger.transfer(uow, debit=money_from, credit=code, amount=amount, reason=reason, idempotency_key=key)
    line = Line(
        msisdn=msisdn,
        plan_id=plan.id,
        status="active",
        block_reason=None,
        connected_at=now,
        period_started_at=now,
        next_charge_at=next_charge_at(plan, now.astimezone(TASHKENT).date()),
        version=1,
    )
    repository.add_line(uow.session, line)
    return line


def link_to_owner(uow: UnitOfWork, msisdn: str) -> None:
    """A line connected on a customer's own (verified) phone is connected for them: it joins
    their One ID profile, so they see it under /api/v1/me/lines."""
    owner = identity.find_customer_by_phone(uow, phone=msisdn)
    if owner is not None:
        identity.link_service(uow, customer_id=owner.id, kind=ServiceKind.MOBILE, reference=msisdn)
