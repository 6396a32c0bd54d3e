"""The wallet's pages: the signed-in customer's wallet — balance, the Light limits used,
recent receipts — and a printable page per receipt. They call the same `service` as the
wallet's REST and hold no rule; another customer's receipt is the 404 page."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request
from fastapi.responses import RedirectResponse, Response
from starlette.exceptions import HTTPException

from yagona.kernel.money import Money
from yagona.kernel.phone import display_msisdn
from yagona.platform.auth import Principal, session_customer
from yagona.platform.pages.core import N_, page_router, render
from yagona.platform.uow import UnitOfWork
from yagona.platform.web import unit_of_work
from yagona.wallet import service
from yagona.wallet.errors import ReceiptNotFoundError
from yagona.wallet.schemas import Receipt, WalletRead

router = page_router(prefix="/wallet")

Uow = Annotated[UnitOfWork, Depends(unit_of_work)]
RECENT_RECEIPTS = 20

KINDS = {
    "topup_card": N_("Top-up by card"),
    "topup_promo": N_("Promotional top-up"),
    "transfer": N_("Transfer"),
    "payment": N_("Payment"),
    "forfeit": N_("Forfeited balance"),
    "return": N_("Return"),
    "redemption": N_("Redemption"),
}
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


def _own_wallets(uow: UnitOfWork, principal: Principal) -> list[WalletRead]:
    return service.own_wallets(uow, customer_id=principal.customer_id, phones=principal.phones)


@router.get("")
def wallet_page(request: Request, uow: Uow) -> Response:
    """The customer's wallet(s): balance, limits used, recent receipts."""
    principal = session_customer(request, uow)
    if principal is None:
        return RedirectResponse("/login", status_code=303)
    wallets = []
    for wallet in _own_wallets(uow, principal):
        page = service.receipts(uow, phone=wallet.phone, limit=RECENT_RECEIPTS)
        wallets.append((wallet_card(wallet), [(r, Money(r.total)) for r in page.items]))
    return render(request, "wallet/index.html", wallets=wallets, kinds=KINDS)


@router.get("/receipts/{number}")
def receipt_page(request: Request, number: str, uow: Uow) -> Response:
    """A printable receipt of one of the customer's wallets; any other number is the 404 page."""
    principal = session_customer(request, uow)
    if principal is None:
        return RedirectResponse("/login", status_code=303)
    found: Receipt | None = None
    for wallet in _own_wallets(uow, principal):
        try:
            found = service.receipt(uow, phone=wallet.phone, number=number[:40])
            break
        except ReceiptNotFoundError:
            continue
    if found is None:
        raise HTTPException(404)
    return render(
        request,
        "wallet/receipt.html",
        receipt=found,
        kinds=KINDS,
        amount=Money(found.amount),
        commission=Money(found.commission),
        total=Money(found.total),
    )
