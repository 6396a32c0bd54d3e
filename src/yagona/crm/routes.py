"""REST of the CRM.

- `GET /api/v1/me/interactions` — the signed-in customer (session, or a bearer token with the
  scope `history`): their own timeline, newest first, a channel at a time, a page at a time.
  The customer is the credential's: no id is taken from the request, so nobody reads another's.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query

from yagona.crm import service
from yagona.crm.schemas import Direction, InteractionChannel, InteractionRead
from yagona.platform.api import ApiRead, Timestamp
from yagona.platform.auth import Principal, require_customer
from yagona.platform.uow import UnitOfWork
from yagona.platform.web import unit_of_work

_PROBLEM = {"application/problem+json": {"schema": {"type": "object", "required": ["status", "code"]}}}
CUSTOMER_PROBLEMS: dict[int | str, dict[str, Any]] = {
    401: {"description": "not signed in: no One ID session or bearer token", "content": _PROBLEM},
    403: {"description": "the token lacks the scope `history`", "content": _PROBLEM},
    422: {"description": "an unknown channel or kind, or a page out of range", "content": _PROBLEM},
}

me_router = APIRouter(prefix="/api/v1/me/interactions", tags=["my history"], responses=CUSTOMER_PROBLEMS)
Uow = Annotated[UnitOfWork, Depends(unit_of_work)]
Customer = Annotated[Principal, Depends(require_customer("history"))]


class InteractionView(ApiRead):
    id: str
    channel: InteractionChannel
    direction: Direction
    summary: str
    subject_kind: str | None
    subject_id: str | None
    status: str | None
    occurred_at: Timestamp

    @classmethod
    def of(cls, entry: InteractionRead) -> InteractionView:
        return cls(
            id=entry.id,
            channel=entry.channel,
            direction=entry.direction,
            summary=entry.summary,
            subject_kind=entry.subject_kind,
            subject_id=entry.subject_id,
            status=entry.status,
            occurred_at=entry.occurred_at,
        )


class InteractionPage(ApiRead):
    items: list[InteractionView]
    page: int
    has_next: bool


@me_router.get("")
def my_interactions(  # noqa: PLR0917 - FastAPI passes the query by name
    principal: Customer,
    uow: Uow,
    channel: InteractionChannel | None = None,
    page: Annotated[int, Query(ge=1, le=1000)] = 1,
    per_page: Annotated[int, Query(ge=1, le=100)] = 20,
    kind: Annotated[str | None, Query(max_length=16)] = None,
) -> InteractionPage:
    """The customer's contacts in every channel and the operations on their services, newest
    first; `kind`: line, wallet, home, message, request, call or survey."""
    found = service.timeline_page(
        uow, customer_id=principal.customer_id, channel=channel, page=page, per_page=per_page, kind=kind
    )
    return InteractionPage(items=[InteractionView.of(e) for e in found.items], page=found.page, has_next=found.has_next)
