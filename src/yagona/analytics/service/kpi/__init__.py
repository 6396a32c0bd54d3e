"""The operator's KPIs over a range of days, from the de-identified store with DuckDB. Each
answers a `Series`: labelled points the console draws (server-side SVG) and exports as CSV.
`usage`: the lines' KPIs; `care`: the CRM's (NPS, CSAT, SLA compliance, contact channels)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date
from typing import TYPE_CHECKING

from yagona.analytics.service._base import connect
from yagona.analytics.service.kpi import care, usage
from yagona.analytics.service.kpi._series import MAX_RANGE_DAYS, Series, check_range, csv_rows

if TYPE_CHECKING:  # DuckDB is imported on use: a server or a CLI command seldom needs it
    import duckdb

KPIS: Mapping[str, Callable[[duckdb.DuckDBPyConnection, date, date], Series]] = {
    "retention": usage.retention,
    "active_days": usage.active_days,
    "payments": usage.payments,
    "arpu_plan": usage.arpu_by_plan,
    "arpu_segment": usage.arpu_by_segment,
    "churn_rate": usage.churn_rate,
    "channel_mix": usage.channel_mix,
    "nps": care.nps,
    "csat": care.csat,
    "sla": care.sla_compliance,
    "contact_mix": care.contact_mix,
}

__all__ = ["KPIS", "MAX_RANGE_DAYS", "Series", "check_range", "csv_rows", "dashboard", "kpi"]


def kpi(name: str, *, start: date, end: date, con: duckdb.DuckDBPyConnection | None = None) -> Series:
    """One KPI over [start, end] (Tashkent days); an empty range answers an empty series."""
    check_range(start, end)
    if con is not None:
        return KPIS[name](con, start, end)
    with connect() as own:
        return KPIS[name](own, start, end)


def dashboard(*, start: date, end: date) -> list[Series]:
    """Every KPI over the range, on one connection."""
    check_range(start, end)
    with connect() as con:
        return [query(con, start, end) for query in KPIS.values()]
