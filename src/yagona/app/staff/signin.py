"""Signing in to the console (login, password and the authenticator's code, all three) and out."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Form, Request
from fastapi.responses import RedirectResponse, Response

from yagona.app.staff.common import Uow, page
from yagona.identity import service as identity
from yagona.identity.errors import RecordedRefusalError
from yagona.identity.service import staff as staff_service
from yagona.kernel.errors import YagonaError
from yagona.platform import i18n
from yagona.platform.auth import STAFF_COOKIE
from yagona.platform.pages.core import page_language, page_router

router = page_router(prefix="/staff")
Field = Annotated[str, Form(max_length=256)]


def _ctx(request: Request) -> identity.IdentityContext:
    ctx: identity.IdentityContext = request.app.state.identity
    return ctx


@router.get("/login")
def login_page(request: Request, uow: Uow) -> Response:
    """The console's sign-in page (a member already signed in goes to the search)."""
    token = request.cookies.get(STAFF_COOKIE)
    if token and staff_service.resolve_staff(uow, token=token) is not None:
        return RedirectResponse("/staff", status_code=303)
    return page(request, "login.html", None, login="", error=None)


@router.post("/login")
def login(  # noqa: PLR0917 - FastAPI passes a form's fields by name
    request: Request,
    uow: Uow,
    ctx: Annotated[identity.IdentityContext, Depends(_ctx)],
    login: Annotated[str, Form(max_length=64)],
    password: Field,
    totp: Annotated[str, Form(max_length=10)],
) -> Response:
    try:
        signed = staff_service.staff_sign_in(
            uow, ctx=ctx, login=login, password=password, totp=totp,
            client_ip=request.client.host if request.client else None,
        )  # fmt: skip
    except YagonaError as error:
        if isinstance(error, RecordedRefusalError):
            uow.commit()  # the attempt and its audit row stay
        message = i18n.localize(error, page_language(request))
        return page(request, "login.html", None, status_code=error.http_status, login=login, error=message)
    uow.commit()
    response = RedirectResponse("/staff", status_code=303)
    response.set_cookie(
        STAFF_COOKIE,
        signed.token,
        max_age=signed.max_age_s,
        httponly=True,
        secure=ctx.secure_cookies,
        samesite="strict",
        path="/staff",
    )
    return response


@router.post("/logout")
def logout(request: Request, uow: Uow) -> Response:
    """Sign out: the console session ends."""
    token = request.cookies.get(STAFF_COOKIE)
    if token:
        staff_service.staff_sign_out(uow, token=token)
        uow.commit()
    response = RedirectResponse("/staff/login", status_code=303)
    response.delete_cookie(STAFF_COOKIE, path="/staff")
    return response
