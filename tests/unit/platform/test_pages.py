"""The pages' plumbing without a server: formats in three languages, the catalogues,
hashed static files, the CSRF token, the page router's guarantees."""

from __future__ import annotations

import asyncio
import gzip
import html
import re
from collections.abc import Iterator, Sequence
from datetime import date, datetime
from pathlib import Path

import brotli
import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po
from fastapi import FastAPI
from starlette.requests import Request
from starlette.routing import BaseRoute

from yagona.kernel.clock import TASHKENT
from yagona.kernel.money import Money
from yagona.platform.i18n import LANGUAGES
from yagona.platform.pages import csrf
from yagona.platform.pages.assets import IMMUTABLE, StaticAssets, accepted_encoding
from yagona.platform.pages.core import PageRoute, Pages, page_router, safe_local_path, verify_csrf
from yagona.platform.pages.formatting import format_day, format_moment, format_money, format_number

ROOT = Path(__file__).resolve().parents[3]
LOCALE = ROOT / "src" / "yagona" / "locale"
NBSP = "\u00a0"


# --- money, numbers, dates ------------------------------------------------------------


@pytest.mark.parametrize(
    ("language", "whole", "with_tiyin"),
    [
        ("uz", f"125{NBSP}000{NBSP}so'm", f"1{NBSP}250,50{NBSP}so'm"),
        ("ru", f"125{NBSP}000{NBSP}сум", f"1{NBSP}250,50{NBSP}сум"),
        ("en", f"125,000{NBSP}so'm", f"1,250.50{NBSP}so'm"),
    ],
)
def test_money_reads_as_so_m_in_each_language(language: str, whole: str, with_tiyin: str) -> None:
    assert format_money(Money(12_500_000), language) == whole
    assert format_money(Money(125_050), language) == with_tiyin
    assert format_money(Money(-5_000), language).startswith("-50")


def test_numbers_and_dates_in_each_language() -> None:
    assert format_number(1_234_567, "uz") == f"1{NBSP}234{NBSP}567"
    assert format_number(1_234_567, "en") == "1,234,567"
    day = date(2026, 3, 15)
    assert format_day(day, "uz") == "15-mart 2026"
    assert format_day(day, "ru") == "15 марта 2026\u202fг."  # noqa: RUF001 - Russian, not a look-alike
    assert format_day(day, "en") == "March 15, 2026"
    # A moment is shown in Tashkent time whatever zone it comes in.
    moment = datetime(2026, 3, 15, 4, 30, tzinfo=TASHKENT)
    assert format_moment(moment, "uz") == "15-mart 2026, 04:30"
    assert format_moment(datetime.fromisoformat("2026-03-14T23:30:00+00:00"), "en") == "March 15, 2026, 04:30"
    assert format_day(datetime.fromisoformat("2026-03-14T23:30:00+00:00"), "ru").startswith("15 марта")


def test_templates_format_money_and_dates_and_translate_in_the_page_language() -> None:
    pages = Pages(secret=b"k" * 32, assets=StaticAssets(ROOT / "src" / "yagona" / "app" / "static"))
    template = "{{ _('Home') }}: {{ amount|money }}, {{ day|day }}, {{ count|number }}"
    values = {"amount": Money(12_500_000), "day": date(2026, 3, 15), "count": 1500}
    # The apostrophe of so'm is escaped in the HTML (&#39;) and reads as so'm.
    assert html.unescape(pages.environment("uz").from_string(template).render(values)) == (
        f"Bosh sahifa: 125{NBSP}000{NBSP}so'm, 15-mart 2026, 1{NBSP}500"
    )
    assert pages.environment("ru").from_string(template).render(values).startswith(f"Главная: 125{NBSP}000{NBSP}сум")
    assert pages.environment("en").from_string("{{ name }}").render(name="<b>") == "&lt;b&gt;"  # autoescaped
    assert pages.environment("en").globals["static"]("css/app.css").startswith("/static/css/app.")


# --- the catalogues -------------------------------------------------------------------


