"""The pending home-internet requests (issue 11 §3): the queue of requests that wait for the
customer's national OneID check, and a supervisor's two moves on one of them — activate it
(once OneID has verified the customer) or close it — each with a reason, written to the
access log in the same transaction. The rules are home's (`home.service`); a refusal is the
queue again with the domain's message in the member's language, nothing written."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Annotated

from fastapi import Form, Path, Request
from fastapi.responses import RedirectResponse, Response

from yagona.app.staff.common import Uow, page
from yagona.catalog import home as catalogue
from yagona.home import service as home
from yagona.home.errors import HomeStateError
from yagona.home.schemas import HomeAccountState
from yagona.identity import service as identity
from yagona.identity.schemas import VerificationLevel
from yagona.kernel.errors import YagonaError
from yagona.kernel.money import Money
from yagona.platform import i18n
from yagona.platform.auth import StaffPrincipal, staff_member
from yagona.platform.pages.core import N_, page_language, page_router, pages_of
from yagona.platform.uow import UnitOfWork
from yagona.privacy import service as privacy

router = page_router(prefix="/staff")
Contract = Annotated[str, Path(pattern=r"^1\d{7}$")]
Reason = Annotated[str, Form(max_length=privacy.REASON_MAX_LENGTH)]
QUEUE = 100  # the oldest this many requests

# Who may do what (docs/staff.md): both moves change a contract, so a supervisor's.
ROLE = {"activate": "supervisor", "close": "supervisor"}
DONE = {
    "activate": N_("The request is activated: its first period is charged when the balance covers it."),
    "close": N_("The request is closed."),
}
# A refusal as a member of staff reads it (the domain's own message speaks to the customer).
REFUSALS = {
    "identity_not_verified": N_("The customer has not passed the OneID check yet: the request waits for it."),
    "home_state": N_("This request is no longer waiting: it was activated or closed."),
}


@dataclass(frozen=True)
class QueueRow:
    """One line of the queue."""

    contract: str
    customer_id: str
    customer: str
    address: str
    plan: str
    next_fee: Money
    requested_at: datetime
    verified: bool


@router.get("/home-requests")
def requests(request: Request, uow: Uow) -> Response:
    """The pending requests, oldest first."""
    member = staff_member(request, uow)
    return _queue(request, uow, member, done=None, error=None)


@router.post("/home-requests/{contract}/{action}")
def move(
    request: Request,
    uow: Uow,
    contract: Contract,
    action: Annotated[str, Path(pattern="^(activate|close)$")],
    reason: Reason = "",
) -> Response:
    """Activate a request whose customer is verified, or close it: a supervisor, with a reason."""
    member = staff_member(request, uow, role=ROLE[action])
    account = home.state(uow, contract=contract)  # an unknown contract: the 404 page
    try:
        checked = privacy.checked_reason(reason)  # refused before anything changes
        if account.state != "pending_identity":  # this page moves requests, not running contracts
            raise HomeStateError(f"contract {contract} is {account.state}, not a request", state=account.state)
        if action == "activate":
            home.activate(uow, contract=contract)
        else:
            home.close(uow, contract=contract)
    except YagonaError as error:  # the queue again, saying why; nothing is written
        uow.rollback()
        return _queue(request, uow, member, done=None, error=_refusal(request, error), status_code=error.http_status)
    what = f"home.{action}"
    privacy.record_access(
        uow, staff_id=member.staff_id, customer_id=account.customer_id, action=what, subject=contract, reason=checked
    )
    uow.commit()
    return _queue(request, uow, member, done=DONE[action], error=None)


@router.get("/home-requests/{rest:path}")
def back_to_queue(rest: str) -> Response:
    """An action's address fetched again (a reload): back to the queue."""
    return RedirectResponse("/staff/home-requests", status_code=303)


def _refusal(request: Request, error: YagonaError) -> str:
    language = page_language(request)
    if error.code in REFUSALS:
        return pages_of(request).gettext(language, REFUSALS[error.code])
    return i18n.localize(error, language)


def _queue(
    request: Request,
    uow: UnitOfWork,
    member: StaffPrincipal,
    *,
    done: str | None,
    error: str | None,
    status_code: int = 200,
) -> Response:
    language = page_language(request)
    rows = [_row(uow, account, language) for account in home.pending_requests(uow, limit=QUEUE)]
    return page(
        request,
        "home_requests.html",
        member,
        status_code=status_code,
        rows=rows,
        done=pages_of(request).gettext(language, done) if done else None,
        error=error,
    )


def _row(uow: UnitOfWork, account: HomeAccountState, language: str) -> QueueRow:
    holder = identity.get_customer(uow, customer_id=account.customer_id)
    return QueueRow(
        contract=account.contract,
        customer_id=holder.id,
        customer=holder.name,
        address=account.address,
        plan=catalogue.get_home_plan(account.plan).name.get(language),
        next_fee=Money(account.next_fee_tiyin),
        requested_at=account.requested_at,
        verified=holder.verification_level == VerificationLevel.VERIFIED,
    )
