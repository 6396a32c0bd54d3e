"""Every query of the loyalty domain."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import func, insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from yagona.loyalty.models import Alias, Entry, Lot, Member


def member(session: Session, phone: str) -> Member | None:
    return session.scalars(select(Member).where(Member.phone == phone)).first()


def member_for_update(session: Session, phone: str) -> Member | None:
    """The member, locked for the rest of the transaction (PostgreSQL; SQLite serialises
    writers): accruals, redemptions and expiries of one member queue on this row."""
    return session.scalars(select(Member).where(Member.phone == phone).with_for_update()).first()


def claim_member(session: Session, *, phone: str, tier: str, now: datetime) -> None:
    """Insert the member unless it exists (two first events at once: one row)."""
    try:
        with session.begin_nested():
            session.execute(
                insert(Member).values(phone=phone, tier=tier, carry_tiyin=0, debt_points=0, kinds="", joined_at=now)
            )
    except IntegrityError:
        pass


def open_lots(session: Session, member_id: int, *, lock: bool = False) -> Sequence[Lot]:
    """Lots with points left, oldest first (the order they are burned in)."""
    query = select(Lot).where(Lot.member_id == member_id, Lot.remaining > 0).order_by(Lot.earned_at, Lot.id)
    return session.scalars(query.with_for_update() if lock else query).all()


def lots_expiring(session: Session, member_id: int, at: datetime) -> Sequence[Lot]:
    return session.scalars(
        select(Lot)
        .where(Lot.member_id == member_id, Lot.remaining > 0, Lot.expires_at <= at)
        .order_by(Lot.earned_at, Lot.id)
        .with_for_update()
    ).all()


def add(session: Session, row: Lot | Entry) -> None:
    session.add(row)
    session.flush()


def spend_since(session: Session, member_id: int, since: datetime) -> int:
    """The earning spend counted after `since` (take-backs count negative)."""
    total = session.scalar(
        select(func.coalesce(func.sum(Entry.spend_tiyin), 0)).where(Entry.member_id == member_id, Entry.at > since)
    )
    return int(total or 0)


def spends_since(session: Session, member_id: int, since: datetime) -> list[tuple[datetime, int]]:
    """(when, spend) of every spend still in the window, for when the tier would drop."""
    rows = session.execute(
        select(Entry.at, Entry.spend_tiyin).where(
            Entry.member_id == member_id, Entry.at > since, Entry.spend_tiyin != 0
        )
    )
    return [(at, spend) for at, spend in rows]


def entry_by_reference(session: Session, member_id: int, reference: str, kind: str) -> Entry | None:
    return session.scalars(
        select(Entry).where(Entry.member_id == member_id, Entry.reference == reference, Entry.kind == kind)
    ).first()


def history(session: Session, member_id: int, *, limit: int) -> Sequence[Entry]:
    return session.scalars(
        select(Entry).where(Entry.member_id == member_id).order_by(Entry.at.desc(), Entry.id.desc()).limit(limit)
    ).all()


def totals_by_kind(session: Session, member_id: int) -> dict[str, int]:
    rows = session.execute(
        select(Entry.kind, func.sum(Entry.points)).where(Entry.member_id == member_id).group_by(Entry.kind)
    )
    return {kind: int(points or 0) for kind, points in rows}


def member_phones(session: Session) -> list[str]:
    return list(session.scalars(select(Member.phone).order_by(Member.phone)))


def alias_of(session: Session, phone: str) -> str | None:
    return session.scalar(select(Alias.member_phone).where(Alias.phone == phone))


def set_alias(session: Session, *, phone: str, member_phone: str, now: datetime) -> None:
    found = session.get(Alias, phone)
    if found is None:
        session.add(Alias(phone=phone, member_phone=member_phone, linked_at=now))
    else:
        found.member_phone, found.linked_at = member_phone, now
    session.flush()
