"""Facts notify publishes (crm records them as interactions). `recipient` is a phone for SMS,
an e-mail address, or a customer id for push; no body, ever (it may hold a one-time code)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from yagona.kernel.events import DomainEvent


@dataclass(frozen=True, kw_only=True)
class MessageSent(DomainEvent):
    """A gateway (or, in dev and test, the outbox) took the message."""

    name: ClassVar[str] = "notify.message_sent"
    message_id: str
    channel: str
    recipient: str
    template: str


@dataclass(frozen=True, kw_only=True)
class MessageDelivered(DomainEvent):
    name: ClassVar[str] = "notify.message_delivered"
    message_id: str
    channel: str
    recipient: str
    status: str


@dataclass(frozen=True, kw_only=True)
class MessageFailed(DomainEvent):
    """Refused by the gateway, undelivered, out of attempts, or no device to push to."""

    name: ClassVar[str] = "notify.message_failed"
    message_id: str
    channel: str
    recipient: str
    status: str
