"""The one API convention, as types every domain's REST uses (docs/api.md):

- request bodies refuse unknown fields and coerce nothing (`ApiModel`);
- JSON fields are snake_case (TMF-shaped resources under `/tmf-api/` keep camelCase);
- money is so'm, exact: a JSON number with at most two decimals, unit `UZS` named in the
  schema (`Som`); inside, integer tiyin (`Money`);
- timestamps are RFC 3339 with the Tashkent offset, `2026-03-15T09:30:00+05:00` (`Timestamp`);
- phone numbers are normalised MSISDNs `998901234567` (`Msisdn`);
- an idempotency key is 1..120 characters of `A-Z a-z 0-9 . _ : -`, never truncated.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from decimal import Decimal
from enum import Enum
from typing import TYPE_CHECKING, Annotated, Any, TypeVar

from pydantic import BaseModel, BeforeValidator, ConfigDict, PlainSerializer, WithJsonSchema

from yagona.kernel.clock import TASHKENT
from yagona.kernel.errors import InvalidRequestError
from yagona.kernel.fingerprint import IDEMPOTENCY_KEY_MAX, check_idempotency_key
from yagona.kernel.money import MAX_TIYIN, TIYIN_PER_SOM, Money
from yagona.kernel.phone import MSISDN_INPUT_PATTERN, MSISDN_PATTERN, parse_msisdn

if TYPE_CHECKING:
    from fastapi import Header

MONEY_UNIT = "UZS"


class ApiModel(BaseModel):
    """Base of every request body: unknown fields refused, no silent coercion (`"60"` is not 60)."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


class ApiRead(BaseModel):
    """Base of every response body of Yagona's own API."""

    model_config = ConfigDict(frozen=True)


def _money_in(value: Any) -> Money:
    if isinstance(value, Money):
        return value
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        raise ValueError("an amount of so'm is a JSON number, e.g. 5000 or 137035.5")
    try:
        return Money.parse(value, allow_negative=True)
    except InvalidRequestError as error:
        raise ValueError(error.message) from error


def _money_out(value: Money) -> int | float:
    return value.to_json()


def _money_schema(*, minimum: float | None, exclusive: bool) -> dict[str, Any]:
    schema: dict[str, Any] = {
        "type": "number",
        "multipleOf": 0.01,
        "maximum": MAX_TIYIN / TIYIN_PER_SOM,
        "description": "so'm (UZS), at most two decimals",
        "x-unit": MONEY_UNIT,
    }
    if minimum is not None:
        schema["exclusiveMinimum" if exclusive else "minimum"] = minimum
    else:
        schema["minimum"] = -MAX_TIYIN / TIYIN_PER_SOM
    return schema


def _positive(value: Money) -> Money:
    if value.tiyin <= 0:
        raise ValueError("the amount must be more than zero")
    return value


def _not_negative(value: Money) -> Money:
    if value.tiyin < 0:
        raise ValueError("the amount may not be negative")
    return value


_SERIALISE = PlainSerializer(_money_out, return_type=int | float, when_used="always")
# Any amount of so'm (a balance may be negative).
Som = Annotated[
    Money, BeforeValidator(_money_in), _SERIALISE, WithJsonSchema(_money_schema(minimum=None, exclusive=False))
]
# An amount the caller asks to move: more than zero.
SomPositive = Annotated[
    Money,
    BeforeValidator(lambda value: _positive(_money_in(value))),
    _SERIALISE,
    WithJsonSchema(_money_schema(minimum=0, exclusive=True)),
]
SomNotNegative = Annotated[
    Money,
    BeforeValidator(lambda value: _not_negative(_money_in(value))),
    _SERIALISE,
    WithJsonSchema(_money_schema(minimum=0, exclusive=False)),
]


def _msisdn_in(value: Any) -> str:
    if not isinstance(value, str):
        raise ValueError('a phone number is a string, e.g. "998901234567"')
    try:
        return parse_msisdn(value)
    except InvalidRequestError as error:
        raise ValueError("not an Uzbek mobile number (998 and 9 digits)") from error


# A phone number in: `+998 90 123-45-67` and `901234567` are accepted; out: `998901234567`.
Msisdn = Annotated[
    str,
    BeforeValidator(_msisdn_in),
    WithJsonSchema(
        {"type": "string", "pattern": MSISDN_INPUT_PATTERN, "examples": ["998901234567"]}, mode="validation"
    ),
    WithJsonSchema({"type": "string", "pattern": MSISDN_PATTERN, "examples": ["998901234567"]}, mode="serialization"),
]
MSISDN_PATH_PATTERN = MSISDN_PATTERN


E = TypeVar("E", bound=Enum)


def lax_enum(kind: type[E]) -> Callable[[Any], Any]:
    """A JSON string into its enum member: FastAPI validates bodies in Python mode, where a
    strict model refuses the bare string. Use as `Annotated[Kind, BeforeValidator(lax_enum(Kind))]`."""

    def convert(value: Any) -> Any:
        if isinstance(value, str):
            try:
                return kind(value)
            except ValueError as error:
                choices = ", ".join(str(member.value) for member in kind)
                raise ValueError(f"one of {choices}") from error
        return value

    return convert


def _iso_date(value: Any) -> Any:
    if isinstance(value, str):
        if len(value) != 10:
            raise ValueError("a date as YYYY-MM-DD")
        try:
            return date.fromisoformat(value)
        except ValueError as error:
            raise ValueError("a date as YYYY-MM-DD") from error
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    raise ValueError("a date as YYYY-MM-DD")


# A calendar day in a strict body: `"1990-05-17"` only (no numbers, no times).
IsoDate = Annotated[date, BeforeValidator(_iso_date)]


def as_tashkent(moment: datetime) -> str:
    """RFC 3339 with the Tashkent offset: `2026-03-15T09:30:00+05:00` (seconds; microseconds dropped)."""
    aware = moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
    return aware.astimezone(TASHKENT).replace(microsecond=0).isoformat()


Timestamp = Annotated[
    datetime,
    PlainSerializer(as_tashkent, return_type=str, when_used="always"),
    WithJsonSchema(
        {"type": "string", "format": "date-time", "examples": ["2026-03-15T09:30:00+05:00"]}, mode="serialization"
    ),
]


def _idempotency_key(
    key: Annotated[
        str,
        Header(alias="Idempotency-Key", min_length=1, max_length=IDEMPOTENCY_KEY_MAX, pattern=r"^[A-Za-z0-9._:\-]+$"),
    ],
) -> str:
    """The `Idempotency-Key` header of a retryable write (a FastAPI dependency)."""
    return check_idempotency_key(key)


if TYPE_CHECKING:
    idempotency_key = _idempotency_key
else:

    def __getattr__(name: str) -> Any:
        """`idempotency_key` imports FastAPI when a route asks for it: the types above serve
        schemas imported where no HTTP runs (`yagona simulate`, the CLI) without it."""
        if name != "idempotency_key":
            raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
        from fastapi import Header  # noqa: PLC0415 - FastAPI resolves the annotation in this module

        globals().update(Header=Header, idempotency_key=_idempotency_key)
        return _idempotency_key
