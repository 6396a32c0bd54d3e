"""The account pages in Debian's Chromium at 360×740: sign in → security: enrol an
authenticator app from the key shown on the page → sign out → sign-in asks for its code →
profile: Russian, kept in the profile (cookies gone, still Russian after signing in) →
report unauthorised access → signed out everywhere; then the national OneID button against
the simulator: refused for an unlinked person, verifies the signed-in profile, then signs
in. axe on every page on the way."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pyotp
from fastapi import FastAPI
from playwright.sync_api import BrowserContext, Page

from tests.e2e.browser.axe import assert_accessible
from tests.e2e.browser.screenshots import screenshot
from tests.factories.identity import PASSWORD, customer
from tests.factories.identity import context as identity_context
from yagona.app.bootstrap import Container
from yagona.identity import service
from yagona.kernel.clock import SimulatedClock
from yagona.platform.settings import Settings

PHONE = "998901234567"


def _sign_in(page: Page, totp: pyotp.TOTP | None = None, clock: SimulatedClock | None = None) -> None:
    page.locator("#phone").fill(PHONE)
    page.locator("#password").fill(PASSWORD)
    page.locator("form[action='/login'] button:not([formaction])").click()
    if totp is not None and clock is not None:
        page.locator("#totp").wait_for()  # the password is right: now the authenticator's code
        assert page.get_by_role("alert").is_visible()
        assert_accessible(page)
        clock.advance_by(timedelta(seconds=30))  # each 30-second step is accepted once
        page.locator("#phone").fill(PHONE)
        page.locator("#password").fill(PASSWORD)
        page.locator("#totp").fill(totp.at(clock.now()))
        page.locator("form[action='/login'] button:not([formaction])").click()
    page.wait_for_url(lambda url: "/login" not in url)


def _sign_out(page: Page) -> None:
    page.locator("form.sign-out button").click()
    page.wait_for_url("**/login")


def test_security_profile_and_report_in_the_browser(
    *,
    page: Page,
    context: BrowserContext,
    base_url: str,
    app: FastAPI,
    container: Container,
    clock: SimulatedClock,
    settings: Settings,
    tmp_path: Path,
) -> None:
    app.state.identity = context_for(settings, base_url)
    with container.uow() as uow:
        customer(uow, app.state.identity)
        uow.commit()

    page.goto("/account/security")
    assert "/login?next=/account/security" in page.url
    _sign_in(page)
    assert page.url.endswith("/account/security")
    assert page.locator("html").get_attribute("lang") == "uz"
    assert page.get_by_text("Shu qurilma", exact=True).is_visible()  # this device, marked
    assert_accessible(page)

    page.get_by_role("button", name="Autentifikator ilovasini sozlash").click()
    qr = page.get_by_role("img", name="Autentifikatorni sozlash uchun QR kod")
    assert qr.is_visible() and (qr.get_attribute("src") or "").startswith("data:image/svg+xml")
    secret = page.locator("#totp-secret").inner_text().replace(" ", "")
    totp = pyotp.TOTP(secret)
    assert_accessible(page)
    screenshot(page, "portal-360-security", tmp_path)
    page.get_by_label("Ilova ko'rsatgan kod").fill(totp.at(clock.now()))
    page.get_by_role("button", name="Yoqish").click()
    page.wait_for_url("**/account/security")
    assert page.get_by_text("Autentifikator ilovasi yoqildi").is_visible()
    assert_accessible(page)

    _sign_out(page)
    _sign_in(page, totp, clock)

    page.goto("/account/profile")
    assert page.get_by_text("Dilnoza Alimova").is_visible()
    assert page.get_by_text("+998 90 123 45 67").is_visible()
    assert_accessible(page)
    screenshot(page, "portal-360-profile", tmp_path)
    page.get_by_label("Kabinet va xabarlarimiz tili").select_option("ru")
    page.get_by_role("button", name="Tilni saqlash").click()
    page.wait_for_url("**/account/profile")
    assert page.locator("html").get_attribute("lang") == "ru"
    assert page.get_by_text("Язык изменён").is_visible()
    assert_accessible(page)

    _sign_out(page)
    context.clear_cookies()  # no language cookie left: the profile alone says Russian
    page.goto("/login")
    assert page.locator("html").get_attribute("lang") == "uz"
    _sign_in(page, totp, clock)
    page.goto("/account/security")
    assert page.locator("html").get_attribute("lang") == "ru"
    assert page.get_by_role("heading", name="Безопасность", level=1).is_visible()

    page.get_by_role("link", name="Это не вы? Сообщите о несанкционированном входе").click()  # noqa: RUF001
    page.wait_for_url("**/account/report")
    assert_accessible(page)
    page.get_by_role("button", name="Выйти везде сейчас").click()
    page.wait_for_url("**/account/report/done")
    assert page.get_by_role("heading", level=1).is_visible()
    assert_accessible(page)
    page.goto("/account/security")
    assert "/login" in page.url  # signed out


def test_the_oneid_button_with_the_simulator(
    page: Page, base_url: str, app: FastAPI, container: Container, settings: Settings
) -> None:
    app.state.identity = context_for(settings, base_url)
    with container.uow() as uow:
        customer(uow, app.state.identity)
        uow.commit()

    page.goto("/login")
    assert_accessible(page)
    page.get_by_role("link", name="OneID orqali kirish").click()
    page.wait_for_url("**/login")  # nobody is linked to this person yet: told so
    assert "OneID hali hech qaysi profilga" in page.get_by_role("main").inner_text()
    assert_accessible(page)

    _sign_in(page)
    page.goto("/account/profile")
    page.get_by_role("link", name="OneID orqali tasdiqlash").click()
    page.wait_for_url("**/account/profile")
    assert page.get_by_text("Shaxsingiz OneID orqali tasdiqlandi.").is_visible()
    assert page.get_by_text("OneID orqali tasdiqlangan", exact=True).is_visible()
    assert_accessible(page)

    _sign_out(page)
    page.get_by_role("link", name="OneID orqali kirish").click()
    page.wait_for_url(lambda url: url.endswith("/"))
    assert page.get_by_text("Siz OneID orqali kirdingiz.").is_visible()
    assert_accessible(page)


def context_for(settings: Settings, url: str) -> service.IdentityContext:
    """One ID's context pointing OneID at the simulator of this server."""
    return identity_context(
        settings,
        issuer=url,
        oneid_endpoint=f"{url}/oneid-simulator/sso/oauth/Authorization.do",
        oneid_redirect_uri=f"{url}/api/v1/auth/oneid/callback",
    )
