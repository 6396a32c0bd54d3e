"""HTTP of One ID: the sign-in API under /api/v1/auth, the cabinet's /api/v1/me, the
OpenID Connect provider (/.well-known, /authorize, /oauth/*), the national OneID round
trip, and (dev and test only) the OneID simulator. Thin: read, call the service, map.

`RecordedRefusalError`s (wrong code, wrong password, limits) commit their attempt counters
and audit rows before the refusal is answered; every other refusal writes nothing.
"""

from __future__ import annotations

import html
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from typing import Annotated, Any
from urllib.parse import quote, urlsplit

from authlib.oauth2 import OAuth2Error
from authlib.oidc.core.errors import LoginRequiredError
from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from pydantic import BaseModel, ConfigDict, Field

from yagona.identity import oidc, service
from yagona.identity.errors import RecordedRefusalError, UnauthenticatedError
from yagona.identity.oneid import OneIdClient, OneIdSimulator
from yagona.identity.schemas import (
    AuditEventRead,
    CustomerCreate,
    CustomerRead,
    DeviceInfo,
    Language,
    LinkedServiceRead,
    OtpPurpose,
    OtpSent,
    SessionRead,
    SignedIn,
)
from yagona.platform.uow import UnitOfWork
from yagona.platform.web import unit_of_work

Uow = Annotated[UnitOfWork, Depends(unit_of_work)]

auth_router = APIRouter(prefix="/api/v1", tags=["identity"])
oidc_router = APIRouter(tags=["oidc"])
simulator_router = APIRouter(prefix="/oneid-simulator", tags=["oneid-simulator"], include_in_schema=False)


def context(request: Request) -> service.IdentityContext:
    ctx: service.IdentityContext = request.app.state.identity
    return ctx


Ctx = Annotated[service.IdentityContext, Depends(context)]


@contextmanager
def keeping_security_records(uow: UnitOfWork) -> Iterator[None]:
    try:
        yield
    except RecordedRefusalError:
        uow.commit()
        raise


def _device(request: Request, device_id: str | None) -> DeviceInfo:
    return DeviceInfo(
        device_id=device_id,
        user_agent=(request.headers.get("user-agent") or "")[:400] or None,
        ip=request.client.host if request.client else None,
    )


def _session_token(request: Request, ctx: service.IdentityContext) -> str | None:
    return request.cookies.get(ctx.settings.cookie_name)


def current_session(request: Request, uow: Uow, ctx: Ctx) -> SessionRead:
    return service.authenticate(uow, token=_session_token(request, ctx))


Signed = Annotated[SessionRead, Depends(current_session)]


def _optional_session(request: Request, uow: UnitOfWork, ctx: service.IdentityContext) -> SessionRead | None:
    try:
        return service.authenticate(uow, token=_session_token(request, ctx))
    except UnauthenticatedError:
        return None


# --- sign-in API -------------------------------------------------------------------------


class Body(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class OtpRequest(Body):
    phone: str = Field(max_length=32)
    purpose: OtpPurpose = OtpPurpose.LOGIN


class OtpVerify(Body):
    phone: str = Field(max_length=32)
    code: str = Field(max_length=16)
    request_id: str | None = Field(default=None, max_length=36)
    totp: str | None = Field(default=None, max_length=10)
    device_id: str | None = Field(default=None, max_length=128)
    # Sign-up, when no customer holds the phone yet.
    name: str | None = Field(default=None, max_length=200)
    accept_documents: bool = False
    marketing_opt_in: bool = False
    language: Language = Language.UZ
    birth_date: date | None = None
    email: str | None = Field(default=None, max_length=254)


class PasswordLogin(Body):
    phone: str = Field(max_length=32)
    password: str = Field(max_length=256)
    totp: str | None = Field(default=None, max_length=10)
    device_id: str | None = Field(default=None, max_length=128)


class SignedInView(BaseModel):
    session: SessionRead
    customer: CustomerRead
    new_device: bool


def _signed_in(uow: UnitOfWork, ctx: service.IdentityContext, signed: SignedIn) -> JSONResponse:
    customer = service.get_customer(uow, customer_id=signed.session.customer_id)
    uow.commit()
    view = SignedInView(session=signed.session, customer=customer, new_device=signed.new_device)
    response = JSONResponse(view.model_dump(mode="json"))
    _set_cookie(response, ctx, signed)
    return response


def _set_cookie(response: Response, ctx: service.IdentityContext, signed: SignedIn) -> None:
    response.set_cookie(
        ctx.settings.cookie_name,
        signed.token.get_secret_value(),
        max_age=ctx.settings.session_ttl_s,
        httponly=True,
        secure=ctx.secure_cookies,
        samesite="lax",
        path="/",
    )


@auth_router.post("/auth/otp", status_code=202)
def request_otp(body: OtpRequest, request: Request, uow: Uow, ctx: Ctx) -> OtpSent:
    """Send a one-time code by SMS. The answer is the same whether the phone is registered or not."""
    with keeping_security_records(uow):
        sent = service.request_otp(
            uow,
            ctx=ctx,
            phone=body.phone,
            purpose=body.purpose,
            client_ip=request.client.host if request.client else None,
        )
    uow.commit()
    return sent


@auth_router.post("/auth/otp/verify", response_model=SignedInView)
def verify_otp(body: OtpVerify, request: Request, uow: Uow, ctx: Ctx) -> JSONResponse:
    """Sign in with the code (and sign up, with `name` and `accept_documents`); sets the session cookie."""
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
            device=_device(request, body.device_id),
            signup=signup,
        )
    return _signed_in(uow, ctx, signed)


