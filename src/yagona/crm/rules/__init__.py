"""Pure rules of the CRM: what a timeline entry may say."""

from __future__ import annotations

import re

SUMMARY_MAX_LENGTH = 300
BODY_MAX_LENGTH = 4000
NOTE_MAX_LENGTH = 1000  # a staff call note or a request's closing note
PAGE_MAX = 1000  # the deepest page of a timeline anyone asks for
MESSAGE_STATUSES = ("sent", "delivered", "failed")
# 13 to 19 digits, spaces or dashes allowed between them: a payment card's number (PAN).
_CARD_NUMBER = re.compile(r"(?<!\d)(?:\d[ -]?){12,18}\d(?!\d)")


def mask_card_numbers(text: str) -> str:
    """A card number typed into a message keeps only its last four digits: the timeline
    is read by staff, and the privacy rules forbid full card numbers anywhere."""

    def masked(match: re.Match[str]) -> str:
        digits = re.sub(r"\D", "", match.group(0))
        return "*" * (len(digits) - 4) + digits[-4:]

    return _CARD_NUMBER.sub(masked, text)


def status_may_move(current: str | None, new: str) -> bool:
    """A message's state only moves forward: a late `sent` does not undo `delivered`."""
    order = {None: 0, "sent": 1, "delivered": 2, "failed": 2}
    return order.get(new, 0) >= order.get(current, 0)


def clean_text(text: str, *, max_length: int) -> str | None:
    """Whitespace folded, card numbers masked, cut to `max_length`; None when empty."""
    folded = " ".join(text.split())
    if not folded:
        return None
    return mask_card_numbers(folded)[:max_length]


# --- what the timeline says, in the customer's language -------------------------------------
# A summary that an event writes is said in plain words, in the language of the customer it
# belongs to, from the phrases below. A message is described by its template, never quoted:
# its body may hold a one-time code.

Phrases = dict[str, dict[str, str]]

