"""Pure rules of analytics: which fields of which events enter the de-identified store (a
whitelist: a field not named here never leaves the database), and the segment rules read
from data (`data/segments.yaml`) applied to a customer's features."""

from __future__ import annotations

import operator
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

# --- the store's rows ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Flat:
    """One event as the store keeps it. `subject` is personal (a phone or a contract): the
    service replaces it with its pseudonym before anything is written."""

    subject: str
    subject_kind: str  # phone | contract | customer (the CRM's rows)
    kind: str = ""
    channel: str = ""
    plan: str = ""
    destination: str = ""
    amount_tiyin: int = 0
    units: int = 0
    category: str = ""  # a ticket's category; a survey's touchpoint
    queue: str = ""
    priority: str = ""


def topup_channel(source: str) -> str:
    """Where a top-up's money came from, as the dashboards name it."""
    name = source.rsplit(":", 1)[-1]
    # cards and the cash desks' partners come in through `external:payments`
    return name if name in ("payme", "click", "wallet") else "card"


# How the dashboards name the CRM's channels (the bot is Telegram, a call is staff's note).
CONTACT_CHANNELS: Mapping[str, str] = {
    "portal": "portal", "telegram": "bot", "ussd": "ussd", "staff": "call", "email": "email", "sms": "sms",
}  # fmt: skip


def contact_channel(channel: str) -> str:
    """A CRM channel as the contact-channel mix names it (anything else is `other`)."""
    return CONTACT_CHANNELS.get(channel, "other")


def _customer(p: Mapping[str, Any], **fields: Any) -> Flat:
    """A CRM row: its subject is the customer (the exporter adds the pseudonyms of their lines)."""
    return Flat(subject=str(p["customer_id"]), subject_kind="customer", **fields)


def _ticket(p: Mapping[str, Any], **fields: Any) -> Flat:
    return _customer(p, channel=contact_channel(str(p["channel"])), category=str(p["category"]),
                     queue=str(p.get("queue", "")), priority=str(p["priority"]), **fields)  # fmt: skip


def _line(p: Mapping[str, Any], **fields: Any) -> Flat:
    return Flat(subject=str(p["msisdn"]), subject_kind="phone", **fields)


def _phone(p: Mapping[str, Any], key: str = "phone", **fields: Any) -> Flat:
    return Flat(subject=str(p[key]), subject_kind="phone", **fields)


def _payment(p: Mapping[str, Any]) -> Flat:
    kind = "contract" if p["target"] == "home" else "phone"
    return Flat(subject=str(p["account"]), subject_kind=kind, kind=str(p["target"]), channel=str(p["system"]),
                amount_tiyin=int(p["amount"]))  # fmt: skip


