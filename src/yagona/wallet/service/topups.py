"""Top-ups (offer 4.3): from a card — the customer's authenticated order, two-phase (held
until the card processor confirms, voided on a decline) — and from joint promotions.
The card processor here is a simulator that answers only in dev and test."""

from __future__ import annotations

from dataclasses import replace

from yagona.kernel.errors import ConflictError, InsufficientFundsError, InvalidRequestError
from yagona.kernel.ids import new_id
from yagona.ledger import service as ledger
from yagona.platform.uow import UnitOfWork
from yagona.wallet import repository, rules
from yagona.wallet.errors import CardProcessorUnavailableError, ReceiptNotFoundError
from yagona.wallet.events import WalletToppedUp
from yagona.wallet.repository import OperationRecord
from yagona.wallet.schemas import (
    CardOutcome,
    OperationKind,
    OperationStatus,
    Receipt,
    Tier,
    TopupSource,
    WalletStatus,
)
from yagona.wallet.service.common import (
    CARD_SETTLEMENT,
    PROMOTIONS,
    check_amount,
    ctx,
    ensure_account,
    enum,
    found,
    phone_of,
    reason,
    replay,
    replayed,
    scoped_key,
    status,
    verify_pin,
    wallet_account_code,
    write_operation,
)
from yagona.wallet.service.receipts import number, receipt_of


def card_outcome(card: str) -> CardOutcome:
    """The card processor's answer. Only the simulator exists, and only in dev and test:
    elsewhere nothing approves a card operation (no money from nothing)."""
    context = ctx()
    if not context.card_simulator:
        raise CardProcessorUnavailableError("no card processor is connected: card operations are unavailable")
    s = context.settings
    return rules.simulated_card_outcome(
        card,
        default=s.card_simulator_default,
        decline_suffix=s.card_simulator_decline_suffix,
        hold_suffix=s.card_simulator_hold_suffix,
    )


def topup(
    uow: UnitOfWork,
    *,
    phone: str,
    amount: int,
    source: TopupSource | str,
    idempotency_key: str,
    card_number: str | None = None,
    promotion: str | None = None,
    pin: str | None = None,
) -> Receipt:
    """Top up from a card or from a promotion. A customer's card top-up carries their PIN
    (the channel has authenticated the customer); staff promotions and the sandbox none.
    A Light wallet's limits are checked under its lock."""
    s = ctx().settings
    source = enum(TopupSource, source, "source")
    check_amount(amount)
    phone = phone_of(phone)
    card = rules.check_card_number(card_number or s.card_simulator_test_card) if source == TopupSource.CARD else None
    promotion = (promotion or "promo").strip() if source == TopupSource.PROMO else None
    if promotion is not None and not 1 <= len(promotion) <= 40:
        raise InvalidRequestError("a promotion is named in 1 to 40 characters", field="promotion")
    key = scoped_key(phone, "topup", idempotency_key)
    row = found(repository.lock_wallet_records(uow.session, [phone]).get(phone), phone)
    if pin is not None:
        verify_pin(uow, row, pin)
    request = {"op": "topup", "phone": phone, "amount": amount, "source": source.value}
    request |= {"card": card, "promo": promotion}
    light = row.tier == Tier.LIGHT.value
    existing, already = _replay_and_window(uow, key, phone, light=light)
    if existing is not None:
        return receipt_of(replayed(existing, request))
    rules.check_usable(status(row), reason(row), phone=phone)
    fee = rules.commission(amount, repository.commissions().row("topup"))
    assert fee == 0, "annex 1 fixes the top-up commission at 0 % (validated on load)"
    if light:  # 4.5.2: Premium has no limits of the offer
        rules.check_light_topups(already=already, incoming=amount + fee, limit=s.light_limit_tiyin)
    op_id, now = new_id(), uow.clock.now()
    if source == TopupSource.PROMO:
        ensure_account(uow, PROMOTIONS, kind="expense", allow_negative=True)
        ledger.transfer(
            uow,
            debit=PROMOTIONS,
            credit=wallet_account_code(phone),
            amount=amount,
            reason="wallet.topup_promo",
            idempotency_key=f"wallet:{op_id}",
            metadata={"promotion": promotion or ""},
        )
        promo = write_operation(
            uow, op_id, kind=OperationKind.TOPUP_PROMO, key=key, request=request, payee=phone,
            source=f"promotion {promotion}", amount=amount, commission=fee,
        )  # fmt: skip
        uow.add_event(
            WalletToppedUp(occurred_at=now, phone=phone, source="promo", amount=amount, receipt=number(promo))
        )
        return receipt_of(promo)
    assert card is not None
    outcome = card_outcome(card)  # before anything is held: no processor, nothing happens
    ensure_account(uow, CARD_SETTLEMENT, kind="external", allow_negative=True)
    held = ledger.transfer(
        uow,
        debit=CARD_SETTLEMENT,
        credit=wallet_account_code(phone),
        amount=amount,
        reason="wallet.topup_card",
        idempotency_key=f"wallet:{op_id}",
        pending=True,
        metadata={"card": rules.mask_card(card)},
    )
    op = write_operation(
        uow, op_id, kind=OperationKind.TOPUP_CARD, status=OperationStatus.PENDING, key=key, request=request,
        payee=phone, source=rules.mask_card(card), amount=amount, commission=fee, ledger_transfer_id=held.id,
    )  # fmt: skip
    if outcome != CardOutcome.HOLD:
        op = settle_card(uow, op, approved=outcome == CardOutcome.APPROVE)
    return receipt_of(op)


