"""The timeline: every contact with a customer in any channel, newest first."""

from __future__ import annotations

from datetime import datetime

from yagona.crm import repository, rules
from yagona.crm.errors import UnknownKindError
from yagona.crm.events import ContactMade
from yagona.crm.models import Interaction
from yagona.crm.schemas import Direction, InteractionChannel, InteractionRead, TimelinePage
from yagona.crm.service._base import _channel, _status, _text
from yagona.kernel.ids import new_id
from yagona.platform.uow import UnitOfWork


def record_interaction(
    uow: UnitOfWork,
    *,
    customer_id: str,
    channel: InteractionChannel | str,
    direction: Direction | str,
    summary: str,
    subject_kind: str | None = None,
    subject_id: str | None = None,
    status: str | None = None,
    recorded_by: str | None = None,
    occurred_at: datetime | None = None,
) -> str:
    """One contact on the customer's timeline; returns its id. The summary never carries a
    PIN or a code (callers describe, they do not quote); card numbers are masked here.
    `status` is a message's delivery state; `recorded_by` the member of staff who wrote it;
    `occurred_at` when it happened if not now (an event consumed later keeps its own time)."""
    row = Interaction(
        id=new_id(),
        customer_id=customer_id,
        channel=_channel(channel),
        direction=Direction(direction).value,
        summary=_text(summary, rules.SUMMARY_MAX_LENGTH),
        subject_kind=subject_kind[:40] if subject_kind else None,
        subject_id=subject_id[:64] if subject_id else None,
        occurred_at=occurred_at or uow.clock.now(),
        status=_status(status),
        recorded_by=recorded_by,
    )
    repository.add(uow.session, row)
    if row.direction == Direction.IN.value and row.channel != InteractionChannel.ACCOUNT.value:
        uow.add_event(  # the contact-channel mix (analytics): the channel, never the summary
            ContactMade(occurred_at=row.occurred_at, customer_id=customer_id, channel=row.channel,
                        subject_kind=row.subject_kind or "")
        )  # fmt: skip
    return row.id


def timeline(
    uow: UnitOfWork, *, customer_id: str, channel: InteractionChannel | str | None = None, limit: int = 50
) -> list[InteractionRead]:
    """The customer's contacts, newest first, optionally of one channel."""
    rows = repository.interactions(
        uow.session,
        customer_id=customer_id,
        channel=_channel(channel) if channel is not None else None,
        limit=max(1, min(limit, uow.limits.page_size_max)),
    )
    return [InteractionRead.model_validate(row, from_attributes=True) for row in rows]


# The kinds of entry a timeline is filtered by, and the subjects each one covers.
TIMELINE_KINDS: dict[str, tuple[str, ...]] = {
    "line": ("line",),
    "wallet": ("wallet", "wallet_receipt"),
    "home": ("home",),
    "message": ("message", "reminder"),
    "request": ("contact_request", "ticket"),
    "call": ("call",),
    "survey": ("survey",),
}


def timeline_page(
    uow: UnitOfWork,
    *,
    customer_id: str,
    channel: InteractionChannel | str | None = None,
    page: int = 1,
    per_page: int = 20,
    kind: str | None = None,
) -> TimelinePage:
    """Page `page` (from 1) of the customer's timeline, newest first, optionally of one channel
    and of one kind (`TIMELINE_KINDS`: a line, the wallet, a message, a request, a survey…;
    an unknown kind is refused as `unknown_kind`)."""
    per_page = max(1, min(per_page, uow.limits.page_size_max))
    page = max(1, min(page, rules.PAGE_MAX))
    if kind is not None and kind not in TIMELINE_KINDS:
        raise UnknownKindError(f"no kind {kind}", kind=str(kind)[:20])
    rows = repository.page_of_interactions(
        uow.session,
        customer_id=customer_id,
        channel=_channel(channel) if channel is not None else None,
        offset=(page - 1) * per_page,
        limit=per_page + 1,
        subject_kinds=TIMELINE_KINDS[kind] if kind is not None else None,
    )
    items = [InteractionRead.model_validate(row, from_attributes=True) for row in rows[:per_page]]
    return TimelinePage(items=items, page=page, has_next=len(rows) > per_page)


MESSAGE = "message"  # the subject kind of a message notify sent (its id is notify's message id)


def note_message(
    uow: UnitOfWork,
    *,
    customer_id: str,
    channel: InteractionChannel | str,
    message_id: str,
    summary: str,
    status: str | None = None,
    reword: bool = False,
    occurred_at: datetime | None = None,
) -> str:
    """A message we sent the customer: one interaction per message, whatever reports it first
    (the reminder that wrote it, notify's sent, delivered or failed). `summary` words a new
    one; with `reword` it replaces the words recorded (a reminder says more than "SMS: a
    message"). A `status` moves the message's state forward."""
    row = repository.interaction_about(
        uow.session, customer_id=customer_id, subject_kind=MESSAGE, subject_id=message_id[:64]
    )
    if row is None:
        return record_interaction(
            uow,
            customer_id=customer_id,
            channel=channel,
            direction=Direction.OUT,
            summary=summary,
            subject_kind=MESSAGE,
            subject_id=message_id,
            status=status,
            occurred_at=occurred_at,
        )
    if reword:
        row.summary = _text(summary, rules.SUMMARY_MAX_LENGTH)
    if status is not None and rules.status_may_move(row.status, status):
        row.status = _status(status)
    return row.id
