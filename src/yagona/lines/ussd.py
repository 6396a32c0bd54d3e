"""The USSD channel: what a phone shows for a code it dials, and the action the code
triggers (a query, a switch, a reload, a promo, a package). An adapter over the service:
the screens' words live here, the rules in the service and `lines.rules`."""

from __future__ import annotations

from yagona.catalog import service as catalog
from yagona.kernel.money import Money
from yagona.lines import service
from yagona.lines.errors import InvalidRequestError
from yagona.lines.schemas import LineState, UssdAnswer
from yagona.platform.uow import UnitOfWork

# --- USSD ------------------------------------------------------------------------------------

MINUTE_BUNDLES = ("minutes", "onnet_minutes", "offnet_minutes", "bonus_onnet_minutes", "intl_minutes", "csd_minutes")
_MINUTE_LABELS = {
    "minutes": "O'zbekiston bo'ylab",
    "onnet_minutes": "tarmoq ichida",
    "offnet_minutes": "boshqa operatorlarga",
    "bonus_onnet_minutes": "bonus (tarmoq ichida)",
    "intl_minutes": "xalqaro",
    "csd_minutes": "CSD",
}


TV_PROMO = "beeline-tv-promo"


def dial(uow: UnitOfWork, *, msisdn: str, code: str) -> UssdAnswer:
    """What the phone shows for a USSD code, and the action the code triggers."""
    dialled = "".join(code.split())
    codes = catalog.get_catalogue().ussd
    if not _is_ussd(dialled):
        raise InvalidRequestError(f"{code!r} is not a USSD code (like *100#)", field="code")
    queries = {
        codes.balance: _ussd_balance,
        codes.mb_left: _ussd_mb,
        codes.sms_left: _ussd_sms,
        codes.minutes_left: _ussd_minutes,
        codes.welcome_left: _ussd_welcome,
    }
    if dialled in queries:
        return UssdAnswer(code=dialled, text=queries[dialled](service.state(uow, msisdn=msisdn)), action=None)
    if dialled == codes.tv_promo_code:
        service.activate_promo(uow, msisdn=msisdn, promo_id=TV_PROMO)
        return UssdAnswer(
            code=dialled,
            text="Beeline TV: 30 kunlik bepul obuna yoqildi. Promo-kod SMS orqali yuboriladi.",
            action="promo",
        )
    if dialled == codes.reload:
        line = service.reload(uow, msisdn=msisdn)
        return UssdAnswer(
            code=dialled, text=f"Qayta yuklash bajarildi. Yangi paket berildi. Balans: {_som(line)}", action="reload"
        )
    target = catalog.find_plan_by_switch_code(dialled)
    if target is not None:
        service.switch_plan(uow, msisdn=msisdn, plan_id=target.id)
        return UssdAnswer(code=dialled, text=f"Tarif rejangiz {target.name} ga o'zgartirildi.", action="switch")
    if catalog.find_package_by_code(dialled) is not None:
        line = service.buy_package(uow, msisdn=msisdn, code=dialled)
        return UssdAnswer(
            code=dialled, text=f"Paket ulandi. CSD daqiqalar: {line.bundles.get('csd_minutes', 0)}", action="package"
        )
    raise InvalidRequestError(f"unknown USSD code {dialled}", field="code")


def query(uow: UnitOfWork, *, msisdn: str, code: str) -> UssdAnswer:
    """Only the codes that ask (balance, what is left): safe to answer to a GET. A code that
    acts (switch, reload, promo, package) is refused here: its own endpoint does that."""
    dialled = "".join(code.split())
    codes = catalog.get_catalogue().ussd
    queries = {
        codes.balance: _ussd_balance,
        codes.mb_left: _ussd_mb,
        codes.sms_left: _ussd_sms,
        codes.minutes_left: _ussd_minutes,
        codes.welcome_left: _ussd_welcome,
    }
    if dialled not in queries:
        raise InvalidRequestError(
            f"{code[:20]!r} is not a query code ({', '.join(queries)}); actions have their own endpoints", field="code"
        )
    return UssdAnswer(code=dialled, text=queries[dialled](service.state(uow, msisdn=msisdn)), action=None)


def _is_ussd(code: str) -> bool:
    return (
        3 <= len(code) <= 20
        and code.startswith("*")
        and code.endswith("#")
        and all(c.isdigit() or c in "*#" for c in code)
    )


def _som(line: LineState) -> str:
    return Money(line.balance_tiyin).format()


def _ussd_balance(line: LineState) -> str:
    return f"Balans: {_som(line)}. Tarif: {catalog.get_plan(line.plan).name}."


def _ussd_mb(line: LineState) -> str:
    parts = [f"Internet qoldig'i: {line.bundles.get('mb', 0)} MB"]
    if "tasix_mb" in line.bundles:
        parts.append(f"TAS-IX: {line.bundles['tasix_mb']} MB")
    if "welcome_mb" in line.bundles:
        parts.append(f"birinchi oy bonusi: {line.bundles['welcome_mb']} MB")
    return ", ".join(parts) + "."


def _ussd_sms(line: LineState) -> str:
    return f"SMS qoldig'i: {line.bundles.get('sms', 0)} ta."


def _ussd_minutes(line: LineState) -> str:
    found = [f"{_MINUTE_LABELS[key]}: {line.bundles[key]} daqiqa" for key in MINUTE_BUNDLES if key in line.bundles]
    if "welcome_minutes" in line.bundles:
        found.insert(0, f"birinchi oy bonusi: {line.bundles['welcome_minutes']} daqiqa")
    return "Daqiqalar qoldig'i: " + ("; ".join(found) if found else "0 daqiqa") + "."


def _ussd_welcome(line: LineState) -> str:
    minutes, mb = line.bundles.get("welcome_minutes", 0), line.bundles.get("welcome_mb", 0)
    return f"Birinchi oy bonusi qoldig'i: {minutes} daqiqa va {mb} MB."
