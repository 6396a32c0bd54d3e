"""Use cases of the e-wallet (offer seed 002). Callers pass their unit of work; nothing here
commits. A wrong PIN or birth date is refused with an error that persists its record
(`YagonaError.persist`): the unit of work keeps the counted attempt, or retrying would
bypass the limit.

Money moves only through the ledger: each wallet is the account `wallet:<phone>`
(never negative; a Light wallet's ceiling is 5 BHM). Every operation is a
`wallet_operation` row — its electronic receipt — written in the same transaction.
Operations lock the wallets they touch (`FOR UPDATE`, in phone order) before reading
anything they check, so limits hold under concurrency.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from datetime import date, datetime, timedelta
from enum import StrEnum
from functools import lru_cache
from typing import Any, Protocol, TypeVar

from argon2 import PasswordHasher
from sqlalchemy.exc import IntegrityError

from yagona.kernel.clock import TASHKENT
from yagona.kernel.errors import ConflictError, InvalidRequestError
from yagona.kernel.ids import new_id
from yagona.kernel.money import MAX_TIYIN
from yagona.ledger import service as ledger
from yagona.ledger.errors import AccountNotFoundError
from yagona.ledger.schemas import AccountCreate, AccountRead, TransferCreate, Unit
from yagona.platform import jobs
from yagona.platform.uow import UnitOfWork
from yagona.wallet import repository, rules
from yagona.wallet import settings as wallet_settings
from yagona.wallet.errors import (
    BalanceNotZeroError,
    BirthDateMismatchError,
    IdempotencyConflictError,
    InvalidPinError,
    ProviderNotFoundError,
    ReceiptNotFoundError,
    WalletBlockedError,
    WalletClosedError,
    WalletExistsError,
    WalletNotFoundError,
)
from yagona.wallet.events import (
    WalletIdentified,
    WalletPaid,
    WalletRegistered,
    WalletStateChanged,
    WalletToppedUp,
    WalletTransferred,
)
from yagona.wallet.models import WalletAccount, WalletOperation
from yagona.wallet.repository import OperationRecord, WalletRecord
from yagona.wallet.schemas import (
    BlockReason,
    CardOutcome,
    OperationKind,
    OperationStatus,
    Provider,
    ProviderCatalogue,
    Receipt,
    ReceiptPage,
    Tier,
    TopupSource,
    WalletRead,
    WalletState,
    WalletStatus,
)
from yagona.wallet.settings import WalletSettings

# The operator's side of the wallet's money, in the ledger.
CARD_SETTLEMENT = "external:card-settlement"  # what card processors owe or paid in
PROMOTIONS = "operator:wallet-promotions"  # joint promotions (4.3.1 c): the operator's expense
COMMISSION = "operator:wallet-commission"  # annex 1 commissions: the operator's income
DORMANT_INCOME = "operator:wallet-dormant-income"  # 4.6.5: balances of dormant wallets
FROZEN = "operator:wallet-frozen"  # 5.2.2: funds held on suspicion, until cleared
RETURNS = "external:wallet-returns"  # frozen funds returned as the law says
DORMANCY_JOB = "wallet.dormancy"
_E = TypeVar("_E", bound=StrEnum)
_W = TypeVar("_W", WalletAccount, WalletRecord)


def wallet_account_code(phone: str) -> str:
    return f"wallet:{phone}"


class PaymentProvider(Protocol):
    """A provider served by another domain (mobile → lines), registered by `app/bootstrap.py`.

    The wallet moves the money itself, in one linked ledger batch, to the account the
    provider names; the provider then applies its effects in the same unit of work.
    """

    def settlement_account(self, uow: UnitOfWork, *, account: str) -> str:
        """Validate `account` (raise not_found / invalid_request) and name the ledger account
        to credit, e.g. `line:<msisdn>`."""
        ...

    def apply_payment(self, uow: UnitOfWork, *, account: str, amount: int, idempotency_key: str) -> None:
        """The money is on the account named above (same transaction): apply what follows
        from it (a line in debt is unblocked…). Must be idempotent by `idempotency_key`."""
        ...


_payment_providers: dict[str, PaymentProvider] = {}


def register_payment_providers(providers: Mapping[str, PaymentProvider]) -> None:
    """Called by the composition root with every protocol-settled provider by id."""
    _payment_providers.clear()
    _payment_providers.update(providers)


def registered_payment_providers() -> dict[str, PaymentProvider]:
    return dict(_payment_providers)


def provider_catalogue() -> ProviderCatalogue:
    return repository.providers()


# --- registration and identification (offer 4.1, 4.2) ------------------------------------------


def register(uow: UnitOfWork, *, phone: str, pin: str, birth_date: date | None, accept_offer: bool) -> WalletRead:
    """Offer 4.1.1: phone, a PIN the customer creates, the birth date, the acceptance → Light."""
    s = wallet_settings.current()
    now = uow.clock.now()
    rules.check_offer_accepted(accept_offer)
    phone = rules.normalise_phone(phone)
    rules.check_pin_format(pin, length_min=s.pin_length_min, length_max=s.pin_length_max)
    birth_date = rules.check_birth_date(
        birth_date, today=now.astimezone(TASHKENT).date(), minimum_age_years=s.minimum_age_years
    )
    if repository.wallet(uow.session, phone) is not None:
        raise WalletExistsError(f"a wallet {phone} exists", phone=phone)
    row = WalletAccount(
        phone=phone,
        tier=Tier.LIGHT.value,
        state=WalletStatus.ACTIVE.value,
        block_reason=None,
        pin_hash=rules.hash_pin(_hasher(s), pin),
        pin_failures=0,
        pin_locked_until=None,
        birth_date=birth_date,
        offer_accepted_at=now,
        last_activity_at=now,
        created_at=now,
    )
    try:
        with uow.session.begin_nested():
            repository.add_wallet(uow.session, row)
    except IntegrityError as error:  # the same phone registered at the same moment by another request
        raise WalletExistsError(f"a wallet {phone} exists", phone=phone) from error
    ledger.open_account(
        uow,
        account=AccountCreate(
            code=wallet_account_code(phone),
            owner=phone,
            kind="wallet",
            unit=Unit.SOM,
            allow_negative=False,
            upper_limit=s.light_limit_tiyin,
        ),
    )
    _schedule_dormancy(uow, row, s)
    uow.add_event(WalletRegistered(occurred_at=now, phone=phone))
    return _read(uow, row)


def identify(
    uow: UnitOfWork, *, phone: str, document: str, birth_date: date | None = None, staff: str = "office"
) -> WalletRead:
    """Offer 4.2: a staff member checked the original identity document → Premium, at once."""
    wallet = _locked(uow, phone)
    _refuse_if_closed_or_dormant(wallet)
    document = (document or "").strip().upper()
    if not 5 <= len(document) <= 40 or not document.replace(" ", "").isalnum():
        raise InvalidRequestError("the identity document's series and number are required", field="document")
    if birth_date is not None and birth_date != wallet.birth_date:
        raise InvalidRequestError("the birth date does not match the one given at registration", field="birth_date")
    if wallet.tier == Tier.PREMIUM.value:
        return _read(uow, wallet)
    now = uow.clock.now()
    wallet.tier = Tier.PREMIUM.value
    wallet.identity_document = document
    wallet.identified_by = staff[:120]
    wallet.identified_at = now
    ledger.set_upper_limit(uow, code=wallet_account_code(wallet.phone), upper_limit=None)  # 4.5.2
    uow.add_event(WalletIdentified(occurred_at=now, phone=wallet.phone, staff=wallet.identified_by))
    return _read(uow, wallet)


# --- reads -------------------------------------------------------------------------------------------


def get(uow: UnitOfWork, *, phone: str) -> WalletRead:
    return _read(uow, _wallet(uow, phone))


def state(uow: UnitOfWork, *, phone: str) -> WalletState:
    """The sandbox's WALLET: phone, tier, state, balance, topups_30d (amounts in tiyin)."""
    read = get(uow, phone=phone)
    return WalletState(
        phone=read.phone, tier=read.tier, state=read.state, balance=read.balance, topups_30d=read.topups_30d
    )


