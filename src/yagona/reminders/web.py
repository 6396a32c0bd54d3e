"""The reminder preferences page (`/account/reminders`), for the signed-in customer only and
only their own preferences (the session decides whose; no id in the address): the channel
order, each reminder on or off (a required notice stays on), the marketing opt-in. It calls
`service` and holds no rule; a refusal is a page in the visitor's language and writes nothing."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Form, Request
from fastapi.responses import RedirectResponse, Response

from yagona.kernel.errors import YagonaError
from yagona.platform import i18n
from yagona.platform.auth import session_customer
from yagona.platform.pages.core import N_, flash, page_language, page_router, pages_of, render, render_refusal
from yagona.platform.uow import UnitOfWork
from yagona.platform.web import unit_of_work
from yagona.reminders import service

PAGE = "/account/reminders"
router = page_router(prefix=PAGE)
Uow = Annotated[UnitOfWork, Depends(unit_of_work)]

ORDERS = {"push,sms": N_("Push notification first, then SMS"), "sms": N_("SMS only")}
TITLES = {  # the rule file's titles, for Babel (the page shows them translated)
    "line-fee-due": N_("The monthly fee is due tomorrow and the balance is short"),
    "line-bundle-80": N_("A bundle is 80 percent used"),
    "line-promo-ends": N_("A promo's free month ends in 3 days"),
    "wallet-light-limit": N_("A Light wallet is at 90 percent of a limit"),
    "wallet-dormancy": N_("The wallet becomes dormant in 30 days"),
    "points-expiring": N_("Points expire within 30 days"),
    "home-fee-due": N_("Home internet fee due tomorrow and the balance short"),
    "home-suspended": N_("Home internet suspended for non-payment"),
    "home-still-suspended": N_("Home internet still suspended three days later"),
    "offer-made": N_("A personal offer is waiting"),
}


@router.get("")
def reminders_page(request: Request, uow: Uow) -> Response:
    """The customer's reminder choices; signed out: the sign-in page, then back here."""
    principal = session_customer(request, uow)
    if principal is None:
        return RedirectResponse("/login?next=" + PAGE, status_code=303)
    prefs = service.preferences(uow, customer_id=principal.customer_id)
    return render(
        request,
        "reminders/preferences.html",
        prefs=prefs,
        order=",".join(prefs.channels),
        orders=ORDERS,
        titles=TITLES,
    )


@router.post("")
def save(
    request: Request,
    uow: Uow,
    order: Annotated[str, Form(max_length=20)] = "push,sms",
    on: Annotated[list[str] | None, Form(max_length=40)] = None,
    marketing: Annotated[str, Form(max_length=3)] = "no",
) -> Response:
    """Save the choices: the reminders not ticked are switched off (a required one cannot be)."""
    principal = session_customer(request, uow)
    if principal is None:
        return RedirectResponse("/login?next=" + PAGE, status_code=303)
    language = page_language(request)
    ticked = set(on or [])
    try:
        service.set_preferences(
            uow,
            customer_id=principal.customer_id,
            channels=order.split(","),
            off=[r.id for r in service.rules() if not r.required and r.id not in ticked],
            marketing_opt_in=marketing == "yes",
        )
        uow.commit()
    except YagonaError as error:
        return render_refusal(
            request, error.http_status, N_("The choices were not saved"), i18n.localize(error, language)
        )
    response = RedirectResponse(PAGE, status_code=303)
    saved = pages_of(request).gettext(language, N_("Your reminder choices are saved."))
    flash(request, response, saved, level="success")
    return response
