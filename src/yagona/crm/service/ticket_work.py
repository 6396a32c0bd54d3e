"""Staff work tickets: internal notes, replies through the channel the ticket came from,
assignment to queues and agents, statuses, priorities, merging duplicates — and the
call-centre's first queue (`contact_requests`, `close_request`). Who may act: an agent on the
tickets of the queues they work (the open queues, or those they are a member of); a supervisor
or an administrator on any, and only they reassign to someone else."""

from __future__ import annotations

from collections.abc import Callable

from yagona.crm import repository, rules
from yagona.crm.errors import (
    NotInQueueError,
    RequestClosedError,
    RequestNotFoundError,
    TicketInvalidError,
    TicketMergeError,
)
from yagona.crm.events import TicketReplied, TicketResolved
from yagona.crm.models import ContactRequest, QueueMember
from yagona.crm.rules import tickets as ticket_rules
from yagona.crm.schemas import (
    TICKET_DONE,
    TICKET_STATUSES,
    ContactRequestRead,
    Direction,
    InteractionChannel,
    TicketRead,
)
from yagona.crm.service import sla
from yagona.crm.service._base import _text
from yagona.crm.service.interactions import note_message, record_interaction
from yagona.crm.service.tickets import SUBJECT, _message, _read, _row, number
from yagona.identity import service as identity
from yagona.identity.service import staff as staff_service
from yagona.kernel.errors import YagonaError
from yagona.notify import service as notify
from yagona.notify.schemas import Channel, Language
from yagona.platform.sealing import Sealer
from yagona.platform.uow import UnitOfWork

REPLY_TEMPLATE = "notify.text"
# Channels whose replies travel by SMS: the customer is not on a page of ours to read them.
# Telegram too, unless the bot is on and the customer's chat is linked (`deliver_replies_by`).
SMS_CHANNELS = frozenset({"ussd", "sms", "telegram", "staff", "email", "push", "account"})
SUPERVISING = frozenset({"supervisor", "admin"})
_sealers: list[Sealer] = []
# A channel adapter above crm that delivers replies itself (the Telegram bot to the customer's
# chat): whether it reaches a customer now. It sends on `crm.ticket_replied` with `via` its name.
Reaches = Callable[[UnitOfWork, str], bool]
_adapters: dict[str, Reaches] = {}


def deliver_replies_by(channel: str, reaches: Reaches) -> None:
    """The composition root names a channel whose adapter delivers replies to tickets that came
    from it (the bot, when it is on); `reaches(uow, customer_id)` says whether it can now."""
    _adapters[channel] = reaches


def configure(*, secret_key: str) -> None:
    """The composition root hands in the secret that seals the SMS replies (notify)."""
    _sealers[:] = [notify.sealer_for(secret_key)]


# --- staff work it ---------------------------------------------------------------------------


def staff_queues(uow: UnitOfWork, *, staff_id: str) -> list[str]:
    """The queues an agent works: the open ones and those they are a member of."""
    return sorted(sla.open_queues() | set(repository.queues_of(uow.session, staff_id)))


def _may_work(uow: UnitOfWork, row: ContactRequest, staff_id: str, role: str) -> None:
    if role in SUPERVISING or row.queue in staff_queues(uow, staff_id=staff_id):
        return
    raise NotInQueueError(f"{staff_id} does not work the queue {row.queue}", queue=row.queue)


def _worked(uow: UnitOfWork, ticket_id: str, staff_id: str, role: str) -> ContactRequest:
    row = _row(uow, ticket_id, lock=True)
    _may_work(uow, row, staff_id, role)
    return row


def add_note(uow: UnitOfWork, *, ticket_id: str, staff_id: str, role: str, body: str) -> str:
    """An internal note on the ticket: staff read it, the customer never does."""
    text = _text(body, rules.NOTE_MAX_LENGTH)
    row = _worked(uow, ticket_id, staff_id, role)
    return _message(uow, row.id, kind="note", body=text, author=staff_id)


def reply(uow: UnitOfWork, *, ticket_id: str, staff_id: str, role: str, body: str) -> str:
    """A reply to the customer through the channel the ticket came from: the portal's thread
    for a portal ticket, the bot's chat for a bot ticket (when the bot reaches the customer),
    an SMS otherwise (USSD, SMS, a call). The first reply stops
    the first-response clock; an open ticket is then in progress."""
    text = _text(body, rules.BODY_MAX_LENGTH)
    row = _worked(uow, ticket_id, staff_id, role)
    if row.status == "closed":
        raise RequestClosedError("this ticket is closed", request_id=row.id)
    now = uow.clock.now()
    adapter = _adapters.get(row.channel)
    if adapter is not None and adapter(uow, row.customer_id):
        via = row.channel  # the adapter sends it once this commits (crm.ticket_replied)
    elif row.channel in SMS_CHANNELS:
        _send_sms(uow, row, text)
        via = InteractionChannel.SMS.value
    else:
        via = InteractionChannel.PORTAL.value
    if via != InteractionChannel.SMS.value:  # an SMS is on the timeline by notify's events
        record_interaction(
            uow, customer_id=row.customer_id, channel=via, direction=Direction.OUT,
            summary=f"Reply on the request {number(row.id)}", subject_kind=SUBJECT, subject_id=row.id,
            recorded_by=staff_id,
        )  # fmt: skip
    message = _message(uow, row.id, kind="reply", body=text, author=staff_id, channel=via)
    uow.add_event(
        TicketReplied(
            occurred_at=now, ticket_id=row.id, number=number(row.id), customer_id=row.customer_id,
            channel=row.channel, via=via, text=text,
        )
    )  # fmt: skip
    if row.first_response_at is None:
        row.first_response_at = now
    if row.status == "open":
        row.status = "in_progress"
    if row.assigned_to is None:
        row.assigned_to = staff_id
    return message


