"""Tickets: requests and complaints from any channel (the portal form, the bot's "talk to a
person", a USSD call-back, staff on a call), worked in queues by agents (`ticket_work`),
answered through the channel they came from, on SLA clocks of the business calendar (`sla`).

A ticket is the call-centre's contact request (`crm_contact_request`) grown up: `open_request`
keeps its signature. Its thread: the customer's words, replies to the customer, internal notes
(never shown to the customer) and what happened to it."""

from __future__ import annotations

from collections.abc import Sequence

from yagona.crm import repository, rules
from yagona.crm.errors import (
    AttachmentRefusedError,
    RequestClosedError,
    RequestNotFoundError,
    TicketInvalidError,
)
from yagona.crm.events import TicketOpened
from yagona.crm.models import ContactRequest, TicketAttachment, TicketMessage
from yagona.crm.rules import tickets as ticket_rules
from yagona.crm.rules.sla import BusinessCalendar
from yagona.crm.schemas import (
    AttachmentRead,
    Direction,
    InteractionChannel,
    NewAttachment,
    TicketMessageRead,
    TicketRead,
)
from yagona.crm.service import sla
from yagona.crm.service._base import _channel, _text
from yagona.crm.service.interactions import record_interaction
from yagona.kernel.ids import new_id
from yagona.platform.uow import UnitOfWork

SUBJECT = "contact_request"  # the timeline's subject kind of a ticket
# --- opening ---------------------------------------------------------------------------------


def open_request(
    uow: UnitOfWork,
    *,
    customer_id: str,
    channel: InteractionChannel | str,
    summary: str,
    body: str,
    category: str = "question",
    priority: str = "normal",
    service: str | None = None,
    attachments: Sequence[NewAttachment] = (),
) -> str:
    """A ticket (a request for the call-centre); returns its id. It is also an incoming
    interaction on the timeline; its SLA clocks start now. A missing customer, an unknown
    category or priority, or a refused attachment is refused before anything is written."""
    if not customer_id.strip():
        raise TicketInvalidError("a ticket belongs to a customer", field="customer_id")
    category, priority = sla.checked(category=category, priority=priority)
    files = _checked_files(attachments)
    row = ContactRequest(
        id=new_id(),
        customer_id=customer_id[:36],
        channel=_channel(channel),
        summary=_text(summary, rules.SUMMARY_MAX_LENGTH),
        body=_text(body, rules.BODY_MAX_LENGTH),
        status="open",
        opened_at=uow.clock.now(),
        category=category,
        priority=priority,
        service=" ".join(service.split())[:40] or None if service else None,
        queue=sla.queue_of(category),
    )
    sla.set_due_dates(uow, row)
    repository.add(uow.session, row)
    message = _message(uow, row.id, kind="customer", body=row.body, channel=row.channel)
    _attach(uow, row.id, message, files)
    record_interaction(
        uow, customer_id=row.customer_id, channel=row.channel, direction=Direction.IN, summary=row.summary,
        subject_kind=SUBJECT, subject_id=row.id,
    )  # fmt: skip
    uow.add_event(
        TicketOpened(
            occurred_at=row.opened_at, ticket_id=row.id, customer_id=row.customer_id, channel=row.channel,
            category=row.category, priority=row.priority, queue=row.queue,
        )
    )  # fmt: skip
    return row.id


def _checked_files(attachments: Sequence[NewAttachment]) -> list[tuple[str, str, bytes]]:
    limit_kb = ticket_rules.ATTACHMENT_MAX_BYTES // 1024
    if len(attachments) > ticket_rules.ATTACHMENTS_MAX:
        raise AttachmentRefusedError("too many files", limit_kb=limit_kb, reason="count")
    checked: list[tuple[str, str, bytes]] = []
    for file in attachments:
        refusal = ticket_rules.attachment_refusal(file.data)
        if refusal is not None:
            raise AttachmentRefusedError(f"attachment refused: {refusal}", limit_kb=limit_kb, reason=refusal)
        kind = ticket_rules.attachment_type(file.data)
        assert kind is not None
        checked.append((ticket_rules.safe_filename(file.filename), kind, file.data))
    return checked


def _attach(uow: UnitOfWork, ticket_id: str, message_id: str, files: list[tuple[str, str, bytes]]) -> None:
    for name, kind, data in files:
        repository.add(
            uow.session,
            TicketAttachment(
                id=new_id(), ticket_id=ticket_id, message_id=message_id, filename=name, content_type=kind,
                size=len(data), data=data, created_at=uow.clock.now(),
            ),
        )  # fmt: skip


def _message(
    uow: UnitOfWork, ticket_id: str, *, kind: str, body: str, author: str | None = None, channel: str | None = None
) -> str:
    row = TicketMessage(
        id=new_id(), ticket_id=ticket_id, kind=kind, body=body, author=author, channel=channel,
        created_at=uow.clock.now(),
    )  # fmt: skip
    repository.add(uow.session, row)
    return row.id


