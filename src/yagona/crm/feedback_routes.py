"""REST of feedback.

- `GET /api/v1/staff/feedback/scores?kind=nps|csat|ces&from=&to=` — the staff key
  (`X-Api-Key`): a survey's scores over a period of days (Tashkent, both included; by default
  the last 12 weeks), overall and by channel, category and week. The same service as the
  console's `/staff/feedback`. Scores only: no customer, no comment.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query

from yagona.crm import service
from yagona.crm.schemas import FeedbackScores, ScoreGroup, SurveyKind
from yagona.platform.api import ApiRead, Timestamp
from yagona.platform.auth import require_staff
from yagona.platform.uow import UnitOfWork
from yagona.platform.web import unit_of_work

_PROBLEM = {"application/problem+json": {"schema": {"type": "object", "required": ["status", "code"]}}}
STAFF_PROBLEMS: dict[int | str, dict[str, Any]] = {
    401: {"description": "no staff key, or a wrong one", "content": _PROBLEM},
    422: {"description": "an unknown survey kind, or a date that is not one", "content": _PROBLEM},
}
staff_router = APIRouter(
    prefix="/api/v1/staff/feedback",
    tags=["feedback (staff)"],
    dependencies=[Depends(require_staff)],
    responses=STAFF_PROBLEMS,
)
Uow = Annotated[UnitOfWork, Depends(unit_of_work)]


class ScoreGroupView(ApiRead):
    key: str
    answers: int
    score: float | None

    @classmethod
    def of(cls, group: ScoreGroup) -> ScoreGroupView:
        return cls(key=group.key, answers=group.answers, score=group.score)


class ScoresView(ApiRead):
    kind: SurveyKind
    start: Timestamp
    end: Timestamp
    answers: int
    score: float | None
    by_channel: list[ScoreGroupView]
    by_category: list[ScoreGroupView]
    by_week: list[ScoreGroupView]

    @classmethod
    def of(cls, scores: FeedbackScores) -> ScoresView:
        return cls(
            kind=scores.kind,
            start=scores.start,
            end=scores.end,
            answers=scores.answers,
            score=scores.score,
            by_channel=[ScoreGroupView.of(g) for g in scores.by_channel],
            by_category=[ScoreGroupView.of(g) for g in scores.by_category],
            by_week=[ScoreGroupView.of(g) for g in scores.by_week],
        )


@staff_router.get("/scores")
def feedback_scores(
    uow: Uow,
    kind: SurveyKind = SurveyKind.NPS,
    start: Annotated[date | None, Query(alias="from")] = None,
    end: Annotated[date | None, Query(alias="to")] = None,
) -> ScoresView:
    """NPS (% promoters - % detractors), CSAT (% satisfied) or CES (the average effort)."""
    return ScoresView.of(service.feedback_scores(uow, kind=kind, start=start, end=end))
