"""Rendering a page: the template, the visitor's language, the CSRF token, flash messages,
cache headers — and the page router whose routes check CSRF and answer refusals as pages."""

from __future__ import annotations

import asyncio
import base64
import functools
import hashlib
import hmac
import json
from collections.abc import Callable, Coroutine, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import urlencode

import jinja2
import structlog
from babel.support import Translations
from fastapi import APIRouter, Depends, Request
from fastapi.exceptions import RequestValidationError
from fastapi.params import Depends as DependsParam
from fastapi.responses import HTMLResponse
from fastapi.routing import APIRoute
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.responses import Response

from yagona.kernel.errors import YagonaError
from yagona.platform import i18n
from yagona.platform.auth import SESSION_COOKIE, CustomerResolver, Principal
from yagona.platform.pages import csrf, formatting
from yagona.platform.pages.assets import StaticAssets
from yagona.platform.uow import UnitOfWork

LANGUAGE_COOKIE = "yagona_lang"
FLASH_COOKIE = "yagona_flash"
# Each language by its own name: a visitor finds theirs whatever the page's language.
AUTONYMS = {"uz": "O'zbekcha", "ru": "Русский", "en": "English"}
LANGUAGE_COOKIE_MAX_AGE_S = 365 * 24 * 3600
MAX_FLASHES = 4
MAX_FLASH_CHARS = 300
log = structlog.get_logger(__name__)


def N_(message: str) -> str:  # noqa: N802 - the gettext convention: marks a msgid for extraction
    """Marks a message for `make i18n` without translating it here; it is translated when shown."""
    return message


def template_directories() -> list[Path]:
    """Every `templates/` folder of a package of `yagona` (a domain's pages keep theirs
    beside their `web` room as `templates/<domain>/…`; the shared layout is in `app`)."""
    root = Path(str(resources.files("yagona")))
    return [entry / "templates" for entry in sorted(root.iterdir()) if (entry / "templates").is_dir()]


def locale_directory() -> Path:
    return Path(str(resources.files("yagona"))) / "locale"


@dataclass(frozen=True)
class NavigationItem:
    href: str
    label: str  # a msgid, translated when shown
    public: bool = False  # shown to a signed-out visitor too


@dataclass
class Pages:
    """The pages' configuration, one per app (`app.state.pages`)."""

    secret: bytes
    assets: StaticAssets
    template_dirs: Sequence[Path] = field(default_factory=template_directories)
    locale_dir: Path = field(default_factory=locale_directory)
    secure_cookies: bool = True
    error_template: str = "app/error.html"
    navigation: list[NavigationItem] = field(default_factory=list)

    def __post_init__(self) -> None:
        # Built once, at start (a missing catalogue fails here, not on a visitor's page), and
        # only read afterwards: safe across the server's threads.
        loader = jinja2.FileSystemLoader([str(path) for path in self.template_dirs])
        self._translations = {language: self._load(language) for language in i18n.LANGUAGES}
        self._environments = {language: self._environment(loader, language) for language in i18n.LANGUAGES}

    def _load(self, language: str) -> Translations:
        compiled = self.locale_dir / language / "LC_MESSAGES" / "messages.mo"
        if not compiled.is_file():
            raise RuntimeError(f"{compiled} is missing: run `make i18n` (make setup builds it)")
        with compiled.open("rb") as handle:
            return Translations(handle, domain="messages")

    def _environment(self, loader: jinja2.BaseLoader, language: str) -> jinja2.Environment:
        env = jinja2.Environment(
            loader=loader,
            autoescape=jinja2.select_autoescape(["html", "xml"], default_for_string=True),
            undefined=jinja2.StrictUndefined,
            extensions=["jinja2.ext.i18n"],
            trim_blocks=True,
            lstrip_blocks=True,
        )
        env.install_gettext_translations(self._translations[language], newstyle=True)  # type: ignore[attr-defined]
        env.filters["money"] = functools.partial(_filter, formatting.format_money, language)
        env.filters["number"] = functools.partial(_filter, formatting.format_number, language)
        env.filters["day"] = functools.partial(_filter, formatting.format_day, language)
        env.filters["moment"] = functools.partial(_filter, formatting.format_moment, language)
        env.globals["static"] = self.assets.url
        return env

    def translations(self, language: str) -> Translations:
        return self._translations[language]

    def gettext(self, language: str, message: str) -> str:
        return self._translations[language].gettext(message)

    def environment(self, language: str) -> jinja2.Environment:
        return self._environments[language]


def _filter(function: Callable[[Any, str], str], language: str, value: Any) -> str:
    return function(value, language)


def pages_of(request: Request) -> Pages:
    pages: Pages = request.app.state.pages
    return pages


class LanguageKeeper(Protocol):
    """Stores a signed-in customer's chosen language in their profile (One ID registers it
    on `app.state.language_keeper`: the platform knows no domain)."""

    def __call__(self, uow: UnitOfWork, *, customer_id: str, language: str) -> object: ...