def phones(uow: UnitOfWork) -> list[str]:
    """Every wallet's phone, in order (the sandbox's final snapshot; staff listings page)."""
    found: list[str] = []
    while page := repository.wallets_page(
        uow.session, after_phone=found[-1] if found else None, limit=uow.limits.page_size_max
    ):
        found.extend(w.phone for w in page)
    return found


def check_pin(uow: UnitOfWork, *, phone: str, pin: str) -> None:
    """Authenticate the customer by PIN (for reads); a wrong PIN counts as an attempt."""
    wallet = _locked(uow, phone)
    _verify_pin(uow, wallet, pin)


def receipt(uow: UnitOfWork, *, phone: str, number: str) -> Receipt:
    phone = rules.normalise_phone(phone)
    seq = rules.receipt_seq(number)
    row = repository.operation_by_seq(uow.session, seq) if seq is not None else None
    if row is None or phone not in (row.payer_phone, row.payee_phone):
        raise ReceiptNotFoundError(f"no receipt {number} for wallet {phone}")
    return _receipt(row)


def receipts(uow: UnitOfWork, *, phone: str, cursor: str | None = None, limit: int = 50) -> ReceiptPage:
    """The wallet's receipts, newest first; pass `next_cursor` back for the next page."""
    if not 1 <= limit <= uow.limits.page_size_max:
        raise InvalidRequestError(f"limit must be between 1 and {uow.limits.page_size_max}", field="limit")
    before = rules.receipt_seq(cursor) if cursor is not None else None
    if cursor is not None and before is None:
        raise InvalidRequestError("cursor is not one this service gave", field="cursor")
    wallet = _wallet(uow, phone)
    rows = repository.operations_of(uow.session, wallet.phone, before_seq=before, limit=limit + 1)
    items = [_receipt(r) for r in rows[:limit]]
    return ReceiptPage(items=items, next_cursor=items[-1].number if len(rows) > limit else None)


# --- top-ups (offer 4.3) -------------------------------------------------------------------------------