def topup_from_payment_system(
    uow: UnitOfWork, *, phone: str, amount: int, system: str, source_account: str, idempotency_key: str
) -> Receipt:
    """Money paid in through a payment system (Payme, Click) from its clearing account in the
    ledger. The same checks as any top-up (a usable wallet, a Light wallet's limits) under the
    wallet's lock; a replay with the same key returns the first receipt."""
    check_amount(amount)
    phone = phone_of(phone)
    key = scoped_key(phone, "topup_payment", idempotency_key)
    row = found(repository.lock_wallet_records(uow.session, [phone]).get(phone), phone)
    request = {"op": "topup_payment", "phone": phone, "amount": amount, "system": system}
    s = ctx().settings
    light = row.tier == Tier.LIGHT.value
    existing, already = _replay_and_window(uow, key, phone, light=light)
    if existing is not None:
        return receipt_of(replayed(existing, request))
    rules.check_usable(status(row), reason(row), phone=phone)
    if light:
        rules.check_light_topups(already=already, incoming=amount, limit=s.light_limit_tiyin)
    op_id, now = new_id(), uow.clock.now()
    ledger.transfer(
        uow,
        debit=source_account,
        credit=wallet_account_code(phone),
        amount=amount,
        reason="wallet.topup_payment",
        idempotency_key=f"wallet:{op_id}",
        metadata={"system": system},
    )
    op = write_operation(
        uow, op_id, kind=OperationKind.TOPUP_PAYMENT, key=key, request=request, payee=phone,
        source=system, amount=amount, commission=0,
    )  # fmt: skip
    uow.add_event(WalletToppedUp(occurred_at=now, phone=phone, source=system, amount=amount, receipt=number(op)))
    return receipt_of(op)


def reverse_payment_system_topup(
    uow: UnitOfWork, *, phone: str, amount: int, system: str, destination_account: str, idempotency_key: str
) -> Receipt | None:
    """A payment system cancels a top-up it paid in: the money goes back to its clearing
    account only while the wallet, usable, still holds it; else None (nothing moves). A
    replay with the same key returns the first receipt."""
    check_amount(amount)
    phone = phone_of(phone)
    key = scoped_key(phone, "topup_reversal", idempotency_key)
    row = found(repository.lock_wallet_records(uow.session, [phone]).get(phone), phone)
    request = {"op": "topup_reversal", "phone": phone, "amount": amount, "system": system}
    existing = replay(uow, key)
    if existing is not None:
        return receipt_of(replayed(existing, request))
    if status(row) != WalletStatus.ACTIVE:
        return None
    op_id = new_id()
    try:
        with uow.session.begin_nested():
            ledger.transfer(
                uow,
                debit=wallet_account_code(phone),
                credit=destination_account,
                amount=amount,
                reason="wallet.topup_reversal",
                idempotency_key=f"wallet:{op_id}",
                metadata={"system": system},
            )
    except InsufficientFundsError:
        return None
    op = write_operation(
        uow, op_id, kind=OperationKind.TOPUP_REVERSAL, key=key, request=request, payer=phone,
        source=system, amount=amount, commission=0,
    )  # fmt: skip
    return receipt_of(op)


def confirm_card_topup(uow: UnitOfWork, *, number: str, approved: bool) -> Receipt:
    """The card processor's answer to a held top-up: post it, or void it on a decline."""
    seq = rules.receipt_seq(number)
    op = repository.operation(uow.session, seq) if seq is not None else None
    if op is None or op.kind != OperationKind.TOPUP_CARD.value:
        raise ReceiptNotFoundError(f"no card top-up {number[:24]}")
    assert op.payee_phone is not None
    repository.lock_wallet_records(uow.session, [op.payee_phone])
    op = repository.operation(uow.session, op.seq) or op  # read again under the lock
    if op.status != OperationStatus.PENDING.value:
        if (op.status == OperationStatus.COMPLETED.value) != approved:
            raise ConflictError(f"card top-up {number} was already {op.status}")
        return receipt_of(op)
    return receipt_of(settle_card(uow, op, approved=approved))


def settle_card(uow: UnitOfWork, op: OperationRecord, *, approved: bool) -> OperationRecord:
    """Under the payee's lock (taken by the caller)."""
    assert op.ledger_transfer_id is not None and op.payee_phone is not None
    now = uow.clock.now()
    if approved:
        ledger.post_pending(uow, pending_id=op.ledger_transfer_id, idempotency_key=f"wallet:{op.id}:post")
        repository.settle_operation(uow.session, op.seq, status=OperationStatus.COMPLETED.value, at=now)
        repository.touch_wallets(uow.session, [op.payee_phone], at=now)
        uow.add_event(
            WalletToppedUp(occurred_at=now, phone=op.payee_phone, source="card", amount=op.amount, receipt=number(op))
        )
        new_status = OperationStatus.COMPLETED
    else:
        ledger.void_pending(uow, pending_id=op.ledger_transfer_id, idempotency_key=f"wallet:{op.id}:void")
        repository.settle_operation(uow.session, op.seq, status=OperationStatus.DECLINED.value, at=now)
        new_status = OperationStatus.DECLINED
    return replace(op, status=new_status.value, completed_at=now)


def _replay_and_window(
    uow: UnitOfWork, key: str, phone: str, *, light: bool
) -> tuple[repository.OperationRecord | None, int]:
    """The operation already recorded under `key` (a replay), and — for a Light wallet — the
    top-ups of the 30-day window (4.5.1) in the same round trip."""
    since = rules.topup_window_start(uow.clock.now(), days=ctx().settings.topup_window_days)
    return repository.replay_and_topups(
        uow.session, key, payee=phone if light else None, since=since if light else None
    )
