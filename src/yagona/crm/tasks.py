"""Due jobs of the CRM: a ticket's SLA clock reached its warning (80 % of the target by
default) or its due time. Each records a warning or a breach once, and nothing when the clock
stopped (answered, resolved, merged) or moved (the ticket's priority changed)."""

from __future__ import annotations

from typing import Any

from yagona.crm import service
from yagona.crm.service import sla
from yagona.platform.jobs import Job, JobHandler
from yagona.platform.uow import UnitOfWork


def sla_check(uow: UnitOfWork, job: Job) -> list[dict[str, Any]]:
    p = job.payload
    done = service.check_sla(uow, ticket_id=p["ticket"], clock=p["clock"], level=p["level"], due=p["due"])
    return [done] if done else []


def handlers() -> dict[str, JobHandler]:
    return {sla.SLA_CHECK: sla_check}