def _catalogue(language: str) -> dict[str, str]:
    with (LOCALE / language / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        return {str(m.id): str(m.string) for m in read_po(handle, locale=language) if m.id}


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_message_is_translated_in_every_catalogue(language: str) -> None:
    untranslated = [msgid for msgid, text in _catalogue(language).items() if not text.strip()]
    assert not untranslated, f"{language}: untranslated message ids {untranslated}"


def test_every_page_string_in_the_sources_is_in_the_catalogues() -> None:
    """A string added to a template or a web room without `make i18n` fails here."""
    method_map = [
        ("src/yagona/app/shell.py", "python"),
        ("src/yagona/platform/pages/**.py", "python"),
        ("src/yagona/**/web.py", "python"),
        ("src/yagona/**/web/**.py", "python"),
        ("src/yagona/**/templates/**.html", "jinja2"),
        ("src/yagona/**/templates/**.js", "jinja2"),
    ]
    options = {"src/yagona/**/templates/**.html": {"extensions": "jinja2.ext.i18n"}}
    keywords = {"_": None, "gettext": None, "ngettext": (1, 2), "N_": None}
    found = {
        message if isinstance(message, str) else message[0]
        for _file, _line, message, _comments, _context in extract_from_dir(
            str(ROOT), method_map, options, keywords=keywords
        )
    }
    assert found, "the extractor found the pages' strings"
    for language in LANGUAGES:
        missing = found - set(_catalogue(language))
        assert not missing, f"{language}: run `make i18n` and translate {sorted(missing)}"


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_compiled_catalogue_is_current(language: str) -> None:
    compiled = LOCALE / language / "LC_MESSAGES" / "messages.mo"
    assert compiled.is_file(), "make setup compiles the catalogues (make i18n)"
    with compiled.open("rb") as handle:
        built = {str(m.id): str(m.string) for m in read_mo(handle) if m.id}
    assert built == _catalogue(language), "the .mo is older than its .po: run `make i18n`"


# --- static files ---------------------------------------------------------------------


def test_static_files_have_hashed_immutable_urls_and_compressed_forms(tmp_path: Path) -> None:
    (tmp_path / "css").mkdir()
    (tmp_path / "css" / "site.css").write_text("body { color: black; }\n" * 100)
    (tmp_path / "logo.png").write_bytes(b"\x89PNG not really")
    assets = StaticAssets(tmp_path)
    url = assets.url("css/site.css")
    assert re.fullmatch(r"/static/css/site\.[0-9a-f]{12}\.css", url)
    hashed = url.removeprefix("/static/")
    plain = assets.response(hashed, "")
    assert plain is not None and plain.headers["cache-control"] == IMMUTABLE == "public, max-age=31536000, immutable"
    assert plain.headers["content-type"] == "text/css; charset=utf-8" and "content-encoding" not in plain.headers
    zipped = assets.response(hashed, "gzip, deflate")
    assert zipped is not None and zipped.headers["content-encoding"] == "gzip"
    assert gzip.decompress(zipped.body) == plain.body
    squeezed = assets.response(hashed, "gzip, br")
    assert squeezed is not None and squeezed.headers["content-encoding"] == "br"
    assert brotli.decompress(squeezed.body) == plain.body
    picture = assets.response(assets.url("logo.png").removeprefix("/static/"), "gzip, br")
    assert picture is not None and "content-encoding" not in picture.headers  # images are compressed already
    assert assets.response("css/site.css", "") is None  # only the hashed name is served
    with pytest.raises(LookupError):
        assets.url("css/missing.css")
    before = assets.version()
    (tmp_path / "css" / "site.css").write_text("body { color: navy; }\n")
    changed = StaticAssets(tmp_path)
    assert changed.url("css/site.css") != url and changed.version() != before


def test_accepted_encodings() -> None:
    assert accepted_encoding("gzip, deflate, br, zstd") == "br"
    assert accepted_encoding("gzip;q=1.0, br;q=0") == "gzip"
    assert accepted_encoding("identity") is None
    assert accepted_encoding("") is None


def all_routes(routes: Sequence[BaseRoute]) -> Iterator[BaseRoute]:
    """Every route, through FastAPI's included routers."""
    for route in routes:
        included = getattr(route, "original_router", None)
        if included is not None:
            yield from all_routes(included.routes)
        else:
            yield route


# --- CSRF, safe redirects, the page router -------------------------------------------


def _request(method: str, cookies: dict[str, str], headers: dict[str, str] | None = None) -> Request:
    raw = [(b"cookie", "; ".join(f"{k}={v}" for k, v in cookies.items()).encode())] if cookies else []
    raw += [(k.lower().encode(), v.encode()) for k, v in (headers or {}).items()]
    return Request({"type": "http", "method": method, "path": "/x", "headers": raw, "query_string": b""})


def _check(request: Request, secret: bytes) -> None:
    asyncio.run(csrf.check(request, secret))


def test_a_csrf_token_is_bound_to_its_cookie_and_to_the_session() -> None:
    secret = b"k" * 32
    cookies = {csrf.CSRF_COOKIE: "n" * 43}
    token = csrf.token_for(_request("GET", cookies), secret)
    _check(_request("POST", cookies, {"X-CSRF-Token": token}), secret)
    with pytest.raises(csrf.CsrfRefusedError):  # another browser's nonce
        _check(_request("POST", {csrf.CSRF_COOKIE: "m" * 43}, {"X-CSRF-Token": token}), secret)
    with pytest.raises(csrf.CsrfRefusedError):  # the same nonce, but signed in since
        _check(_request("POST", {**cookies, "yagona_session": "s"}, {"X-CSRF-Token": token}), secret)
    with pytest.raises(csrf.CsrfRefusedError):  # no cookie at all
        _check(_request("POST", {}, {"X-CSRF-Token": token}), secret)
    with pytest.raises(csrf.CsrfRefusedError):  # another key
        _check(_request("POST", cookies, {"X-CSRF-Token": token}), b"z" * 32)
    _check(_request("GET", {}), secret)  # safe methods are not checked


def test_a_browser_without_a_nonce_gets_one_kept_for_the_whole_request() -> None:
    request = _request("GET", {})
    assert csrf.nonce_of(request) == csrf.nonce_of(request)
    assert len(csrf.nonce_of(request)) >= 32


def test_redirects_stay_on_this_site() -> None:
    assert safe_local_path("/offline?x=1") == "/offline?x=1"
    for hostile in ("//evil.example/", "https://evil.example/", "/\\evil.example", "javascript:alert(1)", ""):
        assert safe_local_path(hostile) == "/"


def test_every_unsafe_page_route_checks_csrf_and_no_page_is_in_the_api_schema() -> None:
    router = page_router()

    @router.get("/page")
    def page() -> str:
        return ""

    @router.post("/page", dependencies=[])
    def send() -> str:
        return ""

    app = FastAPI()
    app.include_router(router, prefix="/prefixed")
    routes = [route for route in all_routes(app.routes) if isinstance(route, PageRoute)]
    assert {(route.path, tuple(sorted(route.methods))) for route in routes} == {
        ("/page", ("GET",)),
        ("/page", ("POST",)),
    }
    for route in routes:
        checks = [d for d in route.dependencies if d.dependency is verify_csrf]
        assert len(checks) == ("POST" in route.methods), route.methods  # exactly once, and only when unsafe
        assert not route.include_in_schema
