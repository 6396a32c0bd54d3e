"""Privacy's own `PersonalDataProvider`: who of the staff looked at the customer's data and
why (the access log, seed 003, 4), the legal holds on their data and the erasures done.
Erasure pseudonymises the numbers named in the access log's subjects; the log itself stays
(it is the record of the operator's duty). The consents, documents, staff access grants and
disclosures of this domain add their parts here as they arrive."""

from __future__ import annotations

from sqlalchemy import Table

from yagona.platform.personal_data import Mask, Part, TableProvider, replace_mentions
from yagona.platform.uow import UnitOfWork
from yagona.privacy.models import AccessRecord, Erasure, LegalHold

ACCESS: Table = AccessRecord.__table__  # type: ignore[assignment]
HOLD: Table = LegalHold.__table__  # type: ignore[assignment]
ERASURE: Table = Erasure.__table__  # type: ignore[assignment]


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
        Part("legal_holds", HOLD, lambda cid, _: HOLD.c.customer_id == cid, ("reason",)),
        Part("erasures", ERASURE, lambda cid, _: ERASURE.c.customer_id == cid, ()),
    )

    def erase(self, uow: UnitOfWork, *, customer_id: str, phones: frozenset[str], mask: Mask) -> int:
        return replace_mentions(uow, ACCESS, ("subject", "reason"), phones=phones, mask=mask)
