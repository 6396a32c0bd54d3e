"""The access log: one row per view of, or action on, a customer's personal data."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, BigInteger, Boolean, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from yagona.platform.db import Base, UtcDateTime

BigId = BigInteger().with_variant(Integer, "sqlite")


class AccessRecord(Base):
    __tablename__ = "privacy_access_record"

    seq: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    staff_id: Mapped[str] = mapped_column(String(36))
    customer_id: Mapped[str] = mapped_column(String(36))
    action: Mapped[str] = mapped_column(String(40))  # `view`, `line.block`, `wallet.freeze`, …
    subject: Mapped[str | None] = mapped_column(String(120))  # a line's or a wallet's number
    reason: Mapped[str] = mapped_column(Text)
    occurred_at: Mapped[datetime] = mapped_column(UtcDateTime())

    __table_args__ = (
        Index("ix_privacy_access_record_customer", "customer_id", "seq"),
        Index("ix_privacy_access_record_staff", "staff_id", "seq"),
    )


class LegalHold(Base):
    """A customer's data the law (a court, an investigation, a dispute) requires kept: while a
    hold is active, erasure is refused (`legal_hold`)."""

    __tablename__ = "privacy_legal_hold"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    customer_id: Mapped[str] = mapped_column(String(36), index=True)
    reason: Mapped[str] = mapped_column(Text)  # the legal basis: a court order, an investigation
    reference: Mapped[str | None] = mapped_column(String(120))  # the order's number, the case file
    placed_by: Mapped[str] = mapped_column(String(64))  # a staff id or `cli`
    placed_at: Mapped[datetime] = mapped_column(UtcDateTime())
    released_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    released_by: Mapped[str | None] = mapped_column(String(64))
    release_reason: Mapped[str | None] = mapped_column(Text)


class Erasure(Base):
    """One erasure done: whose (the id, which stays: it is itself a pseudonym), when, at whose
    request, how many rows each domain changed. Holds no personal data."""

    __tablename__ = "privacy_erasure"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    customer_id: Mapped[str] = mapped_column(String(36), index=True)
    requested_by: Mapped[str] = mapped_column(String(64))  # `customer` or a staff id
    rows: Mapped[dict[str, int]] = mapped_column(JSON)
    erased_at: Mapped[datetime] = mapped_column(UtcDateTime())


class RetentionRun(Base):
    """One pass of a retention job: the purpose, the cut-off, how many rows went."""

    __tablename__ = "privacy_retention_run"

    seq: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    purpose: Mapped[str] = mapped_column(String(40))
    before: Mapped[datetime] = mapped_column(UtcDateTime())
    rows: Mapped[dict[str, int]] = mapped_column(JSON)
    ran_at: Mapped[datetime] = mapped_column(UtcDateTime())


# --- consents, documents, staff access grants, disclosures (issue 16, parts 1, 2, 4, 5) ---------


class ConsentEvent(Base):
    """A consent given or withdrawn: the history is kept, the latest row per purpose holds."""

    __tablename__ = "privacy_consent_event"

    seq: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    customer_id: Mapped[str] = mapped_column(String(36))
    purpose: Mapped[str] = mapped_column(String(40))
    given: Mapped[bool] = mapped_column(Boolean)
    channel: Mapped[str] = mapped_column(String(20))  # portal, api, bot, ussd, staff, signup
    document_version: Mapped[str | None] = mapped_column(String(40))  # the privacy agreement's
    recorded_at: Mapped[datetime] = mapped_column(UtcDateTime())

    __table_args__ = (Index("ix_privacy_consent_event_customer", "customer_id", "purpose", "seq"),)


class PublishedDocument(Base):
    """A version of the offer, the privacy agreement or the bonus programme rules."""

    __tablename__ = "privacy_document"

    seq: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(String(20))
    version: Mapped[str] = mapped_column(String(40))
    text: Mapped[str] = mapped_column(Text)
    sha256: Mapped[str] = mapped_column(String(64))
    needs_acceptance: Mapped[bool] = mapped_column(Boolean)
    published_at: Mapped[datetime] = mapped_column(UtcDateTime())

    __table_args__ = (UniqueConstraint("kind", "version", name="uq_privacy_document_version"),)


class DocumentAcceptance(Base):
    """A customer accepted a version of a document."""

    __tablename__ = "privacy_document_acceptance"

    seq: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    customer_id: Mapped[str] = mapped_column(String(36))
    kind: Mapped[str] = mapped_column(String(20))
    version: Mapped[str] = mapped_column(String(40))
    channel: Mapped[str] = mapped_column(String(20))
    accepted_at: Mapped[datetime] = mapped_column(UtcDateTime())

    __table_args__ = (Index("ix_privacy_document_acceptance_customer", "customer_id", "kind"),)


class AccessGrant(Base):
    """A member of staff's access to a customer's cabinet: asked with a reason and a scope,
    approved by the customer (portal or SMS code) or opened in an emergency by a supervisor;
    it ends at `expires_at`."""

    __tablename__ = "privacy_access_grant"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    customer_id: Mapped[str] = mapped_column(String(36))
    staff_id: Mapped[str] = mapped_column(String(36))
    reason: Mapped[str] = mapped_column(Text)
    scopes: Mapped[str] = mapped_column(String(200))  # comma-separated sections
    minutes: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(12))  # requested, approved, denied, revoked
    emergency: Mapped[str | None] = mapped_column(String(20))  # fraud, legal_order
    supervisor_id: Mapped[str | None] = mapped_column(String(36))
    code_digest: Mapped[str | None] = mapped_column(String(64))
    code_attempts: Mapped[int] = mapped_column(Integer)
    approved_via: Mapped[str | None] = mapped_column(String(12))  # portal, sms, emergency
    requested_at: Mapped[datetime] = mapped_column(UtcDateTime())
    decided_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    expires_at: Mapped[datetime | None] = mapped_column(UtcDateTime())

    __table_args__ = (
        Index("ix_privacy_access_grant_customer", "customer_id", "requested_at"),
        Index("ix_privacy_access_grant_staff", "staff_id", "customer_id"),
    )


class Disclosure(Base):
    """Data given to a state body on a legal basis (agreement 15)."""

    __tablename__ = "privacy_disclosure"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    customer_id: Mapped[str] = mapped_column(String(36))
    body: Mapped[str] = mapped_column(String(200))  # the requesting state body
    legal_basis: Mapped[str] = mapped_column(String(300))
    reference: Mapped[str] = mapped_column(String(120))  # the request's document number
    given: Mapped[str] = mapped_column(Text)  # what was given
    staff_id: Mapped[str] = mapped_column(String(36))  # by whom
    secret: Mapped[bool] = mapped_column(Boolean)  # the law forbids telling the customer
    disclosed_at: Mapped[datetime] = mapped_column(UtcDateTime())

    __table_args__ = (Index("ix_privacy_disclosure_customer", "customer_id", "disclosed_at"),)


class RefusedAttempt(Base):
    """A refused privacy request (an unknown purpose, no reason…): kept though nothing changed."""

    __tablename__ = "privacy_refused_attempt"

    seq: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    actor: Mapped[str] = mapped_column(String(60))  # customer:<id> or staff:<id>
    customer_id: Mapped[str | None] = mapped_column(String(36))
    action: Mapped[str] = mapped_column(String(40))
    code: Mapped[str] = mapped_column(String(40))
    occurred_at: Mapped[datetime] = mapped_column(UtcDateTime())