def topup(
    uow: UnitOfWork,
    *,
    phone: str,
    amount: int,
    source: TopupSource | str,
    idempotency_key: str,
    card_number: str | None = None,
    promotion: str | None = None,
) -> Receipt:
    """Top up from a card (two-phase: held until the card processor confirms, voided on a
    decline) or from a promotion. A Light wallet's limits are checked under its lock."""
    s = wallet_settings.current()
    source = _enum(TopupSource, source, "source")
    _check_amount(amount)
    phone = rules.normalise_phone(phone)
    card = rules.check_card_number(card_number or s.card_simulator_test_card) if source == TopupSource.CARD else None
    promotion = (promotion or "promo").strip()[:40] if source == TopupSource.PROMO else None
    wallet = _found(repository.lock_wallet_records(uow.session, [phone]).get(phone), phone)
    request = {"op": "topup", "phone": phone, "amount": amount, "source": source.value}
    request |= {"card": card, "promo": promotion}
    key = f"{phone}:topup:{idempotency_key}"
    now = uow.clock.now()
    existing, already = _replay_and_topups(uow, key, wallet, now, s)
    if existing is not None:
        return _replayed(existing, request)
    rules.check_usable(_status(wallet), _reason(wallet), phone=phone)
    fee = rules.commission(amount, repository.commissions().row("topup"))
    assert fee == 0, "annex 1 fixes the top-up commission at 0 % (validated on load)"
    if wallet.tier == Tier.LIGHT.value:  # 4.5.2: Premium has no limits of the offer
        rules.check_light_topups(already=already, incoming=amount + fee, limit=s.light_limit_tiyin)
    op_id = new_id()
    if source == TopupSource.PROMO:
        _ensure_account(uow, PROMOTIONS, kind="expense", allow_negative=True)
        ledger.transfer(
            uow,
            debit=PROMOTIONS,
            credit=wallet_account_code(phone),
            amount=amount,
            reason="wallet.topup_promo",
            idempotency_key=f"wallet:{op_id}",
            metadata={"promotion": promotion or ""},
        )
        promo = _insert(
            uow, op_id, now, kind=OperationKind.TOPUP_PROMO, key=key, request=request, touch=(phone,),
            payee=phone, source=f"promotion {promotion}", amount=amount, commission=fee,
        )  # fmt: skip
        uow.add_event(
            WalletToppedUp(occurred_at=now, phone=phone, source="promo", amount=amount, receipt=_number(promo))
        )
        return _receipt(promo)
    assert card is not None
    _ensure_account(uow, CARD_SETTLEMENT, kind="external", allow_negative=True)
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
    op = _record(
        uow, op_id, kind=OperationKind.TOPUP_CARD, status=OperationStatus.PENDING, key=key, request=request,
        payee=phone, source=rules.mask_card(card), amount=amount, commission=fee, ledger_transfer_id=held.id,
    )  # fmt: skip
    outcome = rules.simulated_card_outcome(
        card,
        default=s.card_simulator_default,
        decline_suffix=s.card_simulator_decline_suffix,
        hold_suffix=s.card_simulator_hold_suffix,
    )
    if outcome != CardOutcome.HOLD:
        _settle_card(uow, op, approved=outcome == CardOutcome.APPROVE)
    return _receipt(op)


def confirm_card_topup(uow: UnitOfWork, *, number: str, approved: bool) -> Receipt:
    """The card processor's answer to a held top-up: post it, or void it on a decline."""
    seq = rules.receipt_seq(number)
    op = repository.operation_by_seq(uow.session, seq) if seq is not None else None
    if op is None or op.kind != OperationKind.TOPUP_CARD.value:
        raise ReceiptNotFoundError(f"no card top-up {number}")
    assert op.payee_phone is not None
    _locked(uow, op.payee_phone)
    if op.status != OperationStatus.PENDING.value:
        if (op.status == OperationStatus.COMPLETED.value) != approved:
            raise ConflictError(f"card top-up {number} was already {op.status}")
        return _receipt(op)
    _settle_card(uow, op, approved=approved)
    return _receipt(op)


# --- transfers and payments (offer 4.4) -------------------------------------------------------------


def transfer(
    uow: UnitOfWork, *, from_phone: str, to_phone: str, amount: int, pin: str, idempotency_key: str
) -> Receipt:
    """Wallet to wallet: a top-up of the payee (4.3.1 a). The amount plus the commission may
    not exceed the payer's available balance; the payee's Light limits hold.

    The hot path, in Core (`repository.lock_wallet_records` …): lock both wallets (one
    statement, phone order), check the PIN, read the replay row and — for a Light payee —
    the 30-day sum (one statement, after the lock), one ledger batch, then the receipt and
    the wallets' activity (one statement on PostgreSQL). The rules and refusals, and their
    order, are those of every other operation."""
    s = wallet_settings.current()
    _check_amount(amount)
    payer_phone, payee_phone = rules.normalise_phone(from_phone), rules.normalise_phone(to_phone)
    if payer_phone == payee_phone:
        raise InvalidRequestError("a transfer needs two different wallets", field="to")
    locked = repository.lock_wallet_records(uow.session, [payer_phone, payee_phone])
    payer = _found(locked.get(payer_phone), payer_phone)
    payee = _found(locked.get(payee_phone), payee_phone)
    _verify_pin(uow, payer, pin)
    request = {"op": "transfer", "from": payer_phone, "to": payee_phone, "amount": amount}
    key = f"{payer_phone}:transfer:{idempotency_key}"
    now = uow.clock.now()
    existing, already = _replay_and_topups(uow, key, payee, now, s)
    if existing is not None:
        return _replayed(existing, request)
    rules.check_usable(_status(payer), _reason(payer), phone=payer_phone)
    rules.check_usable(_status(payee), _reason(payee), phone=payee_phone)
    fee = rules.commission(amount, repository.commissions().row("transfer"))
    if payee.tier == Tier.LIGHT.value:  # 4.5.2: Premium has no limits of the offer
        rules.check_light_topups(already=already, incoming=amount, limit=s.light_limit_tiyin)
    op_id = new_id()
    legs = [
        TransferCreate(
            debit=wallet_account_code(payer_phone),
            credit=wallet_account_code(payee_phone),
            amount=amount,
            reason="wallet.transfer",
        )
    ]
    if fee:
        _ensure_account(uow, COMMISSION, kind="income", allow_negative=True, shards=8)
        legs.append(
            TransferCreate(debit=wallet_account_code(payer_phone), credit=COMMISSION, amount=fee, reason="commission")
        )
    ledger.post(uow, transfers=legs, idempotency_key=f"wallet:{op_id}")
    op = _insert(
        uow, op_id, now, kind=OperationKind.TRANSFER, key=key, request=request, touch=(payer_phone, payee_phone),
        payer=payer_phone, payee=payee_phone, amount=amount, commission=fee,
    )  # fmt: skip
    uow.add_event(
        WalletTransferred(
            occurred_at=now,
            from_phone=payer_phone,
            to_phone=payee_phone,
            amount=amount,
            commission=fee,
            receipt=_number(op),
        )
    )
    return _receipt(op)


