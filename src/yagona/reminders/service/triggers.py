"""The triggers a rule may name, each with the facts it provides. An event trigger reads its
facts when a lower domain publishes the event; a schedule (`schedule:NAME`) is armed by the
domain's events for a day ahead (the day before a fee, 30 days before dormancy…) and reads
its facts when that day comes. Facts come from the lower domains' public services only.

A subject says what a reminder is about (a line and its period, a lot's expiry date): the
rule's period forbids a repeat for the same subject. `phone` finds the customer."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from yagona.home import service as home
from yagona.home.schemas import HomeAccountState
from yagona.kernel.clock import TASHKENT
from yagona.kernel.errors import NotFoundError
from yagona.kernel.money import Money
from yagona.kernel.phone import display_msisdn
from yagona.lines import service as lines
from yagona.lines.schemas import LineState
from yagona.loyalty import service as loyalty
from yagona.platform.uow import UnitOfWork
from yagona.wallet import service as wallets

CHECK_AT = time(10, 0)  # a scheduled reminder's hour, Tashkent (well outside quiet hours)
FEE_NOTICE = timedelta(days=1)
PROMO_NOTICE = timedelta(days=3)
DORMANCY_NOTICE = timedelta(days=30)
POINTS_NOTICE = timedelta(days=30)
STILL_SUSPENDED_NOTICE = timedelta(days=3)  # home internet: "still suspended" three days after the cut
KB_BUNDLES = frozenset({"welcome_mb", "mb", "tasix_mb", "bonus_mb"})

Facts = dict[str, Any]  # a value is text, a number, or a mapping language → text
Subject = dict[str, str]


@dataclass(frozen=True, slots=True)
class Occasion:
    phone: str  # whose customer it concerns (the customer registered with that phone)
    subject: str  # what it is about, for the period
    facts: Facts
    customer_id: str | None = None  # when the domain knows the customer itself (home)


@dataclass(frozen=True, slots=True)
class Trigger:
    name: str
    facts: frozenset[str]
    read: Callable[[UnitOfWork, Subject], Occasion | None]
    armed_by: Mapping[str, Callable[[Mapping[str, Any]], Subject | None]]
    # Schedules only: when to look, from the facts as they are now (None: nothing to arm).
    # A subject with `customer_id` (home) names the customer; else `phone` finds them.
    when: Callable[[UnitOfWork, Subject], tuple[datetime, Subject] | None] | None = None


def _day(instant: datetime) -> date:
    return instant.astimezone(TASHKENT).date()


def _at(day: date) -> datetime:
    return datetime.combine(day, CHECK_AT, tzinfo=TASHKENT)


def _shown_date(day: date) -> str:
    return day.strftime("%d.%m.%Y")


def _som(tiyin: int) -> str:
    """`5 500 000` tiyin → `55 000` (so'm, the decimals only when there are some)."""
    text = Money(tiyin).format(currency=False)
    return text.removesuffix(".00")


def _line(uow: UnitOfWork, msisdn: str) -> LineState | None:
    try:
        return lines.state(uow, msisdn=msisdn)
    except NotFoundError:
        return None


# --- a line's fee due tomorrow and the balance short ----------------------------------------------


def _fee_when(uow: UnitOfWork, s: Subject) -> tuple[datetime, Subject] | None:
    line = _line(uow, s["phone"])
    if line is None or line.next_charge_at is None:
        return None
    due = _day(line.next_charge_at)
    return _at(due - FEE_NOTICE), {**s, "due": due.isoformat()}


def _fee_read(uow: UnitOfWork, s: Subject) -> Occasion | None:
    line = _line(uow, s["phone"])
    if line is None or line.next_charge_at is None or _day(line.next_charge_at).isoformat() != s["due"]:
        return None  # charged, moved or blocked since: the reminder is not needed
    fee = line.next_charge_tiyin or 0
    facts = {
        "number": display_msisdn(line.msisdn),
        "fee": _som(fee),
        "balance": _som(line.balance_tiyin),
        "short": _som(max(0, fee - line.balance_tiyin)),
        "short_tiyin": max(0, fee - line.balance_tiyin),
        "due_date": _shown_date(_day(line.next_charge_at)),
    }
    return Occasion(line.msisdn, f"line:{line.msisdn}:{s['due']}", facts)


# --- a bundle 80 % used -----------------------------------------------------------------------------

BUNDLES = {
    "minutes": {"uz": "daqiqalar", "ru": "минуты", "en": "minutes"},
    "sms": {"uz": "SMS", "ru": "SMS", "en": "SMS"},
    "mb": {"uz": "internet", "ru": "интернет", "en": "internet"},
}
UNITS = {"minutes": {"uz": "daqiqa", "ru": "мин", "en": "min"}, "sms": {"uz": "SMS", "ru": "SMS", "en": "SMS"}}


def _bundle_read(uow: UnitOfWork, s: Subject) -> Occasion | None:
    line = _line(uow, s["phone"])
    use = {key: u for key, u in lines.bundle_use(uow, msisdn=s["phone"]).items() if key in BUNDLES}
    if line is None or not use:
        return None
    key, (granted, left) = max(use.items(), key=lambda item: (granted_used(item[1]), item[0]))
    shown = f"{left // 1024} MB" if key in KB_BUNDLES else None
    period = _day(line.next_charge_at).isoformat() if line.next_charge_at else "-"
    facts = {
        "number": display_msisdn(line.msisdn),
        "bundle": BUNDLES[key],
        "used_percent": granted_used((granted, left)),
        "left": shown or {lang: f"{left} {unit}" for lang, unit in UNITS[key].items()},
    }
    return Occasion(line.msisdn, f"line:{line.msisdn}:{key}:{period}", facts)


def granted_used(use: tuple[int, int]) -> int:
    """Whole percent of a grant used, rounded down."""
    granted, left = use
    return (granted - left) * 100 // granted if granted > 0 else 0


# --- a promo's free month ends in 3 days --------------------------------------------------------

PROMO_NAMES = {"beeline-tv-promo": "Beeline TV", "beeline-music-promo": "Beeline Music"}  # as customers know them


def _promo_when(uow: UnitOfWork, s: Subject) -> tuple[datetime, Subject] | None:
    free_until = datetime.fromisoformat(s["free_until"])
    return _at(_day(free_until - PROMO_NOTICE)), s


def _promo_read(uow: UnitOfWork, s: Subject) -> Occasion | None:
    try:
        promos = lines.promos(uow, msisdn=s["phone"])
    except NotFoundError:
        return None
    promo = next((p for p in promos if p.promo == s["promo"] and p.status == "free" and p.free_until), None)
    if promo is None or promo.free_until is None:
        return None
    facts = {
        "number": display_msisdn(s["phone"]),
        "promo": PROMO_NAMES.get(promo.promo, promo.promo),
        "ends_on": _shown_date(_day(promo.free_until)),
        "daily_fee": _som(promo.daily_fee_tiyin or 0),
    }
    return Occasion(s["phone"], f"promo:{s['phone']}:{promo.promo}", facts)


# --- a Light wallet at 90 % of a limit ------------------------------------------------------------


def _wallet_limit_read(uow: UnitOfWork, s: Subject) -> Occasion | None:
    try:
        wallet = wallets.get(uow, phone=s["phone"])
    except NotFoundError:
        return None
    if wallet.balance_limit is None or wallet.topups_30d_limit is None:
        return None  # Premium: no limits of the offer
    used = max(wallet.balance * 100 // wallet.balance_limit, wallet.topups_30d * 100 // wallet.topups_30d_limit)
    facts = {"number": display_msisdn(wallet.phone), "used_percent": used, "limit": _som(wallet.balance_limit)}
    return Occasion(wallet.phone, f"wallet:{wallet.phone}:limit", facts)


# --- a wallet 30 days before its dormancy date ------------------------------------------------------


def _dormancy_when(uow: UnitOfWork, s: Subject) -> tuple[datetime, Subject] | None:
    try:
        dormant = wallets.dormant_from(uow, phone=s["phone"])
    except NotFoundError:
        return None
    if dormant is None:
        return None
    return _at(_day(dormant - DORMANCY_NOTICE)), {**s, "dormant": _day(dormant).isoformat()}


def _dormancy_read(uow: UnitOfWork, s: Subject) -> Occasion | None:
    try:
        dormant = wallets.dormant_from(uow, phone=s["phone"])
        balance = wallets.get(uow, phone=s["phone"]).balance
    except NotFoundError:
        return None
    if dormant is None or _day(dormant).isoformat() != s["dormant"]:
        return None  # an operation since moved the date (or the wallet is no longer active)
    facts = {"number": display_msisdn(s["phone"]), "dormant_on": _shown_date(_day(dormant)), "balance": _som(balance)}
    return Occasion(s["phone"], f"wallet:{s['phone']}:dormant:{s['dormant']}", facts)


# --- points expiring within 30 days -----------------------------------------------------------------


def _points_when(uow: UnitOfWork, s: Subject) -> tuple[datetime, Subject] | None:
    state = loyalty.state(uow, phone=s["phone"])
    ahead = [lot.expires_at for lot in state.lots if _at(_day(lot.expires_at) - POINTS_NOTICE) >= uow.clock.now()]
    if not ahead:
        return None
    first = _day(min(ahead))
    return _at(first - POINTS_NOTICE), {"phone": state.phone, "expires": first.isoformat()}


def _points_read(uow: UnitOfWork, s: Subject) -> Occasion | None:
    state = loyalty.state(uow, phone=s["phone"])
    horizon = _at(date.fromisoformat(s["expires"]) + timedelta(days=1))
    expiring = [lot for lot in state.lots if lot.expires_at < horizon]
    if not expiring:
        return None
    facts = {"points": sum(lot.points for lot in expiring), "expires_on": _shown_date(date.fromisoformat(s["expires"]))}
    return Occasion(state.phone, f"points:{state.phone}:{s['expires']}", facts)


# --- home internet: the fee due tomorrow and the balance short; suspended, and still 3 days on ----------


def _home(uow: UnitOfWork, contract: str) -> HomeAccountState | None:
    try:
        return home.state(uow, contract=contract)
    except NotFoundError:
        return None


def _utc(instant: datetime) -> str:
    return instant.astimezone(UTC).isoformat()


def _home_facts(account: HomeAccountState) -> Facts:
    fee, balance = account.next_fee_tiyin, account.balance_tiyin
    return {
        "contract": account.contract,
        "fee": _som(fee),
        "balance": _som(balance),
        "short": _som(max(0, fee - balance)),
        "short_tiyin": max(0, fee - balance),
    }


def _home_fee_when(uow: UnitOfWork, s: Subject) -> tuple[datetime, Subject] | None:
    account = _home(uow, s["contract"])
    if account is None or account.state != "active" or account.next_charge_at is None:
        return None
    due = _day(account.next_charge_at)
    return _at(due - FEE_NOTICE), {
        "contract": account.contract,
        "customer_id": account.customer_id,
        "due": due.isoformat(),
    }


def _home_fee_read(uow: UnitOfWork, s: Subject) -> Occasion | None:
    account = _home(uow, s["contract"])
    if account is None or account.state != "active" or account.next_charge_at is None:
        return None  # suspended, closed or not yet active
    if _day(account.next_charge_at).isoformat() != s["due"]:
        return None  # renewed or resumed since: another period
    facts = {**_home_facts(account), "due_date": _shown_date(_day(account.next_charge_at))}
    return Occasion("", f"home:{account.contract}:fee:{s['due']}", facts, customer_id=account.customer_id)


def _home_suspended_when(after: timedelta) -> Callable[[UnitOfWork, Subject], tuple[datetime, Subject] | None]:
    def when(uow: UnitOfWork, s: Subject) -> tuple[datetime, Subject] | None:
        account = _home(uow, s["contract"])
        if account is None or account.state != "suspended" or account.suspended_at is None:
            return None
        since = account.suspended_at
        subject = {"contract": account.contract, "customer_id": account.customer_id, "since": _utc(since)}
        return _at(_day(since) + after), subject

    return when


def _home_suspended_read(uow: UnitOfWork, s: Subject) -> Occasion | None:
    account = _home(uow, s["contract"])
    if account is None or account.state != "suspended" or account.suspended_at is None:
        return None  # resumed or closed since
    if _utc(account.suspended_at) != s["since"]:
        return None  # suspended again since: that suspension has its own reminders
    return Occasion("", f"home:{account.contract}:suspended:{s['since']}", _home_facts(account), account.customer_id)


# --- an offer made (analytics, above: its event is read by name, its facts from the payload) -----------


def _offer_subject(payload: Mapping[str, Any]) -> Subject | None:
    return {"phone": str(payload["msisdn"]), "offer": str(payload["offer_id"])}


def _offer_read(uow: UnitOfWork, s: Subject) -> Occasion | None:
    if _line(uow, s["phone"]) is None:
        return None
    return Occasion(s["phone"], f"offer:{s['offer']}", {"number": display_msisdn(s["phone"])})


def _field(name: str, *, extra: tuple[str, ...] = ()) -> Callable[[Mapping[str, Any]], Subject | None]:
    def subject(payload: Mapping[str, Any]) -> Subject | None:
        return {"phone": str(payload[name]), **{k: str(payload[k]) for k in extra}}

    return subject


def _contract(payload: Mapping[str, Any]) -> Subject | None:
    return {"contract": str(payload["contract"])}


_LINE_PERIOD = ("lines.line_connected", "lines.fee_charged", "lines.line_unblocked", "lines.plan_switched")
# A home account's period starts (activated and paid, renewed, resumed): its next fee is known.
_HOME_PERIOD = ("home.activated", "home.fee_charged", "home.resumed")
_HOME_FACTS = frozenset({"contract", "fee", "balance", "short", "short_tiyin"})
# Armed once, at registration: an operation since moves the date, and the check that finds it
# moved arms the next one (the engine), so an active wallet holds one pending check, not one a day.
_WALLET_OPENED = {"wallet.registered": _field("phone")}

TRIGGERS: dict[str, Trigger] = {
    t.name: t
    for t in (
        Trigger(
            "schedule:line.fee_due",
            frozenset({"number", "fee", "balance", "short", "short_tiyin", "due_date"}),
            _fee_read,
            dict.fromkeys(_LINE_PERIOD, _field("msisdn")),
            _fee_when,
        ),
        Trigger(
            "lines.usage_rated",
            frozenset({"number", "bundle", "used_percent", "left"}),
            _bundle_read,
            {"lines.usage_rated": _field("msisdn")},
        ),
        Trigger(
            "schedule:line.promo_ends",
            frozenset({"number", "promo", "ends_on", "daily_fee"}),
            _promo_read,
            {"lines.promo_started": _field("msisdn", extra=("promo", "free_until"))},
            _promo_when,
        ),
        Trigger(
            "wallet.topped_up",  # a transfer received is a top-up of the payee (offer 4.3.1 a)
            frozenset({"number", "used_percent", "limit"}),
            _wallet_limit_read,
            {"wallet.topped_up": _field("phone"), "wallet.transferred": _field("to_phone")},
        ),
        Trigger(
            "schedule:wallet.dormancy",
            frozenset({"number", "dormant_on", "balance"}),
            _dormancy_read,
            _WALLET_OPENED,
            _dormancy_when,
        ),
        Trigger(
            "schedule:loyalty.points_expiring",
            frozenset({"points", "expires_on"}),
            _points_read,
            {"loyalty.points_earned": _field("phone")},
            _points_when,
        ),
        Trigger(
            "schedule:home.fee_due",
            frozenset({*_HOME_FACTS, "due_date"}),
            _home_fee_read,
            dict.fromkeys(_HOME_PERIOD, _contract),
            _home_fee_when,
        ),
        Trigger(
            "schedule:home.suspended",
            _HOME_FACTS,
            _home_suspended_read,
            {"home.suspended": _contract},
            _home_suspended_when(timedelta(0)),
        ),
        Trigger(
            "schedule:home.still_suspended",
            _HOME_FACTS,
            _home_suspended_read,
            {"home.suspended": _contract},
            _home_suspended_when(STILL_SUSPENDED_NOTICE),
        ),
        Trigger(
            "analytics.offer_made",
            frozenset({"number"}),
            _offer_read,
            {"analytics.offer_made": _offer_subject},
        ),
    )
}
