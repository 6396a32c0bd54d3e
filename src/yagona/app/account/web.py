"""The customer's privacy page (`/account/privacy`) and the documents' re-acceptance page.

On `/account/privacy` the signed-in customer (the session decides whose; no id in the
address) sees and changes their consents per purpose, sees which document versions they
accepted when, approves or refuses a member of staff's request to see their cabinet (and
ends an access early), and sees every staff access (the access log, emergencies included)
and the disclosures to state bodies the law lets them know of.

A published document version that needs acceptance blocks the cabinet: every cabinet page
sends the customer to `/account/privacy/accept` until they accept (`install`). It spans
identity (staff names, the marketing flag) and privacy, so it lives in the composition root."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import quote

from fastapi import Depends, FastAPI, Form, Path, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import RedirectResponse, Response
from starlette.types import ASGIApp, Receive, Scope, Send

from yagona.app.staff.access import GRANT_STATUSES, SECTION_NAMES
from yagona.identity import service as identity
from yagona.identity.service import staff as staff_service
from yagona.kernel.errors import YagonaError
from yagona.platform import i18n
from yagona.platform.auth import SESSION_COOKIE, Principal, session_customer
from yagona.platform.pages.core import N_, flash, page_language, page_router, pages_of, render, render_refusal
from yagona.platform.uow import UnitOfWork
from yagona.platform.web import unit_of_work
from yagona.privacy import service as privacy

PAGE = "/account/privacy"
ACCEPT = PAGE + "/accept"
router = page_router(prefix=PAGE)
Uow = Annotated[UnitOfWork, Depends(unit_of_work)]
GrantId = Annotated[str, Path(max_length=36)]

BASES = {
    "contract": N_("the contract"),
    "law": N_("the law"),
    "consent": N_("your consent"),
    "legitimate_interest": N_("our legitimate interest"),
}
DOCUMENTS = {"offer": N_("Public offer"), "privacy": N_("Privacy agreement"), "programme": N_("Bonus programme rules")}
EMERGENCIES = {"fraud": N_("Emergency: fraud"), "legal_order": N_("Emergency: legal order")}
# Where the customer said yes (an emergency access shows its own words instead).
APPROVED_VIA = {"portal": N_("in the portal"), "sms": N_("by SMS code"), "telegram": N_("in Telegram")}
ACTIONS = {"view": N_("Opened your cabinet")}
# Cabinet pages that stay open while a document waits for acceptance: the sign-in and
# sign-out, this page itself, the public pages, the machines' paths, the staff console.
OPEN_PREFIXES = (
    "/login", "/logout", "/signup", PAGE, "/plans", "/static", "/staff", "/api/", "/tmf-api/", "/oauth/",
    "/.well-known/", "/oneid", "/authorize", "/manifest.webmanifest", "/sw.js", "/offline", "/health",
    "/ready", "/metrics", "/telegram", "/ussd", "/pay/",
)  # fmt: skip


def _signed_in(request: Request, uow: UnitOfWork) -> Principal | None:
    return session_customer(request, uow)


def _to_login(path: str) -> Response:
    return RedirectResponse("/login?next=" + quote(path, safe="/"), status_code=303)


def _done(request: Request, message: str) -> Response:
    response = RedirectResponse(PAGE, status_code=303)
    flash(request, response, pages_of(request).gettext(page_language(request), message), level="success")
    return response


@router.get("")
def privacy_page(request: Request, uow: Uow) -> Response:
    """The customer's consents, documents, staff accesses and disclosures."""
    principal = _signed_in(request, uow)
    if principal is None:
        return _to_login(PAGE)
    customer_id = principal.customer_id
    language = page_language(request)
    consents = {c.purpose: c for c in privacy.consents_of(uow, customer_id=customer_id)}
    return render(
        request,
        "account/privacy.html",
        purposes=[(p, consents.get(p.id)) for p in privacy.purposes().values()],
        language=language,
        bases=BASES,
        documents=DOCUMENTS,
        history=privacy.consent_history(uow, customer_id=customer_id, limit=20),
        purpose_names={p.id: p.name[language] for p in privacy.purposes().values()},
        acceptances=privacy.acceptances_of(uow, customer_id=customer_id),
        grants=privacy.grants_of(uow, customer_id=customer_id),
        statuses=GRANT_STATUSES,
        section_names=SECTION_NAMES,
        emergencies=EMERGENCIES,
        approved_via=APPROVED_VIA,
        records=privacy.access_log(uow, customer_id=customer_id, limit=50),
        actions=ACTIONS,
        names=staff_service.staff_names(uow),
        disclosures=privacy.disclosures_of(uow, customer_id=customer_id, for_customer=True),
        now=uow.clock.now(),
    )


