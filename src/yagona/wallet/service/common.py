"""What every use case of the wallet shares: finding and locking a wallet, its read model,
writing an operation (the one way: Core, `repository.insert_operation`), the PIN check with
its counted attempts, the SMS to the owner, and the operator-side ledger accounts."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from enum import StrEnum
from functools import lru_cache
from typing import Any, TypeVar

from sqlalchemy.exc import IntegrityError

from yagona.kernel.clock import TASHKENT
from yagona.kernel.errors import InvalidRequestError
from yagona.kernel.fingerprint import check_idempotency_key, request_fingerprint
from yagona.kernel.money import MAX_TIYIN
from yagona.kernel.phone import normalise_msisdn, parse_msisdn
from yagona.ledger import service as ledger
from yagona.ledger.errors import AccountNotFoundError
from yagona.ledger.schemas import AccountCreate, AccountRead, Unit
from yagona.notify import service as notify
from yagona.notify.schemas import Channel, Language
from yagona.platform import jobs
from yagona.platform.uow import UnitOfWork
from yagona.wallet import repository, rules
from yagona.wallet.errors import (
    IdempotencyConflictError,
    InvalidPinError,
    WalletBlockedError,
    WalletClosedError,
    WalletNotFoundError,
)
from yagona.wallet.events import WalletStateChanged
from yagona.wallet.models import WalletAccount
from yagona.wallet.repository import OperationRecord, WalletRecord
from yagona.wallet.schemas import BlockReason, OperationKind, OperationStatus, Tier, WalletRead, WalletStatus
from yagona.wallet.service.context import WalletContext, current
from yagona.wallet.settings import WalletSettings

# The operator's side of the wallet's money, in the ledger.
CARD_SETTLEMENT = "external:card-settlement"  # what card processors owe, paid in or paid out
PROMOTIONS = "operator:wallet-promotions"  # joint promotions (4.3.1 c): the operator's expense
COMMISSION = "operator:wallet-commission"  # annex 1 commissions: the operator's income
DORMANT_INCOME = "operator:wallet-dormant-income"  # 4.6.5: balances of dormant wallets
FROZEN = "operator:wallet-frozen"  # 5.2.2: funds held on suspicion, until cleared
RETURNS = "external:wallet-returns"  # frozen funds returned as the law says
DORMANCY_JOB = "wallet.dormancy"
_E = TypeVar("_E", bound=StrEnum)
_W = TypeVar("_W", WalletAccount, WalletRecord)


def ctx() -> WalletContext:
    return current()


def wallet_account_code(phone: str) -> str:
    return f"wallet:{phone}"


def phone_of(raw: str, field: str = "phone") -> str:
    # A group parses each order's numbers more than once, and a customer's come back: cached.
    msisdn = _normalised(raw) if isinstance(raw, str) else None
    return msisdn if msisdn is not None else parse_msisdn(raw, field=field)


@lru_cache(maxsize=4_096)
def _normalised(raw: str) -> str | None:
    return normalise_msisdn(raw)


def wallet(uow: UnitOfWork, phone: str) -> WalletAccount:
    phone = phone_of(phone)
    return found(repository.wallet(uow.session, phone), phone)


def locked(uow: UnitOfWork, phone: str) -> WalletAccount:
    phone = phone_of(phone)
    return found(repository.lock_wallets(uow.session, [phone]).get(phone), phone)


def found(row: _W | None, phone: str) -> _W:
    if row is None:
        raise WalletNotFoundError(f"no wallet {phone}", phone=phone)
    return row


def status(row: WalletAccount | WalletRecord) -> WalletStatus:
    return WalletStatus(row.state)


def reason(row: WalletAccount | WalletRecord) -> BlockReason | None:
    return BlockReason(row.block_reason) if row.block_reason else None


def refuse_if_closed_or_dormant(row: WalletAccount) -> None:
    if row.state == WalletStatus.CLOSED.value:
        raise WalletClosedError(f"wallet {row.phone} is closed", phone=row.phone)
    if row.block_reason == BlockReason.DORMANT.value:
        raise WalletBlockedError(f"wallet {row.phone} is blocked for good (dormant)", phone=row.phone)


def set_state(
    uow: UnitOfWork, row: WalletAccount, state: WalletStatus, why: BlockReason | None, *, change: str
) -> None:
    now = uow.clock.now()
    if state == WalletStatus.BLOCKED and row.state != WalletStatus.BLOCKED.value:
        row.blocked_at = now
    elif state == WalletStatus.ACTIVE:
        row.blocked_at = None
    row.state, row.block_reason = state.value, why.value if why else None
    uow.add_event(
        WalletStateChanged(occurred_at=now, phone=row.phone, state=state.value, reason=row.block_reason, change=change)
    )


def account(uow: UnitOfWork, phone: str) -> AccountRead:
    return ledger.get_account(uow, code=wallet_account_code(phone))


def read(uow: UnitOfWork, row: WalletAccount) -> WalletRead:
    s = ctx().settings
    ledger_account = account(uow, row.phone)
    light = row.tier == Tier.LIGHT.value
    since = rules.topup_window_start(uow.clock.now(), days=s.topup_window_days)
    return WalletRead(
        phone=row.phone,
        customer_id=row.customer_id,
        tier=Tier(row.tier),
        state=WalletStatus(row.state),
        block_reason=reason(row),
        balance=ledger_account.balance,
        available=ledger_account.available,
        frozen=ledger_account.debits_pending if row.hold_transfer_id else 0,
        topups_30d=repository.topups_since(uow.session, row.phone, since),
        balance_limit=s.light_limit_tiyin if light else None,
        topups_30d_limit=s.light_limit_tiyin if light else None,
        created_at=row.created_at,
        identified_at=row.identified_at,
        last_activity_at=row.last_activity_at,
        blocked_at=row.blocked_at,
        offer_version=row.offer_version,
        offer_accepted_at=row.offer_accepted_at,
    )


# --- operations: the one way to write one ---------------------------------------------------


def scoped_key(phone: str, operation: str, idempotency_key: str) -> str:
    """An order's key, scoped by the wallet that orders it. Refused, never truncated."""
    return f"{phone}:{operation}:{check_idempotency_key(idempotency_key)}"


