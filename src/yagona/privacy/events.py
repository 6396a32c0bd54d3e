"""Facts the privacy domain publishes (the Telegram bot asks the customer on `access_requested`)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from yagona.kernel.events import DomainEvent


@dataclass(frozen=True, kw_only=True)
class AccessRequested(DomainEvent):
    """A member of staff asked for access to a customer's cabinet; the request waits for the
    customer (portal, SMS code, or a channel that reaches them, such as the linked bot chat)."""

    name: ClassVar[str] = "privacy.access_requested"
    grant_id: str
    customer_id: str
