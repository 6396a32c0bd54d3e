"""CRM's `PersonalDataProvider` (privacy.service.personal_data): the customer's timeline
(every contact and operation) and their requests to the call-centre. Erasure replaces the
free texts (summaries, bodies, notes) by pseudonyms: what happened when stays, what was said
goes."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Table

from yagona.crm.models import ContactRequest, Interaction
from yagona.platform.personal_data import Mask, Part, TableProvider, pseudonymise, remove
from yagona.platform.uow import UnitOfWork

INTERACTION: Table = Interaction.__table__  # type: ignore[assignment]
REQUEST: Table = ContactRequest.__table__  # type: ignore[assignment]


class CrmPersonalData(TableProvider):
    domain = "crm"
    parts = (
        Part(
            "interactions",
            INTERACTION,
            lambda cid, _: INTERACTION.c.customer_id == cid,
            ("summary", "subject_id"),
            order_by=("occurred_at",),
        ),
        Part(
            "requests",
            REQUEST,
            lambda cid, _: REQUEST.c.customer_id == cid,
            ("summary", "body", "close_note"),
            order_by=("opened_at",),
        ),
    )

    def erase(self, uow: UnitOfWork, *, customer_id: str, phones: frozenset[str], mask: Mask) -> int:
        texts = {"summary": "text", "subject_id": "ref"}
        touched = pseudonymise(uow, INTERACTION, INTERACTION.c.customer_id == customer_id, kinds=texts, mask=mask)
        texts = {"summary": "text", "body": "text", "close_note": "text"}
        return touched + pseudonymise(uow, REQUEST, REQUEST.c.customer_id == customer_id, kinds=texts, mask=mask)

    def purge(self, uow: UnitOfWork, *, purpose: str, before: datetime) -> int:
        """Support: the timeline past its period; requests: closed requests past theirs."""
        if purpose == "support":
            return remove(uow, INTERACTION, INTERACTION.c.occurred_at < before)
        if purpose == "requests":
            return remove(uow, REQUEST, (REQUEST.c.closed_at < before) & (REQUEST.c.status == "closed"))
        return 0