def page_language(request: Request) -> str:
    """`?lang=` (then remembered in a cookie, and in the profile when signed in), else this
    browser's choice (the cookie: a choice made on the sign-in page outlives signing in),
    else the signed-in customer's profile (a new device speaks their language), else
    `Accept-Language`."""
    asked = request.query_params.get("lang", "")
    if asked in i18n.LANGUAGES:
        request.state.remember_language = asked
        return asked
    remembered = request.cookies.get(LANGUAGE_COOKIE, "")
    if remembered in i18n.LANGUAGES:
        return remembered
    profile = _signed_in_customer(request)
    if profile is not None and profile.language in i18n.LANGUAGES:
        return profile.language
    return i18n.negotiate(request.headers.get("accept-language"))


def _signed_in_customer(request: Request) -> Principal | None:
    """The session's customer, looked up once per request (a page's language follows their
    profile on every device)."""
    if hasattr(request.state, "page_principal"):
        found: Principal | None = request.state.page_principal
        return found
    if _on_event_loop():
        return None  # never wait for the database there (an async error handler): the cookie's language
    found = None
    token = request.cookies.get(SESSION_COOKIE)
    resolver: CustomerResolver | None = getattr(request.app.state, "customer_resolver", None)
    if token and resolver is not None:
        with _request_uow(request) as uow:
            found = resolver(uow, session_token=token, bearer_token=None)
    request.state.page_principal = found
    return found


def _on_event_loop() -> bool:
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return False
    return True


@contextmanager
def _request_uow(request: Request) -> Iterator[UnitOfWork]:
    """The request's own unit of work while it is open, else one of our own."""
    own: UnitOfWork | None = getattr(request.state, "uow", None)
    if own is not None:
        yield own
        return
    with request.app.state.uow_factory() as uow:
        yield uow


def _keep_profile_language(request: Request, response: Response) -> None:
    """A page that set the language cookie (`?lang=`, the language form) while signed in
    stores the choice in the profile too, so every device of the customer follows it."""
    chosen = _language_set_by(response)
    keeper: LanguageKeeper | None = getattr(request.app.state, "language_keeper", None)
    if chosen is None or keeper is None:
        return
    customer = _signed_in_customer(request)
    if customer is None or customer.language == chosen:
        return
    with _request_uow(request) as uow:
        uow.rollback()  # what the page left uncommitted was meant to be dropped
        keeper(uow, customer_id=customer.customer_id, language=chosen)
        uow.commit()


def _language_set_by(response: Response) -> str | None:
    prefix = f"{LANGUAGE_COOKIE}=".encode()
    for name, value in response.raw_headers:
        if name == b"set-cookie" and value.startswith(prefix):
            chosen = value[len(prefix) :].split(b";", 1)[0].decode("latin-1")
            return chosen if chosen in i18n.LANGUAGES else None
    return None


def remember_language(response: Response, language: str, *, secure: bool) -> None:
    assert language in i18n.LANGUAGES
    response.set_cookie(
        LANGUAGE_COOKIE,
        language,
        max_age=LANGUAGE_COOKIE_MAX_AGE_S,
        httponly=True,
        secure=secure,
        samesite="lax",
        path="/",
    )


def safe_local_path(target: str, *, default: str = "/") -> str:
    """A path on this site only (`/x`, not `//evil` nor `https://…`): no open redirect."""
    if target.startswith("/") and not target.startswith(("//", "/\\")) and len(target) <= 2048:
        return target
    return default


# --- flash messages: shown once on the next page, in a signed cookie ------------------


def _flash_signature(secret: bytes, payload: str) -> str:
    return hmac.new(secret, f"flash|{payload}".encode(), hashlib.sha256).hexdigest()[:32]


def flash(request: Request, response: Response, text: str, *, level: str = "info") -> None:
    """Show `text` (already in the visitor's language) on the next page rendered."""
    assert level in {"info", "success", "warning", "error"}, level
    pages = pages_of(request)
    queued = [*read_flashes(request), (level, text[:MAX_FLASH_CHARS])][-MAX_FLASHES:]
    payload = base64.urlsafe_b64encode(json.dumps(queued).encode()).decode()
    value = f"{payload}.{_flash_signature(pages.secret, payload)}"
    response.set_cookie(FLASH_COOKIE, value, httponly=True, secure=pages.secure_cookies, samesite="lax", path="/")


def read_flashes(request: Request) -> list[tuple[str, str]]:
    raw = request.cookies.get(FLASH_COOKIE, "")
    payload, _, signature = raw.partition(".")
    if not payload or not hmac.compare_digest(signature, _flash_signature(pages_of(request).secret, payload)):
        return []
    try:
        entries = json.loads(base64.urlsafe_b64decode(payload.encode()))
    except (ValueError, TypeError):
        return []
    return [(str(level), str(text)) for level, text in entries][:MAX_FLASHES]


# --- render -------------------------------------------------------------------------


