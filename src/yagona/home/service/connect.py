"""A request for home internet, its activation once OneID has verified the customer, the end of a contract."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.exc import IntegrityError

from yagona.catalog import home as catalogue
from yagona.home import repository, rules
from yagona.home.errors import (
    HomeStateError,
    IdentityNotVerifiedError,
    InvalidRequestError,
)
from yagona.home.events import (
    HomeActivated,
    HomeClosed,
    HomeRequested,
)
from yagona.home.models import HomeAccount, HomeAddon
from yagona.home.schemas import HomeAccountState
from yagona.home.service._base import (
    ADDRESS_MAX,
    CONTRACT_ATTEMPTS,
    RENEWAL,
    _ensure_accounts,
    _for_change,
    _state,
)
from yagona.home.service.billing import (
    _start_period,
)
from yagona.identity import service as identity
from yagona.identity.schemas import ServiceKind, VerificationLevel
from yagona.kernel.clock import TASHKENT
from yagona.platform import jobs
from yagona.platform.uow import UnitOfWork


def request_connection(
    uow: UnitOfWork,
    *,
    customer_id: str,
    address: str,
    plan_id: str,
    equipment: Sequence[str] = (),
    packages: Sequence[str] = (),
) -> HomeAccountState:
    """A customer asks for home internet at `address`. The account waits for the national
    OneID check (`pending_identity`), or is activated at once when the customer is verified."""
    address = " ".join(address.split())
    if not 5 <= len(address) <= ADDRESS_MAX or not address.isprintable():
        raise InvalidRequestError(f"an address has 5 to {ADDRESS_MAX} printable characters", field="address")
    catalogue.get_home_plan(plan_id, to_join=True)
    for device in equipment:
        catalogue.get_equipment(device, to_join=True)
    for package in packages:
        catalogue.get_iptv_package(package, to_join=True)
    level = identity.verification_level(uow, customer_id=customer_id)  # not_found for no such customer
    now = uow.clock.now()
    row = _new_account(uow, customer_id=customer_id, address=address, plan_id=plan_id, equipment=equipment)
    contract = row.contract
    _ensure_accounts(uow, contract)
    for package in sorted(set(packages)):
        repository.add(
            uow.session, HomeAddon(account_id=row.id, package_id=package, active=True, added_at=now, removed_at=None)
        )
    identity.link_service(uow, customer_id=customer_id, kind=ServiceKind.HOME_INTERNET, reference=contract)
    if packages:
        identity.link_service(
            uow, customer_id=customer_id, kind=ServiceKind.IPTV, reference=rules.iptv_number(contract)
        )
    uow.add_event(HomeRequested(occurred_at=now, contract=contract, customer_id=customer_id, plan=plan_id))
    if level is VerificationLevel.VERIFIED:
        _activate(uow, row)
    return _state(uow, row)


def _new_account(
    uow: UnitOfWork, *, customer_id: str, address: str, plan_id: str, equipment: Sequence[str]
) -> HomeAccount:
    """The account under the next contract number; two requests at once (PostgreSQL) that took
    the same number: the second one takes the next (a savepoint keeps the transaction)."""
    for _ in range(CONTRACT_ATTEMPTS):
        row = HomeAccount(
            contract=rules.contract_number(repository.last_contract(uow.session)),
            customer_id=customer_id,
            address=address,
            plan_id=plan_id,
            next_plan_id=None,
            equipment=sorted(set(equipment)),
            state="pending_identity",
            requested_at=uow.clock.now(),
            activated_at=None,
            period_started_at=None,
            next_charge_at=None,
            last_charged_at=None,
            suspended_at=None,
            closed_at=None,
        )
        try:
            with uow.session.begin_nested():
                repository.add(uow.session, row)
        except IntegrityError:
            continue
        return row
    raise HomeStateError("no contract number is free right now; try again", state="busy")


def activate(uow: UnitOfWork, *, contract: str) -> HomeAccountState:
    """Move a pending request on (the staff console): only once the customer is verified."""
    row = _for_change(uow, contract)
    if row.state != "pending_identity":
        raise HomeStateError(f"contract {row.contract} is {row.state}, not waiting for identity", state=row.state)
    if identity.verification_level(uow, customer_id=row.customer_id) is not VerificationLevel.VERIFIED:
        raise IdentityNotVerifiedError("the customer's identity is not verified through OneID yet")
    _activate(uow, row)
    return _state(uow, row)


def activate_verified(uow: UnitOfWork, *, customer_id: str) -> list[str]:
    """The customer passed the OneID check: every request of theirs that waited is activated."""
    if identity.verification_level(uow, customer_id=customer_id) is not VerificationLevel.VERIFIED:
        return []
    started = []
    for candidate in repository.accounts_of(uow.session, customer_id):
        row = repository.account_for_update(uow.session, candidate.contract)
        if row is not None and row.state == "pending_identity":
            _activate(uow, row)
            started.append(row.contract)
    return started


def _activate(uow: UnitOfWork, row: HomeAccount) -> None:
    now = uow.clock.now()
    row.activated_at = now
    paid = _start_period(uow, row, reason="first_fee")
    uow.add_event(HomeActivated(occurred_at=now, contract=row.contract, paid=paid))


def close(uow: UnitOfWork, *, contract: str) -> HomeAccountState:
    """End the contract (a refused request, or the customer leaving): no more fees; the
    balance stays on the account until it is paid out."""
    row = _for_change(uow, contract)
    if row.state == "closed":
        raise HomeStateError(f"contract {row.contract} is closed", state=row.state)
    now = uow.clock.now()
    if row.next_charge_at is not None:  # the renewal will not be needed (nor its reminder: closed)
        due = row.next_charge_at.astimezone(TASHKENT).isoformat()
        jobs.cancel(uow.session, key=f"{RENEWAL}:{row.contract}:{due}")
    row.state, row.closed_at, row.next_charge_at = "closed", now, None
    uow.add_event(HomeClosed(occurred_at=now, contract=row.contract))
    return _state(uow, row)
