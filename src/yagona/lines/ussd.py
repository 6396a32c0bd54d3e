"""The USSD channel: what a phone shows for a code it dials, and the action the code
triggers (a query, a switch, a reload, a promo, a package). An adapter over the service:
the screens' words live here (Uzbek, Russian, English), the rules in the service and
`lines.rules`. The gateway's conversation (menus, confirmations, pages) is `app.ussd`."""

from __future__ import annotations

from collections.abc import Callable

from yagona.catalog import service as catalog
from yagona.kernel.money import Money
from yagona.lines import service
from yagona.lines.errors import InvalidRequestError
from yagona.lines.schemas import LineState, UssdAnswer
from yagona.platform.uow import UnitOfWork

# --- USSD ------------------------------------------------------------------------------------

MINUTE_BUNDLES = ("minutes", "onnet_minutes", "offnet_minutes", "bonus_onnet_minutes", "intl_minutes", "csd_minutes")
_MINUTE_LABELS = {
    "uz": {
        "minutes": "O'zbekiston bo'ylab",
        "onnet_minutes": "tarmoq ichida",
        "offnet_minutes": "boshqa operatorlarga",
        "bonus_onnet_minutes": "bonus (tarmoq ichida)",
        "intl_minutes": "xalqaro",
        "csd_minutes": "CSD",
    },
    "ru": {
        "minutes": "по Узбекистану",
        "onnet_minutes": "внутри сети",
        "offnet_minutes": "на других операторов",
        "bonus_onnet_minutes": "бонус (внутри сети)",
        "intl_minutes": "международные",
        "csd_minutes": "CSD",
    },
    "en": {
        "minutes": "all of Uzbekistan",
        "onnet_minutes": "on-net",
        "offnet_minutes": "other operators",
        "bonus_onnet_minutes": "bonus (on-net)",
        "intl_minutes": "international",
        "csd_minutes": "CSD",
    },
}

# The words of every answer, by language; `{…}` are filled in. Uzbek is the default and the
# sandbox's language (its expected texts are these, byte for byte).
WORDS: dict[str, dict[str, str]] = {
    "uz": {
        "balance": "Balans: {balance}. Tarif: {plan}.",
        "mb": "Internet qoldig'i: {mb} MB",
        "tasix": "TAS-IX: {mb} MB",
        "welcome_mb": "birinchi oy bonusi: {mb} MB",
        "sms": "SMS qoldig'i: {sms} ta.",
        "minutes": "Daqiqalar qoldig'i: {found}.",
        "minute_item": "{label}: {minutes} daqiqa",
        "welcome_minute_item": "birinchi oy bonusi: {minutes} daqiqa",
        "no_minutes": "0 daqiqa",
        "welcome": "Birinchi oy bonusi qoldig'i: {minutes} daqiqa va {mb} MB.",
        "promo": "Beeline TV: 30 kunlik bepul obuna yoqildi. Promo-kod SMS orqali yuboriladi.",
        "reload": "Qayta yuklash bajarildi. Yangi paket berildi. Balans: {balance}",
        "switch": "Tarif rejangiz {plan} ga o'zgartirildi.",
        "package": "Paket ulandi. CSD daqiqalar: {minutes}",
    },
    "ru": {
        "balance": "Баланс: {balance}. Тариф: {plan}.",
        "mb": "Остаток интернета: {mb} МБ",
        "tasix": "TAS-IX: {mb} МБ",
        "welcome_mb": "бонус первого месяца: {mb} МБ",
        "sms": "Остаток SMS: {sms}.",
        "minutes": "Остаток минут: {found}.",
        "minute_item": "{label}: {minutes} мин",
        "welcome_minute_item": "бонус первого месяца: {minutes} мин",
        "no_minutes": "0 мин",
        "welcome": "Остаток бонуса первого месяца: {minutes} мин и {mb} МБ.",
        "promo": "Beeline TV: бесплатная подписка на 30 дней включена. Промокод придёт по SMS.",
        "reload": "Перезагрузка выполнена. Новый пакет выдан. Баланс: {balance}",
        "switch": "Ваш тариф изменён на {plan}.",
        "package": "Пакет подключён. Минуты CSD: {minutes}",
    },
    "en": {
        "balance": "Balance: {balance}. Plan: {plan}.",
        "mb": "Internet left: {mb} MB",
        "tasix": "TAS-IX: {mb} MB",
        "welcome_mb": "first-month bonus: {mb} MB",
        "sms": "SMS left: {sms}.",
        "minutes": "Minutes left: {found}.",
        "minute_item": "{label}: {minutes} min",
        "welcome_minute_item": "first-month bonus: {minutes} min",
        "no_minutes": "0 min",
        "welcome": "First-month bonus left: {minutes} min and {mb} MB.",
        "promo": "Beeline TV: the free 30-day subscription is on. The promo code comes by SMS.",
        "reload": "Reload done. A new bundle is granted. Balance: {balance}",
        "switch": "Your plan is now {plan}.",
        "package": "Package on. CSD minutes: {minutes}",
    },
}

TV_PROMO = "beeline-tv-promo"


def _say(language: str, key: str, **values: object) -> str:
    words = WORDS.get(language, WORDS["uz"])
    return words[key].format(**values)


