"""What the timeline says of an event, in the customer's language: every phrase in uz, ru and
en with the same placeholders; a message described by its template, never its text; another
person's number half hidden; a message's state only moving forward."""

from __future__ import annotations

import string

import pytest

from yagona.crm import rules

TABLES = {"phrases": rules.PHRASES, "words": rules.WORDS, "templates": rules.TEMPLATES, "reminders": rules.REMINDERS}


@pytest.mark.parametrize("table", sorted(TABLES))
def test_every_phrase_speaks_three_languages_with_the_same_placeholders(table: str) -> None:
    for key, texts in TABLES[table].items():
        assert set(texts) == {"uz", "ru", "en"}, key
        fields = {lang: {f for _, f, _, _ in string.Formatter().parse(text) if f} for lang, text in texts.items()}
        assert fields["uz"] == fields["ru"] == fields["en"], key


def test_a_message_is_described_by_its_template_in_the_customer_s_language() -> None:
    assert rules.message_summary(channel="sms", template="identity.otp", language="en") == "SMS: sign-in code"
    assert rules.message_summary(channel="push", template="notify.text", language="ru") == "Push-уведомление: сообщение"
    assert rules.message_summary(channel="sms", template="home.fee_tomorrow", language="uz") == (
        "SMS: ertaga uy interneti uchun to'lov"
    )
    assert rules.reminder_summary("no-such-rule", "en") == "Reminder sent"


def test_a_sign_in_says_how_and_whether_the_device_is_new() -> None:
    assert rules.sign_in_summary("pwd totp", new_device=False, language="en") == (
        "Signed in to the portal (password, authenticator)"
    )
    assert rules.sign_in_summary("oneid", new_device=True, language="ru") == "Вход в портал (OneID; новое устройство)"


def test_another_person_s_number_is_half_hidden_and_a_state_moves_forward_only() -> None:
    assert rules.masked_phone("998901234567") == "+998 90 *** ** 67"
    assert rules.masked_phone("12345") == "***"
    assert rules.status_may_move(None, "sent") and rules.status_may_move("sent", "delivered")
    assert not rules.status_may_move("delivered", "sent")
    assert rules.status_may_move("failed", "failed")