PHRASES: Phrases = {
    "signed_in": {"uz": "Portalga kirdi", "ru": "Вход в портал", "en": "Signed in to the portal"},
    "registered": {"uz": "One ID'da ro'yxatdan o'tdi", "ru": "Регистрация в One ID", "en": "Registered with One ID"},
    "verified": {
        "uz": "Shaxs OneID orqali tasdiqlandi",
        "ru": "Личность подтверждена через OneID",
        "en": "Identity verified through OneID",
    },
    "access_reported": {
        "uz": "Ruxsatsiz kirish haqida xabar berdi: barcha seanslar yakunlandi",
        "ru": "Сообщил про чужой вход: все сеансы завершены",
        "en": "Reported someone else's sign-in: every session ended",
    },
    "line_connected": {
        "uz": "{number} raqami ulandi, tarif {plan}",
        "ru": "Подключён номер {number}, тариф {plan}",
        "en": "Line {number} connected, plan {plan}",
    },
    "line_topped_up": {
        "uz": "{number} raqami to'ldirildi: {amount}",
        "ru": "Номер {number} пополнен: {amount}",
        "en": "Line {number} topped up: {amount}",
    },
    "plan_switched": {
        "uz": "{number} raqami: tarif {from_plan} → {to_plan}",
        "ru": "Номер {number}: тариф {from_plan} → {to_plan}",
        "en": "Line {number}: plan {from_plan} → {to_plan}",
    },
    "line_blocked": {
        "uz": "{number} raqami bloklandi ({reason})",
        "ru": "Номер {number} заблокирован ({reason})",
        "en": "Line {number} blocked ({reason})",
    },
    "line_unblocked": {
        "uz": "{number} raqami blokdan chiqarildi",
        "ru": "Номер {number} разблокирован",
        "en": "Line {number} unblocked",
    },
    "wallet_registered": {"uz": "Hamyon ochildi", "ru": "Открыт кошелёк", "en": "Wallet opened"},
    "wallet_topped_up": {
        "uz": "Hamyon to'ldirildi: {amount}",
        "ru": "Кошелёк пополнен: {amount}",
        "en": "Wallet topped up: {amount}",
    },
    "wallet_sent": {
        "uz": "{to} raqamiga {amount} o'tkazildi",
        "ru": "Перевод {amount} на {to}",
        "en": "Sent {amount} to {to}",
    },
    "wallet_received": {
        "uz": "{sender} raqamidan {amount} o'tkazma keldi",
        "ru": "Получен перевод {amount} от {sender}",
        "en": "Received {amount} from {sender}",
    },
    "wallet_paid": {
        "uz": "Hamyondan to'lov: {provider}, {amount}",
        "ru": "Оплата из кошелька: {provider}, {amount}",
        "en": "Paid from the wallet: {provider}, {amount}",
    },
    "wallet_state": {"uz": "Hamyon: {change}", "ru": "Кошелёк: {change}", "en": "Wallet: {change}"},
    "wallet_redeemed": {
        "uz": "Hamyondan kartaga chiqarildi: {amount}",
        "ru": "Выведено из кошелька на карту: {amount}",
        "en": "Paid out from the wallet to a card: {amount}",
    },
    "home_requested": {
        "uz": "Uy interneti so'raldi (shartnoma {contract})",
        "ru": "Заявка на домашний интернет (договор {contract})",
        "en": "Home internet requested (contract {contract})",
    },
    "home_activated": {
        "uz": "Uy interneti ulandi (shartnoma {contract})",
        "ru": "Домашний интернет подключён (договор {contract})",
        "en": "Home internet connected (contract {contract})",
    },
    "home_topped_up": {
        "uz": "Uy interneti {contract} to'ldirildi: {amount}",
        "ru": "Домашний интернет {contract} пополнен: {amount}",
        "en": "Home internet {contract} topped up: {amount}",
    },
    "home_plan_changed": {
        "uz": "Uy interneti {contract}: tarif {plan}",
        "ru": "Домашний интернет {contract}: тариф {plan}",
        "en": "Home internet {contract}: plan {plan}",
    },
    "home_plan_next": {
        "uz": "Uy interneti {contract}: keyingi davrdan tarif {plan}",
        "ru": "Домашний интернет {contract}: тариф {plan} в следующем периоде",
        "en": "Home internet {contract}: plan {plan} from the next period",
    },
    "home_suspended": {
        "uz": "Uy interneti {contract} to'xtatildi: balans to'lovga yetmaydi",
        "ru": "Домашний интернет {contract} приостановлен: на балансе не хватает на плату",
        "en": "Home internet {contract} suspended: the balance is short of the fee",
    },
    "home_resumed": {
        "uz": "Uy interneti {contract} qayta yoqildi",
        "ru": "Домашний интернет {contract} возобновлён",
        "en": "Home internet {contract} resumed",
    },
    "home_closed": {
        "uz": "Uy interneti {contract} yopildi",
        "ru": "Домашний интернет {contract} закрыт",
        "en": "Home internet {contract} closed",
    },
    "message": {"uz": "{channel}: {what}", "ru": "{channel}: {what}", "en": "{channel}: {what}"},
}

