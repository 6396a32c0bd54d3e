"""What crosses the CRM's boundary."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict


class InteractionChannel(StrEnum):
    USSD = "ussd"
    SMS = "sms"
    PUSH = "push"
    TELEGRAM = "telegram"
    PORTAL = "portal"
    STAFF = "staff"
    EMAIL = "email"


class Direction(StrEnum):
    IN = "in"  # the customer reached us
    OUT = "out"  # we reached the customer


class InteractionRead(BaseModel):
    model_config = ConfigDict(frozen=True)

    id: str
    customer_id: str
    channel: InteractionChannel
    direction: Direction
    summary: str
    subject_kind: str | None
    subject_id: str | None
    occurred_at: datetime


class ContactRequestRead(BaseModel):
    model_config = ConfigDict(frozen=True)

    id: str
    customer_id: str
    channel: InteractionChannel
    summary: str
    body: str
    status: str
    opened_at: datetime
