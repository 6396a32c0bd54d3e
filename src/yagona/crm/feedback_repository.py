"""The queries of feedback (surveys and their answers)."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from yagona.crm.models import Interaction, Survey


def last_offered_at(session: Session, customer_id: str, *, kind: str | None = None) -> datetime | None:
    """When the customer was last offered a survey (of `kind`, or any), answered or not."""
    query = select(func.max(Survey.offered_at)).where(Survey.customer_id == customer_id)
    return session.scalar(query.where(Survey.kind == kind) if kind is not None else query)


def survey(session: Session, survey_id: str, *, for_update: bool = False) -> Survey | None:
    query = select(Survey).where(Survey.id == survey_id)
    return session.scalars(query.with_for_update() if for_update else query).first()


def surveys_of(session: Session, customer_id: str, limit: int) -> Sequence[Survey]:
    query = select(Survey).where(Survey.customer_id == customer_id)
    return session.scalars(query.order_by(Survey.offered_at.desc(), Survey.id.desc()).limit(limit)).all()


def answered(session: Session, *, kind: str, start: datetime, end: datetime) -> Sequence[Survey]:
    query = select(Survey).where(
        Survey.kind == kind, Survey.status == "answered", Survey.answered_at >= start, Survey.answered_at < end
    )
    return session.scalars(query.order_by(Survey.answered_at)).all()


def latest_about(session: Session, *, customer_id: str, subject_kind: str, subject_id: str) -> Interaction | None:
    """The latest interaction of the customer that names a subject (a line, a receipt, a ticket)."""
    query = select(Interaction).where(
        Interaction.customer_id == customer_id,
        Interaction.subject_kind == subject_kind,
        Interaction.subject_id == subject_id,
    )
    return session.scalars(query.order_by(Interaction.occurred_at.desc(), Interaction.id.desc()).limit(1)).first()


def latest_contact(
    session: Session, *, customer_id: str, channels: Collection[str], start: datetime, end: datetime
) -> Interaction | None:
    """The customer's latest contact in one of `channels` within [start, end]."""
    query = select(Interaction).where(
        Interaction.customer_id == customer_id,
        Interaction.channel.in_(list(channels)),
        Interaction.direction == "in",
        Interaction.occurred_at >= start,
        Interaction.occurred_at <= end,
    )
    return session.scalars(query.order_by(Interaction.occurred_at.desc(), Interaction.id.desc()).limit(1)).first()
