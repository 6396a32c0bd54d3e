"""Due jobs of the lines domain. Each runs in its own unit of work with its done-mark, and
each checks the line is still in the state it was scheduled for, so a stale or repeated
job changes nothing."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from yagona.catalog import service as catalog
from yagona.kernel.clock import TASHKENT
from yagona.lines import service
from yagona.platform.jobs import Job, JobHandler
from yagona.platform.uow import UnitOfWork


def renewal(uow: UnitOfWork, job: Job) -> list[dict[str, Any]]:
    line = service.line_for_job(uow, job.payload["msisdn"])
    if line is None or line.next_charge_at is None or line.next_charge_at != datetime.fromisoformat(job.payload["due"]):
        return []  # the period moved (reload, switch, unblock) since this job was scheduled
    if line.status == "blocked" and line.block_reason == "administrative":
        return []  # the period is paused; the unblock charges and restarts it
    return _stamped(line.msisdn, service.renew(uow, line, key=job.key))


def unblock(uow: UnitOfWork, job: Job) -> list[dict[str, Any]]:
    """The night window after a top-up: a line blocked for debt is charged and unblocked."""
    line = service.line_for_job(uow, job.payload["msisdn"])
    if line is None or line.status != "blocked" or line.block_reason != "debt":
        return []
    if service.balance_of(uow, line.msisdn) < 0:
        return []  # still negative: a zero balance has left the block (the fee goes into debt once)
    effects = service.renew(uow, line, key=job.key)
    return _stamped(line.msisdn, [{"kind": "unblocked"}, *effects])


def block_fee(uow: UnitOfWork, job: Job) -> list[dict[str, Any]]:
    """Every night of an administrative block, the plan's daily fee (421 so'm)."""
    line = service.line_for_job(uow, job.payload["msisdn"])
    if line is None or line.status != "blocked" or line.block_reason != "administrative":
        return []
    fee = catalog.get_plan(line.plan_id).admin_block_daily_fee
    if fee is None:
        return []
    service.charge_fee(uow, line, fee.tiyin, reason="block_fee", key=job.key)
    service.schedule_block_fee(uow, line, job.due_at.astimezone(TASHKENT) + timedelta(days=1))
    return _stamped(line.msisdn, [{"kind": "block_fee", "amount": fee.to_json()}])


def holiday(uow: UnitOfWork, job: Job) -> list[dict[str, Any]]:
    line = service.line_for_job(uow, job.payload["msisdn"])
    if line is None:
        return []
    return _stamped(line.msisdn, service.grant_holiday(uow, line, int(job.payload["year"])))


def daily(uow: UnitOfWork, job: Job) -> list[dict[str, Any]]:
    """Midnight: a new day's allowances for a line that is active."""
    line = service.line_for_job(uow, job.payload["msisdn"])
    if line is None or line.status != "active":
        return []
    return _stamped(line.msisdn, service.grant_daily(uow, line, catalog.get_plan(line.plan_id)))


def promo_end(uow: UnitOfWork, job: Job) -> list[dict[str, Any]]:
    """The free days are over: the paid daily subscription starts, unless switched off."""
    msisdn, promo = job.payload["msisdn"], job.payload["promo"]
    return _stamped(msisdn, service.charge_promo_day(uow, msisdn=msisdn, promo_id=promo, key=job.key, kind="promo_end"))


def promo_fee(uow: UnitOfWork, job: Job) -> list[dict[str, Any]]:
    msisdn, promo = job.payload["msisdn"], job.payload["promo"]
    return _stamped(msisdn, service.charge_promo_day(uow, msisdn=msisdn, promo_id=promo, key=job.key, kind="promo_fee"))


def handlers() -> dict[str, JobHandler]:
    return {
        service.RENEWAL: renewal,
        service.UNBLOCK: unblock,
        service.BLOCK_FEE: block_fee,
        service.HOLIDAY: holiday,
        service.DAILY: daily,
        service.PROMO_END: promo_end,
        service.PROMO_FEE: promo_fee,
    }


def _stamped(msisdn: str, effects: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{"msisdn": msisdn, **effect} for effect in effects]
