"""The rating and lifecycle rules, with the price list's own numbers."""

from __future__ import annotations

from datetime import date, datetime, time
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from yagona.catalog import service as catalog
from yagona.kernel.clock import TASHKENT
from yagona.kernel.errors import InsufficientFundsError, InvalidRequestError
from yagona.lines import rules

MINUTE = {"unit_seconds": 60, "max_call_seconds": 3600}
VOICE_ONNET = rules.VOICE_BUNDLES["onnet"]


@pytest.mark.parametrize(
    ("seconds", "minutes"), [(1, 1), (59, 1), (60, 1), (61, 2), (125, 3), (3600, 60), (3601, 60), (7200, 60)]
)
def test_every_started_minute_is_billed_and_a_call_stops_at_60_minutes(seconds: int, minutes: int) -> None:
    assert rules.billed_minutes(seconds, **MINUTE) == minutes


@pytest.mark.parametrize("seconds", [0, -5, 86_401])
def test_absurd_durations_are_refused(seconds: int) -> None:
    with pytest.raises(InvalidRequestError):
        rules.billed_minutes(seconds, **MINUTE)


def test_the_first_months_extra_is_used_before_the_plan_bundle() -> None:
    rated = rules.rate_units(
        3,
        order=VOICE_ONNET,
        remaining={"welcome_minutes": 2, "minutes": 3000},
        unit_price_tiyin=100_00,
        available_tiyin=0,
        what="call",
    )
    assert rated.from_bundle == {"welcome_minutes": 2, "minutes": 1}
    assert rated.charge_tiyin == 0


def test_after_the_bundle_the_plan_price_per_minute_is_charged() -> None:
    rated = rules.rate_units(
        5, order=VOICE_ONNET, remaining={"minutes": 2}, unit_price_tiyin=100_00, available_tiyin=1_000_00, what="call"
    )
    assert (rated.units, rated.bundle_units, rated.charge_tiyin, rated.cut) == (5, 2, 300_00, False)


def test_the_network_ends_a_call_when_the_balance_runs_out() -> None:
    rated = rules.rate_units(
        10, order=(), remaining={}, unit_price_tiyin=1_430_00, available_tiyin=5_000_00, what="call"
    )
    assert (rated.units, rated.charge_tiyin, rated.cut) == (3, 4_290_00, True)
    with pytest.raises(InsufficientFundsError):
        rules.rate_units(1, order=(), remaining={}, unit_price_tiyin=8_840_00, available_tiyin=8_000_00, what="call")


def test_a_free_service_costs_nothing_and_a_missing_price_is_refused() -> None:
    assert (
        rules.rate_units(2, order=(), remaining={}, unit_price_tiyin=0, available_tiyin=-5, what="call").charge_tiyin
        == 0
    )
    with pytest.raises(InvalidRequestError, match="no call"):
        rules.rate_units(1, order=(), remaining={}, unit_price_tiyin=None, available_tiyin=10**9, what="call")


def test_data_is_charged_per_mb_pro_rata_rounded_up_to_the_tiyin() -> None:
    kb = rules.session_kb(Fraction(1, 3))  # a third of a MB: 342 KB (341.33 rounded up)
    assert kb == 342
    rated = rules.rate_data(kb, order=rules.DATA_BUNDLES, remaining={}, mb_price_tiyin=630_00, available_tiyin=10**9)
    assert rated.charge_tiyin == 21_042  # 342 / 1024 x 63 000 = 21 041.02 tiyin → up
    tasix = rules.rate_data(
        100 * 1024,
        order=rules.TASIX_DATA_BUNDLES,
        remaining={"tasix_mb": 50 * 1024, "mb": 10_240 * 1024},
        mb_price_tiyin=100_00,
        available_tiyin=0,
    )
    assert tasix.from_bundle == {"tasix_mb": 50 * 1024, "mb": 50 * 1024}


def test_renewal_charges_goes_into_debt_once_or_blocks() -> None:
    assert rules.renewal_outcome(35_000_00, 35_000_00) == "renewal"
    assert rules.renewal_outcome(1, 35_000_00) == "renewal_in_debt"
    # A zero balance is "not enough" (charged into debt once), not "negative" (seed 004).
    assert rules.renewal_outcome(0, 35_000_00) == "renewal_in_debt"
    assert rules.renewal_outcome(-1, 35_000_00) == "blocked"
    assert rules.renewal_outcome(-25_000_00, 35_000_00) == "blocked"