def write_operation(
    uow: UnitOfWork,
    op_id: str,
    *,
    kind: OperationKind,
    key: str,
    request: Mapping[str, Any],
    amount: int,
    commission: int,
    status: OperationStatus = OperationStatus.COMPLETED,
    payer: str | None = None,
    payee: str | None = None,
    source: str | None = None,
    provider: str | None = None,
    account: str | None = None,
    ledger_transfer_id: str | None = None,
    biller_confirmation: str | None = None,
    touch: bool = True,
) -> OperationRecord:
    """Write the operation (its receipt) in Core and, when it completed, mark its wallets'
    activity (it postpones dormancy, 4.6.1 d). The receipt is built from what was written."""
    now = uow.clock.now()
    values = operation_values(
        op_id, kind=kind, key=key, request=request, amount=amount, commission=commission, status=status,
        payer=payer, payee=payee, source=source, provider=provider, account=account,
        ledger_transfer_id=ledger_transfer_id, biller_confirmation=biller_confirmation, at=now,
    )  # fmt: skip
    active = touch and status != OperationStatus.PENDING
    seq = repository.insert_operation(uow.session, values, touch=[p for p in (payer, payee) if p and active], at=now)
    return OperationRecord(seq=seq, **values)


def operation_values(
    op_id: str,
    *,
    kind: OperationKind,
    key: str,
    request: Mapping[str, Any],
    amount: int,
    commission: int,
    at: datetime,
    status: OperationStatus = OperationStatus.COMPLETED,
    payer: str | None = None,
    payee: str | None = None,
    source: str | None = None,
    provider: str | None = None,
    account: str | None = None,
    ledger_transfer_id: str | None = None,
    biller_confirmation: str | None = None,
) -> dict[str, Any]:
    """The columns of a `wallet_operation` row (its receipt), written at `at`."""
    now = at
    return {
        "id": op_id,
        "kind": kind.value,
        "status": status.value,
        "payer_phone": payer,
        "payee_phone": payee,
        "source": source,
        "provider": provider,
        "account": account,
        "amount": amount,
        "commission": commission,
        "idempotency_key": key,
        "request_hash": request_fingerprint(request),
        "ledger_transfer_id": ledger_transfer_id,
        "created_at": now,
        "completed_at": None if status == OperationStatus.PENDING else now,
        "biller_confirmation": biller_confirmation,
    }


def replay(uow: UnitOfWork, key: str) -> OperationRecord | None:
    existing, _ = repository.replay_and_topups(uow.session, key, payee=None, since=None)
    return existing


def replayed(existing: OperationRecord, request: Mapping[str, Any]) -> OperationRecord:
    """The same key with the same request gives the first operation; with another, refused."""
    if existing.request_hash != request_fingerprint(request):
        raise IdempotencyConflictError("this idempotency key was used for a different request")
    return existing


# --- the PIN (offer 2.15, 5.3.5) ----------------------------------------------------------------


