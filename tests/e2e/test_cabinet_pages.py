"""The cabinet's pages over a real socket: sign up with the SMS code from the dev outbox,
the dashboard, a line page, the wallet and a receipt, sign out — and the refusals: a wrong
code (translated, nothing written but the counters), another customer's line or receipt
(the 404 page), a signed-out visitor (to /login), a form without its CSRF token (403)."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import timedelta

import httpx
import pyotp
import pytest
from sqlalchemy import Engine, func, select

from tests.e2e.server import serving
from tests.factories.identity import PASSWORD, context, customer, last_code
from yagona.app.api import create_app
from yagona.app.bootstrap import Container, bootstrap
from yagona.identity.models import Customer, SignInSession
from yagona.kernel.clock import SystemClock
from yagona.platform.settings import Settings

STAFF = {"X-Api-Key": "test-staff-key"}
PAGE = {"Accept": "text/html"}
DILNOZA, BOBUR = "998901234567", "998901112233"
CARD = "8600123412341234"


@dataclass
class Site:
    url: str
    container: Container
    app_state: object
    opened: list[httpx.Client] = field(default_factory=list)

    def client(self, language: str | None = None) -> httpx.Client:
        headers = {**PAGE, "Accept-Language": language} if language else PAGE
        client = httpx.Client(base_url=self.url, timeout=10, headers=headers)
        self.opened.append(client)
        return client

    def code(self, phone: str) -> str:
        with self.container.uow() as uow:
            return last_code(uow, self.app_state.identity, phone)  # type: ignore[attr-defined]


@pytest.fixture
def site(settings: Settings, engine: Engine) -> Iterator[Site]:
    container = bootstrap(settings, clock=SystemClock(), engine=engine, configure_logs=False)
    app = create_app(settings, container=container)
    with serving(app) as url:
        app.state.identity = context(settings, issuer=url)
        site = Site(url, container, app.state)
        with container.uow() as uow:
            customer(uow, app.state.identity, BOBUR)
            uow.commit()
        staff = httpx.Client(base_url=url, headers=STAFF, timeout=10)
        site.opened.append(staff)
        for msisdn in (DILNOZA, BOBUR):
            made = staff.post("/api/v1/lines", json={"msisdn": msisdn, "plan": "lider-start", "deposit": 200_000})
            assert made.status_code == 201, made.text
        try:
            yield site
        finally:
            for client in site.opened:
                client.close()


def token(page: httpx.Response) -> str:
    found = re.search(r'name="csrf_token" value="([0-9a-f]{64})"', page.text)
    assert found, "the page carries its form's token"
    return found.group(1)


def hidden(page: httpx.Response, name: str) -> str:
    found = re.findall(rf'name="{name}" value="([^"]*)"', page.text)
    assert found, f"no hidden {name}"
    return html.unescape(found[-1])


def sign_in_by_code(site: Site, browser: httpx.Client, phone: str) -> httpx.Response:
    """The sign-in page, "send me a code", the code from the outbox: the next page."""
    login = browser.get("/login")
    assert login.status_code == 200 and 'name="phone"' in login.text and 'name="password"' in login.text
    sent = browser.post("/login/code", data={"phone": phone, "csrf_token": token(login)})
    assert sent.status_code == 200 and 'name="code"' in sent.text, sent.text
    form = {"phone": phone, "request_id": hidden(sent, "request_id"), "csrf_token": token(sent)}
    return browser.post("/login", data={**form, "code": site.code(phone)})


def test_sign_up_see_the_dashboard_the_line_the_wallet_and_sign_out(site: Site) -> None:
    browser = site.client()
    assert browser.get("/").headers["location"] == "/login"
    signup = sign_in_by_code(site, browser, DILNOZA)
    assert signup.status_code == 200 and 'name="name"' in signup.text  # no profile holds the phone: sign up
    form = {k: hidden(signup, k) for k in ("phone", "code", "request_id", "csrf_token")}
    refused = browser.post("/login", data={**form, "name": "Dilnoza"})  # the documents not accepted
    assert refused.status_code == 422 and 'name="name"' in refused.text and "yagona_session" not in browser.cookies
    done = browser.post("/login", data={**form, "name": "Dilnoza", "accept_documents": "yes"})
    assert done.status_code == 303 and done.headers["location"] == "/" and "yagona_session" in browser.cookies

    home = browser.get("/")
    assert home.status_code == 200 and home.headers["cache-control"] == "no-store"
    text = html.unescape(home.text)
    assert "+998 90 123 45 67" in text and "160\u00a0000\u00a0so'm" in text  # the deposit less the first fee
    assert 'href="/lines/998901234567"' in home.text and "<meter" in home.text

    staff = httpx.Client(base_url=site.url, headers=STAFF, timeout=10)
    site.opened.append(staff)
    for i in range(3):
        record = {"id": f"sms-{i}", "msisdn": DILNOZA, "type": "sms", "to": "998931234567"}
        assert staff.post("/api/v1/usage", json=record).status_code == 201
    line = browser.get("/lines/998901234567")
    assert line.status_code == 200 and "+998 90 123 45 67" in html.unescape(line.text)
    usage = line.text.split('id="usage-title"', 1)[1].split('id="topups-title"', 1)[0]
    assert "<table>" in usage and usage.count("<tr>") == 4  # the head and three uses
    russian = browser.get("/lines/998901234567?lang=ru")
    assert '<html lang="ru">' in russian.text and "Остаток пакетов" in russian.text

    me = httpx.Client(base_url=site.url, cookies=browser.cookies, timeout=10)
    site.opened.append(me)
    made = me.post(
        "/api/v1/me/wallet",
        json={"pin": "24680", "birth_date": "1990-05-17", "accept_offer": True, "offer_version": "2020-03-28"},
    )
    assert made.status_code == 201, made.text
    topup = me.post(
        "/api/v1/me/wallet/topups",
        json={"amount": 5000, "card_number": CARD},
        headers={"X-Wallet-Pin": "24680", "Idempotency-Key": "page-1"},
    )
    assert topup.status_code == 201, topup.text
    number = topup.json()["number"]
    wallet = browser.get("/wallet?lang=en")
    assert wallet.status_code == 200 and f'href="/wallet/receipts/{number}"' in wallet.text
    assert "Top-ups in the last 30 days" in wallet.text and "<meter" in wallet.text
    receipt = browser.get(f"/wallet/receipts/{number}")
    assert receipt.status_code == 200 and number in receipt.text and "5,000\u00a0so'm" in html.unescape(receipt.text)

    out = browser.post("/logout", data={"csrf_token": token(browser.get("/"))})
    assert out.status_code == 303 and out.headers["location"] == "/login"
    assert "yagona_session" not in browser.cookies
    assert browser.get("/").headers["location"] == "/login"
    assert "You have signed out." in browser.get("/login").text


def test_another_customers_line_and_receipt_are_404_pages(site: Site) -> None:
    dilnoza = site.client()
    signup = sign_in_by_code(site, dilnoza, DILNOZA)
    form = {k: hidden(signup, k) for k in ("phone", "code", "request_id", "csrf_token")}
    assert dilnoza.post("/login", data={**form, "name": "Dilnoza", "accept_documents": "yes"}).status_code == 303
    bobur = site.client()
    assert sign_in_by_code(site, bobur, BOBUR).status_code == 303
    bobur_api = httpx.Client(base_url=site.url, cookies=bobur.cookies, timeout=10)
    site.opened.append(bobur_api)
    bobur_api.post(
        "/api/v1/me/wallet",
        json={"pin": "13579", "birth_date": "1990-05-17", "accept_offer": True, "offer_version": "2020-03-28"},
    )
    topup = bobur_api.post(
        "/api/v1/me/wallet/topups",
        json={"amount": 5000, "card_number": CARD},
        headers={"X-Wallet-Pin": "13579", "Idempotency-Key": "bobur-1"},
    )
    assert topup.status_code == 201, topup.text
    number = topup.json()["number"]
    assert bobur.get(f"/wallet/receipts/{number}").status_code == 200

    for path in (
        f"/lines/{BOBUR}",
        "/lines/998909999999",
        "/lines/abc",
        f"/wallet/receipts/{number}",
        "/wallet/receipts/x",
    ):
        answer = dilnoza.get(path)
        assert answer.status_code == 404 and "text/html" in answer.headers["content-type"], path
        assert "+998 90 111 22 33" not in html.unescape(answer.text)
    # The same page whether the line is another customer's or no line at all.
    main = [re.search(r"<main.*</main>", dilnoza.get(p).text, re.S) for p in (f"/lines/{BOBUR}", "/lines/998909999999")]
    assert main[0] and main[1] and main[0].group(0) == main[1].group(0)


def test_a_signed_out_visitor_is_sent_to_sign_in(site: Site) -> None:
    visitor = site.client()
    for path in ("/", f"/lines/{DILNOZA}", "/wallet", "/wallet/receipts/R-1"):
        answer = visitor.get(path)
        assert answer.status_code == 303 and answer.headers["location"].startswith("/login"), path


def test_a_form_without_its_token_is_refused(site: Site) -> None:
    browser = site.client()
    assert browser.post("/login/code", data={"phone": DILNOZA}).status_code == 403
    assert browser.post("/login", data={"phone": BOBUR, "password": PASSWORD}).status_code == 403
    assert "yagona_session" not in browser.cookies
    assert sign_in_by_code(site, browser, BOBUR).status_code == 303
    assert browser.post("/logout", data={}).status_code == 403
    assert browser.get("/").status_code == 200  # still signed in


def test_a_wrong_code_is_said_in_the_visitors_language_and_writes_nothing(site: Site) -> None:
    browser = site.client("ru")
    login = browser.get("/login")
    sent = browser.post("/login/code", data={"phone": BOBUR, "csrf_token": token(login)})
    form = {"phone": BOBUR, "request_id": hidden(sent, "request_id"), "csrf_token": token(sent)}
    right = site.code(BOBUR)
    wrong = "000000" if right != "000000" else "111111"
    with site.container.uow() as uow:
        before = (
            uow.session.scalar(select(func.count()).select_from(Customer)),
            uow.session.scalar(select(func.count()).select_from(SignInSession)),
        )
    refused = browser.post("/login", data={**form, "code": wrong})
    assert refused.status_code == 401 and '<html lang="ru">' in refused.text
    assert 'role="alert"' in refused.text and "the code is wrong" not in refused.text  # said in Russian
    assert "yagona_session" not in browser.cookies
    with site.container.uow() as uow:
        after = (
            uow.session.scalar(select(func.count()).select_from(Customer)),
            uow.session.scalar(select(func.count()).select_from(SignInSession)),
        )
    assert after == before
    assert browser.post("/login", data={**form, "code": right}).status_code == 303  # the code is still good


def test_an_enrolled_authenticator_is_asked_for_after_the_code(site: Site) -> None:
    browser = site.client("en")
    assert sign_in_by_code(site, browser, BOBUR).status_code == 303
    me = httpx.Client(base_url=site.url, cookies=browser.cookies, timeout=10)
    site.opened.append(me)
    setup = me.post("/api/v1/me/totp")
    authenticator = pyotp.TOTP(setup.json()["secret"])
    code = {"code": authenticator.now(), "setup_token": setup.json()["setup_token"]}
    assert me.post("/api/v1/me/totp/confirm", json=code).status_code == 204
    assert browser.post("/logout", data={"csrf_token": token(browser.get("/"))}).status_code == 303

    login = browser.get("/login")
    sent = browser.post("/login/code", data={"phone": BOBUR, "csrf_token": token(login)})
    form = {"phone": BOBUR, "request_id": hidden(sent, "request_id"), "csrf_token": token(sent)}
    sms = site.code(BOBUR)
    asked = browser.post("/login", data={**form, "code": sms})
    assert (
        asked.status_code == 401
        and f'value="{sms}"' in asked.text
        and 'name="totp"' in asked.text
        and "authenticator" in asked.text
    )
    assert "yagona_session" not in browser.cookies
    # The code is kept in the form and still unspent (nothing was written but the attempt).
    later = authenticator.at(SystemClock().now() + timedelta(seconds=30))  # the confirmation spent this step's code
    done = browser.post("/login", data={**form, "code": sms, "totp": later})
    assert done.status_code == 303 and "yagona_session" in browser.cookies, done.text
