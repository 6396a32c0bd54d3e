"""`POST /api/v1/usage`'s groups (`lines.routes.staff.usage_group`) on real SQLite and
PostgreSQL: each record of a group keeps its own answer; a replay is charged once, in its
group or a later one; a record for an unknown line is refused alone; on PostgreSQL a
group whose charge the ledger refuses (its balances moved after they were read) writes
nothing and is rated again on the balances as they are, and a record a concurrent group
committed while this one waited for the line's lock is a replay."""

from __future__ import annotations

import hashlib
import json
import threading
import time
from typing import Any

import pytest
from sqlalchemy import func, select, text

from tests.factories.lines import connect
from yagona.app.bootstrap import Container
from yagona.kernel.errors import YagonaError
from yagona.ledger import service as ledger
from yagona.lines import service
from yagona.lines.models import Usage
from yagona.lines.routes.staff import UsageGroups, usage_group
from yagona.lines.schemas import UsageRecord, UsageResult
from yagona.platform.models import OutboxRow
from yagona.platform.settings import GroupCommitSettings

A, B = "998901000001", "998901000002"
ABROAD = "79161234567"  # 1 430 som a started minute on lider-start
MINUTE = 1_430_00


def _record(record_id: str, msisdn: str = A, **fields: Any) -> UsageRecord:
    fields = {"type": "voice", "to": ABROAD, "seconds": 30} | fields  # a call abroad unless told
    return service.parse_record({"id": record_id, "msisdn": msisdn} | fields)


def _group(container: Container, records: list[UsageRecord]) -> list[UsageResult | BaseException]:
    """One group, as the HTTP front hands it to the database (one transaction, committed)."""
    groups: UsageGroups = usage_group(container.uow, GroupCommitSettings())
    return groups.group.run_group(records)


def _codes(outcomes: list[UsageResult | BaseException]) -> list[str]:
    return [o.code if isinstance(o, YagonaError) else type(o).__name__ for o in outcomes]


def _usages(container: Container) -> list[tuple[str, int]]:
    with container.uow() as uow:
        return [(u.record_id, u.charged) for u in uow.session.scalars(select(Usage).order_by(Usage.id))]


def _balance(container: Container, msisdn: str = A) -> int:
    with container.uow() as uow:
        return service.state(uow, msisdn=msisdn).balance_tiyin


def test_a_replayed_record_answers_its_stored_result_and_is_charged_once(container: Container) -> None:
    with container.uow() as uow:
        connect(uow, plan="lider-start", deposit_som=140_000)  # 100 000 left
        uow.commit()
    first = _group(container, [_record("r1", seconds=90), _record("r2"), _record("r1", seconds=90)])
    second = _group(container, [_record("r1", seconds=90), _record("r3")])
    rated = [o for o in first + second if isinstance(o, UsageResult)]
    assert len(rated) == 5, _codes(first + second)
    assert [(r.record_id, r.charged_tiyin) for r in rated] == [
        ("r1", 2 * MINUTE), ("r2", MINUTE), ("r1", 2 * MINUTE), ("r1", 2 * MINUTE), ("r3", MINUTE),
    ]  # fmt: skip
    assert _usages(container) == [("r1", 2 * MINUTE), ("r2", MINUTE), ("r3", MINUTE)]
    assert _balance(container) == 100_000_00 - 4 * MINUTE
    # a replay answers the stored charge and the balance at its place in its group
    assert second[0].balance_tiyin == 100_000_00 - 3 * MINUTE  # type: ignore[union-attr]
    conflict = _group(container, [_record("r2", seconds=61)])  # the same id, other details
    assert _codes(conflict) == ["idempotency_conflict"]


def test_a_groups_draws_from_bundles_leave_each_bundle_what_is_left(container: Container) -> None:
    """Calls in Uzbekistan and SMS of two lines, in one group, come out of their bundles:
    each bundle is left what it had less what its line used, nothing charged."""
    with container.uow() as uow:
        connect(uow, A, plan="lider-start", deposit_som=140_000)
        connect(uow, B, plan="lider-start", deposit_som=140_000)
        uow.commit()
    home, sms = {"to": "998931234567"}, {"type": "sms", "to": "998941112233", "seconds": None}
    outcomes = _group(
        container,
        [_record("u1", A, seconds=61, **home), _record("u2", B, **sms), _record("u3", A, seconds=30, **home),
         _record("u4", A, **sms)],
    )  # fmt: skip
    assert [(o.from_bundle, o.charged_tiyin) for o in outcomes if isinstance(o, UsageResult)] == [
        (2, 0), (1, 0), (1, 0), (1, 0),
    ], _codes(outcomes)  # fmt: skip
    with container.uow() as uow:
        left = {m: service.state(uow, msisdn=m).bundles for m in (A, B)}
    # the welcome minutes go first (they end first), the plan's 3 000 stay whole
    assert (left[A]["welcome_minutes"], left[A]["minutes"], left[A]["sms"]) == (500 - 3, 3_000, 500 - 1)
    assert (left[B]["welcome_minutes"], left[B]["minutes"], left[B]["sms"]) == (500, 3_000, 500 - 1)


