"""Staff actions on any wallet (`/api/v1/wallets/{phone}/...`, the staff key only): office
identification, promotions, the call-centre's block and restore, the operator's freeze,
release and return, reads for support, and the card processor's callback."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query

from yagona.kernel.phone import MSISDN_PATTERN
from yagona.platform.api import idempotency_key
from yagona.platform.auth import require_staff
from yagona.wallet import service
from yagona.wallet.routes.common import Uow
from yagona.wallet.routes.models import BlockBody, CardAnswer, IdentifyBody, PromoBody, StaffRestoreBody
from yagona.wallet.schemas import TopupSource
from yagona.wallet.views import ReceiptPageView, ReceiptView, WalletView

router = APIRouter(prefix="/api/v1/wallets", tags=["wallet (staff)"], dependencies=[Depends(require_staff)])
Phone = Annotated[str, Path(pattern=MSISDN_PATTERN, description="the wallet's number: 998 and 9 digits")]
Key = Annotated[str, Depends(idempotency_key)]


@router.get("/{phone}")
def get_wallet(phone: Phone, uow: Uow) -> WalletView:
    return WalletView.of(service.get(uow, phone=phone))


@router.get("/{phone}/receipts")
def list_receipts(
    phone: Phone,
    uow: Uow,
    cursor: Annotated[str | None, Query(max_length=24)] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> ReceiptPageView:
    return ReceiptPageView.of(service.receipts(uow, phone=phone, cursor=cursor, limit=limit))


@router.post("/{phone}/identify")
def identify(phone: Phone, body: IdentifyBody, uow: Uow) -> WalletView:
    wallet = service.identify(uow, phone=phone, document=body.document, birth_date=body.birth_date, staff=body.staff)
    uow.commit()
    return WalletView.of(wallet)


@router.post("/{phone}/promotions", status_code=201)
def top_up_from_promotion(phone: Phone, body: PromoBody, uow: Uow, key: Key) -> ReceiptView:
    receipt = service.topup(
        uow, phone=phone, amount=body.amount.tiyin, source=TopupSource.PROMO, idempotency_key=key,
        promotion=body.promotion,
    )  # fmt: skip
    uow.commit()
    return ReceiptView.of(receipt)


@router.post("/{phone}/block")
def block(phone: Phone, body: BlockBody, uow: Uow) -> WalletView:
    wallet = service.block(uow, phone=phone, reason=body.reason)
    uow.commit()
    return WalletView.of(wallet)


@router.post("/{phone}/restore")
def restore(phone: Phone, body: StaffRestoreBody, uow: Uow) -> WalletView:
    wallet = service.restore(uow, phone=phone, birth_date=body.birth_date, new_pin=body.new_pin)
    uow.commit()
    return WalletView.of(wallet)


@router.post("/{phone}/release")
def release(phone: Phone, uow: Uow) -> WalletView:
    wallet = service.release(uow, phone=phone)
    uow.commit()
    return WalletView.of(wallet)


@router.post("/{phone}/return-frozen")
def return_frozen(phone: Phone, uow: Uow, key: Key) -> ReceiptView:
    receipt = service.return_frozen(uow, phone=phone, idempotency_key=key)
    uow.commit()
    return ReceiptView.of(receipt)


@router.post("/card-topups/{number}")
def card_processor_answer(number: Annotated[str, Path(max_length=24)], body: CardAnswer, uow: Uow) -> ReceiptView:
    """The card processor's callback for a held top-up."""
    receipt = service.confirm_card_topup(uow, number=number, approved=body.approved)
    uow.commit()
    return ReceiptView.of(receipt)
