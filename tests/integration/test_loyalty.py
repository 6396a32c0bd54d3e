"""The bonus programme on real databases: points from the events lines and wallet publish,
once per event, tiers, expiry, take-backs, rewards on a line, and two redemptions of the
same points at once (one wins)."""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import threading
import uuid
from datetime import datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select, update

from tests.factories.identity import context, customer
from tests.factories.lines import connect
from tests.services import require_nats
from yagona.app.bootstrap import Container
from yagona.identity import service as identity
from yagona.identity.schemas import ServiceKind
from yagona.kernel.clock import SimulatedClock
from yagona.kernel.errors import YagonaError
from yagona.ledger import service as ledger
from yagona.lines import service as lines
from yagona.loyalty import handlers as loyalty_handlers
from yagona.loyalty import service as loyalty
from yagona.loyalty.schemas import LoyaltyState
from yagona.platform import jetstream
from yagona.platform.bus import EventBus, EventEnvelope
from yagona.platform.models import OutboxRow
from yagona.platform.settings import BusSettings, Settings
from yagona.platform.uow import UnitOfWork, unit_of_work_factory

PHONE = "998901000001"
_PHONES = itertools.count(3_000_000)  # a fresh member for each example


def _state(container: Container, phone: str = PHONE) -> LoyaltyState:
    with container.uow() as uow:
        return loyalty.state(uow, phone=phone)


def test_a_line_s_first_fee_earns_points_with_its_carry(container: Container) -> None:
    with container.uow() as uow:
        connect(uow, PHONE, plan="lider-start", deposit_som=100_000)
        uow.commit()
    fee = 0
    with container.uow() as uow:
        fee = ledger.posted_balance(uow, code=lines.account_of(PHONE))
    state = _state(container)
    spent = 100_000_00 - fee  # the first fee, in tiyin
    assert state.points == spent // 100_000
    assert state.carry_tiyin == spent % 100_000
    assert state.spend_90d_tiyin == spent
    assert [lot.points for lot in state.lots] == [state.points]


def test_an_event_delivered_twice_earns_once(container: Container) -> None:
    with container.uow() as uow:
        connect(uow, PHONE, plan="lider-start", deposit_som=100_000)
        uow.commit()
    before = _state(container).points
    with container.uow() as uow:
        rows = uow.session.scalars(select(OutboxRow).where(OutboxRow.name == "lines.line_charged")).all()
        assert len(rows) == 1
        again = EventEnvelope(rows[0].event_id, rows[0].name, rows[0].occurred_at, rows[0].payload)
    assert container.bus.dispatch(again)  # a redispatch after a crash, or JetStream's redelivery
    assert container.bus.dispatch(again)
    assert _state(container).points == before == 40


def test_a_take_back_goes_oldest_first_into_a_debt_that_later_points_repay(
    container: Container, clock: SimulatedClock
) -> None:
    phone = "998902000001"
    with container.uow() as uow:
        assert loyalty.earn(uow, phone=phone, spend_tiyin=30_000_00, at=clock.now(), reference="charge-1") == 30
        uow.commit()
    clock.advance_by(timedelta(days=1))
    with container.uow() as uow:
        assert loyalty.earn(uow, phone=phone, spend_tiyin=50_000_00, at=clock.now(), reference="charge-2") == 50
        uow.commit()
    with container.uow() as uow:
        loyalty.redeem(uow, phone=phone, reward="data-1gb", msisdn=_line(uow))  # 60: the 30, then 30 of the 50
        uow.commit()
    assert [lot.points for lot in _state(container, phone).lots] == [20]
    with container.uow() as uow:  # the 50 points of charge-2 are taken back: 20 held, 30 owed
        assert loyalty.take_back(uow, phone=phone, earned="charge-2", reference="refund-2") == 50
        uow.commit()
    with container.uow() as uow:  # a second delivery of the refund takes nothing more
        assert loyalty.take_back(uow, phone=phone, earned="charge-2", reference="refund-2") == 0
        uow.commit()
    state = _state(container, phone)
    assert (state.points, state.lots, state.spend_90d_tiyin) == (-30, [], 30_000_00)
    with container.uow() as uow:
        assert loyalty.earn(uow, phone=phone, spend_tiyin=45_000_00, at=clock.now(), reference="charge-3") == 45
        uow.commit()
    state = _state(container, phone)
    assert state.points == 15 and [lot.points for lot in state.lots] == [15]  # 30 repaid first


def test_an_adjustment_needs_a_reason_and_cannot_take_more_than_is_held(container: Container) -> None:
    phone = "998902000002"
    with container.uow() as uow, pytest.raises(YagonaError, match="reason"):
        loyalty.adjust(uow, phone=phone, points=10, reason="  ", staff="supervisor-1")
    with container.uow() as uow:
        done = loyalty.adjust(uow, phone=phone, points=25, reason="goodwill: outage 12 May", staff="supervisor-1")
        assert (done.points, done.balance) == (25, 25)
        uow.commit()
    with container.uow() as uow, pytest.raises(YagonaError) as refused:
        loyalty.adjust(uow, phone=phone, points=-26, reason="duplicate goodwill", staff="supervisor-1")
    assert refused.value.code == "insufficient_points"
    with container.uow() as uow:
        assert (
            loyalty.adjust(uow, phone=phone, points=-5, reason="duplicate goodwill", staff="supervisor-1").balance == 20
        )
        uow.commit()
    with container.uow() as uow:
        assert [(e.kind, e.points) for e in loyalty.history(uow, phone=phone)] == [("adjust", -5), ("adjust", 25)]