# Words that fill the phrases: sign-in methods, block reasons, wallet changes, channels.
WORDS: Phrases = {
    "otp": {"uz": "SMS kod", "ru": "код из SMS", "en": "SMS code"},
    "pwd": {"uz": "parol", "ru": "пароль", "en": "password"},
    "totp": {"uz": "autentifikator", "ru": "аутентификатор", "en": "authenticator"},
    "oneid": {"uz": "OneID", "ru": "OneID", "en": "OneID"},
    "new_device": {"uz": "yangi qurilma", "ru": "новое устройство", "en": "a new device"},
    "lost": {"uz": "telefon yo'qolgan", "ru": "телефон утерян", "en": "lost phone"},
    "administrative": {"uz": "ma'muriy", "ru": "административно", "en": "administrative"},
    "debt": {"uz": "mablag' yetarli emas", "ru": "не хватает средств", "en": "balance short"},
    "blocked": {"uz": "bloklandi", "ru": "заблокирован", "en": "blocked"},
    "restored": {"uz": "tiklandi", "ru": "восстановлен", "en": "restored"},
    "frozen": {"uz": "muzlatildi", "ru": "заморожен", "en": "frozen"},
    "released": {"uz": "muzlatish bekor qilindi", "ru": "разморожен", "en": "released"},
    "closed": {"uz": "yopildi", "ru": "закрыт", "en": "closed"},
    "pin_cancelled": {"uz": "PIN bekor qilindi", "ru": "PIN отменён", "en": "PIN cancelled"},
    "dormant": {"uz": "nofaol", "ru": "неактивен", "en": "dormant"},
    "channel.sms": {"uz": "SMS", "ru": "SMS", "en": "SMS"},
    "channel.push": {"uz": "Push-xabar", "ru": "Push-уведомление", "en": "Push notification"},
    "channel.email": {"uz": "E-pochta", "ru": "Эл. почта", "en": "E-mail"},
}

# What a message was, by its notify template (never its text).
TEMPLATES: Phrases = {
    "identity.otp": {"uz": "kirish kodi", "ru": "код для входа", "en": "sign-in code"},
    "identity.new_device": {
        "uz": "yangi qurilmadan kirish haqida ogohlantirish",
        "ru": "предупреждение: вход на новом устройстве",
        "en": "warning of a sign-in from a new device",
    },
    "identity.access_reported": {
        "uz": "barcha seanslar yakunlandi",
        "ru": "все сеансы завершены",
        "en": "every session ended",
    },
    "identity.totp_changed": {
        "uz": "autentifikator almashtirildi",
        "ru": "аутентификатор заменён",
        "en": "authenticator changed",
    },
    "identity.totp_removed": {
        "uz": "autentifikator o'chirildi",
        "ru": "аутентификатор отключён",
        "en": "authenticator turned off",
    },
    "wallet.pin_reset": {"uz": "hamyon PIN-kodi tiklandi", "ru": "PIN кошелька сброшен", "en": "wallet PIN reset"},
    "wallet.pin_cancelled": {
        "uz": "hamyon PIN-kodi bekor qilindi",
        "ru": "PIN кошелька отменён",
        "en": "wallet PIN cancelled",
    },
    "wallet.pin_locked": {
        "uz": "hamyon PIN-kodi bloklandi",
        "ru": "PIN кошелька заблокирован",
        "en": "wallet PIN locked",
    },
    "wallet.restore_locked": {
        "uz": "hamyonni tiklash bloklandi",
        "ru": "восстановление кошелька заблокировано",
        "en": "wallet restore locked",
    },
    "wallet.blocked_lost": {
        "uz": "hamyon bloklandi: telefon yo'qolgan",
        "ru": "кошелёк заблокирован: телефон утерян",
        "en": "wallet blocked: lost phone",
    },
    "wallet.blocked_fraud": {"uz": "hamyon muzlatildi", "ru": "кошелёк заморожен", "en": "wallet frozen"},
    "home.fee_tomorrow": {
        "uz": "ertaga uy interneti uchun to'lov",
        "ru": "завтра плата за домашний интернет",
        "en": "home internet fee due tomorrow",
    },
    "home.suspended": {
        "uz": "uy interneti to'xtatildi",
        "ru": "домашний интернет приостановлен",
        "en": "home internet suspended",
    },
    "home.still_suspended": {
        "uz": "uy interneti hali ham to'xtatilgan",
        "ru": "домашний интернет всё ещё приостановлен",
        "en": "home internet still suspended",
    },
    "": {"uz": "xabar", "ru": "сообщение", "en": "a message"},  # notify.text and anything new
}

