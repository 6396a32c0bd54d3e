"""The national OneID round trip: anyone may start it (signed in: to verify the profile;
signed out: to sign in a customer linked to that person). The callback is accepted only in
the browser that started it (the `state` is bound to an HttpOnly cookie of that browser)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse, RedirectResponse

from yagona.identity import service
from yagona.identity.oneid import OneIdClient
from yagona.identity.routes.common import PUBLIC, Ctx, Uow, device, optional_session, set_session_cookie

router = APIRouter(tags=["identity"])

ONEID_COOKIE = "yagona_oneid"
ONEID_COOKIE_PATH = "/api/v1/auth/oneid"


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
)
def oneid_callback(
    request: Request,
    uow: Uow,
    ctx: Ctx,
    state: Annotated[str, Query(max_length=128)] = "",
    code: Annotated[str, Query(max_length=512)] = "",
) -> JSONResponse:
    """The browser that started the round trip, back from OneID."""
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
    customer, signed = service.apply_oneid_profile(
        uow, ctx=ctx, customer_id=customer_id, profile=profile, device=device(request, None)
    )
    uow.commit()
    response = JSONResponse({"customer": customer.model_dump(mode="json"), "signed_in": signed is not None})
    response.delete_cookie(ONEID_COOKIE, path=ONEID_COOKIE_PATH)
    if signed is not None:
        set_session_cookie(response, ctx, signed)
    return response
