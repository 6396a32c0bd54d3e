"""Money as an integer number of tiyin (1 so'm = 100 tiyin).

Floats never hold money. A fraction of a tiyin exists only inside a rules module and
leaves it through a named `Rounding` rule.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from decimal import ROUND_CEILING, ROUND_DOWN, ROUND_FLOOR, ROUND_HALF_EVEN, ROUND_HALF_UP, Decimal
from enum import Enum
from fractions import Fraction

from yagona.kernel.errors import InvalidRequestError

TIYIN_PER_SOM = 100
# A bound far above any real balance (10^13 so'm) that keeps sums inside a signed
# 64-bit column even after many additions.
MAX_TIYIN = 10**15

# ASCII digits only (not "١٢٣"), an optional sign, spaces only between groups of three
# ("1 000", never " 5 " or "1_000"), one decimal point or comma.
_AMOUNT = re.compile(
    r"(?P<sign>[-+]?)(?P<whole>[0-9]{1,3}(?:[ \u00a0\u202f][0-9]{3})+|[0-9]+)(?:[.,](?P<frac>[0-9]+))?", re.ASCII
)


class Rounding(Enum):
    """Named rounding rules; every rules module says which one it applies."""

    HALF_UP = ROUND_HALF_UP  # commercial rounding: 0.5 tiyin goes up
    HALF_EVEN = ROUND_HALF_EVEN  # banker's rounding
    UP = ROUND_CEILING  # towards +infinity: the operator never undercharges
    DOWN = ROUND_FLOOR  # towards -infinity: the customer never overpays
    TRUNCATE = ROUND_DOWN  # towards zero


def round_tiyin(value: Fraction | Decimal | int, rule: Rounding) -> int:
    """Round an exact number of tiyin to an integer by `rule`."""
    if isinstance(value, int):
        return value
    if isinstance(value, Fraction):
        value = Decimal(value.numerator) / Decimal(value.denominator)
    return int(value.quantize(Decimal(1), rounding=rule.value))


@dataclass(frozen=True, slots=True, order=True)
class Money:
    """An amount of so'm held as integer tiyin."""

    tiyin: int

    def __post_init__(self) -> None:
        if isinstance(self.tiyin, bool) or not isinstance(self.tiyin, int):
            raise InvalidRequestError(f"money must be an integer number of tiyin, not {self.tiyin!r}")
        if abs(self.tiyin) > MAX_TIYIN:
            raise InvalidRequestError("amount is too large", field="amount")

    @classmethod
    def zero(cls) -> Money:
        return cls(0)

    @classmethod
    def of_som(cls, som: int) -> Money:
        return cls(som * TIYIN_PER_SOM)

    @classmethod
    def parse(cls, value: str | int | Decimal | float, *, allow_negative: bool = False) -> Money:
        """Parse so'm: `"137 035.5"` → 13 703 550 tiyin.

        Accepts an int, a Decimal, or text with an optional thousands separator
        (space) and at most two decimals (point or comma). A float is accepted only
        when it is exactly representable with two decimals (YAML and JSON numbers).
        """
        if isinstance(value, bool):
            raise InvalidRequestError("an amount must be a number", field="amount")
        if isinstance(value, float):
            if not math.isfinite(value):
                raise InvalidRequestError("an amount must be a finite number", field="amount")
            value = repr(value)
            if "e" in value or "E" in value:
                raise InvalidRequestError("an amount must be written plainly, not in exponent form", field="amount")
        tiyin = value * TIYIN_PER_SOM if isinstance(value, int) else _parse_text(str(value))
        if tiyin < 0 and not allow_negative:
            raise InvalidRequestError("an amount may not be negative here", field="amount")
        if abs(tiyin) > MAX_TIYIN:
            raise InvalidRequestError("amount is too large", field="amount")
        return cls(tiyin)

    @property
    def som(self) -> Decimal:
        return Decimal(self.tiyin) / TIYIN_PER_SOM

    def format(self, *, currency: bool = True) -> str:
        """`13 703 550` tiyin → `137 035.50 so'm`."""
        sign = "-" if self.tiyin < 0 else ""
        whole, frac = divmod(abs(self.tiyin), TIYIN_PER_SOM)
        text = f"{sign}{whole:,}".replace(",", " ") + f".{frac:02d}"
        return f"{text} so'm" if currency else text

    def to_json(self) -> int | float:
        """So'm as a JSON number: an integer when whole, else with its decimals."""
        whole, frac = divmod(self.tiyin, TIYIN_PER_SOM)
        if frac == 0:
            return whole
        return float(Decimal(self.tiyin) / TIYIN_PER_SOM)

    def __add__(self, other: Money) -> Money:
        return Money(self.tiyin + other.tiyin)

    def __sub__(self, other: Money) -> Money:
        return Money(self.tiyin - other.tiyin)

    def __neg__(self) -> Money:
        return Money(-self.tiyin)

    def __mul__(self, factor: int) -> Money:
        if not isinstance(factor, int) or isinstance(factor, bool):
            raise TypeError("money multiplies by an integer; use a rules function with a Rounding for fractions")
        return Money(self.tiyin * factor)

    __rmul__ = __mul__

    def __str__(self) -> str:
        return self.format()


def _parse_text(text: str) -> int:
    match = _AMOUNT.fullmatch(text)
    if match is None:
        raise InvalidRequestError(f"{text!r} is not an amount of so'm", field="amount")
    frac = match.group("frac") or ""
    if len(frac) > 2:
        raise InvalidRequestError(f"{text!r} has more than two decimals; the smallest unit is 1 tiyin", field="amount")
    whole_digits = re.sub(r"[^0-9]", "", match.group("whole"))
    if len(whole_digits) > 16:
        raise InvalidRequestError("amount is too large", field="amount")
    tiyin = int(whole_digits) * TIYIN_PER_SOM + int(frac.ljust(2, "0") or "0")
    return -tiyin if match.group("sign") == "-" else tiyin
