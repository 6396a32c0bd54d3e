"""Deferred consumers: the charge commits without its accrual, the drain hands the outbox to
the consumer in order behind its cursor, a batch per unit of work; a failing event stops the
batch and is handed again (never skipped); a redelivery earns once; on PostgreSQL a seq still
in flight holds the drain until its transaction ends."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

import pytest
from sqlalchemy import Engine, event, select, update

from tests.factories.ledger import open_account
from tests.factories.lines import connect
from yagona.app import worker
from yagona.app.bootstrap import Container, bootstrap
from yagona.kernel.clock import SimulatedClock
from yagona.lines import service as lines
from yagona.lines.schemas import UsageRecord
from yagona.loyalty import service as loyalty
from yagona.platform.bus import EventEnvelope, consume_once
from yagona.platform.models import ConsumedEvent, ConsumerCursor, OutboxRow
from yagona.platform.outbox import drain_deferred
from yagona.platform.settings import Settings
from yagona.platform.uow import UnitOfWork

PHONE = "998901000001"


@pytest.fixture
def deferring(database_url: str, engine: Engine, clock: SimulatedClock) -> Container:
    """The platform as production wires it: loyalty deferred to the drain."""
    settings = Settings(env="test", database={"url": database_url}, bus={"defer": True})  # type: ignore[arg-type]
    return bootstrap(settings, clock=clock, engine=engine, configure_logs=False)


def _points(container: Container) -> int:
    with container.uow() as uow:
        return loyalty.state(uow, phone=PHONE).points


def test_a_charge_commits_without_its_accrual_and_the_drain_earns_it_once(deferring: Container) -> None:
    with deferring.uow() as uow:
        connect(uow, PHONE, plan="lider-start", deposit_som=100_000)
        uow.commit()
    with deferring.uow() as uow:  # a use the bundle covers charges nothing: the programme does not want it
        lines.rate_usage(uow, record=UsageRecord(id="u1", msisdn=PHONE, type="data", mb=Decimal("1.5")))
        uow.commit()
    assert _points(deferring) == 0  # the request did not wait for the programme
    assert worker.run_pass(deferring).drained >= 2  # the line connected (a kind seen), its first fee…
    assert _points(deferring) == 40
    assert worker.drain(deferring) == 0  # caught up
    with deferring.uow() as uow:  # the cursor lost (a restore): every event is handed again…
        uow.session.execute(update(ConsumerCursor).where(ConsumerCursor.consumer == "loyalty").values(last_seq=0))
        uow.commit()
    assert worker.drain(deferring) == 2  # …to the programme, which wants those two
    assert _points(deferring) == 40  # …and earns nothing twice


def _open_accounts(container: Container, *codes: str) -> None:
    """Accounts opened in one commit: a `ledger.account_opened` row each in the outbox."""
    with container.uow() as uow:
        for code in codes:
            open_account(uow, code)
        uow.commit()


def _marked(container: Container) -> set[str]:
    """The events the consumer's committed units of work marked as handled."""
    with container.uow() as uow:
        ids = set(uow.session.scalars(select(ConsumedEvent.event_id).where(ConsumedEvent.consumer == "audit_copy")))
        rows = uow.session.scalars(select(OutboxRow).where(OutboxRow.event_id.in_(ids)))
        return {row.payload["code"] for row in rows}


def test_a_failing_event_stops_the_batch_and_is_handed_again_in_order(deferring: Container) -> None:
    seen: list[str] = []
    failures = iter([True])

    def consumer(uow: UnitOfWork, envelope: EventEnvelope) -> None:
        if not consume_once(uow.session, consumer="audit_copy", event_id=envelope.event_id, now=uow.clock.now()):
            return
        code = envelope.payload["code"]
        if code == "wallet:b" and next(failures, False):
            raise RuntimeError("the copy's store is down")
        seen.append(code)

    deferring.bus.subscribe_deferred(["ledger.account_opened"], "audit_copy", consumer, deferring.uow)
    _open_accounts(deferring, "wallet:a", "wallet:b", "wallet:c")
    drain = {"batch": 100, "gap_grace_s": 10.0}
    assert drain_deferred(deferring.uow, deferring.bus, **drain) == 1  # a, then b failed: the batch stopped
    assert _marked(deferring) == {"wallet:a"}  # what came before the failure committed
    with deferring.uow() as uow:
        cursor = uow.session.get(ConsumerCursor, "audit_copy")
        failing = uow.session.scalars(select(OutboxRow.seq).where(OutboxRow.payload["code"].as_string() == "wallet:b"))
        assert cursor is not None and cursor.last_seq == failing.one() - 1  # not skipped
    assert drain_deferred(deferring.uow, deferring.bus, **drain) == 2
    assert _marked(deferring) == {"wallet:a", "wallet:b", "wallet:c"}
    assert list(dict.fromkeys(seen)) == ["wallet:a", "wallet:b", "wallet:c"]  # outbox order
    assert drain_deferred(deferring.uow, deferring.bus, **drain) == 0


