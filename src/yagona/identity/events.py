"""Facts identity publishes."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from yagona.kernel.events import DomainEvent


@dataclass(frozen=True, kw_only=True)
class CustomerRegistered(DomainEvent):
    name: ClassVar[str] = "identity.customer_registered"
    customer_id: str


@dataclass(frozen=True, kw_only=True)
class CustomerVerified(DomainEvent):
    name: ClassVar[str] = "identity.customer_verified"
    customer_id: str
    level: str


@dataclass(frozen=True, kw_only=True)
class ServiceLinked(DomainEvent):
    name: ClassVar[str] = "identity.service_linked"
    customer_id: str
    kind: str
    reference: str


@dataclass(frozen=True, kw_only=True)
class AccessReported(DomainEvent):
    name: ClassVar[str] = "identity.access_reported"
    customer_id: str


@dataclass(frozen=True, kw_only=True)
class CustomerSignedIn(DomainEvent):
    """A portal or One ID sign-in opened a session (crm puts it on the customer's timeline).
    `methods` as the session keeps them, space-separated: `otp`, `password totp`, `oneid`."""

    name: ClassVar[str] = "identity.customer_signed_in"
    customer_id: str
    methods: str
    new_device: bool
