"""The relationship NPS (issue 14.4: "feedback gathered all the time"): a daily pass offers
the NPS survey to customers of a month or more not asked it this quarter, a bounded number a
day (the periods and the number are data: `crm/data/feedback.yaml`), through the same offer as
every survey (its rest, quiet hours, the SMS link). The pass arms the next day's itself."""

from __future__ import annotations

from datetime import timedelta

from yagona.crm import feedback_repository as repository
from yagona.crm import feedback_rules as rules
from yagona.crm.service.feedback import CADENCE, offer_survey
from yagona.identity import service as identity
from yagona.kernel.clock import TASHKENT
from yagona.kernel.errors import YagonaError
from yagona.platform import jobs
from yagona.platform.uow import UnitOfWork

NPS_JOB = "crm.nps_sweep"


def sweep_nps(uow: UnitOfWork, *, limit: int | None = None) -> int:
    """Offer the NPS survey to up to `limit` customers due for it (the data's offers a day by
    default); returns how many were offered."""
    now, offered, limit = uow.clock.now(), 0, CADENCE.nps_per_day if limit is None else limit
    for customer_id, _phone, _language in identity.notice_recipients(uow):
        if offered >= limit:
            break
        last = repository.last_offered_at(uow.session, customer_id, kind="nps")
        if last is not None and now - last < CADENCE.nps_every:
            continue
        try:
            since = identity.get_customer(uow, customer_id=customer_id).created_at
        except YagonaError:
            continue
        if not rules.due_for_nps(customer_since=since, last_nps_at=last, now=now, cadence=CADENCE):
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
        # Named by its Tashkent day, whatever zone the clock reads in: the pass runs at a due time
        # read back in UTC, and a key from that zone's date would name the job running now.
        key=f"{NPS_JOB}:{due.astimezone(TASHKENT).date().isoformat()}",
        kind=NPS_JOB,
        due_at=due,
        payload={},
        now=uow.clock.now(),
    )