@pytest.mark.parametrize(
    ("anchor", "after", "due"),
    [
        (date(2026, 1, 31), date(2026, 1, 31), date(2026, 2, 28)),
        (date(2026, 1, 31), date(2026, 2, 28), date(2026, 3, 31)),
        (date(2026, 1, 31), date(2026, 3, 31), date(2026, 4, 30)),
        (date(2024, 1, 30), date(2024, 1, 30), date(2024, 2, 29)),
        (date(2025, 12, 15), date(2025, 12, 15), date(2026, 1, 15)),
    ],
)
def test_a_monthly_cycle_keeps_its_day_of_the_month(anchor: date, after: date, due: date) -> None:
    assert rules.next_due(anchor, after, "P1M") == due


def test_a_cycle_of_days_adds_days() -> None:
    assert rules.next_due(date(2026, 1, 31), date(2026, 2, 14), "P14D") == date(2026, 2, 28)


def test_the_night_window_includes_its_start_and_not_its_end() -> None:
    start, end = time(0, 0), time(6, 0)
    assert rules.in_night_window(datetime(2026, 3, 11, 0, 0, tzinfo=TASHKENT), start, end)
    assert rules.in_night_window(datetime(2026, 3, 11, 5, 59, tzinfo=TASHKENT), start, end)
    assert not rules.in_night_window(datetime(2026, 3, 11, 6, 0, tzinfo=TASHKENT), start, end)
    assert not rules.in_night_window(datetime(2026, 3, 11, 23, 0, tzinfo=TASHKENT), start, end)


def test_m2m_is_pro_rata_to_the_days_left_in_the_month() -> None:
    assert rules.days_left_in_month(date(2026, 3, 20)) == (12, 31)
    assert rules.prorata(7_000_00, date(2026, 3, 20)) == 270_968  # 700 000 x 12/31 = 270 967.7
    assert rules.prorata(7_000_00, date(2026, 2, 1)) == 7_000_00
    assert rules.prorata(400, date(2026, 3, 20)) == 155


def test_a_switch_charges_the_new_plans_fee_pro_rata_only_on_a_pro_rata_plan() -> None:
    lider_plus, terminal = catalog.get_plan("lider-plus"), catalog.get_plan("terminal")
    assert rules.switch_fee(lider_plus, date(2026, 3, 20)) == 55_000_00  # in full whatever the day
    assert rules.switch_fee(terminal, date(2026, 3, 20)) == 270_968  # 7 000 so'm x 12/31 days left
    assert rules.switch_fee(terminal, date(2026, 2, 1)) == 7_000_00


@pytest.mark.parametrize(
    ("day", "period", "expected"),
    [
        (date(2026, 1, 31), "P1M", date(2026, 2, 28)),
        (date(2026, 3, 15), "P1M", date(2026, 4, 15)),
        (date(2026, 12, 10), "P1M", date(2027, 1, 10)),
        (date(2026, 3, 15), "P14D", date(2026, 3, 29)),
    ],
)
def test_a_period_is_a_month_from_the_day_or_14_days(day: date, period: str, expected: date) -> None:
    assert rules.add_period(day, period) == expected


def test_the_night_window_opens_at_midnight_tashkent_time() -> None:
    evening = datetime(2026, 3, 15, 23, 59, tzinfo=TASHKENT)
    assert rules.next_night_window(evening, time(0, 0)).isoformat() == "2026-03-16T00:00:00+05:00"
    assert rules.next_night_window(datetime(2026, 3, 16, 0, 0, tzinfo=TASHKENT), time(0, 0)).day == 17


def test_the_mening_davram_top_up_bonus() -> None:
    bonus = {"min_topup_tiyin": 8_420_00, "grant": 200, "cap": 1_000}
    assert rules.topup_bonus(8_419_99, current=0, **bonus) == 0
    assert rules.topup_bonus(8_420_00, current=0, **bonus) == 200
    assert rules.topup_bonus(50_000_00, current=900, **bonus) == 100
    assert rules.topup_bonus(50_000_00, current=1_000, **bonus) == 0


# --- properties ------------------------------------------------------------------------------

