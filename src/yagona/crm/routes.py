"""REST of the CRM.

- `GET/POST /api/v1/me/tickets`, `GET /api/v1/me/tickets/{id}`, `POST …/{id}/messages` — the
  signed-in customer (session, or a bearer token with the scope `tickets`): their own requests
  and complaints, in the spirit of TMF621 Trouble Ticket (a name, a description, a type, a
  status, the expected resolution date) in our snake_case. Another customer's ticket is 404.

- `POST /api/v1/crm/email/inbound` — the mail provider (Mailgun's inbound route), proved by its
  signature (HMAC-SHA-256 of `timestamp + token` under `YAGONA_CRM_INBOUND_EMAIL_KEY`, fresh
  for 15 minutes, each token once): a message to the support address opens a ticket for the
  customer whose profile e-mail sent it. Not configured: 404.

- `GET /api/v1/me/interactions` — the signed-in customer (session, or a bearer token with the
  scope `history`): their own timeline, newest first, a channel at a time, a page at a time.
  The customer is the credential's: no id is taken from the request, so nobody reads another's.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Path, Query, Request
from pydantic import Field

from yagona.crm import service
from yagona.crm.rules import inbound_email
from yagona.crm.schemas import Direction, InteractionChannel, InteractionRead, TicketMessageRead, TicketRead
from yagona.kernel.errors import NotFoundError, UnauthenticatedError
from yagona.kernel.fingerprint import request_fingerprint
from yagona.platform.api import ApiModel, ApiRead, Timestamp
from yagona.platform.auth import Principal, require_customer
from yagona.platform.bus import consume_once
from yagona.platform.uow import UnitOfWork
from yagona.platform.web import unit_of_work

_PROBLEM = {"application/problem+json": {"schema": {"type": "object", "required": ["status", "code"]}}}
CUSTOMER_PROBLEMS: dict[int | str, dict[str, Any]] = {
    401: {"description": "not signed in: no One ID session or bearer token", "content": _PROBLEM},
    403: {"description": "the token lacks the scope `history`", "content": _PROBLEM},
    422: {"description": "an unknown channel or kind, or a page out of range", "content": _PROBLEM},
}

me_router = APIRouter(prefix="/api/v1/me/interactions", tags=["my history"], responses=CUSTOMER_PROBLEMS)
Uow = Annotated[UnitOfWork, Depends(unit_of_work)]
Customer = Annotated[Principal, Depends(require_customer("history"))]


class InteractionView(ApiRead):
    id: str
    channel: InteractionChannel
    direction: Direction
    summary: str
    subject_kind: str | None
    subject_id: str | None
    status: str | None
    occurred_at: Timestamp

    @classmethod
    def of(cls, entry: InteractionRead) -> InteractionView:
        return cls(
            id=entry.id,
            channel=entry.channel,
            direction=entry.direction,
            summary=entry.summary,
            subject_kind=entry.subject_kind,
            subject_id=entry.subject_id,
            status=entry.status,
            occurred_at=entry.occurred_at,
        )


class InteractionPage(ApiRead):
    items: list[InteractionView]
    page: int
    has_next: bool


@me_router.get("")
def my_interactions(  # noqa: PLR0917 - FastAPI passes the query by name
    principal: Customer,
    uow: Uow,
    channel: InteractionChannel | None = None,
    page: Annotated[int, Query(ge=1, le=1000)] = 1,
    per_page: Annotated[int, Query(ge=1, le=100)] = 20,
    kind: Annotated[str | None, Query(max_length=16)] = None,
) -> InteractionPage:
    """The customer's contacts in every channel and the operations on their services, newest
    first; `kind`: line, wallet, home, message, request, call or survey."""
    found = service.timeline_page(
        uow, customer_id=principal.customer_id, channel=channel, page=page, per_page=per_page, kind=kind
    )
    return InteractionPage(items=[InteractionView.of(e) for e in found.items], page=found.page, has_next=found.has_next)


# --- the customer's tickets ------------------------------------------------------------------

TICKET_PROBLEMS: dict[int | str, dict[str, Any]] = {
    401: CUSTOMER_PROBLEMS[401],
    403: {"description": "the token lacks the scope `tickets`", "content": _PROBLEM},
    404: {"description": "no such ticket of yours (another customer's is not found either)", "content": _PROBLEM},
    409: {"description": "the ticket is closed", "content": _PROBLEM},
    422: {"description": "an unknown type, an empty text, a field unknown", "content": _PROBLEM},
}
tickets_router = APIRouter(prefix="/api/v1/me/tickets", tags=["my tickets"], responses=TICKET_PROBLEMS)
TicketCustomer = Annotated[Principal, Depends(require_customer("tickets"))]
TicketId = Annotated[str, Path(max_length=36)]


class TicketView(ApiRead):
    """A trouble ticket, TMF621-like: `name` is its subject, `ticket_type` its category."""

    id: str
    number: str
    name: str
    description: str
    ticket_type: str
    priority: str
    status: str
    channel: InteractionChannel
    related_service: str | None
    creation_date: Timestamp
    first_response_date: Timestamp | None
    expected_resolution_date: Timestamp | None
    resolution_date: Timestamp | None
    merged_into: str | None

    @classmethod
    def of(cls, t: TicketRead) -> TicketView:
        return cls(
            id=t.id, number=service.ticket_number(t.id), name=t.summary, description=t.body, ticket_type=t.category,
            priority=t.priority, status=t.status, channel=t.channel, related_service=t.service,
            creation_date=t.opened_at, first_response_date=t.first_response_at,
            expected_resolution_date=t.resolution_due, resolution_date=t.resolved_at, merged_into=t.merged_into,
        )  # fmt: skip


class TicketNoteView(ApiRead):
    """An entry of the thread the customer sees: their words (`customer`) or a reply (`reply`)."""

    id: str
    kind: str
    text: str
    date: Timestamp
    attachments: list[str]  # file names

    @classmethod
    def of(cls, m: TicketMessageRead) -> TicketNoteView:
        return cls(
            id=m.id, kind=m.kind, text=m.body, date=m.created_at, attachments=[a.filename for a in m.attachments]
        )


class TicketDetail(TicketView):
    notes: list[TicketNoteView]


class TicketList(ApiRead):
    items: list[TicketView]


class TicketCreate(ApiModel):
    name: str = Field(min_length=1, max_length=300, description="what it is about, in a line")
    description: str = Field(min_length=1, max_length=4000)
    ticket_type: str = Field(
        default="question", max_length=16, description="question, technical, billing, complaint, claim, privacy"
    )
    related_service: str | None = Field(default=None, max_length=40, description="mobile, wallet, home, iptv")


class TicketNoteCreate(ApiModel):
    text: str = Field(min_length=1, max_length=4000)


@tickets_router.get("")
def my_tickets(principal: TicketCustomer, uow: Uow) -> TicketList:
    """The customer's tickets, newest first."""
    found = service.tickets(uow, customer_id=principal.customer_id, limit=100)
    return TicketList(items=[TicketView.of(t) for t in found])


