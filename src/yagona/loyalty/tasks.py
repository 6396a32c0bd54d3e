"""Due jobs of the bonus programme: lots expiring at 00:00 Tashkent, and the tier reviewed
when spend leaves the 90-day window. Each reads the member as it is, so a stale or
repeated job changes nothing."""

from __future__ import annotations

from typing import Any

from yagona.loyalty import service
from yagona.platform.jobs import Job, JobHandler
from yagona.platform.uow import UnitOfWork


def expiry(uow: UnitOfWork, job: Job) -> list[dict[str, Any]]:
    phone = job.payload["phone"]
    return [{"phone": phone, **effect} for effect in service.expire_due(uow, phone=phone)]


def tier_review(uow: UnitOfWork, job: Job) -> list[dict[str, Any]]:
    phone = job.payload["phone"]
    return [{"phone": phone, **effect} for effect in service.review_tier_of(uow, phone=phone)]


def handlers() -> dict[str, JobHandler]:
    return {service.EXPIRY: expiry, service.TIER_REVIEW: tier_review}
