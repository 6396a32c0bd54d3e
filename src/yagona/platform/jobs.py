"""Due jobs: renewals, daily fees, promo ends, dormancy…

A job is a row with a due time. Whoever runs jobs — the worker on the system clock,
the sandbox on a simulated one — asks for what is due at `clock.now()` and runs it.
Each job runs in its own unit of work together with the mark that it is done, so a
job that ran is never run again, and a job that failed left nothing behind.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, cast

import structlog
from sqlalchemy import Table, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from yagona.kernel.ids import new_id
from yagona.platform.logging import bound_context
from yagona.platform.models import JobRow
from yagona.platform.settings import JobSettings
from yagona.platform.uow import UnitOfWork, UnitOfWorkFactory

log = structlog.get_logger(__name__)


@dataclass(frozen=True, slots=True)
class Job:
    id: str
    key: str
    kind: str
    payload: Mapping[str, Any]
    due_at: datetime
    attempts: int


@dataclass(frozen=True, slots=True)
class JobOutcome:
    job: Job
    ran_at: datetime
    ok: bool
    effects: list[dict[str, Any]] = field(default_factory=list)
    error: str | None = None


# A handler runs inside the job's unit of work and returns what it did, for reports.
JobHandler = Callable[[UnitOfWork, Job], list[dict[str, Any]] | None]


def schedule(
    session: Session, *, key: str, kind: str, due_at: datetime, payload: Mapping[str, Any], now: datetime
) -> bool:
    """Schedule a job once per `key`; False when a job with that key already exists."""
    if due_at.tzinfo is None:
        raise ValueError("due_at must be timezone-aware")
    try:
        with session.begin_nested():
            session.add(
                JobRow(
                    id=new_id(),
                    key=key,
                    kind=kind,
                    payload=dict(payload),
                    due_at=due_at,
                    status="pending",
                    attempts=0,
                    created_at=now,
                )
            )
    except IntegrityError:
        # A cancelled job with this key is armed again (a period that moved back to a date
        # it had left); a pending or finished one stays as it is.
        rearmed = session.execute(
            update(JobRow)
            .where(JobRow.key == key, JobRow.status == "cancelled")
            .values(status="pending", kind=kind, due_at=due_at, payload=dict(payload), attempts=0, last_error=None)
        )
        return bool(getattr(rearmed, "rowcount", 0))
    return True


def cancel(session: Session, *, key: str) -> bool:
    result = session.execute(
        update(JobRow).where(JobRow.key == key, JobRow.status == "pending").values(status="cancelled")
    )
    return bool(getattr(result, "rowcount", 0))


# Asked at every turn of a sandbox's `advance` (a 1 001-step run asks 250 times): built once, run in
# Core (the ORM adds nothing to one value).
_JOBS = cast(Table, JobRow.__table__)
_NEXT_DUE = select(func.min(_JOBS.c.due_at)).where(_JOBS.c.status == "pending")


class JobRunner:
    def __init__(
        self, uow_factory: UnitOfWorkFactory, handlers: Mapping[str, JobHandler], settings: JobSettings
    ) -> None:
        self._uow_factory = uow_factory
        self._handlers = dict(handlers)
        self._settings = settings

    def next_due_at(self) -> datetime | None:
        with self._uow_factory() as uow:
            due: datetime | None = uow.session.connection().execute(_NEXT_DUE).scalar()
            return due

    def run_due(self, *, limit: int | None = None) -> list[JobOutcome]:
        """Run jobs due now, earliest first, each in its own transaction."""
        outcomes: list[JobOutcome] = []
        budget = limit or self._settings.batch_size
        while len(outcomes) < budget:
            outcome = self._run_one()
            if outcome is None:
                break
            outcomes.append(outcome)
        return outcomes

    def _run_one(self) -> JobOutcome | None:
        with self._uow_factory() as uow:
            now = uow.clock.now()
            row = uow.session.scalars(
                select(JobRow)
                .where(JobRow.status == "pending", JobRow.due_at <= now)
                .order_by(JobRow.due_at, JobRow.id)
                .limit(1)
                .with_for_update(skip_locked=True)
            ).first()
            if row is None:
                return None
            job = Job(row.id, row.key, row.kind, dict(row.payload), row.due_at, row.attempts)
            handler = self._handlers.get(job.kind)
            with bound_context(job_id=job.id, job_kind=job.kind):
                try:
                    effects = _require(handler, job.kind)(uow, job) or []
                    row.status, row.finished_at, row.attempts = "done", now, row.attempts + 1
                    uow.commit()
                    log.info("job_done", effects=len(effects))
                    return JobOutcome(job, now, True, effects)
                except Exception as error:  # a failing job must not stop the others
                    uow.rollback()
                    log.exception("job_failed")
                    self._record_failure(job, error)
                    return JobOutcome(job, now, False, error=f"{type(error).__name__}: {error}")

    def _record_failure(self, job: Job, error: Exception) -> None:
        with self._uow_factory() as uow:
            attempts = job.attempts + 1
            exhausted = attempts >= self._settings.max_attempts
            retry_at = uow.clock.now() + timedelta(seconds=self._settings.retry_backoff_s * attempts)
            uow.session.execute(
                update(JobRow)
                .where(JobRow.id == job.id, JobRow.status == "pending")
                .values(
                    attempts=attempts,
                    last_error=f"{type(error).__name__}: {error}"[:2000],
                    status="failed" if exhausted else "pending",
                    due_at=job.due_at if exhausted else retry_at,
                )
            )
            uow.commit()


def _require(handler: JobHandler | None, kind: str) -> JobHandler:
    if handler is None:
        raise LookupError(f"no handler for job kind {kind!r}")
    return handler
