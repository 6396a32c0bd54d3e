"""Versioned documents: the public offer, the privacy agreement, the bonus programme rules.
Publishing a version records it (its text and digest) and tells every customer it affects by
SMS in their language; a version that needs acceptance is asked for at the customer's next
sign-in (the portal blocks the cabinet until it is accepted). Each acceptance is kept with
its version, time and channel (agreement 20: a change takes effect when published)."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from yagona.notify import service as notify
from yagona.notify.schemas import Channel, Language
from yagona.platform.sealing import Pepper, Sealer
from yagona.platform.uow import UnitOfWork
from yagona.privacy.errors import DocumentVersionExistsError, UnknownDocumentError
from yagona.privacy.models import DocumentAcceptance, PublishedDocument

KINDS = ("offer", "privacy", "programme")
NOTICE = {  # the SMS telling a customer of a new version (rendered here, carried by notify)
    True: {
        "uz": "Yagona: {document} yangilandi ({version}). Keyingi kirishda uni o'qib, qabul qiling.",
        "ru": "Yagona: новая редакция: {document} ({version}). Прочитайте и примите её при следующем входе.",
        "en": "Yagona: the {document} has changed ({version}). Read and accept it at your next sign-in.",
    },
    False: {
        "uz": "Yagona: {document} yangilandi ({version}) va e'lon qilingan paytdan kuchga kirdi.",
        "ru": "Yagona: новая редакция: {document} ({version}); она действует после публикации.",
        "en": "Yagona: the {document} has changed ({version}); it is in force from its publication.",
    },
}
TITLES = {
    "offer": {"uz": "Ommaviy oferta", "ru": "Публичная оферта", "en": "public offer"},
    "privacy": {"uz": "Maxfiylik kelishuvi", "ru": "Политика конфиденциальности", "en": "privacy agreement"},
    "programme": {"uz": "Bonus dasturi qoidalari", "ru": "Правила бонусной программы", "en": "bonus programme rules"},
}

_sealers: list[Sealer] = []
_peppers: list[Pepper] = []


def configure_notices(*, secret_key: str) -> None:
    """The composition root hands in the secret that seals the SMS (notify) and keys the
    digests of the staff access codes."""
    _sealers[:] = [notify.sealer_for(secret_key)]
    _peppers[:] = [Pepper(secret_key, "privacy:access-code")]


def pepper() -> Pepper:
    if not _peppers:
        raise RuntimeError("privacy.service.configure_notices was not called")
    return _peppers[0]


def sealer() -> Sealer:
    if not _sealers:
        raise RuntimeError("privacy.service.configure_notices was not called")
    return _sealers[0]


@dataclass(frozen=True)
class Recipient:
    """A customer a publication is told to (the caller, above privacy, knows who they are)."""

    customer_id: str
    phone: str
    language: str


@dataclass(frozen=True)
class DocumentVersion:
    kind: str
    version: str
    sha256: str
    needs_acceptance: bool
    published_at: datetime
    text: str


@dataclass(frozen=True)
class Acceptance:
    kind: str
    version: str
    channel: str
    accepted_at: datetime


@dataclass(frozen=True)
class Published:
    document: DocumentVersion
    told: int


def _kind(kind: str) -> str:
    if kind not in KINDS:
        raise UnknownDocumentError(f"no document kind {kind[:20]}; one of {', '.join(KINDS)}", kind=kind[:20])
    return kind


def _read(row: PublishedDocument) -> DocumentVersion:
    return DocumentVersion(row.kind, row.version, row.sha256, row.needs_acceptance, row.published_at, row.text)


def publish_document(
    uow: UnitOfWork,
    *,
    kind: str,
    version: str,
    text: str,
    needs_acceptance: bool,
    recipients: Iterable[Recipient],
) -> Published:
    """Record a new version (in force from now) and queue an SMS to each recipient."""
    _kind(kind)
    version = version.strip()[:40]
    if not version or not text.strip():
        raise UnknownDocumentError("a version and a text are needed", kind=kind)
    exists = select(PublishedDocument.seq).where(PublishedDocument.kind == kind, PublishedDocument.version == version)
    if uow.session.scalars(exists).first() is not None:
        raise DocumentVersionExistsError(f"{kind} {version} is published already", kind=kind, version=version)
    row = PublishedDocument(
        kind=kind,
        version=version,
        text=text,
        sha256=hashlib.sha256(text.encode()).hexdigest(),
        needs_acceptance=needs_acceptance,
        published_at=uow.clock.now(),
    )
    uow.session.add(row)
    uow.session.flush()
    told = 0
    for recipient in recipients:
        language = recipient.language if recipient.language in ("uz", "ru", "en") else "uz"
        body = NOTICE[needs_acceptance][language].format(document=TITLES[kind][language], version=version)
        notify.queue(
            uow,
            channel=Channel.SMS,
            recipient=recipient.phone,
            template="notify.text",
            language=Language(language),
            params={"text": body},
            sealer=sealer(),
        )
        told += 1
    return Published(_read(row), told)


def current_documents(uow: UnitOfWork) -> list[DocumentVersion]:
    """The version in force of each kind published so far."""
    found = []
    for kind in KINDS:
        query = select(PublishedDocument).where(PublishedDocument.kind == kind)
        row = uow.session.scalars(query.order_by(PublishedDocument.seq.desc()).limit(1)).first()
        if row is not None:
            found.append(_read(row))
    return found


def document(uow: UnitOfWork, *, kind: str, version: str) -> DocumentVersion:
    query = select(PublishedDocument).where(PublishedDocument.kind == _kind(kind), PublishedDocument.version == version)
    row = uow.session.scalars(query).first()
    if row is None:
        raise UnknownDocumentError(f"no {kind} {version[:40]}", kind=kind)
    return _read(row)


def _accepted(uow: UnitOfWork, customer_id: str) -> set[tuple[str, str]]:
    query = select(DocumentAcceptance.kind, DocumentAcceptance.version).where(
        DocumentAcceptance.customer_id == customer_id
    )
    return {(kind, version) for kind, version in uow.session.execute(query).all()}


def documents_to_accept(uow: UnitOfWork, *, customer_id: str) -> list[DocumentVersion]:
    """The versions in force that need acceptance and that this customer has not accepted."""
    accepted = _accepted(uow, customer_id)
    return [d for d in current_documents(uow) if d.needs_acceptance and (d.kind, d.version) not in accepted]


def accept_documents(uow: UnitOfWork, *, customer_id: str, channel: str) -> list[Acceptance]:
    """The customer accepts every version in force they have not accepted yet (at sign-up,
    or on the page after sign-in); each acceptance is kept with its version and time."""
    accepted = _accepted(uow, customer_id)
    now = uow.clock.now()
    done = []
    for current in current_documents(uow):
        if (current.kind, current.version) in accepted:
            continue
        uow.session.add(
            DocumentAcceptance(
                customer_id=customer_id,
                kind=current.kind,
                version=current.version,
                channel=channel[:20],
                accepted_at=now,
            )
        )
        done.append(Acceptance(current.kind, current.version, channel[:20], now))
    uow.session.flush()
    return done


def acceptances_of(uow: UnitOfWork, *, customer_id: str) -> list[Acceptance]:
    """What the customer accepted when, newest first."""
    query = select(DocumentAcceptance).where(DocumentAcceptance.customer_id == customer_id)
    rows = uow.session.scalars(query.order_by(DocumentAcceptance.seq.desc())).all()
    return [Acceptance(r.kind, r.version, r.channel, r.accepted_at) for r in rows]
