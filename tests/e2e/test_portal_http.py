"""The portal's shell over a real socket: the front door, languages, CSRF, the 404 page,
static files, compression, the PWA files, security and cache headers."""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI

from tests.e2e.server import serving
from tests.factories.identity import PASSWORD, customer
from tests.unit.platform.test_pages import all_routes
from yagona.app.api import create_app
from yagona.app.bootstrap import Container
from yagona.identity.schemas import Language
from yagona.platform.pages.core import PageRoute, verify_csrf
from yagona.platform.settings import Settings

PAGE = {"Accept": "text/html,application/xhtml+xml", "Accept-Language": "ru-RU,ru;q=0.9"}
HASHED = re.compile(r"/static/[\w/.-]+\.[0-9a-f]{12}\.\w+")


@pytest.fixture
def database_url(tmp_path: Path, sqlite_template: Path) -> str:
    # The shell holds no data of its own: SQLite is enough (the domains' pages test both).
    path = tmp_path / "yagona.db"
    shutil.copy(sqlite_template, path)
    return f"sqlite:///{path}"


@pytest.fixture
def app(settings: Settings, container: Container) -> FastAPI:
    return create_app(settings, container=container)


@pytest.fixture
def client(app: FastAPI) -> Iterator[httpx.Client]:
    with serving(app) as url, httpx.Client(base_url=url, timeout=10) as client:
        yield client


def _token(page: httpx.Response) -> str:
    found = re.search(r'name="csrf_token" value="([0-9a-f]{64})"', page.text)
    assert found, "the page carries its form's token"
    return found.group(1)


def test_a_signed_out_visitor_is_sent_to_the_sign_in_page(client: httpx.Client) -> None:
    answer = client.get("/", headers=PAGE)
    assert answer.status_code == 303 and answer.headers["location"] == "/login"
    assert answer.headers["cache-control"] == "no-store"
    assert client.get("/", headers=PAGE, follow_redirects=True).url.path == "/login"
    # A dead session cookie is the same as none.
    forged = httpx.get(f"{client.base_url}/", headers={**PAGE, "Cookie": "yagona_session=forged"})
    assert forged.status_code == 303 and forged.headers["location"] == "/login"
    # ?lang= is remembered even on the way to the sign-in page.
    assert client.get("/?lang=en").cookies["yagona_lang"] == "en"


def test_a_signed_in_customer_gets_the_cabinet_never_cached(
    client: httpx.Client, app: FastAPI, container: Container
) -> None:
    with container.uow() as uow:
        customer(uow, app.state.identity, language=Language.RU)  # signed in, the profile's language
        uow.commit()
    token = _token(client.get("/login", headers=PAGE))
    signed = client.post("/login", data={"phone": "998901234567", "password": PASSWORD, "csrf_token": token})
    assert signed.status_code == 303 and "yagona_session" in client.cookies
    home = client.get("/", headers={**PAGE, "Accept-Language": "en"})
    assert home.status_code == 200 and home.headers["cache-control"] == "no-store"
    assert '<html lang="ru">' in home.text and "Мои услуги" in home.text
    assert 'href="/login"' not in home.text  # no "Sign in" link for a signed-in customer


def test_another_site_cannot_sign_this_browser_in(client: httpx.Client, app: FastAPI, container: Container) -> None:
    """Login CSRF: a form on another origin posting someone's credentials to /login is refused."""
    with container.uow() as uow:
        customer(uow, app.state.identity)
        uow.commit()
    credentials = {"phone": "998901234567", "password": PASSWORD, "csrf_token": _token(client.get("/login"))}
    forged = client.post("/login", data=credentials, headers={"Origin": "https://evil.example"})
    assert forged.status_code == 403 and "text/html" in forged.headers["content-type"]
    # Chromium names a same-origin form `Origin: null`; Sec-Fetch-Site says where it came from.
    cross = client.post("/login", data=credentials, headers={"Origin": "null", "Sec-Fetch-Site": "cross-site"})
    assert cross.status_code == 403
    assert "yagona_session" not in client.cookies
    own = client.post("/login", data=credentials, headers={"Origin": str(client.base_url).rstrip("/")})
    assert own.status_code == 303 and "yagona_session" in client.cookies


