# ruff: noqa: RUF001 - Russian texts are Cyrillic on purpose
"""Pure rules of identity: codes, limits, scopes (phone numbers: `yagona.kernel.phone`). No I/O, no framework."""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from datetime import datetime, timedelta

# The scopes One ID grants; `services` lists the customer's linked services; the last four
# open the customer's own lines and wallet over REST (yagona.platform.auth.CUSTOMER_SCOPES).
SCOPES = (
    "openid",
    "profile",
    "phone",
    "email",
    "services",
    "offline_access",
    "mobile",
    "mobile:manage",
    "wallet",
    "wallet:pay",
    "home",
    "loyalty",
    "history",
    "tickets",
)
SERVICE_SCOPES = ("mobile", "wallet", "home_internet", "iptv")

# What the consent page says each scope lets the client do, in the customer's language.
SCOPE_DESCRIPTIONS: dict[str, dict[str, str]] = {
    "openid": {
        "uz": "Sizni One ID orqali tanish",
        "ru": "Узнавать вас через One ID",
        "en": "Recognise you by your One ID",
    },
    "profile": {
        "uz": "Ismingiz, tilingiz, tug'ilgan sanangiz va tasdiqlash darajangiz",
        "ru": "Ваше имя, язык, дата рождения и уровень подтверждения",
        "en": "Your name, language, birth date and verification level",
    },
    "phone": {"uz": "Telefon raqamingiz", "ru": "Ваш номер телефона", "en": "Your phone number"},
    "email": {"uz": "Elektron pochtangiz", "ru": "Ваша электронная почта", "en": "Your e-mail address"},
    "services": {
        "uz": "Profilingizga ulangan xizmatlar ro'yxati",
        "ru": "Список услуг, привязанных к профилю",
        "en": "The list of services linked to your profile",
    },
    "offline_access": {
        "uz": "Siz tizimda bo'lmaganingizda ham kirishni saqlash",
        "ru": "Сохранять доступ, когда вы не в сети",
        "en": "Keep access while you are away",
    },
    "mobile": {
        "uz": "Mobil raqamlaringizni ko'rish: balans, paketlar, sarf",
        "ru": "Просматривать ваши номера: баланс, пакеты, расход",
        "en": "Read your mobile lines: balance, bundles, usage",
    },
    "mobile:manage": {
        "uz": "Raqamni hamyondan to'ldirish, tarifni almashtirish, paket va aksiyalarni ulash",
        "ru": "Пополнять номер из кошелька, менять тариф, подключать пакеты и акции",
        "en": "Top up a line from the wallet, switch plan, reload, promos",
    },
    "wallet": {
        "uz": "Hamyoningizni ko'rish: balans, limitlar, tarix, cheklar",
        "ru": "Просматривать кошелёк: баланс, лимиты, историю, чеки",
        "en": "Read your wallet: balance, limits, history, receipts",
    },
    "wallet:pay": {
        "uz": "Hamyoningizdan pul o'tkazish (PIN-kod bilan)",
        "ru": "Переводить деньги из кошелька (с PIN-кодом)",
        "en": "Move money from your wallet (with its PIN)",
    },
    "home": {
        "uz": "Uy interneti va IPTV: ulanish so'rovi, tarif, paketlar",
        "ru": "Домашний интернет и IPTV: заявка, тариф, пакеты",
        "en": "Your home internet and IPTV: request, plan, packages",
    },
    "loyalty": {
        "uz": "Bonus ballaringizni ko'rish va ularni raqamingiz uchun sovg'alarga almashtirish",
        "ru": "Просматривать бонусные баллы и обменивать их на подарки для ваших номеров",
        "en": "Read your bonus points and exchange them for rewards on your lines",
    },
    "history": {
        "uz": "Operator bilan aloqalaringiz tarixini ko'rish (SMS, USSD, qo'ng'iroqlar, to'lovlar)",
        "ru": "Просматривать историю ваших обращений к оператору (SMS, USSD, звонки, платежи)",
        "en": "Read the history of your contacts with the operator (SMS, USSD, calls, payments)",
    },
    "tickets": {
        "uz": "Murojaat va shikoyatlaringizni ko'rish, yangisini yuborish va ularga javob yozish",
        "ru": "Просматривать ваши обращения и жалобы, подавать новые и отвечать в них",
        "en": "Read your requests and complaints, send new ones and write on them",
    },
}


def scope_description(scope: str, language: str) -> str:
    texts = SCOPE_DESCRIPTIONS.get(scope)
    return texts.get(language, texts["en"]) if texts else scope


def new_otp(digits: int) -> str:
    """A uniformly random code of `digits` digits (leading zeros kept)."""
    assert 6 <= digits <= 10, "codes have at least six digits"
    return f"{secrets.randbelow(10**digits):0{digits}d}"


def window_expired(started_at: datetime, now: datetime, window: timedelta) -> bool:
    return now >= started_at + window


def over_limit(count: int, limit: int) -> bool:
    """`count` includes the attempt being made: the limit-th attempt is still allowed."""
    return count > limit


def password_problems(password: str, *, min_length: int, phone: str | None) -> list[str]:
    """Why a new password is refused (empty when it is acceptable)."""
    problems = []
    if len(password) < min_length:
        problems.append(f"at least {min_length} characters")
    if len(password) > 256:
        problems.append("at most 256 characters")
    if phone and phone[-9:] in password:
        problems.append("must not contain the phone number")
    if len(set(password)) < 4:
        problems.append("too few different characters")
    return problems


def granted_scopes(requested: Iterable[str], allowed: Iterable[str]) -> list[str]:
    """The requested scopes the client may have, in a stable order."""
    allowed_set = set(allowed)
    return sorted({s for s in requested if s in allowed_set})


def device_label(user_agent: str | None) -> str:
    if not user_agent:
        return "unknown device"
    return user_agent[:80]


def totp_step(unix_s: float, interval_s: int = 30) -> int:
    return int(unix_s // interval_s)