# The reminder engine's rules (reminders/data/rules.yaml), said as a reminder.
REMINDERS: Phrases = {
    "line-fee-due": {
        "uz": "Eslatma: ertaga abonent to'lovi, balans yetarli emas",
        "ru": "Напоминание: завтра абонентская плата, баланса не хватает",
        "en": "Reminder: the line's fee is due tomorrow and the balance is short",
    },
    "line-bundle-80": {
        "uz": "Eslatma: paketning 80 % ishlatildi",
        "ru": "Напоминание: пакет израсходован на 80 %",
        "en": "Reminder: 80 % of a bundle is used",
    },
    "line-promo-ends": {
        "uz": "Eslatma: aksiyaning bepul oyi 3 kundan keyin tugaydi",
        "ru": "Напоминание: бесплатный месяц по акции закончится через 3 дня",
        "en": "Reminder: a promo's free month ends in 3 days",
    },
    "wallet-light-limit": {
        "uz": "Eslatma: Light hamyon limitining 90 % ishlatildi",
        "ru": "Напоминание: кошелёк Light достиг 90 % лимита",
        "en": "Reminder: the Light wallet is at 90 % of a limit",
    },
    "wallet-dormancy": {
        "uz": "Eslatma: hamyon 30 kundan keyin nofaol bo'ladi",
        "ru": "Напоминание: через 30 дней кошелёк станет неактивным",
        "en": "Reminder: the wallet becomes dormant in 30 days",
    },
    "points-expiring": {
        "uz": "Eslatma: bonus ballar 30 kun ichida kuyadi",
        "ru": "Напоминание: бонусные баллы сгорят в течение 30 дней",
        "en": "Reminder: bonus points expire within 30 days",
    },
    "home-fee-due": {
        "uz": "Eslatma: ertaga uy interneti uchun to'lov",
        "ru": "Напоминание: завтра плата за домашний интернет",
        "en": "Reminder: the home internet fee is due tomorrow",
    },
    "home-suspended": {
        "uz": "Eslatma: uy interneti mablag' yetmagani uchun to'xtatildi",
        "ru": "Напоминание: домашний интернет приостановлен из-за нехватки средств",
        "en": "Reminder: home internet is suspended for lack of funds",
    },
    "home-still-suspended": {
        "uz": "Eslatma: uy interneti hali ham to'xtatilgan",
        "ru": "Напоминание: домашний интернет всё ещё приостановлен",
        "en": "Reminder: home internet is still suspended",
    },
    "": {"uz": "Eslatma yuborildi", "ru": "Отправлено напоминание", "en": "Reminder sent"},
}


def _say(table: Phrases, key: str, language: str) -> str:
    texts = table.get(key) or table.get("") or {}
    return texts.get(language) or texts.get("en") or key


def word(key: str, language: str) -> str:
    """A word that fills a phrase; an unknown key is said as it is (a new code shows, not hides)."""
    return _say(WORDS, key, language) if key in WORDS else key


def phrase(key: str, language: str, **params: str) -> str:
    """A timeline summary in `language` (uz, ru, en; anything else is English)."""
    return _say(PHRASES, key, language).format(**params)


def message_summary(*, channel: str, template: str, language: str) -> str:
    """A message sent to the customer, described by its template: never its body (a code)."""
    what = _say(TEMPLATES, template, language)
    return phrase("message", language, channel=word(f"channel.{channel}", language), what=what)


def reminder_summary(rule: str, language: str) -> str:
    return _say(REMINDERS, rule, language)


def sign_in_summary(methods: str, *, new_device: bool, language: str) -> str:
    """`Signed in to the portal (SMS code, authenticator; a new device)`."""
    how = ", ".join(word(m, language) for m in methods.split()[:4])
    extra = f"; {word('new_device', language)}" if new_device else ""
    text = phrase("signed_in", language)
    return f"{text} ({how}{extra})" if how or extra else text


def masked_phone(msisdn: str) -> str:
    """Another person's number on a customer's timeline: `+998 90 *** ** 67`."""
    if len(msisdn) != 12 or not msisdn.isdigit():
        return "***"
    return f"+998 {msisdn[3:5]} *** ** {msisdn[10:12]}"
