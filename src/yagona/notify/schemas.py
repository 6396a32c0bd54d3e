"""What crosses notify's boundary."""

from __future__ import annotations

from enum import StrEnum
from typing import Protocol

from pydantic import BaseModel, ConfigDict

from yagona.platform.api import Timestamp


class Channel(StrEnum):
    SMS = "sms"
    EMAIL = "email"


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


class DeliveryAdapter(Protocol):
    """Hands one message to a gateway (SMS centre, mail server). Raises on failure."""

    def send(self, *, channel: Channel, recipient: str, body: str) -> None: ...


class DevDeliveryAdapter:
    """Development and tests: nothing leaves the machine; the outbox row is the message."""

    def send(self, *, channel: Channel, recipient: str, body: str) -> None:
        return None
