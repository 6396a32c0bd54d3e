"""The wallet's REST over a real socket, on SQLite and PostgreSQL, as attackers try it.

The customer's wallet is `/api/v1/me/wallet/...`: One ID says who calls (a session cookie,
or a bearer token with `wallet` / `wallet:pay`), the wallet is found from the customer,
money moves need the PIN. Every endpoint: no credential → 401; another customer's
session cannot see or move the first customer's wallet; a token without `wallet:pay`
cannot pay; with it, it can. Staff endpoints answer only to the staff key."""

from __future__ import annotations

import base64
import hashlib
import secrets
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from tests.e2e.server import serving
from tests.factories.identity import PASSWORD, customer, last_code
from tests.factories.wallet import PIN
from yagona.app.api import create_app
from yagona.app.bootstrap import Container
from yagona.kernel.clock import SimulatedClock
from yagona.notify import service as notify
from yagona.platform.settings import Settings
from yagona.wallet import service

STAFF = {"X-Api-Key": "test-staff-key"}
PROBLEM = "application/problem+json"
ALICE, BOB = "998901000001", "998901000002"
ME = "/api/v1/me/wallet"
TMF = "/tmf-api/paymentManagement/v4/payment"
CALLBACK = "http://127.0.0.1:9/callback"
PAYMENT = {"provider": "electricity", "account": "0123456789", "amount": 10000}
CARD = "8600123412341234"


@dataclass
class Api:
    url: str
    container: Container
    app_state: Any
    clock: SimulatedClock
    opened: list[httpx.Client]

    def client(self, **kwargs: Any) -> httpx.Client:
        client = httpx.Client(base_url=self.url, timeout=30, **kwargs)
        self.opened.append(client)
        return client

    def customer(self, phone: str) -> None:
        with self.container.uow() as uow:
            customer(uow, self.app_state.identity, phone)
            uow.commit()

    def signed_in_by_code(self, phone: str) -> httpx.Client:
        """A browser signed in to One ID with the SMS code sent to `phone` ("otp")."""
        browser = self.client()
        sent = browser.post("/api/v1/auth/otp", json={"phone": phone})
        assert sent.status_code == 202, sent.text
        with self.container.uow() as uow:
            code = last_code(uow, self.app_state.identity, phone)
        signed = browser.post(
            "/api/v1/auth/otp/verify", json={"phone": phone, "code": code, "request_id": sent.json()["request_id"]}
        )
        assert signed.status_code == 200, signed.text
        return browser

    def signed_in_by_password(self, phone: str) -> httpx.Client:
        browser = self.client()
        signed = browser.post("/api/v1/auth/password", json={"phone": phone, "password": PASSWORD})
        assert signed.status_code == 200, signed.text
        return browser

    def bearer(self, browser: httpx.Client, scopes: list[str]) -> httpx.Client:
        """An OIDC access token with `scopes` (code flow + PKCE S256), for the browser's customer."""
        from yagona.identity import oidc
        from yagona.identity.schemas import ClientCreate

        with self.container.uow() as uow:
            created = oidc.add_client(
                uow,
                client=ClientCreate(
                    name="Wallet app", redirect_uris=[CALLBACK], first_party=True, scopes=["openid", *scopes]
                ),
            )
            uow.commit()
        client_id = created.client.client_id
        secret = created.client_secret.get_secret_value() if created.client_secret else ""
        verifier = secrets.token_urlsafe(48)
        challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
        answer = browser.get(
            "/authorize",
            params={
                "response_type": "code", "client_id": client_id, "redirect_uri": CALLBACK,
                "scope": " ".join(["openid", *scopes]), "state": "s1", "nonce": "n1",
                "code_challenge": challenge, "code_challenge_method": "S256",
            },
        )  # fmt: skip
        assert answer.status_code == 302, answer.text
        code = parse_qs(urlsplit(answer.headers["location"]).query)["code"][0]
        token = httpx.post(
            f"{self.url}/oauth/token",
            data={
                "grant_type": "authorization_code",
                "code": code,
                "redirect_uri": CALLBACK,
                "code_verifier": verifier,
            },
            auth=(client_id, secret),
        )
        assert token.status_code == 200, token.text
        return self.client(headers={"Authorization": f"Bearer {token.json()['access_token']}"})

    def outbox(self, phone: str) -> list[str]:
        with self.container.uow() as uow:
            messages = notify.outbox(uow, recipient=phone, sealer=self.app_state.identity.messages, env="test")
        return [m.template for m in messages]


