"""Utility payments over a real socket, on SQLite and PostgreSQL, with the biller reached
over HTTP at the server's own simulator (`/biller-simulator`, known once the port is): the
pay page's quote step shows the account's holder (masked) and the amount due, the payment
carries the biller's confirmation to the receipt (page and REST); an unknown account, a
malformed one, a biller that answers late or is down are refused — and nothing is written.
The ledger verifies after each test (the `container` fixture)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

import httpx
import pytest

from tests.e2e.server import serving
from tests.e2e.test_wallet_pages import DILNOZA, PIN, STAFF, Site, alert, confirm, review, site, text
from tests.factories import wallet as wallets
from yagona.app.api import create_app
from yagona.app.bootstrap import Container
from yagona.kernel.errors import YagonaError
from yagona.platform.settings import Settings
from yagona.wallet import service
from yagona.wallet.biller import HttpBiller

__all__ = ["site"]  # the wallet pages' fixture, used here too
ME = "/api/v1/me/wallet"
SAID = {
    "not_found": "Не найдено",  # noqa: RUF001 - Russian
    "invalid_request": "Неверный запрос",
    "biller_unavailable": "Поставщик услуги сейчас не отвечает. Ничего не оплачено, попробуйте позже",
}
TIMEOUT_S = 0.5  # the wallet's wait; the simulator's late answer comes a second after it


@pytest.fixture
def billed(site: Site) -> Iterator[Site]:
    """Dilnoza's wallet with 200 000 so'm, the biller over HTTP with a short timeout."""
    context = service.current()
    settings = context.settings.model_copy(update={"biller_timeout_s": TIMEOUT_S})
    biller = HttpBiller(base_url=f"{site.url}/biller-simulator", timeout_s=TIMEOUT_S)
    service.configure(replace(context, settings=settings, biller=biller))
    site.wallet(DILNOZA)
    with httpx.Client(base_url=site.url, headers=STAFF, timeout=10) as staff:
        funded = staff.post(
            f"/api/v1/wallets/{DILNOZA}/promotions", json={"amount": 200000}, headers={"Idempotency-Key": "p"}
        )
        assert funded.status_code == 201, funded.text
    yield site
    service.configure(context)


def _rest_pay(browser: httpx.Client, account: str, key: str) -> httpx.Response:
    body = {"provider": "electricity", "account": account, "amount": 10000}
    return browser.post(f"{ME}/payments", json=body, headers={"X-Wallet-Pin": PIN, "Idempotency-Key": key})


def _rest_quote(browser: httpx.Client, account: str) -> httpx.Response:
    return browser.post(f"{ME}/payments/quote", json={"provider": "electricity", "account": account, "amount": 10000})


def test_a_utility_shows_its_holder_and_due_and_the_receipt_its_confirmation(billed: Site) -> None:
    dilnoza = billed.signed_in(DILNOZA)
    quote = review(dilnoza, "pay", {"provider": "electricity", "account": "1234567890", "amount": "10000"})
    assert quote.status_code == 200, quote.text
    shown = text(quote)
    assert "Account holder" in shown and "B***r R*****v" in shown and "Bobur" not in shown
    assert "Amount due" in shown and "120,900 so'm" in shown

    paid = confirm(dilnoza, "pay", quote)
    assert paid.status_code == 303, paid.text
    page = dilnoza.get(paid.headers["location"])
    assert page.status_code == 200 and "Provider's confirmation" in text(page)
    number = paid.headers["location"].rsplit("/", 1)[-1]
    receipt = dilnoza.get(f"{ME}/receipts/{number}", headers={"Accept": "application/json"})
    assert receipt.status_code == 200, receipt.text
    confirmation = receipt.json()["biller_confirmation"]
    assert confirmation.startswith("B") and confirmation in text(page)

    # The REST quote says the same; the REST payment carries its own confirmation.
    quoted = _rest_quote(dilnoza, "1234567890")
    assert quoted.status_code == 200, quoted.text
    assert quoted.json() | {"provider_name": ""} == {
        "provider": "electricity", "provider_name": "", "account": "1234567890", "amount": 10000,
        "commission": 100, "total": 10100, "holder": "B***r R*****v", "amount_due": 120900,
    }  # fmt: skip
    again = _rest_pay(dilnoza, "1234567890", "rest-1")
    assert again.status_code == 201, again.text
    assert again.json()["biller_confirmation"] not in (None, confirmation)
    assert billed.receipts(DILNOZA) == 3  # the promotion and two payments


@pytest.mark.parametrize(
    ("account", "status", "code"),
    [
        ("1234560404", 404, "not_found"),  # the biller knows no such account
        ("12", 422, "invalid_request"),  # not the provider's format
        ("1234560408", 503, "biller_unavailable"),  # the biller answers after the wallet stopped waiting
        ("1234560503", 503, "biller_unavailable"),  # the biller is down
    ],
)
def test_a_refused_utility_account_writes_nothing(billed: Site, account: str, status: int, code: str) -> None:
    before = billed.balance(DILNOZA)
    dilnoza = billed.signed_in(DILNOZA, "ru")
    page = review(dilnoza, "pay", {"provider": "electricity", "account": account, "amount": "10000"})
    assert page.status_code == status and 'name="provider"' in page.text  # the form again, with the reason
    assert alert(page).startswith(SAID[code])

    for refused in (_rest_quote(dilnoza, account), _rest_pay(dilnoza, account, f"k-{account}")):
        assert refused.status_code == status, refused.text
        problem = refused.json()
        assert problem["code"] == code
        if code != "biller_unavailable":  # the format the account should have
            assert problem["details"]["expected"] == "shaxsiy hisob raqami (10 raqam)"
    assert billed.balance(DILNOZA) == before and billed.receipts(DILNOZA) == 1  # the promotion only


def test_without_simulators_there_is_no_biller_simulator_and_no_utility_payment(
    settings: Settings, container: Container
) -> None:
    """Where simulators are off (always in prod), nothing answers at /biller-simulator, and
    with no biller configured a utility payment is refused before anything is written."""
    app = create_app(settings.model_copy(update={"simulators": False}), container=container)
    with serving(app) as url, httpx.Client(base_url=url, timeout=10) as client:
        answer = client.post("/biller-simulator/v1/accounts/check", json={"provider": "gas", "account": "12345678"})
        assert answer.status_code == 404
    assert service.biller_for(service.current().settings, simulators=False) is None
    context = service.current()
    service.use_biller(None)
    try:
        with container.uow() as uow:
            wallets.register(uow, DILNOZA)
            uow.commit()
        with container.uow() as uow, pytest.raises(YagonaError) as refused:
            service.quote_payment(uow, phone=DILNOZA, provider="gas", account="12345678", amount=100)
        assert refused.value.code == "biller_unavailable"
    finally:
        service.configure(context)
