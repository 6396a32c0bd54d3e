"""What the wallet's pages share: who is signed in, which of their wallets, the wallet's
card (also on the dashboard), names of kinds and states, reading a form's amount, and how a
refusal is said and left behind (nothing written but a counted wrong PIN)."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request
from fastapi.responses import RedirectResponse
from starlette.exceptions import HTTPException

from yagona.kernel.errors import ForbiddenError, InvalidRequestError, YagonaError
from yagona.kernel.money import Money
from yagona.kernel.phone import display_msisdn
from yagona.platform import i18n
from yagona.platform.auth import Principal
from yagona.platform.pages.core import N_, flash, page_language, pages_of
from yagona.platform.uow import UnitOfWork
from yagona.platform.web import unit_of_work
from yagona.wallet import service
from yagona.wallet.schemas import WalletRead

Uow = Annotated[UnitOfWork, Depends(unit_of_work)]
KEY_BYTES = 18  # the one-time idempotency key a confirm form carries

KINDS = {
    "topup_card": N_("Top-up by card"),
    "topup_promo": N_("Promotional top-up"),
    "topup_payment": N_("Top-up through a payment system"),
    "topup_reversal": N_("Top-up returned to the payment system"),
    "transfer": N_("Transfer"),
    "payment": N_("Payment"),
    "forfeit": N_("Forfeited balance"),
    "return": N_("Return"),
    "redemption": N_("Redemption"),
}
STATUSES = {"completed": N_("Completed"), "pending": N_("Waiting for the card processor"), "declined": N_("Declined")}
TIERS = {"light": N_("Light (not identified)"), "premium": N_("Premium (identified)")}
STATES = {"active": N_("Active"), "blocked": N_("Blocked"), "closed": N_("Closed")}


@dataclass(frozen=True)
class LimitBar:
    label: str  # a msgid
    used: Money
    limit: Money

    @property
    def percent(self) -> int:
        return min(100, round(100 * self.used.tiyin / self.limit.tiyin)) if self.limit.tiyin else 0


@dataclass(frozen=True)
class WalletCard:
    phone: str
    number: str  # +998 90 123 45 67
    tier: str  # a msgid
    state: str  # a msgid
    active: bool
    balance: Money
    available: Money
    limits: list[LimitBar]


def wallet_card(wallet: WalletRead) -> WalletCard:
    limits = []
    if wallet.topups_30d_limit is not None:
        used, limit = Money(wallet.topups_30d), Money(wallet.topups_30d_limit)
        limits.append(LimitBar(N_("Top-ups in the last 30 days"), used, limit))
    if wallet.balance_limit is not None:
        limits.append(LimitBar(N_("Balance ceiling"), Money(wallet.balance), Money(wallet.balance_limit)))
    state = str(wallet.state)
    return WalletCard(
        phone=wallet.phone,
        number=display_msisdn(wallet.phone),
        tier=TIERS.get(str(wallet.tier), str(wallet.tier)),
        state=STATES.get(state, state),
        active=state == "active",
        balance=Money(wallet.balance),
        available=Money(wallet.available),
        limits=limits,
    )


def own_wallets(uow: UnitOfWork, principal: Principal) -> list[WalletRead]:
    return service.own_wallets(uow, customer_id=principal.customer_id, phones=principal.phones)


def own_wallet(uow: UnitOfWork, principal: Principal, phone: str) -> str:
    """The phone of the customer's own wallet (`phone` chooses among several; empty: the one).
    Another customer's number is the 404 page, as a number with no wallet would be."""
    try:
        return service.own_wallet(uow, customer_id=principal.customer_id, phones=principal.phones, phone=phone or None)
    except (ForbiddenError, InvalidRequestError) as error:
        if isinstance(error, InvalidRequestError) and not phone:
            raise  # several wallets and none named: said on the page
        raise HTTPException(404) from None


def to_login() -> RedirectResponse:
    return RedirectResponse("/login", status_code=303)


def amount_of(text: str) -> int:
    """The so'm a person typed (`5 000`, `5000,50`) as tiyin; not an amount: `invalid_request`."""
    return Money.parse(text.strip()).tiyin


def new_key() -> str:
    """A one-time idempotency key, generated with a confirm form: posting it twice pays once."""
    return secrets.token_urlsafe(KEY_BYTES)


def said(request: Request, error: YagonaError) -> str:
    """The refusal in the visitor's language."""
    return i18n.localize(error, page_language(request))


def left_behind(uow: UnitOfWork, error: YagonaError) -> None:
    """After a refusal: keep only its own security record (a counted wrong PIN), drop the rest."""
    if error.persist:
        uow.commit()
    else:
        uow.rollback()


def to_receipt(request: Request, number: str) -> RedirectResponse:
    response = RedirectResponse(f"/wallet/receipts/{number}", status_code=303)
    text = pages_of(request).gettext(page_language(request), N_("Done. Here is the receipt."))
    flash(request, response, text, level="success")
    return response


def wallet_orders(request: Request) -> service.WalletOrders | None:
    """The app's group commit for transfers and payments (`app.state.wallet_orders`); None
    in an app built without it."""
    orders: service.WalletOrders | None = getattr(request.app.state, "wallet_orders", None)
    return orders