@auth_router.post("/auth/password", response_model=SignedInView)
def password_login(body: PasswordLogin, request: Request, uow: Uow, ctx: Ctx) -> JSONResponse:
    """Sign in with phone and password; sets the session cookie."""
    with keeping_security_records(uow):
        signed = service.login_with_password(
            uow,
            ctx=ctx,
            phone=body.phone,
            password=body.password,
            totp=body.totp,
            device=_device(request, body.device_id),
        )
    return _signed_in(uow, ctx, signed)


@auth_router.post("/auth/logout", status_code=204)
def logout(session: Signed, uow: Uow, ctx: Ctx) -> Response:
    service.revoke_session(uow, customer_id=session.customer_id, session_id=session.id)
    uow.commit()
    response = Response(status_code=204)
    response.delete_cookie(ctx.settings.cookie_name, path="/")
    return response


# --- the cabinet -------------------------------------------------------------------------


class PasswordChange(Body):
    current_password: str | None = Field(default=None, max_length=256)
    new_password: str = Field(max_length=256)


class PhoneChange(Body):
    phone: str = Field(max_length=32)
    code: str = Field(max_length=16)
    request_id: str | None = Field(default=None, max_length=36)


class CodeBody(Body):
    code: str = Field(max_length=16)


class MarketingBody(Body):
    opt_in: bool


class TotpSetupView(BaseModel):
    secret: str
    provisioning_uri: str


@auth_router.get("/me")
def me(session: Signed, uow: Uow) -> CustomerRead:
    return service.get_customer(uow, customer_id=session.customer_id)


@auth_router.get("/me/sessions")
def my_sessions(session: Signed, uow: Uow) -> list[SessionRead]:
    return service.list_sessions(uow, customer_id=session.customer_id, current_session_id=session.id)


@auth_router.delete("/me/sessions/{session_id}", status_code=204)
def end_session(session_id: str, session: Signed, uow: Uow) -> Response:
    service.revoke_session(uow, customer_id=session.customer_id, session_id=session_id)
    uow.commit()
    return Response(status_code=204)


@auth_router.post("/me/report-unauthorised-access")
def report_unauthorised_access(session: Signed, uow: Uow, ctx: Ctx) -> dict[str, int]:
    """Revoke every session and token at once; the event is recorded."""
    result = service.report_unauthorised_access(uow, ctx=ctx, customer_id=session.customer_id)
    uow.commit()
    return result


@auth_router.post("/me/password", status_code=204)
def change_password(body: PasswordChange, session: Signed, uow: Uow, ctx: Ctx) -> Response:
    with keeping_security_records(uow):
        service.change_password(
            uow, ctx=ctx, session=session, current_password=body.current_password, new_password=body.new_password
        )
    uow.commit()
    return Response(status_code=204)


@auth_router.post("/me/phone")
def change_phone(body: PhoneChange, session: Signed, uow: Uow, ctx: Ctx) -> CustomerRead:
    with keeping_security_records(uow):
        customer = service.change_phone(
            uow, ctx=ctx, session=session, new_phone=body.phone, code=body.code, request_id=body.request_id
        )
    uow.commit()
    return customer


