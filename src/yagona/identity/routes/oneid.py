"""The national OneID round trip: anyone may start it (signed in: to verify the profile;
signed out: to sign in a customer linked to that person). The callback is accepted only in
the browser that started it (the `state` is bound to an HttpOnly cookie of that browser)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response

from yagona.identity import service
from yagona.identity.oneid import OneIdClient
from yagona.identity.routes.common import PUBLIC, Ctx, Uow, device, optional_session, set_session_cookie
from yagona.identity.schemas import CustomerRead, SignedIn
from yagona.identity.service import IdentityContext
from yagona.kernel.errors import YagonaError
from yagona.platform.api import ApiRead
from yagona.platform.uow import UnitOfWork

router = APIRouter(tags=["identity"])

ONEID_COOKIE = "yagona_oneid"
ONEID_COOKIE_PATH = "/api/v1/auth/oneid"
ONEID_PAGE = "/login/oneid/done"  # the cabinet's page after the round trip (identity's web room)


class OneIdLinked(ApiRead):
    """The customer after the national OneID round trip; `signed_in` when it also signed them in."""

    customer: CustomerRead
    signed_in: bool


@router.get("/auth/oneid/start", status_code=302, response_class=RedirectResponse, openapi_extra=PUBLIC)
def oneid_start(request: Request, uow: Uow, ctx: Ctx) -> RedirectResponse:
    """Anyone: to the national OneID. Sets a short-lived browser-binding cookie."""
    session = optional_session(request, uow, ctx)
    started = service.begin_oneid(uow, ctx=ctx, customer_id=session.customer_id if session else None)
    uow.commit()
    response = RedirectResponse(OneIdClient(ctx.settings).authorize_url(started.state), status_code=302)
    response.set_cookie(
        ONEID_COOKIE,
        started.browser_key,
        max_age=service.ONEID_STATE_TTL_S,
        httponly=True,
        secure=ctx.secure_cookies,
        samesite="lax",  # sent on OneID's top-level redirect back, not on cross-site subrequests
        path=ONEID_COOKIE_PATH,
    )
    return response


@router.get(
    "/auth/oneid/callback",
    responses={400: {"description": "`oneid_state_invalid`: not this browser's round trip"}, 502: {}},
    openapi_extra=PUBLIC,
    response_model=OneIdLinked,
)
def oneid_callback(
    request: Request,
    uow: Uow,
    ctx: Ctx,
    state: Annotated[str, Query(max_length=128)] = "",
    code: Annotated[str, Query(max_length=512)] = "",
) -> Response:
    """The browser that started the round trip, back from OneID. A page load in a browser
    (`Accept: text/html`) goes on to the cabinet's page saying how it went; any other caller
    gets JSON (or a problem)."""
    if "text/html" not in request.headers.get("accept", ""):
        customer, signed = _finish(request, uow, ctx, state, code)
        linked = OneIdLinked(customer=customer, signed_in=signed is not None)
        response: Response = JSONResponse(linked.model_dump(mode="json"))
    else:
        try:
            customer, signed = _finish(request, uow, ctx, state, code)
            outcome = "result=signed_in" if signed is not None else "result=verified"
        except YagonaError as error:
            if error.persist:
                uow.commit()  # a refusal's own record, as the unit of work keeps it for a raised one
            signed, outcome = None, f"error={error.code}"
        response = RedirectResponse(f"{ONEID_PAGE}?{outcome}", status_code=303)
    response.delete_cookie(ONEID_COOKIE, path=ONEID_COOKIE_PATH)
    if signed is not None:
        set_session_cookie(response, ctx, signed)
    return response


def _finish(
    request: Request, uow: UnitOfWork, ctx: IdentityContext, state: str, code: str
) -> tuple[CustomerRead, SignedIn | None]:
    session = optional_session(request, uow, ctx)
    customer_id = service.take_oneid_state(
        uow,
        state=state or None,
        browser_key=request.cookies.get(ONEID_COOKIE),
        signed_in_customer=session.customer_id if session else None,
    )
    oneid = OneIdClient(ctx.settings)
    access_token = oneid.exchange(code)
    profile = oneid.identify(access_token)
    oneid.logout(access_token)
    result = service.apply_oneid_profile(
        uow, ctx=ctx, customer_id=customer_id, profile=profile, device=device(request, None)
    )
    uow.commit()
    return result
