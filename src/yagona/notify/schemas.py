"""What crosses notify's boundary."""

from __future__ import annotations

from enum import StrEnum
from typing import Literal, Protocol

from pydantic import BaseModel, ConfigDict

from yagona.platform.api import Timestamp


class Channel(StrEnum):
    SMS = "sms"
    EMAIL = "email"
    PUSH = "push"  # recipient: the customer's id; every device they subscribed


class Language(StrEnum):
    UZ = "uz"
    RU = "ru"
    EN = "en"


class MessageRead(BaseModel):
    model_config = ConfigDict(frozen=True)

    id: str
    channel: Channel
    recipient: str
    template: str
    language: Language
    body: str | None
    status: str
    created_at: Timestamp
    gateway_id: str | None = None
    encoding: str | None = None
    parts: int | None = None
    error: str | None = None


class SubscriptionRead(BaseModel):
    model_config = ConfigDict(frozen=True)

    id: str
    push_service: str  # the endpoint's host: which browser's service (the URL itself stays here)
    user_agent: str
    created_at: Timestamp


class DeliveryAdapter(Protocol):
    """Hands one message to a gateway that keeps no id for it (the dev outbox, e-mail)."""

    def send(self, *, channel: Channel, recipient: str, body: str) -> None: ...


class DevDeliveryAdapter:
    """Development and tests: nothing leaves the machine; the outbox row is the message."""

    def send(self, *, channel: Channel, recipient: str, body: str) -> None:
        return None


class SmsGateway(Protocol):
    """An SMS aggregator. Returns the gateway's id for the message (None: it keeps none).
    Raises `GatewayRejectedError` (refused for good) or `GatewayUnavailableError` (try later)."""

    def send_sms(self, *, recipient: str, text: str, callback_url: str | None) -> str | None: ...


class OutboxGateway:
    """Dev and test without a gateway: the outbox row is the message (as before gateways)."""

    def send_sms(self, *, recipient: str, text: str, callback_url: str | None) -> str | None:
        return None


PushOutcome = Literal["accepted", "gone", "failed"]


class PushTarget(BaseModel):
    model_config = ConfigDict(frozen=True)

    endpoint: str
    p256dh: str
    auth: str


class PushSender(Protocol):
    """A push service client: encrypts `payload` to the device and posts it. "gone": the
    service says the subscription no longer exists (404, 410); "failed": anything else."""

    def push(self, target: PushTarget, payload: str) -> PushOutcome: ...