def pay(
    uow: UnitOfWork, *, phone: str, provider: str, account: str, amount: int, pin: str, idempotency_key: str
) -> Receipt:
    """Pay a provider (4.4): the amount and its commission leave the wallet in one linked
    ledger batch. A payment to a wrong but valid account is the customer's (4.4.5): it is not
    reversed automatically."""
    _check_amount(amount)
    phone = rules.normalise_phone(phone)
    chosen = _provider(provider)
    account = rules.check_account(chosen, account)
    wallet = _found(repository.lock_wallet_records(uow.session, [phone]).get(phone), phone)
    _verify_pin(uow, wallet, pin)
    request = {"op": "pay", "phone": phone, "provider": chosen.id, "account": account, "amount": amount}
    key = f"{phone}:pay:{idempotency_key}"
    existing, _ = repository.replay_and_topups(uow.session, key[:200], payee=None, since=None)
    if existing is not None:
        return _replayed(existing, request)
    rules.check_usable(_status(wallet), _reason(wallet), phone=phone)
    fee = rules.commission(amount, repository.commissions().row(chosen.commission))
    implementation = _payment_providers.get(chosen.id) if chosen.settlement == "protocol" else None
    if chosen.settlement == "protocol":
        if implementation is None:
            raise ProviderNotFoundError(f"provider {chosen.id} is not available", provider=chosen.id)
        target = implementation.settlement_account(uow, account=account)
    else:
        assert chosen.settlement_account is not None
        target = chosen.settlement_account
        _ensure_account(uow, target, kind="provider", allow_negative=False)
    op_id, now = new_id(), uow.clock.now()
    debit = wallet_account_code(phone)
    legs = [
        TransferCreate(
            debit=debit, credit=target, amount=amount, reason="wallet.payment", metadata={"provider": chosen.id}
        )
    ]
    if fee:
        _ensure_account(uow, COMMISSION, kind="income", allow_negative=True, shards=8)
        legs.append(TransferCreate(debit=debit, credit=COMMISSION, amount=fee, reason="commission"))
    ledger.post(uow, transfers=legs, idempotency_key=f"wallet:{op_id}")
    if implementation is not None:
        implementation.apply_payment(uow, account=account, amount=amount, idempotency_key=f"wallet:{op_id}")
    op = _insert(
        uow, op_id, now, kind=OperationKind.PAYMENT, key=key, request=request, touch=(phone,),
        payer=phone, provider=chosen.id, account=account, amount=amount, commission=fee,
    )  # fmt: skip
    uow.add_event(
        WalletPaid(
            occurred_at=now,
            phone=phone,
            provider=chosen.id,
            account=account,
            amount=amount,
            commission=fee,
            receipt=_number(op),
        )
    )
    return _receipt(op)


# --- states (offer 4.6, 5.2.2) ----------------------------------------------------------------------


def block(uow: UnitOfWork, *, phone: str, reason: BlockReason | str) -> WalletRead:
    """`lost`: the customer reported the phone lost to the call-centre (4.6.1 b); orders until
    then count as the customer's (6.3). `fraud`: the operator's suspicion (5.2.2): the
    available funds are frozen as a pending hold until released or returned."""
    reason = _enum(BlockReason, reason, "reason")
    if reason not in (BlockReason.LOST, BlockReason.FRAUD):
        raise InvalidRequestError("a wallet is blocked for `lost` or `fraud` here", field="reason")
    wallet = _locked(uow, phone)
    _refuse_if_closed_or_dormant(wallet)
    if reason == BlockReason.LOST:
        if wallet.state == WalletStatus.BLOCKED.value and wallet.block_reason != BlockReason.PIN_FORGOTTEN.value:
            return _read(uow, wallet)  # already blocked: a lost phone adds nothing to a freeze
        _set_state(uow, wallet, WalletStatus.BLOCKED, BlockReason.LOST, change="blocked")
        return _read(uow, wallet)
    if wallet.hold_transfer_id is None:
        available = _account(uow, wallet.phone).available
        if available > 0:
            _ensure_account(uow, FROZEN, kind="liability", allow_negative=False)
            hold = ledger.transfer(
                uow,
                debit=wallet_account_code(wallet.phone),
                credit=FROZEN,
                amount=available,
                reason="wallet.freeze",
                idempotency_key=f"wallet:freeze:{new_id()}",
                pending=True,
            )
            wallet.hold_transfer_id = hold.id
    _set_state(uow, wallet, WalletStatus.BLOCKED, BlockReason.FRAUD, change="frozen")
    return _read(uow, wallet)


