"""The purposes of processing (a register kept as data, `privacy/data/purposes.yaml`) and
the customer's consents to them. A consent is given or withdrawn with its time, channel and
the privacy agreement's version; the history is kept, the latest event holds. Marketing
sends ask `has_consent` at send time (agreement 13: newsletters need consent)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import cache
from pathlib import Path

import yaml
from sqlalchemy import select

from yagona.platform.uow import UnitOfWork
from yagona.privacy.errors import NotConsentBasedError, UnknownPurposeError
from yagona.privacy.models import ConsentEvent, PublishedDocument, RefusedAttempt

PURPOSES_FILE = Path(__file__).resolve().parents[1] / "data" / "purposes.yaml"
LEGAL_BASES = ("contract", "law", "consent", "legitimate_interest")
CHANNELS = ("portal", "api", "bot", "ussd", "staff", "signup", "sms")
MARKETING = "marketing"


@dataclass(frozen=True)
class Purpose:
    id: str
    basis: str
    retention: str
    name: dict[str, str]

    @property
    def needs_consent(self) -> bool:
        return self.basis == "consent"


@dataclass(frozen=True)
class ConsentState:
    purpose: str
    given: bool
    channel: str | None
    document_version: str | None
    recorded_at: datetime | None


@dataclass(frozen=True)
class ConsentChange:
    purpose: str
    given: bool
    channel: str
    document_version: str | None
    recorded_at: datetime


@dataclass(frozen=True)
class RefusedAttemptRead:
    actor: str
    customer_id: str | None
    action: str
    code: str
    occurred_at: datetime


@cache
def purposes() -> dict[str, Purpose]:
    """The register, validated: a purpose with an unknown legal basis stops the start."""
    raw = yaml.safe_load(PURPOSES_FILE.read_text(encoding="utf-8"))
    found: dict[str, Purpose] = {}
    for item in raw["purposes"]:
        purpose = Purpose(
            id=str(item["id"]), basis=str(item["basis"]), retention=str(item["retention"]), name=dict(item["name"])
        )
        if purpose.basis not in LEGAL_BASES:
            raise ValueError(f"purpose {purpose.id}: unknown legal basis {purpose.basis}")
        if set(purpose.name) != {"uz", "ru", "en"} or purpose.id in found:
            raise ValueError(f"purpose {purpose.id}: a name in uz, ru and en, once")
        found[purpose.id] = purpose
    return found


def refuse_attempt(uow: UnitOfWork, *, actor: str, customer_id: str | None, action: str, code: str) -> None:
    """Keep a refused attempt (the refusal's `persist` commits this row, nothing else)."""
    uow.session.add(
        RefusedAttempt(
            actor=actor[:60], customer_id=customer_id, action=action[:40], code=code[:40], occurred_at=uow.clock.now()
        )
    )
    uow.session.flush()


def _purpose(uow: UnitOfWork, purpose: str, *, customer_id: str, action: str) -> Purpose:
    found = purposes().get(purpose)
    if found is None:
        refuse_attempt(
            uow, actor=f"customer:{customer_id}", customer_id=customer_id, action=action, code="unknown_purpose"
        )
        raise UnknownPurposeError(f"No such purpose of processing: {purpose[:40]}", purpose=purpose[:40])
    if not found.needs_consent:
        raise NotConsentBasedError(f"{purpose} rests on {found.basis}: no consent to give or withdraw")
    return found


def _privacy_version(uow: UnitOfWork) -> str | None:
    query = select(PublishedDocument.version).where(PublishedDocument.kind == "privacy")
    return uow.session.scalars(query.order_by(PublishedDocument.seq.desc()).limit(1)).first()


def _record(uow: UnitOfWork, *, customer_id: str, purpose: str, given: bool, channel: str) -> ConsentChange:
    row = ConsentEvent(
        customer_id=customer_id,
        purpose=purpose,
        given=given,
        channel=channel if channel in CHANNELS else "api",
        document_version=_privacy_version(uow),
        recorded_at=uow.clock.now(),
    )
    uow.session.add(row)
    uow.session.flush()
    return ConsentChange(purpose, given, row.channel, row.document_version, row.recorded_at)


def give_consent(uow: UnitOfWork, *, customer_id: str, purpose: str, channel: str) -> ConsentChange:
    """The customer consents to `purpose` (one whose legal basis is consent)."""
    _purpose(uow, purpose, customer_id=customer_id, action="consent.give")
    return _record(uow, customer_id=customer_id, purpose=purpose, given=True, channel=channel)


def withdraw_consent(uow: UnitOfWork, *, customer_id: str, purpose: str, channel: str) -> ConsentChange:
    """The customer withdraws their consent: from now on nothing is sent for `purpose`."""
    _purpose(uow, purpose, customer_id=customer_id, action="consent.withdraw")
    return _record(uow, customer_id=customer_id, purpose=purpose, given=False, channel=channel)


def set_consent(uow: UnitOfWork, *, customer_id: str, purpose: str, given: bool, channel: str) -> ConsentChange | None:
    """Give or withdraw; None (nothing written) when it already holds."""
    _purpose(uow, purpose, customer_id=customer_id, action="consent.set")
    if (
        _latest(uow, customer_id, purpose) is not None
        and has_consent(uow, customer_id=customer_id, purpose=purpose) == given
    ):
        return None
    return _record(uow, customer_id=customer_id, purpose=purpose, given=given, channel=channel)


def _latest(uow: UnitOfWork, customer_id: str, purpose: str) -> ConsentEvent | None:
    query = select(ConsentEvent).where(ConsentEvent.customer_id == customer_id, ConsentEvent.purpose == purpose)
    return uow.session.scalars(query.order_by(ConsentEvent.seq.desc()).limit(1)).first()


def has_consent(uow: UnitOfWork, *, customer_id: str, purpose: str) -> bool:
    """May `purpose` use this customer's data now? A purpose held by contract, law or a
    legitimate interest: yes; a consent-based one: only while its latest consent is given.
    An unknown purpose: no (a send for a purpose nobody listed is not made)."""
    found = purposes().get(purpose)
    if found is None:
        return False
    if not found.needs_consent:
        return True
    latest = _latest(uow, customer_id, purpose)
    return latest is not None and latest.given


def consents_of(uow: UnitOfWork, *, customer_id: str) -> list[ConsentState]:
    """Every consent-based purpose and where the customer stands on it."""
    states = []
    for purpose in purposes().values():
        if not purpose.needs_consent:
            continue
        latest = _latest(uow, customer_id, purpose.id)
        states.append(
            ConsentState(
                purpose=purpose.id,
                given=bool(latest and latest.given),
                channel=latest.channel if latest else None,
                document_version=latest.document_version if latest else None,
                recorded_at=latest.recorded_at if latest else None,
            )
        )
    return states


def consent_history(uow: UnitOfWork, *, customer_id: str, limit: int = 100) -> list[ConsentChange]:
    """Every consent given and withdrawn, newest first."""
    query = select(ConsentEvent).where(ConsentEvent.customer_id == customer_id)
    rows = uow.session.scalars(query.order_by(ConsentEvent.seq.desc()).limit(limit)).all()
    return [ConsentChange(r.purpose, r.given, r.channel, r.document_version, r.recorded_at) for r in rows]


def refused_attempts(uow: UnitOfWork, *, customer_id: str | None = None, limit: int = 100) -> list[RefusedAttemptRead]:
    """The refused attempts kept, newest first (for auditors and tests)."""
    query = select(RefusedAttempt)
    if customer_id is not None:
        query = query.where(RefusedAttempt.customer_id == customer_id)
    rows = uow.session.scalars(query.order_by(RefusedAttempt.seq.desc()).limit(limit)).all()
    return [RefusedAttemptRead(r.actor, r.customer_id, r.action, r.code, r.occurred_at) for r in rows]
