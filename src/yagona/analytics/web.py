"""The customer's offers (`/offers`) and the dashboard's offer card: what, why, the saving in
so'm, Accept or Not interested. Signed-in customer only, their own offers only (another
customer's offer is the same 404 page as none). Accepting a plan offer shows the switching
rule's answer first (`lines.service.quote_switch`, as the line page does); the page holds no
rule: it calls `analytics.service` (the switch, the reward, consent)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import Depends, Path, Request
from fastapi.responses import RedirectResponse, Response
from starlette.exceptions import HTTPException

from yagona.analytics import service
from yagona.analytics.errors import OfferNotFoundError
from yagona.catalog import service as catalog
from yagona.kernel.money import Money
from yagona.kernel.phone import display_msisdn
from yagona.lines import service as lines
from yagona.loyalty import service as loyalty
from yagona.platform import i18n
from yagona.platform.auth import Principal, session_customer
from yagona.platform.pages.core import N_, flash, page_language, page_router, pages_of, render
from yagona.platform.uow import UnitOfWork
from yagona.platform.web import unit_of_work

PAGE = "/offers"
router = page_router(prefix=PAGE)
Uow = Annotated[UnitOfWork, Depends(unit_of_work)]
OfferId = Annotated[str, Path(min_length=1, max_length=36)]
STATUSES = {
    "made": N_("New"),
    "shown": N_("Open"),
    "accepted": N_("You accepted it"),
    "dismissed": N_("Not interested"),
    "expired": N_("No longer open"),
}


@dataclass(frozen=True, slots=True)
class OfferCard:
    id: str
    title: str
    why: str
    number: str
    saving: Money
    status: str
    open: bool
    expires_at: object


def card(offer: service.OfferRead, language: str) -> OfferCard:
    return OfferCard(
        id=offer.id,
        title=offer.title(language),
        why=offer.why(language),
        number=display_msisdn(offer.msisdn),
        saving=Money(offer.saving_tiyin),
        status=STATUSES.get(offer.status, offer.status),
        open=offer.open,
        expires_at=offer.expires_at,
    )


def offer_card(request: Request, uow: UnitOfWork, principal: Principal) -> OfferCard | None:
    """The dashboard's card: the customer's open offer (None without marketing consent)."""
    found = service.open_offer(uow, customer_id=principal.customer_id)
    uow.commit()  # shown
    return card(found, page_language(request)) if found else None


def _signed_in(request: Request, uow: UnitOfWork, *, back: str) -> Principal | RedirectResponse:
    principal = session_customer(request, uow)
    if principal is None:
        return RedirectResponse(f"/login?next={quote(back, safe='/')}", status_code=303)
    return principal


def _own(uow: UnitOfWork, principal: Principal, offer_id: str) -> service.OfferRead:
    """Another customer's offer and no offer at all are the same 404 page."""
    try:
        return service.offer_of(uow, customer_id=principal.customer_id, offer_id=offer_id)
    except OfferNotFoundError:
        raise HTTPException(404) from None


def _say(request: Request, msgid: str, **values: object) -> str:
    return pages_of(request).gettext(page_language(request), msgid) % values


@router.get("")
def offers_page(request: Request, uow: Uow) -> Response:
    """Every offer of the customer, the open ones first with their buttons."""
    principal = _signed_in(request, uow, back=PAGE)
    if isinstance(principal, RedirectResponse):
        return principal
    language = page_language(request)
    found = [card(o, language) for o in service.offers_of(uow, customer_id=principal.customer_id)]
    uow.commit()  # shown
    response = render(request, "analytics/offers.html", offers=found)
    response.headers["Cache-Control"] = "no-store"
    return response


@router.get("/{offer_id}")
def offer_page(request: Request, uow: Uow, offer_id: OfferId) -> Response:
    """One offer; for a plan, the switching rule's answer before the customer confirms."""
    principal = _signed_in(request, uow, back=f"{PAGE}/{offer_id}")
    if isinstance(principal, RedirectResponse):
        return principal
    offer = _own(uow, principal, offer_id)
    if offer.open and not service.has_marketing_consent(uow, principal.customer_id):
        raise HTTPException(404)  # consent withdrawn: the offer is not shown
    language = page_language(request)
    context: dict[str, Any] = {"offer": card(offer, language), "number": display_msisdn(offer.msisdn)}
    if offer.plan is not None and offer.open:
        q = lines.quote_switch(uow, msisdn=offer.msisdn, plan_id=offer.plan)
        target = catalog.get_plan(offer.plan)
        context.update(
            quote=q,
            current=catalog.get_plan(q.from_plan),
            target=target,
            fee=Money(q.fee_tiyin),
            balance=Money(q.balance_tiyin),
            balance_after=Money(q.balance_tiyin - q.fee_tiyin),
            next_fee=target.monthly_fee,
            refusal=i18n.localize(q.refusal, language) if q.refusal is not None else None,
        )
    elif offer.reward is not None and offer.open:
        reward = next((r for r in loyalty.rewards(uow) if r.id == offer.reward), None)
        context.update(points=reward.points if reward else None)
    response = render(request, "analytics/offer.html", **context)
    response.headers["Cache-Control"] = "no-store"
    return response


@router.post("/{offer_id}/accept")
def accept(request: Request, uow: Uow, offer_id: OfferId) -> Response:
    """Accept: the switch or the reward, once (a second submit finds it accepted)."""
    principal = _signed_in(request, uow, back=f"{PAGE}/{offer_id}")
    if isinstance(principal, RedirectResponse):
        return principal
    before = _own(uow, principal, offer_id)
    done = service.accept(uow, customer_id=principal.customer_id, offer_id=offer_id)
    uow.commit()
    response = RedirectResponse(PAGE, status_code=303)
    if before.status != "accepted":
        text = _say(request, N_("Done: %(offer)s."), offer=done.title(page_language(request)))
        flash(request, response, text, level="success")
    return response


@router.post("/{offer_id}/dismiss")
def dismiss(request: Request, uow: Uow, offer_id: OfferId) -> Response:
    """Not interested: the offer closes."""
    principal = _signed_in(request, uow, back=f"{PAGE}/{offer_id}")
    if isinstance(principal, RedirectResponse):
        return principal
    _own(uow, principal, offer_id)
    service.dismiss(uow, customer_id=principal.customer_id, offer_id=offer_id)
    uow.commit()
    response = RedirectResponse(PAGE, status_code=303)
    flash(request, response, _say(request, N_("The offer is closed. We will not show it again.")), level="info")
    return response