bundles = st.dictionaries(
    st.sampled_from(["welcome_minutes", "bonus_onnet_minutes", "onnet_minutes", "minutes"]), st.integers(0, 50_000)
)


@given(seconds=st.integers(1, 86_400))
def test_billed_minutes_is_ceil_seconds_over_60_capped_at_60(seconds: int) -> None:
    assert rules.billed_minutes(seconds, **MINUTE) == min(60, -(-seconds // 60))


@given(
    units=st.integers(1, 10_000),
    remaining=bundles,
    price=st.integers(1, 200_000),
    available=st.integers(-(10**9), 10**9),
)
def test_a_bundle_never_goes_below_zero_and_the_charge_never_exceeds_the_balance(
    units: int, remaining: dict[str, int], price: int, available: int
) -> None:
    try:
        rated = rules.rate_units(
            units,
            order=VOICE_ONNET,
            remaining=remaining,
            unit_price_tiyin=price,
            available_tiyin=available,
            what="call",
        )
    except InsufficientFundsError:
        assert sum(remaining.values()) == 0 and available < price
        return
    assert all(0 <= taken <= remaining[key] for key, taken in rated.from_bundle.items())
    assert rated.units <= units and rated.units == rated.bundle_units + rated.charge_tiyin // price
    assert rated.charge_tiyin <= max(0, available)
    assert rated.cut == (rated.units < units)


@given(
    kb=st.integers(1, 10**7),
    remaining=st.integers(0, 10**7),
    price=st.integers(0, 100_000),
    available=st.integers(0, 10**9),
)
def test_data_never_costs_more_than_the_balance_nor_more_than_its_price(
    kb: int, remaining: int, price: int, available: int
) -> None:
    try:
        rated = rules.rate_data(
            kb, order=("mb",), remaining={"mb": remaining}, mb_price_tiyin=price, available_tiyin=available
        )
    except InsufficientFundsError:
        return
    assert 0 <= rated.charge_tiyin <= max(available, 0) or not rated.cut
    assert rated.charge_tiyin <= -(-(kb * price) // 1024)
    assert rated.from_bundle.get("mb", 0) <= remaining


# --- pricing: the seed's plans through the pure `price` --------------------------------------


def _priced(plan_id: str, to: str, *, remaining: dict[str, int] | None = None) -> tuple[str, str, rules.Rated]:
    from yagona.catalog import service as catalog
    from yagona.lines.schemas import UsageRecord

    record = UsageRecord(id="r", msisdn="998901000001", type="voice", to=to, seconds=61)
    return rules.price(
        record,
        catalog.get_plan(plan_id),
        rules.Looked(destination=catalog.classify_number(to)),
        remaining=remaining or {},
        available=1_000_000_00,
        **MINUTE,
    )


@pytest.mark.parametrize("plan", ["terminal", "electronics", "tuner"])
@pytest.mark.parametrize("to", ["77011234567", "79161234567", "870771234567", "881612345678"])
def test_m2m_has_no_international_calls_csd_included(plan: str, to: str) -> None:
    from yagona.lines.errors import InternationalBarredError

    with pytest.raises(InternationalBarredError) as refused:
        _priced(plan, to, remaining={"csd_minutes": 100})
    assert refused.value.code == "international_barred"


def test_m2m_calls_inside_uzbekistan_are_csd_minutes() -> None:
    kind, _, rated = _priced("terminal", "998931234567", remaining={"csd_minutes": 100})
    assert (kind, rated.from_bundle) == ("csd", {"csd_minutes": 2})


def test_platinum_plus_international_minutes_serve_every_international_call() -> None:
    for to in ("77011234567", "491701234567", "12025550123"):
        _, _, rated = _priced("status-platinum-plus", to, remaining={"intl_minutes": 100})
        assert rated.from_bundle == {"intl_minutes": 2} and rated.charge_tiyin == 0


def test_holiday_minutes_serve_only_the_holiday_countries() -> None:
    _, _, russia = _priced("ustoz-start", "79161234567", remaining={"intl_minutes": 30})
    _, _, germany = _priced("ustoz-start", "491701234567", remaining={"intl_minutes": 30})
    assert russia.from_bundle == {"intl_minutes": 2}
    assert germany.from_bundle == {} and germany.charge_tiyin > 0
