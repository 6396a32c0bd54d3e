"""Due jobs of analytics: the nightly refresh (export, scores, offers), which schedules the next."""

from __future__ import annotations

from typing import Any

from yagona.analytics import service
from yagona.platform.jobs import Job, JobHandler
from yagona.platform.uow import UnitOfWork


def nightly(uow: UnitOfWork, job: Job) -> list[dict[str, Any]]:
    done = service.refresh(uow)
    service.schedule_nightly(uow)
    return [{"exported": done.exported, "scored": done.scored, "offers": done.offers}]


def handlers() -> dict[str, JobHandler]:
    return {service.NIGHTLY: nightly}
