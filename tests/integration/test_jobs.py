"""The due-job runner on both databases, driven by a simulated clock."""

from __future__ import annotations

import threading
from datetime import timedelta
from typing import Any

from sqlalchemy import select

from tests.conftest import START
from tests.factories.ledger import open_account
from yagona.app.bootstrap import Container
from yagona.kernel.clock import SimulatedClock
from yagona.ledger import service as ledger
from yagona.platform import jobs
from yagona.platform.jobs import Job, JobRunner
from yagona.platform.models import JobRow
from yagona.platform.uow import UnitOfWork


def _runner(container: Container, handlers: dict[str, jobs.JobHandler]) -> JobRunner:
    return JobRunner(container.uow, handlers, container.settings.jobs)


def _schedule(container: Container, key: str, due_in: timedelta, kind: str = "fee", **payload: Any) -> bool:
    with container.uow() as uow:
        created = jobs.schedule(
            uow.session, key=key, kind=kind, due_at=START + due_in, payload=payload, now=uow.clock.now()
        )
        uow.commit()
    return created


def charge_fee(uow: UnitOfWork, job: Job) -> list[dict[str, Any]]:
    """A job with a money effect: charging a fee through the ledger, idempotent by job key."""
    ledger.transfer(
        uow,
        debit=job.payload["line"],
        credit="operator:revenue",
        amount=job.payload["amount"],
        reason="fee",
        idempotency_key=job.key,
    )
    return [{"kind": "fee", "line": job.payload["line"], "amount": job.payload["amount"]}]


def _open_line(container: Container) -> None:
    with container.uow() as uow:
        open_account(uow, "line:1", allow_negative=True)
        open_account(uow, "operator:revenue", allow_negative=True)
        uow.commit()


def test_jobs_run_when_due_in_time_order_and_only_once(container: Container, clock: SimulatedClock) -> None:
    _open_line(container)
    runner = _runner(container, {"fee": charge_fee})
    assert _schedule(container, "fee:line:1:2", timedelta(days=2), line="line:1", amount=200)
    assert _schedule(container, "fee:line:1:1", timedelta(days=1), line="line:1", amount=100)
    assert not _schedule(container, "fee:line:1:1", timedelta(days=1), line="line:1", amount=100)  # same key: once
    assert runner.run_due() == []  # nothing is due yet
    assert runner.next_due_at() == START + timedelta(days=1)
    clock.advance_by(timedelta(days=3))
    outcomes = runner.run_due()
    assert [(o.job.key, o.ok) for o in outcomes] == [("fee:line:1:1", True), ("fee:line:1:2", True)]
    assert outcomes[0].effects == [{"kind": "fee", "line": "line:1", "amount": 100}]
    assert runner.run_due() == []  # a job that ran never runs again
    with container.uow() as uow:
        assert ledger.get_account(uow, code="line:1").balance == -300


def test_a_failing_job_leaves_nothing_and_is_retried_then_given_up(container: Container, clock: SimulatedClock) -> None:
    _open_line(container)
    calls = []

    def half_then_fail(uow: UnitOfWork, job: Job) -> None:
        calls.append(job.attempts)
        charge_fee(uow, job)  # written, then the failure below must undo it
        raise RuntimeError("provider down")

    runner = _runner(container, {"fee": half_then_fail})
    _schedule(container, "fee:x", timedelta(0), line="line:1", amount=100)
    for _ in range(container.settings.jobs.max_attempts + 2):
        runner.run_due()
        clock.advance_by(timedelta(hours=6))
    assert calls == list(range(container.settings.jobs.max_attempts))
    with container.uow() as uow:
        row = uow.session.scalars(select(JobRow)).one()
        assert (row.status, row.attempts) == ("failed", container.settings.jobs.max_attempts)
        assert "provider down" in (row.last_error or "")
        assert ledger.get_account(uow, code="line:1").balance == 0


def test_an_unknown_job_kind_fails_visibly(container: Container) -> None:
    runner = _runner(container, {})
    _schedule(container, "mystery", timedelta(0), kind="mystery")
    [outcome] = runner.run_due()
    assert not outcome.ok and "no handler" in (outcome.error or "")


def test_parallel_runners_never_run_a_job_twice(container: Container, clock: SimulatedClock) -> None:
    _open_line(container)
    ran: list[str] = []
    lock = threading.Lock()

    def record(uow: UnitOfWork, job: Job) -> None:
        charge_fee(uow, job)
        with lock:
            ran.append(job.key)

    for i in range(60):
        _schedule(container, f"fee:{i}", timedelta(minutes=i), line="line:1", amount=1)
    clock.advance_by(timedelta(days=1))
    runners = [_runner(container, {"fee": record}) for _ in range(4)]
    threads = [threading.Thread(target=r.run_due) for r in runners]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(ran) == sorted(f"fee:{i}" for i in range(60))
    with container.uow() as uow:
        assert ledger.get_account(uow, code="line:1").balance == -60


def test_a_cancelled_job_does_not_run(container: Container, clock: SimulatedClock) -> None:
    runner = _runner(container, {"fee": charge_fee})
    _schedule(container, "fee:cancel", timedelta(hours=1), line="line:1", amount=1)
    with container.uow() as uow:
        assert jobs.cancel(uow.session, key="fee:cancel")
        uow.commit()
    clock.advance_by(timedelta(days=1))
    assert runner.run_due() == []
