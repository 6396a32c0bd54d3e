"""Facts the home domain publishes: every change of an account."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from yagona.kernel.events import DomainEvent


@dataclass(frozen=True, kw_only=True)
class HomeRequested(DomainEvent):
    """A customer asked for home internet at an address; it waits for the OneID check."""

    name: ClassVar[str] = "home.requested"
    contract: str
    customer_id: str
    plan: str


@dataclass(frozen=True, kw_only=True)
class HomeActivated(DomainEvent):
    name: ClassVar[str] = "home.activated"
    contract: str
    paid: bool  # False: activated without the first fee on the balance, so suspended at once


@dataclass(frozen=True, kw_only=True)
class HomeFeeCharged(DomainEvent):
    """A period's fee (plan, equipment, IPTV packages) or an add-on's share of the period."""

    name: ClassVar[str] = "home.fee_charged"
    contract: str
    amount_tiyin: int
    reason: str  # first_fee | renewal | resume | package


@dataclass(frozen=True, kw_only=True)
class HomeSuspended(DomainEvent):
    name: ClassVar[str] = "home.suspended"
    contract: str
    fee_tiyin: int
    balance_tiyin: int


@dataclass(frozen=True, kw_only=True)
class HomeResumed(DomainEvent):
    name: ClassVar[str] = "home.resumed"
    contract: str


@dataclass(frozen=True, kw_only=True)
class HomeToppedUp(DomainEvent):
    name: ClassVar[str] = "home.topped_up"
    contract: str
    amount_tiyin: int


@dataclass(frozen=True, kw_only=True)
class HomePlanChanged(DomainEvent):
    """`effective` says when: `now` (no period running) or `next_period`; a scheduled change
    is published again with `applied` when the period it waited for starts."""

    name: ClassVar[str] = "home.plan_changed"
    contract: str
    plan: str
    effective: str  # now | next_period | applied


@dataclass(frozen=True, kw_only=True)
class HomePackageChanged(DomainEvent):
    name: ClassVar[str] = "home.package_changed"
    contract: str
    package: str
    added: bool


@dataclass(frozen=True, kw_only=True)
class HomeClosed(DomainEvent):
    name: ClassVar[str] = "home.closed"
    contract: str
