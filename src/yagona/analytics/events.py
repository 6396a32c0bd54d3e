"""Facts analytics publishes: an offer made to a customer (the reminder engine sends it as a
marketing reminder, by the event's name: reminders sit below analytics and never import it),
and an offer's answer."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from yagona.kernel.events import DomainEvent


@dataclass(frozen=True, kw_only=True)
class OfferMade(DomainEvent):
    name: ClassVar[str] = "analytics.offer_made"
    offer_id: str
    customer_id: str
    msisdn: str
    kind: str  # cheaper_plan | bundle | loyalty_discount
    saving_tiyin: int
    expires_at: str  # ISO instant


@dataclass(frozen=True, kw_only=True)
class OfferDecided(DomainEvent):
    name: ClassVar[str] = "analytics.offer_decided"
    offer_id: str
    customer_id: str
    kind: str
    status: str  # accepted | dismissed | expired
