"""The API convention's types: so'm in and out, no coercion, Tashkent timestamps, refusals in three languages."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from pydantic import ValidationError

from yagona.kernel.errors import InsufficientFundsError, InvalidRequestError
from yagona.kernel.money import Money
from yagona.kernel.phone import parse_msisdn
from yagona.platform.api import ApiModel, ApiRead, Msisdn, Som, SomPositive, Timestamp
from yagona.platform.i18n import localize, negotiate


class Payment(ApiModel):
    to: Msisdn
    amount: SomPositive


class Statement(ApiRead):
    balance: Som
    at: Timestamp


def test_an_amount_is_so_m_in_and_so_m_out_exact_to_the_tiyin() -> None:
    payment = Payment.model_validate_json('{"to": "+998 90 123 45 67", "amount": 137035.5}')
    assert payment.amount == Money(13_703_550)
    assert payment.to == "998901234567"
    shown = Statement(balance=Money(-12_345), at=datetime(2026, 3, 15, 4, 30, tzinfo=UTC)).model_dump_json()
    assert shown == '{"balance":-123.45,"at":"2026-03-15T09:30:00+05:00"}'


@pytest.mark.parametrize(
    "body",
    [
        '{"to": "998901234567", "amount": "5000"}',  # a string is not a number: no coercion
        '{"to": "998901234567", "amount": 0}',
        '{"to": "998901234567", "amount": -5}',
        '{"to": "998901234567", "amount": 1.005}',  # a third decimal is below a tiyin
        '{"to": "998901234567", "amount": true}',
        '{"to": "998901234567", "amount": 5, "hack": true}',  # unknown fields refused
        '{"to": 998901234567, "amount": 5}',
        '{"to": "abc", "amount": 5}',
    ],
)
def test_bad_bodies_are_refused(body: str) -> None:
    with pytest.raises(ValidationError):
        Payment.model_validate_json(body)


def test_the_schema_names_the_unit() -> None:
    schema = Payment.model_json_schema()
    assert schema["properties"]["amount"]["x-unit"] == "UZS"
    assert schema["additionalProperties"] is False


@pytest.mark.parametrize(
    ("header", "language"),
    [
        (None, "uz"),
        ("ru-RU,ru;q=0.9,en;q=0.8", "ru"),
        ("en", "en"),
        ("de, en;q=0.5", "en"),
        ("fr", "uz"),
        ("ru;q=0, en", "en"),
    ],
)
def test_the_language_comes_from_accept_language(header: str | None, language: str) -> None:
    assert negotiate(header) == language


def test_a_refusal_is_said_in_the_callers_language_with_its_details() -> None:
    with pytest.raises(InvalidRequestError) as refused:
        parse_msisdn("12345", field="to")
    assert localize(refused.value, "ru").startswith("12345 — не мобильный номер")
    assert localize(refused.value, "uz").startswith("12345 — O'zbekiston mobil raqami emas")
    assert "not an Uzbek mobile number" in localize(refused.value, "en")


def test_a_template_missing_its_detail_still_says_something_true() -> None:
    assert localize(InvalidRequestError("bad"), "ru") == "Неверный запрос"
    assert localize(InsufficientFundsError("short by 5 so'm"), "uz") == "Mablag' yetarli emas"
    assert localize(InsufficientFundsError("short by 5 so'm"), "en") == "short by 5 so'm"