def restore(uow: UnitOfWork, *, phone: str, birth_date: date | None = None, new_pin: str | None = None) -> WalletRead:
    """Restore a blocked wallet: lost phone (the call-centre, 4.6.3), fraud cleared (the
    operator, 4.6.4: the hold is released), forgotten PIN (the customer from their own number
    with the birth date, 4.6.6; `new_pin` sets the new PIN). A dormant wallet is never
    restored (4.6.5). A birth date, when given, must match; a wrong one counts as an attempt."""
    s = wallet_settings.current()
    wallet = _locked(uow, phone)
    if wallet.state == WalletStatus.CLOSED.value:
        raise WalletClosedError(f"wallet {wallet.phone} is closed", phone=wallet.phone)
    if wallet.block_reason == BlockReason.DORMANT.value:
        raise WalletBlockedError(
            f"wallet {wallet.phone} was blocked for dormancy and cannot be restored (4.6.5)",
            phone=wallet.phone,
            reason="dormant",
        )
    if wallet.block_reason == BlockReason.PIN_FORGOTTEN.value and birth_date is None:
        raise InvalidRequestError("restoring after a forgotten PIN needs the birth date (4.6.6)", field="birth_date")
    if new_pin is not None:
        rules.check_pin_format(new_pin, length_min=s.pin_length_min, length_max=s.pin_length_max, field="new_pin")
    if birth_date is not None:
        _refuse_while_locked(uow, wallet)
        if birth_date != wallet.birth_date:
            raise _attempt_failed(uow, wallet, "the birth date does not match", s, error=BirthDateMismatchError)
    if wallet.state == WalletStatus.ACTIVE.value:
        return _read(uow, wallet)
    if wallet.block_reason == BlockReason.FRAUD.value and wallet.hold_transfer_id is not None:
        ledger.void_pending(
            uow, pending_id=wallet.hold_transfer_id, idempotency_key=f"wallet:release:{wallet.hold_transfer_id}"
        )
        wallet.hold_transfer_id = None
    if new_pin is not None:
        wallet.pin_hash = rules.hash_pin(_hasher(s), new_pin)
        wallet.pin_failures, wallet.pin_locked_until = 0, None
    _set_state(uow, wallet, WalletStatus.ACTIVE, None, change="restored")
    return _read(uow, wallet)


def activate(uow: UnitOfWork, *, phone: str, birth_date: date, new_pin: str) -> WalletRead:
    """4.6.6, the customer's own channel: only a wallet whose PIN was cancelled is restored
    this way (a lost phone or a freeze goes through the call-centre or the operator)."""
    wallet = _locked(uow, phone)
    if wallet.state == WalletStatus.ACTIVE.value:
        return _read(uow, wallet)
    if wallet.block_reason != BlockReason.PIN_FORGOTTEN.value:
        _refuse_if_closed_or_dormant(wallet)
        rules.check_usable(_status(wallet), _reason(wallet), phone=wallet.phone)
    return restore(uow, phone=wallet.phone, birth_date=birth_date, new_pin=new_pin)


def release(uow: UnitOfWork, *, phone: str) -> WalletRead:
    """The fraud suspicion was cleared: release the hold and restore the wallet (4.6.4)."""
    wallet = _locked(uow, phone)
    if wallet.block_reason != BlockReason.FRAUD.value:
        raise ConflictError(f"wallet {wallet.phone} is not frozen", phone=wallet.phone)
    return restore(uow, phone=wallet.phone)


def return_frozen(uow: UnitOfWork, *, phone: str, idempotency_key: str) -> Receipt:
    """Return the frozen funds as the law says (5.2.2) and end the contract: the hold is
    posted and paid out; the wallet is closed."""
    wallet = _locked(uow, phone)
    key = f"{wallet.phone}:return:{idempotency_key}"
    request = {"op": "return", "phone": wallet.phone}
    replay = _replay(uow, key, request)
    if replay is not None:
        return replay
    if wallet.block_reason != BlockReason.FRAUD.value or wallet.hold_transfer_id is None:
        raise ConflictError(f"wallet {wallet.phone} holds no frozen funds", phone=wallet.phone)
    hold_id = wallet.hold_transfer_id
    posted = ledger.post_pending(uow, pending_id=hold_id, idempotency_key=f"wallet:return:{hold_id}")
    _ensure_account(uow, RETURNS, kind="external", allow_negative=True)
    ledger.transfer(
        uow,
        debit=FROZEN,
        credit=RETURNS,
        amount=posted.amount,
        reason="wallet.return",
        idempotency_key=f"wallet:return-out:{hold_id}",
    )
    op = _record(
        uow, new_id(), kind=OperationKind.RETURN, status=OperationStatus.COMPLETED, key=key, request=request,
        payer=wallet.phone, source="operator", amount=posted.amount, commission=0,
    )  # fmt: skip
    wallet.hold_transfer_id = None
    _close_ledger_account(uow, wallet)
    wallet.closed_at = uow.clock.now()
    _set_state(uow, wallet, WalletStatus.CLOSED, BlockReason.FRAUD, change="closed")
    return _receipt(op)


def forget_pin(uow: UnitOfWork, *, phone: str) -> WalletRead:
    """4.6.1 e): the customer cancels a forgotten PIN; the wallet is blocked until restored
    from their own number with the birth date (4.6.6)."""
    wallet = _locked(uow, phone)
    _refuse_if_closed_or_dormant(wallet)
    if wallet.state == WalletStatus.BLOCKED.value and wallet.block_reason != BlockReason.PIN_FORGOTTEN.value:
        raise WalletBlockedError(
            f"wallet {wallet.phone} is blocked ({wallet.block_reason}): the call-centre restores it",
            phone=wallet.phone,
            reason=wallet.block_reason,
        )
    wallet.pin_hash, wallet.pin_failures, wallet.pin_locked_until = None, 0, None
    if wallet.state != WalletStatus.BLOCKED.value:
        _set_state(uow, wallet, WalletStatus.BLOCKED, BlockReason.PIN_FORGOTTEN, change="pin_cancelled")
    return _read(uow, wallet)


