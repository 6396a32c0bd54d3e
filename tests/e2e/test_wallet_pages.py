"""The wallet's pages over a real socket, as a browser without JavaScript uses them: open a
wallet, top up by card (the simulator), pay a provider with its commission shown first,
transfer, the history by kind a page at a time, the receipts — and every refusal: signed
out (to /login), another customer's wallet or receipt (404), no CSRF token (403), a wrong
PIN, a Light wallet's limit, a blocked wallet, too little money, a bad amount (the same
step again, said in the visitor's language, nothing written), and a confirm posted twice
(paid once). The ledger verifies after each test (the `container` fixture)."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from dataclasses import dataclass, field

import httpx
import pytest
from fastapi import FastAPI

from tests.e2e.server import serving
from tests.factories import wallet as wallets
from tests.factories.identity import PASSWORD, customer
from yagona.app.api import create_app
from yagona.app.bootstrap import Container
from yagona.platform.settings import Settings
from yagona.wallet import service

STAFF = {"X-Api-Key": "test-staff-key"}
DILNOZA, BOBUR, AZIZ = "998901234567", "998901112233", "998935556677"
PIN = wallets.PIN
CARD = "8600000000000001"


@dataclass
class Site:
    url: str
    container: Container
    app: FastAPI
    customers: dict[str, str] = field(default_factory=dict)  # phone → customer id
    opened: list[httpx.Client] = field(default_factory=list)

    def client(self, language: str = "en") -> httpx.Client:
        headers = {"Accept": "text/html", "Accept-Language": language}
        client = httpx.Client(base_url=self.url, timeout=20, headers=headers)
        self.opened.append(client)
        return client

    def signed_in(self, phone: str, language: str = "en") -> httpx.Client:
        browser = self.client(language)
        login = browser.get("/login")
        answer = browser.post("/login", data={"phone": phone, "password": PASSWORD, "csrf_token": token(login)})
        assert answer.status_code == 303, answer.text
        browser.get(f"/?lang={language}")  # the customer's choice (their profile says Uzbek)
        return browser

    def wallet(self, phone: str) -> None:
        with self.container.uow() as uow:
            wallets.register(uow, phone, customer_id=self.customers[phone])
            uow.commit()

    def balance(self, phone: str) -> int:
        with self.container.uow() as uow:
            return service.get(uow, phone=phone).balance

    def receipts(self, phone: str) -> int:
        with self.container.uow() as uow:
            return len(service.receipts(uow, phone=phone, limit=200).items)


@pytest.fixture
def site(settings: Settings, container: Container) -> Iterator[Site]:
    app = create_app(settings, container=container)
    with serving(app) as url:
        site = Site(url, container, app)
        with container.uow() as uow:
            for phone in (DILNOZA, BOBUR, AZIZ):
                site.customers[phone] = customer(uow, app.state.identity, phone).id
            uow.commit()
        try:
            yield site
        finally:
            for client in site.opened:
                client.close()


def token(page: httpx.Response) -> str:
    found = re.search(r'name="csrf_token" value="([0-9a-f]{64})"', page.text)
    assert found, f"the page carries its form's token: {page.status_code} {page.text[:300]}"
    return found.group(1)


def hidden(page: httpx.Response, name: str) -> str:
    found = re.findall(rf'name="{name}" value="([^"]*)"', page.text)
    assert found, f"no hidden {name}"
    return html.unescape(found[-1])


def text(page: httpx.Response) -> str:
    return html.unescape(page.text).replace("\u00a0", " ").replace("\u202f", " ")


def alert(page: httpx.Response) -> str:
    found = re.search(r'role="alert"[^>]*>([^<]*)<', page.text)
    assert found, f"no inline refusal on the page ({page.status_code})"
    return html.unescape(found.group(1))


def review(browser: httpx.Client, order: str, form: dict[str, str]) -> httpx.Response:
    """The order's form, then its quote (the confirm page)."""
    page = browser.get(f"/wallet/{order}")
    assert page.status_code == 200, page.text
    return browser.post(f"/wallet/{order}", data={**form, "csrf_token": token(page)})


def confirm(browser: httpx.Client, order: str, quote: httpx.Response, pin: str = PIN) -> httpx.Response:
    names = ("phone", "key", "amount", "card_number", "provider", "account", "to")
    data = {n: hidden(quote, n) for n in names if f'name="{n}" value=' in quote.text}
    return browser.post(f"/wallet/{order}/confirm", data={**data, "pin": pin, "csrf_token": token(quote)})


