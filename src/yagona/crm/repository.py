"""Every query of the CRM."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from yagona.crm.models import (
    ContactRequest,
    DayOff,
    Interaction,
    QueueMember,
    SlaEvent,
    TicketAttachment,
    TicketMessage,
)


def add(
    session: Session, row: Interaction | ContactRequest | TicketMessage | TicketAttachment | DayOff | QueueMember
) -> None:
    session.add(row)
    session.flush()


def interactions(session: Session, *, customer_id: str, channel: str | None, limit: int) -> Sequence[Interaction]:
    """Newest first; ties (one request's several contacts) in the reverse order of writing."""
    query = select(Interaction).where(Interaction.customer_id == customer_id)
    if channel is not None:
        query = query.where(Interaction.channel == channel)
    return session.scalars(query.order_by(Interaction.occurred_at.desc(), Interaction.id.desc()).limit(limit)).all()


def contact_requests(
    session: Session, *, customer_id: str | None, status: str | None, limit: int
) -> Sequence[ContactRequest]:
    query = select(ContactRequest)
    if customer_id is not None:
        query = query.where(ContactRequest.customer_id == customer_id)
    if status is not None:
        query = query.where(ContactRequest.status == status)
    return session.scalars(query.order_by(ContactRequest.opened_at.desc(), ContactRequest.id.desc()).limit(limit)).all()


def page_of_interactions(
    session: Session,
    *,
    customer_id: str,
    channel: str | None,
    offset: int,
    limit: int,
    subject_kinds: Sequence[str] | None = None,
) -> Sequence[Interaction]:
    """One page of the timeline, newest first (`limit` + 1 rows tell whether a next page exists),
    optionally of one channel and of some subject kinds."""
    query = select(Interaction).where(Interaction.customer_id == customer_id)
    if channel is not None:
        query = query.where(Interaction.channel == channel)
    if subject_kinds is not None:
        query = query.where(Interaction.subject_kind.in_(list(subject_kinds)))
    order = (Interaction.occurred_at.desc(), Interaction.id.desc())
    return session.scalars(query.order_by(*order).offset(offset).limit(limit)).all()


def interaction_about(session: Session, *, customer_id: str, subject_kind: str, subject_id: str) -> Interaction | None:
    """The interaction that names a subject (a message), if one does."""
    query = select(Interaction).where(
        Interaction.subject_kind == subject_kind,
        Interaction.subject_id == subject_id,
        Interaction.customer_id == customer_id,
    )
    return session.scalars(query.limit(1)).first()


def contact_request(session: Session, request_id: str, *, for_update: bool = False) -> ContactRequest | None:
    query = select(ContactRequest).where(ContactRequest.id == request_id)
    return session.scalars(query.with_for_update() if for_update else query).first()


# --- tickets ---------------------------------------------------------------------------------


def tickets(
    session: Session,
    *,
    customer_id: str | None,
    statuses: Sequence[str] | None,
    queues: Sequence[str] | None,
    assigned_to: str | None,
    limit: int,
) -> Sequence[ContactRequest]:
    query = select(ContactRequest)
    if customer_id is not None:
        query = query.where(ContactRequest.customer_id == customer_id)
    if statuses is not None:
        query = query.where(ContactRequest.status.in_(statuses))
    if queues is not None:
        query = query.where(ContactRequest.queue.in_(queues))
    if assigned_to is not None:
        query = query.where(ContactRequest.assigned_to == assigned_to)
    return session.scalars(query.order_by(ContactRequest.opened_at.desc(), ContactRequest.id.desc()).limit(limit)).all()


def thread(session: Session, ticket_id: str, *, with_notes: bool) -> Sequence[TicketMessage]:
    query = select(TicketMessage).where(TicketMessage.ticket_id == ticket_id)
    if not with_notes:
        query = query.where(TicketMessage.kind.in_(("customer", "reply")))
    return session.scalars(query.order_by(TicketMessage.created_at, TicketMessage.id)).all()


def attachments(session: Session, ticket_id: str) -> Sequence[TicketAttachment]:
    query = select(TicketAttachment).where(TicketAttachment.ticket_id == ticket_id)
    return session.scalars(query.order_by(TicketAttachment.created_at, TicketAttachment.id)).all()


def attachment(session: Session, ticket_id: str, attachment_id: str) -> TicketAttachment | None:
    query = select(TicketAttachment).where(
        TicketAttachment.id == attachment_id, TicketAttachment.ticket_id == ticket_id
    )
    return session.scalars(query).first()


def days_off(session: Session, *, start: date, end: date) -> Sequence[DayOff]:
    query = select(DayOff).where(DayOff.day >= start, DayOff.day <= end)
    return session.scalars(query.order_by(DayOff.day)).all()


def day_off(session: Session, day: date) -> DayOff | None:
    return session.get(DayOff, day)


def remove_day_off(session: Session, day: date) -> bool:
    result = session.execute(delete(DayOff).where(DayOff.day == day))
    return bool(getattr(result, "rowcount", 0))


def record_sla_event(session: Session, row: SlaEvent) -> bool:
    """Once per ticket, clock and level: False when it was recorded already."""
    try:
        with session.begin_nested():
            session.add(row)
    except IntegrityError:
        return False
    return True


def sla_events(session: Session, *, queues: Sequence[str] | None, limit: int) -> Sequence[SlaEvent]:
    query = select(SlaEvent)
    if queues is not None:
        query = query.where(SlaEvent.queue.in_(queues))
    return session.scalars(query.order_by(SlaEvent.recorded_at.desc(), SlaEvent.id.desc()).limit(limit)).all()


def queues_of(session: Session, staff_id: str) -> list[str]:
    return list(session.scalars(select(QueueMember.queue).where(QueueMember.staff_id == staff_id)).all())


def queue_member(session: Session, queue: str, staff_id: str) -> QueueMember | None:
    return session.get(QueueMember, (queue, staff_id))
