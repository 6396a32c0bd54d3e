"""The portal's shell: the plumbing every page shares and the few pages that are no
domain's — `/` (to the sign-in for a signed-out visitor), the language form, the offline
page, the web app manifest, the service worker, static files, and the translated 404 page.
Domains add their pages from their `web` rooms (see docs/portal.md)."""

from __future__ import annotations

import hashlib
import hmac
import inspect
from pathlib import Path
from typing import Annotated

from fastapi import Depends, FastAPI, Form, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from yagona.analytics import web as analytics_web
from yagona.home import web as home_web
from yagona.lines import service as line_service
from yagona.lines import web as lines_web
from yagona.platform import i18n
from yagona.platform.auth import Principal, session_customer
from yagona.platform.pages.assets import StaticAssets
from yagona.platform.pages.core import (
    N_,
    NavigationItem,
    Pages,
    flash,
    not_found_page,
    page_language,
    page_router,
    pages_of,
    remember_language,
    render,
    safe_local_path,
)
from yagona.platform.pages.middleware import CompressionMiddleware, SecurityHeadersMiddleware
from yagona.platform.settings import Settings
from yagona.platform.uow import UnitOfWork
from yagona.platform.web import unit_of_work
from yagona.wallet import service as wallet_service
from yagona.wallet import web as wallet_web

STATIC_DIR = Path(__file__).parent / "static"
OFFLINE_COPY_HEADER = "X-Yagona-Offline-Copy"
SHELL_ASSETS = (".css", ".js", ".svg", ".png")  # what the service worker keeps (not the licence texts)
THEME_COLOUR = "#0b5cad"
BACKGROUND_COLOUR = "#ffffff"
# Machine paths: an unknown address under these stays a problem+json, never a page.
API_PREFIXES = ("/api/", "/tmf-api/", "/oauth/", "/.well-known/", "/oneid-simulator/", "/health", "/ready")

router = page_router()


@router.get("/")
def home(request: Request, uow: Annotated[UnitOfWork, Depends(unit_of_work)]) -> Response:
    """The cabinet's front door: a signed-out visitor goes to the sign-in page."""
    principal = session_customer(request, uow)
    if principal is None:
        response: Response = RedirectResponse("/login", status_code=303)
        response.headers["Cache-Control"] = "no-store"
        page_language(request)  # notes a `?lang=` to remember
        asked: str | None = getattr(request.state, "remember_language", None)
        if asked is not None:
            remember_language(response, asked, secure=pages_of(request).secure_cookies)
        return response
    return dashboard(request, uow, principal)


def dashboard(request: Request, uow: UnitOfWork, principal: Principal) -> Response:
    """Every service of the customer: lines, home-internet accounts and wallets (siblings that
    may not call each other: so it lives here)."""
    lines = []
    if principal.may("mobile"):
        numbers = sorted({*principal.lines, *principal.phones})
        lines = [lines_web.line_card(line_service.state(uow, msisdn=m)) for m in numbers if line_service.exists(uow, m)]
    wallets = []
    if principal.may("wallet"):
        found = wallet_service.own_wallets(uow, customer_id=principal.customer_id, phones=principal.phones)
        wallets = [wallet_web.wallet_card(w) for w in found]
    homes = home_web.cards_for(uow, customer_id=principal.customer_id) if principal.may("home") else []
    offer = analytics_web.offer_card(request, uow, principal)  # the open next-best offer, with consent
    saved_at = request.app.state.container.clock.now()  # what the offline copy says it shows
    response = render(request, "app/home.html", lines=lines, wallets=wallets, homes=homes, offer=offer,
                      saved_at=saved_at)  # fmt: skip
    response.headers[OFFLINE_COPY_HEADER] = "dashboard"  # the service worker keeps only this page
    return response


@router.post("/language")
def change_language(
    request: Request, lang: Annotated[str, Form(max_length=8)], next: Annotated[str, Form(max_length=2048)] = "/"
) -> Response:
    """The layout's language switcher (a form, so it works without JavaScript)."""
    language = lang if lang in i18n.LANGUAGES else i18n.DEFAULT_LANGUAGE
    pages = pages_of(request)
    response = RedirectResponse(safe_local_path(next), status_code=303)
    remember_language(response, language, secure=pages.secure_cookies)
    flash(request, response, pages.gettext(language, N_("The language has been changed.")), level="success")
    return response