def test_the_language_comes_from_lang_then_its_cookie_then_accept_language(client: httpx.Client) -> None:
    uzbek = client.get("/offline", headers={"Accept": "text/html"})
    assert '<html lang="uz">' in uzbek.text and "Tariflar" in uzbek.text and "Bosh sahifa" not in uzbek.text
    assert uzbek.headers["content-language"] == "uz"
    english = client.get("/offline", headers={"Accept": "text/html", "Accept-Language": "en-GB,en;q=0.8"})
    assert '<html lang="en">' in english.text and "You are offline" in english.text
    russian = client.get("/offline?lang=ru", headers={"Accept-Language": "en"})
    assert '<html lang="ru">' in russian.text and "Вы не в сети" in russian.text
    assert russian.cookies["yagona_lang"] == "ru"
    remembered = client.get("/offline", headers={"Accept-Language": "en"})
    assert '<html lang="ru">' in remembered.text
    ignored = client.get("/offline?lang=fr")
    assert '<html lang="ru">' in ignored.text


def test_the_language_form_needs_its_csrf_token(client: httpx.Client) -> None:
    page = client.get("/offline", headers=PAGE)
    refused = client.post("/language", data={"lang": "en", "next": "/offline"}, headers=PAGE)
    assert refused.status_code == 403 and "Форма отклонена" in refused.text
    assert 'name="next" value="/"' in refused.text  # its language form goes home, not to a GET of /language
    assert "yagona_lang" not in refused.cookies
    forged = client.post("/language", data={"lang": "en", "csrf_token": "0" * 64}, headers=PAGE)
    assert forged.status_code == 403
    stranger = httpx.post(  # the right token from another browser (without its cookie)
        f"{client.base_url}/language", data={"lang": "en", "csrf_token": _token(page)}, headers=PAGE
    )
    assert stranger.status_code == 403
    accepted = client.post("/language", data={"lang": "en", "next": "/offline", "csrf_token": _token(page)})
    assert accepted.status_code == 303 and accepted.headers["location"] == "/offline"
    assert accepted.cookies["yagona_lang"] == "en"
    shown = client.get("/offline")
    assert "The language has been changed." in shown.text and '<html lang="en">' in shown.text
    assert "The language has been changed." not in client.get("/offline").text  # a flash is shown once
    # htmx sends the token as a header; an off-site `next` goes home.
    by_header = client.post(
        "/language", data={"lang": "uz", "next": "//evil.example"}, headers={"X-CSRF-Token": _token(shown)}
    )
    assert by_header.status_code == 303 and by_header.headers["location"] == "/"
    bad_form = client.post("/language", data={"csrf_token": _token(shown)}, headers=PAGE)
    assert bad_form.status_code == 422 and "text/html" in bad_form.headers["content-type"]


def test_an_unknown_page_is_a_translated_404_page_and_an_unknown_api_path_a_problem(client: httpx.Client) -> None:
    page = client.get("/no/such/page", headers=PAGE)
    assert page.status_code == 404 and page.headers["content-type"].startswith("text/html")
    assert "Страница не найдена" in page.text and '<html lang="ru">' in page.text
    for machine in ("/api/v1/nothing", "/tmf-api/nothing", "/oauth/nothing"):
        answer = client.get(machine, headers=PAGE)
        assert answer.status_code == 404 and answer.headers["content-type"] == "application/problem+json"
    assert client.get("/no/such/page").headers["content-type"] == "application/problem+json"  # a machine's Accept
    assert client.get("/static/css/app.css", headers=PAGE).status_code == 404  # only hashed names


