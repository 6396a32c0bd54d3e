"""The console's tickets (`/staff/tickets`): the queues (filtered by queue, status and breach
risk), a ticket's page (its thread with the internal notes, its SLA clocks, a reply to the
customer through the channel it came from, a note, a new status, assignment, a merge) and, for
supervisors, the SLA warnings and breaches the due jobs recorded.

Who may do what: every member of staff reads the queues they work; an agent works the tickets
of those queues (the claims queue is its members' only) and takes one for themselves; a
supervisor sees every queue and its breaches and reassigns. Every view of a ticket and every
action on it is in the access log (privacy)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Form, Path, Query, Request
from fastapi.responses import RedirectResponse, Response

from yagona.app.staff import timeline
from yagona.app.staff.common import Uow, page
from yagona.crm import service as crm
from yagona.crm import web as crm_pages
from yagona.crm.errors import RequestNotFoundError
from yagona.crm.schemas import TicketRead
from yagona.identity import service as identity
from yagona.identity.service import staff as staff_service
from yagona.kernel.clock import TASHKENT
from yagona.kernel.errors import YagonaError
from yagona.platform.auth import StaffPrincipal, staff_member
from yagona.platform.pages.core import N_, flash, page_language, page_router, pages_of
from yagona.platform.uow import UnitOfWork
from yagona.privacy import service as privacy

router = page_router(prefix="/staff/tickets")
TicketId = Annotated[str, Path(max_length=36)]
Text = Annotated[str, Form(max_length=4000)]
LIST_MAX = 100
WORKED_REASON = "ticket worked"  # the access log's reason: the ticket is its own reason
ACTIVE = ("open", "in_progress", "waiting_customer")
RISKS = {"ok": N_("On time"), "at_risk": N_("At risk"), "breached": N_("Breached")}
KINDS = {
    "customer": N_("The customer wrote"),
    "reply": N_("Reply to the customer"),
    "note": N_("Internal note"),
    "event": N_("Change"),
}
CLOCKS = {"first_response": N_("First response"), "resolution": N_("Resolution")}
LEVELS = {"warning": N_("Warning"), "breach": N_("Breach")}
PRIORITIES = {"low": N_("Low"), "normal": N_("Normal"), "high": N_("High"), "urgent": N_("Urgent")}


def _queues(uow: UnitOfWork, member: StaffPrincipal) -> list[str] | None:
    """The queues a member sees: a supervisor every one (None), an agent those they work."""
    return None if member.at_least("supervisor") else crm.staff_queues(uow, staff_id=member.staff_id)


def _names(uow: UnitOfWork, tickets: list[TicketRead]) -> dict[str, str]:
    names: dict[str, str] = {}
    for t in tickets:
        if t.customer_id not in names:
            try:
                names[t.customer_id] = identity.get_customer(uow, customer_id=t.customer_id).name
            except YagonaError:
                names[t.customer_id] = t.customer_id
    return names


@router.get("")
def queue_page(  # noqa: PLR0917 - FastAPI passes the filters by name
    request: Request,
    uow: Uow,
    queue: Annotated[str, Query(max_length=24)] = "",
    status: Annotated[str, Query(max_length=20)] = "",
    risk: Annotated[str, Query(max_length=10)] = "",
    mine: Annotated[str, Query(max_length=3)] = "",
) -> Response:
    """The tickets of the queues the member works, newest first; by default the ones not done."""
    member = staff_member(request, uow)
    language = page_language(request)
    options = crm.ticket_options(language)
    allowed = _queues(uow, member)
    visible = list(options.queues) if allowed is None else allowed
    chosen_queue = queue if queue in visible else ""
    statuses = [status] if status in crm_pages.TICKET_STATUSES else (None if status == "all" else list(ACTIVE))
    found = crm.tickets(
        uow,
        queue=chosen_queue or None,
        queues=visible,
        statuses=statuses,
        assigned_to=member.staff_id if mine == "yes" else None,
        risk=risk if risk in RISKS else None,
        limit=LIST_MAX,
    )
    supervising = member.at_least("supervisor")
    warnings = crm.sla_warnings(uow, limit=30) if supervising else []
    return page(
        request,
        "tickets.html",
        member,
        tickets=found,
        names=_names(uow, found),
        staff_names=staff_service.staff_names(uow),
        options=options,
        visible_queues=visible,
        queue=chosen_queue,
        status=status if status in crm_pages.TICKET_STATUSES or status == "all" else "",
        risk=risk if risk in RISKS else "",
        mine=mine == "yes",
        statuses=crm_pages.TICKET_STATUSES,
        risks=RISKS,
        priorities=PRIORITIES,
        warnings=warnings,
        clocks=CLOCKS,
        levels=LEVELS,
        number=crm.ticket_number,
        dashboard=_dashboard(uow, visible) if supervising else None,
    )


def _dashboard(uow: UnitOfWork, queues: list[str]) -> dict[str, Any]:
    """The supervisor's view: open tickets by queue, breaches, CSAT and NPS of the feedback
    data's window (`crm/data/feedback.yaml`: 30 days)."""
    active = crm.tickets(uow, queues=queues, statuses=list(ACTIVE), limit=uow.limits.page_size_max)
    by_queue: dict[str, int] = {}
    for ticket in active:
        by_queue[ticket.queue] = by_queue.get(ticket.queue, 0) + 1
    today = uow.clock.now().astimezone(TASHKENT).date()
    since = today - crm.FEEDBACK_CADENCE.supervisor_window
    return {
        "open_by_queue": sorted(by_queue.items()),
        "breached": sum(t.risk == "breached" for t in active),
        "csat": crm.feedback_scores(uow, kind="csat", start=since, end=today),
        "nps": crm.feedback_scores(uow, kind="nps", start=since, end=today),
    }


