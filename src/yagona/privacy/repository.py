"""Queries of the access log."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from yagona.privacy.models import AccessRecord


def add(session: Session, row: AccessRecord) -> None:
    session.add(row)
    session.flush()


def records(session: Session, *, customer_id: str | None, staff_id: str | None, limit: int) -> Sequence[AccessRecord]:
    """Newest first, filtered by either or both."""
    query = select(AccessRecord)
    if customer_id is not None:
        query = query.where(AccessRecord.customer_id == customer_id)
    if staff_id is not None:
        query = query.where(AccessRecord.staff_id == staff_id)
    return session.scalars(query.order_by(AccessRecord.seq.desc()).limit(limit)).all()
