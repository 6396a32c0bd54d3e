"""What every use case of home shares: the accounts' names, reading an account, lookups."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy.exc import IntegrityError

from yagona.catalog import home as catalogue
from yagona.home import repository, rules
from yagona.home.errors import (
    HomeAccountNotFoundError,
    HomeStateError,
    InvalidRequestError,
)
from yagona.home.models import HomeAccount, HomeAddon
from yagona.home.schemas import HomeAccountState, PackageState
from yagona.kernel.clock import TASHKENT
from yagona.ledger import service as ledger
from yagona.ledger.schemas import AccountCreate, Unit
from yagona.platform.uow import UnitOfWork

REVENUE = "operator:revenue:home"  # internet plans and rented equipment
REVENUE_TV = "operator:revenue:home-tv"  # IPTV packages
PAYMENTS = "external:payments"  # money paid in at desks, cards and partners (the lines' account too)
RENEWAL = "home.renewal"
ADDRESS_MAX = 300
CONTRACT_ATTEMPTS = 5


def account_of(contract: str) -> str:
    return f"home:{contract}"


def state(uow: UnitOfWork, *, contract: str) -> HomeAccountState:
    """The account by its contract (staff, sandbox)."""
    return _state(uow, _found(repository.account(uow.session, _contract(contract)), contract))


def own_account(uow: UnitOfWork, *, customer_id: str, contract: str) -> HomeAccountState:
    """The customer's own account: another customer's contract is `not_found`, as a missing one."""
    row = repository.account(uow.session, _contract(contract))
    if row is None or row.customer_id != customer_id:
        raise HomeAccountNotFoundError(f"no contract {contract} on your One ID", contract=contract)
    return _state(uow, row)


def accounts_of(uow: UnitOfWork, *, customer_id: str) -> list[HomeAccountState]:
    return [_state(uow, row) for row in repository.accounts_of(uow.session, customer_id)]


def pending_requests(uow: UnitOfWork, *, limit: int = 100) -> list[HomeAccountState]:
    """Requests waiting for the customer's OneID check, oldest first (the staff console)."""
    rows = repository.accounts_in_state(uow.session, "pending_identity", limit=min(limit, uow.limits.page_size_max))
    return [_state(uow, row) for row in rows]


def list_contracts(uow: UnitOfWork) -> list[str]:
    return repository.all_contracts(uow.session)


def balance(uow: UnitOfWork, contract: str) -> int:
    return ledger.posted_balance(uow, code=account_of(contract))


def _state(uow: UnitOfWork, row: HomeAccount) -> HomeAccountState:
    uow.session.flush()
    packages = tuple(
        PackageState(
            id=a.package_id,
            monthly_fee_tiyin=catalogue.get_iptv_package(a.package_id).monthly_fee.tiyin,
            added_at=a.added_at,
        )
        for a in _live_addons(uow, row)
    )
    return HomeAccountState(
        contract=row.contract,
        iptv_number=rules.iptv_number(row.contract),
        customer_id=row.customer_id,
        address=row.address,
        plan=row.plan_id,
        next_plan=row.next_plan_id,
        equipment=tuple(row.equipment),
        packages=packages,
        state=row.state,
        balance_tiyin=balance(uow, row.contract),
        period_fee_tiyin=_period_fee(uow, row, next_period=False),
        next_fee_tiyin=_period_fee(uow, row, next_period=True),
        next_charge_at=row.next_charge_at,
        requested_at=row.requested_at,
        activated_at=row.activated_at,
        suspended_at=row.suspended_at,
    )


# --- helpers ---------------------------------------------------------------------------------


def _period_fee(uow: UnitOfWork, row: HomeAccount, *, next_period: bool) -> int:
    plan_id = rules.plan_for_period(row.plan_id, row.next_plan_id) if next_period else row.plan_id
    return rules.period_fee(
        catalogue.get_home_plan(plan_id).monthly_fee.tiyin,
        (catalogue.get_equipment(device).monthly_fee.tiyin for device in row.equipment),
        (catalogue.get_iptv_package(a.package_id).monthly_fee.tiyin for a in _live_addons(uow, row)),
    )


def _live_addons(uow: UnitOfWork, row: HomeAccount) -> list[HomeAddon]:
    return [a for a in repository.addons(uow.session, row.id) if a.active]


def _local_date(instant: datetime) -> date:
    return instant.astimezone(TASHKENT).date()


def _ensure_accounts(uow: UnitOfWork, contract: str) -> None:
    for code, kind in ((REVENUE, "revenue"), (REVENUE_TV, "revenue"), (PAYMENTS, "settlement")):
        spec = AccountCreate(code=code, owner="operator", kind=kind, unit=Unit.SOM, allow_negative=True)
        # Two first uses at once (PostgreSQL): the second insert meets the first one's row;
        # a savepoint turns that into opening it again, which reads it.
        try:
            with uow.session.begin_nested():
                ledger.open_account(uow, account=spec)
        except IntegrityError:
            ledger.open_account(uow, account=spec)
    # No debt on a home account: a fee is charged only when the balance covers it.
    ledger.open_account(
        uow,
        account=AccountCreate(
            code=account_of(contract), owner=contract, kind="home", unit=Unit.SOM, allow_negative=False
        ),
    )


def _contract(text: str) -> str:
    contract = rules.contract_of(text)
    if contract is None:
        raise InvalidRequestError(f"{text[:32]!r} is not a contract number ({rules.CONTRACT_FORMAT})", field="contract")
    return contract


def _for_change(uow: UnitOfWork, contract: str) -> HomeAccount:
    return _found(repository.account_for_update(uow.session, _contract(contract)), contract)


def _found(row: HomeAccount | None, contract: str) -> HomeAccount:
    if row is None:
        raise HomeAccountNotFoundError(f"no contract {contract}", contract=contract)
    return row


def _require_open(row: HomeAccount) -> None:
    if row.state == "closed":
        raise HomeStateError(f"contract {row.contract} is closed", state=row.state)
