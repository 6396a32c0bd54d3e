"""A customer's bonus points in the console (issue 12 §5): the balance, the tier and what the
next one needs, the lots with their expiry, the history — opened from the customer 360 with
a reason, like every view of a customer's data (`loyalty.view` in the access log) — and a
supervisor's manual adjustment (plus or minus) with a mandatory reason, through `loyalty.service.adjust`
(a ledger transfer in points, in the history with who and why) and written to the access log
(`loyalty.adjust`) in the same transaction. The form carries a one-time request id, so a
double submit adjusts once. An agent sees the points but no form (a post is refused: 403,
nothing written); a refusal is the page again in the member's language, nothing written."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated, Any

from fastapi import Form, Path, Request
from fastapi.responses import HTMLResponse, Response

from yagona.app.staff.common import Uow, page
from yagona.identity import service as identity
from yagona.identity.schemas import CustomerRead
from yagona.kernel.errors import InvalidRequestError, NotFoundError, YagonaError
from yagona.kernel.ids import new_id
from yagona.kernel.money import Money
from yagona.kernel.phone import display_msisdn
from yagona.loyalty import service as loyalty
from yagona.loyalty.web import ENTRY_KINDS, TIERS
from yagona.platform import i18n
from yagona.platform.auth import StaffPrincipal, staff_member
from yagona.platform.pages.core import N_, page_language, page_router, pages_of
from yagona.platform.uow import UnitOfWork
from yagona.privacy import service as privacy
from yagona.privacy.errors import ReasonRequiredError

router = page_router(prefix="/staff")
CustomerId = Annotated[str, Path(max_length=36)]
Reason = Annotated[str, Form(max_length=privacy.REASON_MAX_LENGTH)]
ADJUST_ROLE = "supervisor"  # docs/staff.md: points move by a supervisor's (or an admin's) hand
MAX_POINTS = 1_000_000  # one adjustment, either way (the staff REST's bound too)
EXPIRING_SOON = timedelta(days=30)
HISTORY = 50

DONE = N_("The points are adjusted.")
REPEATED = N_("This adjustment was already made: nothing changed the second time.")
# A refusal as a member of staff reads it (the domain's own message speaks to the customer).
REFUSALS = {
    "invalid_request": N_("Say how many points to add or take: a whole number, not zero (minus takes points)."),
}


@router.post("/customers/{customer_id}/points")
def points(request: Request, uow: Uow, customer_id: CustomerId, reason: Reason = "") -> Response:
    """The customer's points, logged with the reason (any member of staff)."""
    member = staff_member(request, uow)
    customer = identity.get_customer(uow, customer_id=customer_id)
    privacy.require_access(uow, staff_id=member.staff_id, customer_id=customer.id, section="points")
    phone = _phone(uow, customer)
    try:
        privacy.record_access(
            uow, staff_id=member.staff_id, customer_id=customer.id, action="loyalty.view", subject=phone, reason=reason
        )
    except ReasonRequiredError as error:  # the reason form again, saying why
        message = i18n.localize(error, page_language(request))
        return page(
            request,
            "reason.html",
            member,
            status_code=422,
            customer_id=customer.id,
            target=f"/staff/customers/{customer.id}/points",
            error=message,
        )
    uow.commit()
    return _points_page(request, uow, member, customer, phone)


@router.post("/customers/{customer_id}/points/adjust")
def adjust(  # noqa: PLR0917 - FastAPI passes the path and the form by name
    request: Request,
    uow: Uow,
    customer_id: CustomerId,
    reason: Reason = "",
    points: Annotated[str, Form(max_length=12)] = "",
    request_id: Annotated[str, Form(max_length=36)] = "",
) -> Response:
    """Add (positive) or take (negative) points, with a reason: a supervisor or an admin."""
    member = staff_member(request, uow, role=ADJUST_ROLE)
    customer = identity.get_customer(uow, customer_id=customer_id)
    privacy.require_access(uow, staff_id=member.staff_id, customer_id=customer.id, section="points")
    phone = _phone(uow, customer)
    if phone is None:
        raise NotFoundError("this customer has no phone to hold points")
    try:
        checked = privacy.checked_reason(reason)  # refused before anything changes
        done = loyalty.adjust(
            uow,
            phone=phone,
            points=_points(points),
            reason=checked,
            staff=f"staff:{member.staff_id} {member.name}",
            request_id=request_id or None,
        )
    except YagonaError as error:  # the page again, saying why; nothing is written
        uow.rollback()
        message = _refusal(request, error)
        return _points_page(request, uow, member, customer, phone, error=message, status_code=error.http_status)
    if done.repeated:
        uow.rollback()  # the first submit was logged; the second changed nothing
        return _points_page(request, uow, member, customer, phone, done=REPEATED)
    privacy.record_access(
        uow, staff_id=member.staff_id, customer_id=customer.id, action="loyalty.adjust", subject=phone, reason=checked
    )
    uow.commit()
    return _points_page(request, uow, member, customer, phone, done=DONE)


def _points(raw: str) -> int:
    try:
        value = int(raw.strip().replace(" ", "").replace("\u2212", "-"))
    except ValueError:
        value = 0
    if value == 0 or abs(value) > MAX_POINTS:
        raise InvalidRequestError(f"{raw[:12]!r} is not a number of points", field="points")
    return value


def _refusal(request: Request, error: YagonaError) -> str:
    language = page_language(request)
    if error.code in REFUSALS and error.details.get("field") == "points":
        return pages_of(request).gettext(language, REFUSALS[error.code])
    return i18n.localize(error, language)


def _phone(uow: UnitOfWork, customer: CustomerRead) -> str | None:
    """The phone whose points the customer holds (a profile's first the programme knows)."""
    return loyalty.member_phone(uow, phones=customer.phones)


def _points_page(
    request: Request,
    uow: UnitOfWork,
    member: StaffPrincipal,
    customer: CustomerRead,
    phone: str | None,
    *,
    done: str | None = None,
    error: str | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    language = page_language(request)
    context: dict[str, Any] = {
        "customer": customer,
        "phone": display_msisdn(phone) if phone else None,
        "done": pages_of(request).gettext(language, done) if done else None,
        "error": error,
        "request_id": new_id(),  # a new one each time the form is shown: a double submit repeats it
        "tiers": TIERS,
        "entry_kinds": ENTRY_KINDS,
    }
    if phone is not None:
        state = loyalty.state(uow, phone=phone)
        soon = uow.clock.now() + EXPIRING_SOON
        context.update(
            state=state,
            spend=Money(state.spend_90d_tiyin),
            spend_needed=Money(state.next_tier.spend_needed_tiyin) if state.next_tier else None,
            lots=[(lot, lot.expires_at <= soon) for lot in state.lots],
            history=loyalty.history(uow, phone=phone, limit=HISTORY),
        )
    return page(request, "points.html", member, status_code=status_code, **context)
