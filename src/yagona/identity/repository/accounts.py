"""Customers, phones, codes, attempt counters, sessions, audit, linked services, consents.
Consumption of codes and attempt counting are single statements, atomic on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import bindparam, case, delete, func, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from yagona.identity.models import (
    AttemptCounter,
    AuditEvent,
    Consent,
    Customer,
    Device,
    LinkedService,
    Otp,
    Phone,
    SignInSession,
)
from yagona.platform.db import UtcDateTime
from yagona.platform.sealing import field_keys


def _insert(session: Session, table: Any) -> Any:
    return pg_insert(table) if session.get_bind().dialect.name == "postgresql" else sqlite_insert(table)


def add(session: Session, row: object) -> None:
    session.add(row)
    session.flush()


# --- customers ---------------------------------------------------------------------------


def customer(session: Session, customer_id: str) -> Customer | None:
    return session.get(Customer, customer_id)


# Built once: the reminders look a line's customer up on its rated uses (once an hour a line),
# and building the statement cost twice what running it does (~80 of ~120 µs).
_CUSTOMER_BY_PHONE = (
    select(Customer).join(Phone, Phone.customer_id == Customer.id).where(Phone.phone == bindparam("phone"))
)


def customer_by_phone(session: Session, phone: str) -> Customer | None:
    return session.scalars(_CUSTOMER_BY_PHONE, {"phone": phone}).first()


def customers_by_email(session: Session, email: str, *, limit: int = 2) -> list[Customer]:
    """Customers whose profile e-mail is `email` (case aside): at most `limit`."""
    query = select(Customer).where(func.lower(Customer.email) == email.lower()).limit(limit)
    return list(session.scalars(query))


PINFL_LOOKUP = "identity_customer.pinfl"  # the purpose of the PINFL's keyed hash


def customer_by_pinfl(session: Session, pinfl: str) -> Customer | None:
    """The customer linked to this PINFL, found by its keyed hash (the column is sealed);
    every key of the ring is tried, so a key put first but not yet rotated still finds."""
    lookups = field_keys().lookups(PINFL_LOOKUP, pinfl)
    return session.scalars(select(Customer).where(Customer.pinfl_lookup.in_(lookups))).first()


def set_pinfl(customer: Customer, pinfl: str | None) -> None:
    """Link (or unlink) the PINFL: sealed, and its keyed hash under the current key."""
    customer.pinfl = pinfl
    customer.pinfl_lookup = None if pinfl is None else field_keys().lookup(PINFL_LOOKUP, pinfl)


def phones_of(session: Session, customer_id: str) -> list[str]:
    rows = session.scalars(
        select(Phone.phone).where(Phone.customer_id == customer_id).order_by(Phone.is_primary.desc(), Phone.phone)
    )
    return list(rows)


def phone_row(session: Session, phone: str) -> Phone | None:
    return session.get(Phone, phone)


def replace_primary_phone(session: Session, customer_id: str, old: str, new: str, now: datetime) -> None:
    session.execute(delete(Phone).where(Phone.phone == old, Phone.customer_id == customer_id))
    session.add(Phone(phone=new, customer_id=customer_id, is_primary=True, added_at=now))
    session.flush()


def accept_totp_step(session: Session, customer_id: str, step: int) -> bool:
    """Record `step` as used; False when it (or a later one) was used already."""
    row = session.execute(
        update(Customer)
        .where(Customer.id == customer_id, Customer.totp_last_step < step)
        .values(totp_last_step=step)
        .returning(Customer.id)
    ).first()
    return row is not None


# --- one-time codes ----------------------------------------------------------------------


def retire_codes(session: Session, phone: str, purpose: str, now: datetime) -> None:
    """A new code replaces the ones before it."""
    session.execute(
        update(Otp).where(Otp.phone == phone, Otp.purpose == purpose, Otp.consumed_at.is_(None)).values(consumed_at=now)
    )


def live_code(session: Session, phone: str, purpose: str, now: datetime) -> Otp | None:
    return session.scalars(
        select(Otp)
        .where(Otp.phone == phone, Otp.purpose == purpose, Otp.consumed_at.is_(None), Otp.expires_at > now)
        .order_by(Otp.created_at.desc())
    ).first()


def consume_code(session: Session, otp_id: str, now: datetime) -> bool:
    row = session.execute(
        update(Otp).where(Otp.id == otp_id, Otp.consumed_at.is_(None)).values(consumed_at=now).returning(Otp.id)
    ).first()
    return row is not None


# --- attempt counters --------------------------------------------------------------------


def bump(session: Session, *, kind: str, subject: str, now: datetime, window: timedelta) -> int:
    """Count one more attempt in the current window; returns the count including it.
    One statement (INSERT … ON CONFLICT DO UPDATE … RETURNING): parallel attempts each
    get a distinct count, so none slips past a limit."""
    table = AttemptCounter.__table__
    statement = _insert(session, table).values(kind=kind, subject=subject, window_started_at=now, count=1)
    expired = table.c.window_started_at <= bindparam("cutoff", value=now - window, type_=UtcDateTime())
    statement = statement.on_conflict_do_update(
        index_elements=["kind", "subject"],
        set_={
            "count": case((expired, 1), else_=table.c.count + 1),
            "window_started_at": case((expired, statement.excluded.window_started_at), else_=table.c.window_started_at),
        },
    ).returning(table.c.count)
    return int(session.execute(statement).scalar_one())


def unbump(session: Session, *, kind: str, subject: str) -> None:
    """Take back one counted attempt (it turned out to be no guess)."""
    session.execute(
        update(AttemptCounter)
        .where(AttemptCounter.kind == kind, AttemptCounter.subject == subject, AttemptCounter.count > 0)
        .values(count=AttemptCounter.count - 1)
    )


def reset_counters(session: Session, *, kind: str, subjects: Sequence[str]) -> None:
    session.execute(delete(AttemptCounter).where(AttemptCounter.kind == kind, AttemptCounter.subject.in_(subjects)))


# --- devices and sessions ----------------------------------------------------------------


def device(session: Session, customer_id: str, fingerprint: str) -> Device | None:
    return session.scalars(
        select(Device).where(Device.customer_id == customer_id, Device.fingerprint == fingerprint)
    ).first()


def devices_of(session: Session, customer_id: str) -> Sequence[Device]:
    return session.scalars(select(Device).where(Device.customer_id == customer_id).order_by(Device.first_seen_at)).all()


def session_by_token(session: Session, token_hash: str, now: datetime) -> SignInSession | None:
    return session.scalars(
        select(SignInSession).where(
            SignInSession.token_hash == token_hash, SignInSession.revoked_at.is_(None), SignInSession.expires_at > now
        )
    ).first()


def sessions_of(session: Session, customer_id: str, now: datetime, limit: int) -> Sequence[SignInSession]:
    return session.scalars(
        select(SignInSession)
        .where(
            SignInSession.customer_id == customer_id, SignInSession.revoked_at.is_(None), SignInSession.expires_at > now
        )
        .order_by(SignInSession.created_at.desc())
        .limit(limit)
    ).all()


def revoke_sessions(session: Session, *, customer_id: str, now: datetime, session_id: str | None = None) -> int:
    query = update(SignInSession).where(SignInSession.customer_id == customer_id, SignInSession.revoked_at.is_(None))
    if session_id is not None:
        query = query.where(SignInSession.id == session_id)
    return len(session.execute(query.values(revoked_at=now).returning(SignInSession.id)).all())


# --- audit, services, consents -----------------------------------------------------------


def audit_of(session: Session, customer_id: str, limit: int) -> Sequence[AuditEvent]:
    return session.scalars(
        select(AuditEvent).where(AuditEvent.customer_id == customer_id).order_by(AuditEvent.seq.desc()).limit(limit)
    ).all()


def linked_services(session: Session, customer_id: str) -> Sequence[LinkedService]:
    return session.scalars(
        select(LinkedService).where(LinkedService.customer_id == customer_id).order_by(LinkedService.linked_at)
    ).all()


def linked_service(session: Session, kind: str, reference: str) -> LinkedService | None:
    return session.scalars(
        select(LinkedService).where(LinkedService.kind == kind, LinkedService.reference == reference)
    ).first()


def consents_of(session: Session, customer_id: str) -> Sequence[Consent]:
    return session.scalars(select(Consent).where(Consent.customer_id == customer_id).order_by(Consent.seq)).all()
