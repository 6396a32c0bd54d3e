"""Analytics' `PersonalDataProvider` (privacy.service.personal_data): the offers made to the
customer. The store itself holds pseudonyms only. Erasure pseudonymises the line's number;
what was offered and answered stays (the acceptance figures count it, naming nobody)."""

from __future__ import annotations

from sqlalchemy import Table

from yagona.analytics.models import Offer
from yagona.platform.personal_data import Mask, Part, TableProvider, pseudonymise
from yagona.platform.uow import UnitOfWork

OFFER: Table = Offer.__table__  # type: ignore[assignment]


class AnalyticsPersonalData(TableProvider):
    domain = "analytics"
    parts = (Part("offers", OFFER, lambda cid, _: OFFER.c.customer_id == cid, ("msisdn",), order_by=("made_at",)),)

    def erase(self, uow: UnitOfWork, *, customer_id: str, phones: frozenset[str], mask: Mask) -> int:
        return pseudonymise(uow, OFFER, OFFER.c.customer_id == customer_id, kinds={"msisdn": "phone"}, mask=mask)
