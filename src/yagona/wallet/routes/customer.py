"""The customer's own wallet (`/api/v1/me/wallet/...`): One ID decides who is calling — a
session cookie, or a bearer token with `wallet` (reads) or `wallet:pay` (money moves, the
PIN, closing) — and the wallet is found from the customer, never from a number in the
URL. Money-moving orders then need the PIN (`X-Wallet-Pin`) and an `Idempotency-Key`."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import PlainTextResponse

from yagona.identity import service as identity
from yagona.identity.schemas import ServiceKind
from yagona.kernel.errors import ForbiddenError, InvalidRequestError
from yagona.kernel.phone import parse_msisdn
from yagona.platform.api import idempotency_key
from yagona.platform.auth import Principal, require_customer
from yagona.wallet import service
from yagona.wallet.routes.common import (
    BILLER_DOWN,
    ChosenPhone,
    Uow,
    WalletPin,
    own_wallet,
    wallet_orders,
)
from yagona.wallet.routes.models import (
    CardTopupBody,
    PaymentBody,
    PinRestoreBody,
    RedemptionBody,
    RegisterBody,
    TransferBody,
)
from yagona.wallet.schemas import TopupSource
from yagona.wallet.views import PaymentQuoteView, ReceiptPageView, ReceiptView, WalletView

router = APIRouter(prefix="/api/v1/me/wallet", tags=["wallet"])
Reader = Annotated[Principal, Depends(require_customer("wallet"))]
Payer = Annotated[Principal, Depends(require_customer("wallet:pay"))]
Key = Annotated[str, Depends(idempotency_key)]
ReceiptNumber = Annotated[str, Path(max_length=24, description="a receipt number, e.g. W0000000001")]


@router.post("", status_code=201)
def register(body: RegisterBody, uow: Uow, principal: Payer) -> WalletView:
    """Offer 4.1: a wallet on one of your own phones, linked to your One ID."""
    if body.phone is not None:
        phone = body.phone
    elif len(principal.phones) == 1:
        phone = principal.phones[0]
    else:
        raise InvalidRequestError("name which of your phones the wallet is for", field="phone")
    if not principal.owns_phone(parse_msisdn(phone)):
        raise ForbiddenError("a wallet is registered on one of your own One ID's phones", field="phone")
    wallet = service.register(
        uow, customer_id=principal.customer_id, phone=phone, pin=body.pin, birth_date=body.birth_date,
        accept_offer=body.accept_offer, offer_version=body.offer_version,
    )  # fmt: skip
    # One ID lists it among the customer's services (`/api/v1/me/services`).
    identity.link_service(uow, customer_id=principal.customer_id, kind=ServiceKind.WALLET, reference=wallet.phone)
    uow.commit()
    return WalletView.of(wallet)


@router.get("")
def get_wallet(uow: Uow, principal: Reader, phone: ChosenPhone = None) -> WalletView:
    return WalletView.of(service.get(uow, phone=own_wallet(uow, principal, phone)))


@router.get("/receipts")
def list_receipts(
    uow: Uow,
    principal: Reader,
    phone: ChosenPhone = None,
    cursor: Annotated[str | None, Query(max_length=24)] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> ReceiptPageView:
    page = service.receipts(uow, phone=own_wallet(uow, principal, phone), cursor=cursor, limit=limit)
    return ReceiptPageView.of(page)


@router.get("/receipts/{number}")
def get_receipt(number: ReceiptNumber, uow: Uow, principal: Reader, phone: ChosenPhone = None) -> ReceiptView:
    """One of your receipts; another wallet's receipt number is not found."""
    return ReceiptView.of(service.receipt(uow, phone=own_wallet(uow, principal, phone), number=number))


@router.get("/receipts/{number}/download", response_class=PlainTextResponse)
def download_receipt(
    number: ReceiptNumber, uow: Uow, principal: Reader, phone: ChosenPhone = None
) -> PlainTextResponse:
    receipt = service.receipt(uow, phone=own_wallet(uow, principal, phone), number=number)
    return PlainTextResponse(
        receipt.as_text(), headers={"Content-Disposition": f'attachment; filename="receipt-{receipt.number}.txt"'}
    )