@auth_router.post("/me/totp")
def begin_totp(session: Signed, uow: Uow, ctx: Ctx) -> TotpSetupView:
    setup = service.begin_totp(uow, ctx=ctx, session=session)
    uow.commit()
    return TotpSetupView(
        secret=setup.secret.get_secret_value(), provisioning_uri=setup.provisioning_uri.get_secret_value()
    )


@auth_router.post("/me/totp/confirm", status_code=204)
def confirm_totp(body: CodeBody, session: Signed, uow: Uow, ctx: Ctx) -> Response:
    with keeping_security_records(uow):
        service.confirm_totp(uow, ctx=ctx, session=session, code=body.code)
    uow.commit()
    return Response(status_code=204)


@auth_router.post("/me/lines", status_code=201)
def link_line(body: PhoneChange, session: Signed, uow: Uow, ctx: Ctx) -> LinkedServiceRead:
    """Link a mobile line after the code sent to it (ask one with purpose `link_line`)."""
    with keeping_security_records(uow):
        linked = service.link_line(
            uow, ctx=ctx, customer_id=session.customer_id, phone=body.phone, code=body.code, request_id=body.request_id
        )
    uow.commit()
    return linked


@auth_router.post("/me/marketing")
def marketing(body: MarketingBody, session: Signed, uow: Uow) -> CustomerRead:
    customer = service.set_marketing_opt_in(uow, customer_id=session.customer_id, opt_in=body.opt_in)
    uow.commit()
    return customer


@auth_router.get("/me/audit")
def my_audit(session: Signed, uow: Uow) -> list[AuditEventRead]:
    return service.audit_trail(uow, customer_id=session.customer_id)


# --- national OneID ----------------------------------------------------------------------


@auth_router.get("/auth/oneid/start")
def oneid_start(request: Request, uow: Uow, ctx: Ctx) -> RedirectResponse:
    """To the national OneID: verifies the signed-in customer, or signs in a linked one."""
    session = _optional_session(request, uow, ctx)
    state = service.begin_oneid(uow, ctx=ctx, customer_id=session.customer_id if session else None)
    uow.commit()
    return RedirectResponse(OneIdClient(ctx.settings).authorize_url(state), status_code=302)


@auth_router.get("/auth/oneid/callback")
def oneid_callback(request: Request, uow: Uow, ctx: Ctx, state: str = "", code: str = "") -> JSONResponse:
    customer_id = service.take_oneid_state(uow, state=state[:128] or None)
    oneid = OneIdClient(ctx.settings)
    access_token = oneid.exchange(code[:512])
    profile = oneid.identify(access_token)
    oneid.logout(access_token)
    customer, signed = service.apply_oneid_profile(
        uow, ctx=ctx, customer_id=customer_id, profile=profile, device=_device(request, None)
    )
    uow.commit()
    response = JSONResponse({"customer": customer.model_dump(mode="json"), "signed_in": signed is not None})
    if signed is not None:
        _set_cookie(response, ctx, signed)
    return response


def _simulator(request: Request) -> OneIdSimulator:
    ctx = context(request)
    if ctx.env not in ("dev", "test") or not ctx.settings.oneid_simulator:
        raise UnauthenticatedError("the OneID simulator runs only in dev and test")
    simulator: OneIdSimulator | None = ctx.cache.get("oneid_simulator")
    if simulator is None:
        simulator = OneIdSimulator(ctx.settings.oneid_client_id, ctx.settings.oneid_client_secret.get_secret_value())
        ctx.cache["oneid_simulator"] = simulator
    return simulator


async def _form(request: Request) -> dict[str, str]:
    if request.method != "POST":
        return {}
    form = await request.form()
    return {k: v for k, v in form.multi_items() if isinstance(v, str)}


Form = Annotated[dict[str, str], Depends(_form)]


@simulator_router.get("/sso/oauth/Authorization.do")
def simulator_authorize(request: Request) -> Response:
    status, body = _simulator(request).authorize(dict(request.query_params))
    if status == 302:
        return RedirectResponse(body["location"], status_code=302)
    return JSONResponse(body, status_code=status)


@simulator_router.post("/sso/oauth/Authorization.do")
def simulator_token(request: Request, form: Form) -> JSONResponse:
    status, body = _simulator(request).token({**dict(request.query_params), **form})
    return JSONResponse(body, status_code=status)


# --- the OpenID Connect provider ---------------------------------------------------------


