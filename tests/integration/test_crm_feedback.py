"""Feedback on SQLite and PostgreSQL: a survey offered after an interaction goes out by SMS with
its link, at most once in 30 days and never in quiet hours; its answer is stored with the
interaction it follows and is on the timeline; a detractor opens a follow-up request; a bad
score, a second answer or a forged link is refused in the caller's language with nothing
written; the triggers (a resolved ticket, a plan switch) offer the right survey; scores by
channel, category and week."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tests.factories.identity import context, customer
from yagona.app.bootstrap import Container
from yagona.crm import service as crm
from yagona.crm.errors import (
    SurveyAnsweredError,
    SurveyExpiredError,
    SurveyNotFoundError,
    SurveyScoreError,
    UnknownKindError,
)
from yagona.crm.schemas import SurveyRead
from yagona.identity.schemas import CustomerRead, Language
from yagona.kernel.clock import TASHKENT, SimulatedClock
from yagona.kernel.ids import new_id
from yagona.notify import delivery as notify_delivery
from yagona.notify import service as notify
from yagona.notify.settings import NotifySettings
from yagona.platform import i18n
from yagona.platform.bus import EventEnvelope
from yagona.platform.settings import Settings

PHONE, OTHER = "998901234567", "998907654321"


def _customer(container: Container, settings: Settings, phone: str = PHONE, **kw: object) -> CustomerRead:
    with container.uow() as uow:
        made = customer(uow, context(settings), phone, **kw)  # type: ignore[arg-type]
        uow.commit()
    return made


def _offer(container: Container, who: CustomerRead, kind: str = "csat", **kw: str) -> SurveyRead | None:
    with container.uow() as uow:
        entry = crm.record_interaction(
            uow, customer_id=who.id, channel="staff", direction="in", summary="Asked about roaming", subject_kind="call"
        )
        offered = crm.offer_survey(
            uow,
            customer_id=who.id,
            kind=kind,
            trigger=kw.get("trigger", "call"),
            channel=kw.get("channel", "staff"),
            category=kw.get("category", "call"),
            interaction_id=entry,
        )
        uow.commit()
    return offered


def _sms(container: Container, settings: Settings, phone: str = PHONE) -> list[str]:
    sealer = notify.sealer_for(settings.secret_key.get_secret_value())
    with container.uow() as uow:
        return [m.body or "" for m in notify.outbox(uow, recipient=phone, sealer=sealer, env="test")]


def test_a_survey_goes_out_by_sms_with_its_link_at_most_once_in_30_days(
    container: Container, settings: Settings, clock: SimulatedClock
) -> None:
    who = _customer(container, settings, language=Language.RU)
    first = _offer(container, who)
    assert first is not None and first.status == "sent" and first.language == "ru"
    [text] = [t for t in _sms(container, settings) if "/feedback/" in t]
    assert text.startswith("Yagona: как мы решили ваш вопрос? Оцените: https://")
    assert text.endswith(f"/feedback/{crm.survey_token(first.id)}?lang=ru")
    clock.advance_by(timedelta(days=29))
    assert _offer(container, who, kind="ces") is None  # asked 29 days ago: not again
    clock.advance_by(timedelta(days=1))
    again = _offer(container, who, kind="ces")
    assert again is not None and again.kind == "ces"
    with container.uow() as uow:
        assert [s.kind for s in crm.surveys_of(uow, customer_id=who.id)] == ["ces", "csat"]


def test_a_survey_offered_at_night_is_sent_at_eight(
    container: Container, settings: Settings, clock: SimulatedClock
) -> None:
    who = _customer(container, settings)
    clock.advance_to(datetime(2026, 3, 15, 23, 10, tzinfo=TASHKENT))
    held = _offer(container, who)
    assert held is not None and held.status == "due"
    assert held.send_at == datetime(2026, 3, 16, 8, 0, tzinfo=TASHKENT)
    assert not [t for t in _sms(container, settings) if "/feedback/" in t]
    assert container.jobs.run_due() == []  # not yet
    clock.advance_to(datetime(2026, 3, 16, 8, 0, tzinfo=TASHKENT))
    [outcome] = container.jobs.run_due()
    assert outcome.ok and outcome.effects == [{"kind": "survey_sent", "survey": held.id}]
    assert len([t for t in _sms(container, settings) if "/feedback/" in t]) == 1


def test_an_answer_is_stored_with_its_interaction_and_is_on_the_timeline(
    container: Container, settings: Settings
) -> None:
    who = _customer(container, settings, language=Language.EN)
    offered = _offer(container, who)
    assert offered is not None and offered.interaction_id
    with container.uow() as uow:
        answered = crm.answer_survey(
            uow, token=crm.survey_token(offered.id), score=4, comment="  Quick and polite ", channel="portal"
        )
        uow.commit()
    assert (answered.score, answered.comment, answered.status) == (4, "Quick and polite", "answered")
    assert answered.interaction_id == offered.interaction_id
    assert answered.follow_up_id is None  # CSAT 4 is no detractor (and only NPS has them)
    with container.uow() as uow:
        [entry] = crm.timeline_page(uow, customer_id=who.id, kind="survey").items
        assert (entry.summary, entry.channel, entry.subject_id) == (
            "Answered a survey: CSAT 4/5 — Quick and polite", "portal", offered.id
        )  # fmt: skip
        [call] = crm.timeline_page(uow, customer_id=who.id, kind="call").items
        assert call.id == offered.interaction_id
        with pytest.raises(UnknownKindError):
            crm.timeline_page(uow, customer_id=who.id, kind="fax")


def test_a_detractor_opens_a_follow_up_request_and_a_promoter_does_not(
    container: Container, settings: Settings
) -> None:
    unhappy = _customer(container, settings, language=Language.UZ)
    happy = _customer(container, settings, OTHER)
    answers = {}
    for who, score in ((unhappy, 3), (happy, 9)):
        offered = _offer(container, who, kind="nps", trigger="relationship", category="relationship")
        assert offered is not None
        with container.uow() as uow:
            answers[who.id] = crm.answer_survey(
                uow, token=crm.survey_token(offered.id), score=score, comment="Internet is slow" if score < 5 else ""
            )
            uow.commit()
    with container.uow() as uow:
        [request] = crm.contact_requests(uow)
        assert request.customer_id == unhappy.id and request.id == answers[unhappy.id].follow_up_id
        assert (request.summary, request.body) == ("NPS 3/10: mijoz norozi — qayta bog'laning", "Internet is slow")
        assert answers[happy.id].follow_up_id is None


def test_a_bad_score_a_second_answer_and_a_forged_link_are_refused_writing_nothing(
    container: Container, settings: Settings
) -> None:
    who = _customer(container, settings)
    offered = _offer(container, who, kind="nps")
    assert offered is not None
    token = crm.survey_token(offered.id)
    for bad in (11, -1):
        with container.uow() as uow, pytest.raises(SurveyScoreError) as refused:
            crm.answer_survey(uow, token=token, score=bad)
    assert i18n.localize(refused.value, "ru") == "Оценка должна быть целым числом от 0 до 10"
    assert i18n.localize(refused.value, "uz") == "Baho 0 dan 10 gacha butun son bo'lishi kerak"
    forged = crm.survey_token(new_id())  # a real shape, but no such survey
    tampered = token[:-2] + ("AA" if token[-2:] != "AA" else "BB")
    for wrong in (forged, tampered, "not-a-token"):
        with container.uow() as uow, pytest.raises(SurveyNotFoundError):
            crm.answer_survey(uow, token=wrong, score=5)
    with container.uow() as uow:
        assert crm.survey_by_token(uow, token=token).status == "sent"  # nothing written
        assert crm.timeline_page(uow, customer_id=who.id, kind="survey").items == []
        crm.answer_survey(uow, token=token, score=10)
        uow.commit()
    with container.uow() as uow, pytest.raises(SurveyAnsweredError):
        crm.answer_survey(uow, token=token, score=0)
    with container.uow() as uow:
        assert crm.survey_by_token(uow, token=token).score == 10
        assert crm.contact_requests(uow) == []  # the replayed 0 opened nothing


def test_a_resolved_ticket_and_a_plan_switch_offer_csat_and_ces(
    container: Container, settings: Settings, clock: SimulatedClock
) -> None:
    who = _customer(container, settings)
    ticket = EventEnvelope(
        new_id(), "crm.ticket_resolved", clock.now(),
        {"ticket_id": "t-1", "customer_id": who.id, "category": "complaint", "channel": "telegram"},
    )  # fmt: skip
    assert container.bus.dispatch(ticket)
    assert container.bus.dispatch(ticket)  # delivered twice: one survey
    with container.uow() as uow:
        [csat] = crm.surveys_of(uow, customer_id=who.id)
    assert (csat.kind, csat.trigger, csat.category, csat.channel) == (
        "csat",
        "ticket_resolved",
        "complaint",
        "telegram",
    )

    other = _customer(container, settings, OTHER)
    with container.uow() as uow:
        crm.record_interaction(uow, customer_id=other.id, channel="ussd", direction="in", summary="*100*3#")
        uow.commit()
    clock.advance_by(timedelta(minutes=2))
    switched = EventEnvelope(
        new_id(), "lines.plan_switched", clock.now(), {"msisdn": OTHER, "from_plan": "a", "to_plan": "b"}
    )
    assert container.bus.dispatch(switched)
    with container.uow() as uow:
        [ces] = crm.surveys_of(uow, customer_id=other.id)
        [line_entry] = crm.timeline_page(uow, customer_id=other.id, kind="line").items
    assert (ces.kind, ces.category, ces.channel) == ("ces", "plan_switch", "ussd")  # switched by USSD
    assert ces.interaction_id == line_entry.id  # the switch's own entry on the timeline


def test_scores_by_channel_category_and_week(container: Container, settings: Settings, clock: SimulatedClock) -> None:
    phones = [f"99890{n:07d}" for n in range(1, 6)]
    plan = [("staff", "call", 10), ("staff", "call", 9), ("portal", "ticket", 3), ("portal", "ticket", 8)]
    for phone, (channel, category, score) in zip(phones, plan, strict=False):
        who = _customer(container, settings, phone)
        offered = _offer(container, who, kind="nps", channel=channel, category=category)
        assert offered is not None
        with container.uow() as uow:
            crm.answer_survey(uow, token=crm.survey_token(offered.id), score=score)
            uow.commit()
        clock.advance_by(timedelta(days=4))
    with container.uow() as uow:
        scores = crm.feedback_scores(uow, kind="nps")
        assert crm.feedback_scores(uow, kind="csat").answers == 0
    assert (scores.answers, scores.score) == (4, 25.0)  # 2 promoters, 1 detractor of 4
    assert [(g.key, g.answers, g.score) for g in scores.by_channel] == [("portal", 2, -50.0), ("staff", 2, 100.0)]
    assert [(g.key, g.score) for g in scores.by_category] == [("call", 100.0), ("ticket", -50.0)]
    assert [(g.key, g.answers) for g in scores.by_week] == [
        ("2026-03-09", 1),
        ("2026-03-16", 1),
        ("2026-03-23", 2),
    ]  # Sun 15, Thu 19, Mon 23, Fri 27


def test_a_wallet_payment_offers_ces_following_its_entry_and_a_stranger_gets_none(
    container: Container, settings: Settings, clock: SimulatedClock
) -> None:
    who = _customer(container, settings)
    clock.advance_by(timedelta(hours=1))  # no contact in the 15 minutes before: the channel is `account`
    paid = {
        "phone": PHONE,
        "provider": "mobile",
        "account": OTHER,
        "amount": 500_000,
        "commission": 0,
        "receipt": "R-1",
    }
    assert container.bus.dispatch(EventEnvelope(new_id(), "wallet.paid", clock.now(), paid))
    stranger = {**paid, "phone": "998935550000", "receipt": "R-2"}  # nobody's wallet: skipped
    assert container.bus.dispatch(EventEnvelope(new_id(), "wallet.paid", clock.now(), stranger))
    with container.uow() as uow:
        [ces] = crm.surveys_of(uow, customer_id=who.id)
        [entry] = crm.timeline_page(uow, customer_id=who.id, kind="wallet").items
    assert (ces.kind, ces.category, ces.channel, ces.interaction_id) == ("ces", "wallet_payment", "account", entry.id)


def test_a_link_answers_for_two_weeks(container: Container, settings: Settings, clock: SimulatedClock) -> None:
    who = _customer(container, settings)
    offered = _offer(container, who)
    assert offered is not None
    clock.advance_by(timedelta(days=14, minutes=1))
    with container.uow() as uow, pytest.raises(SurveyExpiredError) as refused:
        crm.answer_survey(uow, token=crm.survey_token(offered.id), score=5)
    assert refused.value.http_status == 410
    assert i18n.localize(refused.value, "uz") == "Bu so'rovnoma muddati tugagan"


def test_a_survey_notify_refuses_is_not_offered_and_the_call_note_stands(
    container: Container, settings: Settings
) -> None:
    who = _customer(container, settings, language=Language.RU)  # Russian: two UCS-2 parts
    strict = NotifySettings(sms_max_parts=1)
    notify_delivery.install(notify_delivery.for_environment(strict, env="test", secret_key="k" * 32))
    try:
        assert _offer(container, who) is None
    finally:
        assert container.delivery is not None
        notify_delivery.install(container.delivery)
    with container.uow() as uow:
        assert crm.surveys_of(uow, customer_id=who.id) == []
        assert [e.summary for e in crm.timeline_page(uow, customer_id=who.id, kind="call").items] == [
            "Asked about roaming"
        ]
    assert _offer(container, who) is not None  # the limit back: offered (nothing counted before)


def test_the_daily_relationship_nps_asks_customers_of_a_month_once_a_quarter(
    container: Container, settings: Settings, clock: SimulatedClock
) -> None:
    old = _customer(container, settings)
    clock.advance_by(timedelta(days=31))
    new = _customer(container, settings, OTHER)  # a day of service: not asked yet
    with container.uow() as uow:
        assert crm.arm_nps(uow)
        uow.commit()
    clock.advance_by(timedelta(days=1, minutes=1))
    [sweep] = [o for o in container.jobs.run_due() if o.job.kind == crm.NPS_JOB]
    assert sweep.ok and sweep.effects == [{"kind": "nps_offered", "count": 1}]
    with container.uow() as uow:
        [survey] = crm.surveys_of(uow, customer_id=old.id)
        assert (survey.kind, survey.trigger) == ("nps", "relationship")
        assert crm.surveys_of(uow, customer_id=new.id) == []
        assert crm.sweep_nps(uow) == 0  # asked this quarter (and the new customer still too new)
    clock.advance_by(timedelta(days=40))
    with container.uow() as uow:  # a month on: the new customer's turn; the old one waits a quarter
        assert crm.sweep_nps(uow) == 1
        assert [s.kind for s in crm.surveys_of(uow, customer_id=new.id)] == ["nps"]
        assert len(crm.surveys_of(uow, customer_id=old.id)) == 1
        uow.commit()
    assert any("/feedback/" in text for text in _sms(container, settings, OTHER))


def test_the_nps_pass_arms_the_next_day_on_a_clock_that_reads_tashkent_time(
    container: Container, clock: SimulatedClock
) -> None:
    """The pass runs at its due time read back from the database (UTC) and names the next
    day's job by its Tashkent day: a clock reading Tashkent time must not make it name the job
    running now (it then stopped after one pass)."""
    start = clock.now().astimezone(TASHKENT).replace(hour=0, minute=0, second=0, microsecond=0) + timedelta(days=1)
    clock.advance_to(start)
    with container.uow() as uow:
        assert crm.arm_nps(uow)
        uow.commit()
    passes = 0
    for _ in range(3):  # the clock now reads UTC, as a job's due time comes back from the database
        clock.advance_to((clock.now() + timedelta(days=1, minutes=1)).astimezone(UTC))
        passes += sum(1 for o in container.jobs.run_due() if o.job.kind == crm.NPS_JOB and o.ok)
    assert passes == 3
