"""Facts the loyalty domain publishes (CRM and notifications react to them)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from yagona.kernel.events import DomainEvent


@dataclass(frozen=True, kw_only=True)
class PointsEarned(DomainEvent):
    name: ClassVar[str] = "loyalty.points_earned"
    phone: str
    points: int
    kind: str  # earn | bonus
    reference: str


@dataclass(frozen=True, kw_only=True)
class PointsRedeemed(DomainEvent):
    name: ClassVar[str] = "loyalty.points_redeemed"
    phone: str
    points: int
    reward: str
    msisdn: str


@dataclass(frozen=True, kw_only=True)
class PointsExpired(DomainEvent):
    name: ClassVar[str] = "loyalty.points_expired"
    phone: str
    points: int


@dataclass(frozen=True, kw_only=True)
class PointsTakenBack(DomainEvent):
    name: ClassVar[str] = "loyalty.points_taken_back"
    phone: str
    points: int
    reference: str


@dataclass(frozen=True, kw_only=True)
class PointsAdjusted(DomainEvent):
    name: ClassVar[str] = "loyalty.points_adjusted"
    phone: str
    points: int
    reason: str
    staff: str


@dataclass(frozen=True, kw_only=True)
class TierChanged(DomainEvent):
    name: ClassVar[str] = "loyalty.tier_changed"
    phone: str
    from_tier: str
    to_tier: str
