"""Facts the wallet publishes (loyalty and CRM listen to them)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from yagona.kernel.events import DomainEvent


@dataclass(frozen=True, kw_only=True)
class WalletRegistered(DomainEvent):
    name: ClassVar[str] = "wallet.registered"
    phone: str


@dataclass(frozen=True, kw_only=True)
class WalletIdentified(DomainEvent):
    name: ClassVar[str] = "wallet.identified"
    phone: str
    staff: str


@dataclass(frozen=True, kw_only=True)
class WalletToppedUp(DomainEvent):
    name: ClassVar[str] = "wallet.topped_up"
    phone: str
    source: str
    amount: int
    receipt: str


@dataclass(frozen=True, kw_only=True)
class WalletTransferred(DomainEvent):
    name: ClassVar[str] = "wallet.transferred"
    from_phone: str
    to_phone: str
    amount: int
    commission: int
    receipt: str


@dataclass(frozen=True, kw_only=True)
class WalletPaid(DomainEvent):
    name: ClassVar[str] = "wallet.paid"
    phone: str
    provider: str
    account: str
    amount: int
    commission: int
    receipt: str


@dataclass(frozen=True, kw_only=True)
class WalletStateChanged(DomainEvent):
    """Blocked, restored, frozen, released, closed, PIN cancelled or dormant."""

    name: ClassVar[str] = "wallet.state_changed"
    phone: str
    state: str
    reason: str | None
    change: str


@dataclass(frozen=True, kw_only=True)
class WalletRedeemed(DomainEvent):
    """Offer 5.4.2: the balance presented for redemption, paid out to a card."""

    name: ClassVar[str] = "wallet.redeemed"
    phone: str
    amount: int
    commission: int
    receipt: str