def reply_undelivered(uow: UnitOfWork, *, ticket_id: str, via: str, text: str) -> None:
    """The channel's adapter could not deliver a reply (the customer blocked the bot, the Bot
    API refused): the customer gets it by SMS instead, and the thread says where it went."""
    row = _row(uow, ticket_id)
    sent = [m for m in repository.thread(uow.session, row.id, with_notes=False) if m.kind == "reply"]
    for message in reversed(sent):
        if message.channel == via and message.body == text:
            message.channel = InteractionChannel.SMS.value
            break
    _send_sms(uow, row, text)


def _send_sms(uow: UnitOfWork, row: ContactRequest, text: str) -> None:
    if not _sealers:
        raise RuntimeError("crm.service.tickets.configure was not called")
    try:
        customer = identity.get_customer(uow, customer_id=row.customer_id)
    except YagonaError:
        raise TicketInvalidError("the customer has no phone to reply to", field="customer_id") from None
    if not customer.phones:
        raise TicketInvalidError("the customer has no phone to reply to", field="customer_id")
    words = f"Yagona ({number(row.id)}): {text}"
    message_id = notify.queue(
        uow, channel=Channel.SMS, recipient=customer.phones[0], template=REPLY_TEMPLATE,
        language=Language(customer.language.value), params={"text": words}, sealer=_sealers[0],
    )  # fmt: skip
    note_message(
        uow, customer_id=row.customer_id, channel=InteractionChannel.SMS, message_id=message_id,
        summary=f"SMS: a reply on the request {number(row.id)}", status="sent",
    )  # fmt: skip


def assign(
    uow: UnitOfWork,
    *,
    ticket_id: str,
    staff_id: str,
    role: str,
    queue: str | None = None,
    agent: str | None = None,
) -> TicketRead:
    """Move a ticket to a queue and/or an agent. An agent takes a ticket of their queue for
    themselves; a supervisor moves any ticket to any queue and any member of staff."""
    row = _worked(uow, ticket_id, staff_id, role)
    if row.status in TICKET_DONE:
        raise RequestClosedError("this ticket is done", request_id=row.id)
    supervising = role in SUPERVISING
    if queue is not None and queue != row.queue:
        if not supervising:
            raise NotInQueueError("only a supervisor moves a ticket to another queue", queue=queue[:24])
        if queue not in sla.options("en").queues:
            raise TicketInvalidError(f"no queue {queue[:24]}", field="queue")
        _message(uow, row.id, kind="event", body=f"queue: {row.queue} → {queue}", author=staff_id)
        row.queue = queue
    if agent is not None and agent != row.assigned_to:
        if not supervising and agent != staff_id:
            raise NotInQueueError("only a supervisor assigns a ticket to someone else", queue=row.queue)
        if agent not in staff_service.staff_names(uow):
            raise TicketInvalidError(f"no member of staff {agent[:36]}", field="agent")
        _message(uow, row.id, kind="event", body=f"assigned: {agent}", author=staff_id)
        row.assigned_to = agent
    uow.session.flush()
    return _read(uow, row)


def set_status(uow: UnitOfWork, *, ticket_id: str, staff_id: str, role: str, status: str) -> TicketRead:
    """Move a ticket along (`rules.tickets.MOVES`); resolving or closing it publishes
    `crm.ticket_resolved` (once: a resolved ticket closed later publishes nothing more)."""
    if status not in TICKET_STATUSES:
        raise TicketInvalidError(f"no status {status[:20]}", field="status")
    row = _worked(uow, ticket_id, staff_id, role)
    if not ticket_rules.may_move(row.status, status):
        if row.status == "closed":
            raise RequestClosedError("this ticket is closed", request_id=row.id)
        raise TicketInvalidError(f"a ticket {row.status} does not become {status}", field="status")
    was = row.status
    _message(uow, row.id, kind="event", body=f"status: {was} → {status}", author=staff_id)
    row.status = status
    _finish(uow, row, was=was, staff_id=staff_id)
    uow.session.flush()
    return _read(uow, row)


