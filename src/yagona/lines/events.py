"""Facts the lines domain publishes (loyalty and CRM react to them)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import ClassVar

from yagona.kernel.events import DomainEvent


@dataclass(frozen=True, kw_only=True)
class LineConnected(DomainEvent):
    name: ClassVar[str] = "lines.line_connected"
    msisdn: str
    plan: str
    first_fee_tiyin: int


@dataclass(frozen=True, kw_only=True)
class LineToppedUp(DomainEvent):
    name: ClassVar[str] = "lines.line_topped_up"
    msisdn: str
    amount_tiyin: int
    source: str = ""  # where the money came from: payments, payme, click, wallet, … (analytics)


@dataclass(frozen=True, kw_only=True)
class FeeCharged(DomainEvent):
    """A periodic fee, an unblock charge, a reload or a switch fee."""

    name: ClassVar[str] = "lines.fee_charged"
    msisdn: str
    plan: str
    kind: str
    amount_tiyin: int


@dataclass(frozen=True, kw_only=True)
class UsageRated(DomainEvent):
    name: ClassVar[str] = "lines.usage_rated"
    msisdn: str
    kind: str
    units: int
    charged_tiyin: int
    destination: str = ""  # the price class (onnet, international, tasix, …): analytics' usage profiles


@dataclass(frozen=True, kw_only=True)
class LineBlocked(DomainEvent):
    name: ClassVar[str] = "lines.line_blocked"
    msisdn: str
    reason: str


@dataclass(frozen=True, kw_only=True)
class LineUnblocked(DomainEvent):
    name: ClassVar[str] = "lines.line_unblocked"
    msisdn: str


@dataclass(frozen=True, kw_only=True)
class PlanSwitched(DomainEvent):
    name: ClassVar[str] = "lines.plan_switched"
    msisdn: str
    from_plan: str
    to_plan: str


@dataclass(frozen=True, kw_only=True)
class LineCharged(DomainEvent):
    """Any charge taken from a line's balance outside rating (`UsageRated` carries those):
    the first fee, renewals, reloads, switches, unblocks, packages, promo days, block fees.
    `reason` is the charge's ledger reason; the bonus programme earns on it."""

    name: ClassVar[str] = "lines.line_charged"
    msisdn: str
    reason: str
    amount_tiyin: int


@dataclass(frozen=True, kw_only=True)
class PromoStarted(DomainEvent):
    """A promo subscription's free days began (the reminder engine warns before they end)."""

    name: ClassVar[str] = "lines.promo_started"
    msisdn: str
    promo: str
    free_until: datetime