async def raw_request(request: Request) -> oidc.RawRequest:
    form: list[tuple[str, str]] = []
    if request.method == "POST" and request.headers.get("content-type", "").startswith(
        "application/x-www-form-urlencoded"
    ):
        data = await request.form()
        form = [(k, v) for k, v in data.multi_items() if isinstance(v, str)]
    ctx = context(request)
    # The issuer, not the socket: behind a TLS proxy the request arrives as http.
    url = f"{ctx.settings.issuer.rstrip('/')}{request.url.path}"
    if request.url.query:
        url = f"{url}?{request.url.query}"
    return oidc.RawRequest(
        method=request.method,
        url=url,
        headers=request.headers,
        query=list(request.query_params.multi_items()),
        form=form,
    )


Raw = Annotated[oidc.RawRequest, Depends(raw_request)]


def _reply(reply: oidc.Reply | None) -> Response:
    if reply is None:
        return HTMLResponse("<p>You are signed out.</p>")
    headers = {k: v for k, v in reply.headers if k.lower() != "content-type"}
    if reply.status == 302:
        return Response(status_code=302, headers=headers)
    if isinstance(reply.body, dict):
        return JSONResponse(reply.body, status_code=reply.status, headers=headers)
    return Response(str(reply.body or ""), status_code=reply.status, headers=headers)


def _error(provider: oidc.Provider, request: Any, error: OAuth2Error) -> Response:
    reply: oidc.Reply = provider.handle_error_response(request, error)
    return _reply(reply)


@oidc_router.get("/.well-known/openid-configuration")
def openid_configuration(ctx: Ctx) -> dict[str, Any]:
    return oidc.discovery(ctx.settings.issuer.rstrip("/"))


@oidc_router.get("/.well-known/jwks.json")
def jwks(uow: Uow, ctx: Ctx) -> dict[str, Any]:
    keys = oidc.Provider(uow, ctx).jwks()
    uow.commit()  # the first request after a fresh install creates the first key
    return keys


def _end_user(session: SessionRead) -> oidc.EndUser:
    return oidc.EndUser(session.customer_id, session.id, session.authenticated_at, session.methods)


@oidc_router.get("/authorize")
def authorize(request: Request, raw: Raw, uow: Uow, ctx: Ctx) -> Response:
    """The authorisation endpoint: code flow, PKCE S256 required. Sign-in first when there is
    no session; a consent page for third-party clients; none for first-party ones."""
    session = _optional_session(request, uow, ctx)
    provider = oidc.Provider(uow, ctx, session)
    try:
        grant = provider.get_consent_grant(raw, end_user=_end_user(session) if session else None)
    except OAuth2Error as error:
        return _error(provider, raw, error)
    prompt = dict(raw.query).get("prompt", "")
    if session is None:
        if "none" in prompt.split():
            return _error(provider, grant.request, LoginRequiredError(redirect_uri=grant.request.payload.redirect_uri))
        target = f"{request.url.path}?{request.url.query}"
        return RedirectResponse(f"/login?next={quote(target, safe='')}", status_code=302)
    client: oidc.Client = grant.request.client
    if provider.needs_consent(client, session.customer_id, grant.request.scope):
        return HTMLResponse(_consent_page(client, grant.request.scope, raw, ctx, session))
    reply = provider.create_authorization_response(grant.request, grant_user=_end_user(session), grant=grant)
    uow.commit()
    return _reply(reply)


@oidc_router.post("/authorize")
def authorize_consent(request: Request, raw: Raw, uow: Uow, ctx: Ctx) -> Response:
    """The consent page's answer (third-party clients)."""
    session = service.authenticate(uow, token=_session_token(request, ctx))
    form = dict(raw.form)
    if not ctx.pepper.matches(form.get("csrf", ""), "consent", session.id):
        raise UnauthenticatedError("the consent form is stale; start again")
    provider = oidc.Provider(uow, ctx, session)
    try:
        grant = provider.get_consent_grant(raw, end_user=_end_user(session))
    except OAuth2Error as error:
        return _error(provider, raw, error)
    approved = form.get("decision") == "approve"
    if approved:
        provider.record_consent(grant.request.client, session.customer_id, grant.request.scope)
    user = _end_user(session) if approved else None
    reply = provider.create_authorization_response(grant.request, grant_user=user, grant=grant)
    uow.commit()
    return _reply(reply)


