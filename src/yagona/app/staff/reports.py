"""Supervisors' pages: the access log (who looked at whose data, when, why) and the payment
systems' statement (what Payme and Click paid in a period)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Annotated

from fastapi import Query, Request
from fastapi.responses import Response

from yagona.app.staff.common import Uow, page
from yagona.identity.service import staff as staff_service
from yagona.kernel.clock import TASHKENT
from yagona.kernel.money import Money
from yagona.payments import service as payments
from yagona.payments.schemas import PERFORMED
from yagona.platform.auth import staff_member
from yagona.platform.pages.core import N_, page_router
from yagona.privacy import service as privacy

router = page_router(prefix="/staff")
MAX_DAYS = 92  # a statement covers at most a quarter
# The payment systems' transaction states (Payme's numbers, shared by Click here).
PAYMENT_STATES = {1: N_("Created"), 2: N_("Performed"), -1: N_("Cancelled"), -2: N_("Cancelled after it was performed")}


@router.get("/access-log")
def access_log(
    request: Request,
    uow: Uow,
    customer: Annotated[str, Query(max_length=36)] = "",
    member: Annotated[str, Query(max_length=36)] = "",
) -> Response:
    """The access log, newest first: by customer, by member of staff, or all."""
    viewer = staff_member(request, uow, role="supervisor")
    records = privacy.access_log(uow, customer_id=customer.strip() or None, staff_id=member or None, limit=200)
    staff = staff_service.list_staff(uow)
    return page(
        request,
        "access_log.html",
        viewer,
        records=records,
        names={m.id: m.name for m in staff},
        staff_members=staff,
        customer=customer.strip(),
        chosen=member,
    )


@router.get("/payments")
def payments_statement(
    request: Request,
    uow: Uow,
    system: Annotated[str, Query(pattern="^(payme|click)$")] = payments.PAYME,
    start: Annotated[date | None, Query(alias="from")] = None,
    end: Annotated[date | None, Query(alias="to")] = None,
) -> Response:
    """What one payment system's transactions were in a period of days (Tashkent time)."""
    viewer = staff_member(request, uow, role="supervisor")
    today = uow.clock.now().astimezone(TASHKENT).date()
    end = end or today
    start = start or end - timedelta(days=6)
    if start > end or (end - start).days > MAX_DAYS:
        start = end - timedelta(days=6)
    rows = payments.statement(
        uow,
        system=system,
        start=datetime.combine(start, time.min, tzinfo=TASHKENT),
        end=datetime.combine(end, time.max, tzinfo=TASHKENT),
    )
    transactions = [
        {"id": r.external_id, "at": r.created_at, "target": r.target, "account": r.account,
         "amount": Money(r.amount), "state": PAYMENT_STATES.get(r.state, str(r.state))}
        for r in rows
    ]  # fmt: skip
    total = Money(sum(r.amount for r in rows if r.state == PERFORMED))
    return page(
        request,
        "payments.html",
        viewer,
        system=system,
        start=start.isoformat(),
        end=end.isoformat(),
        transactions=transactions,
        total=total,
    )
