"""The PostgreSQL posting function against the Python rules it implements.

The same random postings (replays, conflicting keys, unknown accounts, mixed units,
ceilings, pendings, linked batches) go through the Python path one by one and through
`ledger_post_group` as one group; the answers, the refusals and the totals must agree.
Each side runs in a transaction that is rolled back, so examples do not see each other.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import START
from tests.factories.ledger import open_account
from yagona.app.bootstrap import Container, bootstrap
from yagona.kernel.clock import SimulatedClock
from yagona.kernel.errors import YagonaError
from yagona.ledger import service
from yagona.ledger.group import PostRequest, run_postings
from yagona.ledger.posting import checked
from yagona.ledger.schemas import TransferCreate, TransferRead, Unit
from yagona.platform.db import make_engine
from yagona.platform.settings import Settings
from yagona.platform.uow import UnitOfWork

pytestmark = pytest.mark.postgres

CODES = ["a", "b", "c", "d"]


@dataclass(frozen=True)
class Spec:
    code: str
    unit: Unit
    allow_negative: bool
    upper_limit: int | None


specs = st.tuples(
    *[
        st.builds(
            Spec,
            st.just(code),
            st.sampled_from([Unit.SOM, Unit.SOM, Unit.SOM, Unit.POINTS]),
            st.booleans(),
            st.sampled_from([None, 0, 500, 1_000, 1_500, 2_000]),  # round: edges are hit
        )
        for code in CODES
    ]
)
transfer = st.builds(
    lambda d, c, amount, pending: (d, c, amount, pending),
    st.sampled_from([*CODES, "nobody"]),
    st.sampled_from(CODES),
    st.sampled_from([1, 250, 500, 1_000]),
    st.booleans(),
).filter(lambda t: t[0] != t[1])
postings = st.lists(
    st.tuples(st.sampled_from(["k1", "k2", "k3", "k4", "k5", "k6"]), st.lists(transfer, min_size=1, max_size=3)),
    min_size=1,
    max_size=8,
)


@pytest.fixture(scope="module")
def pg_container(postgres_database: str) -> Iterator[Container]:
    engine = make_engine(postgres_database)  # migrated by the fixture
    yield bootstrap(
        Settings(env="test", database={"url": postgres_database}), engine=engine, clock=SimulatedClock(START)
    )
    engine.dispose()


def _setup(uow: UnitOfWork, accounts: tuple[Spec, ...]) -> None:
    for unit in Unit:
        open_account(uow, f"world.{unit.value}", unit=unit, allow_negative=True, kind="external")
    for spec in accounts:
        open_account(uow, spec.code, unit=spec.unit, allow_negative=spec.allow_negative, upper_limit=spec.upper_limit)
        if spec.upper_limit is None or spec.upper_limit >= 1_000:
            service.transfer(
                uow,
                debit=f"world.{spec.unit.value}",
                credit=spec.code,
                amount=1_000,
                reason="funding",
                idempotency_key=f"fund:{spec.code}",
            )


def _requests(drawn: list[tuple[str, list[tuple[str, str, int, bool]]]]) -> list[PostRequest]:
    return [
        PostRequest(
            tuple(TransferCreate(debit=d, credit=c, amount=a, pending=p, reason="test") for d, c, a, p in transfers),
            key,
        )
        for key, transfers in drawn
    ]


def _seen(outcome: list[TransferRead] | BaseException) -> Any:
    if isinstance(outcome, YagonaError):
        return ("refused", outcome.code, outcome.message, outcome.details)
    assert isinstance(outcome, list), outcome
    return [(t.debit, t.credit, t.amount, t.unit, t.kind, t.reason) for t in outcome]


def _run(container: Container, accounts: tuple[Spec, ...], requests: list[PostRequest], *, grouped: bool) -> Any:
    with container.uow() as uow:
        _setup(uow, accounts)
        if grouped:
            outcomes = run_postings(uow, requests)
        else:
            outcomes = []
            for request in requests:
                savepoint = uow.session.begin_nested()
                try:
                    posting = checked(uow, request.transfers, request.idempotency_key)
                    outcomes.append(service.post_in_python(uow, posting))
                    savepoint.commit()
                except YagonaError as error:
                    savepoint.rollback()
                    outcomes.append(error)
        totals = {code: service.get_account(uow, code=code) for code in CODES}
        uow.rollback()
    return [_seen(o) for o in outcomes], {code: a.model_dump() for code, a in totals.items()}


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(accounts=specs, drawn=postings)
def test_the_function_decides_as_the_python_rules(
    pg_container: Container, accounts: tuple[Spec, ...], drawn: list[tuple[str, list[tuple[str, str, int, bool]]]]
) -> None:
    requests = _requests(drawn)
    assert _run(pg_container, accounts, requests, grouped=True) == _run(pg_container, accounts, requests, grouped=False)
