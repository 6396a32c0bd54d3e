"""The console's side of the CRM: the customer's timeline beside the 360 (its latest contacts
on the 360 itself, the whole of it a channel at a time on its own page, opened with a reason),
the call note an agent records on a call, and the closing of a contact request with a note
(`/staff/requests` itself is the tickets' queue now: `app/staff/tickets.py`). Every view and
every write is in the access log."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import Form, Path, Request
from fastapi.responses import RedirectResponse, Response

from yagona.app.staff.common import Uow, page
from yagona.app.staff.tickets import PRIORITIES
from yagona.crm import service as crm
from yagona.crm import web as crm_pages
from yagona.crm.schemas import Direction, InteractionChannel
from yagona.identity import service as identity
from yagona.identity.schemas import CustomerRead
from yagona.identity.service import staff as staff_service
from yagona.platform import i18n
from yagona.platform.auth import StaffPrincipal, staff_member
from yagona.platform.pages.core import N_, flash, page_language, page_router, pages_of
from yagona.platform.uow import UnitOfWork
from yagona.privacy import service as privacy
from yagona.privacy.errors import ReasonRequiredError

router = page_router(prefix="/staff")
CustomerId = Annotated[str, Path(max_length=36)]
RequestId = Annotated[str, Path(max_length=36)]
Reason = Annotated[str, Form(max_length=privacy.REASON_MAX_LENGTH)]
Note = Annotated[str, Form(max_length=1000)]
RECENT = 10
PER_PAGE = 30
# What the access log keeps as the reason of a write that is its own reason (a note, a closing).
NOTE_REASON, CLOSE_REASON = "call note recorded", "contact request closed"
NOTE_DONE = N_("The call note is recorded.")
STAFF_DIRECTIONS = {"in": N_("from the customer"), "out": N_("to the customer")}


def context(uow: UnitOfWork, customer_id: str) -> dict[str, Any]:
    """What the 360 shows of the timeline (its view is the 360's, logged with its reason)."""
    return {
        "timeline": crm.timeline(uow, customer_id=customer_id, limit=RECENT),
        "timeline_channels": crm_pages.CHANNELS,
        "timeline_directions": STAFF_DIRECTIONS,
        "timeline_statuses": crm_pages.STATUSES,
        "ticket_options": crm.ticket_options,  # called with the page's language: the form of a ticket on a call
        "ticket_priorities": PRIORITIES,
        "timeline_kinds": crm_pages.KINDS,
    }


def _channel(value: str) -> str:
    return value if value in set(InteractionChannel) else ""


@router.post("/customers/{customer_id}/timeline")
def customer_timeline(  # noqa: PLR0917 - FastAPI passes the path and the form by name
    request: Request,
    uow: Uow,
    customer_id: CustomerId,
    reason: Reason = "",
    channel: Annotated[str, Form(max_length=16)] = "",
    page_number: Annotated[int, Form(alias="page", ge=1, le=1000)] = 1,
    kind: Annotated[str, Form(max_length=16)] = "",
) -> Response:
    """The customer's whole timeline, newest first, a channel and a kind at a time: logged
    with its reason."""
    member = staff_member(request, uow)
    customer = identity.get_customer(uow, customer_id=customer_id)
    privacy.require_access(uow, staff_id=member.staff_id, customer_id=customer.id, section="timeline")
    chosen = _channel(channel)
    chosen_kind = kind if kind in crm.TIMELINE_KINDS else ""
    try:
        privacy.record_access(
            uow, staff_id=member.staff_id, customer_id=customer.id, action="timeline.view", subject=chosen or None,
            reason=reason,
        )  # fmt: skip
    except ReasonRequiredError as error:  # the form again, saying why; nothing shown
        message = i18n.localize(error, page_language(request))
        return _timeline(request, uow, member, customer, channel=chosen, reason=reason, error=message)
    uow.commit()
    return _timeline(
        request, uow, member, customer, channel=chosen, reason=reason, page_number=page_number, kind=chosen_kind
    )


@router.post("/customers/{customer_id}/notes")
def call_note(
    request: Request,
    uow: Uow,
    customer_id: CustomerId,
    text: Note = "",
    direction: Annotated[Literal["in", "out"], Form()] = "in",
) -> Response:
    """An agent's note of a call (the customer called: `in`; we called them: `out`), on the
    customer's timeline under the agent's name; then the timeline, the note on top."""
    member = staff_member(request, uow, role="agent")
    customer = identity.get_customer(uow, customer_id=customer_id)
    privacy.require_access(uow, staff_id=member.staff_id, customer_id=customer.id, section="timeline")
    entry = crm.record_interaction(
        uow,
        customer_id=customer.id,
        channel=InteractionChannel.STAFF,
        direction=Direction(direction),
        summary=text,
        subject_kind="call",
        recorded_by=member.staff_id,
    )  # an empty note is refused here, before anything is written
    crm.offer_survey(  # CSAT after a call (within the limits: once in 30 days, not in quiet hours)
        uow, customer_id=customer.id, kind="csat", trigger="call", channel=InteractionChannel.STAFF, category="call",
        interaction_id=entry,
    )  # fmt: skip
    privacy.record_access(
        uow, staff_id=member.staff_id, customer_id=customer.id, action="note.add", subject=entry, reason=NOTE_REASON
    )
    uow.commit()
    return _timeline(request, uow, member, customer, channel="", reason="", done=NOTE_DONE)


def _timeline(
    request: Request,
    uow: UnitOfWork,
    member: StaffPrincipal,
    customer: CustomerRead,
    *,
    channel: str,
    reason: str,
    page_number: int = 1,
    error: str | None = None,
    done: str | None = None,
    kind: str = "",
) -> Response:
    found = None if error else crm.timeline_page(uow, customer_id=customer.id, channel=channel or None,
                                                 page=page_number, per_page=PER_PAGE, kind=kind or None)  # fmt: skip
    return page(
        request,
        "timeline.html",
        member,
        status_code=422 if error else 200,
        customer=customer,
        channel=channel,
        reason=reason,
        error=error,
        done=pages_of(request).gettext(page_language(request), done) if done else None,
        entries=found.items if found else None,
        page_number=found.page if found else 1,
        has_next=found.has_next if found else False,
        channels=crm_pages.CHANNELS,
        kind=kind,
        kinds=crm_pages.KINDS,
        directions=STAFF_DIRECTIONS,
        statuses=crm_pages.STATUSES,
        names=staff_service.staff_names(uow),
    )


@router.get("/requests")
def requests_queue(request: Request, uow: Uow) -> Response:
    """The call-centre's queue of contact requests is the tickets' queue now."""
    staff_member(request, uow)
    return RedirectResponse("/staff/tickets", status_code=303)


@router.post("/requests/{request_id}/close")
def close_request(request: Request, uow: Uow, request_id: RequestId, note: Note = "") -> Response:
    """Close a ticket with a note of what was done (a reply on it); a closed one is refused (409).
    Then the queue, saying so."""
    member = staff_member(request, uow, role="agent")
    closed = crm.close_request(uow, request_id=request_id, staff_id=member.staff_id, note=note, role=member.role)
    privacy.record_access(
        uow, staff_id=member.staff_id, customer_id=closed.customer_id, action="request.close", subject=closed.id,
        reason=CLOSE_REASON,
    )  # fmt: skip
    uow.commit()
    response = RedirectResponse("/staff/tickets", status_code=303)
    flash(request, response, pages_of(request).gettext(page_language(request), N_("The request is closed.")))
    return response