def dial(uow: UnitOfWork, *, msisdn: str, code: str, language: str = "uz") -> UssdAnswer:
    """What the phone shows for a USSD code, and the action the code triggers."""
    dialled = "".join(code.split())
    if not _is_ussd(dialled):
        raise InvalidRequestError(f"{code!r} is not a USSD code (like *100#)", field="code")
    queries = _queries()
    codes = catalog.get_catalogue().ussd
    if dialled in queries:
        return UssdAnswer(code=dialled, text=queries[dialled](service.state(uow, msisdn=msisdn), language), action=None)
    if dialled == codes.tv_promo_code:
        service.activate_promo(uow, msisdn=msisdn, promo_id=TV_PROMO)
        return UssdAnswer(code=dialled, text=_say(language, "promo"), action="promo")
    if dialled == codes.reload:
        line = service.reload(uow, msisdn=msisdn)
        return UssdAnswer(code=dialled, text=_say(language, "reload", balance=_som(line)), action="reload")
    target = catalog.find_plan_by_switch_code(dialled)
    if target is not None:
        return switch(uow, msisdn=msisdn, plan_id=target.id, language=language)
    if catalog.find_package_by_code(dialled) is not None:
        line = service.buy_package(uow, msisdn=msisdn, code=dialled)
        minutes = line.bundles.get("csd_minutes", 0)
        return UssdAnswer(code=dialled, text=_say(language, "package", minutes=minutes), action="package")
    raise InvalidRequestError(f"unknown USSD code {dialled}", field="code")


def switch(uow: UnitOfWork, *, msisdn: str, plan_id: str, language: str = "uz") -> UssdAnswer:
    """Switch plan (`*110*NNN#`, or the menu's choice of a plan) and what the phone shows."""
    target = catalog.get_plan(plan_id)
    service.switch_plan(uow, msisdn=msisdn, plan_id=target.id)
    code = target.switching.code or "*110#"
    return UssdAnswer(code=code, text=_say(language, "switch", plan=target.name), action="switch")


def query(uow: UnitOfWork, *, msisdn: str, code: str, language: str = "uz") -> UssdAnswer:
    """Only the codes that ask (balance, what is left): safe to answer to a GET. A code that
    acts (switch, reload, promo, package) is refused here: its own endpoint does that."""
    dialled = "".join(code.split())
    queries = _queries()
    if dialled not in queries:
        raise InvalidRequestError(
            f"{code[:20]!r} is not a query code ({', '.join(queries)}); actions have their own endpoints", field="code"
        )
    return UssdAnswer(code=dialled, text=queries[dialled](service.state(uow, msisdn=msisdn), language), action=None)


def is_query(code: str) -> bool:
    """Whether `code` only asks (balance, what is left): its answer ends the session."""
    return "".join(code.split()) in _queries()


def summary(line: LineState, language: str = "uz") -> tuple[str, ...]:
    """Balance and every bundle left, a line each: the self-service menu's first screen."""
    return (
        _ussd_balance(line, language),
        _ussd_minutes(line, language),
        _ussd_sms(line, language),
        _ussd_mb(line, language),
    )


def _queries() -> dict[str, Callable[[LineState, str], str]]:
    codes = catalog.get_catalogue().ussd
    return {
        codes.balance: _ussd_balance,
        codes.mb_left: _ussd_mb,
        codes.sms_left: _ussd_sms,
        codes.minutes_left: _ussd_minutes,
        codes.welcome_left: _ussd_welcome,
    }


def _is_ussd(code: str) -> bool:
    return (
        3 <= len(code) <= 20
        and code.startswith("*")
        and code.endswith("#")
        and all(c.isdigit() or c in "*#" for c in code)
    )


def _som(line: LineState) -> str:
    return Money(line.balance_tiyin).format()


def _ussd_balance(line: LineState, language: str = "uz") -> str:
    return _say(language, "balance", balance=_som(line), plan=catalog.get_plan(line.plan).name)


def _ussd_mb(line: LineState, language: str = "uz") -> str:
    parts = [_say(language, "mb", mb=line.bundles.get("mb", 0))]
    if "tasix_mb" in line.bundles:
        parts.append(_say(language, "tasix", mb=line.bundles["tasix_mb"]))
    if "welcome_mb" in line.bundles:
        parts.append(_say(language, "welcome_mb", mb=line.bundles["welcome_mb"]))
    return ", ".join(parts) + "."


def _ussd_sms(line: LineState, language: str = "uz") -> str:
    return _say(language, "sms", sms=line.bundles.get("sms", 0))


def _ussd_minutes(line: LineState, language: str = "uz") -> str:
    labels = _MINUTE_LABELS.get(language, _MINUTE_LABELS["uz"])
    found = [
        _say(language, "minute_item", label=labels[key], minutes=line.bundles[key])
        for key in MINUTE_BUNDLES
        if key in line.bundles
    ]
    if "welcome_minutes" in line.bundles:
        found.insert(0, _say(language, "welcome_minute_item", minutes=line.bundles["welcome_minutes"]))
    return _say(language, "minutes", found="; ".join(found) if found else _say(language, "no_minutes"))


def _ussd_welcome(line: LineState, language: str = "uz") -> str:
    minutes, mb = line.bundles.get("welcome_minutes", 0), line.bundles.get("welcome_mb", 0)
    return _say(language, "welcome", minutes=minutes, mb=mb)
