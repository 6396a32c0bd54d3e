"""Money out of a wallet (offer 4.4, 5.4.2): payments to providers (transfers to another
wallet: `transfers`), and the balance presented for redemption (a payout to the customer's card).
The amount plus every commission may not exceed the available balance: one linked
ledger batch. Each order is the customer's, with their PIN, under the wallets' locks."""

from __future__ import annotations

from yagona.kernel.ids import new_id
from yagona.ledger import service as ledger
from yagona.ledger.schemas import TransferCreate
from yagona.platform.uow import UnitOfWork
from yagona.wallet import repository, rules
from yagona.wallet.errors import (
    BillerAccountNotFoundError,
    BillerUnavailableError,
    CardDeclinedError,
    ProviderNotFoundError,
)
from yagona.wallet.events import WalletPaid, WalletRedeemed
from yagona.wallet.schemas import BillerAccount, CardOutcome, OperationKind, Provider, Receipt
from yagona.wallet.service.common import (
    CARD_SETTLEMENT,
    COMMISSION,
    check_amount,
    ctx,
    ensure_account,
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
from yagona.wallet.service.topups import card_outcome


def pay(
    uow: UnitOfWork, *, phone: str, provider: str, account: str, amount: int, pin: str, idempotency_key: str
) -> Receipt:
    """Pay a provider (4.4). A payment to a wrong but valid account is the customer's
    (4.4.5): it is not reversed automatically. A utility's biller first checks the account
    (before any lock: it is a network call) and last confirms the payment, inside the
    transaction: when it does not, nothing is written."""
    check_amount(amount)
    phone = phone_of(phone)
    chosen = provider_of(provider)
    account = rules.check_account(chosen, account)
    check_biller_account(chosen, account)
    key = scoped_key(phone, "pay", idempotency_key)
    row = found(repository.lock_wallet_records(uow.session, [phone]).get(phone), phone)
    verify_pin(uow, row, pin)
    request = {"op": "pay", "phone": phone, "provider": chosen.id, "account": account, "amount": amount}
    existing = replay(uow, key)
    if existing is not None:
        return receipt_of(replayed(existing, request))
    rules.check_usable(status(row), reason(row), phone=phone)
    fee = rules.commission(amount, repository.commissions().row(chosen.commission))
    implementation = ctx().providers.get(chosen.id) if chosen.settlement == "protocol" else None
    if chosen.settlement == "protocol":
        if implementation is None:
            raise ProviderNotFoundError(f"provider {chosen.id} is not available", provider=chosen.id)
        target = implementation.settlement_account(uow, account=account)
    else:
        assert chosen.settlement_account is not None
        target = chosen.settlement_account
        ensure_account(uow, target, kind="provider", allow_negative=False)
    op_id, now = new_id(), uow.clock.now()
    legs = [
        TransferCreate(
            debit=wallet_account_code(phone),
            credit=target,
            amount=amount,
            reason="wallet.payment",
            metadata={"provider": chosen.id},
        )
    ]
    _commission_leg(uow, legs, phone, fee)
    ledger.post(uow, transfers=legs, idempotency_key=f"wallet:{op_id}")
    if implementation is not None:
        implementation.apply_payment(uow, account=account, amount=amount, idempotency_key=f"wallet:{op_id}")
    confirmation = _confirm_with_biller(chosen, account, amount, op_id)
    op = write_operation(
        uow, op_id, kind=OperationKind.PAYMENT, key=key, request=request,
        payer=phone, provider=chosen.id, account=account, amount=amount, commission=fee,
        biller_confirmation=confirmation,
    )  # fmt: skip
    uow.add_event(
        WalletPaid(
            occurred_at=now,
            phone=phone,
            provider=chosen.id,
            account=account,
            amount=amount,
            commission=fee,
            receipt=number(op),
        )
    )
    return receipt_of(op)


def redeem(uow: UnitOfWork, *, phone: str, amount: int, card_number: str, pin: str, idempotency_key: str) -> Receipt:
    """Offer 5.4.2: the customer presents the balance for redemption: paid out to their card
    through the card processor (the simulator in dev and test), wallet → card settlement in
    the ledger, with its receipt. A redemption is an operation (4.6.1 d)."""
    check_amount(amount)
    phone = phone_of(phone)
    card = rules.check_card_number(card_number)
    key = scoped_key(phone, "redeem", idempotency_key)
    row = found(repository.lock_wallet_records(uow.session, [phone]).get(phone), phone)
    verify_pin(uow, row, pin)
    request = {"op": "redeem", "phone": phone, "amount": amount, "card": card}
    existing = replay(uow, key)
    if existing is not None:
        return receipt_of(replayed(existing, request))
    rules.check_usable(status(row), reason(row), phone=phone)
    fee = rules.commission(amount, repository.commissions().row("redemption"))
    if card_outcome(card) == CardOutcome.DECLINE:
        raise CardDeclinedError("the card processor declined the payout to this card", card=rules.mask_card(card))
    ensure_account(uow, CARD_SETTLEMENT, kind="external", allow_negative=True)
    op_id, now = new_id(), uow.clock.now()
    legs = [
        TransferCreate(
            debit=wallet_account_code(phone),
            credit=CARD_SETTLEMENT,
            amount=amount,
            reason="wallet.redemption",
            metadata={"card": rules.mask_card(card)},
        )
    ]
    _commission_leg(uow, legs, phone, fee)
    ledger.post(uow, transfers=legs, idempotency_key=f"wallet:{op_id}")
    op = write_operation(
        uow, op_id, kind=OperationKind.REDEMPTION, key=key, request=request,
        payer=phone, source=rules.mask_card(card), amount=amount, commission=fee,
    )  # fmt: skip
    uow.add_event(WalletRedeemed(occurred_at=now, phone=phone, amount=amount, commission=fee, receipt=number(op)))
    return receipt_of(op)


def _commission_leg(uow: UnitOfWork, legs: list[TransferCreate], payer: str, fee: int) -> None:
    if fee:
        ensure_account(uow, COMMISSION, kind="income", allow_negative=True, shards=8)
        legs.append(
            TransferCreate(debit=wallet_account_code(payer), credit=COMMISSION, amount=fee, reason="commission")
        )


def check_biller_account(chosen: Provider, account: str) -> BillerAccount | None:
    """A utility's account as its biller knows it (holder masked, amount due); None for the
    operator's own services. Unknown → not_found with the expected format; no answer in
    time → biller_unavailable."""
    if chosen.kind != "utility":
        return None
    biller = ctx().biller
    if biller is None:
        raise BillerUnavailableError(f"no biller is connected for {chosen.id}", provider=chosen.id)
    try:
        return biller.check_account(provider=chosen.id, account=account)
    except BillerAccountNotFoundError as error:
        error.details["expected"] = chosen.account_label
        raise


def _confirm_with_biller(chosen: Provider, account: str, amount: int, reference: str) -> str | None:
    biller = ctx().biller
    if chosen.kind != "utility" or biller is None:
        return None
    return biller.confirm_payment(provider=chosen.id, account=account, amount=amount, reference=reference)


def provider_of(provider_id: str) -> Provider:
    """The provider of this id (`not_found` otherwise)."""
    chosen = repository.providers().get((provider_id or "").strip())
    if chosen is None:
        raise ProviderNotFoundError(f"no provider {provider_id[:40]!r}", provider=provider_id[:40])
    return chosen