def verify_pin(
    uow: UnitOfWork,
    row: WalletAccount | WalletRecord,
    pin: str | None,
    *,
    resets: dict[str, str | None] | None = None,
) -> None:
    """HMAC-SHA-256 with the pepper, compared in constant time (no cache). `row` is the
    locked wallet: an ORM object, or the hot path's record — a success then resets the count
    in Core, a failure is counted on the ORM object (read again under the lock this
    transaction already holds). A hash of an older scheme (Argon2id) or pepper is replaced
    by one with the current pepper on its first success. Given `resets` (a group of
    transfers), a record's reset is put there (phone → the new hash or None) for the caller
    to write once the order is accepted, as a refused order writes nothing."""
    s = ctx().settings
    refuse_while_locked(uow, row)
    if row.pin_hash is None:
        raise InvalidPinError(
            "the PIN was cancelled: restore the wallet with your birth date and a new PIN (4.6.6)", phone=row.phone
        )
    check = (
        rules.check_pin(row.pin_hash, pin, peppers=ctx().pin_peppers, current=s.pin_pepper_id)
        if pin and len(pin) <= 20
        else rules.PinCheck(ok=False)
    )
    if check.ok:
        fresh = new_pin_hash(pin) if check.stale and pin else None
        if isinstance(row, WalletAccount):
            row.pin_failures = 0
            if fresh is not None:
                row.pin_hash = fresh
        elif (row.pin_failures or fresh is not None) and resets is not None:
            resets[row.phone] = fresh
        elif row.pin_failures or fresh is not None:
            repository.reset_pin_failures(uow.session, row.phone, pin_hash=fresh)
        return
    counted = row if isinstance(row, WalletAccount) else locked(uow, row.phone)
    raise pin_attempt_failed(uow, counted, s)


def new_pin_hash(pin: str) -> str:
    """The stored form of a new PIN: HMAC-SHA-256 with the current pepper."""
    c = ctx()
    return rules.hash_pin(pin, pepper_id=c.settings.pin_pepper_id, pepper=c.pin_peppers[c.settings.pin_pepper_id])


def refuse_while_locked(uow: UnitOfWork, row: WalletAccount | WalletRecord) -> None:
    locked_until = row.pin_locked_until
    if locked_until is not None and locked_until > uow.clock.now():
        raise InvalidPinError(
            "too many wrong attempts: try again later", locked_until=locked_until.astimezone(TASHKENT).isoformat()
        )


def pin_attempt_failed(uow: UnitOfWork, row: WalletAccount, s: WalletSettings) -> InvalidPinError:
    """Count a wrong PIN and lock after too many (the owner is told by SMS). A refusal leaves
    nothing behind — but this one must, or retrying would bypass the limit: the error
    persists the counted attempt when it leaves the unit of work (`YagonaError.persist`)."""
    now = uow.clock.now()
    row.pin_failures += 1
    details: dict[str, Any] = {"attempts_left": max(0, s.pin_attempts_max - row.pin_failures)}
    message = "wrong PIN"
    if row.pin_failures >= s.pin_attempts_max:
        row.pin_failures = 0
        row.pin_locked_until = now + timedelta(minutes=s.pin_lockout_minutes)
        details = {"locked_until": row.pin_locked_until.astimezone(TASHKENT).isoformat()}
        message = f"wrong PIN: too many wrong attempts, locked for {s.pin_lockout_minutes} minutes"
        tell_owner(uow, row.phone, "wallet.pin_locked", minutes=str(s.pin_lockout_minutes))
    return InvalidPinError(message, **details)


def tell_owner(uow: UnitOfWork, phone: str, template: str, *, language: str = "uz", **params: str) -> None:
    """An SMS to the wallet's owner, queued in this unit of work (sent after it commits)."""
    notify.queue(
        uow,
        channel=Channel.SMS,
        recipient=phone,
        template=template,
        language=Language(language) if language in Language.__members__.values() else Language.UZ,
        params={"phone": rules.masked_phone(phone), **params},
        sealer=ctx().messages,
    )


# --- the operator's side, dormancy, odds and ends --------------------------------------------------


def ensure_account(uow: UnitOfWork, code: str, *, kind: str, allow_negative: bool, shards: int = 1) -> None:
    """Open an operator-side account on first use. Two first uses at once (PostgreSQL): the
    second insert waits, then meets the first one's row — a savepoint turns that into a read."""
    spec = AccountCreate(
        code=code, owner="operator", kind=kind, unit=Unit.SOM, allow_negative=allow_negative, shards=shards
    )
    try:
        ledger.get_account(uow, code=code)
    except AccountNotFoundError:
        try:
            with uow.session.begin_nested():
                ledger.open_account(uow, account=spec)
        except IntegrityError:
            ledger.open_account(uow, account=spec)  # opened meanwhile by a concurrent request: same properties


def schedule_check(uow: UnitOfWork, row: WalletAccount, due: datetime) -> None:
    jobs.schedule(
        uow.session,
        key=f"{DORMANCY_JOB}:{row.phone}:{due.astimezone(TASHKENT).isoformat()}",
        kind=DORMANCY_JOB,
        due_at=due,
        payload={"phone": row.phone},
        now=uow.clock.now(),
    )


def check_amount(amount: object) -> int:
    if isinstance(amount, bool) or not isinstance(amount, int) or not 0 < amount <= MAX_TIYIN:
        raise InvalidRequestError("an amount is a positive whole number of tiyin", field="amount")
    return amount


def enum(kind: type[_E], value: object, field: str) -> _E:
    try:
        return kind(str(value))
    except ValueError:
        choices = ", ".join(member.value for member in kind)
        raise InvalidRequestError(f"{field} must be one of: {choices}", field=field) from None
