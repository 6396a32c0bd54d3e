"""The home-internet pages of the signed-in customer: `/internet/new` asks for home internet
at an address (it waits for the OneID check); `/internet/{contract}` shows the state, plan,
balance, the next fee and its date, IPTV packages, and where to pay (the wallet, a card).
They call the same `service` as the customer's REST and hold no rule; another customer's
contract is the 404 page, as a missing one. `cards_for` gives the dashboard its cards."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Annotated

from fastapi import Depends, Form, Request
from fastapi.responses import RedirectResponse, Response
from starlette.exceptions import HTTPException

from yagona.catalog import home as catalogue
from yagona.catalog.schemas.home import LocalText
from yagona.home import service
from yagona.home.errors import HomeAccountNotFoundError, InvalidRequestError
from yagona.home.schemas import HomeAccountState
from yagona.kernel.errors import YagonaError
from yagona.kernel.money import Money
from yagona.platform import i18n
from yagona.platform.auth import session_customer
from yagona.platform.pages.core import N_, flash, page_language, page_router, pages_of, render
from yagona.platform.uow import UnitOfWork
from yagona.platform.web import unit_of_work

router = page_router(prefix="/internet")
Uow = Annotated[UnitOfWork, Depends(unit_of_work)]

# What each state is called on a page (msgids); said in words, never by colour alone.
STATES = {
    "pending_identity": N_("Waiting for your identity check through OneID"),
    "active": N_("Active"),
    "suspended": N_("Suspended: the balance is short of the monthly fee"),
    "closed": N_("Closed"),
}


@dataclass(frozen=True)
class PackageLine:
    name: LocalText
    monthly_fee: Money


@dataclass(frozen=True)
class HomeCard:
    """What a page shows of a home account."""

    contract: str
    address: str
    state: str
    state_label: str  # a msgid
    plan: LocalText
    speed_mbps: int
    next_plan: LocalText | None
    balance: Money
    next_fee: Money
    next_charge_at: datetime | None
    short_of_fee: bool
    packages: list[PackageLine]
    wallet_url: str
    card_url: str


def home_card(account: HomeAccountState) -> HomeCard:
    plan = catalogue.get_home_plan(account.plan)
    return HomeCard(
        contract=account.contract,
        address=account.address,
        state=account.state,
        state_label=STATES[account.state],
        plan=plan.name,
        speed_mbps=plan.speed_mbps,
        next_plan=catalogue.get_home_plan(account.next_plan).name if account.next_plan else None,
        balance=Money(account.balance_tiyin),
        next_fee=Money(account.next_fee_tiyin),
        next_charge_at=account.next_charge_at,
        short_of_fee=account.state != "closed" and account.balance_tiyin < account.next_fee_tiyin,
        packages=[
            PackageLine(catalogue.get_iptv_package(p.id).name, Money(p.monthly_fee_tiyin)) for p in account.packages
        ],
        wallet_url=f"/wallet/pay?provider=home-internet&account={account.contract}",
        card_url=f"/pay/home/{account.contract}",
    )


def cards_for(uow: UnitOfWork, *, customer_id: str) -> list[HomeCard]:
    """The customer's home accounts as cards (the dashboard shows them beside the lines:
    include `home/_card.html` with `account` and `link=true`)."""
    return [home_card(account) for account in service.accounts_of(uow, customer_id=customer_id)]


def _form(request: Request, *, status_code: int = 200, error: str | None = None, **chosen: object) -> Response:
    catalogue_now = catalogue.get_home_catalogue()
    return render(
        request,
        "home/new.html",
        status_code=status_code,
        plans=[plan for plan in catalogue_now.plans if plan.is_open],
        packages=[package for package in catalogue_now.iptv_packages if package.is_open],
        equipment=[device for device in catalogue_now.equipment if device.is_open],
        error=error,
        chosen={"address": "", "plan": "", "equipment": [], "packages": [], **chosen},
    )


@router.get("/new")
def new_page(request: Request, uow: Uow) -> Response:
    """Ask for home internet: an address, a plan, rented equipment, IPTV packages."""
    if session_customer(request, uow) is None:
        return RedirectResponse(f"/login?next={request.url.path}", status_code=303)
    return _form(request)


@router.post("/new")
def ask(  # noqa: PLR0917 - FastAPI passes a form's fields by name
    request: Request,
    uow: Uow,
    address: Annotated[str, Form(max_length=service.ADDRESS_MAX)] = "",
    plan: Annotated[str, Form(max_length=64)] = "",
    equipment: Annotated[list[str] | None, Form(max_length=64)] = None,
    packages: Annotated[list[str] | None, Form(max_length=64)] = None,
) -> Response:
    """The request, or the form again with the refusal in the visitor's language (nothing written)."""
    principal = session_customer(request, uow)
    if principal is None:
        return RedirectResponse("/login?next=/internet/new", status_code=303)
    devices, tv = (equipment or [])[:5], (packages or [])[:20]
    try:
        account = service.request_connection(
            uow, customer_id=principal.customer_id, address=address, plan_id=plan, equipment=devices, packages=tv
        )
    except YagonaError as error:
        chosen = {"address": address, "plan": plan, "equipment": devices, "packages": tv}
        refusal = i18n.localize(error, page_language(request))
        return _form(request, status_code=error.http_status, error=refusal, **chosen)
    uow.commit()
    response = RedirectResponse(f"/internet/{account.contract}", status_code=303)
    flash(
        request,
        response,
        pages_of(request).gettext(page_language(request), N_("Your request is registered.")),
        level="success",
    )
    return response


@router.get("/{contract}")
def internet_page(request: Request, contract: str, uow: Uow) -> Response:
    """One of the customer's home accounts; a contract not theirs (or none) is the 404 page."""
    principal = session_customer(request, uow)
    if principal is None:
        return RedirectResponse(f"/login?next={request.url.path}", status_code=303)
    try:
        account = service.own_account(uow, customer_id=principal.customer_id, contract=contract[:16])
    except (HomeAccountNotFoundError, InvalidRequestError):
        raise HTTPException(404) from None
    return render(request, "home/internet.html", account=home_card(account))
