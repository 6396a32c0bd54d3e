"""The USSD channel's `PersonalDataProvider` (privacy.service.personal_data): the menus'
sessions of the customer's numbers and the language each number chose. Erasure deletes them
(they only served the dialogue); the retention job drops old sessions (`service_delivery`)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Table

from yagona.app.ussd.models import UssdLanguage, UssdSession
from yagona.platform.personal_data import Mask, Part, TableProvider, remove
from yagona.platform.uow import UnitOfWork

SESSION: Table = UssdSession.__table__  # type: ignore[assignment]
LANGUAGE: Table = UssdLanguage.__table__  # type: ignore[assignment]


class UssdPersonalData(TableProvider):
    domain = "ussd"
    parts = (
        Part(
            "sessions",
            SESSION,
            lambda _, phones: SESSION.c.msisdn.in_(phones),
            ("msisdn", "stack", "last_reply"),
            order_by=("started_at",),
        ),
        Part("language", LANGUAGE, lambda _, phones: LANGUAGE.c.msisdn.in_(phones), ("msisdn",)),
    )

    def erase(self, uow: UnitOfWork, *, customer_id: str, phones: frozenset[str], mask: Mask) -> int:
        return remove(uow, SESSION, SESSION.c.msisdn.in_(phones)) + remove(uow, LANGUAGE, LANGUAGE.c.msisdn.in_(phones))

    def purge(self, uow: UnitOfWork, *, purpose: str, before: datetime) -> int:
        return remove(uow, SESSION, SESSION.c.updated_at < before) if purpose == "service_delivery" else 0
