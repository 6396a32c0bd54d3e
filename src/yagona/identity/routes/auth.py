"""The sign-in API under /api/v1/auth: codes by SMS, sign-in (and sign-up), password,
sign-out. Anyone may call the first three (they are how one gets a session); sign-out
needs the session."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response
from pydantic import BeforeValidator, Field

from yagona.identity import service
from yagona.identity.routes.common import (
    PUBLIC,
    REFUSALS,
    Ctx,
    Signed,
    SignedInView,
    Uow,
    client_ip,
    device,
    keeping_security_records,
    signed_in_response,
)
from yagona.identity.schemas import CustomerCreate, Language, OtpPurpose, OtpSent
from yagona.platform.api import ApiModel, IsoDate, lax_enum

router = APIRouter(tags=["identity"])

Purpose = Annotated[OtpPurpose, BeforeValidator(lax_enum(OtpPurpose))]
Lang = Annotated[Language, BeforeValidator(lax_enum(Language))]


class OtpRequest(ApiModel):
    phone: str = Field(max_length=32, examples=["998901234567"])
    purpose: Purpose = OtpPurpose.LOGIN


class OtpVerify(ApiModel):
    phone: str = Field(max_length=32, examples=["998901234567"])
    code: str = Field(max_length=16)
    request_id: str | None = Field(default=None, max_length=36)
    totp: str | None = Field(default=None, max_length=10)
    device_id: str | None = Field(default=None, max_length=128)
    # Sign-up, when no customer holds the phone yet.
    name: str | None = Field(default=None, max_length=200)
    accept_documents: bool = False
    marketing_opt_in: bool = False
    language: Lang = Language.UZ
    birth_date: IsoDate | None = None
    email: str | None = Field(default=None, max_length=254, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


class PasswordLogin(ApiModel):
    phone: str = Field(max_length=32, examples=["998901234567"])
    password: str = Field(max_length=256)
    totp: str | None = Field(default=None, max_length=10)
    device_id: str | None = Field(default=None, max_length=128)


LIMITED = {**REFUSALS, 429: {"description": "too many codes or attempts (`too_many_codes`, `too_many_attempts`)"}}


@router.post("/auth/otp", status_code=202, responses=LIMITED, openapi_extra=PUBLIC)
def request_otp(body: OtpRequest, request: Request, uow: Uow, ctx: Ctx) -> OtpSent:
    """Anyone: send a one-time code by SMS. The answer is the same whether the phone is
    registered or not. Purposes: `login`, `link_line`, `change_phone`."""
    with keeping_security_records(uow):
        sent = service.request_otp(uow, ctx=ctx, phone=body.phone, purpose=body.purpose, client_ip=client_ip(request))
    uow.commit()
    return sent


@router.post(
    "/auth/otp/verify",
    response_model=SignedInView,
    responses={**LIMITED, 404: {"description": "`registration_required`"}},
    openapi_extra=PUBLIC,
)
def verify_otp(body: OtpVerify, request: Request, uow: Uow, ctx: Ctx) -> JSONResponse:
    """Anyone holding the code: sign in (and sign up, with `name` and `accept_documents`);
    sets the session cookie."""
    signup = None
    if body.name:
        signup = CustomerCreate(
            phone=body.phone,
            name=body.name,
            birth_date=body.birth_date,
            email=body.email,
            language=body.language,
            accept_documents=body.accept_documents,
            marketing_opt_in=body.marketing_opt_in,
        )
    with keeping_security_records(uow):
        signed = service.verify_otp(
            uow,
            ctx=ctx,
            phone=body.phone,
            code=body.code,
            request_id=body.request_id,
            totp=body.totp,
            device=device(request, body.device_id),
            signup=signup,
        )
    return signed_in_response(uow, ctx, signed)


@router.post("/auth/password", response_model=SignedInView, responses=LIMITED, openapi_extra=PUBLIC)
def password_login(body: PasswordLogin, request: Request, uow: Uow, ctx: Ctx) -> JSONResponse:
    """Anyone: sign in with phone and password (and the authenticator's code when enrolled);
    sets the session cookie."""
    with keeping_security_records(uow):
        signed = service.login_with_password(
            uow,
            ctx=ctx,
            phone=body.phone,
            password=body.password,
            totp=body.totp,
            device=device(request, body.device_id),
        )
    return signed_in_response(uow, ctx, signed)


@router.post("/auth/logout", status_code=204, responses=REFUSALS)
def logout(session: Signed, uow: Uow, ctx: Ctx) -> Response:
    """The session's holder: end this session (and its OIDC tokens)."""
    service.revoke_session(uow, customer_id=session.customer_id, session_id=session.id)
    uow.commit()
    response = Response(status_code=204)
    response.delete_cookie(ctx.settings.cookie_name, path="/")
    return response
