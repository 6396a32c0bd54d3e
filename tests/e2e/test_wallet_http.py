"""The wallet's REST over a real socket, on SQLite and PostgreSQL: every refusal a problem."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from tests.e2e.server import serving
from tests.factories.wallet import PIN, phone
from yagona.app.api import create_app
from yagona.app.bootstrap import Container
from yagona.platform.settings import Settings

STAFF = {"X-Api-Key": "test-staff-key"}
PROBLEM = "application/problem+json"
A, B = phone(1), phone(2)


@pytest.fixture
def client(settings: Settings, container: Container) -> Iterator[httpx.Client]:
    with serving(create_app(settings, container=container)) as url, httpx.Client(base_url=url, timeout=30) as client:
        yield client


def _problem(response: httpx.Response, status: int, code: str) -> None:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == PROBLEM
    assert response.json()["code"] == code


def _headers(key: str | None = None, pin: str = PIN) -> dict[str, str]:
    return {"X-Wallet-Pin": pin, **({"Idempotency-Key": key} if key else {})}


def test_a_wallet_over_http(client: httpx.Client) -> None:
    register = {"phone": A, "pin": PIN, "birth_date": "1990-05-17", "accept_offer": True}
    _problem(client.post("/api/v1/wallets", json={**register, "accept_offer": False}), 422, "offer_not_accepted")
    _problem(client.post("/api/v1/wallets", json={**register, "birth_date": None}), 422, "invalid_request")
    created = client.post("/api/v1/wallets", json=register)
    assert created.status_code == 201 and created.json()["tier"] == "light"
    assert client.post("/api/v1/wallets", json={**register, "phone": B}).status_code == 201
    _problem(client.post("/api/v1/wallets", json=register), 409, "wallet_exists")

    topup = client.post(f"/api/v1/wallets/{A}/topups", json={"amount": 100000}, headers={"Idempotency-Key": "t1"})
    assert topup.status_code == 201 and topup.json()["status"] == "completed"
    _problem(
        client.post(f"/api/v1/wallets/{A}/topups", json={"amount": 1200000}, headers={"Idempotency-Key": "t2"}),
        409,
        "limit_exceeded",
    )

    sent = client.post(f"/api/v1/wallets/{A}/transfers", json={"to": B, "amount": 25000.5}, headers=_headers("s1"))
    assert sent.status_code == 201 and sent.json()["amount"] == 2500050
    again = client.post(f"/api/v1/wallets/{A}/transfers", json={"to": B, "amount": 25000.5}, headers=_headers("s1"))
    assert again.json() == sent.json()  # a replay
    _problem(
        client.post(f"/api/v1/wallets/{A}/transfers", json={"to": B, "amount": 1}, headers=_headers("s2", "00000")),
        403,
        "invalid_pin",
    )
    _problem(
        client.post(f"/api/v1/wallets/{A}/transfers", json={"to": B, "amount": 1e6}, headers=_headers("s3")),
        409,
        "insufficient_funds",
    )

    payment = {
        "correlatorId": "order-1",
        "amount": {"unit": "UZS", "value": 10000},
        "account": {"id": "0123456789"},
        "payee": {"id": "electricity", "@referredType": "Provider"},
    }
    paid = client.post(f"/api/v1/wallets/{A}/payments", json=payment, headers=_headers("p1"))
    assert paid.status_code == 201, paid.text
    body = paid.json()
    assert body["@type"] == "Payment" and body["status"] == "succeeded" and body["correlatorId"] == "order-1"
    assert body["totalAmount"]["value"] == 10100 and body["paymentMethod"]["id"] == f"wallet:{A}"
    _problem(
        client.post(f"/api/v1/wallets/{A}/payments", json={**payment, "payee": {"id": "nope"}}, headers=_headers("p2")),
        404,
        "not_found",
    )
    _problem(
        client.post(f"/api/v1/wallets/{A}/payments", json={**payment, "account": {"id": "12"}}, headers=_headers("p3")),
        422,
        "invalid_request",
    )

    receipt = client.get(body["href"], headers=_headers())
    assert receipt.status_code == 200 and receipt.json()["commission"] == 10000
    download = client.get(f"{body['href']}/download", headers=_headers())
    assert download.headers["content-type"].startswith("text/plain")
    assert "attachment" in download.headers["content-disposition"] and body["id"] in download.text
    listing = client.get(f"/api/v1/wallets/{A}/receipts", headers=_headers()).json()
    assert [r["kind"] for r in listing["items"]] == ["payment", "transfer", "topup_card"]

    wallet = client.get(f"/api/v1/wallets/{A}", headers=_headers()).json()
    assert wallet["balance"] == 10_000_000 - 2_500_050 - 1_010_000
    _problem(client.post(f"/api/v1/wallets/{A}/close", headers=_headers()), 409, "balance_not_zero")


def test_staff_actions_over_http(client: httpx.Client) -> None:
    register = {"phone": A, "pin": PIN, "birth_date": "1990-05-17", "accept_offer": True}
    assert client.post("/api/v1/wallets", json=register).status_code == 201
    _problem(client.post(f"/api/v1/wallets/{A}/identify", json={"document": "AA1234567"}), 401, "unauthenticated")
    identified = client.post(f"/api/v1/wallets/{A}/identify", json={"document": "AA1234567"}, headers=STAFF)
    assert identified.json()["tier"] == "premium"
    promo = client.post(
        f"/api/v1/wallets/{A}/promotions", json={"amount": 5000}, headers={**STAFF, "Idempotency-Key": "promo"}
    )
    assert promo.status_code == 201
    frozen = client.post(f"/api/v1/wallets/{A}/block", json={"reason": "fraud"}, headers=STAFF).json()
    assert (frozen["state"], frozen["frozen"]) == ("blocked", 500000)
    _problem(
        client.post(f"/api/v1/wallets/{A}/transfers", json={"to": B, "amount": 1}, headers=_headers("x")),
        404,
        "not_found",
    )
    released = client.post(f"/api/v1/wallets/{A}/release", headers=STAFF).json()
    assert (released["state"], released["available"]) == ("active", 500000)
    client.post(f"/api/v1/wallets/{A}/block", json={"reason": "lost"}, headers=STAFF)
    _problem(client.post(f"/api/v1/wallets/{A}/pin/forget"), 409, "wallet_blocked")
    assert client.post(f"/api/v1/wallets/{A}/restore", json={}, headers=STAFF).json()["state"] == "active"
    assert client.post(f"/api/v1/wallets/{A}/pin/forget").json()["block_reason"] == "pin_forgotten"
    activated = client.post(f"/api/v1/wallets/{A}/activate", json={"birth_date": "1990-05-17", "new_pin": "1111"})
    assert activated.json()["state"] == "active"
    assert client.get(f"/api/v1/wallets/{A}", headers=_headers(pin="1111")).status_code == 200


def test_wrong_pins_over_http_are_counted_across_requests_and_lock(client: httpx.Client) -> None:
    register = {"phone": A, "pin": PIN, "birth_date": "1990-05-17", "accept_offer": True}
    assert client.post("/api/v1/wallets", json=register).status_code == 201
    assert client.post("/api/v1/wallets", json={**register, "phone": B}).status_code == 201
    details = []
    for n in range(3):
        wrong = client.post(
            f"/api/v1/wallets/{A}/transfers", json={"to": B, "amount": 1}, headers=_headers(f"w{n}", "00000")
        )
        _problem(wrong, 403, "invalid_pin")
        details.append(wrong.json()["details"])
    assert [d.get("attempts_left") for d in details[:2]] == [2, 1]
    assert "locked_until" in details[2]
    # Locked: even the right PIN is refused now, and nothing moved.
    _problem(
        client.post(f"/api/v1/wallets/{A}/transfers", json={"to": B, "amount": 1}, headers=_headers("r1")),
        403,
        "invalid_pin",
    )
