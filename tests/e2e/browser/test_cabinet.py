"""The customer's walk in Debian's Chromium at 360×740: sign up with the SMS code from the
dev outbox, the dashboard with the line as `+998 90 123 45 67` and its balance, the line,
the wallet and a receipt, Russian and back, sign out — axe on every page on the way."""

from __future__ import annotations

from pathlib import Path

import httpx
from fastapi import FastAPI
from playwright.sync_api import Page

from tests.e2e.browser.axe import assert_accessible
from tests.e2e.browser.screenshots import screenshot
from tests.factories.identity import last_code
from yagona.app.bootstrap import Container

PHONE = "998901234567"
STAFF = {"X-Api-Key": "test-staff-key"}


def _code(container: Container, app: FastAPI) -> str:
    with container.uow() as uow:
        return last_code(uow, app.state.identity, PHONE)


def test_a_customer_signs_up_and_walks_the_cabinet(
    page: Page, base_url: str, app: FastAPI, container: Container, tmp_path: Path
) -> None:
    with httpx.Client(base_url=base_url, headers=STAFF, timeout=10) as staff:
        made = staff.post("/api/v1/lines", json={"msisdn": PHONE, "plan": "lider-start", "deposit": 200_000})
        assert made.status_code == 201, made.text

    page.goto("/")
    assert page.url.endswith("/login")
    assert_accessible(page)
    page.get_by_label("Telefon raqami").fill(PHONE)
    page.get_by_role("button", name="SMS orqali kod yuborish").click()
    page.wait_for_url("**/login/code")
    assert page.get_by_role("heading", level=1).inner_text() == "Kodni kiriting", page.content()
    assert_accessible(page)
    page.get_by_label("SMS'dagi kod").fill("000000" if _code(container, app) != "000000" else "111111")
    page.get_by_role("button", name="Kirish").click()
    assert page.get_by_role("alert").is_visible()  # a wrong code: said in Uzbek
    assert page.locator("html").get_attribute("lang") == "uz"
    assert_accessible(page)
    page.get_by_label("SMS'dagi kod").fill(_code(container, app))
    page.get_by_role("button", name="Kirish").click()

    page.get_by_label("Ismingiz").fill("Dilnoza")  # no profile holds the phone: sign up
    assert_accessible(page)
    page.get_by_label("Xizmat ko'rsatish shartlari va maxfiylik siyosatini qabul qilaman").check()
    page.get_by_role("button", name="Ro'yxatdan o'tish").click()
    page.wait_for_url(lambda url: url.endswith("/"))

    line = page.get_by_role("link", name="+998 90 123 45 67")
    assert line.is_visible()
    assert "160 000 so'm" in page.locator("main").inner_text().replace("\u00a0", " ")
    assert_accessible(page)
    screenshot(page, "portal-360-dashboard", tmp_path)

    # A wallet and a receipt, made through the customer's REST with the page's session.
    cookies = {c["name"]: c["value"] for c in page.context.cookies()}
    with httpx.Client(base_url=base_url, cookies=cookies, timeout=10) as me:
        made = me.post(
            "/api/v1/me/wallet",
            json={"pin": "24680", "birth_date": "1990-05-17", "accept_offer": True, "offer_version": "2020-03-28"},
        )
        assert made.status_code == 201, made.text
        topup = me.post(
            "/api/v1/me/wallet/topups",
            json={"amount": 5000, "card_number": "8600123412341234"},
            headers={"X-Wallet-Pin": "24680", "Idempotency-Key": "walk-1"},
        )
        assert topup.status_code == 201, topup.text
        number = topup.json()["number"]

    line.click()
    page.wait_for_url(f"**/lines/{PHONE}")
    assert page.get_by_role("heading", level=1).inner_text() == "+998 90 123 45 67 raqami"
    assert_accessible(page)
    screenshot(page, "portal-360-line", tmp_path)

    page.get_by_role("link", name="Hamyon", exact=True).click()
    page.wait_for_url("**/wallet")
    assert_accessible(page)
    screenshot(page, "portal-360-wallet", tmp_path)
    page.locator(f"a[href='/wallet/receipts/{number}']").click()
    page.wait_for_url(f"**/wallet/receipts/{number}")
    assert number in page.get_by_role("heading", level=1).inner_text()
    assert_accessible(page)

    page.get_by_role("button", name="Русский").click()
    page.wait_for_url(f"**/wallet/receipts/{number}")
    assert page.locator("html").get_attribute("lang") == "ru"
    assert page.get_by_role("heading", level=1).inner_text() == f"Чек {number}"
    assert_accessible(page)
    page.goto("/")
    assert page.get_by_role("heading", level=1).inner_text() == "Мои услуги"
    assert_accessible(page)
    page.get_by_role("button", name="O'zbekcha").click()
    page.wait_for_url(lambda url: url.endswith("/"))
    assert page.locator("html").get_attribute("lang") == "uz"

    page.get_by_role("button", name="Chiqish").click()
    page.wait_for_url("**/login")
    assert page.get_by_role("status").inner_text() == "Siz tizimdan chiqdingiz."
    page.goto(f"/lines/{PHONE}")
    assert "/login" in page.url


def test_a_signed_out_visitor_is_sent_to_sign_in(page: Page) -> None:
    for path in ("/lines/998901112233", "/wallet"):
        response = page.goto(path)
        assert response is not None and "/login" in page.url
    assert_accessible(page)
