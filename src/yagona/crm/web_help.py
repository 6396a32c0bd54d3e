"""The help assistant's page (`/help`), for anyone: a question in uz, ru or en answered from
the knowledge base; a signed-in customer's account questions answered from their own
services (the session decides whose: no customer id is taken from the form) and "operator"
handing the conversation to the call-centre. A plain form that works without JavaScript;
with htmx the answer replaces itself in place (`hx-select`). Topics: `/help?topic=<id>`.

A question is at most 500 characters (`question_too_long`, 422) and a signed-in customer asks
at most 30 in 10 minutes (`too_many_questions`, 429): the refusal is said above the form and
nothing is written. Calls `service.ask` and holds no rule."""

from __future__ import annotations

import re
from typing import Annotated

from fastapi import Depends, Form, Query, Request
from fastapi.responses import Response
from markupsafe import Markup, escape

from yagona.crm import service
from yagona.crm.schemas import Direction, InteractionChannel
from yagona.crm.service.assistant import knowledge_base
from yagona.kernel.errors import YagonaError
from yagona.platform import i18n
from yagona.platform.auth import Principal, session_customer
from yagona.platform.pages.core import page_language, page_router, render
from yagona.platform.uow import UnitOfWork
from yagona.platform.web import unit_of_work

PAGE = "/help"
router = page_router(prefix=PAGE)
Uow = Annotated[UnitOfWork, Depends(unit_of_work)]
# A portal path in an answer becomes a link (escaped first: the answer is text, never HTML).
_PATH = re.compile(r"(?<![\w/])(/(?:login|wallet|plans|points|internet|account|pay|help)[\w/\-]*)")
OUTCOMES = {
    "article": "answered from the article «{title}»",
    "account": "answered from the customer's own services («{title}»)",
    "unsure": "was not sure of the answer",
    "handover": "handed the conversation to a person",
}


def linked(text: str) -> list[Markup]:
    """The answer's lines, escaped, with portal paths as links."""
    return [
        Markup(_PATH.sub(lambda m: f'<a href="{m.group(1)}">{m.group(1)}</a>', str(escape(line))))  # noqa: S704 - escaped first
        for line in text.splitlines()
        if line.strip()
    ]


def _topics(language: str) -> list[tuple[str, str]]:
    articles = knowledge_base().articles[language]
    return [(article.id, article.title.replace("`", "")) for article in articles.values()]


def _page(request: Request, *, status_code: int = 200, **context: object) -> Response:
    language = page_language(request)
    values: dict[str, object] = {
        "question": "",
        "answer": None,
        "lines": [],
        "error": None,
        "unsure": 0,
        "topic": None,
        "question_max": service.QUESTION_MAX,
        "topics": _topics(language),
    }
    values.update(context)
    return render(request, "crm/help.html", status_code=status_code, **values)


@router.get("")
def help_page(request: Request, uow: Uow, topic: Annotated[str, Query(max_length=40)] = "") -> Response:
    """The form and the topics; `?topic=` shows one article (an unknown one: the form alone)."""
    answer = service.show(uow, article_id=topic, language=page_language(request)) if topic else None
    if answer is None:
        return _page(request)
    return _page(request, answer=answer, lines=linked(answer.text), topic=topic)


@router.post("")
def ask(
    request: Request,
    uow: Uow,
    q: Annotated[str, Form(max_length=4000)] = "",
    unsure: Annotated[int, Form(ge=0, le=10)] = 0,
) -> Response:
    """Answer the question; signed in, the turn is kept and the timeline says what was asked
    about (never the question's words)."""
    principal = session_customer(request, uow)
    language = page_language(request)
    try:
        answer = service.ask(
            uow, question=q, channel="portal", principal=principal, language=language, unsure_before=unsure
        )
        if principal is not None:
            _record(uow, principal, answer)
        uow.commit()
    except YagonaError as error:
        uow.rollback()
        # htmx swaps only a 2xx answer: in place, the refusal is said with 200 above the form;
        # the plain form gets the refusal's own status.
        status = 200 if request.headers.get("hx-request") == "true" else error.http_status
        return _page(request, status_code=status, error=i18n.localize(error, language), question=q[:600])
    return _page(
        request,
        question=q,
        answer=answer,
        lines=linked(answer.text),
        unsure=unsure + 1 if answer.outcome == "unsure" else 0,
    )


def _record(uow: UnitOfWork, principal: Principal, answer: service.HelpAnswer) -> None:
    said = OUTCOMES[answer.outcome].format(title=answer.title or "")
    service.record_interaction(
        uow,
        customer_id=principal.customer_id,
        channel=InteractionChannel.PORTAL,
        direction=Direction.IN,
        summary=f"Help assistant: asked a question; it {said}",
        subject_kind="assistant",
        subject_id=answer.article_id,
    )
