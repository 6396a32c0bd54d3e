"""The bot's reads and writes of its own table."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from yagona.app.telegram.models import TelegramChat

NEW, CODE, LINKED, PERSON = "new", "code", "linked", "person"


def chat_for_update(session: Session, chat_id: int) -> TelegramChat | None:
    """The chat's row, locked: two updates of one chat are answered one after the other."""
    return session.scalars(select(TelegramChat).where(TelegramChat.chat_id == chat_id).with_for_update()).first()


def open_chat(session: Session, *, chat_id: int, user_id: int, now: datetime) -> TelegramChat:
    row = TelegramChat(chat_id=chat_id, user_id=user_id, state=NEW, last_update_id=-1, updated_at=now)
    session.add(row)
    session.flush()
    return row


def reset(chat: TelegramChat) -> None:
    """Back to the link prompt: nothing of the customer stays."""
    chat.state, chat.phone, chat.customer_id = NEW, None, None
    chat.session_id = chat.session_sealed = chat.linked_at = chat.pending = None


def chats_of(session: Session, customer_id: str) -> list[TelegramChat]:
    return list(session.scalars(select(TelegramChat).where(TelegramChat.customer_id == customer_id)))
