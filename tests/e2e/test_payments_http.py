"""Payme Merchant API and Click SHOP API over a real socket, SQLite and PostgreSQL, each
against a test peer that behaves like the payment system: it signs (and mis-signs), replays
every call, cancels before and after perform, lets 12 hours pass on the clock and races two
Performs / two Completes. The ledger is verified after every test (the `container` fixture),
and money credited is always performed − cancelled, never twice."""

from __future__ import annotations

import base64
import csv
import hashlib
import itertools
import json
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import text

from tests.e2e.server import serving
from tests.e2e.test_cli import yagona
from tests.factories import home as home_factory
from tests.factories import lines as line_factory
from tests.factories import wallet as wallet_factory
from yagona.app.api import create_app
from yagona.app.bootstrap import TEST_CLICK_SECRET, TEST_CLICK_SERVICE, TEST_PAYME_KEY, Container
from yagona.home import service as home_service
from yagona.kernel.clock import SimulatedClock
from yagona.lines import service as lines_service
from yagona.platform.settings import Settings
from yagona.wallet import service as wallet_service

LINE = "998901000001"
WALLET = "998901000010"
BLOCKED_WALLET = "998901000011"
NOBODY = "998909999999"
SOM = 100  # tiyin


@dataclass
class Payme:
    """The test peer of Payme: JSON-RPC calls with (or without) its Basic credentials."""

    http: httpx.Client
    key: str = TEST_PAYME_KEY
    ids: Iterator[int] = field(default_factory=lambda: itertools.count(1))

    def auth(self, key: str | None = None) -> dict[str, str]:
        token = base64.b64encode(f"Paycom:{key or self.key}".encode()).decode()
        return {"Authorization": f"Basic {token}"}

    def raw(self, body: bytes | str, headers: dict[str, str] | None = None) -> dict[str, Any]:
        answer = self.http.post(
            "/api/v1/payments/payme",
            content=body,
            headers={"Content-Type": "application/json", **(self.auth() if headers is None else headers)},
        )
        assert answer.status_code == 200, answer.text
        result: dict[str, Any] = answer.json()
        return result

    def call(self, method: str, params: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
        rid = next(self.ids)
        answer = self.raw(json.dumps({"jsonrpc": "2.0", "id": rid, "method": method, "params": params}), **kwargs)
        assert answer["id"] == rid
        return answer

    def ok(self, method: str, params: dict[str, Any]) -> dict[str, Any]:
        answer = self.call(method, params)
        assert "result" in answer, answer
        result: dict[str, Any] = answer["result"]
        return result

    def error(self, method: str, params: dict[str, Any], **kwargs: Any) -> int:
        answer = self.call(method, params, **kwargs)
        assert "error" in answer, answer
        error = answer["error"]
        assert set(error["message"]) >= {"uz", "ru", "en"}
        code: int = error["code"]
        return code


@dataclass
class Click:
    """The test peer of Click: form-encoded Prepare/Complete with an MD5 `sign_string`."""

    http: httpx.Client
    secret: str = TEST_CLICK_SECRET
    ids: Iterator[int] = field(default_factory=lambda: itertools.count(5_000_001))

    def sign(self, *parts: str, secret: str | None = None) -> str:
        joined = parts[0] + parts[1] + (secret or self.secret) + "".join(parts[2:])
        return hashlib.md5(joined.encode(), usedforsecurity=False).hexdigest()

    def prepare(self, trans: str, account: str, amount: str, *, secret: str | None = None, **extra: str) -> Any:
        form = {
            "click_trans_id": trans, "service_id": TEST_CLICK_SERVICE, "click_paydoc_id": "77" + trans,
            "merchant_trans_id": account, "amount": amount, "action": "0", "error": "0",
            "error_note": "Success", "sign_time": "2026-03-15 14:00:00",
        }  # fmt: skip
        form |= extra
        form["sign_string"] = self.sign(
            form["click_trans_id"], form["service_id"], form["merchant_trans_id"], form["amount"], form["action"],
            form["sign_time"], secret=secret,
        )  # fmt: skip
        return self._post("/api/v1/payments/click/prepare", form)

    def complete(
        self, trans: str, account: str, amount: str, prepare_id: object, *, error: str = "0", secret: str | None = None
    ) -> Any:
        form = {
            "click_trans_id": trans, "service_id": TEST_CLICK_SERVICE, "click_paydoc_id": "77" + trans,
            "merchant_trans_id": account, "merchant_prepare_id": str(prepare_id), "amount": amount, "action": "1",
            "error": error, "error_note": "x", "sign_time": "2026-03-15 14:00:05",
        }  # fmt: skip
        form["sign_string"] = self.sign(
            form["click_trans_id"], form["service_id"], form["merchant_trans_id"], form["merchant_prepare_id"],
            form["amount"], form["action"], form["sign_time"], secret=secret,
        )  # fmt: skip
        return self._post("/api/v1/payments/click/complete", form)

    def _post(self, path: str, form: dict[str, str]) -> Any:
        answer = self.http.post(path, data=form)
        assert answer.status_code == 200, answer.text
        return answer.json()


@dataclass
class Site:
    url: str
    container: Container
    clock: SimulatedClock
    payme: Payme
    click: Click

    def line_balance(self) -> int:
        with self.container.uow() as uow:
            return lines_service.balance_of(uow, LINE)

    def wallet_balance(self) -> int:
        with self.container.uow() as uow:
            return wallet_service.get(uow, phone=WALLET).balance

    def transactions(self) -> int:
        with self.container.engine.connect() as connection:
            return int(connection.execute(text("SELECT count(*) FROM payments_transaction")).scalar_one())

    def clearing(self, system: str) -> int:
        from yagona.ledger import service as ledger

        with self.container.uow() as uow:
            try:
                return ledger.posted_balance(uow, code=f"external:{system}")
            except Exception:
                return 0


@pytest.fixture
def site(settings: Settings, container: Container, clock: SimulatedClock) -> Iterator[Site]:
    with container.uow() as uow:
        line_factory.connect(uow, LINE)
        wallet_factory.register(uow, WALLET)
        wallet_factory.register(uow, BLOCKED_WALLET)
        wallet_service.block(uow, phone=BLOCKED_WALLET, reason="lost")
        uow.commit()
    app = create_app(settings, container=container)
    with serving(app) as url, httpx.Client(base_url=url, timeout=30) as http:
        yield Site(url, container, clock, Payme(http), Click(http))


def create(site: Site, pid: str, amount: int, account: dict[str, str]) -> dict[str, Any]:
    return site.payme.ok(
        "CreateTransaction", {"id": pid, "time": 1_773_565_200_000, "amount": amount, "account": account}
    )


# --- Payme ------------------------------------------------------------------------------------------


def test_payme_tops_up_a_line_once_however_often_payme_repeats_itself(site: Site) -> None:
    before, amount = site.line_balance(), 15_000 * SOM
    params = {"amount": amount, "account": {"phone": LINE}}
    assert site.payme.ok("CheckPerformTransaction", params) == {"allow": True}
    created = create(site, "p-1", amount, {"phone": LINE})
    assert created["state"] == 1
    assert create(site, "p-1", amount, {"phone": LINE}) == created  # a replay answers exactly as the first time
    performed = site.payme.ok("PerformTransaction", {"id": "p-1"})
    assert performed["state"] == 2 and performed["transaction"] == created["transaction"]
    site.clock.advance_by(timedelta(seconds=5))
    assert site.payme.ok("PerformTransaction", {"id": "p-1"}) == performed
    checked = site.payme.ok("CheckTransaction", {"id": "p-1"})
    assert checked == {
        "create_time": created["create_time"], "perform_time": performed["perform_time"], "cancel_time": 0,
        "transaction": created["transaction"], "state": 2, "reason": None,
    }  # fmt: skip
    assert site.payme.ok("CheckTransaction", {"id": "p-1"}) == checked
    assert (
        site.payme.error("CreateTransaction", {"id": "p-1", "time": 1, "amount": amount, "account": {"phone": LINE}})
        == -31008
    )
    assert site.line_balance() == before + amount
    assert site.clearing("payme") == -amount
    statement = site.payme.ok("GetStatement", {"from": 0, "to": created["create_time"] + 1})
    assert [(t["id"], t["amount"], t["state"], t["account"]) for t in statement["transactions"]] == [
        ("p-1", amount, 2, {"phone": LINE})
    ]


def test_payme_tops_up_a_wallet_and_two_pending_creates_accumulate(site: Site) -> None:
    create(site, "w-1", 2_000 * SOM, {"wallet": WALLET})
    create(site, "w-2", 3_000 * SOM, {"wallet": WALLET})  # another id for the same account while one is pending
    site.payme.ok("PerformTransaction", {"id": "w-2"})
    site.payme.ok("PerformTransaction", {"id": "w-1"})
    assert site.wallet_balance() == 5_000 * SOM
    with site.container.uow() as uow:
        receipts = wallet_service.receipts(uow, phone=WALLET).items
    assert sorted(r.amount for r in receipts if r.kind == "topup_payment") == [2_000 * SOM, 3_000 * SOM]


def test_payme_cancels_before_and_after_perform_and_refuses_when_the_money_is_gone(site: Site) -> None:
    before = site.line_balance()
    create(site, "c-1", 10_000 * SOM, {"phone": LINE})
    cancelled = site.payme.ok("CancelTransaction", {"id": "c-1", "reason": 3})
    assert cancelled["state"] == -1
    assert site.payme.ok("CancelTransaction", {"id": "c-1", "reason": 5}) == cancelled
    assert site.payme.error("PerformTransaction", {"id": "c-1"}) == -31008
    assert site.payme.ok("CheckTransaction", {"id": "c-1"})["reason"] == 3
    create(site, "c-2", 10_000 * SOM, {"phone": LINE})
    site.payme.ok("PerformTransaction", {"id": "c-2"})
    back = site.payme.ok("CancelTransaction", {"id": "c-2", "reason": 5})
    assert back["state"] == -2
    assert site.payme.ok("CancelTransaction", {"id": "c-2", "reason": 5}) == back
    assert site.line_balance() == before
    # performed into a wallet: taken back while the wallet holds it, with a receipt
    create(site, "c-3", 10_000 * SOM, {"wallet": WALLET})
    site.payme.ok("PerformTransaction", {"id": "c-3"})
    assert site.payme.ok("CancelTransaction", {"id": "c-3", "reason": 5})["state"] == -2
    assert site.wallet_balance() == 0
    with site.container.uow() as uow:
        kinds = [r.kind for r in wallet_service.receipts(uow, phone=WALLET).items]
    assert sorted(kinds) == ["topup_payment", "topup_reversal"]
    # a wallet that spent the money cannot give it back
    create(site, "c-5", 10_000 * SOM, {"wallet": WALLET})
    site.payme.ok("PerformTransaction", {"id": "c-5"})
    with site.container.uow() as uow:
        wallet_factory.register(uow, wallet_factory.phone(99))
        wallet_service.transfer(
            uow, from_phone=WALLET, to_phone=wallet_factory.phone(99), amount=5_000 * SOM, pin=wallet_factory.PIN,
            idempotency_key="spend-wallet",
        )  # fmt: skip
        uow.commit()
    assert site.payme.error("CancelTransaction", {"id": "c-5", "reason": 5}) == -31007
    assert site.wallet_balance() == 5_000 * SOM
    # a line that spent the money meanwhile cannot give it back (-31007): nothing moves
    create(site, "c-4", 20_000 * SOM, {"phone": LINE})
    site.payme.ok("PerformTransaction", {"id": "c-4"})
    spend(site, site.line_balance() - 1)
    assert site.payme.error("CancelTransaction", {"id": "c-4", "reason": 5}) == -31007
    assert site.line_balance() == 1
    assert site.payme.ok("CheckTransaction", {"id": "c-4"})["state"] == 2
    assert site.clearing("payme") == -30_000 * SOM  # c-4 and c-5 performed; c-2 and c-3 taken back


def spend(site: Site, amount: int, key: str = "test-spend") -> None:
    """The customer spends from the line (a plain ledger transfer stands in for usage)."""
    from yagona.ledger import service as ledger
    from yagona.ledger.schemas import AccountCreate, Unit

    with site.container.uow() as uow:
        if key == "test-spend" or key.endswith("-0"):  # the first spend of a test opens the account
            ledger.open_account(
                uow, account=AccountCreate(code="test:spent", owner="test", kind="revenue", unit=Unit.SOM)
            )
        ledger.transfer(
            uow, debit=lines_service.account_of(LINE), credit="test:spent", amount=amount,
            reason="test.spend", idempotency_key=key,
        )  # fmt: skip
        uow.commit()


def test_payme_two_cancels_at_once_take_back_only_what_the_line_holds(site: Site) -> None:
    """Two performed top-ups, most of the money spent: two cancels racing in parallel (two
    server threads, two database transactions) can take back one top-up, never both. A few
    rounds, since a race shows itself only sometimes."""
    start = threading.Barrier(2)

    def cancel(pid: str) -> dict[str, Any]:
        start.wait()
        return site.payme.call("CancelTransaction", {"id": pid, "reason": 5})

    for round_ in range(4):
        pids = (f"x-{round_}-a", f"x-{round_}-b")
        for pid in pids:
            create(site, pid, 10_000 * SOM, {"phone": LINE})
            site.payme.ok("PerformTransaction", {"id": pid})
        # enough left for one take-back, not for two
        spend(site, site.line_balance() - 15_000 * SOM, key=f"race-spend-{round_}")
        with ThreadPoolExecutor(2) as pool:
            answers = list(pool.map(cancel, pids))
        outcomes = sorted(a["result"]["state"] if "result" in a else a["error"]["code"] for a in answers)
        assert outcomes == [-31007, -2]
        assert site.line_balance() == 5_000 * SOM
        assert site.clearing("payme") == -10_000 * SOM * (round_ + 1)


def test_payme_twelve_hours_later_a_created_transaction_is_cancelled_with_reason_4(site: Site) -> None:
    before = site.line_balance()
    create(site, "t-1", 5_000 * SOM, {"phone": LINE})
    site.clock.advance_by(timedelta(hours=12, seconds=1))
    assert site.payme.error("PerformTransaction", {"id": "t-1"}) == -31008
    checked = site.payme.ok("CheckTransaction", {"id": "t-1"})
    assert (checked["state"], checked["reason"]) == (-1, 4)
    assert site.payme.error("PerformTransaction", {"id": "t-1"}) == -31008
    assert site.line_balance() == before


def test_payme_two_performs_at_once_credit_once(site: Site) -> None:
    before, amount = site.line_balance(), 7_000 * SOM
    create(site, "r-1", amount, {"phone": LINE})
    with ThreadPoolExecutor(4) as pool:
        answers = list(pool.map(lambda _: site.payme.ok("PerformTransaction", {"id": "r-1"}), range(4)))
    assert all(a == answers[0] for a in answers)
    assert site.line_balance() == before + amount


def test_payme_refuses_wrong_credentials_and_writes_nothing(site: Site) -> None:
    params = {"id": "a-1", "time": 1, "amount": 5_000 * SOM, "account": {"phone": LINE}}
    assert site.payme.error("CreateTransaction", params, headers={}) == -32504
    assert site.payme.error("CreateTransaction", params, headers=site.payme.auth("wrong")) == -32504
    assert site.payme.error("CreateTransaction", params, headers={"Authorization": "Basic !!"}) == -32504
    other = base64.b64encode(f"Someone:{TEST_PAYME_KEY}".encode()).decode()
    assert site.payme.error("CreateTransaction", params, headers={"Authorization": f"Basic {other}"}) == -32504
    assert site.transactions() == 0


@pytest.mark.parametrize(
    ("params", "code"),
    [
        ({"amount": "500000", "account": {"phone": LINE}}, -31001),
        ({"amount": -500_000, "account": {"phone": LINE}}, -31001),
        ({"amount": 500_000.5, "account": {"phone": LINE}}, -31001),
        ({"amount": 10**30, "account": {"phone": LINE}}, -31001),
        ({"amount": 99_999, "account": {"phone": LINE}}, -31001),
        ({"amount": True, "account": {"phone": LINE}}, -31001),
        ({"amount": 500_000, "account": {"phone": NOBODY}}, -31050),
        ({"amount": 500_000, "account": {"wallet": NOBODY}}, -31050),
        ({"amount": 500_000, "account": {"phone": "abc"}}, -31050),
        ({"amount": 500_000, "account": {"home": "123"}}, -31050),
        ({"amount": 500_000, "account": "998901000001"}, -31050),
        ({"amount": 500_000, "account": {"wallet": BLOCKED_WALLET}}, -31051),
    ],
)
def test_payme_bad_input_gets_its_error_and_writes_nothing(site: Site, params: dict[str, Any], code: int) -> None:
    assert site.payme.error("CheckPerformTransaction", params) == code
    assert site.payme.error("CreateTransaction", {"id": "b-1", "time": 1, **params}) == code
    assert site.transactions() == 0


def test_payme_protocol_errors_answer_http_200(site: Site) -> None:
    assert site.payme.raw(b"{not json")["error"]["code"] == -32700
    assert site.payme.raw(b"\xff\xfe")["error"]["code"] == -32700
    assert site.payme.raw(json.dumps({"jsonrpc": "2.0", "id": 1, "params": {}}))["error"]["code"] == -32600
    assert (
        site.payme.raw(json.dumps({"jsonrpc": "2.0", "id": 1, "method": "PerformTransaction"}))["error"]["code"]
        == -32600
    )
    assert site.payme.raw(json.dumps([1, 2]))["error"]["code"] == -32600
    assert site.payme.error("ChangeEverything", {}) == -32601
    assert site.payme.error("PerformTransaction", {"id": "nope"}) == -31003
    assert site.payme.error("CheckTransaction", {"id": 5}) == -32600
    assert site.payme.error("GetStatement", {"from": "x", "to": 1}) == -32600
    assert site.transactions() == 0


def test_payme_answers_in_the_published_shapes(site: Site) -> None:
    """What developer.help.paycom.uz asks beyond the codes: an account error names the account
    field in `data`; GetStatement selects and orders by Payme's own `time` and answers the
    Transaction shape; a cancel reason outside the protocol's list is not a request."""
    for account, code, data in (
        ({"phone": NOBODY}, -31050, "phone"),
        ({"wallet": NOBODY}, -31050, "wallet"),
        ({"wallet": BLOCKED_WALLET}, -31051, "wallet"),
    ):
        error = site.payme.call("CheckPerformTransaction", {"amount": 500_000, "account": account})["error"]
        assert (error["code"], error["data"]) == (code, data)
    first, second = 1_700_000_000_000, 1_700_000_100_000
    for pid, time in (("s-2", second), ("s-1", first)):
        site.payme.ok("CreateTransaction", {"id": pid, "time": time, "amount": 500_000, "account": {"phone": LINE}})
    only_first = site.payme.ok("GetStatement", {"from": first, "to": first + 1})["transactions"]
    assert [row["id"] for row in only_first] == ["s-1"]
    assert only_first[0] == {
        "id": "s-1", "time": first, "amount": 500_000, "account": {"phone": LINE},
        "create_time": only_first[0]["create_time"], "perform_time": 0, "cancel_time": 0,
        "transaction": only_first[0]["transaction"], "state": 1, "reason": None, "receivers": None,
    }  # fmt: skip
    both = site.payme.ok("GetStatement", {"from": 0, "to": second})["transactions"]
    assert [row["id"] for row in both] == ["s-1", "s-2"]  # by Payme's time, not by arrival
    assert site.payme.error("CancelTransaction", {"id": "s-1", "reason": 7}) == -32600
    assert site.payme.ok("CheckTransaction", {"id": "s-1"})["state"] == 1


def test_payme_change_password_needs_the_current_key_and_replaces_it_everywhere(
    site: Site, settings: Settings, container: Container
) -> None:
    new_key = "N3w-cashbox-key_0123456789abcdef"
    params = {"password": new_key}
    assert site.payme.error("ChangePassword", params, headers=site.payme.auth("wrong")) == -32504
    assert site.payme.error("ChangePassword", {"password": "short"}) == -32600
    assert site.payme.error("ChangePassword", {"password": 12345678}) == -32600
    with container.engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM payments_credential")).scalar_one() == 0
    assert site.payme.ok("ChangePassword", params) == {"success": True}
    check = {"amount": 500_000, "account": {"phone": LINE}}
    assert site.payme.error("CheckPerformTransaction", check) == -32504  # the configured key is over
    assert site.payme.call("CheckPerformTransaction", check, headers=site.payme.auth(new_key))["result"] == {
        "allow": True
    }
    # another server on the same database (or this one restarted) knows the new key at once
    with serving(create_app(settings, container=container)) as url, httpx.Client(base_url=url) as http:
        other = Payme(http, key=new_key)
        assert other.ok("CheckPerformTransaction", check) == {"allow": True}
        assert other.error("CheckPerformTransaction", check, headers=other.auth(TEST_PAYME_KEY)) == -32504
    with container.engine.connect() as connection:
        stored = connection.execute(text("SELECT key_sha256 FROM payments_credential")).scalar_one()
    assert new_key not in stored  # only its hash is kept


# --- Click ------------------------------------------------------------------------------------------


def test_click_tops_up_a_line_and_a_wallet_once(site: Site) -> None:
    line_before = site.line_balance()
    prepared = site.click.prepare("1001", LINE, "12000.50")
    assert prepared["error"] == 0 and prepared["merchant_prepare_id"]
    assert site.click.prepare("1001", LINE, "12000.50") == prepared  # a replayed Prepare
    done = site.click.complete("1001", LINE, "12000.50", prepared["merchant_prepare_id"])
    assert done["error"] == 0 and done["merchant_confirm_id"] == prepared["merchant_prepare_id"]
    again = site.click.complete("1001", LINE, "12000.50", prepared["merchant_prepare_id"])
    assert again["error"] == -4
    assert site.line_balance() == line_before + 1_200_050
    w = site.click.prepare("1002", "W" + WALLET, "3000")
    assert site.click.complete("1002", "W" + WALLET, "3000", w["merchant_prepare_id"])["error"] == 0
    assert site.wallet_balance() == 3_000 * SOM
    assert site.clearing("click") == -(1_200_050 + 3_000 * SOM)


def test_click_cancels_when_click_reports_an_error(site: Site) -> None:
    before = site.line_balance()
    prepared = site.click.prepare("2001", LINE, "5000")
    assert site.click.complete("2001", LINE, "5000", prepared["merchant_prepare_id"], error="-5017")["error"] == -9
    assert site.click.complete("2001", LINE, "5000", prepared["merchant_prepare_id"])["error"] == -9
    assert site.click.prepare("2001", LINE, "5000")["error"] == -9
    assert site.line_balance() == before


def test_click_answers_in_the_published_shapes(site: Site) -> None:
    """docs.click.uz: ids are numbers in the answers; a Prepare that Click itself reports failed
    (`error` < 0) answers -9 and prepares nothing."""
    failed = site.click.prepare("2101", LINE, "5000", error="-5017")
    assert (failed["error"], failed["click_trans_id"]) == (-9, 2101)
    assert site.transactions() == 0
    prepared = site.click.prepare("2102", LINE, "5000")
    assert prepared["click_trans_id"] == 2102 and isinstance(prepared["merchant_prepare_id"], int)
    completed = site.click.complete("2102", LINE, "5000", prepared["merchant_prepare_id"])
    assert completed == {
        "click_trans_id": 2102, "merchant_trans_id": LINE, "merchant_confirm_id": prepared["merchant_prepare_id"],
        "error": 0, "error_note": "Success",
    }  # fmt: skip


def test_click_two_completes_at_once_credit_once(site: Site) -> None:
    before = site.line_balance()
    prepared = site.click.prepare("3001", LINE, "7000")
    with ThreadPoolExecutor(4) as pool:
        answers = list(
            pool.map(lambda _: site.click.complete("3001", LINE, "7000", prepared["merchant_prepare_id"]), range(4))
        )
    assert sorted(a["error"] for a in answers) == [-4, -4, -4, 0]
    assert site.line_balance() == before + 7_000 * SOM


def test_click_refuses_a_wrong_signature_and_writes_nothing(site: Site) -> None:
    assert site.click.prepare("4001", LINE, "5000", secret="wrong")["error"] == -1
    assert site.click.prepare("4001", LINE, "5000")["error"] == 0
    assert site.click.complete("4001", LINE, "5000", 1, secret="wrong")["error"] == -1
    answer = site.click.http.post("/api/v1/payments/click/complete", data={"click_trans_id": "4001"})
    assert answer.status_code == 200 and answer.json()["error"] == -8
    assert site.clearing("click") == 0


@pytest.mark.parametrize(
    ("account", "amount", "extra", "error"),
    [
        (LINE, "-5000", {}, -2),
        (LINE, "abc", {}, -2),
        (LINE, "5000.001", {}, -2),
        (LINE, "999", {}, -2),
        (LINE, "1e40", {}, -2),
        (LINE, "NaN", {}, -2),
        (NOBODY, "5000", {}, -5),
        ("W" + NOBODY, "5000", {}, -5),
        ("W" + BLOCKED_WALLET, "5000", {}, -5),
        ("H123", "5000", {}, -5),
        (LINE, "5000", {"action": "1"}, -3),
        (LINE, "5000", {"service_id": "999"}, -8),
    ],
)
def test_click_bad_input_gets_its_error_and_writes_nothing(
    site: Site, account: str, amount: str, extra: dict[str, str], error: int
) -> None:
    assert site.click.prepare("6001", account, amount, **extra)["error"] == error
    assert site.transactions() == 0


def test_click_complete_of_an_unknown_or_mismatched_prepare(site: Site) -> None:
    assert site.click.complete("7001", LINE, "5000", 999)["error"] == -6
    prepared = site.click.prepare("7002", LINE, "5000")
    assert site.click.complete("7002", LINE, "6000", prepared["merchant_prepare_id"])["error"] == -2
    assert site.click.complete("7003", LINE, "5000", prepared["merchant_prepare_id"])["error"] == -6
    assert site.clearing("click") == 0


# --- reconciliation -----------------------------------------------------------------------------------


def test_reconcile_finds_a_planted_mismatch(site: Site, settings: Settings, tmp_path: Path) -> None:
    create(site, "s-1", 5_000 * SOM, {"phone": LINE})
    site.payme.ok("PerformTransaction", {"id": "s-1"})
    create(site, "s-2", 6_000 * SOM, {"phone": LINE})
    site.payme.ok("PerformTransaction", {"id": "s-2"})
    prepared = site.click.prepare("8001", LINE, "5000")
    site.click.complete("8001", LINE, "5000", prepared["merchant_prepare_id"])
    url = settings.database.url

    def reconcile(rows: list[tuple[str, str, int, int]]) -> tuple[int, str]:
        path = tmp_path / "statement.csv"
        with path.open("w", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(["system", "id", "amount", "state"])
            writer.writerows(rows)
        result = yagona(url, "payments", "reconcile", str(path))  # a subprocess: its own logging
        return result.returncode, result.stdout

    good = [("payme", "s-1", 500_000, 2), ("payme", "s-2", 600_000, 2), ("click", "8001", 500_000, 2)]
    assert reconcile(good) == (0, "statement, records and ledger agree\n")
    code, output = reconcile([("payme", "s-1", 500_001, 2), ("payme", "s-9", 1, 2), ("click", "8001", 500_000, 2)])
    assert code == 1
    assert "s-1: amount 500001" in output and "s-9: in the statement, not in Yagona" in output
    assert "s-2: performed in Yagona, not in the statement" in output
    listed = yagona(url, "payments", "statement", "--system", "payme", "--from", "2026-01-01", "--to", "2026-12-31")
    assert listed.returncode == 0, listed.stderr
    assert [row["external_id"] for row in json.loads(listed.stdout)] == ["s-1", "s-2"]


def test_a_light_wallets_limits_refuse_before_the_customer_pays(site: Site) -> None:
    over = wallet_factory.LIGHT_LIMIT + SOM
    assert site.payme.error("CheckPerformTransaction", {"amount": over, "account": {"wallet": WALLET}}) == -31052
    assert (
        site.payme.error("CreateTransaction", {"id": "l-1", "time": 1, "amount": over, "account": {"wallet": WALLET}})
        == -31052
    )
    assert site.click.prepare("9001", "W" + WALLET, f"{over / 100:.2f}")["error"] == -2
    assert site.transactions() == 0
    assert site.payme.ok(
        "CheckPerformTransaction", {"amount": wallet_factory.LIGHT_LIMIT, "account": {"wallet": WALLET}}
    )


# --- home accounts (Payme {"home": contract}, Click `H` + contract) ------------------------------------


@dataclass
class Homes:
    """Home accounts of three customers: one waiting for the OneID check (it takes payments),
    one suspended (verified, nothing paid: its first fee waits), one closed."""

    waiting: str
    suspended: str
    closed: str
    fee: int  # tiyin: the suspended account's period fee


@pytest.fixture
def homes(site: Site, settings: Settings) -> Homes:
    ctx = home_factory.ctx(settings)
    with site.container.uow() as uow:
        waiting = home_factory.contract_to_pay(uow, settings, "998901000020")
        holder, suspended = home_factory.request(uow, ctx, "998901000021")
        closed = home_factory.contract_to_pay(uow, settings, "998901000022")
        home_service.close(uow, contract=closed)
        uow.commit()
    home_factory.verify(site.container.uow, ctx, holder.id, "31203901230012")  # the event activates it
    with site.container.uow() as uow:
        state = home_service.state(uow, contract=suspended.contract)
    assert (state.state, state.balance_tiyin) == ("suspended", 0)
    return Homes(waiting, suspended.contract, closed, state.period_fee_tiyin)


def home_state(site: Site, contract: str) -> tuple[str, int]:
    with site.container.uow() as uow:
        state = home_service.state(uow, contract=contract)
    return state.state, state.balance_tiyin


def test_payme_tops_up_a_home_account_once_however_often_payme_repeats_itself(site: Site, homes: Homes) -> None:
    amount, account = 40_000 * SOM, {"home": homes.waiting}
    assert site.payme.ok("CheckPerformTransaction", {"amount": amount, "account": account}) == {"allow": True}
    created = create(site, "hp-1", amount, account)
    assert create(site, "hp-1", amount, account) == created
    performed = site.payme.ok("PerformTransaction", {"id": "hp-1"})
    assert performed["state"] == 2
    assert site.payme.ok("PerformTransaction", {"id": "hp-1"}) == performed
    checked = site.payme.ok("CheckTransaction", {"id": "hp-1"})
    assert (checked["state"], checked["perform_time"]) == (2, performed["perform_time"])
    assert home_state(site, homes.waiting) == ("pending_identity", amount)
    assert site.clearing("payme") == -amount
    statement = site.payme.ok("GetStatement", {"from": 0, "to": 1_773_565_200_001})["transactions"]
    assert [(t["id"], t["amount"], t["state"], t["account"]) for t in statement] == [("hp-1", amount, 2, account)]


def test_payme_cancels_a_home_payment_before_and_after_perform(site: Site, homes: Homes) -> None:
    account = {"home": homes.waiting}
    create(site, "hc-1", 10_000 * SOM, account)
    assert site.payme.ok("CancelTransaction", {"id": "hc-1", "reason": 3})["state"] == -1
    assert site.payme.error("PerformTransaction", {"id": "hc-1"}) == -31008
    create(site, "hc-2", 10_000 * SOM, account)
    site.payme.ok("PerformTransaction", {"id": "hc-2"})
    back = site.payme.ok("CancelTransaction", {"id": "hc-2", "reason": 5})
    assert back["state"] == -2
    assert site.payme.ok("CancelTransaction", {"id": "hc-2", "reason": 5}) == back  # a replay moves nothing
    assert home_state(site, homes.waiting) == ("pending_identity", 0)
    assert site.clearing("payme") == 0


def test_a_home_payment_that_covers_the_fee_resumes_a_suspended_account_and_cannot_be_taken_back(
    site: Site, homes: Homes
) -> None:
    """The payment starts a period at once (its fee charged in advance): Payme's cancel then
    finds the money spent (-31007) and nothing moves."""
    amount = homes.fee + 1_000 * SOM
    create(site, "hs-1", amount, {"home": homes.suspended})
    site.payme.ok("PerformTransaction", {"id": "hs-1"})
    assert home_state(site, homes.suspended) == ("active", 1_000 * SOM)
    assert site.payme.error("CancelTransaction", {"id": "hs-1", "reason": 5}) == -31007
    assert site.payme.ok("CheckTransaction", {"id": "hs-1"})["state"] == 2
    assert home_state(site, homes.suspended) == ("active", 1_000 * SOM)
    assert site.clearing("payme") == -amount


def test_click_tops_up_a_home_account_once_and_resumes_a_suspended_one(site: Site, homes: Homes) -> None:
    prepared = site.click.prepare("9101", "H" + homes.waiting, "25000")
    assert prepared["error"] == 0
    assert site.click.prepare("9101", "H" + homes.waiting, "25000") == prepared
    done = site.click.complete("9101", "H" + homes.waiting, "25000", prepared["merchant_prepare_id"])
    assert (done["error"], done["merchant_trans_id"]) == (0, "H" + homes.waiting)
    assert site.click.complete("9101", "H" + homes.waiting, "25000", prepared["merchant_prepare_id"])["error"] == -4
    assert home_state(site, homes.waiting) == ("pending_identity", 25_000 * SOM)
    failed = site.click.prepare("9102", "H" + homes.waiting, "5000")
    assert (
        site.click.complete("9102", "H" + homes.waiting, "5000", failed["merchant_prepare_id"], error="-5017")["error"]
        == -9
    )
    som = f"{homes.fee // 100}"
    resumed = site.click.prepare("9103", "H" + homes.suspended, som)
    assert site.click.complete("9103", "H" + homes.suspended, som, resumed["merchant_prepare_id"])["error"] == 0
    assert home_state(site, homes.suspended) == ("active", 0)
    assert site.clearing("click") == -(25_000 * SOM + homes.fee)


def test_an_unknown_or_closed_home_account_is_refused_and_nothing_is_written(site: Site, homes: Homes) -> None:
    for contract, code in (("19999999", -31050), ("IP0000001", -31050), (homes.closed, -31051)):
        params = {"amount": 500_000, "account": {"home": contract}}
        error = site.payme.call("CheckPerformTransaction", params)["error"]
        assert (error["code"], error["data"]) == (code, "home")
        assert site.payme.error("CreateTransaction", {"id": "hx-1", "time": 1, **params}) == code
    for account in ("H19999999", "H" + homes.closed, "H", "HIP0000001"):
        assert site.click.prepare("9201", account, "5000")["error"] == -5
    assert site.transactions() == 0


def test_payme_two_cancels_at_once_take_back_only_what_the_home_account_holds(site: Site, homes: Homes) -> None:
    """Two performed payments, part of the money spent: two cancels racing in parallel take
    back one payment, never both (the account's lock, then the check)."""
    from yagona.ledger import service as ledger
    from yagona.ledger.schemas import AccountCreate, Unit

    start = threading.Barrier(2)

    def cancel(pid: str) -> dict[str, Any]:
        start.wait()
        return site.payme.call("CancelTransaction", {"id": pid, "reason": 5})

    with site.container.uow() as uow:
        ledger.open_account(uow, account=AccountCreate(code="test:spent", owner="test", kind="revenue", unit=Unit.SOM))
        uow.commit()
    for round_ in range(3):
        pids = (f"hr-{round_}-a", f"hr-{round_}-b")
        for pid in pids:
            create(site, pid, 10_000 * SOM, {"home": homes.waiting})
            site.payme.ok("PerformTransaction", {"id": pid})
        with site.container.uow() as uow:  # enough left for one take-back, not for two
            ledger.transfer(
                uow, debit=home_service.account_of(homes.waiting), credit="test:spent",
                amount=home_state(site, homes.waiting)[1] - 15_000 * SOM, reason="test.spend",
                idempotency_key=f"home-spend-{round_}",
            )  # fmt: skip
            uow.commit()
        with ThreadPoolExecutor(2) as pool:
            answers = list(pool.map(cancel, pids))
        outcomes = sorted(a["result"]["state"] if "result" in a else a["error"]["code"] for a in answers)
        assert outcomes == [-31007, -2]
        assert home_state(site, homes.waiting)[1] == 5_000 * SOM
        assert site.clearing("payme") == -10_000 * SOM * (round_ + 1)
