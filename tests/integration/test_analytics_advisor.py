"""The plan advisor: a line's usage replayed over the plans it may switch to costs exactly
what the lines rating charged a line on that plan for the same records."""

from __future__ import annotations

from yagona.analytics import service as analytics
from yagona.app.bootstrap import Container
from yagona.kernel.money import Money
from yagona.lines import service as lines

DEPOSIT = Money.of_som(1_000_000)


def _records(msisdn: str, prefix: str) -> list[dict[str, object]]:
    records: list[dict[str, object]] = []
    for n in range(20):
        records.append(
            {"id": f"{prefix}-v{n}", "msisdn": msisdn, "type": "voice", "to": "998911112233", "seconds": 590}
        )
        records.append(
            {"id": f"{prefix}-o{n}", "msisdn": msisdn, "type": "voice", "to": "998931112233", "seconds": 301}
        )
        records.append({"id": f"{prefix}-s{n}", "msisdn": msisdn, "type": "sms", "to": "998971112233"})
    records.extend(
        {"id": f"{prefix}-d{n}", "msisdn": msisdn, "type": "data", "mb": "1049.5", "tasix": n % 4 == 0}
        for n in range(10)
    )
    records.append({"id": f"{prefix}-i", "msisdn": msisdn, "type": "voice", "to": "77011234567", "seconds": 125})
    return records


def test_the_saving_is_the_difference_of_real_rated_costs(container: Container) -> None:
    pro, start = "998911000101", "998911000102"
    with container.uow() as uow:
        lines.connect(uow, msisdn=pro, plan_id="lider-pro", deposit=DEPOSIT)
        lines.connect(uow, msisdn=start, plan_id="lider-start", deposit=DEPOSIT)
        uow.commit()
    with container.uow() as uow:  # the same uses on both lines, rated for real
        lines.rate_raw(uow, records=_records(pro, "p") + _records(start, "s"))
        uow.commit()
    with container.uow() as uow:
        real = {msisdn: DEPOSIT.tiyin - lines.balance_of(uow, msisdn) for msisdn in (pro, start)}
        advice = analytics.advise(uow, msisdn=pro, first_month=True)  # both lines are in their first month
    on_start = next(option for option in advice.options if option.plan == "lider-start")
    assert advice.current.plan == "lider-pro" and advice.current.total_tiyin == real[pro]
    assert on_start.total_tiyin == real[start] and on_start.usage_tiyin > 0  # beyond the bundle: rated, not free
    assert advice.cheapest.plan == "lider-start"
    assert advice.saving_tiyin == real[pro] - real[start] > 0
    assert all(option.plan != "terminal" for option in advice.options)  # not a plan it may switch to
