"""Every query of identity. Consumption of single-use secrets (codes, refresh tokens,
OTPs) and attempt counting are single statements, atomic on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, bindparam, case, delete, or_, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from yagona.identity.models import (
    AttemptCounter,
    AuditEvent,
    AuthorizationCode,
    Consent,
    Customer,
    Device,
    LinkedService,
    OAuthClient,
    OAuthConsent,
    OAuthToken,
    OneIdState,
    Otp,
    Phone,
    SigningKey,
    SignInSession,
)
from yagona.platform.db import UtcDateTime


def _insert(session: Session, table: Any) -> Any:
    return pg_insert(table) if session.get_bind().dialect.name == "postgresql" else sqlite_insert(table)


def add(session: Session, row: object) -> None:
    session.add(row)
    session.flush()


# --- customers ---------------------------------------------------------------------------


def customer(session: Session, customer_id: str) -> Customer | None:
    return session.get(Customer, customer_id)


def customer_by_phone(session: Session, phone: str) -> Customer | None:
    return session.scalars(
        select(Customer).join(Phone, Phone.customer_id == Customer.id).where(Phone.phone == phone)
    ).first()


def customer_by_pinfl(session: Session, pinfl: str) -> Customer | None:
    return session.scalars(select(Customer).where(Customer.pinfl == pinfl)).first()


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


def audit_kinds(session: Session, kind: str) -> Sequence[AuditEvent]:
    return session.scalars(select(AuditEvent).where(AuditEvent.kind == kind).order_by(AuditEvent.seq)).all()


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


# --- OAuth clients and consents ----------------------------------------------------------


def client(session: Session, client_id: str) -> OAuthClient | None:
    row = session.get(OAuthClient, client_id)
    return row if row is not None and row.removed_at is None else None


def clients(session: Session, limit: int) -> Sequence[OAuthClient]:
    return session.scalars(
        select(OAuthClient).where(OAuthClient.removed_at.is_(None)).order_by(OAuthClient.created_at).limit(limit)
    ).all()


def oauth_consent(session: Session, customer_id: str, client_id: str) -> OAuthConsent | None:
    return session.get(OAuthConsent, (customer_id, client_id))


# --- authorization codes and tokens ------------------------------------------------------


def consume_authorization_code(
    session: Session, code_hash: str, client_id: str, now: datetime
) -> AuthorizationCode | None:
    """Take a live code once: of parallel attempts, exactly one gets the row."""
    return session.scalars(
        update(AuthorizationCode)
        .where(
            AuthorizationCode.code_hash == code_hash,
            AuthorizationCode.client_id == client_id,
            AuthorizationCode.consumed_at.is_(None),
            AuthorizationCode.expires_at > now,
        )
        .values(consumed_at=now)
        .returning(AuthorizationCode),
        execution_options={"synchronize_session": False},
    ).first()


def authorization_code_by_hash(session: Session, code_hash: str) -> AuthorizationCode | None:
    return session.scalars(select(AuthorizationCode).where(AuthorizationCode.code_hash == code_hash)).first()


def token_by_access(session: Session, access_hash: str) -> OAuthToken | None:
    return session.scalars(select(OAuthToken).where(OAuthToken.access_token_hash == access_hash)).first()


def token_by_refresh(session: Session, refresh_hash: str) -> OAuthToken | None:
    return session.scalars(select(OAuthToken).where(OAuthToken.refresh_token_hash == refresh_hash)).first()


def use_refresh_token(session: Session, refresh_hash: str, client_id: str, now: datetime) -> OAuthToken | None:
    """Spend a refresh token once: of parallel attempts, exactly one gets the row. The
    access token that came with it is revoked by the same statement (rotation)."""
    return session.scalars(
        update(OAuthToken)
        .where(
            OAuthToken.refresh_token_hash == refresh_hash,
            OAuthToken.client_id == client_id,
            OAuthToken.refresh_used_at.is_(None),
            OAuthToken.revoked_at.is_(None),
            OAuthToken.refresh_expires_at > now,
        )
        .values(refresh_used_at=now, revoked_at=now)
        .returning(OAuthToken),
        execution_options={"synchronize_session": False},
    ).first()


def revoke_tokens(
    session: Session,
    *,
    now: datetime,
    family_id: str | None = None,
    customer_id: str | None = None,
    session_id: str | None = None,
    code_id: str | None = None,
    token_id: str | None = None,
) -> int:
    conditions = [
        column == value
        for column, value in (
            (OAuthToken.family_id, family_id),
            (OAuthToken.customer_id, customer_id),
            (OAuthToken.session_id, session_id),
            (OAuthToken.code_id, code_id),
            (OAuthToken.id, token_id),
        )
        if value is not None
    ]
    assert conditions, "revoke what? give at least one selector"
    result = session.execute(
        update(OAuthToken)
        .where(or_(*conditions), OAuthToken.revoked_at.is_(None))
        .values(revoked_at=now)
        .returning(OAuthToken.id)
    )
    return len(result.all())


def tokens_of_customer(session: Session, customer_id: str) -> Sequence[OAuthToken]:
    return session.scalars(select(OAuthToken).where(OAuthToken.customer_id == customer_id)).all()


# --- signing keys and OneID states -------------------------------------------------------


def signing_keys(session: Session, limit: int = 2) -> Sequence[SigningKey]:
    """The newest keys not retired: the first signs, the others still verify."""
    return session.scalars(
        select(SigningKey).where(SigningKey.retired_at.is_(None)).order_by(SigningKey.created_at.desc()).limit(limit)
    ).all()


def retire_old_keys(session: Session, keep: Sequence[str], now: datetime) -> None:
    session.execute(
        update(SigningKey).where(SigningKey.kid.not_in(keep), SigningKey.retired_at.is_(None)).values(retired_at=now)
    )


def consume_oneid_state(session: Session, state_hash: str, now: datetime) -> OneIdState | None:
    found = session.execute(
        update(OneIdState)
        .where(and_(OneIdState.state_hash == state_hash, OneIdState.consumed_at.is_(None), OneIdState.expires_at > now))
        .values(consumed_at=now)
        .returning(OneIdState.state_hash)
    ).scalar()
    return session.get(OneIdState, found) if found is not None else None