# --- reading ---------------------------------------------------------------------------------


def _read(uow: UnitOfWork, row: ContactRequest, cal: BusinessCalendar | None = None) -> TicketRead:
    now = uow.clock.now()
    view = TicketRead.model_validate(row, from_attributes=True)
    return view.model_copy(update={"risk": sla.risk_of(row, now, cal or sla.business_calendar(uow, around=now))})


def _row(uow: UnitOfWork, ticket_id: str, *, customer_id: str | None = None, lock: bool = False) -> ContactRequest:
    """The ticket; another customer's is as missing as one that does not exist."""
    row = repository.contact_request(uow.session, ticket_id[:36], for_update=lock)
    if row is None or (customer_id is not None and row.customer_id != customer_id):
        raise RequestNotFoundError(f"no ticket {ticket_id[:36]}", request_id=ticket_id[:36])
    return row


def ticket(uow: UnitOfWork, *, ticket_id: str, customer_id: str | None = None) -> TicketRead:
    """One ticket; with `customer_id`, only if it is theirs (else `request_not_found`)."""
    return _read(uow, _row(uow, ticket_id, customer_id=customer_id))


def tickets(
    uow: UnitOfWork,
    *,
    customer_id: str | None = None,
    statuses: Sequence[str] | None = None,
    queue: str | None = None,
    queues: Sequence[str] | None = None,
    assigned_to: str | None = None,
    risk: str | None = None,
    limit: int = 100,
) -> list[TicketRead]:
    """Tickets, newest first: a customer's, or a queue's (filtered by status and breach risk)."""
    chosen = [queue] if queue else (list(queues) if queues is not None else None)
    rows = repository.tickets(
        uow.session, customer_id=customer_id, statuses=statuses, queues=chosen, assigned_to=assigned_to,
        limit=max(1, min(limit, uow.limits.page_size_max)),
    )  # fmt: skip
    cal = sla.business_calendar(uow, around=uow.clock.now())  # once for the whole list
    found = [_read(uow, row, cal) for row in rows]
    return [t for t in found if risk is None or t.risk == risk]


def thread(uow: UnitOfWork, *, ticket_id: str, customer_id: str | None = None) -> list[TicketMessageRead]:
    """The ticket's thread, oldest first. The customer's view (`customer_id`) holds their words
    and the replies only: never an internal note."""
    row = _row(uow, ticket_id, customer_id=customer_id)
    files: dict[str, list[AttachmentRead]] = {}
    for file in repository.attachments(uow.session, row.id):
        files.setdefault(file.message_id, []).append(AttachmentRead.model_validate(file, from_attributes=True))
    return [
        TicketMessageRead(
            id=m.id,
            kind=m.kind,
            body=m.body,
            author=m.author,
            channel=m.channel,
            created_at=m.created_at,
            attachments=tuple(files.get(m.id, ())),
        )
        for m in repository.thread(uow.session, row.id, with_notes=customer_id is None)
    ]


def attachment(
    uow: UnitOfWork, *, ticket_id: str, attachment_id: str, customer_id: str | None = None
) -> tuple[AttachmentRead, bytes]:
    row = _row(uow, ticket_id, customer_id=customer_id)
    file = repository.attachment(uow.session, row.id, attachment_id[:36])
    if file is None:
        raise RequestNotFoundError(f"no attachment {attachment_id[:36]}", request_id=row.id)
    return AttachmentRead.model_validate(file, from_attributes=True), bytes(file.data)


# --- the customer writes back ----------------------------------------------------------------


def customer_reply(
    uow: UnitOfWork, *, ticket_id: str, customer_id: str, body: str, attachments: Sequence[NewAttachment] = ()
) -> str:
    """The customer writes on their ticket (the portal's thread); a ticket waiting for them or
    resolved is worked again; a closed one is refused."""
    text = _text(body, rules.BODY_MAX_LENGTH)
    files = _checked_files(attachments)
    row = _row(uow, ticket_id, customer_id=customer_id, lock=True)
    if row.status == "closed":
        raise RequestClosedError("this ticket is closed", request_id=row.id)
    message = _message(uow, row.id, kind="customer", body=text, channel=InteractionChannel.PORTAL.value)
    _attach(uow, row.id, message, files)
    row.status = ticket_rules.after_customer_reply(row.status)
    if row.status == "in_progress":
        row.resolved_at = None
    record_interaction(
        uow, customer_id=row.customer_id, channel=InteractionChannel.PORTAL, direction=Direction.IN,
        summary=f"Wrote on the request {number(row.id)}", subject_kind=SUBJECT, subject_id=row.id,
    )  # fmt: skip
    return message


def number(ticket_id: str) -> str:
    """What the customer is told to quote: the id's last 8 characters (as the bot says it)."""
    return ticket_id[-8:].upper()