def test_open_a_wallet_top_up_pay_transfer_and_read_the_history(site: Site) -> None:
    dilnoza = site.signed_in(DILNOZA)
    empty = dilnoza.get("/wallet")
    assert "You have no wallet yet." in empty.text and 'href="/wallet/open"' in empty.text
    form = dilnoza.get("/wallet/open")
    assert 'name="offer_version" value="2020-03-28"' in form.text
    details = {"pin": PIN, "birth_date": "1990-05-17", "offer_version": "2020-03-28", "csrf_token": token(form)}
    refused = dilnoza.post("/wallet/open", data=details)  # the offer not accepted
    assert refused.status_code == 422 and "acceptance of the public offer" in alert(refused)
    assert "You have no wallet yet." in dilnoza.get("/wallet").text  # nothing written
    opened = dilnoza.post("/wallet/open", data={**details, "accept_offer": "yes"})
    assert opened.status_code == 303 and opened.headers["location"] == "/wallet"
    page = dilnoza.get("/wallet")
    assert "Your wallet is open." in page.text and f'href="/pay/wallet/{DILNOZA}"' in page.text
    for link in ("/wallet/topup", "/wallet/pay", "/wallet/transfer", "/wallet/history"):
        assert f'href="{link}"' in page.text, link

    # Top up by card: the simulator's test cards are offered (test is a simulator environment).
    topup_form = dilnoza.get("/wallet/topup")
    assert all(card in topup_form.text for card in ("8600000000000001", "8600000000000002", "8600000000000003"))
    quote = review(dilnoza, "topup", {"amount": "150 000", "card_number": CARD})
    assert quote.status_code == 200 and 'name="pin"' in quote.text
    assert "150,000 so'm" in text(quote) and "card 8600 **** **** 0001" in quote.text
    done = confirm(dilnoza, "topup", quote)
    assert done.status_code == 303 and done.headers["location"].startswith("/wallet/receipts/W")
    receipt = dilnoza.get(done.headers["location"])
    assert "Done. Here is the receipt." in receipt.text and "Completed" in receipt.text
    assert site.balance(DILNOZA) == wallets.som(150_000)

    # Pay a provider: the commission and the total shown before the PIN (utilities: 1 %, at least 100 so'm).
    quote = review(dilnoza, "pay", {"provider": "electricity", "account": "1234567890", "amount": "5000"})
    shown = text(quote)
    assert quote.status_code == 200 and "5,000 so'm" in shown and "100 so'm" in shown and "5,100 so'm" in shown
    paid = confirm(dilnoza, "pay", quote)
    assert paid.status_code == 303
    payment = dilnoza.get(paid.headers["location"])
    assert "1234567890" in payment.text and "5,100 so'm" in text(payment)

    # Transfer to another wallet: 0 % commission, shown first.
    site.wallet(BOBUR)
    quote = review(dilnoza, "transfer", {"to": "+998 90 111 22 33", "amount": "20000"})
    assert quote.status_code == 200 and "+998 90 111 22 33" in text(quote) and "0 so'm" in text(quote)
    sent = confirm(dilnoza, "transfer", quote)
    assert sent.status_code == 303
    assert site.balance(BOBUR) == wallets.som(20_000)
    assert site.balance(DILNOZA) == wallets.som(150_000 - 5_100 - 20_000)

    # The history: every operation links its receipt; the filter by kind.
    history = dilnoza.get("/wallet/history")
    assert history.status_code == 200 and history.text.count('href="/wallet/receipts/W') == 3
    payments = dilnoza.get("/wallet/history?kind=payment")
    assert payments.text.count('href="/wallet/receipts/W') == 1 and paid.headers["location"] in payments.text


def test_the_history_pages_twenty_at_a_time(site: Site) -> None:
    site.wallet(DILNOZA)
    with site.container.uow() as uow:
        for _ in range(23):
            wallets.top_up(uow, DILNOZA, wallets.som(1_000))
        uow.commit()
    dilnoza = site.signed_in(DILNOZA)
    first = dilnoza.get("/wallet/history?kind=topup_promo")
    assert first.text.count('href="/wallet/receipts/W') == 20
    older = re.search(r'href="(/wallet/history\?cursor=[^"]+)"', first.text)
    assert older and "kind=topup_promo" in older.group(1)
    second = dilnoza.get(html.unescape(older.group(1)))
    assert second.text.count('href="/wallet/receipts/W') == 3 and "Older operations" not in second.text
    assert dilnoza.get("/wallet/history?kind=transfer").text.count('href="/wallet/receipts/W') == 0


