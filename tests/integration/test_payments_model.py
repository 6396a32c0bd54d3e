"""Hypothesis over random sequences of Payme and Click calls (replays, several accounts —
two lines, a wallet and a home account —, cancels before and after perform, spending in between so a cancel
may find the money gone, the 12 hours passing) against a model of the protocols, on SQLite and
PostgreSQL: money credited = performed − cancelled, never twice; a repeated call answers as
the first one did. The ledger is verified after each test (the `container` fixture)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from tests.factories import home as home_factory
from tests.factories import lines as line_factory
from tests.factories import wallet as wallet_factory
from yagona.app.bootstrap import Container, payments_config
from yagona.home import service as home_service
from yagona.kernel.clock import SimulatedClock
from yagona.kernel.errors import NotFoundError
from yagona.ledger import service as ledger
from yagona.ledger.errors import AccountNotFoundError
from yagona.ledger.schemas import AccountCreate, Unit
from yagona.lines import service as lines_service
from yagona.payments import service
from yagona.payments.errors import ClickError, PaymeError
from yagona.platform.settings import Settings
from yagona.wallet import service as wallet_service

LINE = "998901000001"
LINE2, WALLET = "998901000002", "998901000003"
HOME = "10000001"  # the first contract: a home account waiting for the OneID check takes payments
# A Payme id's account is its key's: two ids per account, so ids repeat and accounts interleave.
ACCOUNTS = [("phone", LINE), ("phone", LINE2), ("wallet", WALLET), ("home", HOME)]
AMOUNTS = st.sampled_from([100_000, 250_000, 1_000_000, 7_777_700])
KEYS = st.integers(min_value=0, max_value=3)
PAYME_KEYS = st.integers(min_value=0, max_value=7)
PAYME_OPS = st.one_of(
    st.tuples(st.just("create"), PAYME_KEYS, AMOUNTS),
    st.tuples(st.just("perform"), PAYME_KEYS, st.just(0)),
    st.tuples(st.just("cancel"), PAYME_KEYS, st.just(0)),
    st.tuples(st.just("check"), PAYME_KEYS, st.just(0)),
    st.tuples(st.just("hours"), st.sampled_from([1, 6, 13]), st.just(0)),
    # the customer spends all but a little of a line meanwhile: a later cancel finds the money
    # gone (-31007), unless more was paid in since
    st.tuples(st.just("spend"), st.integers(min_value=0, max_value=1), st.sampled_from([0, 150_000])),
)
CLICK_OPS = st.one_of(
    st.tuples(st.just("prepare"), KEYS, AMOUNTS),
    st.tuples(st.just("complete"), KEYS, st.just(0)),
    st.tuples(st.just("fail"), KEYS, st.just(0)),
)


@dataclass
class Run:
    container: Container
    settings: Settings
    clock: SimulatedClock
    prefix: str
    answers: dict[tuple[str, str], Any] = field(default_factory=dict)

    def payme(self, method: str, params: dict[str, Any]) -> dict[str, Any] | int:
        with self.container.uow() as uow:
            try:
                result = service.payme(uow, config=payments_config(self.settings), method=method, params=params)
            except service.CommittedPaymeError as error:
                uow.commit()
                return error.code
            except PaymeError as error:
                return error.code
            uow.commit()
            return result

    def click(self, complete: bool, form: dict[str, str]) -> dict[str, Any]:
        with self.container.uow() as uow:
            config = payments_config(self.settings)
            try:
                if complete:
                    answer = service.click_complete(uow, config=config, form=form)
                else:
                    answer = service.click_prepare(uow, config=config, form=form)
            except service.CommittedClickError as error:
                uow.commit()
                return {"error": error.error}
            except ClickError as error:
                return {"error": error.error}
            uow.commit()
            return answer

    def line_balance(self) -> int:
        with self.container.uow() as uow:
            return lines_service.balance_of(uow, LINE)

    def balance(self, kind: str, number: str) -> int:
        with self.container.uow() as uow:
            if kind == "phone":
                return lines_service.balance_of(uow, number)
            if kind == "home":
                return home_service.balance(uow, number)
            return wallet_service.get(uow, phone=number).balance

    def spend(self, number: str, amount: int) -> None:
        """A plain ledger transfer out of the line stands in for usage."""
        with self.container.uow() as uow:
            try:
                ledger.get_account(uow, code="test:spent")
            except AccountNotFoundError:
                ledger.open_account(
                    uow, account=AccountCreate(code="test:spent", owner="t", kind="revenue", unit=Unit.SOM)
                )
            ledger.transfer(
                uow, debit=lines_service.account_of(number), credit="test:spent", amount=amount,
                reason="test.spend", idempotency_key=f"spend-{self.prefix}-{next(COUNTER)}",
            )  # fmt: skip
            uow.commit()

    def clearing(self, system: str) -> int:
        with self.container.uow() as uow:
            try:
                return ledger.posted_balance(uow, code=service.clearing_account(system))
            except Exception:
                return 0


def _run(container: Container, settings: Settings, clock: SimulatedClock, prefix: str) -> Run:
    with container.uow() as uow:
        for number in (LINE, LINE2):
            if not lines_service.exists(uow, number):
                line_factory.connect(uow, number)
        try:
            wallet_service.get(uow, phone=WALLET)
        except NotFoundError:
            wallet_factory.premium(uow, WALLET)  # no Light limits: they are tested elsewhere
        if home_service.payable(uow, contract=HOME) == "missing":
            assert home_factory.contract_to_pay(uow, settings) == HOME
        uow.commit()
    return Run(container, settings, clock, prefix)


COUNTER = iter(range(1_000_000))


Model = dict[str, dict[str, Any]]  # id → state, amount, created (clock), first answers


def _account(pid: str) -> tuple[str, str]:
    return ACCOUNTS[int(pid.rsplit("-", 1)[1]) % len(ACCOUNTS)]


def _create(run: Run, model: Model, pid: str, amount: int, timed_out: bool) -> None:
    tx = model.get(pid)
    kind, number = _account(pid)
    answer = run.payme("CreateTransaction", {"id": pid, "time": 1, "amount": amount, "account": {kind: number}})
    if tx is None:
        assert isinstance(answer, dict) and answer["state"] == 1
        model[pid] = {"state": 1, "amount": amount, "created": run.clock.now(), "create": answer, "to": (kind, number)}
    elif timed_out or tx["state"] != 1:
        assert answer == -31008
        tx["state"] = tx["state"] if tx["state"] != 1 else -1
    else:
        assert answer == tx["create"]


def _perform(run: Run, model: Model, pid: str, amount: int, timed_out: bool) -> None:
    tx = model.get(pid)
    answer = run.payme("PerformTransaction", {"id": pid})
    if tx is None:
        assert answer == -31003
    elif timed_out:
        assert answer == -31008
        tx["state"] = -1
    elif tx["state"] == 1:
        assert isinstance(answer, dict) and answer["state"] == 2
        tx["state"], tx["perform"] = 2, answer
    else:
        assert answer == (tx["perform"] if tx["state"] == 2 else -31008)


def _cancel(run: Run, model: Model, pid: str, amount: int, timed_out: bool) -> None:
    tx = model.get(pid)
    held = run.balance(*tx["to"]) if tx is not None else 0
    answer = run.payme("CancelTransaction", {"id": pid, "reason": 5})
    if tx is None:
        assert answer == -31003
    elif tx["state"] == 2 and held < tx["amount"]:
        assert answer == -31007  # spent meanwhile: nothing moves, still performed
    elif tx["state"] < 0:
        assert answer == tx.setdefault("cancel", answer)  # cancelled by the timeout: its first cancel answer
        assert isinstance(answer, dict) and answer["state"] == tx["state"]
    else:
        assert isinstance(answer, dict) and answer["state"] == -tx["state"]
        tx["state"], tx["cancel"] = answer["state"], answer


def _check(run: Run, model: Model, pid: str, amount: int, timed_out: bool) -> None:
    tx = model.get(pid)
    answer = run.payme("CheckTransaction", {"id": pid})
    if tx is None:
        assert answer == -31003
    else:  # a timeout shows as -1 once a call has noticed it
        assert isinstance(answer, dict) and answer["state"] in (tx["state"], -1)


STEPS = {"create": _create, "perform": _perform, "cancel": _cancel, "check": _check}


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(ops=st.lists(PAYME_OPS, min_size=4, max_size=30))
@example(  # the paths a short random run may miss: spent then cancelled (-31007), a wallet and a home
    # account taken back
    ops=[
        ("create", 0, 1_000_000), ("perform", 0, 0), ("spend", 0, 0), ("cancel", 0, 0), ("cancel", 0, 0),
        ("create", 2, 250_000), ("perform", 2, 0), ("cancel", 2, 0), ("create", 3, 100_000), ("perform", 3, 0),
        ("cancel", 3, 0), ("check", 3, 0), ("create", 1, 100_000), ("hours", 13, 0), ("perform", 1, 0),
    ]
)  # fmt: skip
def test_payme_credits_performed_minus_cancelled_never_twice(
    container: Container, settings: Settings, clock: SimulatedClock, ops: list[tuple[str, int, int]]
) -> None:
    run = _run(container, settings, clock, f"h{next(COUNTER)}-")
    start = {account: run.balance(*account) for account in ACCOUNTS}
    start_clearing = run.clearing("payme")
    spent = dict.fromkeys(ACCOUNTS, 0)
    model: Model = {}
    for op, key, amount in ops:
        if op == "hours":
            clock.advance_by(timedelta(hours=key))
            continue
        if op == "spend":
            account = ACCOUNTS[key]
            if (out := run.balance(*account) - amount) > 0:  # all but `amount`
                run.spend(account[1], out)
                spent[account] += out
            continue
        pid = f"{run.prefix}{key}"
        tx = model.get(pid)
        timed_out = tx is not None and tx["state"] == 1 and clock.now() - tx["created"] > timedelta(hours=12)
        STEPS[op](run, model, pid, amount, timed_out)
        for account in ACCOUNTS:  # each account holds what was performed and not taken back
            performed = sum(t["amount"] for t in model.values() if t["state"] == 2 and t["to"] == account)
            assert run.balance(*account) - start[account] == performed - spent[account]
        performed = sum(t["amount"] for t in model.values() if t["state"] == 2)
        assert run.clearing("payme") - start_clearing == -performed


def _sign(*parts: str) -> str:
    joined = parts[0] + parts[1] + "test-click-secret" + "".join(parts[2:])
    return hashlib.md5(joined.encode(), usedforsecurity=False).hexdigest()


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(ops=st.lists(CLICK_OPS, max_size=20))
def test_click_credits_each_completed_payment_once(
    container: Container, settings: Settings, clock: SimulatedClock, ops: list[tuple[str, int, int]]
) -> None:
    run = _run(container, settings, clock, str(9_000_000 + 10 * next(COUNTER)))
    paid = {LINE: ("phone", LINE), f"W{WALLET}": ("wallet", WALLET), f"H{HOME}": ("home", HOME)}
    start = {target: run.balance(*account) for target, account in paid.items()}
    model: dict[str, dict[str, Any]] = {}
    for op, key, amount in ops:
        trans = f"{run.prefix}{key}"
        tx = model.get(trans)
        target = list(paid)[key % 3]  # a line, a wallet (`W` + phone) or a home account (`H` + contract)
        if op == "prepare":
            som = f"{(tx['amount'] if tx else amount) / 100:.2f}"
            form = {"click_trans_id": trans, "service_id": "1", "merchant_trans_id": target, "amount": som,
                    "action": "0", "error": "0", "sign_time": "t"}  # fmt: skip
            form["sign_string"] = _sign(trans, "1", target, som, "0", "t")
            answer = run.click(False, form)
            if tx is None:
                assert answer["error"] == 0
                model[trans] = {
                    "state": 1, "amount": amount, "prepare_id": answer["merchant_prepare_id"], "to": target
                }  # fmt: skip
            else:
                assert answer["error"] == {1: 0, 2: -4, -1: -9}[tx["state"]]
            continue
        if tx is None:
            continue
        som = f"{tx['amount'] / 100:.2f}"
        prepare_id = str(tx["prepare_id"])
        error = "-5017" if op == "fail" else "0"
        form = {"click_trans_id": trans, "service_id": "1", "merchant_trans_id": target,
                "merchant_prepare_id": prepare_id, "amount": som, "action": "1", "error": error, "sign_time": "t"}  # fmt: skip
        form["sign_string"] = _sign(trans, "1", target, prepare_id, som, "1", "t")
        answer = run.click(True, form)
        if tx["state"] == 2:
            assert answer["error"] == -4
        elif tx["state"] == -1:
            assert answer["error"] == -9
        elif op == "fail":
            assert answer["error"] == -9
            tx["state"] = -1
        else:
            assert answer["error"] == 0
            tx["state"] = 2
        for to, account in paid.items():
            performed = sum(t["amount"] for t in model.values() if t["to"] == to and t["state"] == 2)
            assert run.balance(*account) - start[to] == performed


def test_the_daily_clearing_check_finds_a_planted_mismatch(
    container: Container, settings: Settings, clock: SimulatedClock
) -> None:
    run = _run(container, settings, clock, "daily-")
    run.payme("CreateTransaction", {"id": "d-1", "time": 1, "amount": 500_000, "account": {"phone": LINE}})
    run.payme("PerformTransaction", {"id": "d-1"})
    clock.advance_by(timedelta(days=1))
    outcomes = [o for o in container.jobs.run_due() if o.job.kind == service.CLEARING_CHECK]
    assert [o.effects for o in outcomes] == [[]]  # the clearing account agrees
    with container.uow() as uow:  # planted: money leaves the clearing account outside any transaction
        ledger.open_account(uow, account=AccountCreate(code="test:elsewhere", owner="t", kind="t", unit=Unit.SOM))
        ledger.transfer(
            uow, debit="external:payme", credit="test:elsewhere", amount=1, reason="test", idempotency_key="plant"
        )
        uow.commit()
    clock.advance_by(timedelta(days=1))
    [outcome] = [o for o in container.jobs.run_due() if o.job.kind == service.CLEARING_CHECK]
    [effect] = outcome.effects
    assert effect["kind"] == "clearing_mismatch" and "payme" in effect["problem"]
    with container.uow() as uow:  # undo the plant: the ledger itself stays consistent either way
        ledger.transfer(
            uow, debit="test:elsewhere", credit="external:payme", amount=1, reason="test", idempotency_key="unplant"
        )
        uow.commit()
