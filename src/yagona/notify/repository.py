"""Every query of notify."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import delete, or_, select, update
from sqlalchemy.orm import Session

from yagona.notify.models import Message, PushSubscription


def insert(session: Session, message: Message) -> None:
    session.add(message)
    session.flush()


def get(session: Session, message_id: str, *, for_update: bool = False) -> Message | None:
    query = select(Message).where(Message.id == message_id)
    return session.scalars(query.with_for_update() if for_update else query).first()


def for_recipient(session: Session, recipient: str, *, limit: int) -> Sequence[Message]:
    query = select(Message).where(Message.recipient == recipient).order_by(Message.created_at.desc(), Message.id.desc())
    return session.scalars(query.limit(limit)).all()


def queued(session: Session, *, limit: int, now: datetime | None = None) -> Sequence[Message]:
    """Queued messages due by `now` (all when None): urgent ones first, then the oldest."""
    query = select(Message).where(Message.status == "queued")
    if now is not None:
        query = query.where(or_(Message.not_before.is_(None), Message.not_before <= now))
    query = query.order_by(Message.urgent.desc(), Message.created_at, Message.id)
    return session.scalars(query.limit(limit).with_for_update(skip_locked=True)).all()


def sent_since(session: Session, recipient: str, *, channel: str, urgent: int, since: datetime) -> Sequence[datetime]:
    """When the messages of this urgency went to `recipient` since `since` (a rate window)."""
    query = select(Message.sent_at).where(
        Message.recipient == recipient,
        Message.channel == channel,
        Message.urgent == urgent,
        Message.sent_at.is_not(None),
        Message.sent_at >= since,
    )
    return [at for at in session.scalars(query).all() if at is not None]


def change(session: Session, message_id: str, **values: Any) -> None:
    session.execute(update(Message).where(Message.id == message_id).values(**values))


def mark_sent(session: Session, message_id: str, *, now: datetime, keep_body: bool) -> None:
    values: dict[str, object] = {"status": "sent", "sent_at": now, "status_at": now}
    if not keep_body:
        values["body_sealed"] = None
    change(session, message_id, **values)


# --- push subscriptions ----------------------------------------------------------------


def subscriptions(session: Session, customer_id: str, *, limit: int) -> Sequence[PushSubscription]:
    query = select(PushSubscription).where(PushSubscription.customer_id == customer_id)
    return session.scalars(query.order_by(PushSubscription.created_at, PushSubscription.id).limit(limit)).all()


def subscription_by_endpoint(session: Session, endpoint: str) -> PushSubscription | None:
    return session.scalars(select(PushSubscription).where(PushSubscription.endpoint == endpoint)).first()


def add_subscription(session: Session, subscription: PushSubscription) -> None:
    session.add(subscription)
    session.flush()


def remove_subscription(session: Session, *, subscription_id: str, customer_id: str) -> bool:
    """Remove the customer's own subscription; False when they have none by that id."""
    result = session.execute(
        delete(PushSubscription).where(
            PushSubscription.id == subscription_id, PushSubscription.customer_id == customer_id
        )
    )
    return bool(getattr(result, "rowcount", 0))


def remove_endpoint(session: Session, endpoint: str) -> None:
    session.execute(delete(PushSubscription).where(PushSubscription.endpoint == endpoint))
