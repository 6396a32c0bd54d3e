"""The portal's "pay with Payme / Click" pages over a real socket, SQLite and PostgreSQL: who
may open them (the same 404 for another customer's line or wallet as for none), the checkout
links as Payme and Click publish them, the refusals said before the customer leaves, and a
payment made through Payme showing on the page, in the wallet's receipts and the line's top-ups."""

from __future__ import annotations

import base64
import html
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from fastapi import FastAPI

from tests.e2e.server import serving
from tests.e2e.test_payments_http import Payme
from tests.factories import home as home_factory
from tests.factories import lines as line_factory
from tests.factories import wallet as wallet_factory
from tests.factories.identity import PASSWORD, customer
from yagona.app.api import create_app
from yagona.app.bootstrap import TEST_CLICK_MERCHANT, TEST_CLICK_SERVICE, TEST_PAYME_MERCHANT, Container
from yagona.lines import service as lines_service
from yagona.platform.settings import Settings
from yagona.wallet import service as wallet_service

OWNER, OTHER, NOBODY = "998901000001", "998901000002", "998909999999"
HOME = "10000001"  # the first contract: the owner's home account
PAGE = {"Accept": "text/html", "Accept-Language": "en"}
LINKS = re.compile(r'id="pay-(payme|click)" href="([^"]+)"')


@dataclass
class Portal:
    url: str
    app: FastAPI
    container: Container

    @contextmanager
    def signed_in(self, phone: str) -> Iterator[httpx.Client]:
        with httpx.Client(base_url=self.url, headers=PAGE, timeout=20) as client:
            token = re.search(r'name="csrf_token" value="([0-9a-f]{64})"', client.get("/login").text)
            assert token
            signed = client.post("/login", data={"phone": phone, "password": PASSWORD, "csrf_token": token.group(1)})
            assert signed.status_code == 303, signed.text
            client.get("/?lang=en")  # the customer's choice (their profile says Uzbek)
            yield client


@pytest.fixture
def portal(settings: Settings, container: Container) -> Iterator[Portal]:
    app = create_app(settings, container=container)
    with container.uow() as uow:
        for phone in (OWNER, OTHER):
            made = customer(uow, app.state.identity, phone)
            line_factory.connect(uow, phone)
            wallet_factory.register(uow, phone, customer_id=made.id)
        home_factory.request(uow, app.state.identity, OWNER)  # contract HOME, waiting for the OneID check
        uow.commit()
    with serving(app) as url:
        yield Portal(url, app, container)


def links(page: httpx.Response) -> dict[str, str]:
    return {system: href.replace("&amp;", "&") for system, href in LINKS.findall(page.text)}


def test_the_links_are_the_payment_systems_own_checkout_urls(portal: Portal) -> None:
    with portal.signed_in(OWNER) as client:
        first = client.get(f"/pay/line/{OWNER}")
        assert first.status_code == 200 and "Amount, so'm" in first.text and not links(first)
        page = client.get(f"/pay/line/{OWNER}", params={"amount": "25000"})
        found = links(page)
        payme = urlsplit(found["payme"])
        assert (payme.scheme, payme.netloc) == ("https", "checkout.paycom.uz")
        assert base64.b64decode(payme.path.lstrip("/")).decode() == (
            f"m={TEST_PAYME_MERCHANT};ac.phone={OWNER};a=2500000;l=en;c={portal.url}/lines/{OWNER}"
        )
        click = urlsplit(found["click"])
        assert (click.netloc, click.path) == ("my.click.uz", "/services/pay")
        assert parse_qs(click.query) == {
            "service_id": [TEST_CLICK_SERVICE], "merchant_id": [TEST_CLICK_MERCHANT], "amount": ["25000"],
            "transaction_param": [OWNER], "return_url": [f"{portal.url}/lines/{OWNER}"],
        }  # fmt: skip
        wallet = links(client.get(f"/pay/wallet/{OWNER}", params={"amount": "1000.5"}))
        assert f"ac.wallet={OWNER};a=100050;" in base64.b64decode(urlsplit(wallet["payme"]).path[1:]).decode()
        assert parse_qs(urlsplit(wallet["click"]).query)["transaction_param"] == [f"W{OWNER}"]
        assert parse_qs(urlsplit(wallet["click"]).query)["amount"] == ["1000.50"]


@pytest.mark.parametrize("amount", ["abc", "999", "1000.001", "10000001", "-5000"])
def test_an_amount_payme_or_click_would_refuse_gets_no_link(portal: Portal, amount: str) -> None:
    with portal.signed_in(OWNER) as client:
        page = client.get(f"/pay/line/{OWNER}", params={"amount": amount})
        assert page.status_code == 200 and not links(page)
        assert 'role="alert"' in page.text and "Enter an amount between" in page.text


