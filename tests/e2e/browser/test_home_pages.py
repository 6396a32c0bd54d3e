"""The home-internet page in Debian's Chromium at 360×740: a verified customer with money on
the account sees the state, plan, balance, next fee, IPTV packages and the two ways to pay;
Russian too; another customer's contract is the 404 page; signed out, the sign-in page.
axe on every page."""

from __future__ import annotations

import re
from pathlib import Path

from fastapi import FastAPI
from playwright.sync_api import Page, expect

from tests.e2e.browser.axe import assert_accessible
from tests.e2e.browser.screenshots import screenshot
from tests.e2e.browser.test_account_pages import context_for
from tests.factories import home as factory
from tests.factories import wallet as wallets
from tests.factories.identity import PASSWORD, customer, last_code
from yagona.app.bootstrap import Container
from yagona.home import service
from yagona.kernel.money import Money
from yagona.platform.settings import Settings

PHONE, OTHER = "998901234567", "998901112233"


def _connected(container: Container, app: FastAPI) -> None:
    ctx = app.state.identity
    with container.uow() as uow:
        holder, account = factory.request(uow, ctx, PHONE, equipment=("router-wifi",), packages=("tv-asosiy",))
        factory.request(uow, ctx, OTHER, plan="uy-50")  # 10000002: somebody else's
        service.top_up(uow, contract=account.contract, amount=Money.of_som(200_000), idempotency_key="desk")
        uow.commit()
    factory.verify(container.uow, ctx, holder.id, "31203901230012")


def _sign_in(page: Page, container: Container, app: FastAPI) -> None:
    page.goto("/login")
    page.get_by_label("Telefon raqami").fill(PHONE)
    page.get_by_role("button", name="SMS orqali kod yuborish").click()
    page.wait_for_url("**/login/code")
    with container.uow() as uow:
        code = last_code(uow, app.state.identity, PHONE)
    page.get_by_label("SMS'dagi kod").fill(code)
    page.get_by_role("button", name="Kirish").click()
    page.wait_for_url(lambda url: url.endswith("/"))


def test_the_home_internet_page(page: Page, app: FastAPI, container: Container, tmp_path: Path) -> None:
    _connected(container, app)
    page.goto("/internet/10000001")
    assert "/login" in page.url  # signed out: sign in first
    assert_accessible(page)

    _sign_in(page, container, app)
    page.goto("/internet/10000001")
    main = page.locator("main").inner_text().replace("\u00a0", " ")
    assert page.get_by_role("heading", level=1).inner_text() == "Uy interneti 10000001"
    assert "Holati: Faol" in main
    assert "Uy 100 (demo)" in main and "100 Mbit/s" in main
    assert "16 000 so'm" in main  # 200 000 - (149 000 + 10 000 + 25 000)
    assert "Asosiy (demo)" in main
    wallet = page.get_by_role("link", name="Hamyondan to'lash")
    assert wallet.get_attribute("href") == "/wallet/pay?provider=home-internet&account=10000001"
    assert page.get_by_role("link", name="Karta bilan to'lash").get_attribute("href") == "/pay/home/10000001"
    assert_accessible(page)
    screenshot(page, "portal-360-internet", tmp_path)

    page.get_by_role("button", name="Русский").click()
    page.wait_for_url("**/internet/10000001")
    assert page.get_by_role("heading", level=1).inner_text() == "Домашний интернет 10000001"
    assert "Базовый (демо)" in page.locator("main").inner_text()
    assert_accessible(page)

    for somebody_elses in ("/internet/10000002", "/internet/10000099", "/internet/abc"):
        answer = page.goto(somebody_elses)
        assert answer is not None and answer.status == 404, somebody_elses
    assert_accessible(page)