def _finish(uow: UnitOfWork, row: ContactRequest, *, was: str, staff_id: str | None) -> None:
    now = uow.clock.now()
    if row.status == "in_progress":
        row.resolved_at = None
    if row.status in TICKET_DONE and row.resolved_at is None:
        row.resolved_at = now
    if row.status == "closed":
        row.closed_at, row.closed_by = now, staff_id
    if row.status in TICKET_DONE and was not in TICKET_DONE and row.merged_into is None:
        within = row.resolution_due is None or row.resolved_at is None or row.resolved_at <= row.resolution_due
        uow.add_event(
            TicketResolved(
                occurred_at=now, ticket_id=row.id, customer_id=row.customer_id, channel=row.channel,
                category=row.category, priority=row.priority, status=row.status, resolved_by=staff_id,
                within_sla=within, queue=row.queue,
            )
        )  # fmt: skip


def set_priority(uow: UnitOfWork, *, ticket_id: str, staff_id: str, role: str, priority: str) -> TicketRead:
    """A new priority: the due dates are counted again from the opening (and their jobs armed
    again; the old ones find the clock moved and record nothing)."""
    row = _worked(uow, ticket_id, staff_id, role)
    if row.status in TICKET_DONE:
        raise RequestClosedError("this ticket is done", request_id=row.id)
    _, priority = sla.checked(category=row.category, priority=priority)
    if priority != row.priority:
        _message(uow, row.id, kind="event", body=f"priority: {row.priority} → {priority}", author=staff_id)
        row.priority = priority
        sla.set_due_dates(uow, row)
    uow.session.flush()
    return _read(uow, row)


def merge(uow: UnitOfWork, *, ticket_id: str, into: str, staff_id: str, role: str) -> TicketRead:
    """A duplicate merges into the ticket that survives (the same customer's, not done): the
    duplicate's words join the survivor's thread, the duplicate closes and points at it."""
    duplicate = _worked(uow, ticket_id, staff_id, role)
    survivor = _row(uow, into, lock=True)
    _may_work(uow, survivor, staff_id, role)
    if (
        survivor.id == duplicate.id
        or survivor.customer_id != duplicate.customer_id
        or survivor.status in TICKET_DONE
        or duplicate.status in TICKET_DONE
    ):
        raise TicketMergeError("these tickets cannot be merged", request_id=duplicate.id)
    _message(uow, survivor.id, kind="customer", body=duplicate.body, channel=duplicate.channel)
    _message(uow, survivor.id, kind="event", body=f"merged: {number(duplicate.id)}", author=staff_id)
    _message(uow, duplicate.id, kind="event", body=f"merged into: {number(survivor.id)}", author=staff_id)
    duplicate.merged_into = survivor.id
    duplicate.status, duplicate.closed_at, duplicate.closed_by = "closed", uow.clock.now(), staff_id
    uow.session.flush()
    return _read(uow, duplicate)


def add_queue_member(uow: UnitOfWork, *, queue: str, staff_id: str) -> bool:
    """A member of staff works `queue` from now on; False when they did already."""
    if queue not in sla.options("en").queues:
        raise TicketInvalidError(f"no queue {queue[:24]}", field="queue")
    if staff_id not in staff_service.staff_names(uow):
        raise TicketInvalidError(f"no member of staff {staff_id[:36]}", field="staff_id")
    if repository.queue_member(uow.session, queue, staff_id) is not None:
        return False
    repository.add(uow.session, QueueMember(queue=queue, staff_id=staff_id))
    return True


# --- the call-centre's first queue (before tickets): kept as it was --------------------------


def contact_requests(
    uow: UnitOfWork, *, customer_id: str | None = None, status: str | None = "open", limit: int = 50
) -> list[ContactRequestRead]:
    """Requests, newest first: a customer's, or the call-centre's open queue."""
    rows = repository.contact_requests(
        uow.session, customer_id=customer_id, status=status, limit=max(1, min(limit, uow.limits.page_size_max))
    )
    return [ContactRequestRead.model_validate(row, from_attributes=True) for row in rows]


def close_request(
    uow: UnitOfWork, *, request_id: str, staff_id: str, note: str, role: str = "agent"
) -> ContactRequestRead:
    """A member of staff closes a ticket with a note (what was done); a closed or resolved one
    is refused. The note is an outgoing staff interaction on the customer's timeline and a
    reply in the ticket's thread."""
    cleaned = _text(note, rules.NOTE_MAX_LENGTH)
    row = repository.contact_request(uow.session, request_id[:36], for_update=True)
    if row is None:
        raise RequestNotFoundError(f"no request {request_id[:36]}", request_id=request_id[:36])
    if row.status in TICKET_DONE:
        raise RequestClosedError("this request is closed already", request_id=row.id)
    _may_work(uow, row, staff_id, role)
    was = row.status
    row.status, row.close_note = "closed", cleaned
    if row.first_response_at is None:
        row.first_response_at = uow.clock.now()
    _message(uow, row.id, kind="reply", body=cleaned, author=staff_id, channel=InteractionChannel.STAFF.value)
    _finish(uow, row, was=was, staff_id=staff_id)
    record_interaction(
        uow, customer_id=row.customer_id, channel=InteractionChannel.STAFF, direction=Direction.OUT,
        summary=cleaned, subject_kind=SUBJECT, subject_id=row.id, recorded_by=staff_id,
    )  # fmt: skip
    uow.session.flush()
    return ContactRequestRead.model_validate(row, from_attributes=True)
