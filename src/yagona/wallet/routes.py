"""REST of the e-wallet (`/api/v1/wallets/...`): thin — validate, call the service, map.

Customers authenticate an order or a read with their PIN (`X-Wallet-Pin`) until One ID
sessions arrive; staff actions (identify, block, restore, freeze, release, return, the card
processor's callback) answer only to the staff key. Payments take the shape of TMF676.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Header, Query
from fastapi.responses import PlainTextResponse
from pydantic import BaseModel, ConfigDict, Field, field_serializer

from yagona.kernel.money import Money
from yagona.platform.auth import require_staff
from yagona.platform.uow import UnitOfWork
from yagona.platform.web import unit_of_work
from yagona.wallet import service
from yagona.wallet.schemas import Receipt, ReceiptPage, TopupSource, WalletCreate, WalletRead

router = APIRouter(prefix="/api/v1/wallets", tags=["wallet"])
Uow = Annotated[UnitOfWork, Depends(unit_of_work)]
Pin = Annotated[str, Header(alias="X-Wallet-Pin", min_length=1, max_length=20)]
Key = Annotated[str, Header(alias="Idempotency-Key", min_length=1, max_length=120)]
Staff = [Depends(require_staff)]


def _tiyin(som: Decimal) -> int:
    return Money.parse(str(som)).tiyin


class TopupBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    amount: Decimal = Field(gt=0, description="so'm, up to two decimals")
    source: Literal["card"] = "card"
    card_number: str | None = Field(default=None, max_length=24)


class PromoBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    amount: Decimal = Field(gt=0)
    promotion: str = Field(default="promo", max_length=40)


class TransferBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    to: str = Field(max_length=20)
    amount: Decimal = Field(gt=0)


class Tmf676Money(BaseModel):
    unit: Literal["UZS"] = "UZS"
    value: Decimal = Field(gt=0)

    @field_serializer("value")
    def _as_number(self, value: Decimal) -> int | float:
        return Money.parse(str(value)).to_json()  # a JSON number, exact to the tiyin


class Tmf676Ref(BaseModel):
    model_config = ConfigDict(populate_by_name=True)
    id: str = Field(max_length=60)
    name: str | None = None
    referred_type: str | None = Field(default=None, alias="@referredType")


class PaymentCreate(BaseModel):
    """TMF676 Payment_Create, as far as a wallet payment needs: `payee` names the provider,
    `account` the provider's account (a msisdn for `mobile`)."""

    model_config = ConfigDict(populate_by_name=True)
    correlator_id: str | None = Field(default=None, alias="correlatorId", max_length=120)
    description: str | None = Field(default=None, max_length=200)
    amount: Tmf676Money
    account: Tmf676Ref
    payee: Tmf676Ref


class Payment(BaseModel):
    """TMF676 Payment."""

    model_config = ConfigDict(populate_by_name=True, serialize_by_alias=True)
    id: str
    href: str
    type: Literal["Payment"] = Field(default="Payment", alias="@type")
    correlator_id: str | None = Field(alias="correlatorId")
    description: str | None
    status: str
    payment_date: datetime = Field(alias="paymentDate")
    amount: Tmf676Money
    tax_amount: Tmf676Money | None = Field(default=None, alias="taxAmount")
    total_amount: Tmf676Money = Field(alias="totalAmount")
    commission: Tmf676Money | None
    account: Tmf676Ref
    payee: Tmf676Ref
    payment_method: Tmf676Ref = Field(alias="paymentMethod")


class IdentifyBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    document: str = Field(max_length=40)
    birth_date: date | None = None
    staff: str = Field(default="office", max_length=120)


class BlockBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    reason: Literal["lost", "fraud"]


class RestoreBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    birth_date: date | None = None


class ActivateBody(BaseModel):
    """4.6.6: after a forgotten PIN, from the customer's own number, with the birth date."""

    model_config = ConfigDict(extra="forbid")
    birth_date: date
    new_pin: str = Field(max_length=20, repr=False)


class CardAnswer(BaseModel):
    model_config = ConfigDict(extra="forbid")
    approved: bool


def _money(tiyin: int) -> Tmf676Money:
    return Tmf676Money(value=Money(tiyin).som)


# --- customer -------------------------------------------------------------------------------------


@router.post("", status_code=201)
def register(body: WalletCreate, uow: Uow) -> WalletRead:
    wallet = service.register(
        uow, phone=body.phone, pin=body.pin, birth_date=body.birth_date, accept_offer=body.accept_offer
    )
    uow.commit()
    return wallet


@router.get("/{phone}")
def get_wallet(phone: str, uow: Uow, pin: Pin) -> WalletRead:
    service.check_pin(uow, phone=phone, pin=pin)
    return service.get(uow, phone=phone)


@router.post("/{phone}/topups", status_code=201)
def top_up_from_card(phone: str, body: TopupBody, uow: Uow, key: Key) -> Receipt:
    receipt = service.topup(
        uow, phone=phone, amount=_tiyin(body.amount), source=TopupSource.CARD, idempotency_key=key,
        card_number=body.card_number,
    )  # fmt: skip
    uow.commit()
    return receipt


