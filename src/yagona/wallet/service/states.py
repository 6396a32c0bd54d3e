"""The states of a wallet (offer 4.6, 5.2.2): blocked for a lost phone (the call-centre
blocks and restores; the balance is kept 3 years from the block, 4.6.3), frozen on a
suspicion of fraud (released, or returned as the law says), closed by the customer with
a zero balance, and dormant after more than 3 years without an operation. The owner is
told by SMS of every block."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from yagona.kernel.errors import ConflictError, InvalidRequestError
from yagona.kernel.ids import new_id
from yagona.ledger import service as ledger
from yagona.platform.uow import UnitOfWork
from yagona.wallet import rules
from yagona.wallet.errors import BalanceNotZeroError, WalletBlockedError, WalletClosedError
from yagona.wallet.models import WalletAccount
from yagona.wallet.schemas import BlockReason, OperationKind, Receipt, WalletRead, WalletStatus
from yagona.wallet.service.common import (
    DORMANT_INCOME,
    FROZEN,
    RETURNS,
    account,
    ctx,
    ensure_account,
    enum,
    locked,
    new_pin_hash,
    read,
    reason,
    refuse_if_closed_or_dormant,
    replay,
    replayed,
    schedule_check,
    scoped_key,
    set_state,
    status,
    tell_owner,
    verify_pin,
    wallet,
    wallet_account_code,
    write_operation,
)
from yagona.wallet.service.pin import check_birth_date_attempt
from yagona.wallet.service.receipts import receipt_of


def block(uow: UnitOfWork, *, phone: str, reason: BlockReason | str) -> WalletRead:
    """`lost`: the customer reported the phone lost to the call-centre (4.6.1 b); orders until
    then count as the customer's (6.3); the balance is kept 3 years from now (4.6.3).
    `fraud`: the operator's suspicion (5.2.2): the available funds are frozen as a pending
    hold until released or returned."""
    why = enum(BlockReason, reason, "reason")
    if why not in (BlockReason.LOST, BlockReason.FRAUD):
        raise InvalidRequestError("a wallet is blocked for `lost` or `fraud` here", field="reason")
    row = locked(uow, phone)
    refuse_if_closed_or_dormant(row)
    if why == BlockReason.LOST:
        if row.state == WalletStatus.BLOCKED.value and row.block_reason != BlockReason.PIN_FORGOTTEN.value:
            return read(uow, row)  # already blocked: a lost phone adds nothing to a freeze
        set_state(uow, row, WalletStatus.BLOCKED, BlockReason.LOST, change="blocked")
        schedule_check(uow, row, _kept_until(row))
        tell_owner(uow, row.phone, "wallet.blocked_lost")
        return read(uow, row)
    if row.hold_transfer_id is None:
        available = account(uow, row.phone).available
        if available > 0:
            ensure_account(uow, FROZEN, kind="liability", allow_negative=False)
            hold = ledger.transfer(
                uow,
                debit=wallet_account_code(row.phone),
                credit=FROZEN,
                amount=available,
                reason="wallet.freeze",
                idempotency_key=f"wallet:freeze:{new_id()}",
                pending=True,
            )
            row.hold_transfer_id = hold.id
    if row.block_reason != BlockReason.FRAUD.value:
        tell_owner(uow, row.phone, "wallet.blocked_fraud")
    set_state(uow, row, WalletStatus.BLOCKED, BlockReason.FRAUD, change="frozen")
    return read(uow, row)


def restore(uow: UnitOfWork, *, phone: str, birth_date: date | None = None, new_pin: str | None = None) -> WalletRead:
    """Staff (the call-centre, the operator) and the sandbox restore a blocked wallet: a lost
    phone (4.6.3), a cleared suspicion (4.6.4: the hold is released), a forgotten PIN (with
    the birth date, and `new_pin`). A dormant wallet is never restored (4.6.5). A birth
    date, when given, must match (a wrong one is counted); the restore clears the
    birth-date lockout. The customer's own PIN restore is `restore_pin`."""
    s = ctx().settings
    row = locked(uow, phone)
    if row.state == WalletStatus.CLOSED.value:
        raise WalletClosedError(f"wallet {row.phone} is closed", phone=row.phone)
    if row.block_reason == BlockReason.DORMANT.value:
        raise WalletBlockedError(
            f"wallet {row.phone} was blocked for dormancy and cannot be restored (4.6.5)",
            phone=row.phone,
            reason="dormant",
        )
    if row.block_reason == BlockReason.PIN_FORGOTTEN.value and birth_date is None:
        raise InvalidRequestError("restoring after a forgotten PIN needs the birth date (4.6.6)", field="birth_date")
    if new_pin is not None:
        rules.check_pin_format(new_pin, length_min=s.pin_length_min, length_max=s.pin_length_max, field="new_pin")
    if birth_date is not None:
        check_birth_date_attempt(uow, row, birth_date, staff=True)
    row.birth_date_failures, row.birth_date_locked_until = 0, None
    if row.state == WalletStatus.ACTIVE.value:
        return read(uow, row)
    if row.block_reason == BlockReason.FRAUD.value and row.hold_transfer_id is not None:
        ledger.void_pending(
            uow, pending_id=row.hold_transfer_id, idempotency_key=f"wallet:release:{row.hold_transfer_id}"
        )
        row.hold_transfer_id = None
    if new_pin is not None:
        row.pin_hash = new_pin_hash(new_pin)
        row.pin_failures, row.pin_locked_until = 0, None
        tell_owner(uow, row.phone, "wallet.pin_reset")
    set_state(uow, row, WalletStatus.ACTIVE, None, change="restored")
    return read(uow, row)


