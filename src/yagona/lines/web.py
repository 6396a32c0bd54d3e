"""The lines' pages: one line of the signed-in customer — balance, plan, bundles left, the
next charge, the usage history with charges (filtered by kind), reload (`*5#`), promos on
and off, and the change of plan with the switching rule's answer before confirming. They call
the same `service` as the customer's REST (`/api/v1/me/lines/...`) and hold no rule; another
customer's line is the 404 page (it says nothing about whether the number exists)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, cast
from urllib.parse import quote

from fastapi import Depends, Form, Query, Request
from fastapi.responses import RedirectResponse, Response
from starlette.exceptions import HTTPException

from yagona.catalog import service as catalog
from yagona.kernel.errors import YagonaError
from yagona.kernel.money import Money
from yagona.kernel.phone import display_msisdn
from yagona.lines import service
from yagona.lines.schemas import LineState, PromoState, UsageKind
from yagona.platform import i18n
from yagona.platform.auth import Principal, session_customer
from yagona.platform.pages import formatting
from yagona.platform.pages.core import N_, flash, page_language, page_router, pages_of, render
from yagona.platform.uow import UnitOfWork
from yagona.platform.web import unit_of_work

router = page_router(prefix="/lines")

Uow = Annotated[UnitOfWork, Depends(unit_of_work)]
USAGE_PAGE = 20

# What each bundle is called on a page (msgids, translated when shown) and its unit.
BUNDLE_LABELS = {
    "minutes": N_("Minutes"),
    "onnet_minutes": N_("Minutes inside the network"),
    "offnet_minutes": N_("Minutes to other networks"),
    "intl_minutes": N_("International minutes"),
    "csd_minutes": N_("Data call minutes"),
    "bonus_onnet_minutes": N_("Bonus minutes"),
    "welcome_minutes": N_("Welcome minutes"),
    "sms": N_("SMS"),
    "mb": N_("Internet, MB"),
    "tasix_mb": N_("TAS-IX internet, MB"),
    "welcome_mb": N_("Welcome internet, MB"),
    "bonus_mb": N_("Reward internet, MB"),
    "bonus_minutes": N_("Reward minutes"),
}
# Who paid money into the line, as its history names them (msgids).
TOP_UP_SOURCES = {
    "payme": N_("Payme"),
    "click": N_("Click"),
    "wallet": N_("Paid from a wallet"),
    "payments": N_("Cash desk or card"),
}
OTHER_TOP_UP = N_("Other top-up")
USAGE_KINDS: dict[str, str] = {
    "voice": N_("Call"),
    "incoming": N_("Incoming call"),
    "sms": N_("SMS"),
    "data": N_("Internet"),
    "csd": N_("Data call"),
}


@dataclass(frozen=True)
class BundleBar:
    key: str
    label: str  # a msgid
    left: int | float
    total: int | float  # the plan's allowance (at least what is left)

    @property
    def percent(self) -> int:
        return round(100 * self.left / self.total) if self.total else 0


@dataclass(frozen=True)
class LineCard:
    """What a page shows of a line: the service's state, said for people."""

    msisdn: str
    number: str  # +998 90 123 45 67
    plan: str
    blocked: bool
    balance: Money
    next_charge_at: object
    next_charge: Money | None
    short_of_fee: bool
    bundles: list[BundleBar]


def line_card(line: LineState) -> LineCard:
    plan = catalog.get_plan(line.plan)
    bars = []
    for key, left in line.bundles.items():
        granted = plan.bundles.get(key)  # type: ignore[call-overload]
        total = max(left, granted.amount if granted is not None and not granted.unlimited else left)
        bars.append(BundleBar(key, BUNDLE_LABELS.get(key, key), left, total))
    fee = Money(line.next_charge_tiyin) if line.next_charge_tiyin is not None else None
    return LineCard(
        msisdn=line.msisdn,
        number=display_msisdn(line.msisdn),
        plan=plan.name,
        blocked=line.status != "active",
        balance=Money(line.balance_tiyin),
        next_charge_at=line.next_charge_at,
        next_charge=fee,
        short_of_fee=fee is not None and line.balance_tiyin < fee.tiyin,
        bundles=bars,
    )


PROMO_STATES = {
    "available": N_("Not switched on"),
    "free": N_("On, free"),
    "paid": N_("On, paid daily"),
    "off": N_("Off"),
}


