"""The nightly refresh, a due job: the store caught up with the outbox, then every line's
churn score (when a model is trained), then the offers their scores and segments call for
(`offers.make_offers`), then the next night's job."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from yagona.analytics.errors import NoModelError
from yagona.analytics.service._base import settings
from yagona.analytics.service.churn import score_all
from yagona.analytics.service.offers import make_offers
from yagona.analytics.service.store import export_batch
from yagona.kernel.clock import TASHKENT
from yagona.platform import jobs
from yagona.platform.uow import UnitOfWork

NIGHTLY = "analytics.nightly"


@dataclass(frozen=True, slots=True)
class Refreshed:
    exported: int
    scored: int | None  # None: no model yet
    offers: int = 0  # offers made


def export_all(uow: UnitOfWork, *, limit: int | None = None) -> int:
    """Every batch until caught up, in the caller's unit of work; the rows written."""
    written = 0
    while True:
        batch = export_batch(uow, limit=limit)
        written += batch.written
        if batch.done:
            return written


def refresh(uow: UnitOfWork) -> Refreshed:
    exported = export_all(uow)
    try:
        scored: int | None = score_all(as_of=uow.clock.now().astimezone(TASHKENT).date())
    except NoModelError:
        scored = None
    return Refreshed(exported=exported, scored=scored, offers=make_offers(uow))


def schedule_nightly(uow: UnitOfWork) -> None:
    """The next night's refresh (once a night, whoever schedules it)."""
    now = uow.clock.now().astimezone(TASHKENT)
    due = now.replace(hour=settings().nightly_hour, minute=0, second=0, microsecond=0)
    if due <= now:
        due += timedelta(days=1)
    jobs.schedule(uow.session, key=f"{NIGHTLY}:{due.date().isoformat()}", kind=NIGHTLY, due_at=due, payload={},
                  now=uow.clock.now())  # fmt: skip
