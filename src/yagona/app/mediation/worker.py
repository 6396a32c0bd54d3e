"""A rating worker: batches from the shared durable consumer, rated in one unit of work,
committed, and only then acknowledged.

At least once from JetStream, exactly once in the ledger: a worker that dies before its
commit leaves the batch unacknowledged and JetStream delivers it again after `ack_wait_s`;
one that dies between commit and acknowledgement delivers records that the lines domain
answers from their stored rating (same record id), charging nothing again.
"""

from __future__ import annotations

import asyncio
import contextlib
import signal
from collections.abc import Sequence
from dataclasses import dataclass

import structlog
from nats.aio.msg import Msg
from nats.js import JetStreamContext
from sqlalchemy.exc import DBAPIError

from yagona.app.mediation import cdr
from yagona.app.mediation.settings import MediationSettings
from yagona.app.mediation.stream import connect, ensure_consumer
from yagona.kernel.errors import UnavailableError, YagonaError
from yagona.lines import service as lines
from yagona.lines.schemas import UsageRecord, UsageResult
from yagona.platform.uow import UnitOfWorkFactory

log = structlog.get_logger(__name__)
RETRY_DELAY_S = 1.0


@dataclass(slots=True)
class WorkerReport:
    batches: int = 0
    rated: int = 0  # including records rated before (a redelivery): answered, charged once
    refused: int = 0  # by the rating (unknown line, inactive…) or not a usage record: acknowledged
    redelivered: int = 0  # deliveries after the first (a worker died, or a batch failed)
    terminated: int = 0  # failed the worker itself max_deliveries times


def run(uow_factory: UnitOfWorkFactory, settings: MediationSettings, *, drain: bool) -> WorkerReport:
    return asyncio.run(work(uow_factory, settings, drain=drain))


async def work(
    uow_factory: UnitOfWorkFactory, settings: MediationSettings, *, drain: bool, max_batches: int | None = None
) -> WorkerReport:
    """Fetch, rate, commit, acknowledge, until stopped; with `drain`, until the consumer holds
    nothing pending and nothing unacknowledged."""
    report = WorkerReport()
    connection = await connect(settings)
    try:
        js = connection.jetstream(timeout=settings.timeout_s)
        await ensure_consumer(js, settings)
        subscription = await js.pull_subscribe_bind(durable=settings.durable, stream=settings.stream)
        log.info("mediation_worker_ready", stream=settings.stream, durable=settings.durable)
        stopping = _stop_on_signals()
        while not stopping.is_set() and (max_batches is None or report.batches < max_batches):
            try:
                messages = await subscription.fetch(settings.batch_size, timeout=settings.fetch_wait_s)
            except TimeoutError:
                if drain and await _drained(subscription):
                    break
                continue
            log.info("mediation_batch_fetched", size=len(messages))
            await handle(uow_factory, settings, messages, report)
            await connection.flush(timeout=int(settings.timeout_s) or 1)
    finally:
        await connection.close()
    return report


def _stop_on_signals() -> asyncio.Event:
    """SIGTERM/SIGINT: finish the batch in hand (commit, acknowledge), then stop."""
    stopping = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):  # not the main thread
            loop.add_signal_handler(signum, stopping.set)
    return stopping


async def _drained(subscription: JetStreamContext.PullSubscription) -> bool:
    info = await subscription.consumer_info()
    return not info.num_pending and not info.num_ack_pending


async def handle(
    uow_factory: UnitOfWorkFactory, settings: MediationSettings, messages: Sequence[Msg], report: WorkerReport
) -> None:
    report.batches += 1
    decoded: list[tuple[Msg, UsageRecord]] = []
    for message in messages:
        if message.metadata.num_delivered > 1:
            report.redelivered += 1
        try:
            decoded.append((message, cdr.decode(message.data)))
        except (ValueError, YagonaError) as error:  # never a usage record: retrying cannot help
            log.warning("mediation_record_refused", subject=message.subject, reason=str(error), code="invalid_request")
            report.refused += 1
            await message.term()
    if not decoded:
        return
    try:
        outcomes = _rate(uow_factory, [record for _, record in decoded])
    except (DBAPIError, UnavailableError):
        log.exception("mediation_batch_failed", size=len(decoded), retry_in_s=RETRY_DELAY_S)
        for message, _ in decoded:
            await message.nak(delay=RETRY_DELAY_S)
        return
    except Exception:  # one record breaks the worker: rate them one by one to find it
        log.exception("mediation_batch_failed_one_by_one", size=len(decoded))
        await _one_by_one(uow_factory, settings, decoded, report)
        return
    for (message, _), outcome in zip(decoded, outcomes, strict=True):
        await _answer(message, outcome, report)


def _rate(uow_factory: UnitOfWorkFactory, records: list[UsageRecord]) -> list[UsageResult | YagonaError]:
    with uow_factory() as uow:
        outcomes = lines.rate_usages(uow, records=records)
        uow.commit()
    return outcomes


async def _one_by_one(
    uow_factory: UnitOfWorkFactory,
    settings: MediationSettings,
    decoded: list[tuple[Msg, UsageRecord]],
    report: WorkerReport,
) -> None:
    for message, record in decoded:
        try:
            [outcome] = _rate(uow_factory, [record])
        except (DBAPIError, UnavailableError):
            await message.nak(delay=RETRY_DELAY_S)
            continue
        except Exception:
            if message.metadata.num_delivered >= settings.max_deliveries:
                log.exception("mediation_record_terminated", record_id=record.id, deliveries=settings.max_deliveries)
                report.terminated += 1
                await message.term()
            else:
                log.exception("mediation_record_failed", record_id=record.id)
                await message.nak(delay=RETRY_DELAY_S)
            continue
        await _answer(message, outcome, report)


async def _answer(message: Msg, outcome: UsageResult | YagonaError, report: WorkerReport) -> None:
    if isinstance(outcome, YagonaError):
        log.warning(
            "mediation_record_refused",
            record_id=message.header and message.header.get("Nats-Msg-Id"),
            code=outcome.code,
            reason=outcome.message,
        )
        report.refused += 1
    else:
        report.rated += 1
    await message.ack()
