"""The help assistant's page `/help` over a real socket, signed out and signed in: the same
question gets the article and "sign in" for a visitor, the customer's own balance for a
customer — never another's (the session decides; a customer id in the form is ignored);
"operator" hands the conversation to the call-centre (a request, on the customer's timeline);
a question over 500 characters is refused above the form (422) and writes nothing; a post
without the form's token is refused (403); a topic is a plain link."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator

import httpx
import pytest
from sqlalchemy import Engine, func, select

from tests.e2e.server import serving
from tests.e2e.test_lines_me_http import Site
from tests.factories.identity import context, customer
from tests.factories.lines import connect
from tests.factories.staff import csrf_token
from yagona.app.api import create_app
from yagona.app.bootstrap import bootstrap
from yagona.crm import service as crm
from yagona.crm.models import AssistantTurn
from yagona.identity import service as identity
from yagona.kernel.clock import SimulatedClock, SystemClock
from yagona.platform.settings import Settings

pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
DILNOZA, BOBUR = "998901234567", "998901112233"
EN = {"Accept-Language": "en"}


@pytest.fixture
def site(settings: Settings, engine: Engine) -> Iterator[Site]:
    clock = SimulatedClock(SystemClock().now())  # tokens are checked against the real time
    container = bootstrap(settings, clock=clock, engine=engine, configure_logs=False)
    app = create_app(settings, container=container)
    with serving(app) as url:
        app.state.identity = context(settings, issuer=url)
        site = Site(url, container, app.state)
        with container.uow() as uow:
            for phone, deposit in ((DILNOZA, 50_000), (BOBUR, 77_000)):
                customer(uow, app.state.identity, phone)
                connect(uow, msisdn=phone, plan="lider-start", deposit_som=deposit)
            uow.commit()
        try:
            yield site
        finally:
            for client in site.opened:
                client.close()


def _ask(browser: httpx.Client, question: str, **extra: str) -> httpx.Response:
    token = csrf_token(browser.get("/help", headers=EN))
    return browser.post("/help", data={"q": question, "csrf_token": token, **extra}, headers=EN)


def _answer(page: httpx.Response) -> str:
    found = re.search(r'data-testid="help-answer".*?</section>', page.text, re.S)
    assert found, page.text[:2000]
    return html.unescape(re.sub(r"<[^>]+>", "", found.group(0)))


def test_a_visitor_gets_the_article_and_a_customer_their_own_balance(site: Site) -> None:
    visitor = site.client()
    page = visitor.get("/help", headers=EN)
    assert page.status_code == 200 and "Ask a question" in page.text
    assert 'href="/help?topic=topup-payme"' in page.text and 'href="/help"' in page.text  # the menu's "Help"
    topic = visitor.get("/help?topic=plans", headers=EN)
    assert "Lider Start — 35 000 so'm a month" in _answer(topic)  # the price from the catalogue
    assert visitor.get("/help?topic=no-such", headers=EN).status_code == 200  # the form alone

    anonymous = _ask(visitor, "what is my balance")
    assert anonymous.status_code == 200
    said = _answer(anonymous)
    assert "Dial *100#" in said and "Sign in (/login)" in said and "+998" not in said
    assert '<a href="/login">/login</a>' in anonymous.text

    dilnoza = site.signed_in_by_sms(DILNOZA)
    mine = _answer(_ask(dilnoza, "what is my balance", customer_id="someone-else"))
    assert "+998 90 123 45 67 (Lider Start): the balance is 10 000 so'm." in mine
    assert "+998 90 111 22 33" not in mine
    bobur = site.signed_in_by_sms(BOBUR)
    his = _answer(_ask(bobur, "balansim qancha"))
    assert "+998 90 111 22 33 (Lider Start): balans 37 000 so'm." in his and "123 45 67" not in his

    with site.container.uow() as uow:
        found = identity.find_customer_by_phone(uow, phone=DILNOZA)
        assert found is not None
        history = crm.timeline(uow, customer_id=found.id, channel="portal")
        kept = uow.session.scalar(select(func.count()).select_from(AssistantTurn)) or 0
    assert any(e.summary.startswith("Help assistant: asked a question; it answered from the customer") for e in history)
    assert kept == 2  # the two customers' questions; the visitor's are not kept


def test_operator_hands_over_and_bad_posts_are_refused_without_a_trace(site: Site) -> None:
    dilnoza = site.signed_in_by_sms(DILNOZA)
    too_long = _ask(dilnoza, "x" * 501)  # her profile speaks Uzbek: the refusal too
    assert too_long.status_code == 422
    assert "Savol 500 belgidan oshmasin" in too_long.text and 'aria-invalid="true"' in too_long.text
    in_place = dilnoza.post(
        "/help", data={"q": "x" * 501, "csrf_token": csrf_token(dilnoza.get("/help"))}, headers={"HX-Request": "true"}
    )
    assert in_place.status_code == 200 and "Savol 500 belgidan oshmasin" in in_place.text  # htmx swaps 2xx only
    forged = dilnoza.post("/help", data={"q": "what is my balance"}, headers=EN)
    assert forged.status_code == 403
    with site.container.uow() as uow:
        assert (uow.session.scalar(select(func.count()).select_from(AssistantTurn)) or 0) == 0

    handed = _ask(dilnoza, "I want to talk to an operator")
    said = _answer(handed)
    assert "I passed our conversation to the call-centre: request" in said
    assert 'href="/account/history"' in handed.text
    with site.container.uow() as uow:
        found = identity.find_customer_by_phone(uow, phone=DILNOZA)
        assert found is not None
        [request] = crm.contact_requests(uow, customer_id=found.id)
    assert request.channel == "portal" and "Customer: I want to talk to an operator" in request.body
    assert request.id[-8:].upper() in said

    visitor = site.client()
    told = _answer(_ask(visitor, "operator"))
    assert "sign in (/login)" in told and "0611" in told
    # Unsure twice for a visitor: the page carries the count; the second says how to reach a person.
    first = _ask(visitor, "what will the weather be tomorrow")
    assert 'name="unsure" value="1"' in first.text
    second = _ask(visitor, "football match results", unsure="1")
    assert "call the call-centre: 0611" in _answer(second)