def _signed_in(request: Request, uow: UnitOfWork, *, back: str | None = None) -> Principal | RedirectResponse:
    """The session's customer, or the way to sign in (and `back` to this page afterwards: a
    form's page, not the address it posts to)."""
    principal = session_customer(request, uow)
    if principal is None:
        here = back or request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return RedirectResponse(f"/login?next={quote(here, safe='/')}", status_code=303)
    return principal


def _own_line(principal: Principal, uow: UnitOfWork, msisdn: str) -> None:
    """Another customer's line and no line at all are the same 404 page."""
    if len(msisdn) > 16 or not principal.owns_line(msisdn) or not service.exists(uow, msisdn):
        raise HTTPException(404)


def _say(request: Request, msgid: str, **values: object) -> str:
    """A flash in the visitor's language: `msgid` translated, money and dates formatted."""
    language = page_language(request)

    def shown(value: object) -> object:
        if isinstance(value, Money):
            return formatting.format_money(value, language)
        if isinstance(value, datetime):
            return formatting.format_day(value, language)
        return value

    return pages_of(request).gettext(language, msgid) % {key: shown(value) for key, value in values.items()}


def _back_to_line(msisdn: str) -> RedirectResponse:
    return RedirectResponse(f"/lines/{msisdn}", status_code=303)


@router.get("/{msisdn}")
def line_page(
    request: Request,
    msisdn: str,
    uow: Uow,
    before: Annotated[int | None, Query(ge=1)] = None,
    kind: Annotated[str, Query(max_length=16)] = "",
) -> Response:
    """One of the customer's lines; a line not theirs (or no line) is the 404 page."""
    principal = _signed_in(request, uow)
    if isinstance(principal, RedirectResponse):
        return principal
    _own_line(principal, uow, msisdn)
    if kind and kind not in USAGE_KINDS:
        raise HTTPException(422)
    state = service.state(uow, msisdn=msisdn)
    plan = catalog.get_plan(state.plan)
    wanted = cast("UsageKind | None", kind or None)  # checked against USAGE_KINDS above
    rows, next_before = service.usage_history(uow, msisdn=msisdn, kind=wanted, before=before, limit=USAGE_PAGE)
    usage = [
        {
            "at": rated_at,
            "kind": USAGE_KINDS.get(str(result.kind), str(result.kind)),
            "destination": result.destination,
            "units": result.units,
            "from_bundle": result.from_bundle,
            "charged": Money(result.charged_tiyin),
        }
        for _, rated_at, result in rows
    ]
    return render(
        request,
        "lines/line.html",
        line=line_card(state),
        plan=plan,
        switch_to=[catalog.get_plan(code) for code in plan.switching.to],
        promos=[_promo_view(p) for p in service.promos(uow, msisdn=msisdn)],
        services=catalog.get_catalogue().services,
        usage=usage,
        kinds=USAGE_KINDS,
        kind=kind,
        next_before=next_before,
        top_ups=[
            (t, Money(t.amount), TOP_UP_SOURCES.get(t.source, OTHER_TOP_UP))
            for t in service.top_ups(uow, msisdn=msisdn)
        ],
    )


@dataclass(frozen=True)
class PromoView:
    id: str
    name: str
    state: str  # a msgid
    on: bool
    available: bool  # never taken on this number: its free days are still to come
    free_until: datetime | None
    daily_fee: Money | None


def _promo_view(promo: PromoState) -> PromoView:
    catalogue = catalog.get_catalogue()
    offer = catalogue.promo_subscriptions.get(promo.promo)
    known = catalogue.services.get(offer.service) if offer is not None else None
    return PromoView(
        id=promo.promo,
        name=known.name if known is not None else promo.promo,
        state=PROMO_STATES[promo.status],
        on=promo.status in ("free", "paid"),
        available=promo.status == "available",
        free_until=promo.free_until,
        daily_fee=Money(promo.daily_fee_tiyin) if promo.daily_fee_tiyin is not None else None,
    )


