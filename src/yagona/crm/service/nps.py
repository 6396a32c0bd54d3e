"""The relationship NPS (issue 14.4: "feedback gathered all the time"): a daily pass offers
the NPS survey to customers of a month or more not asked it this quarter, a bounded number a
day, through the same offer as every survey (its 30-day rest, quiet hours, the SMS link). The
pass arms the next day's itself."""

from __future__ import annotations

from datetime import timedelta

from yagona.crm import feedback_repository as repository
from yagona.crm import feedback_rules as rules
from yagona.crm.service.feedback import offer_survey
from yagona.identity import service as identity
from yagona.kernel.errors import YagonaError
from yagona.platform import jobs
from yagona.platform.uow import UnitOfWork

NPS_JOB = "crm.nps_sweep"
NPS_PER_DAY = 200  # offers a day: a steady sample, not a blast


def sweep_nps(uow: UnitOfWork, *, limit: int = NPS_PER_DAY) -> int:
    """Offer the NPS survey to up to `limit` customers due for it; returns how many were offered."""
    now, offered = uow.clock.now(), 0
    for customer_id, _phone, _language in identity.notice_recipients(uow):
        if offered >= limit:
            break
        last = repository.last_offered_at(uow.session, customer_id, kind="nps")
        if last is not None and now - last < rules.NPS_EVERY:
            continue
        try:
            since = identity.get_customer(uow, customer_id=customer_id).created_at
        except YagonaError:
            continue
        if not rules.due_for_nps(customer_since=since, last_nps_at=last, now=now):
            continue
        survey = offer_survey(
            uow, customer_id=customer_id, kind="nps", trigger="relationship", channel="account", category="relationship"
        )
        offered += survey is not None
    return offered


def arm_nps(uow: UnitOfWork) -> bool:
    """Schedule the next daily pass (once a day: the key is the date)."""
    due = uow.clock.now() + timedelta(days=1)
    return jobs.schedule(
        uow.session,
        key=f"{NPS_JOB}:{due.date().isoformat()}",
        kind=NPS_JOB,
        due_at=due,
        payload={},
        now=uow.clock.now(),
    )