@pytest.mark.postgres
@pytest.mark.parametrize("database_url", ["postgres"], indirect=True)
def test_a_seq_in_flight_holds_the_drain_until_its_transaction_ends(deferring: Container) -> None:
    seen: list[str] = []

    def consumer(uow: UnitOfWork, envelope: EventEnvelope) -> None:
        if consume_once(uow.session, consumer="audit_copy", event_id=envelope.event_id, now=uow.clock.now()):
            seen.append(envelope.payload["code"])

    deferring.bus.subscribe_deferred(["ledger.account_opened"], "audit_copy", consumer, deferring.uow)
    drain = {"batch": 100, "gap_grace_s": 3600.0}
    with deferring.uow() as rolled_back:  # a seq taken, then given up: a gap for good
        open_account(rolled_back, "wallet:gone")
        rolled_back.session.flush()
    slow = deferring.uow()
    open_account(slow, "wallet:slow")
    slow.session.flush()  # its seq is taken; the row shows at commit
    with deferring.uow() as uow:
        open_account(uow, "wallet:fast")
        uow.commit()
    assert drain_deferred(deferring.uow, deferring.bus, **drain) == 0  # wallet:slow may still come
    slow.commit()
    slow.session.close()
    assert drain_deferred(deferring.uow, deferring.bus, **drain) == 2
    assert seen == ["wallet:slow", "wallet:fast"]


def _recorder(seen: list[str], name: str) -> Callable[[UnitOfWork, EventEnvelope], None]:
    def consumer(uow: UnitOfWork, envelope: EventEnvelope) -> None:
        if consume_once(uow.session, consumer=name, event_id=envelope.event_id, now=uow.clock.now()):
            seen.append(f"{name} {envelope.payload['code']}")

    return consumer


def test_a_drain_hands_every_consumer_its_rows_in_one_transaction(deferring: Container, engine: Engine) -> None:
    seen: list[str] = []
    for name in ("audit_a", "audit_b"):
        deferring.bus.subscribe_deferred(["ledger.account_opened"], name, _recorder(seen, name), deferring.uow)
    _open_accounts(deferring, "wallet:a", "wallet:b")
    commits: list[object] = []

    def committed(connection: object) -> None:
        commits.append(connection)

    event.listen(engine, "commit", committed)
    try:
        assert drain_deferred(deferring.uow, deferring.bus, batch=100, gap_grace_s=10.0) == 4
    finally:
        event.remove(engine, "commit", committed)
    assert len(commits) == 1  # not one per consumer moved past the rows
    assert seen == ["audit_a wallet:a", "audit_a wallet:b", "audit_b wallet:a", "audit_b wallet:b"]


def test_an_event_a_handler_writes_reaches_the_consumers_after_it_in_the_same_drain(deferring: Container) -> None:
    seen: list[str] = []

    def copier(uow: UnitOfWork, envelope: EventEnvelope) -> None:  # its copy's event is written in the drain
        code = envelope.payload["code"]
        if consume_once(uow.session, consumer="audit_a", event_id=envelope.event_id, now=uow.clock.now()):
            seen.append(f"audit_a {code}")
            if not code.endswith("-copy"):
                open_account(uow, f"{code}-copy")

    deferring.bus.subscribe_deferred(["ledger.account_opened"], "audit_a", copier, deferring.uow)
    deferring.bus.subscribe_deferred(["ledger.account_opened"], "audit_b", _recorder(seen, "audit_b"), deferring.uow)
    with deferring.uow() as uow:
        open_account(uow, "wallet:a")
        uow.commit()
    drain_deferred(deferring.uow, deferring.bus, batch=100, gap_grace_s=10.0)
    assert seen == ["audit_a wallet:a", "audit_b wallet:a", "audit_b wallet:a-copy"]  # as when each committed apart
    drain_deferred(deferring.uow, deferring.bus, batch=100, gap_grace_s=10.0)  # the copy's turn comes round
    assert seen[3:] == ["audit_a wallet:a-copy"]


def test_a_later_consumers_failure_keeps_what_the_earlier_ones_did(deferring: Container) -> None:
    seen: list[str] = []
    failures = iter([True])

    def failing(uow: UnitOfWork, envelope: EventEnvelope) -> None:
        if envelope.payload["code"] == "wallet:b" and next(failures, False):
            raise RuntimeError("the copy's store is down")
        _recorder(seen, "audit_b")(uow, envelope)

    deferring.bus.subscribe_deferred(["ledger.account_opened"], "audit_a", _recorder(seen, "audit_a"), deferring.uow)
    deferring.bus.subscribe_deferred(["ledger.account_opened"], "audit_b", failing, deferring.uow)
    _open_accounts(deferring, "wallet:a", "wallet:b", "wallet:c")
    drain = {"batch": 100, "gap_grace_s": 10.0}
    assert drain_deferred(deferring.uow, deferring.bus, **drain) == 4  # audit_a's three, audit_b's first
    with deferring.uow() as uow:
        marked = uow.session.scalars(select(ConsumedEvent.consumer).order_by(ConsumedEvent.consumer))
        assert [c for c in marked if c.startswith("audit")] == ["audit_a"] * 3 + ["audit_b"]
    assert drain_deferred(deferring.uow, deferring.bus, **drain) == 2  # audit_b's two, handed again
    assert sorted(dict.fromkeys(seen)) == [f"audit_{c} wallet:{w}" for c in "ab" for w in "abc"]
