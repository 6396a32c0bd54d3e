"""The OpenID Connect provider's HTTP: discovery, JWKS, /authorize (with its consent page
and the sign-in page), /oauth/token, /oauth/revoke, /oauth/introspect, /oauth/userinfo,
/oauth/logout. These keep their protocols' shapes: form bodies, OAuth JSON errors."""

from __future__ import annotations

import html
from typing import Annotated, Any
from urllib.parse import quote

from authlib.oauth2 import OAuth2Error
from authlib.oauth2.rfc6749.errors import InvalidRequestError as OAuthInvalidRequestError
from authlib.oidc.core.errors import LoginRequiredError
from fastapi import APIRouter, Depends, Request, Security
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from fastapi.security import HTTPBearer

from yagona.identity import oidc, rules, service
from yagona.identity.errors import UnauthenticatedError
from yagona.identity.routes.common import (
    PUBLIC,
    Ctx,
    Uow,
    context,
    optional_session,
    session_cookie,
    session_token,
)
from yagona.identity.schemas import SessionRead

router = APIRouter(tags=["oidc"])

# The scheme `yagona.platform.auth.require_customer` declares for access tokens.
bearer_token = HTTPBearer(scheme_name="bearer", auto_error=False, description="One ID (OIDC) access token with scopes")


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


@router.get("/.well-known/openid-configuration", openapi_extra=PUBLIC)
def openid_configuration(ctx: Ctx) -> dict[str, Any]:
    """Anyone: the provider's discovery document."""
    return oidc.discovery(ctx.settings.issuer.rstrip("/"))


@router.get("/.well-known/jwks.json", openapi_extra=PUBLIC)
def jwks(uow: Uow, ctx: Ctx) -> dict[str, Any]:
    """Anyone: the public keys that verify ID tokens."""
    keys = oidc.Provider(uow, ctx).jwks()
    uow.commit()  # the first request after a fresh install creates the first key
    return keys


def _end_user(session: SessionRead) -> oidc.EndUser:
    return oidc.EndUser(session.customer_id, session.id, session.authenticated_at, session.methods)


@router.get("/authorize", openapi_extra=PUBLIC)
def authorize(request: Request, raw: Raw, uow: Uow, ctx: Ctx) -> Response:
    """A browser with a One ID session (else to /login): the authorisation endpoint, code
    flow, PKCE S256 required; a consent page for third-party clients, none for first-party ones."""
    session = optional_session(request, uow, ctx)
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
        language = service.get_customer(uow, customer_id=session.customer_id).language.value
        return HTMLResponse(
            _consent_page(client, scope=grant.request.scope, raw=raw, ctx=ctx, session=session, language=language)
        )
    reply = provider.create_authorization_response(grant.request, grant_user=_end_user(session), grant=grant)
    uow.commit()
    return _reply(reply)


@router.post("/authorize")
def authorize_consent(
    request: Request, raw: Raw, uow: Uow, ctx: Ctx, _declared: Annotated[str | None, Security(session_cookie)] = None
) -> Response:
    """The session's browser, from its consent page (CSRF-bound to the session)."""
    session = service.authenticate(uow, token=session_token(request, ctx))
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


_CONSENT_TEXT = {
    "uz": ("ruxsat so'raydi:", "Ruxsat berish", "Rad etish"),
    "ru": ("запрашивает доступ:", "Разрешить", "Отказать"),
    "en": ("requests access to:", "Allow", "Deny"),
}


def _consent_page(
    client: oidc.Client,
    *,
    scope: str,
    raw: oidc.RawRequest,
    ctx: service.IdentityContext,
    session: SessionRead,
    language: str,
) -> str:
    fields = "".join(f'<input type="hidden" name="{html.escape(k)}" value="{html.escape(v)}">' for k, v in raw.query)
    csrf = ctx.pepper.digest("consent", session.id)
    asks, allow, deny = _CONSENT_TEXT.get(language, _CONSENT_TEXT["uz"])
    scopes = "".join(
        f"<li>{html.escape(rules.scope_description(s, language))} <small>({html.escape(s)})</small></li>"
        for s in scope.split()
    )
    return (
        f"<!doctype html><html lang='{language}'><meta charset='utf-8'><title>One ID</title>"
        f"<h1>{html.escape(client.row.name)}</h1><p>{asks}</p><ul>{scopes}</ul>"
        f"<form method='post' action='/authorize'>{fields}<input type='hidden' name='csrf' value='{csrf}'>"
        f"<button name='decision' value='approve'>{allow}</button>"
        f"<button name='decision' value='deny'>{deny}</button></form></html>"
    )


