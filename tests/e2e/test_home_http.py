"""Home internet over a real socket, SQLite and PostgreSQL: the customer's own accounts
(`/api/v1/me/home`, One ID session or a bearer token with the scope `home`) and the staff's
(`/api/v1/home`, the staff key). Every customer endpoint is attacked: no credential (401),
another customer's contract (404, the same answer as a missing one), a token without the scope
`home` (403), the staff key (401); staff endpoints refuse a customer's session (401)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import Engine

from tests.e2e.server import serving
from tests.e2e.test_lines_me_http import Site, _problem
from tests.factories import home as factory
from tests.factories.identity import context, customer
from yagona.app.api import create_app
from yagona.app.bootstrap import bootstrap
from yagona.kernel.clock import SystemClock
from yagona.platform.settings import Settings

DILNOZA, BOBUR = "998901234567", "998901112233"
ADDRESS = "Toshkent, Chilonzor 9-mavze, 12-uy"

ENDPOINTS: list[tuple[str, str, dict[str, object] | None]] = [
    ("GET", "/api/v1/me/home/{c}", None),
    ("POST", "/api/v1/me/home/{c}/plan", {"plan": "uy-300"}),
    ("POST", "/api/v1/me/home/{c}/packages", {"package": "tv-kino"}),
    ("DELETE", "/api/v1/me/home/{c}/packages/tv-kino", None),
]


@pytest.fixture
def site(settings: Settings, engine: Engine) -> Iterator[Site]:
    container = bootstrap(settings, clock=SystemClock(), engine=engine, configure_logs=False)
    app = create_app(settings, container=container)
    with serving(app) as url:
        app.state.identity = context(settings, issuer=url)
        site = Site(url, container, app.state)
        with container.uow() as uow:
            customer(uow, app.state.identity, DILNOZA)
            customer(uow, app.state.identity, BOBUR)
            uow.commit()
        try:
            yield site
        finally:
            for client in site.opened:
                client.close()


def test_a_customer_asks_for_home_internet_and_the_staff_see_it_wait_for_oneid(site: Site) -> None:
    me, staff = site.signed_in_by_sms(DILNOZA), site.staff()
    asked = me.post("/api/v1/me/home", json={"address": ADDRESS, "plan": "uy-100", "equipment": ["router-wifi"]})
    assert asked.status_code == 201, asked.text
    account = asked.json()
    assert (account["id"], account["status"], account["state"]) == ("10000001", "pendingActive", "pending_identity")
    assert account["href"] == "/api/v1/me/home/10000001" and account["iptv_number"] == "IP0000001"
    assert account["product_offering"]["id"] == "uy-100" and account["next_fee"] == 159_000
    assert {"name": "demo", "value": True} in account["product_characteristic"]
    assert [p["price"] for p in account["product_price"]] == [149_000, 10_000]
    assert [a["id"] for a in me.get("/api/v1/me/home").json()] == ["10000001"]

    waiting = staff.get("/api/v1/home/requests")
    assert [a["id"] for a in waiting.json()] == ["10000001"]
    assert _problem(staff.post("/api/v1/home/accounts/10000001/activate"), 409) == "identity_not_verified"

    with site.container.uow() as uow:
        from yagona.identity import service as identity

        holder = identity.find_customer_by_phone(uow, phone=DILNOZA)
        assert holder is not None
    factory.verify(site.container.uow, site.app_state.identity, holder.id, "31203901230012")  # type: ignore[attr-defined]
    assert me.get("/api/v1/me/home/10000001").json()["state"] == "suspended"  # verified, nothing paid yet
    assert staff.get("/api/v1/home/requests").json() == []

    paid = staff.post(
        "/api/v1/home/accounts/10000001/topups", json={"amount": 200_000}, headers={"Idempotency-Key": "desk-1"}
    )
    assert paid.status_code == 201, paid.text
    assert (paid.json()["status"], paid.json()["balance"]) == ("active", 41_000)
    assert paid.json()["next_charge_at"].endswith("T00:00:00+05:00")

    tv = me.post("/api/v1/me/home/10000001/packages", json={"package": "tv-asosiy"})
    assert tv.status_code == 200, tv.text
    assert [p["id"] for p in tv.json()["packages"]] == ["tv-asosiy"] and tv.json()["balance"] == 16_000
    changed = me.post("/api/v1/me/home/10000001/plan", json={"plan": "uy-300"})
    assert (changed.json()["product_offering"]["id"], changed.json()["next_plan"]) == ("uy-100", "uy-300")
    assert _problem(me.post("/api/v1/me/home/10000001/plan", json={"plan": "uy-20-arxiv"}), 409) == "plan_closed"
    assert _problem(me.post("/api/v1/me/home/10000001/packages", json={"package": "tv-yoq"}), 404) == "not_found"
    assert _problem(me.post("/api/v1/me/home", json={"address": ADDRESS, "plan": "uy-100", "x": 1}), 422)
    assert me.delete("/api/v1/me/home/10000001/packages/tv-asosiy").json()["packages"] == []


def test_nobody_else_reaches_a_home_account(site: Site) -> None:
    dilnoza, bobur = site.signed_in_by_sms(DILNOZA), site.signed_in_by_sms(BOBUR)
    assert dilnoza.post("/api/v1/me/home", json={"address": ADDRESS, "plan": "uy-50"}).status_code == 201
    anonymous, staff = site.client(), site.staff()
    wrong_scope = site.bearer(site.signed_in_by_sms(DILNOZA), "openid mobile")
    for method, path, body in ENDPOINTS:
        mine, missing = path.format(c="10000001"), path.format(c="10000099")
        assert _problem(anonymous.request(method, mine, json=body), 401) == "unauthenticated", path
        assert _problem(staff.request(method, mine, json=body), 401) == "unauthenticated", path
        assert _problem(wrong_scope.request(method, mine, json=body), 403) == "insufficient_scope", path
        # Bobur: Dilnoza's contract is the same 404 as a contract that does not exist.
        theirs = bobur.request(method, mine, json=body).text.replace("10000001", "C")
        assert theirs == bobur.request(method, missing, json=body).text.replace("10000099", "C"), path
        assert _problem(bobur.request(method, mine, json=body), 404) == "not_found", path
    assert bobur.get("/api/v1/me/home").json() == []
    assert _problem(wrong_scope.get("/api/v1/me/home"), 403) == "insufficient_scope"
    assert _problem(anonymous.post("/api/v1/me/home", json={"address": ADDRESS, "plan": "uy-50"}), 401)
    assert _problem(dilnoza.get("/api/v1/me/home/1234"), 422) == "invalid_request"
    # The staff side answers the staff key only.
    for method, path in (
        ("GET", "/api/v1/home/requests"),
        ("GET", "/api/v1/home/accounts/10000001"),
        ("POST", "/api/v1/home/accounts/10000001/activate"),
        ("POST", "/api/v1/home/accounts/10000001/close"),
    ):
        assert _problem(dilnoza.request(method, path), 401) == "unauthenticated", path
        assert _problem(anonymous.request(method, path), 401) == "unauthenticated", path
    assert staff.get("/api/v1/home/accounts/10000001").json()["state"] == "pending_identity"
    assert staff.post("/api/v1/home/accounts/10000001/close").json()["status"] == "terminated"


@pytest.fixture
def with_oneid(settings: Settings, engine: Engine) -> Iterator[Site]:
    """The server with the national OneID pointed at its built-in simulator."""
    container = bootstrap(settings, clock=SystemClock(), engine=engine, configure_logs=False)
    app = create_app(settings, container=container)
    with serving(app) as url:
        app.state.identity = context(
            settings,
            issuer=url,
            oneid_endpoint=f"{url}/oneid-simulator/sso/oauth/Authorization.do",
            oneid_redirect_uri=f"{url}/api/v1/auth/oneid/callback",
        )
        site = Site(url, container, app.state)
        with container.uow() as uow:
            customer(uow, app.state.identity, DILNOZA)
            uow.commit()
        try:
            yield site
        finally:
            for client in site.opened:
                client.close()


def test_the_walk_request_oneid_active_then_paid_from_the_wallet(with_oneid: Site) -> None:
    site = with_oneid
    me = site.signed_in_by_sms(DILNOZA)
    assert me.post("/api/v1/me/home", json={"address": ADDRESS, "plan": "uy-50"}).status_code == 201
    made = me.post(
        "/api/v1/me/wallet",
        json={"pin": "24680", "birth_date": "1990-05-17", "accept_offer": True, "offer_version": "2020-03-28"},
    )
    assert made.status_code == 201, made.text
    pin = {"X-Wallet-Pin": "24680"}
    topup = me.post(
        "/api/v1/me/wallet/topups",
        json={"amount": 150_000, "card_number": "8600123412341234"},
        headers={**pin, "Idempotency-Key": "walk-1"},
    )
    assert topup.status_code == 201, topup.text

    def pay(amount: int, key: str) -> None:
        paid = me.post(
            "/api/v1/me/wallet/payments",
            json={"provider": "home-internet", "account": "10000001", "amount": amount},
            headers={**pin, "Idempotency-Key": key},
        )
        assert paid.status_code == 201, paid.text

    pay(50_000, "walk-2")  # paid in while waiting: the balance waits too
    assert me.get("/api/v1/me/home/10000001").json()["state"] == "pending_identity"

    start = me.get("/api/v1/auth/oneid/start")  # the national OneID (its simulator approves at once)
    assert start.status_code == 302, start.text
    back = me.get(start.headers["location"])
    assert back.status_code == 302, back.text
    done = me.get(back.headers["location"])
    assert done.status_code == 200 and done.json()["customer"]["verification_level"] == "verified", done.text

    account = me.get("/api/v1/me/home/10000001").json()
    assert (account["state"], account["balance"]) == ("suspended", 50_000)  # short of uy-50's 99 000
    pay(60_000, "walk-3")
    account = me.get("/api/v1/me/home/10000001").json()
    assert (account["status"], account["balance"]) == ("active", 11_000)  # resumed at once, fee in advance
    assert account["next_charge_at"].endswith("T00:00:00+05:00")