def close(uow: UnitOfWork, *, phone: str, pin: str | None = None) -> WalletRead:
    """4.6.1 a), 4.6.2: the customer closes the wallet; its balance must be zero. Channels
    that authenticate the customer otherwise (the sandbox) pass no PIN."""
    wallet = _locked(uow, phone)
    if pin is not None:
        _verify_pin(uow, wallet, pin)
    if wallet.state == WalletStatus.CLOSED.value:
        return _read(uow, wallet)
    rules.check_usable(_status(wallet), _reason(wallet), phone=wallet.phone)
    account = _account(uow, wallet.phone)
    if account.balance != 0 or account.credits_pending or account.debits_pending:
        raise BalanceNotZeroError(
            f"wallet {wallet.phone} holds {account.balance} tiyin: spend or send it first (4.6.2)",
            balance=account.balance,
        )
    _close_ledger_account(uow, wallet)
    wallet.closed_at = uow.clock.now()
    _set_state(uow, wallet, WalletStatus.CLOSED, None, change="closed")
    return _read(uow, wallet)


# --- dormancy (offer 4.5.3, 4.6.1 d, 4.6.5) ------------------------------------------------------------


def run_dormancy(uow: UnitOfWork, *, phone: str) -> int | None:
    """The due dormancy check of one wallet. More than 3 years without an operation: blocked
    for good, the balance moved to the operator's income; returns the amount (tiyin).
    Otherwise it schedules the next check and returns None. Running it twice changes nothing."""
    s = wallet_settings.current()
    wallet = _locked(uow, phone)
    now = uow.clock.now()
    if wallet.state == WalletStatus.CLOSED.value or wallet.block_reason == BlockReason.DORMANT.value:
        return None
    due = rules.dormancy_due(wallet.last_activity_at, years=s.dormancy_years)
    if now < due:  # an operation since: look again 3 years after it
        _schedule_dormancy(uow, wallet, s)
        return None
    if wallet.hold_transfer_id is not None:  # a fraud freeze is cleared first (5.2.2)
        _schedule_at(uow, wallet, now + timedelta(days=s.dormancy_recheck_days))
        return None
    available = _account(uow, wallet.phone).available
    if available > 0:
        _ensure_account(uow, DORMANT_INCOME, kind="income", allow_negative=False)
        op_id = new_id()
        ledger.transfer(
            uow,
            debit=wallet_account_code(wallet.phone),
            credit=DORMANT_INCOME,
            amount=available,
            reason="wallet.dormant",
            idempotency_key=f"wallet:{op_id}",
        )
        _record(
            uow, op_id, kind=OperationKind.FORFEIT, status=OperationStatus.COMPLETED,
            key=f"{wallet.phone}:dormant:{op_id}", request={"op": "dormant", "phone": wallet.phone},
            payer=wallet.phone, source="operator",
            amount=available, commission=0,
        )  # fmt: skip
    _set_state(uow, wallet, WalletStatus.BLOCKED, BlockReason.DORMANT, change="dormant")
    return available


# --- helpers -------------------------------------------------------------------------------------------


def _wallet(uow: UnitOfWork, phone: str) -> WalletAccount:
    phone = rules.normalise_phone(phone)
    return _found(repository.wallet(uow.session, phone), phone)


def _locked(uow: UnitOfWork, phone: str) -> WalletAccount:
    phone = rules.normalise_phone(phone)
    return _found(repository.lock_wallets(uow.session, [phone]).get(phone), phone)


def _found(wallet: _W | None, phone: str) -> _W:
    if wallet is None:
        raise WalletNotFoundError(f"no wallet {phone}", phone=phone)
    return wallet


def _provider(provider_id: str) -> Provider:
    found = repository.providers().get((provider_id or "").strip())
    if found is None:
        raise ProviderNotFoundError(f"no provider {provider_id!r}", provider=provider_id)
    return found


def _status(wallet: WalletAccount | WalletRecord) -> WalletStatus:
    return WalletStatus(wallet.state)


def _reason(wallet: WalletAccount | WalletRecord) -> BlockReason | None:
    return BlockReason(wallet.block_reason) if wallet.block_reason else None


def _refuse_if_closed_or_dormant(wallet: WalletAccount) -> None:
    if wallet.state == WalletStatus.CLOSED.value:
        raise WalletClosedError(f"wallet {wallet.phone} is closed", phone=wallet.phone)
    if wallet.block_reason == BlockReason.DORMANT.value:
        raise WalletBlockedError(f"wallet {wallet.phone} is blocked for good (dormant)", phone=wallet.phone)


def _set_state(
    uow: UnitOfWork, wallet: WalletAccount, state: WalletStatus, reason: BlockReason | None, *, change: str
) -> None:
    wallet.state, wallet.block_reason = state.value, reason.value if reason else None
    uow.add_event(
        WalletStateChanged(
            occurred_at=uow.clock.now(),
            phone=wallet.phone,
            state=state.value,
            reason=wallet.block_reason,
            change=change,
        )
    )


def _close_ledger_account(uow: UnitOfWork, wallet: WalletAccount) -> None:
    # A ceiling of zero: nothing can ever be credited to a closed wallet, whoever tries.
    ledger.set_upper_limit(uow, code=wallet_account_code(wallet.phone), upper_limit=0)


def _account(uow: UnitOfWork, phone: str) -> AccountRead:
    return ledger.get_account(uow, code=wallet_account_code(phone))


