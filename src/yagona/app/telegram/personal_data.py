"""The Telegram bot's `PersonalDataProvider` (privacy.service.personal_data): the chat linked
to the customer (Telegram's ids, the number shared). Erasure deletes the chat: the bot forgets
the customer, who can link again."""

from __future__ import annotations

from sqlalchemy import Table, or_, select

from yagona.app.telegram.models import TelegramChat
from yagona.platform.personal_data import Mask, Part, TableProvider, remove
from yagona.platform.uow import UnitOfWork

CHAT: Table = TelegramChat.__table__  # type: ignore[assignment]


def _chats(customer_id: str, phones: frozenset[str]):  # type: ignore[no-untyped-def]
    return or_(CHAT.c.customer_id == customer_id, CHAT.c.phone.in_(phones))


class TelegramPersonalData(TableProvider):
    domain = "telegram"
    parts = (Part("chats", CHAT, _chats, ("chat_id", "user_id", "phone", "pending"), ("session_sealed",)),)

    def phones(self, uow: UnitOfWork, *, customer_id: str) -> set[str]:
        found = uow.session.scalars(select(CHAT.c.phone).where(CHAT.c.customer_id == customer_id))
        return {phone for phone in found if phone}

    def erase(self, uow: UnitOfWork, *, customer_id: str, phones: frozenset[str], mask: Mask) -> int:
        return remove(uow, CHAT, _chats(customer_id, phones))
