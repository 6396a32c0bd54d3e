"""The customer's own data (seed 003, 4, 5, 18, 19; issue 16 part 3): `/account/data` in the
portal and `/api/v1/me/personal-data…` in the API. Everything held about the signed-in
customer, section by section, as every domain's `PersonalDataProvider` describes it; the
corrections they may make themselves (name, e-mail; the phone with a code to the new number
on the security page, the language on the profile page); the export as a zip (JSON + a CSV per
section); erasure on request (refused under a legal hold).

It lives in the composition root because it spans identity (corrections) and privacy (the
providers' registry). The session names the customer: no customer id is taken from the
address, so nobody reaches another's data here."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response

from yagona.identity import service as identity
from yagona.kernel.errors import InsufficientScopeError, InvalidRequestError, YagonaError
from yagona.platform import i18n
from yagona.platform.api import ApiModel, ApiRead
from yagona.platform.auth import Principal, require_customer, session_customer
from yagona.platform.pages.core import N_, flash, page_language, page_router, pages_of, render, render_refusal
from yagona.platform.uow import UnitOfWork
from yagona.platform.web import unit_of_work
from yagona.privacy import service as privacy

PAGE = "/account/data"
router = APIRouter(prefix="/api/v1/me/personal-data", tags=["my personal data"])
pages = page_router(prefix=PAGE)
Uow = Annotated[UnitOfWork, Depends(unit_of_work)]


def _own_session(principal: Annotated[Principal, Depends(require_customer())]) -> Principal:
    """The customer's own session: no application's bearer token reads, exports or erases all
    their personal data (403 `insufficient_scope`)."""
    if principal.via != "session":
        raise InsufficientScopeError("your personal data open with your own session only", scope="session")
    return principal


Customer = Annotated[Principal, Depends(_own_session)]
DENIED: dict[int | str, dict[str, Any]] = {
    401: {"description": "no live One ID session"},
    403: {"description": "`insufficient_scope`: a bearer token (personal data need the customer's own session)"},
}
ZIP: dict[int | str, dict[str, Any]] = {
    200: {"content": {"application/zip": {}}, "description": "a zip: data.json and a CSV per section"}
}
ROWS_SHOWN = 50  # a section's newest rows on the page; the export holds them all

# What the page calls the providers' sections (msgids); an unnamed one shows its key.
SECTIONS: dict[str, str] = {
    "identity.profile": N_("Profile"),
    "identity.phones": N_("Phone numbers"),
    "identity.devices": N_("Devices"),
    "identity.sessions": N_("Sign-in sessions"),
    "identity.security_events": N_("Security events"),
    "identity.linked_services": N_("Linked services"),
    "identity.consents": N_("Documents accepted and consents"),
    "identity.app_consents": N_("Applications you allowed"),
    "identity.codes_sent": N_("Codes sent"),
    "identity.attempts": N_("Sign-in attempts"),
    "lines.lines": N_("Mobile lines"),
    "lines.usage": N_("Calls, messages and data"),
    "lines.bundles": N_("Bundles"),
    "lines.promos": N_("Promotions"),
    "wallet.wallets": N_("Wallets"),
    "wallet.operations": N_("Wallet operations"),
    "home.accounts": N_("Home internet"),
    "payments.transactions": N_("Payments"),
    "loyalty.member": N_("Bonus programme"),
    "loyalty.entries": N_("Bonus points history"),
    "crm.interactions": N_("Your history with us"),
    "crm.requests": N_("Your requests"),
    "notify.messages": N_("Messages sent to you"),
    "notify.push_subscriptions": N_("Devices receiving notifications"),
    "reminders.sent": N_("Reminders"),
    "privacy.staff_accesses": N_("Staff who viewed your data"),
    "privacy.legal_holds": N_("Legal holds"),
    "privacy.erasures": N_("Erasures"),
    "telegram.chats": N_("Telegram"),
    "ussd.sessions": N_("USSD sessions"),
}


class PersonalDataSection(ApiRead):
    key: str
    rows: list[dict[str, object]]


class PersonalData(ApiRead):
    """Everything held about the customer, section by section (`domain.section`)."""

    customer_id: str
    sections: list[PersonalDataSection]


class ErasureRequest(ApiModel):
    confirm: bool  # true: the customer understands their sign-in ends and the data go


class ErasureDone(ApiRead):
    erasure_id: str
    rows: dict[str, int]


def _zip(uow: UnitOfWork, customer_id: str) -> Response:
    sections = privacy.export(uow, customer_id=customer_id)
    body = privacy.archive(sections, customer_id=customer_id, generated_at=uow.clock.now())
    day = uow.clock.now().date().isoformat()
    disposition = f'attachment; filename="yagona-my-data-{day}.zip"'
    return Response(body, media_type="application/zip", headers={"Content-Disposition": disposition})


@router.get("", responses=DENIED)
def my_personal_data(principal: Customer, uow: Uow) -> PersonalData:
    """Everything held about the signed-in customer, as the portal's `/account/data` shows it."""
    sections = privacy.describe(uow, customer_id=principal.customer_id)
    return PersonalData(
        customer_id=principal.customer_id,
        sections=[PersonalDataSection(key=s.key, rows=s.rows) for s in sections],
    )