def _read(uow: UnitOfWork, wallet: WalletAccount) -> WalletRead:
    s = wallet_settings.current()
    account = _account(uow, wallet.phone)
    light = wallet.tier == Tier.LIGHT.value
    since = rules.topup_window_start(uow.clock.now(), days=s.topup_window_days)
    return WalletRead(
        phone=wallet.phone,
        tier=Tier(wallet.tier),
        state=WalletStatus(wallet.state),
        block_reason=_reason(wallet),
        balance=account.balance,
        available=account.available,
        frozen=account.debits_pending if wallet.hold_transfer_id else 0,
        topups_30d=repository.topups_since(uow.session, wallet.phone, since),
        balance_limit=s.light_limit_tiyin if light else None,
        topups_30d_limit=s.light_limit_tiyin if light else None,
        created_at=wallet.created_at,
        identified_at=wallet.identified_at,
        last_activity_at=wallet.last_activity_at,
    )


def _replay_and_topups(
    uow: UnitOfWork, key: str, payee: WalletRecord, now: datetime, s: WalletSettings
) -> tuple[OperationRecord | None, int]:
    """Under the payee's lock, one round trip: the operation already recorded under `key`,
    and the payee's top-ups of the 30-day window — read only for a Light wallet (4.5.2:
    Premium has no limits of the offer; 0 is returned)."""
    if payee.tier != Tier.LIGHT.value:
        return repository.replay_and_topups(uow.session, key[:200], payee=None, since=None)
    since = rules.topup_window_start(now, days=s.topup_window_days)
    return repository.replay_and_topups(uow.session, key[:200], payee=payee.phone, since=since)


def _settle_card(uow: UnitOfWork, op: WalletOperation, *, approved: bool) -> None:
    """Under the payee's lock (taken by the caller)."""
    assert op.ledger_transfer_id is not None and op.payee_phone is not None
    now = uow.clock.now()
    if approved:
        ledger.post_pending(uow, pending_id=op.ledger_transfer_id, idempotency_key=f"wallet:{op.id}:post")
        op.status = OperationStatus.COMPLETED.value
        repository.touch_wallets(uow.session, [op.payee_phone], at=now)
        uow.add_event(
            WalletToppedUp(occurred_at=now, phone=op.payee_phone, source="card", amount=op.amount, receipt=_number(op))
        )
    else:
        ledger.void_pending(uow, pending_id=op.ledger_transfer_id, idempotency_key=f"wallet:{op.id}:void")
        op.status = OperationStatus.DECLINED.value
    op.completed_at = now


def _record(
    uow: UnitOfWork,
    op_id: str,
    *,
    kind: OperationKind,
    status: OperationStatus,
    key: str,
    request: Mapping[str, Any],
    amount: int,
    commission: int,
    payer: str | None = None,
    payee: str | None = None,
    source: str | None = None,
    provider: str | None = None,
    account: str | None = None,
    ledger_transfer_id: str | None = None,
) -> WalletOperation:
    values = _operation_values(
        op_id, uow.clock.now(), kind=kind, status=status, key=key, request=request, amount=amount,
        commission=commission, payer=payer, payee=payee, source=source, provider=provider, account=account,
        ledger_transfer_id=ledger_transfer_id,
    )  # fmt: skip
    return repository.add_operation(uow.session, values)


def _insert(
    uow: UnitOfWork,
    op_id: str,
    now: datetime,
    *,
    kind: OperationKind,
    key: str,
    request: Mapping[str, Any],
    touch: tuple[str, ...],
    amount: int,
    commission: int,
    payer: str | None = None,
    payee: str | None = None,
    source: str | None = None,
    provider: str | None = None,
    account: str | None = None,
) -> OperationRecord:
    """`_record` of a completed operation and `_touch` of its wallets, in Core (the hot path):
    the receipt is built from what was written, not read back."""
    values = _operation_values(
        op_id, now, kind=kind, status=OperationStatus.COMPLETED, key=key, request=request, amount=amount,
        commission=commission, payer=payer, payee=payee, source=source, provider=provider, account=account,
    )  # fmt: skip
    seq = repository.insert_operation(uow.session, values, touch=touch, at=now)
    return OperationRecord(seq=seq, **values)


def _operation_values(
    op_id: str,
    now: datetime,
    *,
    kind: OperationKind,
    status: OperationStatus,
    key: str,
    request: Mapping[str, Any],
    amount: int,
    commission: int,
    payer: str | None = None,
    payee: str | None = None,
    source: str | None = None,
    provider: str | None = None,
    account: str | None = None,
    ledger_transfer_id: str | None = None,
) -> dict[str, Any]:
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
        "idempotency_key": key[:200],
        "request_hash": _fingerprint(request),
        "ledger_transfer_id": ledger_transfer_id,
        "created_at": now,
        "completed_at": None if status == OperationStatus.PENDING else now,
    }


def _replay(uow: UnitOfWork, key: str, request: Mapping[str, Any]) -> Receipt | None:
    """Under the wallet's lock: the same key with the same request gives the first receipt;
    with another request it is refused. A refused request wrote nothing: its key stays free."""
    existing = repository.operation_by_key(uow.session, key[:200])
    if existing is None:
        return None
    return _replayed(existing, request)


def _replayed(existing: WalletOperation | OperationRecord, request: Mapping[str, Any]) -> Receipt:
    if existing.request_hash != _fingerprint(request):
        raise IdempotencyConflictError("this idempotency key was used for a different request")
    return _receipt(existing)


