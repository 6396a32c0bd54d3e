"""The reminder engine's limits (product.md §11), with times worked by hand: quiet hours
22:00–08:00 Tashkent, at most 3 a day, no repeat within a rule's period, marketing only with
opt-in, the customer's opt-out, the channel."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest

from yagona.kernel.clock import TASHKENT
from yagona.reminders import rules


def t(day: int, hour: int, minute: int = 0, second: int = 0) -> datetime:
    return datetime(2026, 12, day, hour, minute, second, tzinfo=TASHKENT)


@pytest.mark.parametrize(
    ("at", "quiet"),
    [
        (t(1, 21, 59, 59), False),  # the last second before quiet hours
        (t(1, 22, 0), True),  # quiet hours start at 22:00 sharp
        (t(1, 23, 30), True),
        (t(2, 0, 0), True),
        (t(2, 7, 59, 59), True),
        (t(2, 8, 0), False),  # and end at 08:00 sharp
        (t(2, 12, 0), False),
        (datetime(2026, 12, 1, 16, 59, tzinfo=TASHKENT) - timedelta(hours=5), False),  # 11:59 UTC = 16:59 Tashkent
    ],
)
def test_quiet_hours_are_22_to_08_tashkent(at: datetime, quiet: bool) -> None:
    assert rules.quiet(at) is quiet


def test_quiet_hours_are_read_in_tashkent_whatever_the_offset_given() -> None:
    utc = datetime.fromisoformat("2026-12-01T17:00:00+00:00")  # 22:00 in Tashkent
    assert rules.quiet(utc)
    assert rules.after_quiet_hours(utc) == t(2, 8, 0)


@pytest.mark.parametrize(
    ("at", "sent_at"),
    [
        (t(1, 21, 59), t(1, 21, 59)),  # due 21:59: sent then
        (t(1, 22, 0), t(2, 8, 0)),  # due 22:00: waits for 08:00 the next day
        (t(1, 23, 59), t(2, 8, 0)),
        (t(2, 0, 0), t(2, 8, 0)),  # due after midnight: 08:00 the same day
        (t(2, 7, 59), t(2, 8, 0)),
        (t(2, 8, 0), t(2, 8, 0)),
    ],
)
def test_a_reminder_due_in_quiet_hours_waits_for_eight(at: datetime, sent_at: datetime) -> None:
    assert rules.after_quiet_hours(at) == sent_at


def test_the_day_of_the_cap_is_the_tashkent_calendar_day() -> None:
    start, end = rules.day_of(t(2, 0, 30))
    assert (start, end) == (t(2, 0, 0), t(3, 0, 0))
    start, _ = rules.day_of(datetime.fromisoformat("2026-12-01T19:30:00+00:00"))  # 00:30 on the 2nd in Tashkent
    assert start == t(2, 0, 0)


def decide(**changes: Any) -> rules.Decision:
    facts: dict[str, Any] = {
        "now": t(1, 10, 0),
        "kind": "service",
        "required": False,
        "opted_out": False,
        "marketing_opt_in": False,
        "last_sent_at": None,
        "period": timedelta(days=30),
        "sent_today": 0,
        "channel_name": "sms",
    }
    return rules.decide(**{**facts, **changes})


def test_a_service_reminder_is_sent_on_the_channel() -> None:
    assert decide() == rules.Send("sms")


@pytest.mark.parametrize(("sent_today", "decision"), [(2, rules.Send("sms")), (3, rules.Drop("daily_cap"))])
def test_at_most_three_reminders_a_day(sent_today: int, decision: rules.Decision) -> None:
    assert decide(sent_today=sent_today) == decision


@pytest.mark.parametrize(
    ("last_sent_at", "decision"),
    [
        (t(1, 10, 0) - timedelta(days=30) + timedelta(seconds=1), rules.Drop("repeat")),  # 29 days 23:59:59 ago
        (t(1, 10, 0) - timedelta(days=30), rules.Send("sms")),  # exactly the period ago: again
        (None, rules.Send("sms")),
    ],
)
def test_no_repeat_within_the_period(last_sent_at: datetime | None, decision: rules.Decision) -> None:
    assert decide(last_sent_at=last_sent_at) == decision


def test_no_repeat_with_a_zero_period_never_blocks() -> None:
    assert decide(last_sent_at=t(1, 10, 0), period=timedelta(0)) == rules.Send("sms")


@pytest.mark.parametrize(("opt_in", "decision"), [(False, rules.Drop("no_consent")), (True, rules.Send("sms"))])
def test_marketing_only_with_opt_in(opt_in: bool, decision: rules.Decision) -> None:
    assert decide(kind="marketing", marketing_opt_in=opt_in) == decision


def test_the_opt_out_holds_except_for_a_required_notice() -> None:
    assert decide(opted_out=True) == rules.Drop("opted_out")
    assert decide(opted_out=True, required=True) == rules.Send("sms")


def test_quiet_hours_hold_a_reminder_the_cap_is_counted_when_it_goes() -> None:
    assert decide(now=t(1, 22, 0), sent_today=3) == rules.Hold(t(2, 8, 0))  # the cap is that day's, at 08:00
    assert decide(now=t(1, 21, 59)) == rules.Send("sms")


def test_what_the_customer_refused_is_never_held() -> None:
    assert decide(now=t(1, 23, 0), opted_out=True) == rules.Drop("opted_out")
    assert decide(now=t(1, 23, 0), kind="marketing") == rules.Drop("no_consent")


@pytest.mark.parametrize(
    ("preferred", "offered", "sendable", "chosen"),
    [
        (["push", "sms"], ["push", "sms"], {"sms"}, "sms"),  # no push yet: SMS
        (["push", "sms"], ["push", "sms"], {"sms", "push"}, "push"),
        (["sms"], ["push", "sms"], {"sms", "push"}, "sms"),  # the customer's order first
        (["sms"], ["push"], {"sms", "push"}, "push"),  # then the rule's own
        (["push"], ["push"], {"sms"}, None),
    ],
)
def test_the_channel(preferred: list[str], offered: list[str], sendable: set[str], chosen: str | None) -> None:
    assert rules.channel(preferred, offered, sendable) == chosen
    assert (decide(channel_name=chosen) == rules.Drop("no_channel")) is (chosen is None)


@pytest.mark.parametrize(
    ("condition", "facts", "holds"),
    [
        ([("used_percent", "at_least", 80)], {"used_percent": 80}, True),
        ([("used_percent", "at_least", 80)], {"used_percent": 79}, False),
        ([("short_tiyin", "above", 0)], {"short_tiyin": 0}, False),
        ([("short_tiyin", "above", 0)], {"short_tiyin": 1}, True),
        ([("reminder", "equals", "suspended")], {"reminder": "suspended"}, True),
        ([("reminder", "equals", "suspended")], {"reminder": "fee_tomorrow"}, False),
        ([("points", "above", 0)], {}, False),  # a fact missing never holds
        ([], {}, True),
    ],
)
def test_conditions(condition: list[tuple[str, str, float | str]], facts: dict[str, object], holds: bool) -> None:
    assert rules.holds(condition, facts) is holds


def test_a_lines_bundles_are_looked_at_once_an_hour_whatever_the_rating_speed() -> None:
    from yagona.reminders.handlers import Throttle

    throttle = Throttle(size=2)
    assert throttle.due("998901000001", t(1, 10, 0))
    assert not throttle.due("998901000001", t(1, 10, 59, 59))
    assert throttle.due("998901000001", t(1, 11, 0))
    assert throttle.due("998901000002", t(1, 11, 0))
    assert throttle.due("998901000003", t(1, 11, 0))  # the oldest line is forgotten: memory stays bounded
    assert throttle.due("998901000001", t(1, 11, 1))