def render(request: Request, template: str, *, status_code: int = 200, **context: Any) -> HTMLResponse:
    """The page `template` in the visitor's language, within the shared layout."""
    pages = pages_of(request)
    language = page_language(request)
    flashes = read_flashes(request)
    token = csrf.token_for(request, pages.secret)
    query = [(k, v) for k, v in request.query_params.multi_items() if k != "lang"]
    here = request.url.path + ("?" + urlencode(query) if query else "")
    if request.method not in {"GET", "HEAD"}:
        here = "/"  # a page answering a form (a refusal) cannot be fetched again by its address
    html = (
        pages.environment(language)
        .get_template(template)
        .render(
            request=request,
            lang=language,
            languages=list(AUTONYMS.items()),
            csrf_token=token,
            csrf_field=csrf.CSRF_FIELD,
            flashes=flashes,
            here=safe_local_path(here),
            navigation=pages.navigation,
            signed_in=SESSION_COOKIE in request.cookies,
            **context,
        )
    )
    response = HTMLResponse(html, status_code=status_code)
    # A signed-in page is the customer's alone: no cache keeps it. Signed out, the page
    # still carries a CSRF token and a language: private, revalidated.
    response.headers["Cache-Control"] = "no-store" if SESSION_COOKIE in request.cookies else "private, no-cache"
    response.headers["Vary"] = "Cookie, Accept-Language"
    response.headers["Content-Language"] = language
    fresh_nonce: str | None = getattr(request.state, "csrf_new_nonce", None)
    if fresh_nonce is not None:
        response.set_cookie(
            csrf.CSRF_COOKIE, fresh_nonce, httponly=True, secure=pages.secure_cookies, samesite="lax", path="/"
        )
    asked: str | None = getattr(request.state, "remember_language", None)
    if asked is not None:
        remember_language(response, asked, secure=pages.secure_cookies)
    if flashes:
        response.delete_cookie(FLASH_COOKIE, path="/")
    return response


def render_refusal(request: Request, status_code: int, title: str, detail: str) -> HTMLResponse:
    """A refusal as a page: `title` is a msgid, `detail` already in the visitor's language."""
    pages = pages_of(request)
    language = page_language(request)
    return render(
        request, pages.error_template, status_code=status_code, title=pages.gettext(language, title), detail=detail
    )


def not_found_page(request: Request) -> HTMLResponse:
    pages = pages_of(request)
    language = page_language(request)
    return render_refusal(
        request,
        404,
        N_("Page not found"),
        pages.gettext(language, N_("There is no page at this address. Check the link or go to the home page.")),
    )


# --- the page router ----------------------------------------------------------------


async def verify_csrf(request: Request) -> None:
    """Every unsafe-method page route depends on this (added by `PageRoute` itself)."""
    await csrf.check(request, pages_of(request).secret)


_UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}


class PageRoute(APIRoute):
    """A page: HTML, not in the OpenAPI schema, the CSRF check on every unsafe method, and
    any refusal (a typed error, a bad form, a missing token) answered as a page in the
    visitor's language with the right status — never a stack trace."""

    def __init__(self, path: str, endpoint: Callable[..., Any], **kwargs: Any) -> None:
        methods = {method.upper() for method in (kwargs.get("methods") or ["GET"])}
        dependencies: list[DependsParam] = list(kwargs.get("dependencies") or [])
        if methods & _UNSAFE and not any(d.dependency is verify_csrf for d in dependencies):
            dependencies.insert(0, Depends(verify_csrf))
        kwargs["dependencies"] = dependencies
        kwargs["include_in_schema"] = False
        kwargs.setdefault("response_class", HTMLResponse)
        super().__init__(path, endpoint, **kwargs)

    @property
    def checks_csrf(self) -> bool:
        return any(d.dependency is verify_csrf for d in self.dependencies)

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handle = super().get_route_handler()

        async def page_handler(request: Request) -> Response:
            try:
                response = await handle(request)
            except (csrf.CsrfRefusedError, YagonaError, RequestValidationError, HTTPException) as error:
                # Off the event loop: the page's language may read the signed-in profile.
                return await run_in_threadpool(refusal_page, request, error)
            await run_in_threadpool(_keep_profile_language, request, response)
            return response

        return page_handler


def refusal_page(request: Request, error: Exception) -> Response:
    """A refused page request as a page in the visitor's language, with the right status."""
    language = page_language(request)
    pages = pages_of(request)
    if isinstance(error, csrf.CsrfRefusedError):
        detail = N_("This form has expired or did not come from this site. Reload the page and try again.")
        return render_refusal(request, 403, N_("The form was refused"), pages.gettext(language, detail))
    if isinstance(error, YagonaError):
        return render_refusal(request, error.http_status, N_("This cannot be done"), i18n.localize(error, language))
    if isinstance(error, RequestValidationError):
        detail = N_("Some fields are missing or not valid. Check the form and send it again.")
        return render_refusal(request, 422, N_("The form is not valid"), pages.gettext(language, detail))
    assert isinstance(error, HTTPException)
    if error.status_code == 404:
        return not_found_page(request)
    detail = N_("This request cannot be served. Go back and try again.")
    return render_refusal(request, error.status_code, N_("Something is wrong"), pages.gettext(language, detail))


def page_router(**kwargs: Any) -> APIRouter:
    """The router of a domain's `web` room (or the shell's): its routes are `PageRoute`s."""
    return APIRouter(route_class=PageRoute, include_in_schema=False, default_response_class=HTMLResponse, **kwargs)
