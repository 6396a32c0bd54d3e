"""Mobile lines through their service on real SQLite and PostgreSQL."""

from __future__ import annotations

import threading
from datetime import timedelta
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from tests.factories.lines import connect
from yagona.app.bootstrap import Container
from yagona.kernel.clock import SimulatedClock
from yagona.kernel.errors import YagonaError
from yagona.kernel.money import Money
from yagona.ledger import service as ledger
from yagona.lines import service
from yagona.lines.models import Usage

MSISDN = "998901000001"


def test_a_repeated_usage_record_is_charged_once(container: Container) -> None:
    with container.uow() as uow:
        connect(uow, deposit_som=100_000)
        first = service.call(uow, msisdn=MSISDN, to="79161234567", seconds=90, record_id="cdr-1")
        uow.commit()
    with container.uow() as uow:
        again = service.call(uow, msisdn=MSISDN, to="79161234567", seconds=90, record_id="cdr-1")
        uow.commit()
    assert (first.charged_tiyin, again.charged_tiyin) == (2 * 1_430_00, 2 * 1_430_00)
    assert again.balance_tiyin == first.balance_tiyin == 60_000_00 - 2 * 1_430_00
    with container.uow() as uow, pytest.raises(YagonaError) as caught:
        service.call(uow, msisdn=MSISDN, to="79161234567", seconds=91, record_id="cdr-1")
    assert caught.value.code == "idempotency_conflict"


def test_an_unlimited_plan_has_a_45000_minute_cap_then_the_per_minute_price(container: Container) -> None:
    with container.uow() as uow:
        connect(uow, plan="lider-pro", deposit_som=200_000)  # first fee 90 000 → 110 000
        uow.commit()
    with container.uow() as uow:
        # 758 calls of 60 minutes: the 500 welcome minutes, then 44 980 of the cap.
        for n in range(758):
            result = service.call(uow, msisdn=MSISDN, to="998931234567", seconds=3600, record_id=f"cap-{n}")
            assert result.charged_tiyin == 0
        uow.commit()
    with container.uow() as uow:
        assert service.state(uow, msisdn=MSISDN).bundles == {
            "minutes": 20,
            "sms": 2500,
            "mb": 35840,
            "welcome_mb": 500,
            "welcome_minutes": 0,
        }
        crossing = service.call(uow, msisdn=MSISDN, to="998931234567", seconds=3600, record_id="cap-cross")
        past_cap = service.call(uow, msisdn=MSISDN, to="998931234567", seconds=61, record_id="cap-over")
        uow.commit()
    assert (crossing.from_bundle, crossing.charged_tiyin) == (20, 40 * 100_00)
    assert (past_cap.from_bundle, past_cap.charged_tiyin) == (0, 2 * 100_00)


