"""Notify's `PersonalDataProvider` (privacy.service.personal_data), satisfied without
importing privacy (notify is below it): the messages sent to the customer's numbers (bodies
are sealed; the export shows who, when, which template, not the sealed text) and the browsers
subscribed to push. Erasure pseudonymises the recipients, drops the bodies and deletes the
subscriptions; the retention job drops old messages (purpose `notifications`)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Table

from yagona.notify.models import Message, PushSubscription
from yagona.platform.personal_data import Mask, Part, TableProvider, blank, pseudonymise, remove
from yagona.platform.uow import UnitOfWork

MESSAGE: Table = Message.__table__  # type: ignore[assignment]
PUSH: Table = PushSubscription.__table__  # type: ignore[assignment]


class NotifyPersonalData(TableProvider):
    domain = "notify"
    parts = (
        Part(
            "messages",
            MESSAGE,
            lambda _, phones: MESSAGE.c.recipient.in_(phones),
            ("recipient", "body_sealed"),
            ("body_sealed",),
            order_by=("created_at",),
        ),
        Part(
            "push_subscriptions",
            PUSH,
            lambda cid, _: PUSH.c.customer_id == cid,
            ("endpoint", "p256dh", "auth", "user_agent"),
            ("p256dh", "auth"),
        ),
    )

    def erase(self, uow: UnitOfWork, *, customer_id: str, phones: frozenset[str], mask: Mask) -> int:
        mine = MESSAGE.c.recipient.in_(phones)
        touched = blank(uow, MESSAGE, mine, body_sealed=None)
        touched += pseudonymise(uow, MESSAGE, mine, kinds={"recipient": "phone"}, mask=mask)
        return touched + remove(uow, PUSH, PUSH.c.customer_id == customer_id)

    def purge(self, uow: UnitOfWork, *, purpose: str, before: datetime) -> int:
        if purpose != "notifications":
            return 0
        return remove(uow, MESSAGE, MESSAGE.c.created_at < before)  # one still queued that old is dead too