FLATTEN: Mapping[str, Callable[[Mapping[str, Any]], Flat]] = {
    "lines.line_connected": lambda p: _line(p, plan=p["plan"], amount_tiyin=p["first_fee_tiyin"]),
    "lines.line_topped_up": lambda p: _line(
        p, channel=topup_channel(p.get("source", "")), amount_tiyin=p["amount_tiyin"]
    ),
    "lines.fee_charged": lambda p: _line(p, plan=p["plan"], kind=p["kind"], amount_tiyin=p["amount_tiyin"]),
    "lines.usage_rated": lambda p: _line(
        p, kind=p["kind"], destination=p.get("destination", ""), units=p["units"], amount_tiyin=p["charged_tiyin"]
    ),
    "lines.line_charged": lambda p: _line(p, kind=p["reason"], amount_tiyin=p["amount_tiyin"]),
    "lines.line_blocked": lambda p: _line(p, kind=p["reason"]),
    "lines.line_unblocked": _line,
    "lines.plan_switched": lambda p: _line(p, plan=p["to_plan"], kind=p["from_plan"]),
    "wallet.registered": _phone,
    "wallet.topped_up": lambda p: _phone(p, channel=p["source"], amount_tiyin=p["amount"]),
    "wallet.paid": lambda p: _phone(p, channel=p["provider"], amount_tiyin=p["amount"]),
    "wallet.transferred": lambda p: _phone(p, "from_phone", amount_tiyin=p["amount"]),
    "payments.performed": _payment,
    "loyalty.points_earned": lambda p: _phone(p, kind=p["kind"], units=p["points"]),
    "loyalty.points_redeemed": lambda p: _phone(p, kind=p["reward"], units=p["points"]),
    # Customer care: no text (a ticket's words, a survey's comment) and no staff member.
    "crm.ticket_opened": _ticket,
    # units: 1 resolved within its SLA, 0 past it
    "crm.ticket_resolved": lambda p: _ticket(p, kind=p["status"], units=int(bool(p["within_sla"]))),
    "crm.sla_breached": lambda p: _ticket(p, kind=p["clock"]),
    # kind: nps | csat | ces, units: the score
    "crm.feedback_answered": lambda p: _customer(
        p,
        kind=p["kind"],
        units=int(p["score"]),
        channel=contact_channel(str(p["channel"])),
        category=str(p["touchpoint"]),
    ),
    "crm.contact_made": lambda p: _customer(p, kind=p["subject_kind"], channel=contact_channel(str(p["channel"]))),
    "home.requested": lambda p: Flat(subject=str(p["contract"]), subject_kind="contract", plan=p["plan"]),
    "home.fee_charged": lambda p: Flat(
        subject=str(p["contract"]), subject_kind="contract", kind=p["reason"], amount_tiyin=p["amount_tiyin"]
    ),
}


def flatten(name: str, payload: Mapping[str, Any]) -> Flat | None:
    """The store's row of an event, or None for an event the store does not keep."""
    make = FLATTEN.get(name)
    return make(payload) if make is not None else None


# --- segments --------------------------------------------------------------------------------

OPERATORS: Mapping[str, Callable[[Any, Any], bool]] = {
    ">=": operator.ge, ">": operator.gt, "<=": operator.le, "<": operator.lt, "==": operator.eq, "!=": operator.ne,
}  # fmt: skip


@dataclass(frozen=True, slots=True)
class Condition:
    feature: str
    op: str
    value: float | str

    def holds(self, features: Mapping[str, Any]) -> bool:
        left = features.get(self.feature)
        if left is None:
            return False
        return OPERATORS[self.op](left, self.value)


@dataclass(frozen=True, slots=True)
class Segment:
    id: str
    group: str  # lifecycle | rfm | usage
    conditions: tuple[Condition, ...]

    def holds(self, features: Mapping[str, Any]) -> bool:
        return all(condition.holds(features) for condition in self.conditions)


@dataclass(frozen=True, slots=True)
class Group:
    id: str
    exclusive: bool  # the first segment that holds, or every one that holds
    segments: tuple[Segment, ...]


def parse_groups(data: Mapping[str, Any]) -> tuple[Group, ...]:
    """The groups of `segments.yaml`; a condition reads `feature op value` (`tenure_days < 30`)."""
    groups = []
    for group_id, spec in data["groups"].items():
        segments = []
        for segment_id, conditions in spec["segments"].items():
            parsed = []
            for text in conditions or []:
                feature, op, raw = str(text).split(maxsplit=2)
                if op not in OPERATORS:
                    raise ValueError(f"segment {segment_id}: unknown operator {op!r}")
                parsed.append(Condition(feature, op, _value(raw)))
            segments.append(Segment(segment_id, group_id, tuple(parsed)))
        groups.append(Group(group_id, bool(spec.get("exclusive", False)), tuple(segments)))
    return tuple(groups)


def _value(raw: str) -> float | str:
    try:
        return float(raw)
    except ValueError:
        return raw.strip("'\"")


def segments_for(groups: Sequence[Group], features: Mapping[str, Any]) -> list[str]:
    """Every segment a customer with `features` is in, group by group."""
    found: list[str] = []
    for group in groups:
        for segment in group.segments:
            if segment.holds(features):
                found.append(segment.id)
                if group.exclusive:
                    break
    return found