@tickets_router.post("", status_code=201)
def open_ticket(principal: TicketCustomer, uow: Uow, body: TicketCreate) -> TicketView:
    """A new request or complaint (its SLA clocks start now); through the portal channel."""
    ticket_id = service.open_request(
        uow, customer_id=principal.customer_id, channel=InteractionChannel.PORTAL, summary=body.name,
        body=body.description, category=body.ticket_type, service=body.related_service,
    )  # fmt: skip
    uow.commit()
    return TicketView.of(service.ticket(uow, ticket_id=ticket_id, customer_id=principal.customer_id))


def _detail(uow: UnitOfWork, customer_id: str, ticket_id: str) -> TicketDetail:
    found = service.ticket(uow, ticket_id=ticket_id, customer_id=customer_id)
    notes = [TicketNoteView.of(m) for m in service.thread(uow, ticket_id=found.id, customer_id=customer_id)]
    return TicketDetail(**TicketView.of(found).model_dump(), notes=notes)


@tickets_router.get("/{ticket_id}")
def my_ticket(principal: TicketCustomer, uow: Uow, ticket_id: TicketId) -> TicketDetail:
    """One of the customer's tickets with its thread (never a member of staff's internal note)."""
    return _detail(uow, principal.customer_id, ticket_id)


@tickets_router.post("/{ticket_id}/notes", status_code=201)
def write_on_ticket(principal: TicketCustomer, uow: Uow, ticket_id: TicketId, body: TicketNoteCreate) -> TicketDetail:
    """The customer writes on their ticket; one waiting for them (or resolved) is worked again."""
    service.customer_reply(uow, ticket_id=ticket_id, customer_id=principal.customer_id, body=body.text)
    uow.commit()
    return _detail(uow, principal.customer_id, ticket_id)


# --- tickets by e-mail ------------------------------------------------------------------------

email_router = APIRouter(tags=["crm (mail provider)"])
INBOUND_EMAIL_PATH = "/api/v1/crm/email/inbound"
INBOUND_CONSUMER = "crm.inbound_email"


class InboundAnswer(ApiRead):
    accepted: bool  # a ticket was opened (false: a message seen before, or from nobody's address)


@email_router.post(
    INBOUND_EMAIL_PATH,
    summary="An e-mail to the support address, from the mail provider's inbound route (signed)",
    openapi_extra={"security": []},
    responses={
        401: {"description": "not signed with our key, or signed too long ago", "content": _PROBLEM},
        404: {"description": "no e-mail intake configured (YAGONA_CRM_INBOUND_EMAIL_KEY)", "content": _PROBLEM},
    },
)
def inbound_email_message(  # noqa: PLR0917 - the provider's form, field by field
    request: Request,
    uow: Uow,
    sender: Annotated[str, Form(max_length=320)],
    timestamp: Annotated[str, Form(max_length=20)],
    token: Annotated[str, Form(max_length=200)],
    signature: Annotated[str, Form(max_length=128)],
    subject: Annotated[str, Form(max_length=998)] = "",
    body_plain: Annotated[str, Form(alias="body-plain", max_length=20_000)] = "",
) -> InboundAnswer:
    """Open a ticket (channel `email`) for the customer whose One ID e-mail sent it. The same
    token again (the provider retrying) opens nothing more."""
    key: str | None = request.app.state.crm_inbound_email_key
    if key is None:
        raise NotFoundError("no e-mail intake is configured")
    now = uow.clock.now()
    if not inbound_email.signature_ok(key, timestamp=timestamp, token=token, signature=signature, now=now):
        raise UnauthenticatedError("the message is not signed with the intake's key, or not recently")
    seen = request_fingerprint({"token": token})[:32]
    if not consume_once(uow.session, consumer=INBOUND_CONSUMER, event_id=seen, now=now):
        return InboundAnswer(accepted=False)
    ticket_id = service.open_request_by_email(uow, sender=sender, subject=subject, body=body_plain)
    uow.commit()
    return InboundAnswer(accepted=ticket_id is not None)
