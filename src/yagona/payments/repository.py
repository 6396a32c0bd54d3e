"""Every query of the payments domain."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from yagona.payments.models import PaymentCredential, PaymentTransaction


def by_external(session: Session, system: str, external_id: str, *, lock: bool = False) -> PaymentTransaction | None:
    query = select(PaymentTransaction).where(
        PaymentTransaction.system == system, PaymentTransaction.external_id == external_id
    )
    if lock:
        query = query.with_for_update()
    return session.scalars(query).one_or_none()


def by_seq(session: Session, system: str, seq: int, *, lock: bool = False) -> PaymentTransaction | None:
    query = select(PaymentTransaction).where(PaymentTransaction.system == system, PaymentTransaction.seq == seq)
    if lock:
        query = query.with_for_update()
    return session.scalars(query).one_or_none()


def add(session: Session, row: PaymentTransaction) -> PaymentTransaction:
    session.add(row)
    session.flush()
    return row


def between(session: Session, system: str, start: datetime, end: datetime) -> list[PaymentTransaction]:
    return list(
        session.scalars(
            select(PaymentTransaction)
            .where(
                PaymentTransaction.system == system,
                PaymentTransaction.created_at >= start,
                PaymentTransaction.created_at <= end,
            )
            .order_by(PaymentTransaction.seq)
        )
    )


def payme_between(session: Session, start_ms: int, end_ms: int) -> list[PaymentTransaction]:
    """Payme's transactions by Payme's own `time` (ms), ascending: GetStatement's rule."""
    return list(
        session.scalars(
            select(PaymentTransaction)
            .where(
                PaymentTransaction.system == "payme",
                PaymentTransaction.external_time >= start_ms,
                PaymentTransaction.external_time <= end_ms,
            )
            .order_by(PaymentTransaction.external_time, PaymentTransaction.seq)
        )
    )


def of_account(session: Session, target: str, account: str, limit: int) -> list[PaymentTransaction]:
    return list(
        session.scalars(
            select(PaymentTransaction)
            .where(PaymentTransaction.target == target, PaymentTransaction.account == account)
            .order_by(PaymentTransaction.seq.desc())
            .limit(limit)
        )
    )


def all_of(session: Session, system: str) -> list[PaymentTransaction]:
    return list(
        session.scalars(
            select(PaymentTransaction).where(PaymentTransaction.system == system).order_by(PaymentTransaction.seq)
        )
    )


def net_credited(session: Session, system: str) -> int:
    """Performed and not taken back (state 2), in tiyin."""
    total = session.scalar(
        select(func.coalesce(func.sum(PaymentTransaction.amount), 0)).where(
            PaymentTransaction.system == system, PaymentTransaction.state == 2
        )
    )
    return int(total or 0)


def credential(session: Session, system: str, *, lock: bool = False) -> PaymentCredential | None:
    query = select(PaymentCredential).where(PaymentCredential.system == system)
    if lock:
        query = query.with_for_update()
    return session.scalars(query).one_or_none()


def save_credential(session: Session, system: str, key_sha256: str, now: datetime) -> None:
    row = credential(session, system, lock=True)
    if row is None:
        session.add(PaymentCredential(system=system, key_sha256=key_sha256, changed_at=now))
    else:
        row.key_sha256, row.changed_at = key_sha256, now
    session.flush()
