"""The profile page (`/account/profile`): personal data, the accepted documents (and the
newer versions to accept), the marketing opt-in, the language. Each form calls `service`
and holds no rule."""

from __future__ import annotations

from typing import Annotated

from fastapi import Form, Request
from fastapi.responses import RedirectResponse, Response

from yagona.identity import service
from yagona.identity.schemas import Language
from yagona.identity.web.common import Ctx, Uow, current_session, to_login
from yagona.kernel.phone import display_msisdn
from yagona.platform.pages.core import N_, flash, page_router, pages_of, remember_language, render

router = page_router()

PAGE = "/account/profile"
DOCUMENTS = {"offer": N_("Public offer"), "privacy": N_("Privacy agreement"), "marketing": N_("Marketing messages")}


def _done(request: Request, language: str, message: str) -> Response:
    response = RedirectResponse(PAGE, status_code=303)
    flash(request, response, pages_of(request).gettext(language, message), level="success")
    return response


@router.get(PAGE)
def profile_page(request: Request, uow: Uow, ctx: Ctx) -> Response:
    """The signed-in customer's personal data, documents, consent and language."""
    session = current_session(request, uow, ctx)
    if session is None:
        return to_login(request)
    customer = service.get_customer(uow, customer_id=session.customer_id)
    return render(
        request,
        "identity/profile.html",
        customer=customer,
        phones=[display_msisdn(phone) for phone in customer.phones],
        documents=DOCUMENTS,
        consents=[c for c in customer.consents if c.document in DOCUMENTS and c.document != "marketing"],
        to_accept=service.documents_to_accept(customer),
    )


@router.post(PAGE + "/documents")
def accept_documents(request: Request, uow: Uow, ctx: Ctx) -> Response:
    """Accept the versions of the documents in force."""
    session = current_session(request, uow, ctx)
    if session is None:
        return to_login(request)
    customer = service.accept_documents(uow, customer_id=session.customer_id)
    uow.commit()
    return _done(request, customer.language.value, N_("You have accepted the documents in force."))


@router.post(PAGE + "/marketing")
def marketing(request: Request, uow: Uow, ctx: Ctx, opt_in: Annotated[str, Form(max_length=3)] = "no") -> Response:
    """The marketing opt-in, recorded as a consent (or its withdrawal)."""
    session = current_session(request, uow, ctx)
    if session is None:
        return to_login(request)
    customer = service.set_marketing_opt_in(uow, customer_id=session.customer_id, opt_in=opt_in == "yes")
    uow.commit()
    message = N_("You will get offers and news.") if customer.marketing_opt_in else N_("You will get no offers.")
    return _done(request, customer.language.value, message)


@router.post(PAGE + "/language")
def language(request: Request, uow: Uow, ctx: Ctx, lang: Annotated[Language, Form()]) -> Response:
    """The language of the cabinet on every device, and of the messages sent to the customer."""
    session = current_session(request, uow, ctx)
    if session is None:
        return to_login(request)
    service.set_language(uow, customer_id=session.customer_id, language=lang.value)
    uow.commit()
    response = _done(request, lang.value, N_("The language has been changed."))
    remember_language(response, lang.value, secure=pages_of(request).secure_cookies)
    return response
