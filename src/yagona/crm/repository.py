"""Every query of the CRM."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from yagona.crm.models import ContactRequest, Interaction


def add(session: Session, row: Interaction | ContactRequest) -> None:
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
