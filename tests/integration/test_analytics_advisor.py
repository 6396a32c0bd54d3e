"""The plan advisor: a line's usage replayed over the plans it may switch to costs exactly
what the lines rating charged a line on that plan for the same records."""

from __future__ import annotations

from tests.factories.identity import context as identity_context
from tests.factories.identity import customer
from yagona.analytics import service as analytics
from yagona.app.bootstrap import Container
from yagona.kernel.money import Money
from yagona.lines import service as lines
from yagona.platform.settings import Settings

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


def test_the_next_best_offer_needs_consent_and_follows_segment_and_risk(
    container: Container, settings: Settings
) -> None:
    phone = "998911000111"
    with container.uow() as uow:
        holder = customer(uow, identity_context(settings), phone, password=None)  # no marketing opt-in
        lines.connect(uow, msisdn=phone, plan_id="lider-pro", deposit=DEPOSIT)
        uow.commit()
    with container.uow() as uow:
        assert analytics.next_best_offer(uow, customer_id=holder.id, segments=["at_risk"], risk=0.9) is None
        offer = analytics.next_best_offer(
            uow, customer_id=holder.id, segments=["at_risk"], risk=0.9, consent=lambda _uow, _id: True
        )
        assert offer is not None and offer.kind == "cheaper_plan" and offer.plan == "lider-start"
        assert offer.saving_tiyin == analytics.advise(uow, msisdn=phone).saving_tiyin > 0
        loyal = analytics.next_best_offer(
            uow, customer_id=holder.id, segments=["active", "champions"], risk=0.1, consent=lambda _uow, _id: True
        )
        assert loyal is not None and loyal.kind == "loyalty_discount"