def test_a_record_for_an_unknown_line_is_refused_and_its_neighbours_rated(container: Container) -> None:
    with container.uow() as uow:
        connect(uow, A, plan="lider-start", deposit_som=140_000)
        connect(uow, B, plan="lider-start", deposit_som=140_000)
        uow.commit()
    outcomes = _group(container, [_record("a1"), _record("x1", "998901999999"), _record("b1", B)])
    assert _codes(outcomes) == ["UsageResult", "not_found", "UsageResult"]
    assert _usages(container) == [("a1", MINUTE), ("b1", MINUTE)]
    assert (_balance(container, A), _balance(container, B)) == (100_000_00 - MINUTE, 100_000_00 - MINUTE)


def test_a_groups_events_are_written_in_the_order_rated_as_their_payloads(container: Container) -> None:
    with container.uow() as uow:
        connect(uow, A, plan="lider-start", deposit_som=140_000)
        connect(uow, B, plan="lider-start", deposit_som=140_000)
        uow.commit()
        start = uow.session.scalar(select(func.coalesce(func.max(OutboxRow.seq), 0)))
    _group(
        container, [_record("e1", B), _record("e2", A, type="sms", to="998941112233", seconds=None), _record("e3", A)]
    )
    with container.uow() as uow:
        rows = uow.session.execute(
            select(OutboxRow.name, OutboxRow.payload, OutboxRow.occurred_at, OutboxRow.dispatched_at)
            .where(OutboxRow.seq > start)
            .order_by(OutboxRow.seq)
        ).all()
        raw = uow.session.execute(
            text("SELECT CAST(payload AS text) FROM platform_outbox WHERE seq > :start ORDER BY seq"), {"start": start}
        ).scalars()
        stored = list(raw)
    rated = [(r.payload["msisdn"], r.payload["kind"]) for r in rows if r.name == "lines.usage_rated"]
    assert rated == [(B, "voice"), (A, "sms"), (A, "voice")]
    # the payload's text is what SQLAlchemy's JSON type writes (json.dumps), on either path
    assert stored == [json.dumps(r.payload) for r in rows]
    assert all(r.occurred_at.utcoffset() is not None for r in rows)


@pytest.mark.postgres
@pytest.mark.parametrize("database_url", ["postgres"], indirect=True)
def test_a_group_whose_charge_the_ledger_refuses_writes_nothing_and_is_rated_again(container: Container) -> None:
    """The group reads A's balance (100 000) without the ledger's lock; a transfer out of A
    commits before the group's posting takes it, leaving 2 000. A's account may not go
    negative, so the ledger refuses the group's 4 290 in charges: nothing of the group is
    written, and its records are rated again on the 2 000 — each answered as it would be
    alone, in order. (Lines open their accounts allowing a negative balance — the rules keep
    it — so the ledger refuses a charge only where an account says otherwise, as here.)"""
    with container.uow() as uow:
        connect(uow, A, plan="lider-start", deposit_som=140_000)
        connect(uow, B, plan="lider-start", deposit_som=140_000)
        uow.session.execute(
            text("UPDATE ledger_account SET allow_negative = false WHERE code = :c"), {"c": f"line:{A}"}
        )
        uow.commit()
    holding, release = threading.Event(), threading.Event()

    def transfer_out() -> None:  # holds A's balance row until released, then commits
        with container.uow() as uow:
            ledger.transfer(
                uow, debit=f"line:{A}", credit=f"line:{B}", amount=98_000_00, reason="test", idempotency_key="out"
            )
            holding.set()
            release.wait(30)
            uow.commit()

    outcomes: list[UsageResult | BaseException] = []
    records = [
        _record("g1", seconds=90),  # 2 minutes: 2 860 som
        _record("g2"),  # 1 430 som
        _record("g3", type="incoming", to=None, **{"from": "998931234567"}),  # free
    ]
    mover = threading.Thread(target=transfer_out)
    mover.start()
    assert holding.wait(30)
    rater = threading.Thread(target=lambda: outcomes.extend(_group(container, records)))
    rater.start()
    _wait_for_a_lock_wait(container)  # the group, on A's balance row, in its posting
    release.set()
    mover.join(30)
    rater.join(30)
    assert _codes(outcomes) == ["UsageResult", "insufficient_funds", "UsageResult"], outcomes
    cut, free = outcomes[0], outcomes[2]
    assert isinstance(cut, UsageResult) and isinstance(free, UsageResult)
    assert (cut.units, cut.charged_tiyin, cut.cut, cut.balance_tiyin) == (1, MINUTE, True, 2_000_00 - MINUTE)
    assert (free.charged_tiyin, free.balance_tiyin) == (0, 2_000_00 - MINUTE)
    assert _usages(container) == [("g1", MINUTE), ("g3", 0)]
    assert _balance(container) == 2_000_00 - MINUTE