def _visible(uow: UnitOfWork, member: StaffPrincipal, ticket_id: str) -> TicketRead:
    """The ticket, if the member works its queue; else as missing as one that does not exist."""
    found = crm.ticket(uow, ticket_id=ticket_id)
    allowed = _queues(uow, member)
    if allowed is not None and found.queue not in allowed:
        raise RequestNotFoundError(f"no ticket {ticket_id[:36]}", request_id=ticket_id[:36])
    return found


@router.post("/new")
def open_on_a_call(  # noqa: PLR0917 - FastAPI passes the form by name
    request: Request,
    uow: Uow,
    customer_id: Annotated[str, Form(max_length=36)] = "",
    category: Annotated[str, Form(max_length=16)] = "question",
    priority: Annotated[str, Form(max_length=8)] = "normal",
    subject: Annotated[str, Form(max_length=300)] = "",
    text: Text = "",
) -> Response:
    """An agent opens a ticket for the customer on the phone (from the 360); then its page."""
    member = staff_member(request, uow, role="agent")
    found = identity.get_customer(uow, customer_id=customer_id)
    ticket_id = crm.open_request(
        uow, customer_id=found.id, channel="staff", summary=subject, body=text, category=category, priority=priority
    )
    privacy.record_access(
        uow, staff_id=member.staff_id, customer_id=found.id, action="ticket.open", subject=ticket_id,
        reason=WORKED_REASON,
    )  # fmt: skip
    uow.commit()
    return _done(request, ticket_id, N_("The ticket is opened."))


@router.get("/{ticket_id}")
def ticket_page(request: Request, uow: Uow, ticket_id: TicketId) -> Response:
    """A ticket: the customer, the SLA clocks, the whole thread (notes too), and what to do."""
    member = staff_member(request, uow)
    found = _visible(uow, member, ticket_id)
    privacy.record_access(
        uow, staff_id=member.staff_id, customer_id=found.customer_id, action="ticket.view", subject=found.id,
        reason=WORKED_REASON,
    )  # fmt: skip
    uow.commit()
    language = page_language(request)
    context: dict[str, Any] = {
        "ticket": found,
        "thread": crm.thread(uow, ticket_id=found.id),
        "customer_name": _names(uow, [found])[found.customer_id],
        "staff_names": staff_service.staff_names(uow),
        "options": crm.ticket_options(language),
        "statuses": crm_pages.TICKET_STATUSES,
        "services": crm_pages.SERVICES,
        "channels": crm_pages.CHANNELS,
        "kinds": KINDS,
        "risks": RISKS,
        "priorities": PRIORITIES,
        "number": crm.ticket_number(found.id),
        "others": [
            t for t in crm.tickets(uow, customer_id=found.customer_id, statuses=list(ACTIVE)) if t.id != found.id
        ],
        "canned": crm.canned_replies(language),
        **_beside(uow, member, found.customer_id),
    }
    return page(request, "ticket.html", member, **context)


def _beside(uow: UnitOfWork, member: StaffPrincipal, customer_id: str) -> dict[str, Any]:
    """The customer's timeline beside the ticket, when the customer's grant lets this member
    see it (privacy: staff access with permission); else a way to ask for it."""
    grant = privacy.active_grant(uow, staff_id=member.staff_id, customer_id=customer_id, section="timeline")
    if grant is None:
        return {"timeline_granted": False}
    return {
        "timeline_granted": True,
        "customer": {"id": customer_id},
        "names": staff_service.staff_names(uow),  # who recorded an entry
        **timeline.context(uow, customer_id),
    }


def _done(request: Request, ticket_id: str, text: str) -> Response:
    response = RedirectResponse(f"/staff/tickets/{ticket_id}", status_code=303)
    flash(request, response, pages_of(request).gettext(page_language(request), text), level="success")
    return response


