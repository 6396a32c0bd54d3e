"""Staff access with the customer's permission (privacy agreement 4), in the console.

Opening a customer first asks the customer: the member says why, which sections and for how
long; the customer approves in the portal or reads the SMS code to the member, who types it
here. A supervisor may open access in an emergency (fraud, a legal order) with a reason; the
customer sees it afterwards. Disclosures to state bodies are recorded here too (supervisors
and admins, who are the auditors of the console)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Form, Path, Request
from fastapi.responses import RedirectResponse, Response

from yagona.app.staff.common import Uow, page
from yagona.identity import service as identity
from yagona.identity.schemas import CustomerRead
from yagona.identity.service import staff as staff_service
from yagona.kernel.errors import YagonaError
from yagona.platform import i18n
from yagona.platform.auth import StaffPrincipal, staff_member
from yagona.platform.pages.core import N_, page_language, page_router
from yagona.platform.uow import UnitOfWork
from yagona.privacy import service as privacy

router = page_router(prefix="/staff/privacy")
CustomerId = Annotated[str, Path(max_length=36)]
GrantId = Annotated[str, Path(max_length=36)]
Reason = Annotated[str, Form(max_length=privacy.REASON_MAX_LENGTH)]
Sections = Annotated[list[str], Form(max_length=len(privacy.SECTIONS))]
Minutes = Annotated[int, Form(ge=1, le=1440)]
Text = Annotated[str, Form(max_length=2000)]

SECTION_NAMES = {
    "profile": N_("Profile and sessions"),
    "lines": N_("Lines"),
    "wallets": N_("Wallets"),
    "home": N_("Home internet"),
    "points": N_("Bonus points"),
    "timeline": N_("Contacts timeline"),
}
GRANT_STATUSES = {
    "requested": N_("waiting for the customer"),
    "approved": N_("approved"),
    "denied": N_("refused"),
    "revoked": N_("ended by the customer"),
    "expired": N_("expired"),
    "lapsed": N_("not answered"),
}
BASES = {"fraud": N_("Fraud"), "legal_order": N_("Legal order")}
EMERGENCY_ROLE = "supervisor"
AUDITOR_ROLE = "supervisor"


def masked(name: str) -> str:
    """A name as the search list shows it: each word's first letter, the rest hidden."""
    return " ".join(word[:1] + "•" * min(max(len(word) - 1, 1), 6) for word in name.split()) or "—"


def ask_page(
    request: Request,
    uow: UnitOfWork,
    member: StaffPrincipal,
    customer: CustomerRead,
    *,
    status_code: int = 200,
    error: str | None = None,
) -> Response:
    """The customer is closed to this member: ask for access (or, a supervisor, open it)."""
    return page(
        request,
        "access_ask.html",
        member,
        status_code=status_code,
        customer_id=customer.id,
        masked_name=masked(customer.name),
        sections=privacy.SECTIONS,
        section_names=SECTION_NAMES,
        durations=privacy.DURATIONS,
        grants=privacy.staff_grants(uow, staff_id=member.staff_id, customer_id=customer.id, limit=10),
        statuses=GRANT_STATUSES,
        bases=BASES,
        error=error,
    )


def _refused(
    request: Request, uow: UnitOfWork, member: StaffPrincipal, customer_id: str, error: YagonaError
) -> Response:
    customer = identity.get_customer(uow, customer_id=customer_id)
    message = i18n.localize(error, page_language(request))
    return ask_page(request, uow, member, customer, status_code=error.http_status, error=message)


@router.post("/access/{customer_id}")
def request_access(  # noqa: PLR0917 - FastAPI passes the path and the form by name
    request: Request,
    uow: Uow,
    customer_id: CustomerId,
    reason: Reason = "",
    sections: Sections | None = None,
    minutes: Minutes = 60,
    sms: Annotated[str, Form(max_length=3)] = "",
) -> Response:
    """Ask the customer for access (any member of staff): the request waits in the customer's
    portal; with `sms=yes` the customer also gets a code to read to the member."""
    member = staff_member(request, uow)
    customer = identity.get_customer(uow, customer_id=customer_id)
    phone = customer.phones[0] if sms == "yes" and customer.phones else None
    try:
        privacy.request_access(
            uow,
            staff_id=member.staff_id,
            customer_id=customer.id,
            reason=reason,
            sections=sections or [],
            minutes=minutes,
            phone=phone,
            language=customer.language.value,
        )
    except YagonaError as error:  # the attempt is kept (the refusal persists it); nothing else
        uow.commit()
        return _refused(request, uow, member, customer.id, error)
    uow.commit()
    return RedirectResponse(f"/staff/customers/{customer.id}", status_code=303)


