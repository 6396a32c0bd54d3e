"""Requests for the call-centre: a person to call or write back."""

from __future__ import annotations

from yagona.crm import repository, rules
from yagona.crm.errors import RequestClosedError, RequestNotFoundError
from yagona.crm.models import ContactRequest
from yagona.crm.schemas import ContactRequestRead, Direction, InteractionChannel
from yagona.crm.service._base import _channel, _text
from yagona.crm.service.interactions import record_interaction
from yagona.kernel.ids import new_id
from yagona.platform.uow import UnitOfWork


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


def close_request(uow: UnitOfWork, *, request_id: str, staff_id: str, note: str) -> ContactRequestRead:
    """A member of staff closes an open request with a note (what was done); a closed one is
    refused. The note is an outgoing staff interaction on the customer's timeline."""
    cleaned = _text(note, rules.NOTE_MAX_LENGTH)
    row = repository.contact_request(uow.session, request_id[:36], for_update=True)
    if row is None:
        raise RequestNotFoundError(f"no request {request_id[:36]}", request_id=request_id[:36])
    if row.status != "open":
        raise RequestClosedError("this request is closed already", request_id=row.id)
    row.status, row.closed_at, row.closed_by, row.close_note = "closed", uow.clock.now(), staff_id, cleaned
    record_interaction(
        uow,
        customer_id=row.customer_id,
        channel=InteractionChannel.STAFF,
        direction=Direction.OUT,
        summary=cleaned,
        subject_kind="contact_request",
        subject_id=row.id,
        recorded_by=staff_id,
    )
    uow.session.flush()
    return ContactRequestRead.model_validate(row, from_attributes=True)
