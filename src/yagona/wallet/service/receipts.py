"""Receipts (offer 2.19, 4.4): every operation is one, with the mandatory details — the
operator's legal name and taxpayer number (STIR), its number, date and time, payer and
payee, amount, commission, total, status — and the fiscal mark where a fiscal module is
configured. Reads and listings of a wallet's receipts."""

from __future__ import annotations

from collections.abc import Sequence

from yagona.kernel.clock import TASHKENT
from yagona.kernel.errors import InvalidRequestError
from yagona.platform.uow import UnitOfWork
from yagona.wallet import repository, rules
from yagona.wallet.errors import ReceiptNotFoundError
from yagona.wallet.repository import OperationRecord
from yagona.wallet.schemas import OperationKind, OperationStatus, Receipt, ReceiptPage
from yagona.wallet.service.common import ctx, phone_of, wallet


def number(op: OperationRecord) -> str:
    return rules.receipt_number(op.seq)


def receipt_of(op: OperationRecord) -> Receipt:
    s = ctx().settings
    provider = repository.providers().get(op.provider) if op.provider else None
    payer = f"wallet {op.payer_phone}" if op.payer_phone else (op.source or "operator")
    if op.payee_phone:
        payee = f"wallet {op.payee_phone}"
    elif provider is not None:
        payee = f"{provider.name}, {op.account}"
    elif op.kind == OperationKind.RETURN.value:
        payee = "the customer, as the law says (5.2.2)"
    elif op.kind == OperationKind.REDEMPTION.value:
        payee = op.source or "card"
    elif op.kind == OperationKind.TOPUP_REVERSAL.value:
        payee = op.source or "payment system"
    else:
        payee = "operator"
    created = op.created_at.astimezone(TASHKENT)
    fiscal = (
        rules.fiscal_mark(
            s.fiscal_sign_key,
            terminal=s.fiscal_terminal_id,
            number=number(op),
            at=created,
            total=op.amount + op.commission,
        )
        if s.fiscal_terminal_id
        else None
    )
    return Receipt(
        number=number(op),
        operator_name=s.operator_name,
        operator_tin=s.operator_tin,
        fiscal_mark=fiscal,
        kind=OperationKind(op.kind),
        status=OperationStatus(op.status),
        created_at=created,
        completed_at=op.completed_at.astimezone(TASHKENT) if op.completed_at else None,
        payer=payer,
        payee=payee,
        provider=op.provider,
        provider_name=provider.name if provider else None,
        account=op.account,
        amount=op.amount,
        commission=op.commission,
        total=op.amount + op.commission,
        biller_confirmation=op.biller_confirmation,
    )


def receipt(uow: UnitOfWork, *, phone: str, number: str) -> Receipt:
    """A receipt of this wallet; another wallet's number is not found (the same answer)."""
    phone = phone_of(phone)
    seq = rules.receipt_seq(number)
    row = repository.operation(uow.session, seq) if seq is not None else None
    if row is None or phone not in (row.payer_phone, row.payee_phone):
        raise ReceiptNotFoundError(f"no receipt {number[:24]} for wallet {phone}")
    return receipt_of(row)


def receipts(
    uow: UnitOfWork,
    *,
    phone: str,
    cursor: str | None = None,
    limit: int = 50,
    kinds: Sequence[OperationKind] | None = None,
) -> ReceiptPage:
    """The wallet's receipts, newest first (only of `kinds` when given); pass `next_cursor`
    back for the next page."""
    if not 1 <= limit <= uow.limits.page_size_max:
        raise InvalidRequestError(f"limit must be between 1 and {uow.limits.page_size_max}", field="limit")
    before = rules.receipt_seq(cursor) if cursor is not None else None
    if cursor is not None and before is None:
        raise InvalidRequestError("cursor is not one this service gave", field="cursor")
    row = wallet(uow, phone)
    wanted = [kind.value for kind in kinds] if kinds is not None else None
    rows = repository.operations_of(uow.session, row.phone, before_seq=before, limit=limit + 1, kinds=wanted)
    items = [receipt_of(r) for r in rows[:limit]]
    return ReceiptPage(items=items, next_cursor=items[-1].number if len(rows) > limit else None)
