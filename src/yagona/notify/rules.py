# ruff: noqa: RUF001 - Russian texts are Cyrillic on purpose
"""Message templates per language (Uzbek Latin first, then Russian and English). Pure."""

from __future__ import annotations

from collections.abc import Mapping

from yagona.kernel.errors import InvalidRequestError

TEMPLATES: Mapping[str, Mapping[str, str]] = {
    "identity.otp": {
        "uz": "Yagona: tasdiqlash kodi {code}. Kod {minutes} daqiqa amal qiladi. Uni hech kimga aytmang.",
        "ru": "Yagona: код подтверждения {code}. Код действует {minutes} мин. Никому его не сообщайте.",
        "en": "Yagona: your code is {code}. It is valid for {minutes} minutes. Do not share it.",
    },
    "identity.new_device": {
        "uz": "Yagona: hisobingizga yangi qurilmadan kirildi ({device}). Bu siz bo'lmasangiz, kabinetda xabar bering.",
        "ru": "Yagona: вход в аккаунт с нового устройства ({device}). Если это не вы, сообщите в кабинете.",
        "en": "Yagona: a sign-in from a new device ({device}). If it was not you, report it in your cabinet.",
    },
    "identity.access_reported": {
        "uz": "Yagona: barcha seanslar yopildi. Parolingizni yangilang.",
        "ru": "Yagona: все сеансы завершены. Смените пароль.",
        "en": "Yagona: every session was closed. Please change your password.",
    },
    "identity.totp_changed": {
        "uz": "Yagona: ikkinchi omil (autentifikator ilovasi) o'rnatildi. Bu siz bo'lmasangiz, kabinetda xabar bering.",
        "ru": "Yagona: подключено приложение-аутентификатор. Если это не вы, сообщите в кабинете.",
        "en": "Yagona: an authenticator app was set up. If it was not you, report it in your cabinet.",
    },
    "identity.totp_removed": {
        "uz": "Yagona: ikkinchi omil (autentifikator ilovasi) o'chirildi. Bu siz bo'lmasangiz, kabinetda xabar bering.",
        "ru": "Yagona: приложение-аутентификатор отключено. Если это не вы, сообщите в кабинете.",
        "en": "Yagona: the authenticator app was switched off. If it was not you, report it in your cabinet.",
    },
}

FALLBACK_LANGUAGE = "uz"


def render(template: str, language: str, params: Mapping[str, str]) -> str:
    """The text of `template` in `language` (Uzbek when that language is missing)."""
    texts = TEMPLATES[template]
    try:
        return texts.get(language, texts[FALLBACK_LANGUAGE]).format(**params)
    except KeyError as missing:
        raise InvalidRequestError(f"template {template} needs the parameter {missing}", template=template) from None


def known(template: str) -> bool:
    return template in TEMPLATES
