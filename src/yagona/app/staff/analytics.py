"""Supervisors' KPI dashboards (`/staff/analytics`): every chart over a range of days, drawn
on the server as SVG, each with its CSV. The figures come from the de-identified store
(`yagona analytics export` / the nightly refresh): no customer is named, so no access-log row."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Annotated

from fastapi import Path, Query, Request
from fastapi.responses import Response
from markupsafe import Markup

from yagona.analytics import service as analytics
from yagona.app.staff.charts import bar_chart, csv_download
from yagona.app.staff.common import Uow, page
from yagona.kernel.clock import TASHKENT
from yagona.kernel.errors import NotFoundError
from yagona.platform.auth import staff_member
from yagona.platform.pages.core import N_, page_language, page_router, pages_of

router = page_router(prefix="/staff")
DEFAULT_DAYS = 90
TITLES = {
    "retention": N_("Retention by monthly cohort"),
    "active_days": N_("Active days per customer a week"),
    "payments": N_("Online payments by system (so'm)"),
    "arpu_plan": N_("ARPU by plan (so'm a month)"),
    "arpu_segment": N_("ARPU by segment (so'm a month)"),
    "churn_rate": N_("Churn rate by week"),
    "channel_mix": N_("Top-up channel mix"),
    "nps": N_("NPS by month (promoters minus detractors)"),
    "csat": N_("CSAT by month (share of 4 and 5)"),
    "sla": N_("SLA compliance by month and queue"),
    "contact_mix": N_("Contact-channel mix (customers' contacts)"),
}
# A second measure drawn under a chart (the others are in its CSV only).
EXTRA_TITLES = {
    ("payments", "share"): TITLES["payments"],
    ("contact_mix", "tickets"): N_("Tickets opened by channel"),
    ("contact_mix", "share"): N_("Share of contacts by channel"),
}
KpiName = Annotated[str, Path(pattern="^(" + "|".join(TITLES) + ")$")]


def _range(uow: Uow, start: date | None, end: date | None) -> tuple[date, date]:
    """The range asked; else the store's last 90 days; else the last 90 days by the clock."""
    with analytics.connect() as con:
        span = analytics.event_days(con)
    last = span[1] if span else uow.clock.now().astimezone(TASHKENT).date()
    end = end or last
    start = start or end - timedelta(days=DEFAULT_DAYS - 1)
    analytics.check_range(start, end)
    return start, end


@router.get("/analytics")
def dashboards(
    request: Request,
    uow: Uow,
    start: Annotated[date | None, Query(alias="from")] = None,
    end: Annotated[date | None, Query(alias="to")] = None,
) -> Response:
    """Every KPI chart over the range (supervisors and admins)."""
    viewer = staff_member(request, uow, role="supervisor")
    start, end = _range(uow, start, end)
    language = page_language(request)
    charts = []
    gettext = pages_of(request).gettext
    for series in analytics.dashboard(start=start, end=end):
        svg = bar_chart(series.points, unit=series.unit, title=gettext(language, TITLES[series.kpi]))
        for name, points in series.extra.items():
            if (series.kpi, name) in EXTRA_TITLES:
                unit = "share" if name == "share" else "count"
                svg += bar_chart(points, unit=unit, title=gettext(language, EXTRA_TITLES[series.kpi, name]))
        charts.append({"kpi": series.kpi, "title": TITLES[series.kpi], "svg": Markup(svg)})  # noqa: S704 - escaped by charts
    return page(request, "analytics.html", viewer, charts=charts, start=start.isoformat(), end=end.isoformat())


@router.get("/analytics/{kpi}.csv")
def kpi_csv(
    request: Request,
    uow: Uow,
    kpi: KpiName,
    start: Annotated[date | None, Query(alias="from")] = None,
    end: Annotated[date | None, Query(alias="to")] = None,
) -> Response:
    """One KPI's figures over the range as CSV (supervisors and admins)."""
    staff_member(request, uow, role="supervisor")
    if kpi not in TITLES:
        raise NotFoundError("no such KPI")
    start, end = _range(uow, start, end)
    rows = analytics.csv_rows(analytics.kpi(kpi, start=start, end=end))
    return csv_download(rows, f"{kpi}-{start.isoformat()}-{end.isoformat()}.csv")
