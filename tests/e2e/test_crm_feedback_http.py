"""Feedback over a real socket: a survey's link (`/feedback/{token}`) answers without signing
in, once — a replay is refused (409), a forged or mistyped token is a 404, a score off the
scale is the form again in the visitor's language (422), nothing written; a detractor's answer
opens a follow-up in the call-centre's queue. `/staff/feedback` is a supervisor's (signed out:
to the sign-in; an agent: 403), `GET /api/v1/staff/feedback/scores` the staff key's (401
without). The timeline's kind filter on `/account/history` and `/api/v1/me/interactions`."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import Engine

from tests.e2e.server import serving
from tests.e2e.test_lines_me_http import STAFF, Site
from tests.factories.identity import context, customer
from tests.factories.staff import csrf_token, member
from yagona.app.api import create_app
from yagona.app.bootstrap import bootstrap
from yagona.crm import service as crm
from yagona.identity import service as identity
from yagona.identity.schemas import Language
from yagona.kernel.clock import SimulatedClock, SystemClock
from yagona.kernel.ids import new_id
from yagona.platform.settings import Settings

pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
DILNOZA = "998901234567"
SCORES = "/api/v1/staff/feedback/scores"


@pytest.fixture
def site(settings: Settings, engine: Engine) -> Iterator[Site]:
    clock = SimulatedClock(SystemClock().now())  # sessions are checked against the real time
    container = bootstrap(settings, clock=clock, engine=engine, configure_logs=False)
    app = create_app(settings, container=container)
    with serving(app) as url:
        app.state.identity = context(settings, issuer=url)
        site = Site(url, container, app.state)
        with container.uow() as uow:
            dilnoza = customer(uow, app.state.identity, DILNOZA, language=Language.RU)
            # She approved both members' access to her cabinet (privacy: staff access with permission).
            member(uow, app.state.identity, "agent", access_to=[dilnoza.id])
            member(uow, app.state.identity, "supervisor", access_to=[dilnoza.id])
            uow.commit()
        try:
            yield site
        finally:
            for client in site.opened:
                client.close()


def _survey(site: Site, kind: str = "nps") -> tuple[str, str]:
    """A survey offered after a call note: (the customer's id, the link's token)."""
    with site.container.uow() as uow:
        found = identity.find_customer_by_phone(uow, phone=DILNOZA)
        assert found is not None
        entry = crm.record_interaction(
            uow, customer_id=found.id, channel="staff", direction="in", summary="Slow internet", subject_kind="call"
        )
        offered = crm.offer_survey(
            uow, customer_id=found.id, kind=kind, trigger="call", channel="staff", category="call", interaction_id=entry
        )
        uow.commit()
    assert offered is not None
    return found.id, crm.survey_token(offered.id)


def test_a_survey_link_answers_once_without_signing_in(site: Site) -> None:
    customer_id, token = _survey(site)
    browser = site.client(headers={"Accept": "text/html"})
    page = browser.get(f"/feedback/{token}?lang=ru")
    assert page.status_code == 200 and 'name="score" value="10"' in page.text
    assert 'name="score" value="11"' not in page.text

    off_scale = browser.post(f"/feedback/{token}", data={"score": "11", "csrf_token": csrf_token(page)})
    assert off_scale.status_code == 422 and "Оценка должна быть целым числом от 0 до 10" in off_scale.text
    no_token = browser.post(f"/feedback/{token}", data={"score": "3"})
    assert no_token.status_code == 403  # the form's CSRF token is required

    done = browser.post(
        f"/feedback/{token}", data={"score": "3", "comment": "Медленно", "csrf_token": csrf_token(page)}
    )
    assert done.status_code == 200 and 'data-testid="survey-thanks"' in done.text
    replay = browser.post(f"/feedback/{token}", data={"score": "10", "csrf_token": csrf_token(page)})
    assert replay.status_code == 409 and "На этот опрос уже ответили" in replay.text  # noqa: RUF001
    assert browser.get(f"/feedback/{token}").status_code == 409

    forged = crm.survey_token(new_id())
    for wrong in (forged, token[:-3] + "abc", "AAAAAAAAAAAAAAAAAAAA"):
        answer = browser.post(f"/feedback/{wrong}", data={"score": "10", "csrf_token": csrf_token(page)})
        assert answer.status_code == 404, wrong
        assert browser.get(f"/feedback/{wrong}").status_code == 404

    with site.container.uow() as uow:
        [survey] = crm.surveys_of(uow, customer_id=customer_id)
        [request] = crm.contact_requests(uow, customer_id=customer_id)
    assert (survey.score, survey.comment, survey.answer_channel) == (3, "Медленно", "portal")
    assert survey.follow_up_id == request.id and request.body == "Медленно"
    # The detractor is in the call-centre's queue, and the 360 shows the answer.
    agent = site.console("test-agent")
    assert "NPS 3/10" in agent.get("/staff/tickets").text


def test_the_feedback_page_is_a_supervisors_and_the_scores_api_the_staff_keys(site: Site) -> None:
    _, token = _survey(site)
    with site.container.uow() as uow:
        crm.answer_survey(uow, token=token, score=10)
        uow.commit()

    anonymous = site.client(headers={"Accept": "text/html"})
    answer = anonymous.get("/staff/feedback")
    assert answer.status_code == 303 and answer.headers["location"] == "/staff/login"
    assert site.signed_in_by_sms(DILNOZA).get("/staff/feedback").status_code == 303  # a customer: no
    agent = site.console("test-agent")
    assert agent.get("/staff/feedback").status_code == 403
    assert 'href="/staff/feedback"' not in agent.get("/staff").text
    supervisor = site.console("test-supervisor")
    page = supervisor.get("/staff/feedback?kind=nps")
    assert page.status_code == 200 and "<svg" in page.text and 'href="/staff/feedback"' in page.text
    assert "<strong>100.0</strong>" in page.text and "Call-centre" in page.text
    assert "No answer in this period." in supervisor.get("/staff/feedback?kind=csat").text

    assert site.client().get(SCORES).status_code == 401
    assert site.client(headers={"X-Api-Key": "wrong"}).get(SCORES).status_code == 401
    assert site.signed_in_by_sms(DILNOZA).get(SCORES).status_code == 401  # a customer's session: no
    scores = site.client(headers=STAFF).get(SCORES, params={"kind": "nps"})
    assert scores.status_code == 200, scores.text
    body = scores.json()
    assert (body["answers"], body["score"]) == (1, 100.0)
    assert body["by_channel"] == [{"key": "staff", "answers": 1, "score": 100.0}]
    assert body["start"].endswith("+05:00")
    assert site.client(headers=STAFF).get(SCORES, params={"kind": "xyz"}).status_code == 422


def test_the_history_filters_by_kind(site: Site) -> None:
    customer_id, token = _survey(site, kind="csat")
    with site.container.uow() as uow:
        crm.record_interaction(uow, customer_id=customer_id, channel="ussd", direction="in", summary="*100# balance")
        crm.answer_survey(uow, token=token, score=5, channel="portal")
        uow.commit()
    dilnoza = site.signed_in_by_sms(DILNOZA)
    surveys = dilnoza.get("/account/history?kind=survey&lang=en")
    assert surveys.status_code == 200 and "Answered a survey: CSAT 5/5" not in surveys.text  # her language: ru
    assert "Ответил на опрос: CSAT 5/5" in surveys.text and "*100# balance" not in surveys.text
    assert "Slow internet" not in surveys.text
    calls = dilnoza.get("/api/v1/me/interactions", params={"kind": "call"}).json()["items"]
    assert [e["summary"] for e in calls] == ["Slow internet"]
    assert dilnoza.get("/api/v1/me/interactions", params={"kind": "fax"}).status_code == 422
    assert "*100# balance" in dilnoza.get("/account/history?kind=fax").text  # an unknown filter: everything


def test_a_call_note_offers_csat_and_the_360_shows_payments_consents_devices_and_feedback(site: Site) -> None:
    with site.container.uow() as uow:
        found = identity.find_customer_by_phone(uow, phone=DILNOZA)
    assert found is not None
    agent = site.console("test-agent")
    opened = agent.post(
        f"/staff/customers/{found.id}",
        data={"reason": "customer called", "csrf_token": csrf_token(agent.get("/staff"))},
    )
    assert opened.status_code == 200
    for heading in ("Recent payments", "Consents", "Devices", "Feedback", "No survey yet."):
        assert heading in opened.text, heading
    assert "No payment through Payme or Click yet." in opened.text and "no device subscribed" in opened.text
    noted = agent.post(
        f"/staff/customers/{found.id}/notes",
        data={"text": "Explained roaming prices", "direction": "in", "csrf_token": csrf_token(agent.get("/staff"))},
    )
    assert noted.status_code == 200
    with site.container.uow() as uow:
        [survey] = crm.surveys_of(uow, customer_id=found.id)
        [call] = crm.timeline_page(uow, customer_id=found.id, kind="call").items
    assert (survey.kind, survey.trigger, survey.channel, survey.interaction_id) == ("csat", "call", "staff", call.id)
    again = agent.post(
        f"/staff/customers/{found.id}",
        data={"reason": "checking the survey", "csrf_token": csrf_token(agent.get("/staff"))},
    )
    assert "CSAT · call" in again.text and "No survey yet." not in again.text
    # The whole timeline, calls only.
    calls = agent.post(
        f"/staff/customers/{found.id}/timeline",
        data={"reason": "the calls", "kind": "call", "csrf_token": csrf_token(agent.get("/staff"))},
    )
    assert calls.status_code == 200 and "Explained roaming prices" in calls.text
    assert 'option value="call" selected' in calls.text
