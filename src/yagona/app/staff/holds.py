"""Legal holds in the console (issue 16): a court order, an investigation or a dispute requires
a customer's data kept, so erasure is refused while a hold is active (`legal_hold`).

Supervisors and admins (the console's auditors) list the active holds, place one on a customer
with its legal basis and the document's reference, and release one with a reason. Each is
written to the access log (`hold.place`, `hold.release`) with its reason; the customer's 360
shows a "legal hold" badge while one is active. The CLI (`yagona privacy hold …`) does the same."""

from __future__ import annotations

from typing import Annotated

from fastapi import Form, Path, Query, Request
from fastapi.responses import RedirectResponse, Response

from yagona.app.staff.common import Uow, page
from yagona.identity import service as identity
from yagona.identity.service import staff as staff_service
from yagona.kernel.errors import YagonaError
from yagona.platform import i18n
from yagona.platform.auth import StaffPrincipal, staff_member
from yagona.platform.pages.core import N_, flash, page_language, page_router, pages_of
from yagona.platform.uow import UnitOfWork
from yagona.privacy import service as privacy

router = page_router(prefix="/staff/privacy/holds")
HOLDS_ROLE = "supervisor"  # supervisors and admins: an agent gets 403
HoldId = Annotated[str, Path(max_length=36)]
Reason = Annotated[str, Form(max_length=privacy.REASON_MAX_LENGTH)]


def _page(
    request: Request,
    uow: UnitOfWork,
    member: StaffPrincipal,
    *,
    customer_id: str = "",
    error: str | None = None,
    status_code: int = 200,
) -> Response:
    return page(
        request,
        "holds.html",
        member,
        status_code=status_code,
        holds=privacy.holds(uow),
        names=staff_service.staff_names(uow),
        customer_id=customer_id,
        error=error,
    )


def _refused(request: Request, uow: UnitOfWork, member: StaffPrincipal, error: YagonaError, **kept: str) -> Response:
    uow.rollback()
    message = i18n.localize(error, page_language(request))
    return _page(request, uow, member, error=message, status_code=error.http_status, **kept)


@router.get("")
def holds(request: Request, uow: Uow, customer: Annotated[str, Query(max_length=36)] = "") -> Response:
    """The active holds, and the form to place one (`?customer=` fills it from the 360)."""
    member = staff_member(request, uow, role=HOLDS_ROLE)
    return _page(request, uow, member, customer_id=customer)


@router.post("")
def place(
    request: Request,
    uow: Uow,
    customer_id: Annotated[str, Form(max_length=36)] = "",
    reason: Reason = "",
    reference: Annotated[str, Form(max_length=120)] = "",
) -> Response:
    """Place a hold on a customer: the legal basis (a reason) and the document's reference."""
    member = staff_member(request, uow, role=HOLDS_ROLE)
    try:
        customer = identity.get_customer(uow, customer_id=customer_id)
        hold = privacy.place_hold(
            uow, customer_id=customer.id, reason=reason, reference=reference, placed_by=member.staff_id
        )
        privacy.record_access(
            uow, staff_id=member.staff_id, customer_id=customer.id, action="hold.place", reason=reason,
            subject=hold.reference,
        )  # fmt: skip
    except YagonaError as error:
        return _refused(request, uow, member, error, customer_id=customer_id)
    uow.commit()
    return _done(request, N_("The legal hold is placed: the customer's data cannot be erased until it is released."))


@router.post("/{hold_id}/release")
def release(request: Request, uow: Uow, hold_id: HoldId, reason: Reason = "") -> Response:
    """Release an active hold, with the reason it ends (the order lifted, the case closed)."""
    member = staff_member(request, uow, role=HOLDS_ROLE)
    try:
        hold = privacy.release_hold(uow, hold_id=hold_id, released_by=member.staff_id, reason=reason)
        privacy.record_access(
            uow, staff_id=member.staff_id, customer_id=hold.customer_id, action="hold.release", reason=reason,
            subject=hold.reference,
        )  # fmt: skip
    except YagonaError as error:
        return _refused(request, uow, member, error)
    uow.commit()
    return _done(request, N_("The legal hold is released."))


def _done(request: Request, text: str) -> Response:
    response = RedirectResponse("/staff/privacy/holds", status_code=303)
    flash(request, response, pages_of(request).gettext(page_language(request), text), level="success")
    return response
