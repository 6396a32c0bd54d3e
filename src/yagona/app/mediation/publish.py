"""`yagona mediation publish FILE`: a CDR file onto the usage stream, each record once."""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from nats.errors import Error as NatsError
from nats.js.api import PubAck

from yagona.app.mediation import cdr
from yagona.app.mediation.settings import MediationSettings
from yagona.app.mediation.stream import connect, ensure_stream

WINDOW = 500  # publishes in flight before waiting for their acknowledgements


@dataclass(slots=True)
class PublishReport:
    published: int = 0
    duplicates: int = 0  # dropped by JetStream: the same record id inside the duplicate window
    refused: list[cdr.Refusal] = field(default_factory=list)


def publish_file(path: Path, settings: MediationSettings) -> PublishReport:
    return asyncio.run(publish_rows(cdr.read(path), settings))


async def publish_rows(rows: Iterable[cdr.Row | cdr.Refusal], settings: MediationSettings) -> PublishReport:
    """Valid rows go out with `Nats-Msg-Id` = record id; refused rows are reported, never sent."""
    report = PublishReport()
    connection = await connect(settings)
    try:
        js = connection.jetstream(timeout=settings.timeout_s)
        await ensure_stream(js, settings)
        pending: list[tuple[int, asyncio.Future[PubAck]]] = []
        for row in rows:
            if isinstance(row, cdr.Refusal):
                report.refused.append(row)
                continue
            future = await js.publish_async(
                cdr.subject_of(settings.subject_prefix, row.record, settings.shards),
                cdr.encode(row.fields),
                headers={"Nats-Msg-Id": row.record.id},
                wait_stall=settings.timeout_s,
            )
            pending.append((row.line, future))
            if len(pending) >= WINDOW:
                await _settle(pending, report, settings.timeout_s)
        await _settle(pending, report, settings.timeout_s)
    finally:
        await connection.close()
    return report


async def _settle(pending: list[tuple[int, asyncio.Future[PubAck]]], report: PublishReport, timeout_s: float) -> None:
    for line, future in pending:
        try:
            ack = await asyncio.wait_for(future, timeout_s)
        except (TimeoutError, NatsError) as error:  # not stored: said per line, the file may be published again
            report.refused.append(cdr.Refusal(line, f"not published: {error or type(error).__name__}"))
            continue
        if ack.duplicate:
            report.duplicates += 1
        else:
            report.published += 1
    pending.clear()