@router.post("/grants/{grant_id}/code")
def confirm_code(
    request: Request, uow: Uow, grant_id: GrantId, code: Annotated[str, Form(max_length=12)] = ""
) -> Response:
    """The code the customer read out: their approval by SMS (the member's own request only)."""
    member = staff_member(request, uow)
    mine = {g.id: g for g in privacy.staff_grants(uow, staff_id=member.staff_id, limit=200)}
    try:
        grant = privacy.confirm_code(uow, staff_id=member.staff_id, grant_id=grant_id, code=code)
    except YagonaError as error:
        uow.commit()  # a wrong code counts
        if grant_id not in mine:
            raise
        return _refused(request, uow, member, mine[grant_id].customer_id, error)
    uow.commit()
    return RedirectResponse(f"/staff/customers/{grant.customer_id}", status_code=303)


@router.post("/emergency/{customer_id}")
def emergency(  # noqa: PLR0917 - FastAPI passes the path and the form by name
    request: Request,
    uow: Uow,
    customer_id: CustomerId,
    reason: Reason = "",
    basis: Annotated[str, Form(max_length=20)] = "",
    sections: Sections | None = None,
    minutes: Minutes = 60,
) -> Response:
    """Emergency access (fraud, a legal order): a supervisor or an admin, with a reason; the
    customer sees it on their privacy page afterwards."""
    member = staff_member(request, uow, role=EMERGENCY_ROLE)
    customer = identity.get_customer(uow, customer_id=customer_id)
    try:
        privacy.emergency_access(
            uow,
            supervisor_id=member.staff_id,
            customer_id=customer.id,
            basis=basis,
            reason=reason,
            sections=sections or privacy.SECTIONS,
            minutes=minutes,
        )
    except YagonaError as error:
        uow.commit()
        return _refused(request, uow, member, customer.id, error)
    uow.commit()
    return RedirectResponse(f"/staff/customers/{customer.id}", status_code=303)


@router.get("/disclosures")
def disclosures(request: Request, uow: Uow) -> Response:
    """Every disclosure to a state body (supervisors and admins: the console's auditors)."""
    member = staff_member(request, uow, role=AUDITOR_ROLE)
    return _disclosures_page(request, uow, member)


def _disclosures_page(
    request: Request,
    uow: UnitOfWork,
    member: StaffPrincipal,
    *,
    error: str | None = None,
    done: bool = False,
    status_code: int = 200,
) -> Response:
    return page(
        request,
        "disclosures.html",
        member,
        status_code=status_code,
        disclosures=privacy.all_disclosures(uow),
        names=staff_service.staff_names(uow),
        error=error,
        done=done,
    )


@router.post("/disclosures")
def record_disclosure(  # noqa: PLR0917 - FastAPI passes the form by name
    request: Request,
    uow: Uow,
    customer_id: Annotated[str, Form(max_length=36)] = "",
    body: Annotated[str, Form(max_length=200)] = "",
    legal_basis: Annotated[str, Form(max_length=300)] = "",
    reference: Annotated[str, Form(max_length=120)] = "",
    given: Text = "",
    secret: Annotated[str, Form(max_length=3)] = "",
) -> Response:
    """Record a disclosure (supervisors and admins)."""
    member = staff_member(request, uow, role=AUDITOR_ROLE)
    try:
        identity.get_customer(uow, customer_id=customer_id)
        privacy.record_disclosure(
            uow,
            customer_id=customer_id,
            body=body,
            legal_basis=legal_basis,
            reference=reference,
            given=given,
            staff_id=member.staff_id,
            secret=secret in {"yes"},  # the law forbids telling the customer
        )
    except YagonaError as error:
        uow.rollback()
        message = i18n.localize(error, page_language(request))
        return _disclosures_page(request, uow, member, error=message, status_code=error.http_status)
    uow.commit()
    return _disclosures_page(request, uow, member, done=True)