def test_a_light_wallets_limit_is_said_before_the_customer_leaves(portal: Portal) -> None:
    with portal.signed_in(OWNER) as client:
        page = client.get(f"/pay/wallet/{OWNER}", params={"amount": "9000000"})
        assert not links(page) and "would pass the wallet" in page.text


def test_only_the_owner_opens_the_page_and_anyone_else_gets_the_same_404(portal: Portal) -> None:
    signed_out = httpx.get(f"{portal.url}/pay/line/{OWNER}", headers=PAGE)
    assert signed_out.status_code == 303 and signed_out.headers["location"] == f"/login?next=/pay/line/{OWNER}"
    with portal.signed_in(OTHER) as client:
        theirs = [client.get(f"/pay/line/{OWNER}"), client.get(f"/pay/wallet/{OWNER}")]
        none = [client.get(f"/pay/line/{NOBODY}"), client.get(f"/pay/wallet/{NOBODY}")]
        assert {a.status_code for a in theirs + none} == {404}
        for mine, missing in zip(theirs, none, strict=True):  # the page names only the URL asked for
            assert mine.text.replace(OWNER, NOBODY) == missing.text
        assert client.get(f"/pay/line/{OTHER}").status_code == 200


def test_a_payment_through_payme_shows_on_the_page_in_the_receipts_and_the_line(portal: Portal) -> None:
    with httpx.Client(base_url=portal.url) as http:
        payme = Payme(http)
        for pid, account in (("h-1", {"phone": OWNER}), ("h-2", {"wallet": OWNER})):
            payme.ok("CreateTransaction", {"id": pid, "time": 1, "amount": 3_000_000, "account": account})
            payme.ok("PerformTransaction", {"id": pid})
    with portal.signed_in(OWNER) as client:
        for page in (client.get(f"/pay/line/{OWNER}"), client.get(f"/pay/wallet/{OWNER}")):
            shown = re.sub(r"\s+", " ", html.unescape(page.text).replace("\u00a0", " "))
            assert re.search(r"Payme · [^·]+ · 30,000 so.m · Paid", shown), shown
        # The line's own page lists it among its top-ups; the wallet's history has its receipt.
        line_page = re.sub(r"\s+", " ", html.unescape(client.get(f"/lines/{OWNER}").text).replace("\u00a0", " "))
        assert re.search(r"<h2 id=\"topups-title\">Top-ups</h2>.*<td>Payme</td><td>30,000 so.m</td>", line_page)
        history = html.unescape(client.get("/wallet/history").text).replace("\u00a0", " ")
        assert "Top-up through a payment system" in history and "30,000 so'm" in history
    with portal.container.uow() as uow:
        receipts = wallet_service.receipts(uow, phone=OWNER).items
        top_ups = lines_service.top_ups(uow, msisdn=OWNER)
    assert [(r.kind.value, r.amount) for r in receipts if r.kind.value == "topup_payment"] == [
        ("topup_payment", 3_000_000)
    ]
    assert [(t.source, t.amount) for t in top_ups][:1] == [("payme", 3_000_000)]


def test_a_home_account_is_paid_with_its_own_keys_and_only_by_its_owner(portal: Portal) -> None:
    with portal.signed_in(OWNER) as client:
        page = client.get(f"/pay/home/{HOME}", params={"amount": "120000"})
        assert page.status_code == 200 and f"Pay into the home internet account {HOME}" in page.text
        assert f'href="/internet/{HOME}"' in page.text
        found = links(page)
        assert base64.b64decode(urlsplit(found["payme"]).path.lstrip("/")).decode() == (
            f"m={TEST_PAYME_MERCHANT};ac.home={HOME};a=12000000;l=en;c={portal.url}/internet/{HOME}"
        )
        assert parse_qs(urlsplit(found["click"]).query)["transaction_param"] == [f"H{HOME}"]
    signed_out = httpx.get(f"{portal.url}/pay/home/{HOME}", headers=PAGE)
    assert signed_out.status_code == 303 and signed_out.headers["location"] == f"/login?next=/pay/home/{HOME}"
    with portal.signed_in(OTHER) as client:
        theirs, missing = client.get(f"/pay/home/{HOME}"), client.get("/pay/home/19999999")
        assert (theirs.status_code, missing.status_code) == (404, 404)
        assert theirs.text.replace(HOME, "19999999") == missing.text
        assert client.get("/pay/home/not-a-contract").status_code == 404
