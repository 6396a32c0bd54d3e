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
    # An operation on the customer's services (a top-up, a plan switch, a payment) that its
    # domain published, whatever channel it came through.
    ACCOUNT = "account"


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
    status: str | None = None  # a message's delivery: sent | delivered | failed
    recorded_by: str | None = None  # the member of staff who wrote a call note


class ContactRequestRead(BaseModel):
    model_config = ConfigDict(frozen=True)

    id: str
    customer_id: str
    channel: InteractionChannel
    summary: str
    body: str
    status: str
    opened_at: datetime
    closed_at: datetime | None = None
    closed_by: str | None = None
    close_note: str | None = None


class TimelinePage(BaseModel):
    """One page of a customer's timeline, newest first."""

    model_config = ConfigDict(frozen=True)

    items: list[InteractionRead]
    page: int
    has_next: bool