@router.post("/{msisdn}/reload")
def reload_line(request: Request, msisdn: str, uow: Uow) -> Response:
    """Perezagruzka (`*5#`): the service's answer, or its refusal, as a flash on the line page."""
    principal = _signed_in(request, uow, back=f"/lines/{msisdn}")
    if isinstance(principal, RedirectResponse):
        return principal
    _own_line(principal, uow, msisdn)
    response = _back_to_line(msisdn)
    before = service.state(uow, msisdn=msisdn).balance_tiyin
    try:
        line = service.reload(uow, msisdn=msisdn)
    except YagonaError as error:
        flash(request, response, i18n.localize(error, page_language(request)), level="error")
        return response
    uow.commit()
    paid = Money(before - line.balance_tiyin)
    name = catalog.get_plan(line.plan).name
    text = N_("Reloaded: %(fee)s charged and the bundles of %(plan)s granted anew. Next charge: %(date)s.")
    flash(request, response, _say(request, text, fee=paid, plan=name, date=line.next_charge_at), level="success")
    return response


@router.post("/{msisdn}/promos")
def toggle_promo(
    request: Request,
    msisdn: str,
    uow: Uow,
    promo: Annotated[str, Form(max_length=64)],
    switch: Annotated[str, Form(pattern="^(on|off)$")],
) -> Response:
    """Switch a promo subscription on (its free days, once per number) or off."""
    principal = _signed_in(request, uow, back=f"/lines/{msisdn}")
    if isinstance(principal, RedirectResponse):
        return principal
    _own_line(principal, uow, msisdn)
    response = _back_to_line(msisdn)
    try:
        if switch == "on":
            service.activate_promo(uow, msisdn=msisdn, promo_id=promo)
        else:
            service.switch_off_promo(uow, msisdn=msisdn, promo_id=promo)
    except YagonaError as error:
        flash(request, response, i18n.localize(error, page_language(request)), level="error")
        return response
    uow.commit()
    shown = next((p for p in map(_promo_view, service.promos(uow, msisdn=msisdn)) if p.id == promo), None)
    name = shown.name if shown is not None else promo
    if switch == "on" and shown is not None and shown.free_until is not None:
        text = _say(request, N_("%(name)s is on: free until %(date)s."), name=name, date=shown.free_until)
    else:
        text = _say(request, N_("%(name)s is off."), name=name)
    flash(request, response, text, level="success")
    return response


@router.get("/{msisdn}/plan")
def plan_change_page(
    request: Request, msisdn: str, uow: Uow, to: Annotated[str, Query(min_length=1, max_length=64)]
) -> Response:
    """The current plan and the chosen one side by side, and the switching rule's answer."""
    principal = _signed_in(request, uow)
    if isinstance(principal, RedirectResponse):
        return principal
    _own_line(principal, uow, msisdn)
    quote = service.quote_switch(uow, msisdn=msisdn, plan_id=to)
    current, target = catalog.get_plan(quote.from_plan), catalog.get_plan(quote.to_plan)
    return render(
        request,
        "lines/plan_change.html",
        number=display_msisdn(quote.msisdn),
        msisdn=quote.msisdn,
        plans=[current, target],
        current=current,
        target=target,
        fee=Money(quote.fee_tiyin),
        balance=Money(quote.balance_tiyin),
        balance_after=Money(quote.balance_tiyin - quote.fee_tiyin),
        next_fee=target.monthly_fee,
        quote=quote,
        services=catalog.get_catalogue().services,
        refusal=i18n.localize(quote.refusal, page_language(request)) if quote.refusal is not None else None,
    )


@router.post("/{msisdn}/plan")
def change_plan(
    request: Request, msisdn: str, uow: Uow, to: Annotated[str, Form(min_length=1, max_length=64)]
) -> Response:
    """Confirm: the switch follows the same rule the page showed; its refusal is a page."""
    principal = _signed_in(request, uow, back=f"/lines/{msisdn}")
    if isinstance(principal, RedirectResponse):
        return principal
    _own_line(principal, uow, msisdn)
    before = service.state(uow, msisdn=msisdn).balance_tiyin
    line = service.switch_plan(uow, msisdn=msisdn, plan_id=to)
    uow.commit()
    name = catalog.get_plan(line.plan).name
    response = _back_to_line(msisdn)
    text = N_("Your line is now on %(plan)s: %(fee)s charged. Next charge: %(date)s.")
    fee = Money(before - line.balance_tiyin)
    flash(request, response, _say(request, text, plan=name, fee=fee, date=line.next_charge_at), level="success")
    return response
