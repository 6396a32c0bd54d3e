"""The survey's page (`/feedback/{token}`): the link an SMS carries, answered without signing
in. The token is the survey's id signed with the deployment's key: a forged or mistyped one
is a 404 page, a survey answered already a 409 page (a replayed link changes nothing), an
expired one a 410 page, a score off the scale the form again with the scale (422)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Form, Path, Request
from fastapi.responses import Response

from yagona.crm import service
from yagona.crm.errors import SurveyAnsweredError, SurveyExpiredError, SurveyScoreError
from yagona.crm.schemas import SurveyRead
from yagona.platform import i18n
from yagona.platform.pages.core import N_, page_language, page_router, render
from yagona.platform.uow import UnitOfWork
from yagona.platform.web import unit_of_work

router = page_router(prefix="/feedback")
Uow = Annotated[UnitOfWork, Depends(unit_of_work)]
Token = Annotated[str, Path(min_length=10, max_length=64, pattern=r"^[A-Za-z0-9_-]+$")]

QUESTIONS = {
    "nps": N_("How likely are you to recommend Yagona to a friend or colleague?"),
    "csat": N_("How satisfied are you with how we handled your request?"),
    "ces": N_("How easy was it to do what you wanted?"),
}
ENDS = {
    "nps": (N_("Not at all likely"), N_("Extremely likely")),
    "csat": (N_("Very dissatisfied"), N_("Very satisfied")),
    "ces": (N_("Very hard"), N_("Very easy")),
}
SCALES = {"nps": range(11), "csat": range(1, 6), "ces": range(1, 8)}


def _form(request: Request, survey: SurveyRead, *, error: str | None = None, status_code: int = 200) -> Response:
    return render(
        request,
        "crm/feedback.html",
        status_code=status_code,
        survey=survey,
        question=QUESTIONS[survey.kind],
        ends=ENDS[survey.kind],
        scale=SCALES[survey.kind],
        error=error,
        thanks=False,
    )


@router.get("/{token}")
def survey_page(request: Request, uow: Uow, token: Token) -> Response:
    """The survey's question and scale, an optional comment."""
    survey = service.survey_by_token(uow, token=token)  # forged or mistyped: the 404 page
    if survey.status == "answered":
        raise SurveyAnsweredError("this survey is answered already")
    if service.survey_expired(uow, survey):
        raise SurveyExpiredError("this survey has expired")
    return _form(request, survey)


@router.post("/{token}")
def answer(
    request: Request,
    uow: Uow,
    token: Token,
    score: Annotated[str, Form(max_length=4)] = "",
    comment: Annotated[str, Form(max_length=1000)] = "",
) -> Response:
    """The answer, once; then thanks."""
    survey = service.survey_by_token(uow, token=token)
    value = int(score) if score.strip().isdigit() else -1
    try:
        service.answer_survey(uow, token=token, score=value, comment=comment, channel="portal")
    except SurveyScoreError as error:  # the form again, saying the scale; nothing written
        return _form(request, survey, error=i18n.localize(error, page_language(request)), status_code=422)
    uow.commit()
    return render(request, "crm/feedback.html", survey=survey, thanks=True, error=None)
