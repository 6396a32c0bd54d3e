"""CRM's `PersonalDataProvider` (privacy.service.personal_data): the customer's timeline
(every contact and operation), their tickets (requests to the call-centre) with their threads
and files, and their questions to the help assistant. Erasure replaces the free texts
(summaries, bodies, notes, questions) by pseudonyms and deletes the files: what happened when
stays, what was said goes."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ColumnElement, Table, select

from yagona.crm.models import AssistantTurn, ContactRequest, Interaction, TicketAttachment, TicketMessage
from yagona.platform.personal_data import Mask, Part, TableProvider, pseudonymise, remove
from yagona.platform.uow import UnitOfWork

INTERACTION: Table = Interaction.__table__  # type: ignore[assignment]
REQUEST: Table = ContactRequest.__table__  # type: ignore[assignment]
MESSAGE: Table = TicketMessage.__table__  # type: ignore[assignment]
ATTACHMENT: Table = TicketAttachment.__table__  # type: ignore[assignment]
TURN: Table = AssistantTurn.__table__  # type: ignore[assignment]


def _tickets_of(table: Table, customer_id: str) -> ColumnElement[bool]:
    """The rows of `table` that belong to one of the customer's tickets."""
    return table.c.ticket_id.in_(select(REQUEST.c.id).where(REQUEST.c.customer_id == customer_id))


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
        Part(
            "ticket_messages",
            MESSAGE,
            lambda cid, _: _tickets_of(MESSAGE, cid),
            ("body",),
            order_by=("created_at",),
        ),
        # The files themselves are the customer's own uploads: listed by name, not re-exported.
        Part(
            "ticket_files",
            ATTACHMENT,
            lambda cid, _: _tickets_of(ATTACHMENT, cid),
            ("filename",),
            hidden=("data",),
            order_by=("created_at",),
        ),
        Part(
            "help_questions",
            TURN,
            lambda cid, _: TURN.c.customer_id == cid,
            ("question",),
            order_by=("asked_at",),
        ),
    )

    def erase(self, uow: UnitOfWork, *, customer_id: str, phones: frozenset[str], mask: Mask) -> int:
        texts = {"summary": "text", "subject_id": "ref"}
        touched = pseudonymise(uow, INTERACTION, INTERACTION.c.customer_id == customer_id, kinds=texts, mask=mask)
        texts = {"summary": "text", "body": "text", "close_note": "text"}
        touched += pseudonymise(uow, REQUEST, REQUEST.c.customer_id == customer_id, kinds=texts, mask=mask)
        touched += pseudonymise(uow, MESSAGE, _tickets_of(MESSAGE, customer_id), kinds={"body": "text"}, mask=mask)
        touched += remove(uow, ATTACHMENT, _tickets_of(ATTACHMENT, customer_id))
        return touched + pseudonymise(
            uow, TURN, TURN.c.customer_id == customer_id, kinds={"question": "text"}, mask=mask
        )

    def purge(self, uow: UnitOfWork, *, purpose: str, before: datetime) -> int:
        """Support: the timeline past its period; requests: closed requests past theirs, with
        their threads and files."""
        if purpose == "support":
            return remove(uow, INTERACTION, INTERACTION.c.occurred_at < before)
        if purpose == "requests":
            old = (REQUEST.c.closed_at < before) & (REQUEST.c.status == "closed")
            stale = select(REQUEST.c.id).where(old)
            removed = remove(uow, MESSAGE, MESSAGE.c.ticket_id.in_(stale))
            removed += remove(uow, ATTACHMENT, ATTACHMENT.c.ticket_id.in_(stale))
            return removed + remove(uow, REQUEST, old)
        return 0
