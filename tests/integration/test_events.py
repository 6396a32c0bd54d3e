"""The transactional outbox: in-process after commit, redispatch after a crash, and the
relay to the real NATS JetStream server."""

from __future__ import annotations

import asyncio
import uuid
from dataclasses import dataclass
from datetime import timedelta
from typing import ClassVar

import pytest
from sqlalchemy import select, update

from tests.factories.ledger import open_account
from tests.services import require_nats
from yagona.app.bootstrap import Container, bootstrap
from yagona.kernel.clock import SimulatedClock
from yagona.kernel.events import DomainEvent
from yagona.ledger.events import AccountOpened
from yagona.platform import jetstream
from yagona.platform.bus import EventEnvelope, consume_once
from yagona.platform.models import ConsumedEvent, OutboxRow
from yagona.platform.outbox import redispatch_stale
from yagona.platform.settings import BusSettings, Settings


def test_a_failed_consumer_gets_the_event_again_and_acts_once(container: Container, clock: SimulatedClock) -> None:
    effects: list[str] = []
    failures = iter([True, False, False])

    def consumer(envelope: EventEnvelope) -> None:
        with container.uow() as uow:
            if not consume_once(uow.session, consumer="welcome_sms", event_id=envelope.event_id, now=uow.clock.now()):
                return
            if next(failures):
                raise RuntimeError("sms gateway down")
            effects.append(envelope.payload["code"])
            uow.commit()

    container.bus.subscribe("ledger.account_opened", "welcome_sms", consumer)
    with container.uow() as uow:
        open_account(uow, "wallet:alice")
        uow.commit()
    assert effects == []  # the first delivery failed, the row waits
    bus_settings = container.settings.bus
    assert redispatch_stale(container.uow, container.bus, older_than_s=bus_settings.redispatch_after_s, limit=10) == 0
    clock.advance_by(timedelta(seconds=bus_settings.redispatch_after_s + 1))
    assert redispatch_stale(container.uow, container.bus, older_than_s=bus_settings.redispatch_after_s, limit=10) == 1
    assert effects == ["wallet:alice"]
    # At least once: even a third delivery is absorbed by consume_once.
    with container.uow() as uow:
        uow.session.execute(update(OutboxRow).values(dispatched_at=None))
        uow.commit()
    redispatch_stale(container.uow, container.bus, older_than_s=0, limit=10)
    assert effects == ["wallet:alice"]
    with container.uow() as uow:
        assert len(uow.session.scalars(select(ConsumedEvent)).all()) == 1


@pytest.mark.nats
def test_the_outbox_reaches_jetstream_once_per_event(settings: Settings, container: Container) -> None:
    nats_url = require_nats()
    prefix = f"t{uuid.uuid4().hex[:10]}"
    bus = BusSettings(nats_url=nats_url, stream=prefix.upper(), subject_prefix=prefix)
    publishing = bootstrap(
        settings.model_copy(update={"bus": bus}), clock=container.clock, engine=container.engine, configure_logs=False
    )
    with publishing.uow() as uow:
        for code in ("wallet:a", "wallet:b", "wallet:c"):
            open_account(uow, code)
        uow.commit()
    assert jetstream.relay_outbox(publishing.uow, bus) == 3
    assert jetstream.relay_outbox(publishing.uow, bus) == 0  # marked: not sent again
    # A relay that died before marking sends again; JetStream drops the repeat by event id.
    with publishing.uow() as uow:
        uow.session.execute(update(OutboxRow).values(published_at=None))
        uow.commit()
    assert jetstream.relay_outbox(publishing.uow, bus) == 3

    received: list[EventEnvelope] = []
    handled = asyncio.run(
        jetstream.consume(bus, domain="ledger", durable="test", handler=received.append, max_messages=10, timeout_s=1.0)
    )
    assert handled == 3
    assert sorted(e.payload["code"] for e in received) == ["wallet:a", "wallet:b", "wallet:c"]
    asyncio.run(_delete_stream(bus))


def test_an_unreachable_nats_leaves_the_outbox_unpublished(settings: Settings, container: Container) -> None:
    bus = BusSettings(nats_url="nats://127.0.0.1:1", publish_timeout_s=0.5)
    publishing = bootstrap(
        settings.model_copy(update={"bus": bus}), clock=container.clock, engine=container.engine, configure_logs=False
    )
    with publishing.uow() as uow:
        open_account(uow, "wallet:a")
        uow.commit()
    with pytest.raises(Exception, match="unreachable"):
        jetstream.relay_outbox(publishing.uow, bus)
    with container.uow() as uow:
        assert uow.session.scalars(select(OutboxRow.published_at)).all() == [None]


def test_an_event_nobody_consumes_leaves_no_row(container: Container) -> None:
    with container.uow() as uow:
        open_account(uow, "wallet:a")
        uow.commit()
    with container.uow() as uow:
        assert uow.session.scalars(select(OutboxRow)).all() == []


def test_an_event_the_bus_keeps_for_a_reader_of_the_table_leaves_its_row(container: Container) -> None:
    """The analytics export reads the outbox table by its own cursor: an event it exports keeps
    its row though no consumer runs for it (and nothing else does)."""
    with container.uow() as uow:
        open_account(uow, "wallet:a")
        uow.commit()
    container.bus.keep_rows(["ledger.account_opened"])
    with container.uow() as uow:
        open_account(uow, "wallet:b")
        uow.commit()
    with container.uow() as uow:
        rows = [(r.name, r.payload.get("code")) for r in uow.session.scalars(select(OutboxRow).order_by(OutboxRow.seq))]
    assert rows == [("ledger.account_opened", "wallet:b")]


async def _delete_stream(bus: BusSettings) -> None:
    import nats

    connection = await nats.connect(bus.nats_url)
    try:
        await connection.jetstream().delete_stream(jetstream.stream_for(bus, "ledger"))
    finally:
        await connection.close()


def test_events_added_at_once_are_written_and_delivered_as_one_by_one(container: Container) -> None:
    """`add_events` (one Core statement for many rows) writes what `add_event` writes, skips
    what nobody reads, delivers after commit, keeps the order of the events, and its rows
    are undone with the savepoint they were written in."""
    delivered: list[str] = []
    container.bus.subscribe("ledger.account_opened", "test", lambda e: delivered.append(e.payload["code"]))

    def opened(code: str) -> AccountOpened:
        return AccountOpened(occurred_at=container.clock.now(), code=code, owner="o", kind="asset", unit="som")

    with container.uow() as uow:
        uow.add_event(opened("one"))
        uow.add_events([opened("a"), opened("b")])
        uow.add_events([UnreadEvent(occurred_at=container.clock.now())])  # nobody reads it: no row
        savepoint = uow.session.begin_nested()
        uow.add_events([opened("undone")])
        savepoint.rollback()
        assert delivered == []  # not before the commit
        uow.commit()
    with container.uow() as uow:
        rows = [
            (r.name, r.payload, r.dispatched_at is not None)
            for r in uow.session.scalars(select(OutboxRow).order_by(OutboxRow.seq))
        ]
    assert rows == [
        ("ledger.account_opened", {"code": code, "owner": "o", "kind": "asset", "unit": "som"}, True)
        for code in ("one", "a", "b")
    ]
    assert {"one", "a", "b"} <= set(delivered)


@dataclass(frozen=True, kw_only=True)
class UnreadEvent(DomainEvent):
    name: ClassVar[str] = "test.unread"
