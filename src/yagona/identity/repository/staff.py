"""Queries of staff accounts and their console sessions, and the customer search the
console asks of identity (by name, by a phone, by a linked service)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import func, or_, select, update
from sqlalchemy.orm import Session

from yagona.identity.models import Customer, LinkedService, Phone, StaffMember, StaffSession


def staff_by_login(session: Session, login: str) -> StaffMember | None:
    return session.scalars(select(StaffMember).where(StaffMember.login == login)).first()


def staff_by_id(session: Session, staff_id: str) -> StaffMember | None:
    return session.get(StaffMember, staff_id)


def staff_members(session: Session) -> Sequence[StaffMember]:
    return session.scalars(select(StaffMember).order_by(StaffMember.login)).all()


def accept_staff_totp_step(session: Session, staff_id: str, step: int) -> bool:
    """Record `step` as used; False when it (or a later one) was used already."""
    row = session.execute(
        update(StaffMember)
        .where(StaffMember.id == staff_id, StaffMember.totp_last_step < step)
        .values(totp_last_step=step)
        .returning(StaffMember.id)
    ).first()
    return row is not None


def live_staff_session(session: Session, token_hash: str, now: datetime, idle_since: datetime) -> StaffSession | None:
    return session.scalars(
        select(StaffSession).where(
            StaffSession.token_hash == token_hash,
            StaffSession.revoked_at.is_(None),
            StaffSession.expires_at > now,
            StaffSession.last_seen_at > idle_since,
        )
    ).first()


def revoke_staff_sessions(session: Session, *, staff_id: str, now: datetime, session_id: str | None = None) -> int:
    query = update(StaffSession).where(StaffSession.staff_id == staff_id, StaffSession.revoked_at.is_(None))
    if session_id is not None:
        query = query.where(StaffSession.id == session_id)
    return len(session.execute(query.values(revoked_at=now).returning(StaffSession.id)).all())


def search_customers(session: Session, *, name: str | None, phone: str | None, limit: int) -> Sequence[str]:
    """Ids of customers whose name holds `name` (any case), or who hold `phone` as a
    profile phone or a linked service's reference (a line, a wallet)."""
    conditions = []
    if name:
        conditions.append(func.lower(Customer.name).contains(name.lower(), autoescape=True))
    if phone:
        conditions.append(Customer.id.in_(select(Phone.customer_id).where(Phone.phone == phone)))
        conditions.append(Customer.id.in_(select(LinkedService.customer_id).where(LinkedService.reference == phone)))
    if not conditions:
        return []
    return session.scalars(select(Customer.id).where(or_(*conditions)).order_by(Customer.name).limit(limit)).all()