def release(uow: UnitOfWork, *, phone: str) -> WalletRead:
    """The fraud suspicion was cleared: release the hold and restore the wallet (4.6.4)."""
    row = locked(uow, phone)
    if row.block_reason != BlockReason.FRAUD.value:
        raise ConflictError(f"wallet {row.phone} is not frozen", phone=row.phone)
    return restore(uow, phone=row.phone)


def return_frozen(uow: UnitOfWork, *, phone: str, idempotency_key: str) -> Receipt:
    """Return the frozen funds as the law says (5.2.2) and end the contract: the hold is
    posted and paid out; the wallet is closed."""
    row = locked(uow, phone)
    key = scoped_key(row.phone, "return", idempotency_key)
    request = {"op": "return", "phone": row.phone}
    existing = replay(uow, key)
    if existing is not None:
        return receipt_of(replayed(existing, request))
    if row.block_reason != BlockReason.FRAUD.value or row.hold_transfer_id is None:
        raise ConflictError(f"wallet {row.phone} holds no frozen funds", phone=row.phone)
    hold_id = row.hold_transfer_id
    posted = ledger.post_pending(uow, pending_id=hold_id, idempotency_key=f"wallet:return:{hold_id}")
    ensure_account(uow, RETURNS, kind="external", allow_negative=True)
    ledger.transfer(
        uow, debit=FROZEN, credit=RETURNS, amount=posted.amount, reason="wallet.return",
        idempotency_key=f"wallet:return-out:{hold_id}",
    )  # fmt: skip
    op = write_operation(
        uow, new_id(), kind=OperationKind.RETURN, key=key, request=request,
        payer=row.phone, source="operator", amount=posted.amount, commission=0, touch=False,
    )  # fmt: skip
    row.hold_transfer_id = None
    _close_ledger_account(uow, row)
    row.closed_at = uow.clock.now()
    set_state(uow, row, WalletStatus.CLOSED, BlockReason.FRAUD, change="closed")
    return receipt_of(op)


def close(uow: UnitOfWork, *, phone: str, pin: str | None = None) -> WalletRead:
    """4.6.1 a), 4.6.2: the customer closes the wallet; its balance must be zero. Channels
    that authenticate the customer otherwise (the sandbox) pass no PIN."""
    row = locked(uow, phone)
    if pin is not None:
        verify_pin(uow, row, pin)
    if row.state == WalletStatus.CLOSED.value:
        return read(uow, row)
    rules.check_usable(status(row), reason(row), phone=row.phone)
    found = account(uow, row.phone)
    if found.balance != 0 or found.credits_pending or found.debits_pending:
        raise BalanceNotZeroError(
            f"wallet {row.phone} holds {found.balance} tiyin: spend or send it first (4.6.2)", balance=found.balance
        )
    _close_ledger_account(uow, row)
    row.closed_at = uow.clock.now()
    set_state(uow, row, WalletStatus.CLOSED, None, change="closed")
    return read(uow, row)


def dormant_from(uow: UnitOfWork, *, phone: str) -> datetime | None:
    """When an active wallet turns dormant if nothing happens before (4.5.3); None for a
    wallet that is not active. The reminder engine warns 30 days before."""
    row = wallet(uow, phone)
    if row.state != WalletStatus.ACTIVE.value:
        return None
    return rules.dormancy_due(row.last_activity_at, years=ctx().settings.dormancy_years)


def run_dormancy(uow: UnitOfWork, *, phone: str) -> int | None:
    """The due check of one wallet. More than 3 years without an operation — or, for a
    wallet blocked for a lost phone, 3 years from the block (4.6.3) — blocks it for good
    and moves the balance to the operator's income; returns the amount (tiyin). Otherwise
    it schedules the next check and returns None. Running it twice changes nothing."""
    s = ctx().settings
    row = locked(uow, phone)
    now = uow.clock.now()
    if row.state == WalletStatus.CLOSED.value or row.block_reason == BlockReason.DORMANT.value:
        return None
    due = _kept_until(row) if row.block_reason == BlockReason.LOST.value else None
    due = due or rules.dormancy_due(row.last_activity_at, years=s.dormancy_years)
    if now < due:  # an operation (or a block for a lost phone) since: look again then
        schedule_check(uow, row, due)
        return None
    if row.hold_transfer_id is not None:  # a fraud freeze is cleared first (5.2.2)
        schedule_check(uow, row, now + timedelta(days=s.dormancy_recheck_days))
        return None
    available = account(uow, row.phone).available
    if available > 0:
        ensure_account(uow, DORMANT_INCOME, kind="income", allow_negative=False)
        op_id = new_id()
        ledger.transfer(
            uow, debit=wallet_account_code(row.phone), credit=DORMANT_INCOME, amount=available,
            reason="wallet.dormant", idempotency_key=f"wallet:{op_id}",
        )  # fmt: skip
        write_operation(
            uow, op_id, kind=OperationKind.FORFEIT, key=f"{row.phone}:dormant:{op_id}",
            request={"op": "dormant", "phone": row.phone}, payer=row.phone, source="operator",
            amount=available, commission=0, touch=False,  # not the customer's operation
        )  # fmt: skip
    set_state(uow, row, WalletStatus.BLOCKED, BlockReason.DORMANT, change="dormant")
    return available


def _kept_until(row: WalletAccount) -> datetime:
    """4.6.3: a lost phone's balance is kept up to 3 years from the block, whatever the last operation."""
    assert row.blocked_at is not None
    return rules.dormancy_due(row.blocked_at, years=ctx().settings.lost_keep_years)


def _close_ledger_account(uow: UnitOfWork, row: WalletAccount) -> None:
    # A ceiling of zero: nothing can ever be credited to a closed wallet, whoever tries.
    ledger.set_upper_limit(uow, code=wallet_account_code(row.phone), upper_limit=0)