@pytest.fixture
def api(settings: Settings, container: Container, clock: SimulatedClock) -> Iterator[Api]:
    app = create_app(settings, container=container)
    with serving(app) as url:
        api = Api(url, container, app.state, clock, [])
        try:
            yield api
        finally:
            for client in api.opened:
                client.close()


def _problem(response: httpx.Response, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == PROBLEM
    body: dict[str, Any] = response.json()
    assert body["code"] == code, body
    return body


def _pay(key: str, pin: str = PIN) -> dict[str, str]:
    return {"X-Wallet-Pin": pin, "Idempotency-Key": key}


def _register(client: httpx.Client, **fields: Any) -> httpx.Response:
    version = service.current().settings.offer_version
    body = {"pin": PIN, "birth_date": "1990-05-17", "accept_offer": True, "offer_version": version, **fields}
    return client.post(ME, json=body)


def _with_wallets(api: Api) -> tuple[httpx.Client, httpx.Client]:
    """Alice and Bob, each signed in by SMS code, each with a funded wallet."""
    api.customer(ALICE)
    api.customer(BOB)
    alice, bob = api.signed_in_by_code(ALICE), api.signed_in_by_code(BOB)
    assert _register(alice).status_code == 201
    assert _register(bob).status_code == 201
    for phone in (ALICE, BOB):
        promo = api.client().post(
            f"/api/v1/wallets/{phone}/promotions", json={"amount": 100000}, headers={**STAFF, "Idempotency-Key": "p"}
        )
        assert promo.status_code == 201, promo.text
    return alice, bob


# Every customer endpoint: (method, path, body, money-moving).
ENDPOINTS: list[tuple[str, str, dict[str, Any] | None, bool]] = [
    ("POST", ME, {"pin": PIN, "birth_date": "1990-05-17", "accept_offer": True, "offer_version": "x"}, True),
    ("GET", ME, None, False),
    ("GET", f"{ME}/receipts", None, False),
    ("GET", f"{ME}/receipts/W0000000001", None, False),
    ("GET", f"{ME}/receipts/W0000000001/download", None, False),
    ("POST", f"{ME}/topups", {"amount": 1000, "card_number": CARD}, True),
    ("POST", f"{ME}/transfers", {"to": BOB, "amount": 1000}, True),
    ("POST", f"{ME}/payments/quote", PAYMENT, False),
    ("POST", f"{ME}/payments", PAYMENT, True),
    ("POST", f"{ME}/redemptions", {"amount": 1000, "card_number": CARD}, True),
    ("POST", f"{ME}/close", None, True),
    ("POST", f"{ME}/pin/forget", None, True),
    ("POST", f"{ME}/pin/restore", {"birth_date": "1990-05-17", "new_pin": "1111"}, True),
    (
        "POST",
        TMF,
        {"amount": {"unit": "UZS", "value": 100}, "account": {"id": "0123456789"}, "payee": {"id": "electricity"}},
        True,
    ),
    ("GET", f"{TMF}/W0000000001", None, False),
]
IDS = [f"{method} {path.removeprefix(ME) or '/'}" for method, path, _, _ in ENDPOINTS]


def _call(client: httpx.Client, method: str, path: str, body: dict[str, Any] | None, **params: str) -> httpx.Response:
    return client.request(method, path, json=body, headers=_pay(secrets.token_hex(8)), params=params)


@pytest.mark.parametrize(("method", "path", "body", "moves"), ENDPOINTS, ids=IDS)
def test_every_customer_endpoint_refuses_a_caller_without_credentials(
    api: Api, method: str, path: str, body: dict[str, Any] | None, moves: bool
) -> None:
    _with_wallets(api)
    _problem(_call(api.client(), method, path, body), 401, "unauthenticated")
    forged = api.client(cookies={"yagona_session": "forged"}, headers={"Authorization": "Bearer forged"})
    _problem(_call(forged, method, path, body), 401, "unauthenticated")
    assert api.outbox(ALICE) == [t for t in api.outbox(ALICE) if t == "identity.otp"]  # nothing happened to Alice


@pytest.mark.parametrize(("method", "path", "body", "moves"), ENDPOINTS, ids=IDS)
def test_another_customer_cannot_reach_the_first_customers_wallet(
    api: Api, method: str, path: str, body: dict[str, Any] | None, moves: bool
) -> None:
    alice, bob = _with_wallets(api)
    paid = alice.post(f"{ME}/payments", json=PAYMENT, headers=_pay("a1"))
    assert paid.status_code == 201
    before = alice.get(ME).json()
    # Bob names Alice's number: refused (the same whether or not she has a wallet).
    refused = _call(bob, method, path, body, phone=ALICE)
    if method == "POST" and path == ME:
        refused = _register(bob, phone=ALICE)
    _problem(refused, 403, "forbidden")
    # Without naming it, Bob's calls reach only Bob's own wallet: Alice's receipt is not his.
    if "W0000000001" in path:
        assert bob.get(f"{ME}/receipts").json()["items"][0]["number"] != paid.json()["number"]
        _problem(bob.get(path.replace("W0000000001", paid.json()["number"])), 404, "not_found")
    after = alice.get(ME).json()
    assert (after["state"], after["balance"]) == (before["state"], before["balance"])


def test_a_stranger_learns_nothing_of_a_phone_and_cannot_register_on_it(api: Api) -> None:
    alice, _ = _with_wallets(api)
    stranger = api.client()
    for path in (f"/api/v1/wallets/{ALICE}", f"/api/v1/wallets/{ALICE}/receipts"):
        _problem(stranger.get(path), 401, "unauthenticated")
    assert stranger.post("/api/v1/wallets", json={"phone": ALICE}).status_code in (401, 404, 405)
    # A signed-in customer registers only on their own phones.
    api.customer("998901000003")
    carol = api.signed_in_by_code("998901000003")
    _problem(_register(carol, phone="998901000004"), 403, "forbidden")
    _problem(_register(carol, phone=ALICE), 403, "forbidden")
    _problem(_register(carol, offer_version="2019-01-01"), 422, "offer_version_mismatch")
    created = _register(carol)
    assert created.status_code == 201 and created.json()["offer_version"] == service.current().settings.offer_version
    with api.container.uow() as uow:
        assert service.get(uow, phone="998901000003").customer_id is not None
    # The path phone of a staff endpoint is validated.
    _problem(api.client().get("/api/v1/wallets/abc", headers=STAFF), 422, "invalid_request")
    assert alice.get(ME).status_code == 200


def test_a_bearer_token_reads_with_wallet_and_pays_only_with_wallet_pay(api: Api) -> None:
    alice, _ = _with_wallets(api)
    reader = api.bearer(alice, ["wallet"])
    assert reader.get(ME).json()["phone"] == ALICE
    assert reader.get(f"{ME}/receipts").status_code == 200
    for method, path, body, moves in ENDPOINTS:
        if moves:
            _problem(_call(reader, method, path, body), 403, "insufficient_scope")
    mobile_only = api.bearer(alice, ["mobile"])
    _problem(mobile_only.get(ME), 403, "insufficient_scope")
    payer = api.bearer(alice, ["wallet", "wallet:pay"])
    paid = payer.post(f"{ME}/payments", json=PAYMENT, headers=_pay("b1"))
    assert paid.status_code == 201, paid.text
    body = paid.json()
    assert (body["amount"], body["commission"], body["total"]) == (10000, 100, 10100)  # so'm
    _problem(payer.post(f"{ME}/payments", json=PAYMENT, headers=_pay("b2", "0000")), 403, "invalid_pin")
    sent = payer.post(f"{ME}/transfers", json={"to": BOB, "amount": 25000.5}, headers=_pay("b3"))
    assert sent.status_code == 201 and sent.json()["amount"] == 25000.5
    assert payer.post(f"{ME}/transfers", json={"to": BOB, "amount": 25000.5}, headers=_pay("b3")).json() == sent.json()


def test_the_customers_wallet_over_http_in_som(api: Api) -> None:
    alice, _ = _with_wallets(api)
    wallet = alice.get(ME).json()
    assert (wallet["balance"], wallet["balance_limit"]) == (100000, 1225000)  # so'm, never tiyin
    assert wallet["created_at"].endswith("+05:00")
    topup = alice.post(f"{ME}/topups", json={"amount": 5000, "card_number": CARD}, headers=_pay("t1"))
    assert topup.status_code == 201 and topup.json()["status"] == "completed", topup.text
    _problem(alice.post(f"{ME}/topups", json={"amount": 5000, "card_number": CARD}), 422, "invalid_request")  # no PIN
    for bad in ({"amount": "5000", "card_number": CARD}, {"amount": 1.234, "card_number": CARD}, {"amount": 0,
                "card_number": CARD}, {"amount": 5, "card_number": CARD, "hack": True}):  # fmt: skip
        _problem(alice.post(f"{ME}/topups", json=bad, headers=_pay("t2")), 422, "invalid_request")
    _problem(alice.post(f"{ME}/topups", json={"amount": 1, "card_number": CARD}, headers=_pay("bad key!")), 422,
             "invalid_request")  # fmt: skip
    paid = alice.post(f"{ME}/payments", json=PAYMENT, headers=_pay("p1")).json()
    receipt = alice.get(f"{ME}/receipts/{paid['number']}").json()
    assert receipt == paid  # two receipts of one payment agree
    assert receipt["operator_tin"] and receipt["operator_name"] and receipt["created_at"].endswith("+05:00")
    download = alice.get(f"{ME}/receipts/{paid['number']}/download")
    assert "attachment" in download.headers["content-disposition"] and paid["number"] in download.text
    assert "STIR" in download.text and "10 100" in download.text.replace("\u00a0", " ").replace(",", " ")
    tmf = alice.post(
        TMF,
        json={"correlatorId": "o-1", "amount": {"unit": "UZS", "value": 10000}, "account": {"id": "0123456789"},
              "payee": {"id": "electricity", "@referredType": "Provider"}},
        headers=_pay("tmf1"),
    )  # fmt: skip
    assert tmf.status_code == 201, tmf.text
    payment = tmf.json()
    assert (
        payment["@type"] == "Payment" and payment["totalAmount"]["value"] == 10100 and payment["correlatorId"] == "o-1"
    )
    assert alice.get(payment["href"]).json()["id"] == payment["id"]
    mine = alice.get(f"{ME}/receipts/{payment['id']}").json()
    assert (mine["amount"], mine["total"]) == (payment["amount"]["value"], payment["totalAmount"]["value"])
    redeemed = alice.post(f"{ME}/redemptions", json={"amount": 1000, "card_number": CARD}, headers=_pay("r1"))
    assert redeemed.status_code == 201 and redeemed.json()["kind"] == "redemption", redeemed.text
    _problem(alice.post(f"{ME}/close", headers=_pay("c1")), 409, "balance_not_zero")
    ru = alice.post(f"{ME}/close", headers={**_pay("c1"), "Accept-Language": "ru"})
    assert ru.status_code == 409


def test_a_pin_restore_needs_a_fresh_sms_sign_in_and_the_birth_date_is_counted(api: Api) -> None:
    api.customer(ALICE)
    by_code = api.signed_in_by_code(ALICE)
    assert _register(by_code).status_code == 201
    restore = {"birth_date": "1990-05-17", "new_pin": "1357"}
    # A session signed in with the password only is not enough (the password may be what leaked).
    by_password = api.signed_in_by_password(ALICE)
    _problem(by_password.post(f"{ME}/pin/restore", json=restore), 403, "sms_sign_in_required")
    # Nor an SMS sign-in of long ago.
    api.clock.advance_by(timedelta(minutes=11))
    _problem(by_code.post(f"{ME}/pin/restore", json=restore), 403, "sms_sign_in_required")
    fresh = api.signed_in_by_code(ALICE)
    assert fresh.post(f"{ME}/pin/forget").json()["block_reason"] == "pin_forgotten"
    assert "wallet.pin_cancelled" in api.outbox(ALICE)
    wrong = {"birth_date": "1990-05-18", "new_pin": "1357"}
    answers = [fresh.post(f"{ME}/pin/restore", json=wrong) for _ in range(3)]
    for answer in answers:
        _problem(answer, 422, "invalid_request")
    assert "locked_until" in answers[-1].json()["details"]
    assert "wallet.restore_locked" in api.outbox(ALICE)
    # Locked: cancelling the PIN again resets nothing, and even the right birth date waits.
    assert fresh.post(f"{ME}/pin/forget").status_code == 200
    _problem(fresh.post(f"{ME}/pin/restore", json=restore), 422, "invalid_request")
    # The call-centre's restore (staff) clears it; or a day passes.
    api.clock.advance_by(timedelta(days=1, minutes=1))
    fresh = api.signed_in_by_code(ALICE)
    restored = fresh.post(f"{ME}/pin/restore", json=restore)
    assert restored.status_code == 200 and restored.json()["state"] == "active", restored.text
    assert "wallet.pin_reset" in api.outbox(ALICE)
    _problem(fresh.post(f"{ME}/close", headers=_pay("x", PIN)), 403, "invalid_pin")
    assert fresh.post(f"{ME}/close", headers=_pay("y", "1357")).json()["state"] == "closed"


def test_wrong_pins_are_counted_across_requests_lock_and_tell_the_owner(api: Api) -> None:
    alice, _ = _with_wallets(api)
    details = []
    for n in range(3):
        wrong = alice.post(f"{ME}/transfers", json={"to": BOB, "amount": 1}, headers=_pay(f"w{n}", "00000"))
        details.append(_problem(wrong, 403, "invalid_pin")["details"])
    assert [d.get("attempts_left") for d in details[:2]] == [2, 1] and "locked_until" in details[2]
    assert "wallet.pin_locked" in api.outbox(ALICE)
    _problem(alice.post(f"{ME}/transfers", json={"to": BOB, "amount": 1}, headers=_pay("r1")), 403, "invalid_pin")


def test_staff_actions_over_http(api: Api) -> None:
    alice, _ = _with_wallets(api)
    staff = api.client(headers=STAFF)
    _problem(api.client().post(f"/api/v1/wallets/{ALICE}/identify", json={"document": "AA1234567"}), 401,
             "unauthenticated")  # fmt: skip
    assert staff.post(f"/api/v1/wallets/{ALICE}/identify", json={"document": "AA1234567"}).json()["tier"] == "premium"
    frozen = staff.post(f"/api/v1/wallets/{ALICE}/block", json={"reason": "fraud"}).json()
    assert (frozen["state"], frozen["frozen"]) == ("blocked", 100000)
    assert "wallet.blocked_fraud" in api.outbox(ALICE)
    _problem(alice.post(f"{ME}/transfers", json={"to": BOB, "amount": 1}, headers=_pay("x")), 409, "wallet_blocked")
    released = staff.post(f"/api/v1/wallets/{ALICE}/release").json()
    assert (released["state"], released["available"]) == ("active", 100000)
    staff.post(f"/api/v1/wallets/{ALICE}/block", json={"reason": "lost"})
    assert "wallet.blocked_lost" in api.outbox(ALICE)
    _problem(alice.post(f"{ME}/pin/forget"), 409, "wallet_blocked")
    assert staff.post(f"/api/v1/wallets/{ALICE}/restore", json={}).json()["state"] == "active"
    assert staff.get(f"/api/v1/wallets/{ALICE}/receipts").json()["items"][0]["amount"] == 100000


def test_a_pin_restore_needs_a_session_of_the_wallets_own_phone(api: Api) -> None:
    """Two phones on one profile: an SMS code to the first does not restore the second's wallet."""
    from yagona.identity import service as identity
    from yagona.identity.models import Phone

    second = "998977654321"
    api.customer(ALICE)
    with api.container.uow() as uow:
        holder = identity.find_customer_by_phone(uow, phone=ALICE)
        assert holder is not None
        uow.session.add(Phone(phone=second, customer_id=holder.id, is_primary=False, added_at=uow.clock.now()))
        uow.commit()
    by_first = api.signed_in_by_code(ALICE)
    assert _register(by_first, phone=second).status_code == 201
    restore = {"birth_date": "1990-05-17", "new_pin": "1357"}
    _problem(by_first.post(f"{ME}/pin/restore?phone={second}", json=restore), 403, "sms_sign_in_required")
    by_second = api.signed_in_by_code(second)
    restored = by_second.post(f"{ME}/pin/restore?phone={second}", json=restore)
    assert restored.status_code == 200, restored.text
    assert "wallet.pin_reset" in api.outbox(second)
