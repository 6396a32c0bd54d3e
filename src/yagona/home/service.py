"""Public use cases of home internet and IPTV. A request waits for the customer's national
OneID check (`pending_identity`); activation charges the first period in advance; every month
on the same day, in the night window, the next period is charged or the account suspended
(no debt); money that covers a period resumes a suspended account at once, with a new period.

Every money move goes through the ledger (`home:<contract>` → the operator's revenue);
every change publishes an event; every scheduled effect is a due job (`home/tasks.py`) that
checks the account is still where it was when the job was scheduled.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy.exc import IntegrityError

from yagona.catalog import home as catalogue
from yagona.catalog import service as catalog
from yagona.home import repository, rules
from yagona.home.errors import (
    HomeAccountNotFoundError,
    HomeStateError,
    IdentityNotVerifiedError,
    InsufficientFundsError,
    InvalidRequestError,
)
from yagona.home.events import (
    HomeActivated,
    HomeClosed,
    HomeFeeCharged,
    HomePackageChanged,
    HomePlanChanged,
    HomeReminderSent,
    HomeRequested,
    HomeResumed,
    HomeSuspended,
    HomeToppedUp,
)
from yagona.home.models import HomeAccount, HomeAddon
from yagona.home.schemas import HomeAccountState, PackageState
from yagona.identity import service as identity
from yagona.identity.schemas import ServiceKind, VerificationLevel
from yagona.kernel.clock import TASHKENT
from yagona.kernel.money import Money
from yagona.ledger import service as ledger
from yagona.ledger.schemas import AccountCreate, Unit
from yagona.notify import service as notify
from yagona.notify.schemas import Channel, Language
from yagona.platform import jobs
from yagona.platform.bus import consume_once
from yagona.platform.sealing import Sealer
from yagona.platform.uow import UnitOfWork

REVENUE = "operator:revenue:home"  # internet plans and rented equipment
REVENUE_TV = "operator:revenue:home-tv"  # IPTV packages
PAYMENTS = "external:payments"  # money paid in at desks, cards and partners (the lines' account too)
RENEWAL = "home.renewal"
REMIND = "home.remind"
ADDRESS_MAX = 300
CONTRACT_ATTEMPTS = 5

_sealers: list[Sealer] = []


def configure(*, secret_key: str) -> None:
    """The composition root hands in the secret that seals the reminders' SMS (notify)."""
    _sealers[:] = [notify.sealer_for(secret_key)]


def account_of(contract: str) -> str:
    return f"home:{contract}"


# --- connection ------------------------------------------------------------------------------


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
    if row.next_charge_at is not None:  # the renewal and its reminder will not be needed
        due = row.next_charge_at.astimezone(TASHKENT).isoformat()
        jobs.cancel(uow.session, key=f"{RENEWAL}:{row.contract}:{due}")
        jobs.cancel(uow.session, key=f"{REMIND}:{row.contract}:fee_tomorrow:{due}")
    row.state, row.closed_at, row.next_charge_at = "closed", now, None
    uow.add_event(HomeClosed(occurred_at=now, contract=row.contract))
    return _state(uow, row)


# --- money in --------------------------------------------------------------------------------


def top_up(
    uow: UnitOfWork, *, contract: str, amount: Money, idempotency_key: str, source_account: str = PAYMENTS
) -> HomeAccountState:
    """Money paid in at a desk, a card or a partner; a replay with the same key changes nothing."""
    if amount.tiyin <= 0:
        raise InvalidRequestError("a top-up is a positive amount", field="amount")
    row = _for_payment(uow, contract)
    ledger.transfer(
        uow,
        debit=source_account,
        credit=account_of(row.contract),
        amount=amount.tiyin,
        reason="topup",
        idempotency_key=idempotency_key,
    )
    _after_payment(uow, row, amount.tiyin, idempotency_key=idempotency_key)
    return _state(uow, row)


class HomePayments:
    """The wallet's providers `home-internet` (account = the contract) and `iptv` (account =
    the IPTV number): the payment credits the home account and may resume it. It satisfies
    the wallet's PaymentProvider protocol without importing the wallet (siblings)."""

    def settlement_account(self, uow: UnitOfWork, *, account: str) -> str:
        return account_of(_for_payment(uow, account, lock=False).contract)

    def apply_payment(self, uow: UnitOfWork, *, account: str, amount: int, idempotency_key: str) -> None:
        _after_payment(uow, _for_payment(uow, account), amount, idempotency_key=idempotency_key)


def _for_payment(uow: UnitOfWork, account: str, *, lock: bool = True) -> HomeAccount:
    contract = rules.contract_of(account)
    if contract is None:
        raise InvalidRequestError(
            f"{account[:32]!r} is not a contract ({rules.CONTRACT_FORMAT}) nor an IPTV number ({rules.IPTV_FORMAT})",
            field="account",
        )
    row = _for_change(uow, contract) if lock else _found(repository.account(uow.session, contract), contract)
    if row.state == "closed":
        raise HomeStateError(f"contract {row.contract} is closed", state=row.state)
    return row


def _after_payment(uow: UnitOfWork, row: HomeAccount, amount: int, *, idempotency_key: str) -> None:
    now = uow.clock.now()
    marker = hashlib.sha256(idempotency_key.encode()).hexdigest()[:32]
    if not consume_once(uow.session, consumer="home.payment", event_id=marker, now=now):
        return  # this payment was applied before
    uow.add_event(HomeToppedUp(occurred_at=now, contract=row.contract, amount_tiyin=amount))
    if rules.resumes(row.state, balance(uow, row.contract), _period_fee(uow, row, next_period=True)):
        _start_period(uow, row, reason="resume")
        uow.add_event(HomeResumed(occurred_at=now, contract=row.contract))


# --- changes ---------------------------------------------------------------------------------


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


# --- billing (called by the due jobs) ----------------------------------------------------------


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


# --- reading ---------------------------------------------------------------------------------


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
