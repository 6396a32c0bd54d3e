"""The console's feedback page (`/staff/feedback`, supervisor+): a survey's scores over a
period by channel, category and week, a table and an SVG bar chart (drawn on the server, no
script). Scores only: no customer's name or comment is shown, so nothing is logged."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Annotated

from fastapi import Query, Request
from fastapi.responses import Response

from yagona.app.staff.common import Uow, page
from yagona.crm import service as crm
from yagona.crm import web as crm_pages
from yagona.crm.schemas import SurveyKind
from yagona.kernel.clock import TASHKENT
from yagona.platform.auth import staff_member
from yagona.platform.pages.core import N_, page_router

router = page_router(prefix="/staff")
KINDS = {
    "nps": N_("NPS: would recommend (promoters minus detractors, per cent)"),
    "csat": N_("CSAT: satisfied after a request or a call (per cent)"),
    "ces": N_("CES: how easy a task was (1-7, average)"),
}
CATEGORIES = {
    "call": N_("A call"),
    "ticket": N_("A request"),
    "plan_switch": N_("A plan switch"),
    "wallet_payment": N_("A wallet payment"),
    "relationship": N_("The relationship"),
}
CHART_WIDTH = 300


@router.get("/feedback")
def feedback_page(
    request: Request,
    uow: Uow,
    kind: Annotated[str, Query(max_length=8)] = "nps",
    start: Annotated[date | None, Query(alias="from")] = None,
    end: Annotated[date | None, Query(alias="to")] = None,
) -> Response:
    """A survey's scores: overall, by channel, by category, by week (supervisors and admins)."""
    member = staff_member(request, uow, role="supervisor")
    chosen = kind if kind in set(SurveyKind) else SurveyKind.NPS.value
    scores = crm.feedback_scores(uow, kind=chosen, start=start, end=end)
    weeks = [(g.key, g.score) for g in scores.by_week if g.score is not None]
    return page(
        request,
        "feedback.html",
        member,
        kind=chosen,
        kinds=KINDS,
        scores=scores,
        start=scores.start.astimezone(TASHKENT).date().isoformat(),
        end=(scores.end - timedelta(days=1)).astimezone(TASHKENT).date().isoformat(),
        channels=crm_pages.CHANNELS,
        categories=CATEGORIES,
        bars=crm.feedback_bars(chosen, weeks, width=CHART_WIDTH),
        chart_width=CHART_WIDTH,
    )
