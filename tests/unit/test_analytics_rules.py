"""Segment rules on hand-made customers, and the store's whitelist of fields."""

from __future__ import annotations

from typing import Any

import pytest

from yagona.analytics import rules
from yagona.analytics.service import groups

BASE: dict[str, Any] = {
    "tenure_days": 200, "days_since_active": 0, "days_since_topup": 5, "active_days_30": 28,
    "active_days_prev_30": 29, "spend_30": 60_000, "spend_90": 180_000, "topups_90": 6, "topup_som_90": 200_000,
    "voice_minutes_30": 120, "data_mb_30": 3_000, "tasix_share": 0.1, "intl_minutes_30": 0,
}  # fmt: skip


def _segments(**changes: Any) -> list[str]:
    return rules.segments_for(groups(), {**BASE, **changes})


@pytest.mark.parametrize(
    ("changes", "lifecycle"),
    [
        ({}, "active"),
        ({"tenure_days": 12}, "new"),
        ({"days_since_active": 20}, "dormant"),
        ({"days_since_active": 45}, "churned"),
        ({"active_days_30": 6, "active_days_prev_30": 27}, "at_risk"),
    ],
)
def test_each_customer_has_one_lifecycle_segment(changes: dict[str, Any], lifecycle: str) -> None:
    found = _segments(**changes)
    assert [s for s in found if s in {"active", "new", "dormant", "churned", "at_risk"}] == [lifecycle]


def test_rfm_on_spend_and_top_ups() -> None:
    assert "champions" in _segments()
    assert "loyal" in _segments(spend_90=40_000, topups_90=3, days_since_topup=20)
    assert "hibernating" in _segments(days_since_topup=60, topups_90=1, spend_90=20_000)
    assert "occasional" in _segments(days_since_topup=40, topups_90=1, spend_90=20_000)


def test_usage_profiles_are_not_exclusive() -> None:
    assert not {"voice_heavy", "data_heavy", "tasix_heavy", "international"} & set(_segments())
    both = _segments(voice_minutes_30=400, data_mb_30=20_000, tasix_share=0.5, intl_minutes_30=30)
    assert {"voice_heavy", "data_heavy", "tasix_heavy", "international"} <= set(both)


def test_a_bad_rule_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown operator"):
        rules.parse_groups({"groups": {"g": {"segments": {"s": ["tenure_days ~ 3"]}}}})


def test_the_store_keeps_whitelisted_fields_only() -> None:
    flat = rules.flatten(
        "wallet.paid",
        {"phone": "998911234567", "provider": "mobile", "account": "998901112233", "amount": 5, "commission": 0},
    )
    assert flat is not None and flat.subject == "998911234567"  # pseudonymised by the service
    assert "998901112233" not in repr(flat)  # the payee's account never enters the store
    assert rules.flatten("identity.customer_registered", {"phone": "998911234567"}) is None
    assert rules.topup_channel("clearing:payme") == "payme" and rules.topup_channel("payments") == "card"


def test_care_segments_come_from_the_owners_tickets_and_scores() -> None:
    assert not {"detractor", "dissatisfied", "frequent_contact", "sla_breached"} & set(_segments())
    found = _segments(nps_detractor=1, low_csat=0, tickets_30=2, sla_breaches_90=1)
    assert {"detractor", "frequent_contact", "sla_breached"} <= set(found) and "dissatisfied" not in found
    assert "active" in found  # not exclusive: the lifecycle segment stays


def test_care_events_keep_no_words_and_name_the_channels_as_the_dashboards_do() -> None:
    answered = rules.flatten("crm.feedback_answered", {
        "survey_id": "s-1", "customer_id": "c-1", "kind": "nps", "score": 4, "touchpoint": "ticket_resolved",
        "category": "technical", "channel": "telegram", "answered_in": "portal", "comment": "Zarina was rude",
    })  # fmt: skip
    assert answered == rules.Flat(subject="c-1", subject_kind="customer", kind="nps", channel="bot", units=4,
                                  category="ticket_resolved")  # fmt: skip
    resolved = rules.flatten("crm.ticket_resolved", {
        "ticket_id": "t-1", "customer_id": "c-1", "channel": "staff", "category": "billing", "priority": "normal",
        "status": "resolved", "resolved_by": "staff-1", "within_sla": False, "queue": "billing",
    })  # fmt: skip
    assert resolved is not None and (resolved.channel, resolved.queue, resolved.units) == ("call", "billing", 0)
    assert rules.flatten("crm.ticket_replied", {"text": "We are checking"}) is None  # words never enter
    assert [rules.contact_channel(c) for c in ("portal", "telegram", "ussd", "staff", "email", "sms", "push")] == [
        "portal", "bot", "ussd", "call", "email", "sms", "other"
    ]  # fmt: skip
