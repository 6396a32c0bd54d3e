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
    # The e-wallet tells its owner of every PIN reset and every block (offer 4.6; issue 8).
    "wallet.pin_reset": {
        "uz": (
            "Yagona: {phone} hamyonining PIN-kodi yangilandi. Bu "
            "siz bo'lmasangiz, darhol koll-markazga qo'ng'iroq qiling."
        ),
        "ru": "Yagona: PIN-код кошелька {phone} изменён. Если это не вы, срочно позвоните в колл-центр.",
        "en": "Yagona: the PIN of wallet {phone} was reset. If it was not you, call the call-centre at once.",
    },
    "wallet.pin_cancelled": {
        "uz": (
            "Yagona: {phone} hamyonining PIN-kodi bekor qilindi, "
            "hamyon bloklandi. Tiklash: tug'ilgan sana va yangi PIN."
        ),
        "ru": (
            "Yagona: PIN-код кошелька {phone} отменён, кошелёк заблокирован. Восстановление: дата рождения и новый PIN."
        ),
        "en": (
            "Yagona: the PIN of wallet {phone} was cancelled and the "
            "wallet blocked. Restore it with your birth date and a new PIN."
        ),
    },
    "wallet.pin_locked": {
        "uz": "Yagona: {phone} hamyoniga PIN-kod ko'p marta noto'g'ri kiritildi; hamyon {minutes} daqiqaga bloklandi.",
        "ru": (
            "Yagona: PIN-код кошелька {phone} введён неверно слишком много раз; кошелёк заблокирован на {minutes} мин."
        ),
        "en": "Yagona: too many wrong PINs for wallet {phone}; it is locked for {minutes} minutes.",
    },
    "wallet.restore_locked": {
        "uz": (
            "Yagona: {phone} hamyonini tiklashda tug'ilgan sana "
            "ko'p marta noto'g'ri kiritildi; tiklash vaqtincha bloklandi."
        ),
        "ru": (
            "Yagona: при восстановлении кошелька {phone} дата рождения "
            "введена неверно слишком много раз; восстановление заблокировано."
        ),
        "en": "Yagona: too many wrong birth dates restoring wallet {phone}; restoring it is locked for now.",
    },
    "wallet.blocked_lost": {
        "uz": (
            "Yagona: raqam yo'qolgani sababli {phone} hamyoni bloklandi. Tiklash uchun koll-markazga murojaat qiling."
        ),
        "ru": "Yagona: кошелёк {phone} заблокирован из-за утери номера. Для восстановления обратитесь в колл-центр.",
        "en": "Yagona: wallet {phone} was blocked for a lost phone. Call the call-centre to restore it.",
    },
    "wallet.blocked_fraud": {
        "uz": "Yagona: {phone} hamyoni operator tomonidan bloklandi, mablag'lar muzlatildi (oferta 5.2.2).",
        "ru": "Yagona: кошелёк {phone} заблокирован оператором, средства заморожены (оферта 5.2.2).",
        "en": "Yagona: wallet {phone} was blocked by the operator and its funds frozen (offer 5.2.2).",
    },
    # Home internet's reminders before the reminder engine took them over (its rules'
    # texts now, sent as notify.text): kept so that messages already queued still read.
    "home.fee_tomorrow": {
        "uz": "Yagona: ertaga {contract} uy interneti uchun {amount} to'lov yechiladi, balans yetarli emas.",
        "ru": "Yagona: завтра спишется {amount} за домашний интернет {contract}, а на балансе не хватает.",
        "en": "Yagona: tomorrow {amount} is due for home internet {contract} and the balance is short.",
    },
    "home.suspended": {
        "uz": "Yagona: {contract} uy interneti to'xtatildi. {amount} to'lang, xizmat darhol tiklanadi.",
        "ru": "Yagona: домашний интернет {contract} приостановлен. Оплатите {amount}, и он сразу возобновится.",
        "en": "Yagona: home internet {contract} is suspended. Pay {amount} and it resumes at once.",
    },
    "home.still_suspended": {
        "uz": "Yagona: {contract} uy interneti hali ham to'xtatilgan. Tiklash uchun {amount} to'lang.",
        "ru": "Yagona: домашний интернет {contract} всё ещё приостановлен. Для возобновления оплатите {amount}.",
        "en": "Yagona: home internet {contract} is still suspended. Pay {amount} to resume it.",
    },
    # A text its sender already rendered in the customer's language (a reminder rule's own
    # template, a reply from the call-centre): notify only carries it.
    "notify.text": {"uz": "{text}", "ru": "{text}", "en": "{text}"},
}

FALLBACK_LANGUAGE = "uz"

# One-time codes and security alerts: delivered first, with their own SMS rate budget, so
# that reminders and notices to the same phone can never hold a sign-in code back.
URGENT = frozenset(
    {
        "identity.otp",
        "identity.new_device",
        "identity.access_reported",
        "identity.totp_changed",
        "identity.totp_removed",
        "wallet.pin_reset",
        "wallet.pin_cancelled",
        "wallet.pin_locked",
        "wallet.restore_locked",
        "wallet.blocked_lost",
        "wallet.blocked_fraud",
    }
)


def render(template: str, language: str, params: Mapping[str, str]) -> str:
    """The text of `template` in `language` (Uzbek when that language is missing)."""
    texts = TEMPLATES[template]
    try:
        return texts.get(language, texts[FALLBACK_LANGUAGE]).format(**params)
    except KeyError as missing:
        raise InvalidRequestError(f"template {template} needs the parameter {missing}", template=template) from None


def known(template: str) -> bool:
    return template in TEMPLATES
