"""SLA arithmetic on the real business calendar of Tashkent: Monday–Friday 09:00–18:00,
Uzbek public holidays (the `holidays` package), the operator's extra days off, a Saturday
worked in place of a bridge day; targets in working hours, a written claim in calendar days."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import yaml

import yagona.crm
from yagona.crm.rules import sla
from yagona.crm.rules import tickets as ticket_rules

TASHKENT = ZoneInfo("Asia/Tashkent")
UTC = ZoneInfo("UTC")
CAL = sla.calendar(years=[2026, 2027])
DATA = yaml.safe_load((Path(yagona.crm.__file__).parent / "data" / "tickets.yaml").read_text(encoding="utf-8"))
POLICY = sla.policy(DATA)


def at(text: str) -> datetime:
    """A Tashkent wall-clock time."""
    return datetime.fromisoformat(text).replace(tzinfo=TASHKENT)


def local(moment: datetime) -> str:
    return moment.astimezone(TASHKENT).strftime("%a %Y-%m-%d %H:%M")


def test_the_public_holidays_of_uzbekistan_are_days_off() -> None:
    for day in (date(2026, 1, 1), date(2026, 3, 21), date(2026, 3, 23), date(2026, 9, 1), date(2027, 1, 1)):
        assert not sla.is_working_day(CAL, day), day
    assert sla.is_working_day(CAL, date(2026, 12, 12))  # a Saturday worked in place of 31 December
    assert not sla.is_working_day(CAL, date(2026, 12, 31))
    assert not sla.is_working_day(CAL, date(2026, 11, 28))  # a plain Saturday
    assert sla.is_working_day(CAL, date(2026, 11, 30))


def test_a_ticket_opened_friday_at_half_past_five_is_answered_on_monday() -> None:
    # 30 minutes on Friday, 7 h 30 on Monday: due Monday 16:30 for an 8-hour first response.
    due = sla.add_working_hours(CAL, at("2026-11-27T17:30"), 8)
    assert local(due) == "Mon 2026-11-30 16:30" and due.tzinfo == UTC
    # Opened after closing, or on a Sunday: the clock starts at the next opening.
    assert local(sla.add_working_hours(CAL, at("2026-11-27T19:00"), 1)) == "Mon 2026-11-30 10:00"
    assert local(sla.add_working_hours(CAL, at("2026-11-29T12:00"), 9)) == "Mon 2026-11-30 18:00"


def test_navruz_and_eid_are_skipped() -> None:
    # Thursday 19 March 2026 17:00; Friday 20 is Eid al-Fitr, Saturday 21 is Navruz (observed on Monday 23).
    due = sla.add_working_hours(CAL, at("2026-03-19T17:00"), 8)
    assert local(due) == "Tue 2026-03-24 16:00"


def test_independence_day_and_its_bridge_day_are_skipped() -> None:
    # Friday 28 August 17:30, one hour: Monday 31 August (decreed) and Tuesday 1 September are off.
    assert local(sla.add_working_hours(CAL, at("2026-08-28T17:30"), 1)) == "Wed 2026-09-02 09:30"


def test_new_year_is_crossed() -> None:
    # Wednesday 30 December 16:00: 31 December and 1 January are off, then the weekend.
    assert local(sla.add_working_hours(CAL, at("2026-12-30T16:00"), 8)) == "Mon 2027-01-04 15:00"
    # A Saturday worked (12 December 2026) counts.
    assert local(sla.add_working_hours(CAL, at("2026-12-11T17:00"), 2)) == "Sat 2026-12-12 10:00"


def test_an_operator_day_off_is_skipped_too() -> None:
    closed = sla.calendar(years=[2026], extra_days_off=[date(2026, 11, 30)])
    assert local(sla.add_working_hours(closed, at("2026-11-27T17:30"), 8)) == "Tue 2026-12-01 16:30"
    assert sla.working_seconds_between(closed, at("2026-11-27T17:00"), at("2026-12-01T10:00")) == 2 * 3600
    assert sla.working_seconds_between(CAL, at("2026-11-27T17:00"), at("2026-12-01T10:00")) == (2 + 9) * 3600


def test_targets_come_from_the_data_per_category_and_priority() -> None:
    opened = at("2026-11-30T09:00")  # a Monday
    normal = sla.due_dates(POLICY, CAL, category="question", priority="normal", opened_at=opened)
    assert (local(normal.first_response), local(normal.resolution)) == ("Mon 2026-11-30 17:00", "Fri 2026-12-04 13:00")
    urgent = sla.due_dates(POLICY, CAL, category="technical", priority="urgent", opened_at=opened)
    assert (local(urgent.first_response), local(urgent.resolution)) == ("Mon 2026-11-30 10:00", "Mon 2026-11-30 13:00")
    # A written claim is answered within 30 calendar days, a privacy request within 21: weekends and holidays count.
    claim = sla.due_dates(POLICY, CAL, category="claim", priority="normal", opened_at=at("2026-03-19T10:00"))
    assert local(claim.resolution) == "Sat 2026-04-18 10:00"
    assert local(claim.first_response) == "Thu 2026-03-19 18:00"  # its first answer is still in working hours
    privacy = sla.due_dates(POLICY, CAL, category="privacy", priority="low", opened_at=at("2026-12-25T12:00"))
    assert local(privacy.resolution) == "Fri 2027-01-15 12:00"


def test_the_warning_comes_at_eighty_percent_of_the_working_time() -> None:
    opened = at("2026-11-30T09:00")
    due = sla.add_working_hours(CAL, opened, 40)  # Friday 13:00
    warn = sla.warn_at(CAL, opened_at=opened, due=due, percent=80)
    assert local(warn) == "Thu 2026-12-03 14:00"  # 32 working hours in
    claim_due = opened + timedelta(days=30)
    assert sla.warn_at(CAL, opened_at=opened, due=claim_due, percent=80, working_hours=False) == opened + timedelta(
        days=24
    )
    assert sla.risk(warn - timedelta(minutes=1), warn=warn, due=due) == "ok"
    assert sla.risk(warn, warn=warn, due=due) == "at_risk"
    assert sla.risk(due + timedelta(seconds=1), warn=warn, due=due) == "breached"
    assert sla.risk(due + timedelta(days=9), warn=warn, due=due, done_at=due) == "ok"  # done in time stays ok
    assert sla.risk(due, warn=warn, due=due, done_at=due + timedelta(minutes=1)) == "breached"


def test_a_policy_without_a_priority_s_target_is_refused() -> None:
    broken = {**DATA, "sla": {**DATA["sla"], "first_response_hours": {"low": 16, "normal": 8, "high": 4}}}
    with pytest.raises(ValueError, match="urgent"):
        sla.policy(broken)
    with pytest.raises(ValueError, match="closes after"):
        sla.calendar(years=[2026], settings={"opens": "18:00", "closes": "09:00"})


def test_attachments_are_typed_by_their_bytes_and_size_limited() -> None:
    assert ticket_rules.attachment_type(b"\x89PNG\r\n\x1a\n....") == "image/png"
    assert ticket_rules.attachment_type(b"\xff\xd8\xff\xe0JFIF") == "image/jpeg"
    assert ticket_rules.attachment_type(b"%PDF-1.7\n") == "application/pdf"
    assert ticket_rules.attachment_refusal(b"MZ\x90\x00 an exe named photo.png") == "type"
    assert ticket_rules.attachment_refusal(b"%PDF-" + b"0" * ticket_rules.ATTACHMENT_MAX_BYTES) == "too_large"
    assert ticket_rules.attachment_refusal(b"") == "empty"
    assert ticket_rules.safe_filename("C:\\Users\\me\\..\\scan<1>.pdf") == "scan1.pdf"


def test_statuses_move_forward_and_closed_is_final() -> None:
    assert ticket_rules.may_move("open", "in_progress") and ticket_rules.may_move("resolved", "in_progress")
    assert not ticket_rules.may_move("closed", "open") and not ticket_rules.may_move("open", "open")
    assert ticket_rules.after_customer_reply("waiting_customer") == "in_progress"
