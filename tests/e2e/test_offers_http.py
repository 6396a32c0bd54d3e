"""The offers over a real socket: `/offers` and its forms for the signed-in customer only and
their own offers only (another customer's offer is the same 404 page as none), the dashboard's
card, a double submit accepting once; `/staff/analytics/offers` and its CSV for supervisors
and admins only (signed out → the sign-in page, an agent → 403)."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI

from tests.e2e.server import serving
from tests.factories.identity import customer, last_code
from tests.factories.staff import STAFF_PASSWORD, member, totp_code
from tests.integration.test_analytics_advisor import _records
from tests.integration.test_privacy_marketing import database_url  # noqa: F401 - SQLite is enough here
from yagona.analytics import service as analytics
from yagona.analytics.settings import AnalyticsSettings
from yagona.app.api import create_app
from yagona.app.bootstrap import Container
from yagona.identity import service as identity
from yagona.kernel.clock import SimulatedClock
from yagona.kernel.money import Money
from yagona.lines import service as lines
from yagona.privacy import service as privacy

PAGE = {"Accept": "text/html", "Accept-Language": "en"}
DILNOZA, BOBUR = "998911000301", "998911000302"


@pytest.fixture
def app(container: Container, tmp_path: Path) -> Iterator[FastAPI]:
    application = create_app(container.settings, container=container)
    analytics.configure(AnalyticsSettings(directory=tmp_path / "store"))
    yield application
    analytics.configure(AnalyticsSettings())


@pytest.fixture
def url(app: FastAPI) -> Iterator[str]:
    with serving(app) as address:
        yield address


@pytest.fixture
def offers(app: FastAPI, container: Container, clock: SimulatedClock) -> dict[str, str]:
    """Each of two consenting customers has an open cheaper-plan offer; staff of each role."""
    with container.uow() as uow:
        for phone in (DILNOZA, BOBUR):
            holder = customer(uow, app.state.identity, phone)
            privacy.give_consent(uow, customer_id=holder.id, purpose="marketing", channel="portal")
            lines.connect(uow, msisdn=phone, plan_id="lider-pro", deposit=Money.of_som(1_000_000))
        for role in ("agent", "supervisor"):
            member(uow, app.state.identity, role)
        uow.commit()
    with container.uow() as uow:
        lines.rate_raw(uow, records=_records(DILNOZA, "d") + _records(BOBUR, "b"))
        uow.commit()
    clock.advance_by(timedelta(days=15))
    with container.uow() as uow:
        assert analytics.refresh(uow).offers == 2
        uow.commit()
    found = {}
    for phone in (DILNOZA, BOBUR):
        holder = customer_of(container, phone)
        with container.uow() as uow:
            [offer] = analytics.offers_of(uow, customer_id=holder, channel="test")
            uow.commit()
        found[phone] = offer.id
    return found


def customer_of(container: Container, phone: str) -> str:
    with container.uow() as uow:
        found = identity.find_customer_by_phone(uow, phone=phone)
        assert found is not None
        return found.id


def _token(page: httpx.Response) -> str:
    found = re.search(r'name="csrf_token" value="([0-9a-f]{64})"', page.text)
    assert found, "the page carries its form's token"
    return found.group(1)


def _customer(url: str, app: FastAPI, container: Container, phone: str) -> httpx.Client:
    browser = httpx.Client(base_url=url, timeout=20, headers=PAGE)
    sent = browser.post("/api/v1/auth/otp", json={"phone": phone})
    assert sent.status_code == 202, sent.text
    with container.uow() as uow:
        code = last_code(uow, app.state.identity, phone)
    verify = {"phone": phone, "code": code, "request_id": sent.json()["request_id"]}
    assert browser.post("/api/v1/auth/otp/verify", json=verify).status_code == 200
    return browser


def _staff(url: str, clock: SimulatedClock, role: str) -> httpx.Client:
    client = httpx.Client(base_url=url, timeout=20, headers=PAGE)
    clock.advance_by(timedelta(seconds=30))
    form = {"login": f"test-{role}", "password": STAFF_PASSWORD, "totp": totp_code(clock.now())}
    answer = client.post("/staff/login", data={**form, "csrf_token": _token(client.get("/staff/login"))})
    assert answer.status_code == 303, answer.text
    return client


def test_signed_out_every_offer_page_sends_to_sign_in(url: str, offers: dict[str, str]) -> None:
    with httpx.Client(base_url=url, timeout=20, headers=PAGE) as anyone:
        assert anyone.get("/offers").headers["location"] == "/login?next=/offers"
        mine = offers[DILNOZA]
        assert anyone.get(f"/offers/{mine}").headers["location"] == f"/login?next=/offers/{mine}"
        assert anyone.post(f"/offers/{mine}/accept").status_code == 403  # no form token, no session


def test_a_customer_sees_and_accepts_only_their_own_offer_once(
    url: str, app: FastAPI, container: Container, offers: dict[str, str]
) -> None:
    me = _customer(url, app, container, DILNOZA)
    home = me.get("/?lang=en")
    assert "Switch to Lider Start and save" in home.text and f'href="/offers/{offers[DILNOZA]}"' in home.text
    page = me.get("/offers?lang=en")
    assert page.status_code == 200 and "Switch to Lider Start and save" in page.text
    assert offers[BOBUR] not in page.text
    nowhere = me.get("/offers/no-such-offer")
    his = me.get(f"/offers/{offers[BOBUR]}")
    assert nowhere.status_code == his.status_code == 404
    assert his.text.replace(offers[BOBUR], "?") == nowhere.text.replace("no-such-offer", "?")  # nothing said about it
    token = _token(me.get(f"/offers/{offers[DILNOZA]}"))
    assert me.post(f"/offers/{offers[BOBUR]}/accept", data={"csrf_token": token}).status_code == 404
    assert me.post(f"/offers/{offers[BOBUR]}/dismiss", data={"csrf_token": token}).status_code == 404
    quote = me.get(f"/offers/{offers[DILNOZA]}?lang=en")
    assert "What the switch means" in quote.text and "Balance after the switch" in quote.text
    with container.uow() as uow:
        before = lines.state(uow, msisdn=DILNOZA).balance_tiyin
        fee = lines.quote_switch(uow, msisdn=DILNOZA, plan_id="lider-start").fee_tiyin
    first = me.post(f"/offers/{offers[DILNOZA]}/accept", data={"csrf_token": token})
    second = me.post(f"/offers/{offers[DILNOZA]}/accept", data={"csrf_token": token})  # a double submit
    assert first.status_code == second.status_code == 303
    with container.uow() as uow:
        line = lines.state(uow, msisdn=DILNOZA)
    assert line.plan == "lider-start" and line.balance_tiyin == before - fee  # switched and charged once
    assert "Status: You accepted it" in me.get("/offers?lang=en").text
    bobur = customer_of(container, BOBUR)
    with container.uow() as uow:
        his_offer = analytics.offer_of(uow, customer_id=bobur, offer_id=offers[BOBUR])
    assert his_offer.status == "shown"  # Bobur's offer untouched
    me.close()


def test_not_interested_closes_the_offer(url: str, app: FastAPI, container: Container, offers: dict[str, str]) -> None:
    me = _customer(url, app, container, BOBUR)
    token = _token(me.get("/offers"))
    assert me.post(f"/offers/{offers[BOBUR]}/dismiss", data={"csrf_token": token}).status_code == 303
    assert "Switch to Lider Start and save" not in me.get("/?lang=en").text  # no card any more
    assert me.post(f"/offers/{offers[BOBUR]}/accept", data={"csrf_token": token}).status_code == 409
    with container.uow() as uow:
        assert lines.state(uow, msisdn=BOBUR).plan == "lider-pro"
    me.close()


def test_only_supervisors_see_the_acceptance(
    url: str, app: FastAPI, container: Container, clock: SimulatedClock, offers: dict[str, str]
) -> None:
    paths = ("/staff/analytics/offers", "/staff/analytics/offers/acceptance.csv")
    with httpx.Client(base_url=url, timeout=20, headers=PAGE) as anyone:
        for path in paths:
            answer = anyone.get(path)
            assert answer.status_code == 303 and answer.headers["location"] == "/staff/login", path
    agent = _staff(url, clock, "agent")
    assert [agent.get(path).status_code for path in paths] == [403, 403]
    me = _customer(url, app, container, DILNOZA)  # a customer's session is no staff session
    assert me.get(paths[0]).status_code == 303
    token = _token(me.get("/offers"))
    assert me.post(f"/offers/{offers[DILNOZA]}/accept", data={"csrf_token": token}).status_code == 303
    supervisor = _staff(url, clock, "supervisor")
    page = supervisor.get(paths[0])
    assert page.status_code == 200 and "<svg" in page.text and "Offer acceptance" in page.text
    rows = list(csv.reader(io.StringIO(supervisor.get(paths[1]).text)))
    assert rows[0] == ["by", "group", "made", "shown", "accepted", "dismissed", "expired", "acceptance_rate"]
    assert ["kind", "cheaper_plan", "2", "2", "1", "0", "0", "0.5000"] in rows
    assert supervisor.get(paths[0] + "?from=2026-05-01&to=2026-04-01").status_code == 422
    for client in (agent, me, supervisor):
        client.close()