def test_a_confirm_posted_twice_pays_once(site: Site) -> None:
    site.wallet(DILNOZA)
    dilnoza = site.signed_in(DILNOZA)
    quote = review(dilnoza, "topup", {"amount": "10000", "card_number": CARD})
    first, second = confirm(dilnoza, "topup", quote), confirm(dilnoza, "topup", quote)
    assert first.status_code == second.status_code == 303
    assert first.headers["location"] == second.headers["location"]
    assert site.balance(DILNOZA) == wallets.som(10_000) and site.receipts(DILNOZA) == 1
    again = review(dilnoza, "topup", {"amount": "10000", "card_number": CARD})  # a new form: a new order
    assert hidden(again, "key") != hidden(quote, "key")
    assert confirm(dilnoza, "topup", again).status_code == 303 and site.receipts(DILNOZA) == 2


def test_refusals_are_said_in_the_visitors_language_and_write_nothing(site: Site) -> None:
    site.wallet(DILNOZA)
    site.wallet(BOBUR)
    dilnoza = site.signed_in(DILNOZA, "ru")

    quote = review(dilnoza, "topup", {"amount": "10000", "card_number": CARD})
    wrong = confirm(dilnoza, "topup", quote, pin="11111")
    assert wrong.status_code == 403 and '<html lang="ru">' in wrong.text
    assert alert(wrong) == "Неверный или временно заблокированный PIN-код" and 'name="pin"' in wrong.text
    assert hidden(wrong, "key") == hidden(quote, "key")  # the same order, still unpaid
    assert site.receipts(DILNOZA) == 0
    assert confirm(dilnoza, "topup", wrong).status_code == 303  # the right PIN pays the same order

    # A Light wallet takes in at most 5 BHM over 30 days (offer 4.5.1).
    over = review(dilnoza, "topup", {"amount": "1 225 000", "card_number": CARD})
    refused = confirm(dilnoza, "topup", over)
    assert refused.status_code == 409 and alert(refused) == "Превышен лимит"
    assert site.balance(DILNOZA) == wallets.som(10_000) and site.receipts(DILNOZA) == 1

    # More than the balance (the amount plus the commission).
    broke = review(dilnoza, "pay", {"provider": "water", "account": "123456", "amount": "10000.01"})
    assert broke.status_code == 200
    refused = confirm(dilnoza, "pay", broke)
    assert refused.status_code == 409 and alert(refused) == "Недостаточно средств"
    assert site.balance(DILNOZA) == wallets.som(10_000)

    # A bad amount, a bad account: the form again, with the reason.
    for form in (
        {"provider": "home-internet", "account": "12345678", "amount": "abc"},
        {"provider": "home-internet", "account": "12345678", "amount": "0"},
        {"provider": "home-internet", "account": "123", "amount": "100"},
    ):
        bad = review(dilnoza, "pay", form)
        assert bad.status_code == 422 and alert(bad).startswith("Неверный запрос") and 'name="provider"' in bad.text
    nobody = review(dilnoza, "transfer", {"to": "998909999999", "amount": "100"})
    assert nobody.status_code == 404 and alert(nobody) == "Не найдено" and 'name="to"' in nobody.text  # noqa: RUF001

    # A blocked wallet neither pays nor receives.
    with httpx.Client(base_url=site.url, headers=STAFF, timeout=10) as staff:
        assert staff.post(f"/api/v1/wallets/{BOBUR}/block", json={"reason": "lost"}).status_code == 200
    blocked = review(dilnoza, "transfer", {"to": BOBUR, "amount": "100"})
    assert blocked.status_code == 409 and alert(blocked) == "Кошелёк заблокирован"
    with httpx.Client(base_url=site.url, headers=STAFF, timeout=10) as staff:
        assert staff.post(f"/api/v1/wallets/{DILNOZA}/block", json={"reason": "lost"}).status_code == 200
    blocked = review(dilnoza, "topup", {"amount": "100", "card_number": CARD})
    assert blocked.status_code == 409 and alert(blocked) == "Кошелёк заблокирован"
    assert site.receipts(DILNOZA) == 1 and site.receipts(BOBUR) == 0


def test_a_wrong_pin_is_counted_and_locks(site: Site) -> None:
    site.wallet(DILNOZA)
    dilnoza = site.signed_in(DILNOZA)
    quote = review(dilnoza, "topup", {"amount": "1000", "card_number": CARD})
    for _ in range(3):
        assert confirm(dilnoza, "topup", quote, pin="00000").status_code == 403
    locked = confirm(dilnoza, "topup", quote)  # the right PIN, but locked for 30 minutes now
    assert locked.status_code == 403 and "try again later" in alert(locked)
    assert site.receipts(DILNOZA) == 0