def _log(uow: UnitOfWork, member: StaffPrincipal, ticket_id: str, action: str) -> None:
    found = crm.ticket(uow, ticket_id=ticket_id)
    privacy.record_access(
        uow, staff_id=member.staff_id, customer_id=found.customer_id, action=action, subject=found.id,
        reason=WORKED_REASON,
    )  # fmt: skip
    uow.commit()


@router.post("/{ticket_id}/reply")
def reply(
    request: Request, uow: Uow, ticket_id: TicketId, text: Text = "", canned: Annotated[str, Form(max_length=40)] = ""
) -> Response:
    """A reply to the customer, through the channel the ticket came from: the words typed, or a
    prepared reply (`canned`) in the customer's own language."""
    member = staff_member(request, uow, role="agent")
    if not text.strip() and canned:
        found = _visible(uow, member, ticket_id)
        language = identity.get_customer(uow, customer_id=found.customer_id).language.value
        text = crm.canned_text(canned, language) or ""
    crm.reply(uow, ticket_id=ticket_id, staff_id=member.staff_id, role=member.role, body=text)
    _log(uow, member, ticket_id, "ticket.reply")
    return _done(request, ticket_id, N_("The reply is sent."))


@router.post("/{ticket_id}/note")
def note(request: Request, uow: Uow, ticket_id: TicketId, text: Text = "") -> Response:
    """An internal note: the customer never sees it."""
    member = staff_member(request, uow, role="agent")
    crm.add_note(uow, ticket_id=ticket_id, staff_id=member.staff_id, role=member.role, body=text)
    _log(uow, member, ticket_id, "ticket.note")
    return _done(request, ticket_id, N_("The note is recorded."))


@router.post("/{ticket_id}/status")
def set_status(
    request: Request, uow: Uow, ticket_id: TicketId, status: Annotated[str, Form(max_length=20)] = ""
) -> Response:
    member = staff_member(request, uow, role="agent")
    crm.set_status(uow, ticket_id=ticket_id, staff_id=member.staff_id, role=member.role, status=status)
    _log(uow, member, ticket_id, "ticket.status")
    return _done(request, ticket_id, N_("The status is changed."))


@router.post("/{ticket_id}/priority")
def set_priority(
    request: Request, uow: Uow, ticket_id: TicketId, priority: Annotated[str, Form(max_length=8)] = ""
) -> Response:
    """A new priority: the SLA clocks are counted again from the opening."""
    member = staff_member(request, uow, role="agent")
    crm.set_priority(uow, ticket_id=ticket_id, staff_id=member.staff_id, role=member.role, priority=priority)
    _log(uow, member, ticket_id, "ticket.priority")
    return _done(request, ticket_id, N_("The priority is changed."))


@router.post("/{ticket_id}/assign")
def assign(
    request: Request,
    uow: Uow,
    ticket_id: TicketId,
    queue: Annotated[str, Form(max_length=24)] = "",
    agent: Annotated[str, Form(max_length=36)] = "",
) -> Response:
    """An agent takes the ticket (`agent=me`); a supervisor moves it to a queue and a member."""
    member = staff_member(request, uow, role="agent")
    crm.assign(
        uow, ticket_id=ticket_id, staff_id=member.staff_id, role=member.role, queue=queue or None,
        agent=member.staff_id if agent == "me" else (agent or None),
    )  # fmt: skip
    _log(uow, member, ticket_id, "ticket.assign")
    return _done(request, ticket_id, N_("The ticket is assigned."))


@router.post("/{ticket_id}/merge")
def merge(request: Request, uow: Uow, ticket_id: TicketId, into: Annotated[str, Form(max_length=36)] = "") -> Response:
    """Merge this duplicate into another open ticket of the same customer (its id or number)."""
    member = staff_member(request, uow, role="agent")
    found = _visible(uow, member, ticket_id)
    wanted = into.strip()
    survivor = next(
        (
            t.id
            for t in crm.tickets(uow, customer_id=found.customer_id, statuses=list(ACTIVE))
            if wanted and (t.id == wanted or crm.ticket_number(t.id) == wanted.upper())
        ),
        wanted,
    )
    crm.merge(uow, ticket_id=ticket_id, into=survivor, staff_id=member.staff_id, role=member.role)
    _log(uow, member, ticket_id, "ticket.merge")
    return _done(request, survivor, N_("The duplicate is merged into this ticket."))


@router.get("/{ticket_id}/files/{attachment_id}")
def attachment(request: Request, uow: Uow, ticket_id: TicketId, attachment_id: TicketId) -> Response:
    member = staff_member(request, uow)
    _visible(uow, member, ticket_id)
    meta, data = crm.attachment(uow, ticket_id=ticket_id, attachment_id=attachment_id)
    return crm_pages.attachment_response(meta.filename, meta.content_type, data)
