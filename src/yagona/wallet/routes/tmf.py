"""TMF676 Payment Management, the shape of a wallet payment for TM Forum clients
(`/tmf-api/paymentManagement/v4/payment`): camelCase and `@type` here only. Authorised as
Yagona's own `/api/v1/me/wallet/payments`: the customer's One ID (`wallet:pay`), the PIN."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Path, Request
from pydantic import BaseModel, ConfigDict, Field

from yagona.kernel.money import Money
from yagona.platform.api import ApiModel, Som, SomPositive, Timestamp, idempotency_key
from yagona.platform.auth import Principal, require_customer
from yagona.wallet import service
from yagona.wallet.errors import ReceiptNotFoundError
from yagona.wallet.routes.common import BILLER_DOWN, ChosenPhone, Uow, WalletPin, own_wallet, wallet_orders
from yagona.wallet.schemas import OperationKind, Receipt

router = APIRouter(prefix="/tmf-api/paymentManagement/v4", tags=["wallet (TMF676)"])
Payer = Annotated[Principal, Depends(require_customer("wallet:pay"))]
Reader = Annotated[Principal, Depends(require_customer("wallet"))]
Key = Annotated[str, Depends(idempotency_key)]


class Tmf676MoneyIn(ApiModel):
    unit: Literal["UZS"] = "UZS"
    value: SomPositive


class Tmf676Money(BaseModel):
    unit: Literal["UZS"] = "UZS"
    value: Som


class Tmf676RefIn(ApiModel):
    model_config = ConfigDict(populate_by_name=True)
    id: str = Field(min_length=1, max_length=60)
    name: str | None = Field(default=None, max_length=120)
    referred_type: str | None = Field(default=None, alias="@referredType", max_length=40)


class Tmf676Ref(BaseModel):
    model_config = ConfigDict(populate_by_name=True, serialize_by_alias=True)
    id: str
    name: str | None = None
    referred_type: str | None = Field(default=None, alias="@referredType")


class PaymentCreate(ApiModel):
    """TMF676 Payment_Create, as far as a wallet payment needs: `payee` names the provider,
    `account` the provider's account (a msisdn for `mobile`)."""

    model_config = ConfigDict(populate_by_name=True)
    correlator_id: str | None = Field(default=None, alias="correlatorId", max_length=120)
    description: str | None = Field(default=None, max_length=200)
    amount: Tmf676MoneyIn
    account: Tmf676RefIn
    payee: Tmf676RefIn


class Payment(BaseModel):
    """TMF676 Payment (amounts in so'm, as the receipt)."""

    model_config = ConfigDict(populate_by_name=True, serialize_by_alias=True)
    id: str
    href: str
    type: Literal["Payment"] = Field(default="Payment", alias="@type")
    correlator_id: str | None = Field(default=None, alias="correlatorId")
    description: str | None = None
    status: str
    payment_date: Timestamp = Field(alias="paymentDate")
    amount: Tmf676Money
    total_amount: Tmf676Money = Field(alias="totalAmount")
    commission: Tmf676Money
    account: Tmf676Ref
    payee: Tmf676Ref
    payment_method: Tmf676Ref = Field(alias="paymentMethod")


def _money(tiyin: int) -> Tmf676Money:
    return Tmf676Money(value=Money(tiyin))


def _payment(
    receipt: Receipt, phone: str, *, correlator_id: str | None = None, description: str | None = None
) -> Payment:
    return Payment(
        id=receipt.number,
        href=f"{router.prefix}/payment/{receipt.number}",
        correlator_id=correlator_id,
        description=description,
        status="succeeded" if receipt.status.value == "completed" else receipt.status.value,
        payment_date=receipt.created_at,
        amount=_money(receipt.amount),
        total_amount=_money(receipt.total),
        commission=_money(receipt.commission),
        account=Tmf676Ref(id=receipt.account or "", referred_type="ProviderAccount"),
        payee=Tmf676Ref(id=receipt.provider or "", name=receipt.provider_name, referred_type="Provider"),
        payment_method=Tmf676Ref(id=f"wallet:{phone}", referred_type="EWallet"),
    )


@router.post("/payment", status_code=201, response_model_by_alias=True, responses=BILLER_DOWN)
def create_payment(
    *,
    request: Request,
    body: PaymentCreate,
    uow: Uow,
    principal: Payer,
    pin: WalletPin,
    key: Key,
    phone: ChosenPhone = None,
) -> Payment:
    own = own_wallet(uow, principal, phone)
    receipt = service.place_payment(
        wallet_orders(request), uow, phone=own, provider=body.payee.id, account=body.account.id,
        amount=body.amount.value.tiyin, pin=pin, idempotency_key=key,
    )  # fmt: skip
    return _payment(receipt, own, correlator_id=body.correlator_id, description=body.description)


@router.get("/payment/{payment_id}", response_model_by_alias=True)
def get_payment(
    payment_id: Annotated[str, Path(max_length=24)], uow: Uow, principal: Reader, phone: ChosenPhone = None
) -> Payment:
    own = own_wallet(uow, principal, phone)
    receipt = service.receipt(uow, phone=own, number=payment_id)
    if receipt.kind != OperationKind.PAYMENT:
        raise ReceiptNotFoundError(f"no payment {payment_id[:24]}")
    return _payment(receipt, own)
