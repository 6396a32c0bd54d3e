"""The wallet's walk in Debian's Chromium at 360×740: sign in, open a wallet, top up by card
with the simulator's test card (a wrong PIN first), pay a utility with its holder (masked),
the amount due and the commission shown before the PIN, open the receipt, transfer to
another wallet, filter the history — axe on every page on the way, screenshots for
docs/portal.md."""

from __future__ import annotations

import re
from pathlib import Path

from fastapi import FastAPI
from playwright.sync_api import Page

from tests.e2e.browser.axe import assert_accessible
from tests.e2e.browser.screenshots import screenshot
from tests.factories import wallet as wallets
from tests.factories.identity import PASSWORD, customer
from yagona.app.bootstrap import Container

DILNOZA, BOBUR = "998901234567", "998901112233"


def _main(page: Page) -> str:
    return page.locator("main").inner_text().replace("\u00a0", " ").replace("\u202f", " ")


def test_a_customer_tops_up_pays_transfers_and_reads_the_history(
    page: Page, app: FastAPI, container: Container, tmp_path: Path
) -> None:
    with container.uow() as uow:
        customer(uow, app.state.identity, DILNOZA)
        bobur = customer(uow, app.state.identity, BOBUR)
        wallets.register(uow, BOBUR, customer_id=bobur.id)
        uow.commit()

    page.goto("/login?lang=en")
    page.get_by_label("Phone number").fill(DILNOZA)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in with the password").click()
    page.wait_for_url(lambda url: url.endswith("/"))

    page.get_by_role("link", name="Wallet", exact=True).click()
    page.wait_for_url("**/wallet")
    assert "You have no wallet yet." in _main(page)
    assert_accessible(page)
    page.get_by_role("link", name="Open a wallet").click()
    page.wait_for_url("**/wallet/open")
    assert_accessible(page)
    screenshot(page, "portal-360-wallet-open", tmp_path)
    page.get_by_label("Create a wallet PIN (4 to 6 digits)").fill(wallets.PIN)
    page.get_by_label("Your birth date").fill("1990-05-17")
    page.get_by_label("I accept the public offer of the e-wallet (edition 2020-03-28)").check()
    page.get_by_role("button", name="Open the wallet").click()
    page.wait_for_url("**/wallet")
    assert page.get_by_role("status").inner_text() == "Your wallet is open."
    assert page.locator(f"a[href='/pay/wallet/{DILNOZA}']").is_visible()
    assert_accessible(page)

    # Top up by card: the simulator's test card is offered; a wrong PIN is said, then the right one.
    page.get_by_role("link", name="Top up by card").click()
    page.wait_for_url("**/wallet/topup")
    assert page.get_by_label("Card number").input_value() == "8600000000000001"
    assert_accessible(page)
    screenshot(page, "portal-360-wallet-topup", tmp_path)
    page.get_by_label("Amount, so'm").fill("200000")
    page.get_by_role("button", name="Continue").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Check and confirm"
    assert "200,000 so'm" in _main(page)
    page.get_by_label("Wallet PIN").fill("11111")
    page.get_by_role("button", name="Confirm").click()
    assert page.get_by_role("alert").inner_text() == "wrong PIN"
    assert_accessible(page)
    page.get_by_label("Wallet PIN").fill(wallets.PIN)
    page.get_by_role("button", name="Confirm").click()
    page.wait_for_url(re.compile(r".*/wallet/receipts/W\d+$"))
    assert "Completed" in _main(page)
    assert_accessible(page)

    # Pay a provider: the commission and the total before the PIN.
    page.goto("/wallet")
    page.get_by_role("link", name="Pay for a service").click()
    page.wait_for_url("**/wallet/pay")
    assert_accessible(page)
    screenshot(page, "portal-360-wallet-pay", tmp_path)
    page.get_by_label("Service").select_option("electricity")
    page.get_by_label("Account or number").fill("1234567890")
    page.get_by_label("Amount, so'm").fill("5000")
    page.get_by_role("button", name="Continue").click()
    summary = _main(page)
    assert "Commission\n100 so'm" in summary or "Commission 100 so'm" in summary, summary
    assert "5,100 so'm" in summary
    # The utility's biller knows the account: its holder (masked) and what is due.
    assert "Account holder" in summary and "B***r R*****v" in summary and "Amount due" in summary, summary
    assert_accessible(page)
    screenshot(page, "portal-360-wallet-confirm", tmp_path)
    page.get_by_label("Wallet PIN").fill(wallets.PIN)
    page.get_by_role("button", name="Confirm").click()
    page.wait_for_url(re.compile(r".*/wallet/receipts/W\d+$"))
    payment_url = page.url
    assert "1234567890" in _main(page) and "5,100 so'm" in _main(page)
    assert_accessible(page)
    screenshot(page, "portal-360-wallet-receipt", tmp_path)

    # A transfer to another wallet.
    page.get_by_role("link", name="Back to the wallet").click()
    page.get_by_role("link", name="Transfer to another wallet").click()
    page.wait_for_url("**/wallet/transfer")
    assert_accessible(page)
    page.get_by_label("The recipient's wallet: phone number").fill("+998 90 111 22 33")
    page.get_by_label("Amount, so'm").fill("20000")
    page.get_by_role("button", name="Continue").click()
    assert "+998 90 111 22 33" in _main(page)
    page.get_by_label("Wallet PIN").fill(wallets.PIN)
    page.get_by_role("button", name="Confirm").click()
    page.wait_for_url(re.compile(r".*/wallet/receipts/W\d+$"))
    assert "Transfer" in _main(page)

    # The history, filtered by kind: the payment alone, linking its receipt.
    page.goto("/wallet")
    screenshot(page, "portal-360-wallet-actions", tmp_path)
    page.get_by_role("link", name="All operations").click()
    page.wait_for_url("**/wallet/history")
    assert page.locator("main a[href^='/wallet/receipts/']").count() == 3
    page.get_by_label("Kind of operation").select_option("payment")
    page.get_by_role("button", name="Show").click()
    page.wait_for_url("**/wallet/history?kind=payment")
    links = page.locator("main a[href^='/wallet/receipts/']")
    assert links.count() == 1 and payment_url.endswith(links.first.get_attribute("href") or "?")
    assert_accessible(page)
    screenshot(page, "portal-360-wallet-history", tmp_path)

    with container.uow() as uow:
        assert wallets.service.get(uow, phone=BOBUR).balance == wallets.som(20_000)
