"""Due jobs of the home domain: the monthly renewal in the night window. It runs in its own
unit of work and checks the account is still where it was when the job was scheduled, so a
stale or repeated job changes nothing. (The reminders are the reminder engine's.)"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from yagona.home import service
from yagona.platform.jobs import Job, JobHandler
from yagona.platform.uow import UnitOfWork


def renewal(uow: UnitOfWork, job: Job) -> list[dict[str, Any]]:
    contract = job.payload["contract"]
    effects = service.renew(uow, contract=contract, due=datetime.fromisoformat(job.payload["due"]), key=job.key)
    return [{"contract": contract, **effect} for effect in effects]


RETIRED_REMIND = "home.remind"  # home's own reminders, now the reminder engine's rules


def retired(uow: UnitOfWork, job: Job) -> list[dict[str, Any]]:
    """A reminder job armed before the engine took the reminders over: done, nothing sent
    (the engine arms its own check from the account's next event)."""
    return []


def handlers() -> dict[str, JobHandler]:
    return {service.RENEWAL: renewal, RETIRED_REMIND: retired}