# The sign-in page `/login` (where /authorize sends a signed-out browser, `?next=`) is a
# page of identity's `web` room.


@router.post("/oauth/token", openapi_extra=PUBLIC)
def token(raw: Raw, uow: Uow, ctx: Ctx) -> Response:
    """A registered client: the token endpoint (client_secret_basic, client_secret_post, none)."""
    refused = oidc.basic_credentials_refusal(raw.headers)
    if refused is not None:
        return _reply(refused)
    provider = oidc.Provider(uow, ctx)
    reply: oidc.Reply = provider.create_token_response(raw)
    if reply.status == 200 or provider.must_commit:
        uow.commit()
    return _reply(reply)


@router.post("/oauth/revoke", openapi_extra=PUBLIC)
def revoke(raw: Raw, uow: Uow, ctx: Ctx) -> Response:
    """A registered client: revoke one of its own tokens (RFC 7009)."""
    refused = oidc.basic_credentials_refusal(raw.headers)
    if refused is not None:
        return _reply(refused)
    provider = oidc.Provider(uow, ctx)
    reply = provider.create_endpoint_response("revocation", raw)
    if reply is not None and reply.status == 200:
        uow.commit()
    return _reply(reply)


@router.post("/oauth/introspect", openapi_extra=PUBLIC)
def introspect(raw: Raw, uow: Uow, ctx: Ctx) -> Response:
    """A confidential client about its own tokens, or a configured resource server about
    any (RFC 7662); anything else hears `{"active": false}`."""
    refused = oidc.basic_credentials_refusal(raw.headers)
    if refused is not None:
        return _reply(refused)
    return _reply(oidc.Provider(uow, ctx).create_endpoint_response("introspection", raw))


@router.get("/oauth/userinfo", operation_id="oidc_userinfo_get")
@router.post("/oauth/userinfo", operation_id="oidc_userinfo_post")
def userinfo(
    request: Request, uow: Uow, ctx: Ctx, _declared: Annotated[Any, Security(bearer_token)] = None
) -> JSONResponse:
    """The holder of a live access token: the claims its scopes allow."""
    provider = oidc.Provider(uow, ctx)
    row = provider.bearer(request.headers.get("authorization"))
    if row is None or row.customer_id is None:
        return JSONResponse(
            {"error": "invalid_token", "error_description": "the access token is missing, expired or revoked"},
            status_code=401,
            headers={"WWW-Authenticate": 'Bearer error="invalid_token"'},
        )
    return JSONResponse(provider.claims(row.customer_id, row.scope))


@router.get("/oauth/logout", operation_id="oidc_logout_get", openapi_extra=PUBLIC)
@router.post("/oauth/logout", operation_id="oidc_logout_post", openapi_extra=PUBLIC)
def rp_logout(request: Request, raw: Raw, uow: Uow, ctx: Ctx) -> Response:
    """RP-initiated logout. With a valid `id_token_hint` of ours (GET or POST): ends that
    session and its tokens, then back to the RP when `post_logout_redirect_uri` is registered.
    Without one, GET only shows a confirmation page and nothing ends: a cross-site link or
    image cannot sign anyone out; the page's POST (CSRF-bound to the session) does."""
    session = optional_session(request, uow, ctx)
    provider = oidc.Provider(uow, ctx, session)
    try:
        validated = provider.validate_endpoint_request("end_session", raw)
    except OAuth2Error as error:
        return _error(provider, raw, error)
    if validated.id_token_claims is None:
        if session is None:
            return _error(provider, raw, OAuthInvalidRequestError("id_token_hint is required"))
        form = dict(raw.form)
        if request.method != "POST" or not ctx.pepper.matches(form.get("csrf", ""), "logout", session.id):
            return HTMLResponse(_logout_page(ctx, session))
    reply = provider.create_endpoint_response("end_session", validated)
    uow.commit()
    response = _reply(reply)
    if session is not None and session.id in provider.ended_sessions:
        response.delete_cookie(ctx.settings.cookie_name, path="/")
    return response


def _logout_page(ctx: service.IdentityContext, session: SessionRead) -> str:
    csrf = ctx.pepper.digest("logout", session.id)
    return (
        "<!doctype html><html lang='uz'><meta charset='utf-8'><title>One ID</title>"
        "<p>Chiqasizmi? / Выйти? / Sign out?</p>"
        f"<form method='post' action='/oauth/logout'><input type='hidden' name='csrf' value='{csrf}'>"
        "<button>Chiqish / Выйти / Sign out</button></form></html>"
    )
