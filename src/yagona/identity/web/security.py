"""The security page (`/account/security`): sessions and devices, the authenticator app
(TOTP) with a QR code, the password; and "report unauthorised access". Each form calls
the same `service` as `/api/v1/me/...` and holds no rule; a refusal is this page again,
with the refusal in the customer's language, nothing written."""

from __future__ import annotations

from typing import Annotated, Any

import segno
from fastapi import Form, Path, Request
from fastapi.responses import RedirectResponse, Response
from starlette.exceptions import HTTPException

from yagona.identity import service
from yagona.identity.errors import ReauthenticationRequiredError
from yagona.identity.schemas import SessionRead
from yagona.identity.web.common import Ctx, Uow, current_session, keeping_security_records, refusal, to_login
from yagona.kernel.errors import InvalidRequestError, YagonaError
from yagona.platform.pages.core import N_, flash, page_language, page_router, pages_of, render
from yagona.platform.uow import UnitOfWork

router = page_router()

Code = Annotated[str, Form(max_length=10)]
Secret = Annotated[str, Form(max_length=256)]
SetupToken = Annotated[str, Form(max_length=2_000)]
PAGE = "/account/security"
QR_SCALE = 4  # px per module: a phone's camera reads it at 360 px wide


def _done(request: Request, target: str, message: str) -> Response:
    """After a change: back to `target`, saying what was done (a msgid)."""
    response = RedirectResponse(target, status_code=303)
    flash(request, response, pages_of(request).gettext(page_language(request), message), level="success")
    return response


def qr_code(uri: str) -> tuple[str, int]:
    """The authenticator's `otpauth://` address as a QR code: an SVG data URI for an <img>
    (the strict CSP allows `data:` images; no inline style or script), and its side in px."""
    code = segno.make(uri, error="m")
    data_uri: str = code.svg_data_uri(scale=QR_SCALE, border=4, dark="#000", light="#fff")
    side, _ = code.symbol_size(scale=QR_SCALE, border=4)
    return data_uri, int(side)


def _page(
    request: Request,
    uow: UnitOfWork,
    ctx: service.IdentityContext,
    session: SessionRead,
    *,
    status_code: int = 200,
    errors: dict[str, str] | None = None,
    setup: dict[str, str] | None = None,
) -> Response:
    customer = service.get_customer(uow, customer_id=session.customer_id)
    sessions = service.list_sessions(uow, customer_id=session.customer_id, current_session_id=session.id)
    context: dict[str, Any] = {"customer": customer, "sessions": sessions, "errors": errors or {}, "setup": setup}
    context["password_min"] = ctx.settings.password_min_length
    return render(request, "identity/security.html", status_code=status_code, **context)


def _totp_refused(
    request: Request, uow: UnitOfWork, ctx: service.IdentityContext, session: SessionRead, error: YagonaError
) -> Response:
    errors = {"totp": refusal(request, error)}
    if isinstance(error, ReauthenticationRequiredError):
        errors["reauthenticate"] = "yes"  # the page offers to sign in again and come back
    return _page(request, uow, ctx, session, status_code=error.http_status, errors=errors)


@router.get(PAGE)
def security_page(request: Request, uow: Uow, ctx: Ctx) -> Response:
    """The signed-in customer's sessions, authenticator and password."""
    session = current_session(request, uow, ctx)
    return to_login(request) if session is None else _page(request, uow, ctx, session)


@router.post(PAGE + "/sessions/others/end")
def end_other_sessions(request: Request, uow: Uow, ctx: Ctx) -> Response:
    """Sign out every other device of the customer."""
    session = current_session(request, uow, ctx)
    if session is None:
        return to_login(request)
    service.revoke_other_sessions(uow, customer_id=session.customer_id, keep_session_id=session.id)
    uow.commit()
    return _done(request, PAGE, N_("Every other session has ended."))


@router.post(PAGE + "/sessions/{session_id}/end")
def end_session(request: Request, uow: Uow, ctx: Ctx, session_id: Annotated[str, Path(max_length=36)]) -> Response:
    """End one of the customer's own sessions; another customer's is the same 404 as none."""
    session = current_session(request, uow, ctx)
    if session is None:
        return to_login(request)
    try:
        service.revoke_session(uow, customer_id=session.customer_id, session_id=session_id)
    except InvalidRequestError as error:
        raise HTTPException(404) from error
    uow.commit()
    if session_id != session.id:
        return _done(request, PAGE, N_("The session has ended."))
    response = _done(request, "/login", N_("You have signed out."))
    response.delete_cookie(ctx.settings.cookie_name, path="/")
    return response


