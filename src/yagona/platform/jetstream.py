"""The outbox relay to NATS JetStream, and a durable consumer.

At least once: a row is marked published only after JetStream acknowledged it; a
relay that dies in between publishes it again, JetStream drops the repeat inside its
duplicate window (`Nats-Msg-Id` = event id), and consumers dedupe by event id anyway.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING

import structlog
from sqlalchemy import select, update

from yagona.kernel.errors import UnavailableError
from yagona.platform.bus import EventEnvelope
from yagona.platform.models import OutboxRow
from yagona.platform.settings import BusSettings
from yagona.platform.uow import UnitOfWorkFactory

if TYPE_CHECKING:  # NATS (and aiohttp under it) imported when a relay or consumer runs, not at start
    import nats.js

log = structlog.get_logger(__name__)


def subject_for(settings: BusSettings, event_name: str) -> str:
    """`ledger.account_opened` → `yagona.ledger.account_opened`."""
    return f"{settings.subject_prefix}.{event_name}"


def stream_for(settings: BusSettings, domain: str) -> str:
    """A stream per domain, as the architecture says: `YAGONA_LEDGER` holds `yagona.ledger.>`."""
    return f"{settings.stream}_{domain.upper()}"


def domain_of(event_name: str) -> str:
    return event_name.split(".", 1)[0]


def relay_outbox(uow_factory: UnitOfWorkFactory, settings: BusSettings) -> int:
    """Publish one batch of unpublished outbox rows; returns how many were published."""
    if settings.nats_url is None:
        return 0
    with uow_factory() as uow:
        rows = uow.session.scalars(
            select(OutboxRow)
            .where(OutboxRow.published_at.is_(None))
            .order_by(OutboxRow.seq)
            .limit(settings.relay_batch_size)
            .with_for_update(skip_locked=True)
        ).all()
        if not rows:
            return 0
        envelopes = [EventEnvelope(r.event_id, r.name, r.occurred_at, r.payload) for r in rows]
        published = asyncio.run(_publish(settings, envelopes))
        uow.session.execute(
            update(OutboxRow).where(OutboxRow.event_id.in_(published)).values(published_at=uow.clock.now())
        )
        uow.commit()
        return len(published)


async def _publish(settings: BusSettings, envelopes: list[EventEnvelope]) -> list[str]:
    assert settings.nats_url is not None
    import nats  # noqa: PLC0415 - imported on use (see the imports)

    try:
        connection = await nats.connect(
            settings.nats_url, connect_timeout=settings.publish_timeout_s, max_reconnect_attempts=1
        )
    except Exception as error:
        raise UnavailableError(f"NATS at {settings.nats_url} is unreachable: {error}") from error
    published: list[str] = []
    try:
        stream = connection.jetstream(timeout=settings.publish_timeout_s)
        for domain in sorted({domain_of(e.name) for e in envelopes}):
            await ensure_stream(stream, settings, domain)
        for envelope in envelopes:
            await stream.publish(
                subject_for(settings, envelope.name),
                encode(envelope),
                headers={"Nats-Msg-Id": envelope.event_id},
            )
            published.append(envelope.event_id)
    except Exception:
        # What was acknowledged is marked; the rest goes out on the next pass.
        log.exception("outbox_relay_interrupted", published=len(published))
    finally:
        await connection.close()
    return published


async def ensure_stream(stream: nats.js.JetStreamContext, settings: BusSettings, domain: str) -> None:
    from nats.js.api import StreamConfig  # noqa: PLC0415 - imported on use (see the imports)
    from nats.js.errors import NotFoundError as StreamNotFound  # noqa: PLC0415

    name = stream_for(settings, domain)
    try:
        await stream.stream_info(name)
    except StreamNotFound:
        await stream.add_stream(StreamConfig(name=name, subjects=[f"{settings.subject_prefix}.{domain}.>"]))


def encode(envelope: EventEnvelope) -> bytes:
    return json.dumps(
        {
            "event_id": envelope.event_id,
            "name": envelope.name,
            "occurred_at": envelope.occurred_at.isoformat(),
            "payload": envelope.payload,
        },
        sort_keys=True,
    ).encode()


def decode(data: bytes) -> EventEnvelope:
    raw = json.loads(data)
    return EventEnvelope(raw["event_id"], raw["name"], datetime.fromisoformat(raw["occurred_at"]), raw["payload"])


async def consume(
    settings: BusSettings,
    *,
    domain: str,
    durable: str,
    handler: Callable[[EventEnvelope], None],
    max_messages: int,
    timeout_s: float = 2.0,
) -> int:
    """Pull up to `max_messages` from a durable consumer, hand each to `handler`, ack it.

    A handler that raises leaves its message unacknowledged: JetStream redelivers it.
    Handlers are idempotent by event id (`bus.consume_once`).
    """
    assert settings.nats_url is not None
    import nats  # noqa: PLC0415 - imported on use (see the imports)

    connection = await nats.connect(settings.nats_url, connect_timeout=settings.publish_timeout_s)
    handled = 0
    try:
        stream = connection.jetstream(timeout=settings.publish_timeout_s)
        await ensure_stream(stream, settings, domain)
        subscription = await stream.pull_subscribe(
            f"{settings.subject_prefix}.{domain}.>", durable=durable, stream=stream_for(settings, domain)
        )
        while handled < max_messages:
            try:
                messages = await subscription.fetch(min(100, max_messages - handled), timeout=timeout_s)
            except TimeoutError:
                break
            for message in messages:
                try:
                    handler(decode(message.data))
                except Exception:
                    log.exception("jetstream_handler_failed", durable=durable)
                    await message.nak()
                    continue
                await message.ack()
                handled += 1
    finally:
        await connection.close()
    return handled