@router.post("/topups", status_code=201)
def top_up_from_card(
    *, body: CardTopupBody, uow: Uow, principal: Payer, pin: WalletPin, key: Key, phone: ChosenPhone = None
) -> ReceiptView:
    """Offer 4.3.1 b: from your card (held until the card processor confirms)."""
    receipt = service.topup(
        uow, phone=own_wallet(uow, principal, phone), amount=body.amount.tiyin, source=TopupSource.CARD,
        idempotency_key=key, card_number=body.card_number, pin=pin,
    )  # fmt: skip
    uow.commit()
    return ReceiptView.of(receipt)


@router.post("/transfers", status_code=201)
def transfer(
    *,
    request: Request,
    body: TransferBody,
    uow: Uow,
    principal: Payer,
    pin: WalletPin,
    key: Key,
    phone: ChosenPhone = None,
) -> ReceiptView:
    """To another wallet (4.3.1 a); committed with the concurrent orders of this process."""
    receipt = service.place_transfer(
        wallet_orders(request), uow, from_phone=own_wallet(uow, principal, phone), to_phone=body.to,
        amount=body.amount.tiyin, pin=pin, idempotency_key=key,
    )  # fmt: skip
    return ReceiptView.of(receipt)


@router.post("/payments/quote", responses=BILLER_DOWN)
def quote_payment(*, body: PaymentBody, uow: Uow, principal: Reader, phone: ChosenPhone = None) -> PaymentQuoteView:
    """A payment priced before it is made: the commission, the total and — for a utility —
    the account's holder (masked) and the amount due, from its biller. Writes nothing."""
    quote = service.quote_payment(
        uow, phone=own_wallet(uow, principal, phone), provider=body.provider, account=body.account,
        amount=body.amount.tiyin,
    )  # fmt: skip
    return PaymentQuoteView.of(quote)


@router.post("/payments", status_code=201, responses=BILLER_DOWN)
def pay(
    *,
    request: Request,
    body: PaymentBody,
    uow: Uow,
    principal: Payer,
    pin: WalletPin,
    key: Key,
    phone: ChosenPhone = None,
) -> ReceiptView:
    """A payment to a provider (the TMF676 shape of it: `/tmf-api/paymentManagement/v4/payment`);
    committed with the concurrent orders of this process (a utility's: alone)."""
    receipt = service.place_payment(
        wallet_orders(request), uow, phone=own_wallet(uow, principal, phone), provider=body.provider,
        account=body.account, amount=body.amount.tiyin, pin=pin, idempotency_key=key,
    )  # fmt: skip
    return ReceiptView.of(receipt)


@router.post("/redemptions", status_code=201)
def redeem(
    *, body: RedemptionBody, uow: Uow, principal: Payer, pin: WalletPin, key: Key, phone: ChosenPhone = None
) -> ReceiptView:
    """Offer 5.4.2: present the balance for redemption — paid out to your card."""
    receipt = service.redeem(
        uow, phone=own_wallet(uow, principal, phone), amount=body.amount.tiyin, card_number=body.card_number,
        pin=pin, idempotency_key=key,
    )  # fmt: skip
    uow.commit()
    return ReceiptView.of(receipt)


@router.post("/close")
def close(uow: Uow, principal: Payer, pin: WalletPin, phone: ChosenPhone = None) -> WalletView:
    """Offer 4.6.1 a, 4.6.2: the balance must be zero."""
    wallet = service.close(uow, phone=own_wallet(uow, principal, phone), pin=pin)
    uow.commit()
    return WalletView.of(wallet)


@router.post("/pin/forget")
def forget_pin(uow: Uow, principal: Payer, phone: ChosenPhone = None) -> WalletView:
    """Offer 4.6.1 e: cancel a forgotten PIN; the wallet is blocked until you restore it."""
    wallet = service.forget_pin(uow, phone=own_wallet(uow, principal, phone), language=principal.language)
    uow.commit()
    return WalletView.of(wallet)


@router.post("/pin/restore")
def restore_pin(body: PinRestoreBody, uow: Uow, principal: Payer, phone: ChosenPhone = None) -> WalletView:
    """Offer 4.6.6: with a One ID session of this phone signed in by SMS code in the last
    minutes (else 403 `sms_sign_in_required`), your birth date and a new PIN."""
    wallet = service.restore_pin(
        uow, phone=own_wallet(uow, principal, phone), birth_date=body.birth_date, new_pin=body.new_pin,
        auth_methods=principal.auth_methods, authenticated_at=principal.authenticated_at,
        signed_in_phone=principal.signed_in_phone, language=principal.language,
    )  # fmt: skip
    uow.commit()
    return WalletView.of(wallet)
