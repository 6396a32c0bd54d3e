"""The bonus programme over a real socket, SQLite and PostgreSQL: a customer reads their
points and redeems a reward on their own line (a One ID session, or a bearer token that must
carry the scope `loyalty`); staff adjust with a reason. Every endpoint is attacked: no
credential (401), another customer's line (403, the same whether it exists or not), a token
without the scope (403), a staff adjustment without a reason (422) or without the key (401)."""

from __future__ import annotations

import re

import httpx

from tests.e2e.test_lines_me_http import BOBUR, DILNOZA, NOBODY, STRANGER, Site, site  # noqa: F401 - the fixture

ME = "/api/v1/me/loyalty"


def _problem(response: httpx.Response, status: int) -> str:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    code: str = response.json()["code"]
    return code


def test_a_customer_reads_their_points_and_redeems_a_reward_on_their_line(site: Site) -> None:  # noqa: F811
    me = site.signed_in_by_sms(DILNOZA)
    account = me.get(ME)
    assert account.status_code == 200, account.text
    mine = account.json()
    # Lider Start's first fee, 40 000 so'm: 40 points, bronze, 110 000 more for silver.
    assert (mine["phone"], mine["points"], mine["tier"], mine["spend_90d"]) == (DILNOZA, 40, "bronze", 40_000)
    assert mine["next_tier"] == {"tier": "silver", "spend_needed": 110_000}
    assert [(e["kind"], e["points"], e["spend"]) for e in mine["history"]] == [("earn", 40, 40_000)]
    assert mine["lots"][0]["expires_at"].endswith("T00:00:00+05:00") and mine["expiring_soon"] == []
    assert {r["id"]: r["points"] for r in mine["rewards"]} == {
        "data-1gb": 60,
        "minutes-100": 50,
        "fee-discount-10": 120,
    }

    assert _problem(me.post(f"{ME}/redemptions", json={"reward": "data-1gb"}), 409) == "insufficient_points"
    assert _problem(me.post(f"{ME}/redemptions", json={"reward": "gold-bars"}), 404) == "not_found"
    added = site.staff().post(
        f"/api/v1/loyalty/members/{DILNOZA}/adjustments",
        json={"points": 30, "reason": "goodwill: network outage", "staff": "supervisor-7"},
    )
    assert added.status_code == 201, added.text
    assert added.json()["points"] == 70

    done = me.post(f"{ME}/redemptions", json={"reward": "data-1gb"})
    assert done.status_code == 201, done.text
    assert done.json() == {"reward": "data-1gb", "msisdn": DILNOZA, "points_spent": 60, "points": 10}
    assert me.get(f"/api/v1/me/lines/{DILNOZA}").json()["bundles"]["bonus_mb"] == 1024
    assert [e["kind"] for e in me.get(ME).json()["history"]] == ["redeem", "adjust", "earn"]
    # Another customer sees only their own points.
    assert site.signed_in_by_sms(BOBUR).get(ME).json()["points"] == 40


def test_nobody_else_reads_or_spends_the_points(site: Site) -> None:  # noqa: F811
    anonymous = site.client()
    assert _problem(anonymous.get(ME), 401) == "unauthenticated"
    assert _problem(anonymous.post(f"{ME}/redemptions", json={"reward": "data-1gb"}), 401) == "unauthenticated"
    me = site.signed_in_by_sms(DILNOZA)
    site.staff().post(
        f"/api/v1/loyalty/members/{DILNOZA}/adjustments", json={"points": 500, "reason": "test", "staff": "s"}
    )
    # Another customer's line, and a line that does not exist: the same refusal, nothing spent.
    for msisdn in (STRANGER, BOBUR, NOBODY):
        refused = me.post(f"{ME}/redemptions", json={"reward": "data-1gb", "msisdn": msisdn})
        assert _problem(refused, 403) == "forbidden"
    assert me.get(ME).json()["points"] == 540
    # A token without the scope `loyalty` is refused (One ID grants `mobile` here).
    token = site.bearer(me, "openid mobile")
    assert _problem(token.get(ME), 403) == "insufficient_scope"
    assert _problem(token.post(f"{ME}/redemptions", json={"reward": "data-1gb"}), 403) == "insufficient_scope"


def test_staff_adjust_only_with_the_key_and_a_reason(site: Site) -> None:  # noqa: F811
    url = f"/api/v1/loyalty/members/{DILNOZA}"
    assert _problem(site.client().get(url), 401) == "unauthenticated"
    assert _problem(site.client().post(f"{url}/adjustments", json={"points": 5, "reason": "x", "staff": "s"}), 401)
    staff = site.staff()
    assert _problem(staff.post(f"{url}/adjustments", json={"points": 5, "staff": "s"}), 422) == "invalid_request"
    assert _problem(staff.post(f"{url}/adjustments", json={"points": 5, "reason": "  ", "staff": "s"}), 422)
    taken = staff.post(f"{url}/adjustments", json={"points": -41, "reason": "duplicate", "staff": "s"})
    assert _problem(taken, 409) == "insufficient_points"
    assert staff.get(url).json()["points"] == 40  # nothing written by the refusals
    # A retry with the same Idempotency-Key (the console's form does the same) adjusts once.
    body, key = {"points": 5, "reason": "goodwill", "staff": "s"}, {"Idempotency-Key": "goodwill-2026-1"}
    assert staff.post(f"{url}/adjustments", json=body, headers=key).json()["points"] == 45
    assert staff.post(f"{url}/adjustments", json=body, headers=key).json()["points"] == 45


def _token(page: httpx.Response) -> str:
    found = re.search(r'name="csrf_token" value="([0-9a-f]{64})"', page.text)
    assert found, "the page carries its form's token"
    return found.group(1)


def test_the_points_page_redeems_only_the_customers_own_and_refuses_in_their_language(site: Site) -> None:  # noqa: F811
    assert site.client().get("/points").headers["location"] == "/login?next=/points"  # signed out
    me = site.signed_in_by_sms(DILNOZA)
    page = me.get("/points?lang=en")
    assert page.status_code == 200 and "Bonus points" in page.text
    token = _token(page)
    assert me.post("/points/redemptions", data={"reward": "data-1gb", "msisdn": DILNOZA}).status_code == 403  # no token
    # 40 points: too few for 60, said in English; another customer's line: refused; nothing written.
    short = me.post("/points/redemptions", data={"reward": "data-1gb", "msisdn": DILNOZA, "csrf_token": token})
    assert short.status_code == 409 and "Not enough points: 60 needed, 40 held" in short.text
    theirs = me.post("/points/redemptions", data={"reward": "minutes-100", "msisdn": BOBUR, "csrf_token": token})
    assert theirs.status_code == 403 and "The reward was not given" in theirs.text
    site.staff().post(
        f"/api/v1/loyalty/members/{DILNOZA}/adjustments", json={"points": 20, "reason": "t", "staff": "s"}
    )
    assert me.get(ME).json()["points"] == 40  # the reason "t" was too short: refused, nothing written
    site.staff().post(
        f"/api/v1/loyalty/members/{DILNOZA}/adjustments", json={"points": 20, "reason": "test", "staff": "s"}
    )
    done = me.post("/points/redemptions", data={"reward": "data-1gb", "msisdn": DILNOZA, "csrf_token": token})
    assert done.status_code == 303 and done.headers["location"] == "/points"
    assert me.get(ME).json()["points"] == 0
