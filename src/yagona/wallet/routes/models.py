"""Request bodies of the wallet's REST (`ApiModel`: unknown fields refused, nothing coerced;
money is `SomPositive`: a JSON number of so'm with at most two decimals)."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from yagona.platform.api import ApiModel, IsoDate, Msisdn, SomPositive

# A date arrives as "YYYY-MM-DD" text in JSON: that is its form, not a coercion.
Pin = Annotated[str, Field(min_length=1, max_length=20)]
CardNumber = Annotated[str, Field(min_length=16, max_length=24, pattern=r"^[0-9 ]+$")]


class RegisterBody(ApiModel):
    """Offer 4.1.1: the phone (one of your One ID's; yours when you have one), a PIN you
    create, your birth date, and the acceptance of the offer in force, naming its version."""

    phone: Msisdn | None = None
    pin: Pin
    birth_date: IsoDate
    accept_offer: bool
    offer_version: str = Field(min_length=1, max_length=40)


class CardTopupBody(ApiModel):
    amount: SomPositive
    card_number: CardNumber


class TransferBody(ApiModel):
    to: Msisdn
    amount: SomPositive


class PaymentBody(ApiModel):
    """A payment to a provider (`GET /api/v1/wallets/providers` … see docs/wallet.md)."""

    provider: str = Field(min_length=1, max_length=40)
    account: str = Field(min_length=1, max_length=60)
    amount: SomPositive


class RedemptionBody(ApiModel):
    """Offer 5.4.2: present the balance for redemption — paid out to your card."""

    amount: SomPositive
    card_number: CardNumber


class PinRestoreBody(ApiModel):
    """4.6.6: your birth date and a new PIN (after signing in with the SMS code)."""

    birth_date: IsoDate
    new_pin: Pin


class PromoBody(ApiModel):
    amount: SomPositive
    promotion: str = Field(default="promo", min_length=1, max_length=40)


class IdentifyBody(ApiModel):
    document: str = Field(max_length=40)
    birth_date: IsoDate | None = None
    staff: str = Field(default="office", max_length=120)


class BlockBody(ApiModel):
    reason: Literal["lost", "fraud"]


class StaffRestoreBody(ApiModel):
    """The call-centre restores; with a forgotten PIN, the birth date and a new PIN."""

    birth_date: IsoDate | None = None
    new_pin: Pin | None = None


class CardAnswer(ApiModel):
    approved: bool
