"""Facts of the payments domain."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from yagona.kernel.events import DomainEvent


@dataclass(frozen=True, kw_only=True)
class PaymentPerformed(DomainEvent):
    name: ClassVar[str] = "payments.performed"
    system: str
    transaction: int
    target: str
    account: str
    amount: int


@dataclass(frozen=True, kw_only=True)
class PaymentCancelled(DomainEvent):
    name: ClassVar[str] = "payments.cancelled"
    system: str
    transaction: int
    state: int
    reason: int | None