def test_a_refused_redemption_writes_nothing(container: Container, clock: SimulatedClock) -> None:
    phone = "998902000003"
    with container.uow() as uow:
        loyalty.earn(uow, phone=phone, spend_tiyin=100_000_00, at=clock.now(), reference="c")
        msisdn = _line(uow)
        lines.block(uow, msisdn=msisdn, reason="administrative")
        uow.commit()
    for reward, code in (("data-1gb", "line_blocked"), ("fee-discount-10", "insufficient_points"), ("x", "not_found")):
        with container.uow() as uow, pytest.raises(YagonaError) as refused:
            loyalty.redeem(uow, phone=phone, reward=reward, msisdn=msisdn)
        assert refused.value.code == code
    with container.uow() as uow:
        assert loyalty.state(uow, phone=phone).points == 100
        assert "bonus_mb" not in lines.state(uow, msisdn=msisdn).bundles
        assert [e.kind for e in loyalty.history(uow, phone=phone)] == ["earn"]


def test_two_redemptions_of_the_same_points_at_once_one_wins(container: Container, clock: SimulatedClock) -> None:
    phone = "998902000004"
    with container.uow() as uow:
        loyalty.earn(uow, phone=phone, spend_tiyin=70_000_00, at=clock.now(), reference="c")  # 70: one data-1gb
        msisdn = _line(uow)
        uow.commit()
    start = threading.Barrier(4)
    outcomes: list[str] = []

    def redeem() -> None:
        start.wait()
        try:
            with container.uow() as uow:
                loyalty.redeem(uow, phone=phone, reward="data-1gb", msisdn=msisdn)
                uow.commit()
            outcomes.append("ok")
        except YagonaError as error:
            outcomes.append(error.code)

    threads = [threading.Thread(target=redeem) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["insufficient_points"] * 3 + ["ok"]
    with container.uow() as uow:
        assert loyalty.state(uow, phone=phone).points == 10
        assert lines.state(uow, msisdn=msisdn).bundles["bonus_mb"] == 1024


def _line(uow: UnitOfWork) -> str:
    """A line for rewards (its own first fee earns for its own phone)."""
    msisdn = "998901999999"
    if not lines.exists(uow, msisdn):
        connect(uow, msisdn, plan="lider-start", deposit_som=1_000_000)
    return msisdn


def _expired(container: Container, clock: SimulatedClock, to: datetime) -> dict[str, int]:
    """Run the due jobs up to `to`, as the worker would; the points each phone lost."""
    lost: dict[str, int] = {}
    while (due := container.jobs.next_due_at()) is not None and due <= to:
        clock.advance_to(max(due, clock.now()))
        for outcome in container.jobs.run_due():
            assert outcome.ok, outcome.error
            for effect in outcome.effects:
                if effect.get("kind") == "points_expired":
                    lost[effect["phone"]] = lost.get(effect["phone"], 0) + effect["points"]
    clock.advance_to(max(to, clock.now()))
    return lost


OPERATIONS = st.lists(
    st.one_of(
        st.tuples(st.just("earn"), st.integers(min_value=1, max_value=300_000_00)),
        st.tuples(st.just("redeem"), st.sampled_from(["data-1gb", "minutes-100", "fee-discount-10"])),
        st.tuples(st.just("take_back"), st.integers(min_value=0, max_value=20)),
        st.tuples(st.just("advance"), st.integers(min_value=1, max_value=400)),
    ),
    max_size=12,
)


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(operations=OPERATIONS)
def test_the_balance_is_earned_less_redeemed_expired_and_taken_back(
    container: Container, clock: SimulatedClock, operations: list[tuple[str, object]]
) -> None:
    phone = f"99890{next(_PHONES):07d}"
    earned, redeemed, expired, taken = 0, 0, 0, 0
    earnings: list[str] = []
    for i, (op, arg) in enumerate(operations):
        with container.uow() as uow:
            try:
                if op == "earn":
                    reference = f"{phone}:{i}"
                    earned += loyalty.earn(uow, phone=phone, spend_tiyin=int(arg), at=clock.now(), reference=reference)  # type: ignore[call-overload]
                    earnings.append(reference)
                elif op == "redeem":
                    redeemed += loyalty.redeem(uow, phone=phone, reward=str(arg), msisdn=_line(uow)).points_spent
                elif op == "take_back" and earnings:
                    chosen = earnings[int(arg) % len(earnings)]  # type: ignore[call-overload]
                    taken += loyalty.take_back(uow, phone=phone, earned=chosen, reference=f"refund:{chosen}")
                uow.commit()
            except YagonaError as error:  # a refusal writes nothing: the balance still adds up
                assert error.code in {"insufficient_points", "line_blocked"}  # the line blocks once its money is gone
        if op == "advance":
            expired += _expired(container, clock, clock.now() + timedelta(days=int(arg))).get(phone, 0)  # type: ignore[call-overload]
    with container.uow() as uow:
        state = loyalty.state(uow, phone=phone)
        held = sum(lot.points for lot in state.lots)
        assert state.points == earned - redeemed - expired - taken
        if phone in loyalty.members(uow):
            assert ledger.posted_balance(uow, code=loyalty.account_of(phone)) == state.points
        assert all(lot.points > 0 for lot in state.lots)  # open lots only, none below zero
        assert held == max(state.points, 0)  # a debt only when no lot is open


def test_a_line_linked_to_a_profile_earns_into_the_profiles_phone(container: Container) -> None:
    second = "998901000077"
    with container.uow() as uow:
        holder = customer(uow, context(container.settings), PHONE)
        connect(uow, second, plan="lider-start", deposit_som=200_000)  # 40 points: its own, before the link
        uow.commit()
    with container.uow() as uow:
        identity.link_service(uow, customer_id=holder.id, kind=ServiceKind.MOBILE, reference=second)
        uow.commit()
    with container.uow() as uow:
        lines.reload(uow, msisdn=second)  # the next fee now, 35 000 so'm
        uow.commit()
    assert _state(container, PHONE).points == 35  # the profile's phone: one balance
    assert _state(container, second).points == 40  # what it earned before the link stays


@pytest.mark.nats
def test_charges_relayed_to_jetstream_earn_once(settings: Settings, container: Container) -> None:
    nats_url = require_nats()
    prefix = f"t{uuid.uuid4().hex[:10]}"
    bus = BusSettings(nats_url=nats_url, stream=prefix.upper(), subject_prefix=prefix)
    # A producer whose process does not run the loyalty consumer: its events go to the outbox only.
    producer = unit_of_work_factory(
        container.engine, clock=container.clock, bus=EventBus(), limits=settings.limits, publishes_externally=True
    )
    with producer() as uow:
        connect(uow, PHONE, plan="lider-start", deposit_som=100_000)
        uow.commit()
    assert _state(container).points == 0
    assert jetstream.relay_outbox(producer, bus) > 0
    handled = loyalty_handlers.consume_jetstream(container.uow, bus, max_messages=100, timeout_s=1.0)
    assert handled > 0 and _state(container).points == 40  # the first fee, from the stream
    with producer() as uow:  # a relay that died before marking sends again: still once
        uow.session.execute(update(OutboxRow).values(published_at=None))
        uow.commit()
    jetstream.relay_outbox(producer, bus)
    loyalty_handlers.consume_jetstream(container.uow, bus, max_messages=100, timeout_s=1.0)
    assert _state(container).points == 40
    asyncio.run(_delete_streams(bus))


async def _delete_streams(bus: BusSettings) -> None:
    import nats

    connection = await nats.connect(bus.nats_url)
    try:
        for domain in ("identity", "lines", "wallet", "ledger"):
            with contextlib.suppress(Exception):
                await connection.jetstream().delete_stream(jetstream.stream_for(bus, domain))
    finally:
        await connection.close()


def test_a_line_asks_for_its_summary_and_a_reward_as_the_ussd_menu_does(
    container: Container, clock: SimulatedClock
) -> None:
    """`summary` and `redeem_for_line` (the `*111#` menu): a line linked to a profile under
    another number reads and spends the profile's points; the reward lands on the line itself."""
    second = "998901000078"
    with container.uow() as uow:
        holder = customer(uow, context(container.settings), PHONE)
        connect(uow, second, plan="lider-start", deposit_som=200_000)  # 40 points: its own, before the link
        identity.link_service(uow, customer_id=holder.id, kind=ServiceKind.MOBILE, reference=second)
        loyalty.earn(uow, phone=PHONE, spend_tiyin=100_000_00, at=clock.now(), reference="c")  # 100 on the profile
        uow.commit()
    with container.uow() as uow:
        summary = loyalty.summary(uow, phone=second)
        assert (summary.phone, summary.points, summary.tier) == (PHONE, 100, "bronze")
        assert summary.expiring_points == 100 and summary.expiring_at is not None
        assert [r.id for r in summary.rewards] == ["minutes-100", "data-1gb", "fee-discount-10"]  # cheapest first
        for reward, code in (("fee-discount-10", "insufficient_points"), ("nothing", "not_found")):
            with pytest.raises(YagonaError) as refused:
                loyalty.redeem_for_line(uow, msisdn=second, reward=reward)
            assert refused.value.code == code
    with container.uow() as uow:
        done = loyalty.redeem_for_line(uow, msisdn=second, reward="minutes-100")
        uow.commit()
    assert (done.msisdn, done.points_spent, done.points) == (second, 50, 50)
    assert _state(container, PHONE).points == 50 and _state(container, second).points == 40
    with container.uow() as uow:
        assert lines.state(uow, msisdn=second).bundles["bonus_minutes"] == 100
