"""What every room of identity's HTTP shares: the unit of work, the identity context,
the session cookie (declared as the OpenAPI scheme `session`), the request bodies' base."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated, Any

from fastapi import Depends, Request, Security
from fastapi.responses import JSONResponse, Response
from fastapi.security import APIKeyCookie

from yagona.identity import service
from yagona.identity.errors import RecordedRefusalError, UnauthenticatedError
from yagona.identity.schemas import CustomerRead, DeviceInfo, SessionRead, SignedIn
from yagona.platform.api import ApiRead
from yagona.platform.auth import SESSION_COOKIE
from yagona.platform.uow import UnitOfWork
from yagona.platform.web import unit_of_work

Uow = Annotated[UnitOfWork, Depends(unit_of_work)]

# The same scheme `yagona.platform.auth.require_customer` declares: the One ID session cookie.
session_cookie = APIKeyCookie(
    name=SESSION_COOKIE, scheme_name="session", auto_error=False, description="One ID session"
)

# An operation anyone may call says so (an empty security requirement in the OpenAPI).
PUBLIC: dict[str, Any] = {"security": []}

# Answers of the sign-in API and the cabinet: authentication errors and their statuses.
REFUSALS: dict[int | str, dict[str, Any]] = {
    401: {"description": "no live session (`unauthenticated`) or a wrong credential"},
    422: {"description": "a malformed request"},
}


def context(request: Request) -> service.IdentityContext:
    ctx: service.IdentityContext = request.app.state.identity
    return ctx


Ctx = Annotated[service.IdentityContext, Depends(context)]


@contextmanager
def keeping_security_records(uow: UnitOfWork) -> Iterator[None]:
    """A recorded refusal (wrong code, limits) commits its counters and audit rows."""
    try:
        yield
    except RecordedRefusalError:
        uow.commit()
        raise


def client_ip(request: Request) -> str | None:
    return request.client.host if request.client else None


def device(request: Request, device_id: str | None) -> DeviceInfo:
    return DeviceInfo(
        device_id=device_id,
        user_agent=(request.headers.get("user-agent") or "")[:400] or None,
        ip=client_ip(request),
    )


def session_token(request: Request, ctx: service.IdentityContext) -> str | None:
    return request.cookies.get(ctx.settings.cookie_name)


def current_session(
    request: Request,
    uow: Uow,
    ctx: Ctx,
    _declared: Annotated[str | None, Security(session_cookie)] = None,
) -> SessionRead:
    """The signed-in customer's live session (the cookie only: the cabinet manages
    credentials, which no OIDC access token may do)."""
    return service.authenticate(uow, token=session_token(request, ctx))


Signed = Annotated[SessionRead, Depends(current_session)]


def optional_session(request: Request, uow: UnitOfWork, ctx: service.IdentityContext) -> SessionRead | None:
    try:
        return service.authenticate(uow, token=session_token(request, ctx))
    except UnauthenticatedError:
        return None


def set_session_cookie(response: Response, ctx: service.IdentityContext, signed: SignedIn) -> None:
    response.set_cookie(
        ctx.settings.cookie_name,
        signed.token.get_secret_value(),
        max_age=ctx.settings.session_ttl_s,
        httponly=True,
        secure=ctx.secure_cookies,
        samesite="lax",
        path="/",
    )


class SignedInView(ApiRead):
    session: SessionRead
    customer: CustomerRead
    new_device: bool


def signed_in_response(uow: UnitOfWork, ctx: service.IdentityContext, signed: SignedIn) -> JSONResponse:
    customer = service.get_customer(uow, customer_id=signed.session.customer_id)
    uow.commit()
    view = SignedInView(session=signed.session, customer=customer, new_device=signed.new_device)
    response = JSONResponse(view.model_dump(mode="json"))
    set_session_cookie(response, ctx, signed)
    return response


async def _form(request: Request) -> dict[str, str]:
    if request.method != "POST":
        return {}
    form = await request.form()
    return {k: v for k, v in form.multi_items() if isinstance(v, str)}


Form = Annotated[dict[str, str], Depends(_form)]
