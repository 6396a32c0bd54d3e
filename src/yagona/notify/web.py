"""The notifications page (`/account/notifications`): the signed-in customer's devices that
receive web push, a form per device to stop them, and a button (small JS, `push.js`) that
asks this browser's permission and subscribes it. Without JS the page lists and removes
devices; subscribing needs the browser's push API, so it needs JS. Holds no rule."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from fastapi.responses import RedirectResponse, Response

from yagona.kernel.errors import YagonaError
from yagona.notify import subscriptions
from yagona.platform import i18n
from yagona.platform.auth import session_customer
from yagona.platform.pages.core import N_, flash, page_language, page_router, pages_of, render, render_refusal
from yagona.platform.uow import UnitOfWork
from yagona.platform.web import unit_of_work

PAGE = "/account/notifications"
router = page_router(prefix=PAGE)
Uow = Annotated[UnitOfWork, Depends(unit_of_work)]


@router.get("")
def notifications_page(request: Request, uow: Uow) -> Response:
    """This customer's devices; signed out: the sign-in page, then back here."""
    principal = session_customer(request, uow)
    if principal is None:
        return RedirectResponse(f"/login?next={PAGE}", status_code=303)
    return render(
        request,
        "notify/notifications.html",
        devices=subscriptions.devices(uow, customer_id=principal.customer_id),
        vapid_public_key=subscriptions.vapid_public_key(),
    )


@router.post("/devices/{subscription_id}/remove")
def remove_device(request: Request, uow: Uow, subscription_id: str) -> Response:
    """Stop notifications on one of the customer's own devices."""
    principal = session_customer(request, uow)
    if principal is None:
        return RedirectResponse(f"/login?next={PAGE}", status_code=303)
    language = page_language(request)
    try:
        subscriptions.unsubscribe(uow, customer_id=principal.customer_id, subscription_id=subscription_id[:36])
        uow.commit()
    except YagonaError as error:
        return render_refusal(
            request, error.http_status, N_("The device was not removed"), i18n.localize(error, language)
        )
    response = RedirectResponse(PAGE, status_code=303)
    text = pages_of(request).gettext(language, N_("Done: this device gets no more notifications."))
    flash(request, response, text, level="success")
    return response
