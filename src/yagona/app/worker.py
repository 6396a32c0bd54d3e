"""The worker: runs due jobs, re-dispatches stale events, drains the outbox into the deferred
consumers (the bonus programme), relays the outbox to JetStream, hands queued SMS and e-mail
to the delivery adapter."""

from __future__ import annotations

import signal
import threading
from collections.abc import Callable
from dataclasses import dataclass

import structlog

from yagona.analytics import service as analytics
from yagona.app.bootstrap import Container
from yagona.crm import service as crm
from yagona.notify import service as notify
from yagona.platform.jetstream import relay_outbox
from yagona.platform.outbox import drain_deferred, redispatch_stale
from yagona.privacy import service as privacy

log = structlog.get_logger(__name__)


@dataclass(frozen=True)
class PassReport:
    jobs: int
    redispatched: int
    published: int
    sent: int
    drained: int = 0  # events handed to deferred consumers


def run_pass(container: Container) -> PassReport:
    settings = container.settings
    outcomes = container.jobs.run_due()
    redispatched = redispatch_stale(
        container.uow, container.bus, older_than_s=settings.bus.redispatch_after_s, limit=settings.bus.relay_batch_size
    )
    drained = drain(container)
    published = relay_outbox(container.uow, settings.bus)
    return PassReport(len(outcomes), redispatched, published, _deliver(container), drained)


def drain(container: Container) -> int:
    """The deferred consumers caught up with the outbox (also the sandbox's, after each step)."""
    bus = container.settings.bus
    return drain_deferred(container.uow, container.bus, batch=bus.drain_batch_size, gap_grace_s=bus.drain_gap_grace_s)


def _deliver(container: Container) -> int:
    if container.delivery is None:
        return 0
    settings = container.settings
    with container.uow() as uow:
        sent = notify.deliver_queued(
            uow,
            adapter=container.delivery,
            sealer=notify.sealer_for(settings.secret_key.get_secret_value()),
            keep_body=settings.env in ("dev", "test"),
            limit=settings.limits.batch_size_max,
        )
        uow.commit()
    return sent


def _arm_daily_jobs(container: Container) -> None:
    """The daily passes that re-arm themselves, armed once (idempotent: keyed by the day)."""
    with container.uow() as uow:
        privacy.arm_retention(uow)  # retention per purpose (docs/personal-data.md)
        analytics.schedule_nightly(uow)  # the analytics' nightly refresh: exports, segments, churn scores
        crm.arm_nps(uow)  # the relationship NPS, a bounded sample a day
        uow.commit()


def run_forever(container: Container, stop: threading.Event | None = None) -> None:
    """Pass after pass until `stop` is set — or, run as its own process (no `stop` given),
    until SIGINT or SIGTERM."""
    if stop is None:
        stop = threading.Event()
        for sig in (signal.SIGINT, signal.SIGTERM):
            signal.signal(sig, lambda *_: stop.set())
    log.info("worker_started", nats=container.settings.bus.nats_url is not None)
    _arm_daily_jobs(container)
    while not stop.is_set():
        try:
            report = run_pass(container)
        except Exception:  # the worker outlives one bad pass; the next retries
            log.exception("worker_pass_failed")
            report = PassReport(0, 0, 0, 0)
        if report.jobs == 0 and report.published == 0 and report.sent == 0 and report.drained == 0:
            stop.wait(container.settings.jobs.poll_interval_s)
    log.info("worker_stopped")


def in_background(container: Container) -> Callable[[], None]:
    """The worker on a thread of this process (`yagona serve --with-worker`, what `make run`
    does); returns the function that stops it and waits for its pass to end."""
    stop = threading.Event()
    thread = threading.Thread(target=run_forever, args=(container, stop), name="yagona-worker", daemon=True)
    thread.start()

    def halt() -> None:
        stop.set()
        thread.join(timeout=30)

    return halt
