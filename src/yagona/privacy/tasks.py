"""The daily retention pass (privacy.service.retention): runs every purpose, then arms the
next day's job."""

from __future__ import annotations

from typing import Any

from yagona.platform.jobs import Job, JobHandler
from yagona.platform.uow import UnitOfWork
from yagona.privacy import service


def retention(uow: UnitOfWork, job: Job) -> list[dict[str, Any]]:
    reports = service.run_retention(uow)
    service.arm_retention(uow)
    return [{"purpose": r.purpose, "rows": r.rows} for r in reports]


def handlers() -> dict[str, JobHandler]:
    return {service.RETENTION_JOB: retention}
