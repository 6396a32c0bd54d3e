""" "Pay with Payme / Click" in Debian's Chromium at 360×740: signed out the page sends the
visitor to sign in; signed in, the customer types an amount on their line's page and gets the
two payment systems' checkout links for exactly that amount, account and language — axe on
each page on the way (no serious or critical violation)."""

from __future__ import annotations

import base64
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from fastapi import FastAPI
from playwright.sync_api import Page

from tests.e2e.browser.axe import assert_accessible
from tests.e2e.browser.screenshots import screenshot
from tests.factories import home as home_factory
from tests.factories import lines as line_factory
from tests.factories.identity import PASSWORD, customer
from yagona.app.bootstrap import TEST_CLICK_MERCHANT, TEST_CLICK_SERVICE, TEST_PAYME_MERCHANT, Container

PHONE = "998901234567"


def test_a_customer_gets_the_payme_and_click_links_for_their_line(
    page: Page, base_url: str, app: FastAPI, container: Container, tmp_path: Path
) -> None:
    with container.uow() as uow:
        customer(uow, app.state.identity, PHONE)
        line_factory.connect(uow, PHONE)
        uow.commit()

    page.goto(f"/pay/line/{PHONE}")
    page.wait_for_url(lambda url: "/login?next=" in url)
    assert_accessible(page)  # signed out: the sign-in page, coming back here after
    page.get_by_label("Telefon raqami").fill(PHONE)
    page.get_by_label("Parol").fill(PASSWORD)
    page.get_by_role("button", name="Parol bilan kirish").click()
    page.wait_for_url(lambda url: "/login" not in url)
    page.goto(f"/pay/line/{PHONE}")  # (the line's page links here)
    assert page.get_by_role("heading", level=1).inner_text() == "Payme yoki Click orqali to'lash"
    assert_accessible(page)
    page.get_by_label("Summa, so'm").fill("500")
    page.get_by_role("button", name="To'lov havolalarini ko'rsatish").click()
    assert page.get_by_role("alert").is_visible()  # under the smallest payment: said, no link
    assert page.get_by_role("link", name="Payme orqali to'lash").count() == 0
    assert_accessible(page)

    page.get_by_label("Summa, so'm").fill("25000")
    page.get_by_role("button", name="To'lov havolalarini ko'rsatish").click()
    payme = urlsplit(page.get_by_role("link", name="Payme orqali to'lash").get_attribute("href") or "")
    assert payme.netloc == "checkout.paycom.uz"
    assert base64.b64decode(payme.path[1:]).decode() == (
        f"m={TEST_PAYME_MERCHANT};ac.phone={PHONE};a=2500000;l=uz;c={base_url}/lines/{PHONE}"
    )
    click = urlsplit(page.get_by_role("link", name="Click orqali to'lash").get_attribute("href") or "")
    assert f"{click.netloc}{click.path}" == "my.click.uz/services/pay"
    assert parse_qs(click.query) == {
        "service_id": [TEST_CLICK_SERVICE], "merchant_id": [TEST_CLICK_MERCHANT], "amount": ["25000"],
        "transaction_param": [PHONE], "return_url": [f"{base_url}/lines/{PHONE}"],
    }  # fmt: skip
    assert_accessible(page)
    screenshot(page, "payments-360-pay", tmp_path)


def test_a_customer_pays_their_home_account_from_its_page(
    page: Page, base_url: str, app: FastAPI, container: Container
) -> None:
    with container.uow() as uow:
        customer(uow, app.state.identity, PHONE)
        contract = home_factory.request(uow, app.state.identity, PHONE)[1].contract
        uow.commit()
    page.goto(f"/pay/home/{contract}")
    page.wait_for_url(lambda url: "/login?next=" in url)
    page.get_by_label("Telefon raqami").fill(PHONE)
    page.get_by_label("Parol").fill(PASSWORD)
    page.get_by_role("button", name="Parol bilan kirish").click()
    page.wait_for_url(lambda url: "/login" not in url)
    page.goto(f"/pay/home/{contract}")  # (the home internet page links here)
    assert page.get_by_role("heading", level=2).first.inner_text() == f"Uy interneti hisobiga to'lash: {contract}"
    assert_accessible(page)
    page.get_by_label("Summa, so'm").fill("120000")
    page.get_by_role("button", name="To'lov havolalarini ko'rsatish").click()
    payme = urlsplit(page.get_by_role("link", name="Payme orqali to'lash").get_attribute("href") or "")
    assert f";ac.home={contract};a=12000000;" in base64.b64decode(payme.path[1:]).decode()
    click = urlsplit(page.get_by_role("link", name="Click orqali to'lash").get_attribute("href") or "")
    assert parse_qs(click.query)["transaction_param"] == [f"H{contract}"]
    assert page.get_by_role("link", name="Uy internetiga qaytish").get_attribute("href") == f"/internet/{contract}"
    assert_accessible(page)
