"""Feedback's pure rules: the scales, who may be asked (30 days, quiet hours), the scores
(NPS = % promoters - % detractors, CSAT = % satisfied, CES = the average), weeks, the chart."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
import yaml

from yagona.crm import feedback_rules as rules
from yagona.kernel.clock import TASHKENT


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 12, day, hour, minute, tzinfo=TASHKENT)


@pytest.mark.parametrize(
    ("kind", "inside", "outside"),
    [("nps", (0, 10), (-1, 11)), ("csat", (1, 5), (0, 6)), ("ces", (1, 7), (0, 8))],
)
def test_each_survey_has_its_scale(kind: str, inside: tuple[int, int], outside: tuple[int, int]) -> None:
    assert all(rules.in_scale(kind, s) for s in range(inside[0], inside[1] + 1))
    assert not any(rules.in_scale(kind, s) for s in outside)


SHIPPED = rules.Cadence.from_data(
    yaml.safe_load((Path(rules.__file__).parent / "data" / "feedback.yaml").read_text(encoding="utf-8"))
)


def test_a_customer_is_asked_at_most_once_in_30_days() -> None:
    now = at(31, 12)
    assert SHIPPED.rest == timedelta(days=30)
    assert rules.may_survey(None, now=now, cadence=SHIPPED)
    assert not rules.may_survey(now - timedelta(days=29, hours=23), now=now, cadence=SHIPPED)
    assert rules.may_survey(now - timedelta(days=30), now=now, cadence=SHIPPED)


def test_the_relationship_nps_asks_customers_of_a_month_once_a_quarter() -> None:
    now = at(31, 12)
    joined, month = now - timedelta(days=45), timedelta(days=30)
    assert (SHIPPED.nps_tenure, SHIPPED.nps_every, SHIPPED.nps_per_day) == (month, timedelta(days=90), 200)
    assert rules.due_for_nps(customer_since=joined, last_nps_at=None, now=now, cadence=SHIPPED)
    assert not rules.due_for_nps(customer_since=now - timedelta(days=29), last_nps_at=None, now=now, cadence=SHIPPED)
    assert not rules.due_for_nps(customer_since=joined, last_nps_at=now - timedelta(days=89), now=now, cadence=SHIPPED)
    assert rules.due_for_nps(customer_since=joined, last_nps_at=now - timedelta(days=90), now=now, cadence=SHIPPED)


def test_a_cadence_of_no_days_is_refused_when_read() -> None:
    raw = {"rest_days": 0, "link_lifetime_days": 14, "relationship_nps": {"every_days": 90, "tenure_days": 30,
           "per_day": 200}, "supervisor_window_days": 30}  # fmt: skip
    with pytest.raises(ValueError, match="positive"):
        rules.Cadence.from_data(raw)


def test_a_survey_offered_in_quiet_hours_waits_for_eight_oclock() -> None:
    assert rules.send_at(at(2, 21, 59)) == at(2, 21, 59)
    assert rules.send_at(at(2, 22, 0)) == at(3, 8, 0)  # evening: the next morning
    assert rules.send_at(at(3, 3, 30)) == at(3, 8, 0)  # night: this morning
    assert rules.send_at(at(3, 8, 0)) == at(3, 8, 0)


def test_nps_is_promoters_minus_detractors() -> None:
    assert rules.nps([]) is None
    assert rules.nps([10, 9, 8, 7, 6, 0]) == pytest.approx(0.0)  # 2 promoters, 2 passives, 2 detractors
    assert rules.nps([10, 10, 10, 3]) == 50.0
    assert rules.nps([0, 6]) == -100.0
    assert rules.nps([7, 8]) == 0.0  # passives only
    assert rules.nps([9, 9, 5]) == 33.3


def test_csat_is_the_share_satisfied_and_ces_the_average() -> None:
    assert rules.csat([5, 4, 3, 1]) == 50.0
    assert rules.csat([]) is None
    assert rules.ces([7, 6, 2]) == 5.0
    assert rules.ces([1, 2]) == 1.5


def test_only_nps_zero_to_six_is_a_detractor() -> None:
    assert rules.is_detractor("nps", 6) and rules.is_detractor("nps", 0)
    assert not rules.is_detractor("nps", 7)
    assert not rules.is_detractor("csat", 1)


def test_weeks_start_on_monday_in_tashkent() -> None:
    assert rules.week_of(at(2, 10)) == date(2026, 11, 30)  # a Wednesday
    assert rules.week_of(datetime(2026, 11, 29, 20, 0, tzinfo=TASHKENT)) == date(2026, 11, 23)  # Sunday
    # Sunday 20:00 UTC is Monday 01:00 in Tashkent: the new week
    assert rules.week_of(datetime.fromisoformat("2026-11-29T20:00:00+00:00")) == date(2026, 11, 30)


def test_the_period_defaults_to_twelve_weeks_and_refuses_nonsense() -> None:
    today = date(2026, 12, 2)
    start, end = rules.period(None, None, today=today)
    assert (start, end) == (at(2, 0) - timedelta(weeks=12), at(3, 0))
    assert rules.period(date(2026, 12, 5), date(2026, 12, 1), today=today)[0] == at(1, 0) - timedelta(weeks=12)
    far = rules.period(date.min, date.max, today=today)  # no overflow: the ends are clamped
    assert far[1] == datetime(2101, 1, 1, tzinfo=TASHKENT) and far[1] - far[0] == timedelta(weeks=12, days=1)


def test_bars_sit_on_the_scores_range() -> None:
    [low, high] = rules.bars("nps", [("a", -50.0), ("b", 100.0)], width=200)
    assert (low.x, low.width) == (50.0, 50.0)  # from -50 to the zero line in the middle
    assert (high.x, high.width) == (100.0, 100.0)
    [ces] = rules.bars("ces", [("c", 4.0)], width=60)
    assert (ces.x, ces.width) == (0.0, 30.0)


def test_the_sms_carries_the_question_and_the_link_only() -> None:
    text = rules.invitation("nps", "uz", link="https://x.uz/feedback/abc")
    assert text.endswith("https://x.uz/feedback/abc") and "tavsiya" in text
    assert rules.invitation("csat", "ru", link="L").startswith("Yagona: как")
    assert rules.follow_up(3, "en", None) == ("NPS 3/10: an unhappy customer — follow up", "No comment.")
