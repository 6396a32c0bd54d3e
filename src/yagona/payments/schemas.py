"""What the payments domain answers and is configured with."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

System = Literal["payme", "click"]
Target = Literal["line", "wallet", "home"]

CREATED, PERFORMED, CANCELLED, CANCELLED_AFTER_PERFORM = 1, 2, -1, -2


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class PaymentsConfig(_Frozen):
    """Handed in by the composition root. A missing key refuses every call of that system."""

    payme_key: str | None = None
    click_secret_key: str | None = None
    click_service_id: str | None = None
    min_amount_tiyin: int = 100_000
    max_amount_tiyin: int = 1_000_000_000
    payme_merchant_id: str | None = None  # the portal's checkout links; None: no Payme link
    payme_checkout_url: str = "https://checkout.paycom.uz"
    click_merchant_id: str | None = None  # None: no Click link


class Checkout(_Frozen):
    """The portal's "pay with Payme / Click" for an amount: the links, or why there are none."""

    amount: int | None  # tiyin, when the amount given is a payable one
    problem: Literal["amount", "blocked", "limit"] | None
    payme_url: str | None
    click_url: str | None


class PaymentRead(_Frozen):
    """A payment through Payme or Click as its payer sees it."""

    system: System
    amount: int  # tiyin
    state: int
    created_at: datetime


class TransactionRead(_Frozen):
    seq: int
    system: System
    external_id: str
    target: Target
    account: str
    amount: int
    state: int
    reason: int | None
    external_time: int | None
    created_at: datetime
    performed_at: datetime | None
    cancelled_at: datetime | None


# --- the protocols' answers, for the OpenAPI document (the routes answer these shapes) ----------


class PaymeErrorBody(_Frozen):
    code: int
    message: dict[str, str]  # uz, ru, en
    data: Any = None


# Payme's protocol speaks tiyin (its Amount type); the OpenAPI names the unit.
Tiyin = Annotated[int, Field(json_schema_extra={"x-unit": "tiyin"})]


class PaymeStatementRow(_Frozen):
    """A GetStatement row: the protocol's Transaction (times in ms since the epoch)."""

    id: str
    time: int | None
    amount: Tiyin
    account: dict[str, str]  # {"phone": …}, {"wallet": …} or {"home": …}
    create_time: int
    perform_time: int
    cancel_time: int
    transaction: str
    state: int
    reason: int | None
    receivers: list[dict[str, Any]] | None = None


class PaymeResult(_Frozen):
    """The fields a method answers (each method its own subset; times in ms since the epoch)."""

    allow: bool | None = None
    create_time: int | None = None
    perform_time: int | None = None
    cancel_time: int | None = None
    transaction: str | None = None
    state: int | None = None
    reason: int | None = None
    transactions: list[PaymeStatementRow] | None = None  # GetStatement
    success: bool | None = None  # ChangePassword


class PaymeAnswer(_Frozen):
    jsonrpc: Literal["2.0"]
    id: int | str | None
    result: PaymeResult | None = None
    error: PaymeErrorBody | None = None


class ClickAnswer(_Frozen):
    click_trans_id: int | str | None  # a bigint in Click's answers
    merchant_trans_id: str | None
    merchant_prepare_id: int | None = None
    merchant_confirm_id: int | None = None
    error: int
    error_note: str
