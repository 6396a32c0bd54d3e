"""Pure rules of home billing: contract numbers, charge dates, what a period costs, when to
suspend and resume. No framework, no I/O. (The reminders are the reminder engine's.)"""

from __future__ import annotations

import calendar
import re
from collections.abc import Iterable
from datetime import date, datetime, time, timedelta
from typing import Literal

from yagona.kernel.clock import TASHKENT

# A contract number: 8 digits starting with 1 (the wallet's `home-internet` account); the same
# account's IPTV subscriber number is `IP` + the last seven digits (the wallet's `iptv`).
CONTRACT_FORMAT = "8 digits starting with 1"
IPTV_FORMAT = "IP and 7 digits"
_CONTRACT = re.compile(r"^1\d{7}$")
_IPTV = re.compile(r"^IP\d{7}$")
FIRST_CONTRACT = 10_000_001
LAST_CONTRACT = 19_999_999

State = Literal["pending_identity", "active", "suspended", "closed"]


def is_contract(text: str) -> bool:
    return bool(_CONTRACT.match(text))


def contract_of(account: str) -> str | None:
    """The contract an account number names: a contract itself, or an IPTV subscriber number;
    None when it is neither."""
    account = account.strip().upper()
    if _CONTRACT.match(account):
        return account
    if _IPTV.match(account):
        return "1" + account[2:]
    return None


def iptv_number(contract: str) -> str:
    return "IP" + contract[1:]


def contract_number(previous: str | None) -> str:
    """The contract after `previous` (the highest so far), or the first one."""
    number = int(previous) + 1 if previous is not None else FIRST_CONTRACT
    if number > LAST_CONTRACT:
        raise ValueError("the contract numbers are exhausted")
    return str(number)


def due_in_month(anchor_day: int, year: int, month: int) -> date:
    """The anchor's day in that month, or the month's last day (31 → 28 Feb)."""
    return date(year, month, min(anchor_day, calendar.monthrange(year, month)[1]))


def next_due(anchor: date, after: date) -> date:
    """The first charge date after `after` of a monthly cycle anchored on `anchor`: the same
    day each month (31 Jan → 28 Feb → 31 Mar)."""
    months = (after.year - anchor.year) * 12 + after.month - anchor.month
    while True:
        year, month = anchor.year + (anchor.month - 1 + months) // 12, (anchor.month - 1 + months) % 12 + 1
        due = due_in_month(anchor.day, year, month)
        if due > after:
            return due
        months += 1


def charge_at(due: date, night_start: time) -> datetime:
    """When a fee due on `due` is charged: the start of that day's night window, Tashkent."""
    return datetime.combine(due, night_start, tzinfo=TASHKENT)


def period_fee(plan_fee: int, equipment_fees: Iterable[int], package_fees: Iterable[int]) -> int:
    """What one period costs: the plan, every rented device and every IPTV package, in advance."""
    return plan_fee + sum(equipment_fees) + sum(package_fees)


def covers(balance: int, fee: int) -> bool:
    """The balance pays the fee in full (there is no debt: a part never pays a period)."""
    return balance >= fee


def renewal(state: str, balance: int, fee: int) -> Literal["charge", "suspend", "skip"]:
    """At the due night: an active account is charged when the balance covers the fee, else
    suspended (nothing charged); any other state is not billed."""
    if state != "active":
        return "skip"
    return "charge" if covers(balance, fee) else "suspend"


def resumes(state: str, balance: int, fee: int) -> bool:
    """Money paid into a suspended account resumes it at once when it covers a whole period."""
    return state == "suspended" and covers(balance, fee)


def plan_for_period(current: str, scheduled: str | None) -> str:
    """A plan change waits for the next period: the period that starts takes the new plan."""
    return scheduled or current


def prorata(fee: int, *, now: datetime, period_start: datetime, period_end: datetime) -> int:
    """An add-on joining a running period pays for the days left of it (started days count),
    half up to the tiyin; never more than the whole fee."""
    days = period_end.astimezone(TASHKENT).date() - period_start.astimezone(TASHKENT).date()
    total = max(1, days.days)  # calendar days of the period, Tashkent
    left = min(total, max(1, -(-(period_end - now) // timedelta(days=1))))  # started days, rounded up
    return min(fee, (fee * left * 2 + total) // (2 * total))