@router.post("/{phone}/transfers", status_code=201)
def transfer(phone: str, body: TransferBody, uow: Uow, pin: Pin, key: Key) -> Receipt:
    receipt = service.transfer(
        uow, from_phone=phone, to_phone=body.to, amount=_tiyin(body.amount), pin=pin, idempotency_key=key
    )
    uow.commit()
    return receipt


@router.post("/{phone}/payments", status_code=201, response_model_by_alias=True)
def pay(phone: str, body: PaymentCreate, uow: Uow, pin: Pin, key: Key) -> Payment:
    receipt = service.pay(
        uow, phone=phone, provider=body.payee.id, account=body.account.id, amount=_tiyin(body.amount.value), pin=pin,
        idempotency_key=key,
    )  # fmt: skip
    uow.commit()
    return Payment(
        id=receipt.number,
        href=f"{router.prefix}/{phone}/receipts/{receipt.number}",
        correlator_id=body.correlator_id,
        description=body.description,
        status="succeeded" if receipt.status.value == "completed" else receipt.status.value,
        payment_date=receipt.created_at,
        amount=_money(receipt.amount),
        total_amount=_money(receipt.total),
        commission=_money(receipt.commission) if receipt.commission else None,
        account=Tmf676Ref(id=receipt.account or body.account.id, referred_type="ProviderAccount"),
        payee=Tmf676Ref(id=body.payee.id, name=receipt.provider_name, referred_type="Provider"),
        payment_method=Tmf676Ref(id=f"wallet:{receipt.payer.removeprefix('wallet ')}", referred_type="EWallet"),
    )


@router.get("/{phone}/receipts")
def list_receipts(
    phone: str, uow: Uow, pin: Pin, cursor: str | None = None, limit: Annotated[int, Query(ge=1)] = 50
) -> ReceiptPage:
    service.check_pin(uow, phone=phone, pin=pin)
    return service.receipts(uow, phone=phone, cursor=cursor, limit=limit)


@router.get("/{phone}/receipts/{number}")
def get_receipt(phone: str, number: str, uow: Uow, pin: Pin) -> Receipt:
    service.check_pin(uow, phone=phone, pin=pin)
    return service.receipt(uow, phone=phone, number=number)


@router.get("/{phone}/receipts/{number}/download", response_class=PlainTextResponse)
def download_receipt(phone: str, number: str, uow: Uow, pin: Pin) -> PlainTextResponse:
    service.check_pin(uow, phone=phone, pin=pin)
    receipt = service.receipt(uow, phone=phone, number=number)
    return PlainTextResponse(
        receipt.as_text(),
        headers={"Content-Disposition": f'attachment; filename="receipt-{receipt.number}.txt"'},
    )


@router.post("/{phone}/close")
def close(phone: str, uow: Uow, pin: Pin) -> WalletRead:
    wallet = service.close(uow, phone=phone, pin=pin)
    uow.commit()
    return wallet


@router.post("/{phone}/pin/forget")
def forget_pin(phone: str, uow: Uow) -> WalletRead:
    wallet = service.forget_pin(uow, phone=phone)
    uow.commit()
    return wallet


@router.post("/{phone}/activate")
def activate(phone: str, body: ActivateBody, uow: Uow) -> WalletRead:
    wallet = service.activate(uow, phone=phone, birth_date=body.birth_date, new_pin=body.new_pin)
    uow.commit()
    return wallet


# --- staff ----------------------------------------------------------------------------------------


@router.post("/{phone}/identify", dependencies=Staff)
def identify(phone: str, body: IdentifyBody, uow: Uow) -> WalletRead:
    wallet = service.identify(uow, phone=phone, document=body.document, birth_date=body.birth_date, staff=body.staff)
    uow.commit()
    return wallet


@router.post("/{phone}/promotions", status_code=201, dependencies=Staff)
def top_up_from_promotion(phone: str, body: PromoBody, uow: Uow, key: Key) -> Receipt:
    receipt = service.topup(
        uow, phone=phone, amount=_tiyin(body.amount), source=TopupSource.PROMO, idempotency_key=key,
        promotion=body.promotion,
    )  # fmt: skip
    uow.commit()
    return receipt


@router.post("/{phone}/block", dependencies=Staff)
def block(phone: str, body: BlockBody, uow: Uow) -> WalletRead:
    wallet = service.block(uow, phone=phone, reason=body.reason)
    uow.commit()
    return wallet


@router.post("/{phone}/restore", dependencies=Staff)
def restore(phone: str, body: RestoreBody, uow: Uow) -> WalletRead:
    wallet = service.restore(uow, phone=phone, birth_date=body.birth_date)
    uow.commit()
    return wallet


@router.post("/{phone}/release", dependencies=Staff)
def release(phone: str, uow: Uow) -> WalletRead:
    wallet = service.release(uow, phone=phone)
    uow.commit()
    return wallet


@router.post("/{phone}/return-frozen", dependencies=Staff)
def return_frozen(phone: str, uow: Uow, key: Key) -> Receipt:
    receipt = service.return_frozen(uow, phone=phone, idempotency_key=key)
    uow.commit()
    return receipt


@router.post("/card-topups/{number}", dependencies=Staff)
def card_processor_answer(number: str, body: CardAnswer, uow: Uow) -> Receipt:
    """The card processor's callback for a held top-up."""
    receipt = service.confirm_card_topup(uow, number=number, approved=body.approved)
    uow.commit()
    return receipt
