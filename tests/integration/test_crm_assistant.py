# ruff: noqa: RUF001 - Russian and Cyrillic Uzbek questions on purpose
"""The help assistant's service on SQLite and PostgreSQL: account questions answered from the
customer's own line, wallet and points; a request for a person, and a second unsure answer in
a row, open a contact request with the conversation; a signed-out visitor is told how to sign
in or call and nothing is kept; a question too long, or too many, is refused and writes
nothing; a PIN typed into a question is not kept."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from tests.factories import wallet as wallets
from tests.factories.lines import connect
from yagona.app.bootstrap import Container
from yagona.crm import service as crm
from yagona.crm.errors import EmptyTextError, QuestionTooLongError, TooManyQuestionsError
from yagona.crm.models import AssistantTurn
from yagona.kernel.clock import SimulatedClock
from yagona.platform.auth import Principal

PHONE = "998901234567"
CUSTOMER = "customer-1"


def _principal(language: str = "en") -> Principal:
    return Principal(customer_id=CUSTOMER, phones=(PHONE,), lines=(), via="session", language=language)


def _turns(container: Container) -> int:
    with container.uow() as uow:
        return uow.session.scalar(select(func.count()).select_from(AssistantTurn)) or 0


def test_account_questions_are_answered_from_the_customers_own_services(container: Container) -> None:
    with container.uow() as uow:
        connect(uow, msisdn=PHONE, plan="lider-start", deposit_som=50_000)
        wallets.register(uow, PHONE, customer_id=CUSTOMER)
        wallets.top_up(uow, PHONE, wallets.som(120_000))
        uow.commit()
    me = _principal()
    with container.uow() as uow:
        balance = crm.ask(uow, question="what is my balance", channel="portal", principal=me, language="en")
        bundles = crm.ask(uow, question="how much data is left", channel="portal", principal=me)
        fee = crm.ask(uow, question="when is my next payment due", channel="portal", principal=me)
        wallet = crm.ask(uow, question="how much is in my e-wallet", channel="portal", principal=me)
        points = crm.ask(uow, question="сколько у меня баллов", channel="portal", principal=me)
        uow.commit()
    # Lider Start: 40 000 first fee from a 50 000 deposit; 10 GB, 3 000 minutes, 500 SMS (+500/500 first month)
    assert balance.outcome == "account" and balance.article_id == "ussd-100"
    assert balance.text.startswith("+998 90 123 45 67 (Lider Start): the balance is 10 000 so'm.")
    assert "*100#" in balance.text
    assert bundles.outcome == "account" and "MB 10 240" in bundles.text and "minutes 3 000" in bundles.text
    assert fee.text.startswith("+998 90 123 45 67 (Lider Start): the next fee, 35 000 so'm, is charged on 15.04.2026")
    assert wallet.text.startswith("Wallet +998 90 123 45 67: Light, balance 120 000 so'm, available 120 000 so'm.")
    assert (points.language, points.outcome) == ("ru", "account")  # asked in Russian: answered in Russian
    assert points.text.startswith("У вас ") and "баллов; ваш уровень: Бронзовый." in points.text
    assert _turns(container) == 5


def test_signed_out_visitors_get_the_article_and_how_to_sign_in_and_nothing_is_kept(container: Container) -> None:
    with container.uow() as uow:
        balance = crm.ask(uow, question="balansim qancha", channel="portal", language="ru")
        plans = crm.ask(uow, question="tariflar narxi qancha", channel="portal")
        person = crm.ask(uow, question="operator kerak", channel="portal")
        unsure = crm.ask(uow, question="ertaga ob-havo qanday bo'ladi", channel="portal")
        again = crm.ask(uow, question="futbol natijalari", channel="portal", unsure_before=1)
        uow.commit()
    assert (balance.language, balance.outcome) == ("uz", "article")
    assert "*100#" in balance.text and "/login" in balance.text and "`" not in balance.text
    # The prices come from the catalogue at answer time: Lider Start's 35 000 a month.
    assert "Lider Start — 35 000 so'm oyiga" in plans.text and "Lider Ultra — 170 000 so'm oyiga" in plans.text
    assert person.outcome == "handover" and person.request_id is None and "/login" in person.text
    assert "0611" in person.text
    assert unsure.outcome == "unsure" and "operator" in unsure.text
    assert again.outcome == "handover" and again.request_id is None and "0611" in again.text
    assert _turns(container) == 0
    with container.uow() as uow:
        assert crm.contact_requests(uow, status=None) == []


def test_uzbek_asked_in_cyrillic_is_answered_in_cyrillic(container: Container) -> None:
    with container.uow() as uow:
        answer = crm.ask(uow, question="пин кодни унутдим", channel="portal", language="uz")
    assert (answer.language, answer.article_id) == ("uz", "pin")
    assert answer.text.startswith("ПИН-код (4-6 рақам) фақат сизники")
    with container.uow() as uow:
        plans = crm.ask(uow, question="тарифлар нархи қанча", channel="portal", language="uz")
    assert plans.article_id == "plans"
    assert "Lider Start — 35 000 сўм ойига" in plans.text  # a plan's name stays as the catalogue writes it


def test_asking_for_a_person_hands_the_conversation_over(container: Container, clock: SimulatedClock) -> None:
    me = _principal("uz")
    with container.uow() as uow:
        crm.ask(uow, question="Payme orqali qanday to'lanadi", channel="telegram", principal=me)
        clock.advance_by(timedelta(minutes=1))
        crm.ask(uow, question="pin 4321 ishlamayapti", channel="telegram", principal=me)
        clock.advance_by(timedelta(minutes=1))
        answer = crm.ask(uow, question="operator bilan gaplashmoqchiman", channel="telegram", principal=me)
        uow.commit()
    assert answer.outcome == "handover" and answer.request_id is not None
    assert answer.text.startswith(f"Suhbatimizni call-markazga topshirdim: murojaat {answer.request_id[-8:].upper()}.")
    with container.uow() as uow:
        [request] = crm.contact_requests(uow, customer_id=CUSTOMER)
        [entry] = crm.timeline(uow, customer_id=CUSTOMER)
    assert (request.id, request.channel) == (answer.request_id, "telegram")
    assert request.summary == "Help assistant: asked for a person; the conversation is attached"
    assert request.body.split(" | ")[1:] == [
        "Customer: Payme orqali qanday to'lanadi",
        "Assistant: article: Pay with Payme",
        "Customer: pin **** ishlamayapti",  # a PIN typed into a question is not kept
        "Assistant: article: The wallet PIN",
        "Customer: operator bilan gaplashmoqchiman",
    ]
    assert "4321" not in request.body
    assert entry.subject_id == request.id  # on the timeline, once


def test_a_second_unsure_answer_in_a_row_hands_over(container: Container, clock: SimulatedClock) -> None:
    me = _principal()
    with container.uow() as uow:
        first = crm.ask(uow, question="what will the weather be tomorrow", channel="portal", principal=me)
        clock.advance_by(timedelta(minutes=1))
        second = crm.ask(uow, question="football match results", channel="portal", principal=me)
        clock.advance_by(timedelta(minutes=1))
        third = crm.ask(uow, question="recommend a good restaurant", channel="portal", principal=me)
        uow.commit()
    assert first.outcome == "unsure" and first.text.startswith("I am not sure I understood.")
    assert second.outcome == "handover" and second.request_id is not None
    assert third.outcome == "unsure"  # a new streak after the hand-over
    with container.uow() as uow:
        [request] = crm.contact_requests(uow, customer_id=CUSTOMER)
    assert request.summary == "Help assistant: could not answer twice; the conversation is attached"
    assert "Customer: what will the weather be tomorrow | Assistant: not sure" in request.body
    # An unsure answer half an hour ago starts no streak: a new conversation.
    clock.advance_by(timedelta(minutes=31))
    with container.uow() as uow:
        assert crm.ask(uow, question="dollar exchange rate today", channel="portal", principal=me).outcome == "unsure"


def test_refused_questions_write_nothing(container: Container, clock: SimulatedClock) -> None:
    me = _principal()
    with container.uow() as uow:
        with pytest.raises(QuestionTooLongError) as too_long:
            crm.ask(uow, question="balance " * 70, channel="portal", principal=me)
        assert too_long.value.details == {"limit": 500}
        with pytest.raises(EmptyTextError):
            crm.ask(uow, question="   ", channel="portal", principal=me)
        uow.commit()
    assert _turns(container) == 0
    with container.uow() as uow:
        for _ in range(crm.assistant.RATE_LIMIT):
            crm.ask(uow, question="what is *111#", channel="portal", principal=me)
        with pytest.raises(TooManyQuestionsError):
            crm.ask(uow, question="what is *111#", channel="telegram", principal=me)
        uow.commit()
    assert _turns(container) == crm.assistant.RATE_LIMIT
    clock.advance_by(timedelta(minutes=11))
    with container.uow() as uow:
        assert crm.ask(uow, question="what is *111#", channel="portal", principal=me).article_id == "ussd-111"
        uow.commit()
    # A week later the old turns go when the customer asks again (privacy: kept only as long as needed).
    clock.advance_by(timedelta(days=7, minutes=1))
    with container.uow() as uow:
        crm.ask(uow, question="what is *111#", channel="portal", principal=me)
        uow.commit()
    assert _turns(container) == 1
