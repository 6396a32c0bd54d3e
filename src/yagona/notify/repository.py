"""Every query of notify."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from yagona.notify.models import Message


def insert(session: Session, message: Message) -> None:
    session.add(message)
    session.flush()


def for_recipient(session: Session, recipient: str, *, limit: int) -> Sequence[Message]:
    query = select(Message).where(Message.recipient == recipient).order_by(Message.created_at.desc(), Message.id.desc())
    return session.scalars(query.limit(limit)).all()


def queued(session: Session, *, limit: int) -> Sequence[Message]:
    query = select(Message).where(Message.status == "queued").order_by(Message.created_at, Message.id)
    return session.scalars(query.limit(limit).with_for_update(skip_locked=True)).all()


def mark_sent(session: Session, message_id: str, *, now: datetime, keep_body: bool) -> None:
    values: dict[str, object] = {"status": "sent", "sent_at": now}
    if not keep_body:
        values["body_sealed"] = None
    session.execute(update(Message).where(Message.id == message_id).values(**values))
