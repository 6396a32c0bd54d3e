"""Use cases of the CRM. Callers pass their unit of work; nothing here commits: an
interaction is recorded in the same transaction as the contact it describes."""

from __future__ import annotations

from yagona.crm import repository, rules
from yagona.crm.errors import EmptyTextError, UnknownChannelError
from yagona.crm.models import ContactRequest, Interaction
from yagona.crm.schemas import ContactRequestRead, Direction, InteractionChannel, InteractionRead
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
) -> str:
    """One contact on the customer's timeline; returns its id. The summary never carries a
    PIN or a code (callers describe, they do not quote); card numbers are masked here."""
    row = Interaction(
        id=new_id(),
        customer_id=customer_id,
        channel=_channel(channel),
        direction=Direction(direction).value,
        summary=_text(summary, rules.SUMMARY_MAX_LENGTH),
        subject_kind=subject_kind[:40] if subject_kind else None,
        subject_id=subject_id[:64] if subject_id else None,
        occurred_at=uow.clock.now(),
    )
    repository.add(uow.session, row)
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


def open_request(
    uow: UnitOfWork, *, customer_id: str, channel: InteractionChannel | str, summary: str, body: str
) -> str:
    """A request for the call-centre (a person to call or write back); returns its id. It is
    also an incoming interaction on the timeline."""
    row = ContactRequest(
        id=new_id(),
        customer_id=customer_id,
        channel=_channel(channel),
        summary=_text(summary, rules.SUMMARY_MAX_LENGTH),
        body=_text(body, rules.BODY_MAX_LENGTH),
        status="open",
        opened_at=uow.clock.now(),
    )
    repository.add(uow.session, row)
    record_interaction(
        uow,
        customer_id=customer_id,
        channel=channel,
        direction=Direction.IN,
        summary=row.summary,
        subject_kind="contact_request",
        subject_id=row.id,
    )
    return row.id


def contact_requests(
    uow: UnitOfWork, *, customer_id: str | None = None, status: str | None = "open", limit: int = 50
) -> list[ContactRequestRead]:
    """Requests, newest first: a customer's, or the call-centre's open queue."""
    rows = repository.contact_requests(
        uow.session, customer_id=customer_id, status=status, limit=max(1, min(limit, uow.limits.page_size_max))
    )
    return [ContactRequestRead.model_validate(row, from_attributes=True) for row in rows]


def _text(text: str, max_length: int) -> str:
    cleaned = rules.clean_text(text, max_length=max_length)
    if cleaned is None:
        raise EmptyTextError("Write the text.", field="text")
    return cleaned


def _channel(channel: InteractionChannel | str) -> str:
    try:
        return InteractionChannel(channel).value
    except ValueError:
        raise UnknownChannelError(f"no channel {channel}", channel=str(channel)[:20]) from None
