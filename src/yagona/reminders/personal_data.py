"""Reminders' `PersonalDataProvider` (privacy.service.personal_data): what was sent or skipped
for the customer and their channel preferences. Erasure pseudonymises the numbers named in
the subjects."""

from __future__ import annotations

from sqlalchemy import Table

from yagona.platform.personal_data import Mask, Part, TableProvider, replace_mentions
from yagona.platform.uow import UnitOfWork
from yagona.reminders.models import ReminderLog, ReminderPreference

LOG: Table = ReminderLog.__table__  # type: ignore[assignment]
PREFERENCE: Table = ReminderPreference.__table__  # type: ignore[assignment]


class RemindersPersonalData(TableProvider):
    domain = "reminders"
    parts = (
        Part("sent", LOG, lambda cid, _: LOG.c.customer_id == cid, ("subject",), order_by=("id",)),
        Part("preferences", PREFERENCE, lambda cid, _: PREFERENCE.c.customer_id == cid, ()),
    )

    def erase(self, uow: UnitOfWork, *, customer_id: str, phones: frozenset[str], mask: Mask) -> int:
        return replace_mentions(uow, LOG, ("subject",), phones=phones, mask=mask)
