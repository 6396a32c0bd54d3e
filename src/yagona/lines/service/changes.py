"""The customer changes their line: switch plan inside its group (and the rule's answer before
it), reload (`*5#`), buy a package."""

from __future__ import annotations

from yagona.catalog import service as catalog
from yagona.catalog.schemas import Plan
from yagona.kernel.clock import TASHKENT
from yagona.kernel.errors import YagonaError
from yagona.kernel.ids import new_id
from yagona.kernel.money import Money
from yagona.lines import repository, rules
from yagona.lines.errors import BelowMinimumError, InvalidRequestError, LineNotFoundError
from yagona.lines.events import PlanSwitched
from yagona.lines.models import Bundle, Line
from yagona.lines.schemas import LineState, SwitchQuote
from yagona.lines.service import periods
from yagona.lines.service._base import (
    balance,
    charge,
    duration,
    line_for_change,
    normalised,
    require_active,
    state,
)
from yagona.platform.uow import UnitOfWork


def quote_switch(uow: UnitOfWork, *, msisdn: str, plan_id: str) -> SwitchQuote:
    """The switching rule's answer for `plan_id`, without switching: what a page shows before
    the customer confirms. Raises `LineNotFoundError`, `PlanNotFoundError`; a refusal of the
    switch itself is in the answer."""
    line = repository.line(uow.session, normalised(msisdn))
    if line is None:
        raise LineNotFoundError(f"no line {msisdn}", msisdn=msisdn)
    return _switch_terms(uow, line, catalog.get_plan(plan_id))


def _switch_terms(uow: UnitOfWork, line: Line, target: Plan) -> SwitchQuote:
    """One answer for the quote and the switch: the line must be active, on another plan of the
    same group, with the target's switch minimum on the balance."""
    current = catalog.get_plan(line.plan_id)
    money = balance(uow, line.msisdn)
    refusal: YagonaError | None = None
    try:
        require_active(line)
        if target.id == current.id:
            raise InvalidRequestError(f"the line is already on {target.name}", field="plan")
        catalog.check_switch(current, target, balance=Money(money))
    except YagonaError as error:
        refusal = error
    now = uow.clock.now()
    today = now.astimezone(TASHKENT).date()
    return SwitchQuote(
        msisdn=line.msisdn,
        from_plan=current.id,
        to_plan=target.id,
        fee_tiyin=rules.switch_fee(target, today),
        balance_tiyin=money,
        takes_effect_at=now,
        next_charge_at=periods.next_charge_at(target, today),
        refusal=refusal,
    )


def switch_plan(uow: UnitOfWork, *, msisdn: str, plan_id: str) -> LineState:
    """Switch inside the plan's group: the new plan's fee is charged and its period starts. On a
    pro rata plan (M2M) the fee AND the bundles follow the days left in the calendar month."""
    line = line_for_change(uow, msisdn)
    target = catalog.get_plan(plan_id)
    quote = _switch_terms(uow, line, target)
    if quote.refusal is not None:
        raise quote.refusal
    today = quote.takes_effect_at.astimezone(TASHKENT).date()
    periods.restart_period(
        uow,
        line,
        target,
        fee=quote.fee_tiyin,
        reason="switch_fee",
        key=f"lines.switch:{line.msisdn}:{new_id()}",
        prorata_from=today if target.prorata else None,
    )
    now = quote.takes_effect_at
    uow.add_event(PlanSwitched(occurred_at=now, msisdn=line.msisdn, from_plan=quote.from_plan, to_plan=target.id))
    return state(uow, msisdn=line.msisdn)


def reload(uow: UnitOfWork, *, msisdn: str) -> LineState:
    """Perezagruzka (`*5#`): the next fee now, a new bundle at once, the old one burns; the
    next charge is one period after this one."""
    line = line_for_change(uow, msisdn)
    require_active(line)
    plan = catalog.get_plan(line.plan_id)
    if plan.reload is None:
        raise InvalidRequestError(f"{plan.name} has no reload", field="code")
    needed = (plan.reload.minimum_balance or catalog.connection_minimum(plan) + plan.reload.price).tiyin
    needed = max(needed, plan.monthly_fee.tiyin + plan.reload.price.tiyin)
    if balance(uow, line.msisdn) < needed:
        raise BelowMinimumError(f"a reload needs {Money(needed)} on the balance", minimum=Money(needed).to_json())
    request = new_id()  # one key for the price and the fee of this reload
    if plan.reload.price.tiyin:
        charge(
            uow, line, plan.reload.price.tiyin, reason="reload_price", key=f"lines.reload:{line.msisdn}:{request}:price"
        )
    periods.restart_period(
        uow, line, plan, fee=plan.monthly_fee.tiyin, reason="reload", key=f"lines.reload:{line.msisdn}:{request}"
    )
    return state(uow, msisdn=line.msisdn)


def buy_package(uow: UnitOfWork, *, msisdn: str, code: str) -> LineState:
    """A package bought by its USSD code (CSD1/CSD2): it stacks on what is left and extends."""
    line = line_for_change(uow, msisdn)
    require_active(line)
    package = catalog.find_package_by_code(code)
    if package is None or line.plan_id not in package.plans:
        raise InvalidRequestError(f"no package {code} for this plan", field="code")
    if balance(uow, line.msisdn) < package.minimum_balance.tiyin:
        raise BelowMinimumError(f"{package.name} needs {package.minimum_balance} on the balance")
    now = uow.clock.now()
    charge(uow, line, package.price.tiyin, reason="package", key=f"lines.package:{line.msisdn}:{new_id()}")
    expires = now + duration(package.validity)
    stacked = [
        b
        for b in repository.live_bundles(uow.session, line.id, now)
        if b.key == package.bundle and b.origin.startswith("package:")
    ]
    for bundle in stacked:  # what is left stacks onto the new package and shares its new term
        bundle.expires_at = expires
    repository.add_bundle(
        uow.session,
        Bundle(
            line_id=line.id,
            key=package.bundle,
            origin=f"package:{package.id}",
            granted=package.amount,
            remaining=package.amount,
            expires_at=expires,
        ),
    )
    return state(uow, msisdn=line.msisdn)