@router.get("/offline")
def offline(request: Request) -> Response:
    """What the service worker shows when the network is gone."""
    return render(request, "app/offline.html")


def manifest(request: Request) -> JSONResponse:
    pages = pages_of(request)
    language = page_language(request)
    body = {
        "name": "Yagona",
        "short_name": "Yagona",
        "description": pages.gettext(language, N_("Your lines, wallet and services in one place")),
        "lang": language,
        "start_url": "/",
        "scope": "/",
        "display": "standalone",
        "theme_color": THEME_COLOUR,
        "background_color": BACKGROUND_COLOUR,
        "icons": [
            {"src": pages.assets.url("img/icon-192.png"), "sizes": "192x192", "type": "image/png", "purpose": "any"},
            {"src": pages.assets.url("img/icon-512.png"), "sizes": "512x512", "type": "image/png", "purpose": "any"},
        ],
    }
    headers = {"Cache-Control": "no-cache", "Vary": "Cookie, Accept-Language"}
    return JSONResponse(body, media_type="application/manifest+json", headers=headers)


def service_worker(request: Request) -> Response:
    """Caches the shell's static assets and the offline page; a new asset is a new worker."""
    pages = pages_of(request)
    script = (
        pages.environment(i18n.DEFAULT_LANGUAGE)
        .get_template("app/sw.js")
        .render(
            version=pages.assets.version(),
            assets=[a.url for a in pages.assets.all() if a.name.endswith(SHELL_ASSETS)],
            offline_copy_header=OFFLINE_COPY_HEADER,
        )
    )
    # no-cache: the browser checks for a new worker on every visit (it never keeps it a year).
    return Response(script, media_type="text/javascript; charset=utf-8", headers={"Cache-Control": "no-cache"})


def static_file(path: str, request: Request) -> Response:
    found = pages_of(request).assets.response(path, request.headers.get("accept-encoding", ""))
    if found is None:
        raise StarletteHTTPException(404, "no such static file")
    return found


def install(app: FastAPI, settings: Settings) -> None:
    """Mount the shell on `app`: pages, static files, compression, security headers."""
    secret = settings.secret_key.get_secret_value().encode()
    app.state.pages = Pages(
        # A key of its own, derived: a CSRF token or flash signature never equals another use's MAC.
        secret=hmac.new(secret, b"yagona.pages", hashlib.sha256).digest(),
        assets=StaticAssets(STATIC_DIR),
        secure_cookies=settings.env not in ("dev", "test"),
        # The cabinet's menu (signed in); a signed-out visitor sees the plans and "Sign in".
        navigation=[
            NavigationItem("/", N_("Home")),
            NavigationItem("/plans", N_("Plans"), public=True),
            NavigationItem("/wallet", N_("Wallet")),
            NavigationItem("/account/security", N_("Security")),
            NavigationItem("/account/profile", N_("Profile")),
            NavigationItem("/account/data", N_("My data")),
            NavigationItem("/account/privacy", N_("Privacy")),
            NavigationItem("/help", N_("Help"), public=True),
        ],
    )
    app.include_router(router)
    app.add_api_route("/manifest.webmanifest", manifest, methods=["GET"], include_in_schema=False)
    app.add_api_route("/sw.js", service_worker, methods=["GET"], include_in_schema=False)
    app.add_api_route("/static/{path:path}", static_file, methods=["GET", "HEAD"], include_in_schema=False)

    as_problem = app.exception_handlers[StarletteHTTPException]

    async def not_found_or_problem(request: Request, error: Exception) -> Response:
        # A person's browser gets a page in their language; machines keep problem+json.
        assert isinstance(error, StarletteHTTPException)
        wants_page = "text/html" in request.headers.get("accept", "")
        if error.status_code == 404 and wants_page and not request.url.path.startswith(API_PREFIXES):
            return not_found_page(request)
        answer = as_problem(request, error)
        return await answer if inspect.isawaitable(answer) else answer

    app.add_exception_handler(StarletteHTTPException, not_found_or_problem)
    app.add_middleware(SecurityHeadersMiddleware, strict_transport=settings.env == "prod")
    app.add_middleware(CompressionMiddleware)
