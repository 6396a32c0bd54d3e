"""The switching rule's answer before a switch (`quote_switch`), and the switch following the
very same answer, on real SQLite and PostgreSQL; the usage history filtered by kind."""

from __future__ import annotations

import pytest

from tests.factories.lines import connect
from yagona.app.bootstrap import Container
from yagona.kernel.errors import YagonaError
from yagona.ledger import service as ledger
from yagona.lines import service

MSISDN = "998901000001"


def test_the_quote_says_what_the_switch_then_charges_and_writes_nothing(container: Container) -> None:
    with container.uow() as uow:
        connect(uow, plan="lider-start", deposit_som=200_000)  # first fee 40 000 → 160 000
        uow.commit()
    with container.uow() as uow:
        quote = service.quote_switch(uow, msisdn=MSISDN, plan_id="lider-plus")
    assert quote.refusal is None
    assert (quote.from_plan, quote.to_plan, quote.fee_tiyin, quote.balance_tiyin) == (
        "lider-start",
        "lider-plus",
        55_000_00,
        160_000_00,
    )
    with container.uow() as uow:
        assert service.state(uow, msisdn=MSISDN).plan == "lider-start"  # a quote is not a switch
        assert ledger.posted_balance(uow, code=f"line:{MSISDN}") == 160_000_00
        switched = service.switch_plan(uow, msisdn=MSISDN, plan_id="lider-plus")
        uow.commit()
    assert switched.plan == "lider-plus"
    assert switched.balance_tiyin == quote.balance_tiyin - quote.fee_tiyin
    assert switched.next_charge_at == quote.next_charge_at
    assert switched.bundles["minutes"] == 5000


@pytest.mark.parametrize(
    ("plan", "deposit_som", "to", "code"),
    [
        ("lider-start", 200_000, "ustoz-profi", "switch_not_allowed"),  # another group
        ("lider-start", 200_000, "lider-start", "invalid_request"),  # the same plan
        ("lider-start", 60_000, "lider-ultra", "below_minimum"),  # 20 000 left, 170 000 needed
    ],
)
def test_a_refused_switch_is_refused_in_the_quote_and_by_the_switch_alike(
    container: Container, plan: str, deposit_som: int, to: str, code: str
) -> None:
    with container.uow() as uow:
        connect(uow, plan=plan, deposit_som=deposit_som)
        uow.commit()
    with container.uow() as uow:
        quote = service.quote_switch(uow, msisdn=MSISDN, plan_id=to)
        assert quote.refusal is not None and quote.refusal.code == code
        with pytest.raises(YagonaError) as caught:
            service.switch_plan(uow, msisdn=MSISDN, plan_id=to)
    assert caught.value.code == code


def test_a_blocked_line_is_quoted_a_refusal(container: Container) -> None:
    with container.uow() as uow:
        connect(uow, deposit_som=200_000)
        service.block(uow, msisdn=MSISDN, reason="administrative")
        uow.commit()
    with container.uow() as uow:
        quote = service.quote_switch(uow, msisdn=MSISDN, plan_id="lider-plus")
    assert quote.refusal is not None and quote.refusal.code == "line_blocked"


def test_an_unknown_plan_or_line_cannot_be_quoted(container: Container) -> None:
    with container.uow() as uow:
        connect(uow, deposit_som=200_000)
        uow.commit()
    with container.uow() as uow:
        with pytest.raises(YagonaError) as unknown_plan:
            service.quote_switch(uow, msisdn=MSISDN, plan_id="no-such-plan")
        with pytest.raises(YagonaError) as unknown_line:
            service.quote_switch(uow, msisdn="998909999999", plan_id="lider-plus")
    assert (unknown_plan.value.code, unknown_line.value.code) == ("not_found", "not_found")


def test_the_usage_history_filtered_by_kind_pages_through_that_kind_only(container: Container) -> None:
    with container.uow() as uow:
        connect(uow, deposit_som=200_000)
        for n in range(3):
            service.sms(uow, msisdn=MSISDN, to="998931234567", record_id=f"sms-{n}")
            service.call(uow, msisdn=MSISDN, to="998931234567", seconds=30, record_id=f"call-{n}")
        uow.commit()
    with container.uow() as uow:
        first, cursor = service.usage_history(uow, msisdn=MSISDN, kind="sms", limit=2)
        assert cursor is not None
        rest, end = service.usage_history(uow, msisdn=MSISDN, kind="sms", before=cursor, limit=2)
    assert [r.record_id for _, _, r in first + rest] == ["sms-2", "sms-1", "sms-0"] and end is None
