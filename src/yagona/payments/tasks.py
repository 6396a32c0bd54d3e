"""Due jobs of the payments domain: the daily clearing-account check."""

from __future__ import annotations

from typing import Any

from yagona.kernel.clock import TASHKENT
from yagona.payments import service
from yagona.platform.jobs import Job, JobHandler
from yagona.platform.uow import UnitOfWork


def clearing_check(uow: UnitOfWork, job: Job) -> list[dict[str, Any]]:
    """`payments.clearing_check`: each clearing account equals minus the performed (and not
    taken back) transactions of its system; every mismatch is an effect (and a log line of
    the runner); then the next day's check is scheduled. Twice is once."""
    at = uow.clock.now().astimezone(TASHKENT).isoformat()
    problems = [{"at": at, "kind": "clearing_mismatch", "problem": p} for p in service.clearing_problems(uow)]
    service.schedule_clearing_check(uow)
    return problems


def handlers() -> dict[str, JobHandler]:
    """The payments domain's due jobs, by kind, for the composition root."""
    return {service.CLEARING_CHECK: clearing_check}
