"""The portal's shell in Debian's Chromium on a 360×740 phone: the front door, languages,
the 404 page, CSRF, static files, compression, the PWA — and axe on every page."""

from __future__ import annotations

import re
from pathlib import Path

from playwright.sync_api import BrowserContext, Page, Response

from tests.e2e.browser.axe import assert_accessible, violations
from tests.e2e.browser.screenshots import screenshot

HASHED = re.compile(r"/static/.+\.[0-9a-f]{12}\.(css|js|svg|png)$")


def test_a_signed_out_visitor_lands_on_the_sign_in_page(page: Page, tmp_path: Path) -> None:
    response = page.goto("/")
    assert response is not None and response.ok
    assert page.url.endswith("/login")
    assert page.locator("input[name=phone]").is_visible()
    screenshot(page, "portal-360-login", tmp_path)


def test_the_sign_in_page_is_accessible(page: Page) -> None:
    page.goto("/login")
    assert_accessible(page)


def test_the_layout_speaks_the_visitors_language_and_remembers_a_choice(page: Page, tmp_path: Path) -> None:
    page.goto("/offline")
    assert page.locator("html").get_attribute("lang") == "uz"
    assert page.get_by_role("link", name="Tariflar").is_visible()
    assert page.get_by_role("heading", level=1).inner_text() == "Siz oflayndasiz"
    assert_accessible(page)
    screenshot(page, "portal-360-layout-uz", tmp_path)

    page.goto("/offline?lang=ru")
    assert page.locator("html").get_attribute("lang") == "ru"
    assert page.get_by_role("link", name="Тарифы").is_visible()
    assert page.get_by_role("button", name="Русский").get_attribute("aria-pressed") == "true"
    assert_accessible(page)

    page.goto("/offline")  # no ?lang=: the cookie remembers
    assert page.locator("html").get_attribute("lang") == "ru"
    assert page.get_by_role("heading", level=1).inner_text() == "Вы не в сети"

    page.get_by_role("button", name="English").click()  # the switcher is a form with its token
    page.wait_for_url("**/offline")
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.get_by_role("status").inner_text() == "The language has been changed."
    assert page.get_by_role("heading", level=1).inner_text() == "You are offline"
    assert_accessible(page)
    page.reload()
    assert page.locator("html").get_attribute("lang") == "en" and page.get_by_role("status").count() == 0


def test_an_unknown_page_is_a_translated_404(page: Page, tmp_path: Path) -> None:
    response = page.goto("/no/such/page?lang=ru")
    assert response is not None and response.status == 404
    assert page.locator("html").get_attribute("lang") == "ru"
    assert page.get_by_role("heading", level=1).inner_text() == "Страница не найдена"
    assert_accessible(page)
    screenshot(page, "portal-360-404-ru", tmp_path)


def test_a_form_without_its_token_is_refused_in_the_visitors_language(page: Page) -> None:
    page.goto("/offline")
    page.evaluate("document.querySelector('form.languages input[name=csrf_token]').remove()")
    with page.expect_navigation() as navigation:
        page.get_by_role("button", name="Русский").click()
    refused = navigation.value
    assert refused is not None and refused.status == 403
    assert page.locator("html").get_attribute("lang") == "uz"  # nothing was changed
    assert page.get_by_role("heading", level=1).inner_text() == "Shakl qabul qilinmadi"
    assert_accessible(page)
    # The same from outside the page: a cross-site form has no token either.
    posted = page.request.post("/language", form={"lang": "ru", "next": "/"}, max_redirects=0)
    assert posted.status == 403


def test_static_assets_are_hashed_immutable_and_compressed(page: Page, context: BrowserContext) -> None:
    answered: list[Response] = []
    page.on("response", lambda response: answered.append(response))  # noqa: PLW0108 - Playwright wraps a Python function, not a bound builtin
    page.goto("/offline")
    page.wait_for_load_state("networkidle")
    assets = [response for response in answered if "/static/" in response.url]
    kinds = {response.url.rsplit(".", 1)[-1] for response in assets}
    assert {"css", "js"} <= kinds
    for response in assets:
        assert HASHED.search(response.url), response.url
        headers = response.all_headers()
        assert headers["cache-control"] == "public, max-age=31536000, immutable"
        if response.url.endswith((".css", ".js")):
            assert headers.get("content-encoding") in {"br", "gzip"}, response.url  # Chromium asks for br
    stylesheet = next(response.url for response in assets if response.url.endswith(".css"))
    zipped = context.request.get(stylesheet, headers={"Accept-Encoding": "gzip"})
    assert zipped.headers["content-encoding"] == "gzip"
    document = next(response for response in answered if response.url.endswith("/offline"))
    assert document.all_headers().get("content-encoding") in {"br", "gzip"}


def test_the_app_is_installable_and_works_offline(page: Page, context: BrowserContext) -> None:
    manifest = context.request.get("/manifest.webmanifest")
    assert manifest.headers["content-type"] == "application/manifest+json"
    assert manifest.json()["display"] == "standalone"
    worker = context.request.get("/sw.js")
    assert worker.headers["content-type"] == "text/javascript; charset=utf-8"

    page.goto("/offline")
    assert page.evaluate("navigator.serviceWorker.ready.then(r => r.active !== null)")
    page.reload()  # now controlled by the worker
    assert page.evaluate("navigator.serviceWorker.controller !== null")
    context.set_offline(True)
    try:
        page.goto("/somewhere/else")
        assert page.get_by_role("heading", level=1).inner_text() == "Siz oflayndasiz"
    finally:
        context.set_offline(False)


def test_axe_finds_nothing_serious_on_the_shells_pages(page: Page) -> None:
    for path in ("/offline", "/offline?lang=ru", "/offline?lang=en", "/no/such/page"):
        page.goto(path)
        serious = [v for v in violations(page) if v["impact"] in {"serious", "critical"}]
        assert not serious, (path, serious)
