"""`POST /api/v1/ussd`: the operator's USSD gateway, in the aggregator convention (Africa's
Talking and the aggregators that copy it): a form with `sessionId`, `serviceCode`,
`phoneNumber` and `text` (every input since the dial, joined by `*`); the answer is
`text/plain`, `CON …` to continue or `END …` to finish. Only a gateway added with
`yagona ussd gateway add NAME` may call it (HTTP Basic `NAME:KEY`); anyone else gets 401 and
nothing is read or written for them."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request, Security
from fastapi.responses import PlainTextResponse
from fastapi.security import HTTPBasic
from starlette.concurrency import run_in_threadpool

from yagona.app.ussd import engine, gateways
from yagona.kernel.errors import UnauthenticatedError

router = APIRouter(prefix="/api/v1/ussd", tags=["ussd"])
# Declared for the OpenAPI document (HTTP Basic); the check is `gateways.authenticate`.
_basic = HTTPBasic(auto_error=False, description="a USSD gateway: `NAME:KEY` from `yagona ussd gateway add NAME`")


class UnknownGatewayError(UnauthenticatedError):
    """Not a gateway of ours, or a wrong or disabled key."""


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
    dependencies=[Security(_basic)],
)
async def ussd_page(
    request: Request,
    session_id: Annotated[str, Form(alias="sessionId", min_length=1, max_length=64)],
    service_code: Annotated[str, Form(alias="serviceCode", min_length=2, max_length=20)],
    phone_number: Annotated[str, Form(alias="phoneNumber", min_length=1, max_length=32)],
    text: Annotated[str, Form(max_length=400)] = "",
) -> PlainTextResponse:
    """The page the phone shows next. Inputs and PINs are never logged or kept."""
    factory = request.app.state.uow_factory
    timeout_s: float = request.app.state.container.settings.ussd.session_timeout_s
    authorization = request.headers.get("authorization")

    def work() -> str:
        with factory() as uow:
            gateway = gateways.authenticate(uow, authorization)
            if gateway is None:
                raise UnknownGatewayError("a USSD gateway's HTTP Basic credentials are required")
            reply = engine.respond(
                uow,
                gateway=gateway,
                session_ref=session_id,
                service_code=service_code,
                phone=phone_number,
                text=text,
                timeout_s=timeout_s,
            )
            uow.commit()
            return reply.wire()

    return PlainTextResponse(await run_in_threadpool(work))
