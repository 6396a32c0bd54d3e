"""The message outbox and the customers' push subscriptions. Bodies are sealed at rest: an
SMS may carry a one-time code."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from yagona.platform.db import Base, UtcDateTime


class Message(Base):
    __tablename__ = "notify_message"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    channel: Mapped[str] = mapped_column(String(10))
    recipient: Mapped[str] = mapped_column(String(254))
    template: Mapped[str] = mapped_column(String(60))
    language: Mapped[str] = mapped_column(String(2))
    # AES-GCM sealed text; wiped after delivery unless the environment keeps it (dev, test).
    body_sealed: Mapped[str | None] = mapped_column(Text)
    # queued → sent (the gateway took it) → delivered | failed (see docs/notify.md).
    status: Mapped[str] = mapped_column(String(12))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    sent_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    # 1: a one-time code or a security alert (its own rate budget, delivered first); 0: the rest.
    urgent: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # The gateway's id for the message (Eskiz's request id), known once it took the message.
    gateway_id: Mapped[str | None] = mapped_column(String(64))
    # SMS: how it travels (GSM-7 | UCS-2) and in how many parts.
    encoding: Mapped[str | None] = mapped_column(String(5))
    parts: Mapped[int | None] = mapped_column(Integer)
    attempts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # Not handed to a gateway before this time (a gateway that did not answer, a rate limit).
    not_before: Mapped[datetime | None] = mapped_column(UtcDateTime())
    # Why it waits or failed (a stable code: rate_limited, gateway_unavailable, rejected,
    # undelivered, no_device…), and when its status last changed.
    error: Mapped[str | None] = mapped_column(String(40))
    status_at: Mapped[datetime | None] = mapped_column(UtcDateTime())

    __table_args__ = (
        Index("ix_notify_message_recipient", "recipient", "created_at"),
        Index("ix_notify_message_status", "status", "created_at"),
        Index("ix_notify_message_gateway", "gateway_id"),
    )


class PushSubscription(Base):
    """One browser (device) of a customer that agreed to receive notifications: the push
    service's endpoint and the keys its payloads are encrypted to (RFC 8291)."""

    __tablename__ = "notify_push_subscription"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    customer_id: Mapped[str] = mapped_column(String(36))
    endpoint: Mapped[str] = mapped_column(String(1000), unique=True)
    p256dh: Mapped[str] = mapped_column(String(100))  # the browser's public key (base64url)
    auth: Mapped[str] = mapped_column(String(40))  # the shared authentication secret (base64url)
    user_agent: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())

    __table_args__ = (Index("ix_notify_push_subscription_customer", "customer_id", "created_at"),)
