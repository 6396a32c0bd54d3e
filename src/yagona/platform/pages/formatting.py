"""Money, numbers and dates as a person reads them in uz, ru or en (Babel's CLDR data):
`125 000 so'm`, `15-mart 2026`, and the Russian and English forms. Spaces inside a
number and before the unit are no-break spaces, so an amount never wraps."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from babel.dates import format_date as babel_date
from babel.dates import format_datetime as babel_datetime
from babel.numbers import format_decimal

from yagona.kernel.clock import TASHKENT
from yagona.kernel.money import TIYIN_PER_SOM, Money

NBSP = "\u00a0"
# The so'm as each language writes it after an amount (the issue's `125 000 so'm`).
CURRENCY_UNIT = {"uz": "so'm", "ru": "сум", "en": "so'm"}
# CLDR's Uzbek long date is `15-mart, 2026`; Uzbek usage (and the issue) writes `15-mart 2026`.
DATE_PATTERN = {"uz": "d-MMMM y", "ru": "long", "en": "long"}
DATETIME_PATTERN = {"uz": "d-MMMM y, HH:mm", "ru": "d MMMM y 'г.', HH:mm", "en": "MMMM d, y, HH:mm"}  # noqa: RUF001


def format_number(value: int | Decimal, language: str) -> str:
    return format_decimal(value, locale=language, group_separator=True)


def format_money(money: Money, language: str) -> str:
    """`125 000 so'm`; tiyin shown only when there are some (`1 250,50 so'm`)."""
    amount = Decimal(money.tiyin) / TIYIN_PER_SOM
    pattern = "#,##0" if money.tiyin % TIYIN_PER_SOM == 0 else "#,##0.00"
    number = format_decimal(amount, format=pattern, locale=language)
    return f"{number}{NBSP}{CURRENCY_UNIT[language]}"


def format_day(value: date, language: str) -> str:
    if isinstance(value, datetime):
        value = value.astimezone(TASHKENT).date()
    return babel_date(value, DATE_PATTERN[language], locale=language)


def format_moment(value: datetime, language: str) -> str:
    """A moment in Tashkent time, in the reader's language."""
    assert value.tzinfo is not None, "moments are timezone-aware"
    return babel_datetime(value.astimezone(TASHKENT), DATETIME_PATTERN[language], tzinfo=TASHKENT, locale=language)
