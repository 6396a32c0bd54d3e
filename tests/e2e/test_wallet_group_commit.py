"""Group commit behind the wallet's transfers and payments, over a real socket, on SQLite and
PostgreSQL: concurrent orders of one process share a transaction, and each still gets its
own answer — a wrong PIN, a Light limit, missing funds fail alone; one idempotency key sent
at once is applied once; wrong PINs raced at once are all counted. Turned off
(`YAGONA_GROUP_COMMIT__ENABLED=false`), the same answers, each order alone."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from tests.e2e.server import serving
from tests.factories.identity import customer, last_code
from tests.factories.wallet import PIN
from yagona.app.api import create_app
from yagona.app.bootstrap import Container
from yagona.ledger import service as ledger_service
from yagona.notify import service as notify
from yagona.platform.models import OutboxRow
from yagona.platform.settings import GroupCommitSettings, Settings
from yagona.wallet import service

STAFF = {"X-Api-Key": "test-staff-key"}
ME = "/api/v1/me/wallet"
ALICE, BOB, CAROL, DAVE = "998901000001", "998901000002", "998901000003", "998901000004"
LINE = "998901000011"  # a mobile line the wallets pay for (lines' PaymentProvider)


@dataclass
class Site:
    url: str
    container: Container
    state: Any
    sizes: list[int]
    opened: list[httpx.Client] = field(default_factory=list)

    def client(self) -> httpx.Client:
        client = httpx.Client(base_url=self.url, timeout=60)
        self.opened.append(client)
        return client

    def wallet_of(self, phone: str, *, funds: int = 100_000, premium: bool = False) -> httpx.Client:
        """A customer signed in by SMS code, with a wallet on `phone` and `funds` so'm in it."""
        with self.container.uow() as uow:
            customer(uow, self.state.identity, phone)
            uow.commit()
        browser = self.client()
        sent = browser.post("/api/v1/auth/otp", json={"phone": phone})
        with self.container.uow() as uow:
            code = last_code(uow, self.state.identity, phone)
        body = {"phone": phone, "code": code, "request_id": sent.json()["request_id"]}
        assert browser.post("/api/v1/auth/otp/verify", json=body).status_code == 200
        version = service.current().settings.offer_version
        opened = browser.post(
            ME, json={"pin": PIN, "birth_date": "1990-05-17", "accept_offer": True, "offer_version": version}
        )
        assert opened.status_code == 201, opened.text
        staff = self.client()
        if premium:
            made = staff.post(f"/api/v1/wallets/{phone}/identify", json={"document": "AB1234567"}, headers=STAFF)
            assert made.status_code == 200, made.text
        promo = staff.post(
            f"/api/v1/wallets/{phone}/promotions", json={"amount": funds}, headers={**STAFF, "Idempotency-Key": "p"}
        )
        assert promo.status_code == 201, promo.text
        return browser

    def balance(self, phone: str) -> int:
        """In so'm, as the REST shows it."""
        with self.container.uow() as uow:
            return service.get(uow, phone=phone).balance // 100


@pytest.fixture(params=[True, False], ids=["grouped", "alone"])
def site(request: pytest.FixtureRequest, settings: Settings, container: Container) -> Iterator[Site]:
    grouped = GroupCommitSettings(enabled=request.param, window_ms=5)
    app = create_app(settings.model_copy(update={"group_commit": grouped}), container=container)
    sizes: list[int] = []
    app.state.wallet_orders = service.WalletOrders(container.uow, grouped, on_group=sizes.append)
    with serving(app) as url:
        site = Site(url, container, app.state, sizes)
        try:
            yield site
        finally:
            for client in site.opened:
                client.close()


def _code(response: httpx.Response) -> str:
    code: str = response.json()["code"]
    return code


def _at_once(calls: list[Callable[[], httpx.Response]]) -> list[httpx.Response]:
    with ThreadPoolExecutor(max_workers=len(calls)) as pool:
        return list(pool.map(lambda call: call(), calls))


def _send(browser: httpx.Client, to: str, amount: int, key: str, pin: str = PIN) -> Callable[[], httpx.Response]:
    headers = {"X-Wallet-Pin": pin, "Idempotency-Key": key}
    return lambda: browser.post(f"{ME}/transfers", json={"to": to, "amount": amount}, headers=headers)


def _pay(browser: httpx.Client, provider: str, account: str, amount: int, key: str) -> Callable[[], httpx.Response]:
    headers = {"X-Wallet-Pin": PIN, "Idempotency-Key": key}
    body = {"provider": provider, "account": account, "amount": amount}
    return lambda: browser.post(f"{ME}/payments", json=body, headers=headers)


