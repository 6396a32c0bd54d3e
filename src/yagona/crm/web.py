"""The customer's own history (`/account/history`): every contact with the operator in any
channel and the operations on their services, newest first, a channel at a time, a page at a
time. Signed-in customers only, and only their own timeline (the session names it: no
customer id is ever taken from the address). Calls the same `service` as
`/api/v1/me/interactions`."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Query, Request
from fastapi.responses import RedirectResponse, Response

from yagona.crm import service
from yagona.crm.schemas import InteractionChannel
from yagona.platform.auth import session_customer
from yagona.platform.pages.core import N_, page_router, render
from yagona.platform.uow import UnitOfWork
from yagona.platform.web import unit_of_work

router = page_router(prefix="/account/history")
Uow = Annotated[UnitOfWork, Depends(unit_of_work)]
PER_PAGE = 20

# What the pages call the timeline's codes (msgids; the staff console shows them too).
CHANNELS: dict[str, str] = {
    InteractionChannel.PORTAL: N_("Portal"),
    InteractionChannel.USSD: N_("USSD"),
    InteractionChannel.SMS: N_("SMS"),
    InteractionChannel.PUSH: N_("Push notification"),
    InteractionChannel.TELEGRAM: N_("Telegram"),
    InteractionChannel.STAFF: N_("Call-centre"),
    InteractionChannel.EMAIL: N_("E-mail"),
    InteractionChannel.ACCOUNT: N_("Services"),
}
DIRECTIONS = {"in": N_("from you"), "out": N_("to you")}
# The kinds of entry a timeline is filtered by (service.TIMELINE_KINDS).
KINDS: dict[str, str] = {
    "line": N_("Mobile line"),
    "wallet": N_("Wallet"),
    "home": N_("Home internet"),
    "message": N_("Messages"),
    "request": N_("Requests"),
    "call": N_("Calls"),
    "survey": N_("Surveys"),
}
STATUSES = {"sent": N_("sent"), "delivered": N_("delivered"), "failed": N_("not delivered")}


@router.get("")
def history_page(
    request: Request,
    uow: Uow,
    channel: Annotated[str, Query(max_length=16)] = "",
    page: Annotated[int, Query(ge=1, le=1000)] = 1,
    kind: Annotated[str, Query(max_length=16)] = "",
) -> Response:
    """The signed-in customer's timeline; signed out: the sign-in page, then back here. An
    unknown channel or kind in the address shows every one (a filter, not a request to refuse)."""
    principal = session_customer(request, uow)
    if principal is None:
        return RedirectResponse("/login?next=/account/history", status_code=303)
    chosen = channel if channel in set(InteractionChannel) else ""
    chosen_kind = kind if kind in service.TIMELINE_KINDS else ""
    found = service.timeline_page(
        uow,
        customer_id=principal.customer_id,
        channel=chosen or None,
        page=page,
        per_page=PER_PAGE,
        kind=chosen_kind or None,
    )
    return render(
        request,
        "crm/history.html",
        entries=found.items,
        page=found.page,
        has_next=found.has_next,
        channel=chosen,
        channels=CHANNELS,
        kind=chosen_kind,
        kinds=KINDS,
        directions=DIRECTIONS,
        statuses=STATUSES,
    )
