"""Sign in (an SMS code, or a password; the authenticator's code when enrolled; the national
OneID), sign up (a phone with no profile: a name and the documents), sign out."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, Form, Request
from fastapi.responses import RedirectResponse, Response

from yagona.identity import service
from yagona.identity.errors import (
    RecordedRefusalError,
    RegistrationRequiredError,
    TotpRequiredError,
    UnauthenticatedError,
)
from yagona.identity.schemas import CustomerCreate, Language, SignedIn, VerificationLevel
from yagona.identity.web.common import (
    MAX_NEXT,
    Ctx,
    Uow,
    current_session,
    device,
    keeping_security_records,
    refusal,
    safe_next,
)
from yagona.kernel.errors import ForbiddenError, YagonaError
from yagona.platform.pages.core import N_, flash, page_language, page_router, pages_of, render
from yagona.platform.uow import UnitOfWork

router = page_router()

Phone = Annotated[str, Form(max_length=32)]
Next = Annotated[str, Form(max_length=MAX_NEXT)]
Text = Annotated[str, Form(max_length=256)]  # an optional field: empty when not sent


def _same_origin(request: Request) -> None:
    # Login CSRF: another site must not sign this browser in to an account of its choosing.
    # Browsers name where a form came from: `Sec-Fetch-Site` (Chromium sends `Origin: null` on
    # a same-origin form navigation under `Referrer-Policy: same-origin`, so that header alone
    # cannot tell), else `Origin`. Only this origin's own form passes; the page's CSRF token,
    # which `page_router` checks, binds the form to this browser as well.
    site = request.headers.get("sec-fetch-site")
    origin = request.headers.get("origin")
    if site is not None:
        foreign = site not in {"same-origin", "none"}
    else:
        foreign = origin is not None and origin.rstrip("/") != str(request.base_url).rstrip("/")
    if foreign:
        raise ForbiddenError("this sign-in form was posted from another site", field="origin")


def set_session_cookie(ctx: service.IdentityContext, signed: SignedIn, response: Response) -> None:
    response.set_cookie(
        ctx.settings.cookie_name,
        signed.token.get_secret_value(),
        max_age=ctx.settings.session_ttl_s,
        httponly=True,
        secure=ctx.secure_cookies,
        samesite="lax",
        path="/",
    )


def _signed_in(ctx: service.IdentityContext, signed: SignedIn, next: str) -> Response:
    response = RedirectResponse(safe_next(next), status_code=303)
    set_session_cookie(ctx, signed, response)
    return response


@router.get("/login")
def login_page(request: Request, next: str = "/") -> Response:
    """The sign-in page: a phone, then a code by SMS or the password."""
    return render(request, "identity/login.html", next=safe_next(next[:MAX_NEXT]), phone="", error=None)


@router.post("/login/code")
def send_code(request: Request, uow: Uow, ctx: Ctx, phone: Phone, next: Next = "/") -> Response:
    """ "Send me a code": the code form (the same answer whether the phone has a profile or not)."""
    _same_origin(request)
    try:
        with keeping_security_records(uow):
            sent = service.request_otp(uow, ctx=ctx, phone=phone, client_ip=device(request).ip)
    except YagonaError as error:
        return render(
            request,
            "identity/login.html",
            status_code=error.http_status,
            next=safe_next(next),
            phone=phone,
            error=refusal(request, error),
        )
    uow.commit()
    return render(
        request,
        "identity/code.html",
        next=safe_next(next),
        phone=phone,
        request_id=sent.request_id,
        digits=sent.digits,
        minutes=sent.expires_in // 60,
        ask_totp=False,
        error=None,
    )


@dataclass(frozen=True)
class SignInForm:
    phone: str
    code: str
    password: str
    totp: str
    request_id: str
    name: str
    accept_documents: bool
    next: str


def _sign_in_form(  # noqa: PLR0917 - FastAPI passes a form's fields by name
    phone: Phone,
    code: Text = "",
    password: Text = "",
    totp: Text = "",
    request_id: Text = "",
    name: Text = "",
    accept_documents: Text = "",
    next: Next = "/",
) -> SignInForm:
    return SignInForm(
        phone=phone,
        code=code.strip()[:16],
        password=password,
        totp=totp.strip()[:10],
        request_id=request_id[:36],
        name=name.strip()[:200],
        accept_documents=accept_documents == "yes",
        next=safe_next(next),
    )


@router.post("/login")
def login(request: Request, uow: Uow, ctx: Ctx, form: Annotated[SignInForm, Depends(_sign_in_form)]) -> Response:
    """Sign in with the code (signing up when a name and the documents come with it) or the password."""
    _same_origin(request)
    outcome = _with_code(request, uow, ctx, form) if form.code else _with_password(request, uow, ctx, form)
    if not isinstance(outcome, SignedIn):
        return outcome  # the form again, with the refusal said in the visitor's language
    uow.commit()
    return _signed_in(ctx, outcome, form.next)


def _with_code(
    request: Request, uow: UnitOfWork, ctx: service.IdentityContext, form: SignInForm
) -> SignedIn | Response:
    signup = None
    if form.name:
        signup = CustomerCreate(
            phone=form.phone,
            name=form.name,
            language=Language(page_language(request)),
            accept_documents=form.accept_documents,
        )
    again: dict[str, Any] = {"next": form.next, "phone": form.phone, "request_id": form.request_id}
    try:
        with keeping_security_records(uow):
            return service.verify_otp(
                uow,
                ctx=ctx,
                phone=form.phone,
                code=form.code,
                request_id=form.request_id or None,
                totp=form.totp or None,
                device=device(request),
                signup=signup,
            )
    except RegistrationRequiredError:
        # The code is right and still unspent: it signs the new profile up on the next form.
        return render(request, "identity/signup.html", code=form.code, error=None, **again)
    except (RecordedRefusalError, TotpRequiredError) as error:
        needs_totp = isinstance(error, TotpRequiredError)
        return render(
            request,
            "identity/code.html",
            status_code=401 if needs_totp else error.http_status,
            digits=ctx.settings.otp_digits,
            minutes=ctx.settings.otp_ttl_s // 60,
            ask_totp=needs_totp or bool(form.totp),
            code=form.code if needs_totp else "",
            error=refusal(request, error),
            **again,
        )
    except YagonaError as error:
        if signup is None:
            raise
        # The sign-up was refused (the documents not accepted, …): its form again.
        return render(
            request,
            "identity/signup.html",
            status_code=error.http_status,
            code=form.code,
            error=refusal(request, error),
            **again,
        )


def _with_password(
    request: Request, uow: UnitOfWork, ctx: service.IdentityContext, form: SignInForm
) -> SignedIn | Response:
    try:
        with keeping_security_records(uow):
            return service.login_with_password(
                uow, ctx=ctx, phone=form.phone, password=form.password, totp=form.totp or None, device=device(request)
            )
    except (RecordedRefusalError, TotpRequiredError) as error:
        needs_totp = isinstance(error, TotpRequiredError)
        return render(
            request,
            "identity/login.html",
            status_code=401 if needs_totp else error.http_status,
            next=form.next,
            phone=form.phone,
            ask_totp=needs_totp or bool(form.totp),
            error=refusal(request, error),
        )


@router.post("/logout")
def logout(request: Request, uow: Uow, ctx: Ctx) -> Response:
    """Sign out: the session (and its OIDC tokens) ends; back to the sign-in page."""
    try:
        session = service.authenticate(uow, token=request.cookies.get(ctx.settings.cookie_name))
        service.revoke_session(uow, customer_id=session.customer_id, session_id=session.id)
        uow.commit()
    except UnauthenticatedError:
        pass  # already signed out: the same page
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(ctx.settings.cookie_name, path="/")
    text = pages_of(request).gettext(page_language(request), N_("You have signed out."))
    flash(request, response, text, level="success")
    return response


# The national OneID's way back: its callback (`/api/v1/auth/oneid/callback`) sends a browser
# here with how the round trip went. The page says only what is true now: "verified" when the
# signed-in profile is verified, "signed in" when this browser has a session.
ONEID_REFUSALS = {
    "registration_required": N_(
        "No profile is linked to this OneID yet. Sign in with your phone number, then verify your identity "
        "with OneID on your profile page."
    ),
    "phone_taken": N_("This OneID identity is already linked to another profile."),
    "invalid_request": N_("OneID says this identity is not valid."),
}
ONEID_FAILED = N_("The OneID sign-in did not complete. Please start again.")


@router.get("/login/oneid/done")
def oneid_done(request: Request, uow: Uow, ctx: Ctx, result: str = "", error: str = "") -> Response:
    """Anyone: back from OneID, on to the cabinet (or the sign-in page) with a message."""
    session = current_session(request, uow, ctx)
    pages, language = pages_of(request), page_language(request)
    target, level, text = ("/account/profile" if session else "/login"), "error", ONEID_FAILED
    if not error and session is not None:
        customer = service.get_customer(uow, customer_id=session.customer_id)
        if result == "signed_in":
            target, level, text = "/", "success", N_("You have signed in with OneID.")
        elif result == "verified" and customer.verification_level == VerificationLevel.VERIFIED:
            level, text = "success", N_("Your identity has been verified with OneID.")
    elif error:
        text = ONEID_REFUSALS.get(error[:64], ONEID_FAILED)
    response = RedirectResponse(target, status_code=303)
    response.headers["Cache-Control"] = "no-store"
    flash(request, response, pages.gettext(language, text), level=level)
    return response
