"""`GET /api/v1/me/services` over a real socket: the customer's lines and wallets in one
answer, by session or by a bearer token whose scopes decide what it shows; nobody else's."""

from __future__ import annotations

from tests.e2e.test_lines_me_http import BOBUR, DILNOZA, SECOND, STRANGER, Site, site

__all__ = ["site"]  # the fixture, shared with the lines test


def test_a_customer_sees_their_lines_and_wallet_in_one_answer(site: Site) -> None:
    me = site.signed_in_by_sms(DILNOZA)
    wallet = me.post(
        "/api/v1/me/wallet",
        json={"pin": "24680", "birth_date": "1990-05-17", "accept_offer": True, "offer_version": "2020-03-28"},
    )
    assert wallet.status_code == 201, wallet.text

    answer = me.get("/api/v1/me/services")
    assert answer.status_code == 200, answer.text
    services = answer.json()
    assert [line["msisdn"] for line in services["lines"]] == [SECOND, DILNOZA]
    assert STRANGER not in {line["msisdn"] for line in services["lines"]}
    assert services["lines"][1]["balance"] == 160_000  # so'm: the deposit less the first month's fee
    assert [(w["phone"], w["balance"], w["tier"]) for w in services["wallets"]] == [(DILNOZA, 0, "light")]
    assert answer.headers["cache-control"] == "no-store"


def test_another_customer_sees_only_their_own(site: Site) -> None:
    site.signed_in_by_sms(DILNOZA).post(
        "/api/v1/me/wallet",
        json={"pin": "24680", "birth_date": "1990-05-17", "accept_offer": True, "offer_version": "2020-03-28"},
    )
    bobur = site.signed_in_by_sms(BOBUR).get("/api/v1/me/services").json()
    assert [line["msisdn"] for line in bobur["lines"]] == [BOBUR]
    assert bobur["wallets"] == []


def test_a_token_shows_only_what_its_scopes_open(site: Site) -> None:
    browser = site.signed_in_by_sms(DILNOZA)
    token = site.bearer(browser, "openid mobile")
    services = token.get("/api/v1/me/services").json()
    assert [line["msisdn"] for line in services["lines"]] == [SECOND, DILNOZA]
    assert services["wallets"] is None  # no `wallet` scope: not even whether one exists


def test_nobody_else_gets_in(site: Site) -> None:
    anonymous = site.client()
    for client in (anonymous, site.staff(), site.client(headers={"Authorization": "Bearer forged"})):
        answer = client.get("/api/v1/me/services")
        assert answer.status_code == 401, answer.text
        assert answer.json()["code"] == "unauthenticated"
    forged = site.client(cookies={"yagona_session": "forged"})
    assert forged.get("/api/v1/me/services").status_code == 401
