"""Changes of a running account: the plan (from the next period) and IPTV packages."""

from __future__ import annotations

from yagona.catalog import home as catalogue
from yagona.home import repository, rules
from yagona.home.errors import (
    HomeAccountNotFoundError,
    InsufficientFundsError,
)
from yagona.home.events import (
    HomePackageChanged,
    HomePlanChanged,
)
from yagona.home.models import HomeAddon
from yagona.home.schemas import HomeAccountState
from yagona.home.service._base import (
    REVENUE_TV,
    _for_change,
    _require_open,
    _state,
    balance,
)
from yagona.home.service.billing import (
    _charge,
)
from yagona.identity import service as identity
from yagona.identity.schemas import ServiceKind
from yagona.kernel.money import Money
from yagona.platform.uow import UnitOfWork


def change_plan(uow: UnitOfWork, *, contract: str, plan_id: str) -> HomeAccountState:
    """A new plan from the next period (the fee paid covers this one); at once when no period
    runs (waiting for identity, suspended)."""
    row = _for_change(uow, contract)
    _require_open(row)
    catalogue.get_home_plan(plan_id, to_join=plan_id != row.plan_id)
    now = uow.clock.now()
    if row.state == "active":
        row.next_plan_id = None if plan_id == row.plan_id else plan_id
        effective = "next_period"
    else:
        row.plan_id, row.next_plan_id, effective = plan_id, None, "now"
    uow.add_event(HomePlanChanged(occurred_at=now, contract=row.contract, plan=plan_id, effective=effective))
    return _state(uow, row)


def add_package(uow: UnitOfWork, *, contract: str, package_id: str) -> HomeAccountState:
    """An IPTV package on the account: on an active account its share of the running period
    (days left, started days count) is charged now, then it renews with the account."""
    row = _for_change(uow, contract)
    _require_open(row)
    package = catalogue.get_iptv_package(package_id, to_join=True)
    existing = repository.addon(uow.session, row.id, package.id)
    if existing is not None and existing.active:
        return _state(uow, row)
    now = uow.clock.now()
    if row.state == "active" and row.next_charge_at is not None and row.last_charged_at is not None:
        share = rules.prorata(
            package.monthly_fee.tiyin, now=now, period_start=row.last_charged_at, period_end=row.next_charge_at
        )
        if not rules.covers(balance(uow, row.contract), share):
            raise InsufficientFundsError(f"the package needs {Money(share)} on the balance", needed=str(Money(share)))
        _charge(
            uow,
            row,
            share,
            credit=REVENUE_TV,
            reason="package",
            key=f"home.package:{row.contract}:{package.id}:{now.isoformat()}",
        )
    if existing is None:
        repository.add(
            uow.session, HomeAddon(account_id=row.id, package_id=package.id, active=True, added_at=now, removed_at=None)
        )
    else:
        existing.active, existing.added_at, existing.removed_at = True, now, None
    identity.link_service(
        uow, customer_id=row.customer_id, kind=ServiceKind.IPTV, reference=rules.iptv_number(row.contract)
    )
    uow.add_event(HomePackageChanged(occurred_at=now, contract=row.contract, package=package.id, added=True))
    return _state(uow, row)


def remove_package(uow: UnitOfWork, *, contract: str, package_id: str) -> HomeAccountState:
    """Off at once; what was paid for the running period is not returned (a decision)."""
    row = _for_change(uow, contract)
    existing = repository.addon(uow.session, row.id, package_id)
    if existing is None or not existing.active:
        raise HomeAccountNotFoundError(f"no package {package_id} on contract {row.contract}", package=package_id)
    now = uow.clock.now()
    existing.active, existing.removed_at = False, now
    uow.add_event(HomePackageChanged(occurred_at=now, contract=row.contract, package=package_id, added=False))
    return _state(uow, row)