def test_parallel_charges_on_one_line_never_lose_an_update(container: Container) -> None:
    with container.uow() as uow:
        connect(uow, plan="lider-start", deposit_som=140_000)  # 100 000 left
        uow.commit()
    errors: list[BaseException] = []

    def caller(worker: int) -> None:
        for n in range(10):
            try:
                with container.uow() as uow:
                    service.call(uow, msisdn=MSISDN, to="79161234567", seconds=30, record_id=f"p-{worker}-{n}")
                    uow.commit()
            except BaseException as error:
                errors.append(error)

    threads = [threading.Thread(target=caller, args=(w,)) for w in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    with container.uow() as uow:
        assert service.state(uow, msisdn=MSISDN).balance_tiyin == 100_000_00 - 60 * 1_430_00


def test_the_renewal_job_runs_once_even_when_asked_twice(container: Container, clock: SimulatedClock) -> None:
    with container.uow() as uow:
        connect(uow, deposit_som=120_000)  # 80 000
        uow.commit()
    clock.advance_by(timedelta(days=32))
    first = container.jobs.run_due()
    second = container.jobs.run_due()
    assert [o.effects for o in first if o.job.kind == service.RENEWAL] == [
        [{"msisdn": MSISDN, "kind": "renewal", "amount": 35_000}]
    ]
    assert second == []
    with container.uow() as uow:
        assert service.state(uow, msisdn=MSISDN).balance_tiyin == 45_000_00


def test_a_refused_connection_writes_nothing(container: Container) -> None:
    with container.uow() as uow, pytest.raises(YagonaError) as caught:
        service.connect(uow, msisdn=MSISDN, plan_id="lider-start", deposit=Money.of_som(39_999))
    assert caught.value.code == "below_minimum"
    with container.uow() as uow:
        assert service.list_msisdns(uow) == []
        assert uow.session.scalar(select(func.count()).select_from(Usage)) == 0


def test_a_line_is_a_ledger_account_and_charges_are_revenue(container: Container) -> None:
    with container.uow() as uow:
        connect(uow, deposit_som=50_000)
        # 10 740 MB of bundle; of the 260 MB beyond it the 10 000 so'm balance pays 100 MB.
        session = service.data(uow, msisdn=MSISDN, mb=Decimal("11000"), tasix=False, record_id="d-1")
        uow.commit()
        line = ledger.get_account(uow, code=service.account_of(MSISDN))
        revenue = ledger.get_account(uow, code=service.REVENUE)
    assert (session.units, session.from_bundle, session.charged_tiyin, session.cut) == (10_840, 10_740, 10_000_00, True)
    assert line.balance == 0
    assert revenue.balance == 50_000_00  # the first fee and the data


@pytest.mark.slow
@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)
@given(
    uses=st.lists(
        st.tuples(st.sampled_from(["call", "sms", "data", "intl"]), st.integers(1, 4000)), min_size=1, max_size=25
    ),
    replay=st.booleans(),
)
def test_the_sum_of_charges_equals_the_revenue_and_nothing_is_charged_twice(
    container: Container, uses: list[tuple[str, int]], replay: bool
) -> None:
    """Whatever the customer does, the operator's revenue equals the fees plus the charges
    reported to the customer, and a repeated record adds nothing."""
    with container.uow() as uow:
        msisdn = f"99890{len(service.list_msisdns(uow)) + 1000000:07d}"
        before = ledger.get_account(uow, code=service.REVENUE).balance if service.list_msisdns(uow) else 0
        connect(uow, msisdn=msisdn, plan="lider-start", deposit_som=60_000)
        uow.commit()
    charged = 40_000_00
    for n, (kind, size) in enumerate(uses):
        record = f"{msisdn}-{n}"
        for _ in range(2 if replay else 1):
            try:
                with container.uow() as uow:
                    if kind == "call":
                        result = service.call(uow, msisdn=msisdn, to="998931234567", seconds=size, record_id=record)
                    elif kind == "intl":
                        result = service.call(uow, msisdn=msisdn, to="905321234567", seconds=size, record_id=record)
                    elif kind == "sms":
                        result = service.sms(uow, msisdn=msisdn, to="998931234567", record_id=record)
                    else:
                        result = service.data(uow, msisdn=msisdn, mb=Decimal(size), tasix=False, record_id=record)
                    uow.commit()
            except YagonaError as error:
                assert error.code == "insufficient_funds"
                break
            first_time = _ == 0
            if first_time:
                charged += result.charged_tiyin
            assert result.balance_tiyin >= 0
    with container.uow() as uow:
        assert ledger.get_account(uow, code=service.REVENUE).balance - before == charged
        assert service.state(uow, msisdn=msisdn).balance_tiyin == 60_000_00 - charged


def test_a_line_connected_on_a_customers_phone_joins_their_profile(container: Container) -> None:
    from tests.factories.identity import context, customer
    from yagona.identity import service as identity
    from yagona.platform.settings import Settings

    ctx = context(Settings(env="test"))
    with container.uow() as uow:
        owner = customer(uow, ctx, "998901000077")
        connect(uow, "998901000077")  # connected for her: on her own phone
        connect(uow, "998901000078")  # nobody's phone: joins no profile
        uow.commit()
    with container.uow() as uow:
        linked = identity.get_customer(uow, customer_id=owner.id)
    assert [(s.kind, s.reference) for s in linked.services] == [("mobile", "998901000077")]
