"""The engine's due job: a check of one trigger's facts for one subject (armed by an event,
or held over quiet hours). It reads the facts as they are when it runs, so a stale check
sends nothing."""

from __future__ import annotations

from typing import Any

from yagona.platform.jobs import Job, JobHandler
from yagona.platform.uow import UnitOfWork
from yagona.reminders import service


def check(uow: UnitOfWork, job: Job) -> list[dict[str, Any]]:
    p = job.payload
    return service.check(uow, trigger=p["trigger"], subject=dict(p["subject"]), rule=p.get("rule") or "")


def handlers() -> dict[str, JobHandler]:
    return {service.CHECK: check}
