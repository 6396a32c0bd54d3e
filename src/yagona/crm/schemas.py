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


# --- tickets (issue 14.2, 14.3) -------------------------------------------------------------

TICKET_STATUSES = ("open", "in_progress", "waiting_customer", "resolved", "closed")
TICKET_DONE = ("resolved", "closed")


class TicketRead(BaseModel):
    """A ticket (a contact request grown up): what, who works it, and its SLA clocks. `risk`
    is the worse of its two clocks at the time it was read: ok | at_risk | breached."""

    model_config = ConfigDict(frozen=True)

    id: str
    customer_id: str
    channel: InteractionChannel
    summary: str
    body: str
    status: str
    category: str
    priority: str
    service: str | None
    queue: str
    assigned_to: str | None
    opened_at: datetime
    first_response_at: datetime | None
    first_response_due: datetime | None
    resolution_due: datetime | None
    resolved_at: datetime | None
    closed_at: datetime | None
    merged_into: str | None
    risk: str = "ok"


class AttachmentRead(BaseModel):
    model_config = ConfigDict(frozen=True)

    id: str
    message_id: str
    filename: str
    content_type: str
    size: int


class TicketMessageRead(BaseModel):
    """An entry of a ticket's thread: customer | reply | note (staff only) | event."""

    model_config = ConfigDict(frozen=True)

    id: str
    kind: str
    body: str
    author: str | None
    channel: str | None
    created_at: datetime
    attachments: tuple[AttachmentRead, ...] = ()


class NewAttachment(BaseModel):
    """A file a customer attaches: its name as sent, its bytes (the type is read from them)."""

    model_config = ConfigDict(frozen=True)

    filename: str
    data: bytes


class SlaWarning(BaseModel):
    """A ticket's SLA clock passed its warning or its due time (recorded once each)."""

    model_config = ConfigDict(frozen=True)

    ticket_id: str
    queue: str
    kind: str  # first_response | resolution
    level: str  # warning | breach
    due_at: datetime
    recorded_at: datetime


class TicketOptions(BaseModel):
    """What the data offers, in one language: categories, priorities, queues, statuses."""

    model_config = ConfigDict(frozen=True)

    categories: dict[str, str]
    priorities: tuple[str, ...]
    queues: dict[str, str]


class SurveyKind(StrEnum):
    NPS = "nps"  # 0-10: how likely to recommend us
    CSAT = "csat"  # 1-5: satisfied with how a ticket or a call was handled
    CES = "ces"  # 1-7: how easy a task was (a plan switch, a wallet payment)


class SurveyRead(BaseModel):
    """A survey offered to a customer, and its answer once given."""

    model_config = ConfigDict(frozen=True)

    id: str
    customer_id: str
    kind: SurveyKind
    trigger: str
    interaction_id: str | None
    channel: str
    category: str
    language: str
    status: str  # due (held over quiet hours) | sent | answered
    offered_at: datetime
    send_at: datetime
    message_id: str | None = None
    answered_at: datetime | None = None
    score: int | None = None
    comment: str | None = None
    answer_channel: str | None = None
    follow_up_id: str | None = None


class ScoreGroup(BaseModel):
    """The score of the answers of one group (a channel, a category, a week)."""

    model_config = ConfigDict(frozen=True)

    key: str
    answers: int
    score: float | None


class FeedbackScores(BaseModel):
    """A survey's scores over a period: overall, by channel, by category and by week."""

    model_config = ConfigDict(frozen=True)

    kind: SurveyKind
    start: datetime  # the period: [start, end)
    end: datetime
    answers: int
    score: float | None
    by_channel: list[ScoreGroup]
    by_category: list[ScoreGroup]
    by_week: list[ScoreGroup]