def _receipt(op: WalletOperation | OperationRecord) -> Receipt:
    provider = repository.providers().get(op.provider) if op.provider else None
    payer = f"wallet {op.payer_phone}" if op.payer_phone else (op.source or "operator")
    if op.payee_phone:
        payee = f"wallet {op.payee_phone}"
    elif provider is not None:
        payee = f"{provider.name}, {op.account}"
    elif op.kind == OperationKind.RETURN.value:
        payee = "the customer, as the law says (5.2.2)"
    else:
        payee = "operator"
    return Receipt(
        number=_number(op),
        kind=OperationKind(op.kind),
        status=OperationStatus(op.status),
        created_at=op.created_at.astimezone(TASHKENT),
        completed_at=op.completed_at.astimezone(TASHKENT) if op.completed_at else None,
        payer=payer,
        payee=payee,
        provider=op.provider,
        provider_name=provider.name if provider else None,
        account=op.account,
        amount=op.amount,
        commission=op.commission,
        total=op.amount + op.commission,
    )


def _number(op: WalletOperation | OperationRecord) -> str:
    return rules.receipt_number(op.seq)


def _schedule_dormancy(uow: UnitOfWork, wallet: WalletAccount, s: WalletSettings) -> None:
    _schedule_at(uow, wallet, rules.dormancy_due(wallet.last_activity_at, years=s.dormancy_years))


def _schedule_at(uow: UnitOfWork, wallet: WalletAccount, due: datetime) -> None:
    jobs.schedule(
        uow.session,
        key=f"{DORMANCY_JOB}:{wallet.phone}:{due.astimezone(TASHKENT).isoformat()}",
        kind=DORMANCY_JOB,
        due_at=due,
        payload={"phone": wallet.phone},
        now=uow.clock.now(),
    )


def _verify_pin(uow: UnitOfWork, wallet: WalletAccount | WalletRecord, pin: str | None) -> None:
    """Argon2id, always (no cache). `wallet` is the locked row: an ORM object, or the hot
    path's record — a success then resets the count in Core, a failure is counted on the
    ORM object (read again under the lock this transaction already holds)."""
    s = wallet_settings.current()
    _refuse_while_locked(uow, wallet)
    if wallet.pin_hash is None:
        raise InvalidPinError(
            "the PIN was cancelled: restore the wallet with your birth date and a new PIN (4.6.6)", phone=wallet.phone
        )
    if pin and len(pin) <= 20 and rules.pin_matches(_hasher(s), wallet.pin_hash, pin):
        if wallet.pin_failures:
            if isinstance(wallet, WalletAccount):
                wallet.pin_failures = 0
            else:
                repository.reset_pin_failures(uow.session, wallet.phone)
        return
    counted = wallet if isinstance(wallet, WalletAccount) else _locked(uow, wallet.phone)
    raise _attempt_failed(uow, counted, "wrong PIN", s, error=InvalidPinError)


def _refuse_while_locked(uow: UnitOfWork, wallet: WalletAccount | WalletRecord) -> None:
    locked_until = wallet.pin_locked_until
    if locked_until is not None and locked_until > uow.clock.now():
        raise InvalidPinError(
            "too many wrong attempts: try again later",
            locked_until=locked_until.astimezone(TASHKENT).isoformat(),
        )


def _attempt_failed(
    uow: UnitOfWork,
    wallet: WalletAccount,
    message: str,
    s: WalletSettings,
    *,
    error: type[InvalidPinError] | type[BirthDateMismatchError],
) -> InvalidPinError | BirthDateMismatchError:
    """Count a wrong PIN (or birth date) and lock after too many. A refusal leaves nothing
    behind — but this one must, or retrying would bypass the limit: the error persists the
    counted attempt when it leaves the unit of work (`YagonaError.persist`)."""
    now = uow.clock.now()
    wallet.pin_failures += 1
    details: dict[str, Any] = {"attempts_left": max(0, s.pin_attempts_max - wallet.pin_failures)}
    if wallet.pin_failures >= s.pin_attempts_max:
        wallet.pin_failures = 0
        wallet.pin_locked_until = now + timedelta(minutes=s.pin_lockout_minutes)
        details = {"locked_until": wallet.pin_locked_until.astimezone(TASHKENT).isoformat()}
        message = f"{message}: too many wrong attempts, locked for {s.pin_lockout_minutes} minutes"
    return error(message, **details)


def _ensure_account(uow: UnitOfWork, code: str, *, kind: str, allow_negative: bool, shards: int = 1) -> None:
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


def _check_amount(amount: object) -> None:
    if isinstance(amount, bool) or not isinstance(amount, int) or not 0 < amount <= MAX_TIYIN:
        raise InvalidRequestError("an amount is a positive whole number of tiyin", field="amount")


def _enum(kind: type[_E], value: object, field: str) -> _E:
    try:
        return kind(str(value))
    except ValueError:
        choices = ", ".join(member.value for member in kind)
        raise InvalidRequestError(f"{field} must be one of: {choices}", field=field) from None


@lru_cache(maxsize=4)
def _hasher_for(time_cost: int, memory_kib: int, parallelism: int) -> PasswordHasher:
    return rules.pin_hasher(time_cost=time_cost, memory_kib=memory_kib, parallelism=parallelism)


def _hasher(s: WalletSettings) -> PasswordHasher:
    return _hasher_for(s.pin_hash_time_cost, s.pin_hash_memory_kib, s.pin_hash_parallelism)


def _fingerprint(request: Mapping[str, Any]) -> str:
    return hashlib.sha256(json.dumps(request, sort_keys=True, separators=(",", ":")).encode()).hexdigest()