@pytest.mark.postgres
@pytest.mark.parametrize("database_url", ["postgres"], indirect=True)
def test_a_record_a_concurrent_group_committed_while_this_one_waited_is_a_replay(container: Container) -> None:
    """Two groups carry record r1 of line A (mediation sent it twice, to both API servers).
    The first holds A's lock until released; the second waits for it, then reads what the
    first committed: its r1 is a replay, answered with the first's charge, and its r2 rated —
    not a duplicate-key failure of the whole group."""
    with container.uow() as uow:
        connect(uow, A, plan="lider-start", deposit_som=140_000)
        uow.commit()
    holding, release = threading.Event(), threading.Event()

    def first_group() -> None:  # rates r1, holds the line's lock until released, commits
        with container.uow() as uow:
            service.rate_usages(uow, records=[_record("r1", seconds=90)])
            holding.set()
            release.wait(30)
            uow.commit()

    outcomes: list[UsageResult | BaseException] = []

    def second_group() -> None:  # straight through the service: no group-commit retry alone
        with container.uow() as uow:
            try:
                outcomes.extend(service.rate_usages(uow, records=[_record("r1", seconds=90), _record("r2")]))
                uow.commit()
            except Exception as error:  # what the assertion shows
                outcomes.append(error)

    first = threading.Thread(target=first_group)
    first.start()
    assert holding.wait(30)
    second = threading.Thread(target=second_group)
    second.start()
    _wait_for_a_lock_wait(container)  # the second group, on A's line
    release.set()
    first.join(30)
    second.join(30)
    assert _codes(outcomes) == ["UsageResult", "UsageResult"], outcomes
    assert [o.charged_tiyin for o in outcomes if isinstance(o, UsageResult)] == [2 * MINUTE, MINUTE]
    assert _usages(container) == [("r1", 2 * MINUTE), ("r2", MINUTE)]
    assert _balance(container) == 100_000_00 - 3 * MINUTE


def _wait_for_a_lock_wait(container: Container) -> None:
    """Until a session of this database waits on a lock (its statement is not named: in a
    pipeline, pg_stat_activity may show an earlier statement of the same round trip)."""
    deadline = time.monotonic() + 30
    with container.engine.connect() as admin:
        while time.monotonic() < deadline:
            waiting = admin.execute(
                text(
                    "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                    "AND wait_event_type = 'Lock'"
                )
            ).scalar_one()
            # pg_stat_activity is read once a transaction: each look ends it, or a first look
            # taken before the group waits would be all the loop ever sees (on a slow machine)
            admin.rollback()
            if waiting:
                return
            time.sleep(0.01)
    raise AssertionError("no session waited on a lock")


def test_a_group_whose_posting_the_ledger_refuses_for_good_writes_nothing(container: Container) -> None:
    """The group's posting key (its records' ids) was taken by another request: the ledger
    refuses it as a conflict, rating again cannot help, and every record of the group is
    answered with that refusal (as `ledger.post` raises it); nothing of the group is written."""
    with container.uow() as uow:
        connect(uow, A, plan="lider-start", deposit_som=140_000)
        connect(uow, B, plan="lider-start", deposit_som=140_000)
        uow.commit()
    key = "lines.usage:" + hashlib.sha256(b"k1|k2").hexdigest()
    with container.uow() as uow:
        ledger.transfer(uow, debit=f"line:{B}", credit=f"line:{A}", amount=1, reason="test", idempotency_key=key)
        uow.commit()
    before = _balance(container)
    outcomes = _group(container, [_record("k1"), _record("k2", type="incoming", to=None, **{"from": "998931234567"})])
    assert _codes(outcomes) == ["idempotency_conflict", "idempotency_conflict"]
    assert _usages(container) == []
    assert _balance(container) == before
