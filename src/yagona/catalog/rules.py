"""Pure catalogue rules: number classification, TAS-IX membership, switching and minimums.

Plain values in, values or typed errors out; no I/O and no framework imports, so the
rating engine, the sandbox and the tests call the very same functions.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterable

from yagona.catalog.errors import BelowMinimumError, PlanClosedError, SwitchNotAllowedError
from yagona.catalog.schemas import Destination, NumberPlan, Plan
from yagona.kernel.errors import InvalidRequestError
from yagona.kernel.money import Money

# Dialling decorations people type between digits.
_DECORATION = re.compile(r"[\s\-().]")
_DIGITS = re.compile(r"^[0-9]+$")
SHORT_NUMBER_DIGITS = range(3, 7)  # 3 to 6 digits: service and emergency numbers
# E.164: at most 15 digits; the shortest real international numbers have 7 (e.g. Niue).
INTERNATIONAL_DIGITS = range(7, 16)
_USSD_SPACES = re.compile(r"\s+")


def classify_number(number_plan: NumberPlan, msisdn: str) -> Destination:
    """Classify a dialled number by the longest matching prefix of the number plan.

    Accepts international digits with or without `+` or `00`, a 9-digit national
    number, or a short service number. Raises `InvalidRequestError` for anything
    that is not a well-formed number of a known destination.
    """
    if not isinstance(msisdn, str):
        raise InvalidRequestError("a number must be text", field="number")
    text = _DECORATION.sub("", msisdn)
    explicit_international = text.startswith("+")
    digits = text[1:] if explicit_international else text
    if not _DIGITS.match(digits):
        raise InvalidRequestError(f"{msisdn!r} is not a phone number", field="number")
    if not explicit_international and len(digits) in SHORT_NUMBER_DIGITS:
        return _short_number(number_plan, digits)
    if not explicit_international and digits.startswith("00"):
        digits = digits[2:]
    domestic = number_plan.domestic
    if not explicit_international and len(digits) == domestic.national_digits:
        digits = domestic.country_code + digits
    if digits.startswith(domestic.country_code):
        if len(digits) != len(domestic.country_code) + domestic.national_digits:
            raise InvalidRequestError(f"{msisdn!r} has the wrong length for a number of Uzbekistan", field="number")
    elif len(digits) not in INTERNATIONAL_DIGITS:
        raise InvalidRequestError(f"{msisdn!r} has the wrong length for an international number", field="number")
    prefix = _longest_prefix(number_plan, digits)
    if prefix is None:
        raise InvalidRequestError(f"{msisdn!r} matches no destination of the number plan", field="number")
    route = number_plan.routes[prefix]
    return Destination(
        number=digits,
        kind=route.kind,
        price_class=route.price_class,
        prefix=prefix,
        label=route.label,
        country=route.country,
    )


def _longest_prefix(number_plan: NumberPlan, digits: str) -> str | None:
    routes = number_plan.routes
    for length in range(len(digits), 0, -1):
        if digits[:length] in routes:
            return digits[:length]
    return None


def _short_number(number_plan: NumberPlan, digits: str) -> Destination:
    for entry in number_plan.short_numbers.entries:
        if entry.number == digits:
            return Destination(
                number=digits, kind="short", price_class="short", prefix=digits, label=entry.label, price=entry.price
            )
    # An unlisted service number is still a service number: it never uses the bundle; its price is unknown.
    return Destination(number=digits, kind="short", price_class="short", prefix=digits, label="unlisted service number")


def is_tasix(ranges: Iterable[ipaddress.IPv4Network | ipaddress.IPv6Network], ip: str) -> bool:
    """Whether `ip` lies in one of the TAS-IX ranges. Raises `InvalidRequestError` for a malformed address."""
    try:
        address = ipaddress.ip_address(ip.strip())
    except ValueError as exc:
        raise InvalidRequestError(f"{ip!r} is not an IP address", field="ip") from exc
    return any(address.version == network.version and address in network for network in ranges)


def is_free_resource(hosts: Iterable[str], host: str) -> bool:
    """Whether `host` is one of the free socially important resources or a subdomain of one."""
    name = host.strip().lower().rstrip(".")
    return any(name == free or name.endswith("." + free) for free in hosts)


def normalize_ussd(code: str) -> str:
    """`* 110 * 669 #` (as the price list prints it) → `*110*669#`."""
    return _USSD_SPACES.sub("", code)


def connection_minimum(plan: Plan) -> Money:
    """The balance needed to connect: the stated minimum, else the first fee.

    Where the price list states no minimum, requiring the first fee keeps a new
    line from starting in debt.
    """
    return plan.minimum_to_connect if plan.minimum_to_connect is not None else plan.first_fee


def switch_minimum(plan: Plan) -> Money:
    """The balance needed to switch to `plan`: its switch threshold, else its minimum to connect, else its fee."""
    if plan.switching.min_balance is not None:
        return plan.switching.min_balance
    if plan.minimum_to_connect is not None:
        return plan.minimum_to_connect
    return plan.monthly_fee


def may_switch(from_plan: Plan, to_plan: Plan, balance_tiyin: int) -> None:
    """Refuse a switch the price list does not allow; return None when it may go ahead.

    Raises `SwitchNotAllowedError` (same plan, or not opened from `from_plan`),
    `PlanClosedError` (the target is archived) or `BelowMinimumError` (balance
    below the target's switch minimum).
    """
    if to_plan.id == from_plan.id:
        raise SwitchNotAllowedError(f"the line is already on {to_plan.name}", plan=to_plan.id)
    if not to_plan.is_open:
        raise PlanClosedError(f"{to_plan.name} is closed to new connections and switching", plan=to_plan.id)
    if to_plan.id not in from_plan.switching.to:
        raise SwitchNotAllowedError(
            f"switching from {from_plan.name} to {to_plan.name} is not allowed",
            from_plan=from_plan.id,
            to_plan=to_plan.id,
        )
    minimum = switch_minimum(to_plan)
    if balance_tiyin < minimum.tiyin:
        raise BelowMinimumError(
            f"switching to {to_plan.name} needs {minimum} on the balance",
            plan=to_plan.id,
            minimum=minimum.to_json(),
        )