def test_a_customer_asks_for_home_internet_on_the_portal(
    page: Page, app: FastAPI, container: Container, tmp_path: Path
) -> None:
    with container.uow() as uow:
        customer(uow, app.state.identity, PHONE)
        uow.commit()
    page.goto("/internet/new")
    assert "/login" in page.url
    _sign_in(page, container, app)
    page.goto("/internet/new")
    assert page.get_by_role("heading", level=1).inner_text() == "Uy internetiga ariza"
    assert_accessible(page)
    screenshot(page, "portal-360-internet-new", tmp_path)

    page.get_by_label("Manzil").fill("     ")  # spaces only: refused by the service, said in Uzbek
    page.get_by_role("button", name="Arizani yuborish").click()
    assert page.get_by_role("alert").is_visible()
    assert_accessible(page)
    with container.uow() as uow:
        assert service.list_contracts(uow) == []  # nothing written

    page.get_by_label("Manzil").fill("Toshkent, Yunusobod 4-mavze, 12-uy")
    page.get_by_label("Tarif").select_option("uy-100")
    page.get_by_label("Wi-Fi router ijarasi (demo): oyiga 10 000 so'm").check()
    page.get_by_label("Kino (demo): oyiga 30 000 so'm").check()
    page.get_by_role("button", name="Arizani yuborish").click()
    page.wait_for_url("**/internet/10000001")
    main = page.locator("main").inner_text().replace("\u00a0", " ")
    assert "Arizangiz qabul qilindi." in main
    assert "Holati: OneID orqali shaxsingiz tasdiqlanishi kutilmoqda" in main
    assert "Kino (demo)" in main
    assert_accessible(page)


def test_a_customer_asks_verifies_with_oneid_pays_and_sees_it_on_the_dashboard(
    page: Page, base_url: str, app: FastAPI, container: Container, settings: Settings
) -> None:
    """Issue 11's walk: request → the national OneID (the simulator) → active → pay → dashboard."""
    app.state.identity = context_for(settings, base_url)
    with container.uow() as uow:
        holder = customer(uow, app.state.identity, PHONE)
        wallets.register(uow, PHONE, customer_id=holder.id)
        wallets.top_up(uow, PHONE, Money.of_som(300_000).tiyin)
        uow.commit()
    page.goto("/login?lang=en")
    page.get_by_label("Phone number").fill(PHONE)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in with the password").click()
    page.wait_for_url(lambda url: url.endswith("/"))

    page.get_by_role("link", name="Ask for home internet").click()
    page.get_by_label("Address").fill("Toshkent, Yunusobod 4-mavze, 12-uy")
    page.get_by_label("Plan").select_option("uy-100")
    page.get_by_role("button", name="Send the request").click()
    page.wait_for_url("**/internet/10000001")
    expect(page.locator("main")).to_contain_text("State: Waiting for your identity check through OneID")

    page.goto("/account/profile")
    page.get_by_role("link", name="Verify with OneID").click()
    page.wait_for_url("**/account/profile")
    expect(page.get_by_text("Your identity has been verified with OneID.")).to_be_visible()
    page.goto("/internet/10000001")
    expect(page.locator("main")).to_contain_text("Suspended")  # verified: activated, but nothing paid in yet
    assert_accessible(page)

    page.get_by_role("link", name="Pay from the wallet").click()
    page.wait_for_url("**/wallet/pay?provider=home-internet&account=10000001")
    page.get_by_label("Amount, so'm").fill("200000")
    page.get_by_role("button", name="Continue").click()
    page.get_by_label("Wallet PIN").fill(wallets.PIN)
    page.get_by_role("button", name="Confirm").click()
    page.wait_for_url(re.compile(r".*/wallet/receipts/W\d+$"))

    page.goto("/")
    card = page.get_by_role("article", name="Home internet 10000001")
    expect(card).to_contain_text("Toshkent, Yunusobod 4-mavze, 12-uy")
    expect(card).to_contain_text("State: Active")
    assert_accessible(page)
    with container.uow() as uow:
        assert service.state(uow, contract="10000001").state == "active"
