"""Every query of the offers table."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from yagona.analytics.models import OPEN, Offer


def add(session: Session, row: Offer) -> None:
    session.add(row)


def offer(session: Session, offer_id: str, *, for_update: bool = False) -> Offer | None:
    query = select(Offer).where(Offer.id == offer_id)
    if for_update:
        query = query.with_for_update()
    return session.scalars(query).first()


def of_customer(session: Session, customer_id: str, *, limit: int = 50) -> list[Offer]:
    return list(
        session.scalars(
            select(Offer)
            .where(Offer.customer_id == customer_id)
            .order_by(Offer.made_at.desc(), Offer.id.desc())
            .limit(limit)
        )
    )


def open_of_customer(session: Session, customer_id: str) -> list[Offer]:
    return list(
        session.scalars(
            select(Offer)
            .where(Offer.customer_id == customer_id, Offer.status.in_(OPEN))
            .order_by(Offer.made_at.desc(), Offer.id.desc())
        )
    )


def last_of_line(session: Session, msisdn: str) -> Offer | None:
    """The line's latest offer (open or not): the one the cadence counts from."""
    return session.scalars(
        select(Offer).where(Offer.msisdn == msisdn).order_by(Offer.made_at.desc(), Offer.id.desc()).limit(1)
    ).first()


def open_past(session: Session, now: datetime) -> list[Offer]:
    """Open offers whose expiry has come."""
    return list(session.scalars(select(Offer).where(Offer.status.in_(OPEN), Offer.expires_at <= now)))


def made_between(session: Session, start: datetime, end: datetime) -> list[Offer]:
    return list(
        session.scalars(select(Offer).where(Offer.made_at >= start, Offer.made_at < end).order_by(Offer.made_at))
    )
