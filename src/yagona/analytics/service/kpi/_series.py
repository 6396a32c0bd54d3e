"""A KPI's answer: labelled points the console draws (server-side SVG) and exports as CSV."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from yagona.analytics.errors import BadRangeError

MAX_RANGE_DAYS = 3 * 366


@dataclass(frozen=True, slots=True)
class Series:
    kpi: str
    unit: str  # share | som | days | count | score (NPS, -100..100)
    points: list[tuple[str, float]]  # (label, value), in order
    extra: dict[str, list[tuple[str, float]]] = field(default_factory=dict)  # a second measure (shares, counts)

    @property
    def empty(self) -> bool:
        return not self.points


def check_range(start: date, end: date) -> None:
    if start > end or (end - start).days > MAX_RANGE_DAYS:
        raise BadRangeError(f"a range starts on or before it ends and spans at most {MAX_RANGE_DAYS} days")


def csv_rows(series: Series) -> list[list[Any]]:
    header = ["label", series.unit, *series.extra]
    extra = {name: dict(points) for name, points in series.extra.items()}
    return [header, *([label, value, *(extra[n].get(label) for n in series.extra)] for label, value in series.points)]
