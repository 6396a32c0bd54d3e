"""Segments: the data-defined rules of `data/segments.yaml` over a subject's features — a
customer's segments for the 360, and segment sizes over time."""

from __future__ import annotations

from datetime import date, timedelta
from functools import cache
from importlib import resources
from typing import Any

import yaml

from yagona.analytics import rules
from yagona.analytics.service._base import connect
from yagona.analytics.service.features import event_days, features
from yagona.identity import service as identity
from yagona.platform.uow import UnitOfWork
from yagona.privacy import service as privacy


@cache
def groups() -> tuple[rules.Group, ...]:
    """The segment rules, read and checked once (a bad file stops the start)."""
    text = resources.files("yagona.analytics").joinpath("data/segments.yaml").read_text(encoding="utf-8")
    return rules.parse_groups(yaml.safe_load(text))


def subjects_of(uow: UnitOfWork, *, customer_id: str) -> list[str]:
    """The pseudonyms under which the store knows a customer's lines (their phones)."""
    customer = identity.get_customer(uow, customer_id=customer_id)
    return [privacy.pseudonym(phone, kind="phone") for phone in customer.phones]


def segments_of(uow: UnitOfWork, *, customer_id: str, as_of: date | None = None) -> list[str]:
    """The customer's segments as of `as_of` (today by the clock): the union over their lines."""
    day = as_of or uow.clock.now().date()
    subjects = subjects_of(uow, customer_id=customer_id)
    with connect() as con:
        found = features(con, as_of=day, subjects=subjects)
    segments: list[str] = []
    for subject in found:
        segments.extend(s for s in rules.segments_for(groups(), subject) if s not in segments)
    return segments


def sizes(*, as_of: date) -> dict[str, int]:
    """How many lines are in each segment as of a day."""
    counts: dict[str, int] = {segment.id: 0 for group in groups() for segment in group.segments}
    with connect() as con:
        for subject in features(con, as_of=as_of):
            for segment in rules.segments_for(groups(), subject):
                counts[segment] += 1
    return counts


def sizes_over_time(*, start: date | None = None, end: date | None = None, step_days: int = 7) -> list[dict[str, Any]]:
    """Segment sizes week by week over the store's days (or the range given)."""
    with connect() as con:
        span = event_days(con)
    if span is None:
        return []
    first = start or span[0] + timedelta(days=1)
    last = end or span[1] + timedelta(days=1)
    points = []
    day = first
    while day <= last:
        points.append({"as_of": day, **sizes(as_of=day)})
        day += timedelta(days=step_days)
    return points
