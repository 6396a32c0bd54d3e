"""`POST /api/v1/ussd`: the operator's USSD gateway, in the aggregator convention (Africa's
Talking and the aggregators that copy it): a form with `sessionId`, `serviceCode`,
`phoneNumber` and `text` (every input since the dial, joined by `*`); the answer is
`text/plain`, `CON …` to continue or `END …` to finish. Only a gateway added with
`yagona ussd gateway add NAME` may call it (HTTP Basic `NAME:KEY`); anyone else gets 401 and
nothing is read or written for them."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request, Security
from fastapi.responses import PlainTextResponse
from fastapi.security import HTTPBasic, HTTPBasicCredentials

from yagona.app.ussd import engine, gateways
from yagona.kernel.errors import UnauthenticatedError
from yagona.platform.uow import UnitOfWork
from yagona.platform.web import unit_of_work

router = APIRouter(prefix="/api/v1/ussd", tags=["ussd"])
# Declared for the OpenAPI document (HTTP Basic); the check is `gateways.authenticate`.
_basic = HTTPBasic(auto_error=False, description="a USSD gateway: `NAME:KEY` from `yagona ussd gateway add NAME`")
Uow = Annotated[UnitOfWork, Depends(unit_of_work)]


class UnknownGatewayError(UnauthenticatedError):
    """Not a gateway of ours, or a wrong or disabled key."""


def calling_gateway(
    request: Request, uow: Uow, _credentials: Annotated[HTTPBasicCredentials | None, Security(_basic)] = None
) -> str:
    """The gateway that calls, or 401 — before the form is looked at."""
    gateway = gateways.authenticate(uow, request.headers.get("authorization"))
    if gateway is None:
        raise UnknownGatewayError("a USSD gateway's HTTP Basic credentials are required")
    return gateway


@router.post(
    "",
    summary="A page of a USSD session (aggregator convention: CON / END)",
    response_class=PlainTextResponse,
    responses={
        200: {
            "description": "`CON <page>` (the session goes on) or `END <page>` (it is over)",
            "content": {"text/plain": {"schema": {"type": "string", "examples": ["CON Yagona *111#\n1 Balans"]}}},
        }
    },
)
def ussd_page(
    *,
    request: Request,
    uow: Uow,
    gateway: Annotated[str, Depends(calling_gateway)],
    session_id: Annotated[str, Form(alias="sessionId", min_length=1, max_length=64)],
    service_code: Annotated[str, Form(alias="serviceCode", min_length=2, max_length=20)],
    phone_number: Annotated[str, Form(alias="phoneNumber", min_length=1, max_length=32)],
    text: Annotated[str, Form(max_length=400)] = "",
) -> PlainTextResponse:
    """The page the phone shows next. Inputs and PINs are never logged or kept."""
    reply = engine.respond(
        uow,
        gateway=gateway,
        session_ref=session_id,
        service_code=service_code,
        phone=phone_number,
        text=text,
        timeout_s=request.app.state.container.settings.ussd.session_timeout_s,
    )
    uow.commit()
    return PlainTextResponse(reply.wire())
