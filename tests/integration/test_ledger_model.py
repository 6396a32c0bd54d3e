"""A Hypothesis state machine: the ledger against a plain in-memory model of it."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule

from tests.factories.ledger import open_account
from yagona.app.bootstrap import Container, bootstrap
from yagona.kernel.clock import SimulatedClock
from yagona.kernel.errors import YagonaError
from yagona.ledger import service
from yagona.ledger.schemas import Unit
from yagona.platform.db import make_engine
from yagona.platform.settings import Settings

CODES = ["a", "b", "c", "d"]


@dataclass
class ModelAccount:
    unit: Unit
    allow_negative: bool
    upper_limit: int | None
    posted: int = 0
    held_out: int = 0  # pending debits
    held_in: int = 0  # pending credits


@dataclass
class Model:
    accounts: dict[str, ModelAccount] = field(default_factory=dict)
    answers: dict[str, tuple[tuple[Any, ...], Any]] = field(default_factory=dict)  # key -> (request, answer)
    pendings: dict[str, tuple[str, str, int]] = field(default_factory=dict)  # unresolved: id -> (debit, credit, amount)

    def refusal(self, debit: str, credit: str, amount: int, pending: bool) -> str | None:
        if debit not in self.accounts or credit not in self.accounts:
            return "not_found"
        d, c = self.accounts[debit], self.accounts[credit]
        if d.unit != c.unit:
            return "unit_mismatch"
        if not d.allow_negative and d.posted - d.held_out - amount < 0:
            return "insufficient_funds"
        if c.upper_limit is not None and c.posted + c.held_in + amount > c.upper_limit:
            return "limit_exceeded"
        return None


def make_machine(new_container: Callable[[], Container]) -> type[RuleBasedStateMachine]:
    class LedgerMachine(RuleBasedStateMachine):
        @initialize()
        def fresh(self) -> None:
            self.container = new_container()
            self.model = Model()
            self.counter = 0

        def _run(self, action: Callable[[Any], Any]) -> tuple[str, Any]:
            with self.container.uow() as uow:
                try:
                    result = action(uow)
                    uow.commit()
                except YagonaError as error:
                    return "refused", error.code
            return "ok", result

        @rule(
            code=st.sampled_from(CODES),
            unit=st.sampled_from(list(Unit)),
            allow_negative=st.booleans(),
            upper_limit=st.one_of(st.none(), st.integers(0, 2_000)),
        )
        def open(self, code: str, unit: Unit, allow_negative: bool, upper_limit: int | None) -> None:
            if code in self.model.accounts:
                return
            status, _ = self._run(
                lambda uow: open_account(uow, code, unit=unit, allow_negative=allow_negative, upper_limit=upper_limit)
            )
            assert status == "ok"
            self.model.accounts[code] = ModelAccount(unit, allow_negative, upper_limit)

        @rule(
            debit=st.sampled_from(CODES),
            credit=st.sampled_from(CODES),
            amount=st.integers(1, 1_500),
            pending=st.booleans(),
            replay=st.booleans(),
        )
        def transfer(self, debit: str, credit: str, amount: int, pending: bool, replay: bool) -> None:
            if debit == credit:
                return
            keys = list(self.model.answers)
            key = keys[-1] if replay and keys else f"k{self.counter}"
            self.counter += 1
            request = (debit, credit, amount, pending)
            status, result = self._run(
                lambda uow: service.transfer(
                    uow, debit=debit, credit=credit, amount=amount, reason="model", idempotency_key=key, pending=pending
                )
            )
            if key in self.model.answers:
                first_request, first_answer = self.model.answers[key]
                if first_request == request:
                    assert (status, result) == ("ok", first_answer)
                else:
                    assert (status, result) == ("refused", "idempotency_conflict")
                return
            expected = self.model.refusal(debit, credit, amount, pending)
            if expected is not None:
                assert (status, result) == ("refused", expected)
                return
            assert status == "ok", result
            self.model.answers[key] = (request, result)
            d, c = self.model.accounts[debit], self.model.accounts[credit]
            if pending:
                d.held_out += amount
                c.held_in += amount
                self.model.pendings[result.id] = (debit, credit, amount)
            else:
                d.posted -= amount
                c.posted += amount

        @precondition(lambda self: bool(self.model.pendings))
        @rule(data=st.data(), post=st.booleans())
        def resolve(self, data: st.DataObject, post: bool) -> None:
            pending_id = data.draw(st.sampled_from(sorted(self.model.pendings)))
            debit, credit, amount = self.model.pendings.pop(pending_id)
            action = service.post_pending if post else service.void_pending
            status, result = self._run(
                lambda uow: action(uow, pending_id=pending_id, idempotency_key=f"r-{pending_id}")
            )
            assert status == "ok", result
            d, c = self.model.accounts[debit], self.model.accounts[credit]
            d.held_out -= amount
            c.held_in -= amount
            if post:
                d.posted -= amount
                c.posted += amount

        @invariant()
        def balances_match_the_model(self) -> None:
            if not hasattr(self, "container"):
                return
            with self.container.uow() as uow:
                for code, expected in self.model.accounts.items():
                    account = service.get_account(uow, code=code)
                    assert (account.balance, account.debits_pending, account.credits_pending) == (
                        expected.posted,
                        expected.held_out,
                        expected.held_in,
                    )
                assert service.verify(uow).ok

        def teardown(self) -> None:
            if hasattr(self, "container"):
                self.container.engine.dispose()

    return LedgerMachine


def test_the_ledger_behaves_like_its_model(sqlite_template: Path, tmp_path: Path) -> None:
    runs = iter(range(10_000))

    def new_container() -> Container:
        path = tmp_path / f"model-{next(runs)}.db"
        shutil.copy(sqlite_template, path)
        url = f"sqlite:///{path}"
        return bootstrap(
            Settings(env="test", database={"url": url}),
            clock=SimulatedClock(_start()),  # type: ignore[arg-type]
            engine=make_engine(url),
            configure_logs=False,
        )

    machine = make_machine(new_container)
    machine.TestCase.settings = settings(
        # Fewer, longer runs: each run pays a fresh database and bootstrap, a step is cheap.
        max_examples=25,
        stateful_step_count=45,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow],
    )
    machine.TestCase().runTest()


@pytest.mark.postgres
def test_the_ledger_behaves_like_its_model_on_postgres(postgres_database: str) -> None:
    from tests.conftest import _truncate_all

    def new_container() -> Container:
        engine = make_engine(postgres_database)
        _truncate_all(engine)
        return bootstrap(
            Settings(env="test", database={"url": postgres_database}),
            clock=SimulatedClock(_start()),  # type: ignore[arg-type]
            engine=engine,
            configure_logs=False,
        )

    machine = make_machine(new_container)
    machine.TestCase.settings = settings(
        max_examples=10, stateful_step_count=35, deadline=None, suppress_health_check=[HealthCheck.too_slow]
    )
    try:
        machine.TestCase().runTest()
    finally:
        engine = make_engine(postgres_database)
        _truncate_all(engine)
        engine.dispose()


def _start():  # type: ignore[no-untyped-def]
    from tests.conftest import START

    return START