@router.post("/consents")
def consent(
    request: Request,
    uow: Uow,
    purpose: Annotated[str, Form(max_length=40)] = "",
    given: Annotated[str, Form(max_length=3)] = "no",
) -> Response:
    """Give or withdraw a consent (marketing keeps identity's opt-in flag in step)."""
    principal = _signed_in(request, uow)
    if principal is None:
        return _to_login(PAGE)
    try:
        if purpose == privacy.MARKETING:
            identity.set_marketing_opt_in(uow, customer_id=principal.customer_id, opt_in=given == "yes")
        else:
            privacy.set_consent(
                uow, customer_id=principal.customer_id, purpose=purpose, given=given == "yes", channel="portal"
            )
    except YagonaError as error:  # an unknown purpose: the attempt is kept, nothing else
        if error.persist:
            uow.commit()
        return _refusal(request, uow, error)
    uow.commit()
    return _done(request, N_("Your consent is recorded.") if given == "yes" else N_("Your consent is withdrawn."))


def _grant_action(request: Request, uow: UnitOfWork, grant_id: str, action: str) -> Response:
    principal = _signed_in(request, uow)
    if principal is None:
        return _to_login(PAGE)
    decide = {"approve": privacy.approve, "deny": privacy.deny, "revoke": privacy.revoke}[action]
    try:
        decide(uow, customer_id=principal.customer_id, grant_id=grant_id)
    except YagonaError as error:
        return _refusal(request, uow, error)
    uow.commit()
    messages = {
        "approve": N_("Access is granted for the time shown."),
        "deny": N_("The request is refused."),
        "revoke": N_("The access has ended."),
    }
    return _done(request, messages[action])


@router.post("/grants/{grant_id}/approve")
def approve(request: Request, uow: Uow, grant_id: GrantId) -> Response:
    """The customer lets the member of staff see the sections asked, for the time asked."""
    return _grant_action(request, uow, grant_id, "approve")


@router.post("/grants/{grant_id}/deny")
def deny(request: Request, uow: Uow, grant_id: GrantId) -> Response:
    """The customer refuses the request."""
    return _grant_action(request, uow, grant_id, "deny")


@router.post("/grants/{grant_id}/revoke")
def revoke(request: Request, uow: Uow, grant_id: GrantId) -> Response:
    """The customer ends an access before its time."""
    return _grant_action(request, uow, grant_id, "revoke")


@router.get("/accept")
def accept_page(request: Request, uow: Uow, next: str = "/") -> Response:
    """The new versions the customer must accept before the cabinet opens again."""
    principal = _signed_in(request, uow)
    if principal is None:
        return _to_login(ACCEPT)
    pending = privacy.documents_to_accept(uow, customer_id=principal.customer_id)
    if not pending:
        return RedirectResponse(_safe(next), status_code=303)
    return render(request, "account/accept.html", pending=pending, documents=DOCUMENTS, next=_safe(next))


@router.post("/accept")
def accept(request: Request, uow: Uow, next: Annotated[str, Form(max_length=2048)] = "/") -> Response:
    """Accept the versions in force; each acceptance is kept with its version and time."""
    principal = _signed_in(request, uow)
    if principal is None:
        return _to_login(ACCEPT)
    identity.accept_documents(uow, customer_id=principal.customer_id)  # identity's record and privacy's
    uow.commit()
    response = RedirectResponse(_safe(next), status_code=303)
    flash(
        request,
        response,
        pages_of(request).gettext(page_language(request), N_("Thank you: accepted.")),
        level="success",
    )
    return response


def _refusal(request: Request, uow: UnitOfWork, error: YagonaError) -> Response:
    uow.rollback()
    detail = i18n.localize(error, page_language(request))
    return render_refusal(request, error.http_status, N_("This was not done"), detail)


def _safe(target: str) -> str:
    """A page of this site only (no scheme, no host): no open redirect."""
    ok = target.startswith("/") and not target.startswith("//") and "\\" not in target
    return target if ok and all(c.isprintable() and not c.isspace() for c in target) else "/"


def install(app: FastAPI) -> None:
    """Mount the pages and the gate: a signed-in customer with a document version to accept
    is sent to the acceptance page from any cabinet page (GET, HTML)."""
    app.include_router(router)
    app.add_middleware(DocumentsGate)


class DocumentsGate:
    """A plain ASGI middleware (not Starlette's BaseHTTPMiddleware, which turns a client that
    goes away mid-request into an error): a gated request is answered with the redirect,
    anything else passes through untouched."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        # Only a GET can be gated: anything else passes before a Request is even built.
        if scope["type"] == "http" and scope["method"] == "GET":
            request = Request(scope)
            path = request.url.path
            gated = (
                request.method == "GET"
                and "text/html" in request.headers.get("accept", "")
                and SESSION_COOKIE in request.cookies
                and not path.startswith(OPEN_PREFIXES)
            )
            if gated and await run_in_threadpool(_must_accept, request):
                here = path + ("?" + request.url.query if request.url.query else "")
                response = RedirectResponse(ACCEPT + "?next=" + quote(here, safe="/"), status_code=303)
                response.headers["Cache-Control"] = "no-store"
                await response(scope, receive, send)
                return
        await self.app(scope, receive, send)


def _must_accept(request: Request) -> bool:
    factory = request.app.state.uow_factory
    with factory() as uow:
        if not any(d.needs_acceptance for d in privacy.current_documents(uow)):
            return False  # the usual case: nothing waits for anyone, the session is not even read
        principal = session_customer(request, uow)
        pending = principal is not None and bool(privacy.documents_to_accept(uow, customer_id=principal.customer_id))
        uow.commit()  # the session's last use, as any page records it
    return pending
