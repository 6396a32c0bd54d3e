"""The customer's own history (`/account/history`): every contact with the operator in any
channel and the operations on their services, newest first, a channel at a time, a page at a
time. Signed-in customers only, and only their own timeline (the session names it: no
customer id is ever taken from the address). Calls the same `service` as
`/api/v1/me/interactions`."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, File, Form, Path, Query, Request, UploadFile
from fastapi.responses import RedirectResponse, Response

from yagona.crm import service
from yagona.crm.schemas import InteractionChannel, NewAttachment
from yagona.platform.auth import session_customer
from yagona.platform.pages.core import N_, page_language, page_router, render
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


# --- the customer's requests and complaints (`/account/requests`) ----------------------------
# A new request (a category, the service concerned, the words, a file), the list of theirs,
# and a request's thread where they read the replies and write back. Signed-in customers only,
# their own requests only: another customer's is "not found".

requests_router = page_router(prefix="/account/requests")
HERE = "/account/requests"
TicketId = Annotated[str, Path(max_length=36)]
Text = Annotated[str, Form(max_length=4000)]
Upload = Annotated[UploadFile | None, File()]
# The largest file read from a form (one byte more than the service takes: it then refuses it).
FILE_READ_LIMIT = 800 * 1024 + 1
TICKET_STATUSES = {
    "open": N_("Received"),
    "in_progress": N_("Being worked on"),
    "waiting_customer": N_("Waiting for your answer"),
    "resolved": N_("Resolved"),
    "closed": N_("Closed"),
}
SERVICES = {"mobile": N_("Mobile line"), "wallet": N_("Wallet"), "home": N_("Home internet"), "iptv": N_("IPTV")}
THREAD_KINDS = {"customer": N_("You wrote"), "reply": N_("Yagona answered")}


def _files(file: UploadFile | None) -> list[NewAttachment]:
    if file is None or not file.filename:
        return []
    return [NewAttachment(filename=file.filename, data=file.file.read(FILE_READ_LIMIT))]


def _signed_in(request: Request, uow: UnitOfWork, path: str) -> str | Response:
    principal = session_customer(request, uow)
    if principal is None:
        return RedirectResponse(f"/login?next={path}", status_code=303)
    return principal.customer_id


@requests_router.get("")
def requests_page(request: Request, uow: Uow) -> Response:
    """The customer's requests, newest first, and the form of a new one."""
    who = _signed_in(request, uow, HERE)
    if isinstance(who, Response):
        return who
    return _list(request, uow, who)


def _list(request: Request, uow: UnitOfWork, customer_id: str, *, status_code: int = 200, **form: str) -> Response:
    return render(
        request,
        "crm/requests.html",
        status_code=status_code,
        tickets=service.tickets(uow, customer_id=customer_id, limit=50),
        options=service.ticket_options(page_language(request)),
        statuses=TICKET_STATUSES,
        services=SERVICES,
        number=service.ticket_number,
        form=form,
    )


@requests_router.post("")
def new_request(  # noqa: PLR0917 - FastAPI passes the form by name
    request: Request,
    uow: Uow,
    category: Annotated[str, Form(max_length=16)] = "question",
    subject: Annotated[str, Form(max_length=300)] = "",
    text: Text = "",
    service_kind: Annotated[str, Form(alias="service", max_length=16)] = "",
    file: Upload = None,
) -> Response:
    """A new request from the form; then its page. A refusal shows the form again, filled in."""
    who = _signed_in(request, uow, HERE)
    if isinstance(who, Response):
        return who
    ticket_id = service.open_request(
        uow, customer_id=who, channel=InteractionChannel.PORTAL, summary=subject, body=text, category=category,
        service=service_kind if service_kind in SERVICES else None, attachments=_files(file),
    )  # fmt: skip
    uow.commit()
    return RedirectResponse(f"{HERE}/{ticket_id}", status_code=303)


@requests_router.get("/{ticket_id}")
def request_page(request: Request, uow: Uow, ticket_id: TicketId) -> Response:
    """One of the customer's requests: its state and its thread (never a staff note)."""
    who = _signed_in(request, uow, HERE)
    if isinstance(who, Response):
        return who
    found = service.ticket(uow, ticket_id=ticket_id, customer_id=who)
    return render(
        request,
        "crm/request.html",
        ticket=found,
        thread=service.thread(uow, ticket_id=found.id, customer_id=who),
        options=service.ticket_options(page_language(request)),
        statuses=TICKET_STATUSES,
        services=SERVICES,
        kinds=THREAD_KINDS,
        number=service.ticket_number(found.id),
    )


@requests_router.post("/{ticket_id}/reply")
def reply_on_request(request: Request, uow: Uow, ticket_id: TicketId, text: Text = "", file: Upload = None) -> Response:
    """The customer writes on their request; then its page again."""
    who = _signed_in(request, uow, HERE)
    if isinstance(who, Response):
        return who
    service.customer_reply(uow, ticket_id=ticket_id, customer_id=who, body=text, attachments=_files(file))
    uow.commit()
    return RedirectResponse(f"{HERE}/{ticket_id}", status_code=303)


@requests_router.get("/{ticket_id}/files/{attachment_id}")
def request_file(request: Request, uow: Uow, ticket_id: TicketId, attachment_id: TicketId) -> Response:
    """A file the customer attached, downloaded (never shown inline)."""
    who = _signed_in(request, uow, HERE)
    if isinstance(who, Response):
        return who
    meta, data = service.attachment(uow, ticket_id=ticket_id, attachment_id=attachment_id, customer_id=who)
    return attachment_response(meta.filename, meta.content_type, data)


def attachment_response(filename: str, content_type: str, data: bytes) -> Response:
    """A stored file as a download: its type as checked on the way in, never rendered inline."""
    safe = "".join(c if c.isascii() and (c.isalnum() or c in "._-") else "_" for c in filename) or "file"
    headers = {"Content-Disposition": f'attachment; filename="{safe}"', "X-Content-Type-Options": "nosniff"}
    return Response(content=data, media_type=content_type, headers=headers)