def test_concurrent_transfers_share_commits_and_each_gets_its_own_answer(site: Site) -> None:
    """24 orders at once: 12 transfers Alice → Bob, one key sent three times, a wrong PIN,
    a transfer past the payer's funds, one past a Light payee's 30-day limit, payments to
    a mobile line and to a utility. Each gets its own answer; the refused ones move
    nothing and fail nobody; the repeated key is applied once; the ledger verifies."""
    alice, bob = site.wallet_of(ALICE), site.wallet_of(BOB)
    site.wallet_of(CAROL)  # Light: 5 BHM = 1 225 000 so'm of top-ups in 30 days, 100 000 in already
    dave = site.wallet_of(DAVE, funds=2_000_000, premium=True)
    line = {"msisdn": LINE, "plan": "lider-plus", "deposit": 100000}
    assert site.client().post("/api/v1/lines", json=line, headers=STAFF).status_code == 201
    calls = [_send(alice, BOB, 100 + i, f"t-{i}") for i in range(12)]
    calls += [_send(alice, BOB, 77, "same")] * 3
    calls += [
        _send(alice, BOB, 1, "wrong-pin", pin="00000"),
        _send(bob, DAVE, 10_000_000, "too-much"),
        _send(dave, CAROL, 1_200_000, "over-light"),
        _send(dave, CAROL, 1_000, "fits-light"),
        _pay(bob, "mobile", LINE, 500, "mobile-1"),
        _pay(bob, "mobile", LINE, 600, "mobile-2"),
        _pay(dave, "electricity", "0123456789", 1_000, "utility-1"),
        _send(bob, ALICE, 50, "back"),
        _send(dave, ALICE, 2_000, "dave-1"),
    ]
    answers = _at_once(calls)
    codes = [a.status_code for a in answers]
    assert codes[:15] == [201] * 15, [a.text for a in answers[:15]]
    assert (codes[15], _code(answers[15])) == (403, "invalid_pin")
    assert answers[15].json()["details"]["attempts_left"] == 2
    assert (codes[16], _code(answers[16])) == (409, "insufficient_funds")
    assert (codes[17], _code(answers[17])) == (409, "limit_exceeded")
    assert codes[18:] == [201] * 6, [a.text for a in answers[18:]]
    numbers = [a.json()["number"] for a in answers if a.status_code == 201]
    assert len({a.json()["number"] for a in answers[12:15]}) == 1  # one key, one operation, one receipt
    assert len(set(numbers)) == len(numbers) - 2
    assert [a.json()["amount"] for a in answers[:12]] == [100 + i for i in range(12)]
    sent = sum(100 + i for i in range(12)) + 77
    assert site.balance(ALICE) == 100_000 - sent + 50 + 2_000
    assert site.balance(BOB) == 100_000 + sent - 500 - 600 - 50
    assert site.balance(CAROL) == 100_000 + 1_000
    with site.container.uow() as uow:
        assert ledger_service.verify(uow).ok
        # Every applied transfer's event reached the consumers that run at commit (the CRM
        # timeline), each delivered by its own order's thread: no outbox row left behind.
        events = uow.session.execute(
            select(OutboxRow.dispatched_at).where(OutboxRow.name == "wallet.transferred")
        ).all()
        assert len(events) == 12 + 1 + 1 + 2 and all(at is not None for (at,) in events)
        assert len(service.receipts(uow, phone=ALICE, cursor=None, limit=100).items) == 1 + 12 + 1 + 1 + 1
    if site.state.wallet_orders.enabled:
        assert max(site.sizes) > 1, site.sizes  # orders shared a commit
        assert sum(site.sizes) >= len(calls) - 1  # every order but the utility's went through a group
    else:
        assert site.sizes == []


def test_wrong_pins_raced_at_once_are_all_counted_and_lock_the_pin(site: Site) -> None:
    """Six wrong PINs at once: the first two count down, the third locks the PIN for 30
    minutes (the owner is told once), the rest find it locked; then the right PIN waits too."""
    alice = site.wallet_of(ALICE)
    site.wallet_of(BOB)
    answers = _at_once([_send(alice, BOB, 1, f"w-{i}", pin="00000") for i in range(6)])
    assert {(a.status_code, _code(a)) for a in answers} == {(403, "invalid_pin")}
    details = [a.json()["details"] for a in answers]
    assert sorted(d["attempts_left"] for d in details if "attempts_left" in d) == [1, 2]
    assert sum("locked_until" in d for d in details) == 4
    right = _send(alice, BOB, 1, "right")()
    assert (right.status_code, _code(right), "locked_until" in right.json()["details"]) == (403, "invalid_pin", True)
    with site.container.uow() as uow:
        sent = notify.outbox(uow, recipient=ALICE, sealer=site.state.identity.messages, env="test")
    assert [m.template for m in sent].count("wallet.pin_locked") == 1
    assert site.balance(ALICE) == 100_000
