"""The cabinet, /api/v1/me: only the holder of a live One ID session (the cookie) may call
it — an OIDC access token never manages credentials."""

from __future__ import annotations

from fastapi import APIRouter, Path
from fastapi.responses import Response
from pydantic import Field

from yagona.identity import service
from yagona.identity.routes.common import REFUSALS, Ctx, Signed, Uow, keeping_security_records
from yagona.identity.schemas import AuditEventRead, CustomerRead, LinkedServiceRead, SessionRead
from yagona.platform.api import ApiModel, ApiRead

router = APIRouter(tags=["identity"])

CHECKED = {
    **REFUSALS,
    429: {"description": "too many attempts (`too_many_attempts`)"},
}


class PasswordChange(ApiModel):
    current_password: str | None = Field(default=None, max_length=256)
    new_password: str = Field(max_length=256)


class CodeToNumber(ApiModel):
    """A phone and the SMS code sent to it (ask one at /auth/otp with the matching purpose)."""

    phone: str = Field(max_length=32, examples=["998901234567"])
    code: str = Field(max_length=16)
    request_id: str | None = Field(default=None, max_length=36)


class TotpBegin(ApiModel):
    # A current code of the enrolled authenticator: required when one is enrolled.
    code: str | None = Field(default=None, max_length=10)


class TotpConfirm(ApiModel):
    code: str = Field(max_length=10)
    setup_token: str = Field(max_length=2_000)


class TotpCode(ApiModel):
    code: str = Field(max_length=10)


class MarketingBody(ApiModel):
    opt_in: bool


class TotpSetupView(ApiRead):
    secret: str
    provisioning_uri: str
    setup_token: str


class Revoked(ApiRead):
    sessions_revoked: int
    tokens_revoked: int


@router.get("/me", responses=REFUSALS)
def me(session: Signed, uow: Uow) -> CustomerRead:
    """The session's customer: the profile, linked services, consents, verification level."""
    return service.get_customer(uow, customer_id=session.customer_id)


@router.get("/me/sessions", responses=REFUSALS)
def my_sessions(session: Signed, uow: Uow) -> list[SessionRead]:
    """The session's customer: their live sessions."""
    return service.list_sessions(uow, customer_id=session.customer_id, current_session_id=session.id)


@router.delete("/me/sessions/{session_id}", status_code=204, responses=REFUSALS)
def end_session(session: Signed, uow: Uow, session_id: str = Path(max_length=36)) -> Response:
    """The session's customer: end one of their own sessions (another customer's is `invalid_request`)."""
    service.revoke_session(uow, customer_id=session.customer_id, session_id=session_id)
    uow.commit()
    return Response(status_code=204)


@router.post("/me/report-unauthorised-access", responses=REFUSALS)
def report_unauthorised_access(session: Signed, uow: Uow, ctx: Ctx) -> Revoked:
    """The session's customer: revoke every session and token at once; the event is recorded."""
    result = service.report_unauthorised_access(uow, ctx=ctx, customer_id=session.customer_id)
    uow.commit()
    return Revoked(**result)


@router.post("/me/password", status_code=204, responses=CHECKED)
def change_password(body: PasswordChange, session: Signed, uow: Uow, ctx: Ctx) -> Response:
    """The session's customer, with the current password: set a new one; other sessions end."""
    with keeping_security_records(uow):
        service.change_password(
            uow, ctx=ctx, session=session, current_password=body.current_password, new_password=body.new_password
        )
    uow.commit()
    return Response(status_code=204)


@router.post("/me/phone", responses=CHECKED)
def change_phone(body: CodeToNumber, session: Signed, uow: Uow, ctx: Ctx) -> CustomerRead:
    """The session's customer, recently signed in, with the code sent to the new number
    (purpose `change_phone`): move the primary phone."""
    with keeping_security_records(uow):
        customer = service.change_phone(
            uow, ctx=ctx, session=session, new_phone=body.phone, code=body.code, request_id=body.request_id
        )
    uow.commit()
    return customer


@router.post("/me/totp", responses=CHECKED)
def begin_totp(session: Signed, uow: Uow, ctx: Ctx, body: TotpBegin | None = None) -> TotpSetupView:
    """The session's customer, recently signed in (and with a current code of the enrolled
    authenticator, if any): a new authenticator secret. Nothing changes until it is confirmed."""
    with keeping_security_records(uow):
        setup = service.begin_totp(uow, ctx=ctx, session=session, current_code=body.code if body else None)
    uow.commit()
    return TotpSetupView(
        secret=setup.secret.get_secret_value(),
        provisioning_uri=setup.provisioning_uri.get_secret_value(),
        setup_token=setup.setup_token.get_secret_value(),
    )


@router.post("/me/totp/confirm", status_code=204, responses=CHECKED)
def confirm_totp(body: TotpConfirm, session: Signed, uow: Uow, ctx: Ctx) -> Response:
    """The session that began the setup, with the new authenticator's first code: put it in force."""
    with keeping_security_records(uow):
        service.confirm_totp(uow, ctx=ctx, session=session, code=body.code, setup_token=body.setup_token)
    uow.commit()
    return Response(status_code=204)


@router.post(
    "/me/totp/remove",
    status_code=204,
    responses={**CHECKED, 409: {"description": "no authenticator is enrolled (`totp_not_enabled`)"}},
)
def remove_totp(body: TotpCode, session: Signed, uow: Uow, ctx: Ctx) -> Response:
    """The session's customer, recently signed in, with a current authenticator code:
    switch the second factor off."""
    with keeping_security_records(uow):
        service.remove_totp(uow, ctx=ctx, session=session, code=body.code)
    uow.commit()
    return Response(status_code=204)


@router.post("/me/lines", status_code=201, responses=CHECKED)
def link_line(body: CodeToNumber, session: Signed, uow: Uow, ctx: Ctx) -> LinkedServiceRead:
    """The session's customer, with the code sent to THAT number (purpose `link_line`):
    link the mobile line to the profile."""
    with keeping_security_records(uow):
        linked = service.link_line(
            uow, ctx=ctx, customer_id=session.customer_id, phone=body.phone, code=body.code, request_id=body.request_id
        )
    uow.commit()
    return linked


@router.post("/me/marketing", responses=REFUSALS)
def marketing(body: MarketingBody, session: Signed, uow: Uow) -> CustomerRead:
    """The session's customer: the marketing opt-in, recorded as a consent."""
    customer = service.set_marketing_opt_in(uow, customer_id=session.customer_id, opt_in=body.opt_in, channel="api")
    uow.commit()
    return customer


@router.get("/me/audit", responses=REFUSALS)
def my_audit(session: Signed, uow: Uow) -> list[AuditEventRead]:
    """The session's customer: their security events, newest first."""
    return service.audit_trail(uow, customer_id=session.customer_id)