@router.get(
    "/export",
    response_class=Response,
    responses={**ZIP, **DENIED},
)
def export_my_personal_data(principal: Customer, uow: Uow) -> Response:
    """The machine-readable archive of everything held: `data.json` and a CSV per section."""
    return _zip(uow, principal.customer_id)


@router.post(
    "/erasure",
    responses={
        **DENIED,
        409: {"description": "`legal_hold`: the law requires the data kept"},
        422: {"description": "`confirm` is not true"},
    },
)
def erase_my_personal_data(principal: Customer, uow: Uow, body: ErasureRequest) -> ErasureDone:
    """Erase the customer's personal data (pseudonyms in their place; money records kept as
    the law requires). The sessions end: the customer is signed out everywhere."""
    if not body.confirm:
        raise InvalidRequestError("Confirm the erasure.", field="confirm")
    done = privacy.erase(
        uow, customer_id=principal.customer_id, requested_by="customer", asked_by=principal.customer_id
    )
    uow.commit()
    return ErasureDone(erasure_id=done.id, rows=done.rows)


# --- the page ---------------------------------------------------------------------------


def _signed_out() -> Response:
    return RedirectResponse(f"/login?next={PAGE}", status_code=303)


@pages.get("")
def data_page(request: Request, uow: Uow) -> Response:
    """Everything held about the signed-in customer; signed out: the sign-in page."""
    principal = session_customer(request, uow)
    if principal is None:
        return _signed_out()
    customer = identity.get_customer(uow, customer_id=principal.customer_id)
    sections = privacy.describe(uow, customer_id=principal.customer_id)
    return render(
        request,
        "account/data.html",
        customer=customer,
        sections=[(s.key, SECTIONS.get(s.key), s.rows[-ROWS_SHOWN:], len(s.rows)) for s in sections],
        holds=bool(privacy.holds(uow, customer_id=principal.customer_id)),
    )


@pages.get("/export")
def data_export(request: Request, uow: Uow) -> Response:
    principal = session_customer(request, uow)
    return _signed_out() if principal is None else _zip(uow, principal.customer_id)


@pages.post("/profile")
def correct(
    request: Request,
    uow: Uow,
    name: Annotated[str, Form(max_length=300)],
    email: Annotated[str, Form(max_length=300)] = "",
) -> Response:
    """Correct the name and the e-mail (seed 003, 19)."""
    principal = session_customer(request, uow)
    if principal is None:
        return _signed_out()
    language = page_language(request)
    try:
        identity.correct_profile(uow, customer_id=principal.customer_id, name=name, email=email or None)
        uow.commit()
    except YagonaError as error:
        return render_refusal(request, error.http_status, N_("Nothing was changed"), i18n.localize(error, language))
    response = RedirectResponse(PAGE, status_code=303)
    text = pages_of(request).gettext(language, N_("Your data have been corrected."))
    flash(request, response, text, level="success")
    return response


@pages.post("/erase")
def erase(request: Request, uow: Uow, confirm: Annotated[str, Form(max_length=3)] = "") -> Response:
    """Erase on request: the customer ticks the box; under a legal hold, refused."""
    principal = session_customer(request, uow)
    if principal is None:
        return _signed_out()
    language = page_language(request)
    if confirm != "yes":
        text = pages_of(request).gettext(language, N_("Tick the box to confirm the erasure."))
        return render_refusal(request, 422, N_("Nothing was erased"), text)
    try:
        privacy.erase(uow, customer_id=principal.customer_id, requested_by="customer", asked_by=principal.customer_id)
        uow.commit()
    except YagonaError as error:
        return render_refusal(request, error.http_status, N_("Nothing was erased"), i18n.localize(error, language))
    response = RedirectResponse("/", status_code=303)
    text = N_("Your personal data have been erased. The records the law requires are kept under a pseudonym.")
    flash(request, response, pages_of(request).gettext(language, text), level="success")
    return response