@router.post(PAGE + "/totp")
def begin_totp(request: Request, uow: Uow, ctx: Ctx, code: Code = "") -> Response:
    """A new authenticator: its QR code and secret, not in force until its first code."""
    session = current_session(request, uow, ctx)
    if session is None:
        return to_login(request)
    try:
        with keeping_security_records(uow):
            setup = service.begin_totp(uow, ctx=ctx, session=session, current_code=code.strip() or None)
    except YagonaError as error:
        return _totp_refused(request, uow, ctx, session, error)
    uow.commit()
    secret = setup.secret.get_secret_value()
    qr, side = qr_code(setup.provisioning_uri.get_secret_value())
    shown = {
        "qr": qr,
        "qr_side": str(side),
        # In groups of four, as authenticator apps show it, for typing by hand.
        "secret": " ".join(secret[i : i + 4] for i in range(0, len(secret), 4)),
        "token": setup.setup_token.get_secret_value(),
    }
    return _page(request, uow, ctx, session, setup=shown)


@router.post(PAGE + "/totp/confirm")
def confirm_totp(request: Request, uow: Uow, ctx: Ctx, code: Code, setup_token: SetupToken) -> Response:
    """The new authenticator's first code puts it in force."""
    session = current_session(request, uow, ctx)
    if session is None:
        return to_login(request)
    try:
        with keeping_security_records(uow):
            service.confirm_totp(uow, ctx=ctx, session=session, code=code.strip(), setup_token=setup_token)
    except YagonaError as error:
        # The QR code was shown once; the confirmation form stays for another code.
        again = {"qr": "", "secret": "", "token": setup_token}
        errors = {"totp": refusal(request, error)}
        return _page(request, uow, ctx, session, status_code=error.http_status, errors=errors, setup=again)
    uow.commit()
    return _done(request, PAGE, N_("The authenticator app is on: sign-in will ask for its code."))


@router.post(PAGE + "/totp/remove")
def remove_totp(request: Request, uow: Uow, ctx: Ctx, code: Code) -> Response:
    """Switch the authenticator off, with a current code of it."""
    session = current_session(request, uow, ctx)
    if session is None:
        return to_login(request)
    try:
        with keeping_security_records(uow):
            service.remove_totp(uow, ctx=ctx, session=session, code=code.strip())
    except YagonaError as error:
        return _totp_refused(request, uow, ctx, session, error)
    uow.commit()
    return _done(request, PAGE, N_("The authenticator app is off."))


@router.post(PAGE + "/password")
def change_password(
    request: Request, uow: Uow, ctx: Ctx, new_password: Secret, current_password: Secret = ""
) -> Response:
    """A new password, with the current one; the other sessions end."""
    session = current_session(request, uow, ctx)
    if session is None:
        return to_login(request)
    try:
        with keeping_security_records(uow):
            service.change_password(
                uow,
                ctx=ctx,
                session=session,
                current_password=current_password or None,
                new_password=new_password,
            )
    except YagonaError as error:
        errors = {"password": refusal(request, error)}
        return _page(request, uow, ctx, session, status_code=error.http_status, errors=errors)
    uow.commit()
    return _done(request, PAGE, N_("The password has been changed. Your other sessions have ended."))


@router.get("/account/report")
def report_page(request: Request, uow: Uow, ctx: Ctx) -> Response:
    """ "Report unauthorised access": what it does, and the button."""
    session = current_session(request, uow, ctx)
    return to_login(request) if session is None else render(request, "identity/report.html")


@router.post("/account/report")
def report(request: Request, uow: Uow, ctx: Ctx) -> Response:
    """Every session and app token of the customer ends at once; the owner gets an SMS."""
    session = current_session(request, uow, ctx)
    if session is None:
        return to_login(request)
    service.report_unauthorised_access(uow, ctx=ctx, customer_id=session.customer_id)
    uow.commit()
    response = RedirectResponse("/account/report/done", status_code=303)
    response.delete_cookie(ctx.settings.cookie_name, path="/")
    return response


@router.get("/account/report/done")
def reported(request: Request) -> Response:
    """What happened and what to do next (the visitor is signed out by now)."""
    return render(request, "identity/reported.html")