def _consent_page(
    client: oidc.Client, scope: str, raw: oidc.RawRequest, ctx: service.IdentityContext, session: SessionRead
) -> str:
    fields = "".join(f'<input type="hidden" name="{html.escape(k)}" value="{html.escape(v)}">' for k, v in raw.query)
    csrf = ctx.pepper.digest("consent", session.id)
    scopes = "".join(f"<li>{html.escape(s)}</li>" for s in scope.split())
    return (
        "<!doctype html><html lang='uz'><meta charset='utf-8'><title>One ID</title>"
        f"<h1>{html.escape(client.row.name)}</h1><p>Ruxsat so'raydi / requests access:</p><ul>{scopes}</ul>"
        f"<form method='post' action='/authorize'>{fields}<input type='hidden' name='csrf' value='{csrf}'>"
        "<button name='decision' value='approve'>Ruxsat berish / Allow</button>"
        "<button name='decision' value='deny'>Rad etish / Deny</button></form></html>"
    )


@oidc_router.get("/login", include_in_schema=False)
def login_page(next: str = "/") -> HTMLResponse:
    target = html.escape(_safe_next(next))
    return HTMLResponse(
        "<!doctype html><html lang='uz'><meta charset='utf-8'><title>One ID</title><h1>One ID</h1>"
        f"<form method='post' action='/login'><input type='hidden' name='next' value='{target}'>"
        "<input name='phone' placeholder='998901234567' autocomplete='username'>"
        "<input name='password' type='password' autocomplete='current-password'>"
        "<button>Kirish / Sign in</button></form></html>"
    )


@oidc_router.post("/login", include_in_schema=False)
def login_form(request: Request, form: Form, uow: Uow, ctx: Ctx) -> Response:
    with keeping_security_records(uow):
        signed = service.login_with_password(
            uow,
            ctx=ctx,
            phone=form.get("phone", "")[:32],
            password=form.get("password", "")[:256],
            totp=form.get("totp") or None,
            device=_device(request, None),
        )
    uow.commit()
    response = RedirectResponse(_safe_next(form.get("next", "/")), status_code=303)
    _set_cookie(response, ctx, signed)
    return response


def _safe_next(target: str) -> str:
    # Only back into this site's authorisation endpoint: no open redirect.
    parts = urlsplit(target)
    return target if not parts.scheme and not parts.netloc and parts.path == "/authorize" else "/"


@oidc_router.post("/oauth/token")
def token(raw: Raw, uow: Uow, ctx: Ctx) -> Response:
    provider = oidc.Provider(uow, ctx)
    reply: oidc.Reply = provider.create_token_response(raw)
    if reply.status == 200 or provider.must_commit:
        uow.commit()
    return _reply(reply)


@oidc_router.post("/oauth/revoke")
def revoke(raw: Raw, uow: Uow, ctx: Ctx) -> Response:
    provider = oidc.Provider(uow, ctx)
    reply = provider.create_endpoint_response("revocation", raw)
    if reply is not None and reply.status == 200:
        uow.commit()
    return _reply(reply)


@oidc_router.post("/oauth/introspect")
def introspect(raw: Raw, uow: Uow, ctx: Ctx) -> Response:
    return _reply(oidc.Provider(uow, ctx).create_endpoint_response("introspection", raw))


@oidc_router.get("/oauth/userinfo", operation_id="oidc_userinfo_get")
@oidc_router.post("/oauth/userinfo", operation_id="oidc_userinfo_post")
def userinfo(request: Request, uow: Uow, ctx: Ctx) -> JSONResponse:
    provider = oidc.Provider(uow, ctx)
    row = provider.bearer(request.headers.get("authorization"))
    if row is None or row.customer_id is None:
        return JSONResponse(
            {"error": "invalid_token", "error_description": "the access token is missing, expired or revoked"},
            status_code=401,
            headers={"WWW-Authenticate": 'Bearer error="invalid_token"'},
        )
    return JSONResponse(provider.claims(row.customer_id, row.scope))


@oidc_router.get("/oauth/logout", operation_id="oidc_logout_get")
@oidc_router.post("/oauth/logout", operation_id="oidc_logout_post")
def rp_logout(request: Request, raw: Raw, uow: Uow, ctx: Ctx) -> Response:
    """RP-initiated logout: ends the session (and its tokens), then back to the RP when the
    `post_logout_redirect_uri` is registered and the ID token hint is ours."""
    session = _optional_session(request, uow, ctx)
    provider = oidc.Provider(uow, ctx, session)
    try:
        validated = provider.validate_endpoint_request("end_session", raw)
    except OAuth2Error as error:
        return _error(provider, raw, error)
    reply = provider.create_endpoint_response("end_session", validated)
    uow.commit()
    response = _reply(reply)
    response.delete_cookie(ctx.settings.cookie_name, path="/")
    return response
