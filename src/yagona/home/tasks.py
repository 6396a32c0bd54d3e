"""Due jobs of the home domain: the monthly renewal in the night window and the reminders.
Each runs in its own unit of work and checks the account is still where it was when the job
was scheduled, so a stale or repeated job changes nothing (and a reminder is not sent)."""

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


def remind(uow: UnitOfWork, job: Job) -> list[dict[str, Any]]:
    """Built for the channels' reminder engine to take over: the decision is `rules.reminder_needed`."""
    contract = job.payload["contract"]
    effect = service.remind(uow, contract=contract, reminder=job.payload["reminder"], mark=job.payload["mark"])
    return [{"contract": contract, **effect}] if effect else []


def handlers() -> dict[str, JobHandler]:
    return {service.RENEWAL: renewal, service.REMIND: remind}
