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
    subject_kind: str  # phone | contract
    kind: str = ""
    channel: str = ""
    plan: str = ""
    destination: str = ""
    amount_tiyin: int = 0
    units: int = 0


def topup_channel(source: str) -> str:
    """Where a top-up's money came from, as the dashboards name it."""
    name = source.rsplit(":", 1)[-1]
    # cards and the cash desks' partners come in through `external:payments`
    return name if name in ("payme", "click", "wallet") else "card"


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
