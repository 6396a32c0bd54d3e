"""Privacy's own `PersonalDataProvider`: who of the staff looked at the customer's data and
why (the access log, seed 003, 4), the legal holds on their data and the erasures done.
Erasure pseudonymises the numbers named in the access log's subjects; the log itself stays
(it is the record of the operator's duty). The consents given and withdrawn, the documents
accepted, the staff's access requests and the disclosures to state bodies are shown and
exported too — a disclosure the law forbids telling (`secret`) is neither. Erasure keeps the
consents, acceptances and disclosures (each is the proof of a duty) and pseudonymises the
numbers named in the access requests' reasons."""

from __future__ import annotations

from sqlalchemy import Table

from yagona.platform.personal_data import Mask, Part, TableProvider, replace_mentions
from yagona.platform.uow import UnitOfWork
from yagona.privacy.models import (
    AccessGrant,
    AccessRecord,
    ConsentEvent,
    Disclosure,
    DocumentAcceptance,
    Erasure,
    LegalHold,
)

ACCESS: Table = AccessRecord.__table__  # type: ignore[assignment]
HOLD: Table = LegalHold.__table__  # type: ignore[assignment]
ERASURE: Table = Erasure.__table__  # type: ignore[assignment]
CONSENT: Table = ConsentEvent.__table__  # type: ignore[assignment]
ACCEPTANCE: Table = DocumentAcceptance.__table__  # type: ignore[assignment]
GRANT: Table = AccessGrant.__table__  # type: ignore[assignment]
DISCLOSURE: Table = Disclosure.__table__  # type: ignore[assignment]


class PrivacyPersonalData(TableProvider):
    domain = "privacy"
    parts = (
        Part(
            "staff_accesses",
            ACCESS,
            lambda cid, _: ACCESS.c.customer_id == cid,
            ("subject", "reason"),
            order_by=("seq",),
        ),
        Part("legal_holds", HOLD, lambda cid, _: HOLD.c.customer_id == cid, ("reason", "reference", "release_reason")),
        Part("erasures", ERASURE, lambda cid, _: ERASURE.c.customer_id == cid, ()),
        Part(
            "consents",
            CONSENT,
            lambda cid, _: CONSENT.c.customer_id == cid,
            ("document_version",),
            order_by=("seq",),
        ),
        Part("documents_accepted", ACCEPTANCE, lambda cid, _: ACCEPTANCE.c.customer_id == cid, (), order_by=("seq",)),
        Part(
            "staff_access_requests",
            GRANT,
            lambda cid, _: GRANT.c.customer_id == cid,
            ("reason",),
            hidden=("code_digest",),
            order_by=("requested_at",),
        ),
        Part(
            "disclosures",
            DISCLOSURE,
            lambda cid, _: (DISCLOSURE.c.customer_id == cid) & DISCLOSURE.c.secret.is_(False),
            ("body", "reference", "legal_basis", "given"),
            order_by=("disclosed_at",),
        ),
    )

    def erase(self, uow: UnitOfWork, *, customer_id: str, phones: frozenset[str], mask: Mask) -> int:
        touched = replace_mentions(uow, ACCESS, ("subject", "reason"), phones=phones, mask=mask)
        return touched + replace_mentions(uow, GRANT, ("reason",), phones=phones, mask=mask)