def test_the_line_pages_link_fills_the_payment_form(site: Site) -> None:
    site.wallet(DILNOZA)
    dilnoza = site.signed_in(DILNOZA)
    page = dilnoza.get(f"/wallet/pay?provider=mobile&account={DILNOZA}&amount=15000")
    assert page.status_code == 200
    assert '<option value="mobile" selected>' in page.text
    assert f'name="account" autocomplete="off" required maxlength="60" value="{DILNOZA}"' in page.text
    assert 'value="15000"' in page.text

    # Paid through the lines domain's provider: the line's balance grows by the amount.
    with httpx.Client(base_url=site.url, headers=STAFF, timeout=10) as staff:
        made = staff.post("/api/v1/lines", json={"msisdn": DILNOZA, "plan": "lider-start", "deposit": 200_000})
        assert made.status_code == 201, made.text
        before = staff.get(f"/api/v1/lines/{DILNOZA}").json()["balance"]
        with site.container.uow() as uow:
            wallets.top_up(uow, DILNOZA, wallets.som(20_000))
            uow.commit()
        quote = dilnoza.post(
            "/wallet/pay", data={"provider": "mobile", "account": DILNOZA, "amount": "15000", "csrf_token": token(page)}
        )
        assert quote.status_code == 200 and "15,000 so'm" in text(quote)
        assert confirm(dilnoza, "pay", quote).status_code == 303
        assert staff.get(f"/api/v1/lines/{DILNOZA}").json()["balance"] == before + 15_000


def test_a_signed_out_visitor_is_sent_to_sign_in(site: Site) -> None:
    visitor = site.client()
    for path in (
        "/wallet",
        "/wallet/topup",
        "/wallet/pay?provider=mobile",
        "/wallet/transfer",
        "/wallet/history",
        "/wallet/open",
        "/wallet/receipts/W0000000001",
    ):
        answer = visitor.get(path)
        assert answer.status_code == 303 and answer.headers["location"] == "/login", path
    csrf = token(visitor.get("/login"))
    for path in ("/wallet/topup", "/wallet/topup/confirm", "/wallet/pay/confirm", "/wallet/transfer", "/wallet/open"):
        answer = visitor.post(path, data={"csrf_token": csrf, "amount": "100", "pin": PIN, "key": "k-1"})
        assert answer.status_code == 303 and answer.headers["location"] == "/login", path


def test_another_customers_wallet_and_receipts_are_404_pages(site: Site) -> None:
    site.wallet(DILNOZA)
    site.wallet(BOBUR)
    with site.container.uow() as uow:
        theirs = wallets.top_up(uow, BOBUR, wallets.som(1_000)).number
        uow.commit()
    dilnoza = site.signed_in(DILNOZA)
    for path in (
        f"/wallet/receipts/{theirs}",
        f"/wallet/history?phone={BOBUR}",
        f"/wallet/history?phone={AZIZ}",
        "/wallet/history?phone=abc",
    ):
        answer = dilnoza.get(path)
        assert answer.status_code == 404 and "text/html" in answer.headers["content-type"], path
        assert "+998 90 111 22 33" not in text(answer)
    quote = review(dilnoza, "topup", {"amount": "1000", "card_number": CARD})
    data = {"key": hidden(quote, "key"), "amount": "1000", "card_number": CARD, "pin": PIN}
    answer = dilnoza.post("/wallet/topup/confirm", data={**data, "phone": BOBUR, "csrf_token": token(quote)})
    assert answer.status_code == 404 and site.receipts(BOBUR) == 1
    assert site.signed_in(BOBUR).get(f"/wallet/receipts/{theirs}").status_code == 200


def test_a_form_without_its_token_is_refused(site: Site) -> None:
    site.wallet(DILNOZA)
    dilnoza = site.signed_in(DILNOZA)
    quote = review(dilnoza, "topup", {"amount": "1000", "card_number": CARD})
    data = {"key": hidden(quote, "key"), "amount": "1000", "card_number": CARD, "pin": PIN, "phone": DILNOZA}
    for path in ("/wallet/topup/confirm", "/wallet/pay", "/wallet/transfer/confirm", "/wallet/open"):
        answer = dilnoza.post(path, data=data)
        assert answer.status_code == 403 and "The form was refused" in answer.text, path
    assert site.receipts(DILNOZA) == 0