def test_static_files_are_hashed_immutable_and_compressed(client: httpx.Client) -> None:
    page = client.get("/offline", headers=PAGE)
    urls = set(HASHED.findall(page.text))
    assert {url.split("/")[-1].split(".")[0] for url in urls} >= {"app", "htmx", "icon", "icon-192"}
    for url in urls:
        asset = client.get(url)
        assert asset.status_code == 200, url
        assert asset.headers["cache-control"] == "public, max-age=31536000, immutable"
    css = next(url for url in urls if url.endswith(".css"))
    raw = httpx.get(f"{client.base_url}{css}", headers={"Accept-Encoding": "gzip"})
    assert raw.headers["content-encoding"] == "gzip" and raw.headers["vary"] == "Accept-Encoding"
    assert client.get(css, headers={"Accept-Encoding": "br"}).headers["content-encoding"] == "br"
    htmx = next(url for url in urls if "/htmx.min." in url)
    assert client.get(htmx).text.startswith("/*! htmx.org 2.0.11")
    # Dynamic text answers are compressed too: the pages and the API.
    # The schema is built on its first request (~0.7 s quiet, several seconds on a loaded CI
    # machine), so this request gets a longer wait than httpx's 5 s default.
    schema = client.get("/api/openapi.json", headers={"Accept-Encoding": "gzip"}, timeout=60)
    assert schema.headers["content-encoding"] == "gzip" and schema.json()["info"]["title"] == "Yagona"
    assert int(schema.headers["content-length"]) < len(schema.content)
    assert client.get("/offline", headers={"Accept-Encoding": "gzip"}).headers["content-encoding"] == "gzip"


def test_the_pages_security_headers(client: httpx.Client) -> None:
    page = client.get("/offline", headers=PAGE)
    csp = page.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "style-src 'self'" in csp and "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp and page.headers["x-frame-options"] == "DENY"
    assert page.headers["x-content-type-options"] == "nosniff"
    assert page.headers["cache-control"] == "private, no-cache"  # signed out: no customer data
    assert "<script>" not in page.text and "style=" not in page.text and " on" + "click" not in page.text
    cookie = page.headers["set-cookie"]
    assert "yagona_csrf=" in cookie and "HttpOnly" in cookie and "SameSite=lax" in cookie
    # The API explorer alone may carry inline styles (Swagger UI's style attributes); never scripts.
    docs = client.get("/api/docs").headers["content-security-policy"]
    assert "style-src 'self' 'unsafe-inline'" in docs and "script-src 'self';" in docs


def test_the_web_app_manifest_and_the_service_worker(client: httpx.Client) -> None:
    manifest = client.get("/manifest.webmanifest", headers={"Accept-Language": "ru"})
    assert manifest.headers["content-type"] == "application/manifest+json"
    body = manifest.json()
    assert (body["start_url"], body["display"], body["lang"]) == ("/", "standalone", "ru")
    assert body["name"] == "Yagona" and body["theme_color"].startswith("#")
    sizes = {icon["sizes"]: icon["src"] for icon in body["icons"]}
    assert set(sizes) == {"192x192", "512x512"}
    for size, src in sizes.items():
        icon = client.get(src)
        assert icon.headers["content-type"] == "image/png" and icon.content.startswith(b"\x89PNG")
        width = int.from_bytes(icon.content[16:20], "big")
        assert f"{width}x{width}" == size
    worker = client.get("/sw.js")
    assert worker.headers["content-type"] == "text/javascript; charset=utf-8"
    assert worker.headers["cache-control"] == "no-cache"
    precached = set(HASHED.findall(worker.text))
    assert precached and all(client.get(url).status_code == 200 for url in precached)
    assert '"/offline"' in worker.text and "LICENSE" not in worker.text


def test_every_unsafe_page_route_of_the_app_checks_csrf(app: FastAPI) -> None:
    pages = [route for route in all_routes(app.routes) if isinstance(route, PageRoute)]
    assert {route.path for route in pages} >= {"/", "/language", "/offline"}
    for route in pages:
        if route.methods - {"GET", "HEAD"}:
            assert any(d.dependency is verify_csrf for d in route.dependencies), route.path
