"""Supervisors' offer acceptance (`/staff/analytics/offers`): the next-best offers made over a
range of days and what became of them, per kind and per segment — a chart, the numbers and a
CSV. Counts only: no customer is named, so no access-log row."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Annotated

from fastapi import Query, Request
from fastapi.responses import Response
from markupsafe import Markup

from yagona.analytics import service as analytics
from yagona.app.staff.charts import bar_chart, csv_download
from yagona.app.staff.common import Uow, page
from yagona.kernel.clock import TASHKENT
from yagona.platform.auth import staff_member
from yagona.platform.pages.core import N_, page_language, page_router, pages_of

router = page_router(prefix="/staff/analytics/offers")
DEFAULT_DAYS = 30
KINDS = {
    "cheaper_plan": N_("A cheaper plan"),
    "bundle": N_("A bigger bundle"),
    "loyalty_discount": N_("A loyalty discount"),
}
From = Annotated[date | None, Query(alias="from")]
To = Annotated[date | None, Query(alias="to")]


def _range(uow: Uow, start: date | None, end: date | None) -> tuple[date, date]:
    """The range asked; else the last 30 days by the clock."""
    end = end or uow.clock.now().astimezone(TASHKENT).date()
    start = start or end - timedelta(days=DEFAULT_DAYS - 1)
    analytics.check_range(start, end)
    return start, end


@router.get("")
def acceptance_page(request: Request, uow: Uow, start: From = None, end: To = None) -> Response:
    """Acceptance rate per offer kind and per segment over the range (supervisors and admins)."""
    viewer = staff_member(request, uow, role="supervisor")
    start, end = _range(uow, start, end)
    found = analytics.acceptance(uow, start=start, end=end)
    gettext = pages_of(request).gettext
    language = page_language(request)
    title = gettext(language, N_("Acceptance rate by offer kind"))
    made = sum(rate.made for rate in found.by_kind)
    points = [(gettext(language, KINDS.get(r.group, r.group)), r.rate) for r in found.by_kind]
    svg = Markup(bar_chart(points, unit="share", title=title)) if made else ""  # noqa: S704 - escaped by charts
    return page(
        request,
        "offers.html",
        viewer,
        found=found,
        kinds=KINDS,
        chart=svg,
        made=made,
        start=start.isoformat(),
        end=end.isoformat(),
    )


@router.get("/acceptance.csv")
def acceptance_csv(request: Request, uow: Uow, start: From = None, end: To = None) -> Response:
    """The same figures as CSV (supervisors and admins)."""
    staff_member(request, uow, role="supervisor")
    start, end = _range(uow, start, end)
    rows = analytics.acceptance_csv(analytics.acceptance(uow, start=start, end=end))
    return csv_download(rows, f"offers-{start.isoformat()}-{end.isoformat()}.csv")
