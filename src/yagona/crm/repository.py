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
