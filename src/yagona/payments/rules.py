"""Pure rules of the payment protocols: signatures, amounts, accounts, the timeout, messages."""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
from decimal import Decimal, InvalidOperation
from urllib.parse import urlencode

PAYME_TIMEOUT_MS = 43_200_000  # 12 hours: a created transaction older than this cannot be performed
CANCEL_TIMEOUT = 4  # Payme's cancel reason "cancelled by timeout"

_PHONE = re.compile(r"^998\d{9}$")
_CONTRACT = re.compile(r"^\d{1,16}$")  # digits: the home domain says whether the contract exists

# The Payme account key of each target (product.md §10), and back.
PAYME_KEYS = {"line": "phone", "wallet": "wallet", "home": "home"}
_TARGETS = {key: target for target, key in PAYME_KEYS.items()}

# Payme's messages come in the three languages the protocol asks for.
PAYME_MESSAGES: dict[int, dict[str, str]] = {
    -32504: {"uz": "Ruxsat yo'q", "ru": "Недостаточно привилегий", "en": "Insufficient privileges"},
    -32700: {"uz": "JSON xato", "ru": "Ошибка разбора JSON", "en": "Parse error"},
    -32600: {"uz": "So'rov noto'g'ri", "ru": "Неверный запрос", "en": "Invalid request"},
    -32601: {"uz": "Metod topilmadi", "ru": "Метод не найден", "en": "Method not found"},
    -31001: {"uz": "Summa noto'g'ri", "ru": "Неверная сумма", "en": "Invalid amount"},
    -31003: {"uz": "Tranzaksiya topilmadi", "ru": "Транзакция не найдена", "en": "Transaction not found"},
    -31007: {
        "uz": "Tranzaksiyani bekor qilib bo'lmaydi",
        "ru": "Невозможно отменить транзакцию",
        "en": "The transaction cannot be cancelled",
    },
    -31008: {
        "uz": "Amalni bajarib bo'lmaydi",
        "ru": "Невозможно выполнить операцию",
        "en": "The operation cannot be performed",
    },
    -31050: {"uz": "Hisob topilmadi", "ru": "Счёт не найден", "en": "Account not found"},
    -31051: {"uz": "Hisob bloklangan", "ru": "Счёт заблокирован", "en": "The account is blocked"},
    -31052: {
        "uz": "Hamyon limitidan oshib ketadi",
        "ru": "Превышен лимит кошелька",
        "en": "The wallet's limit would be exceeded",
    },
}

CLICK_NOTES: dict[int, str] = {
    0: "Success",
    -1: "SIGN CHECK FAILED!",
    -2: "Incorrect parameter amount",
    -3: "Action not found",
    -4: "Already paid",
    -5: "User does not exist",
    -6: "Transaction does not exist",
    -7: "Failed to update user",
    -8: "Error in request from click",
    -9: "Transaction cancelled",
}


def payme_key_digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def payme_credentials_ok(authorization: str | None, key: str | None, *, key_sha256: str | None = None) -> bool:
    """HTTP Basic `Paycom:<key>`, compared in constant time. A key changed by ChangePassword
    (kept as its SHA-256) overrides the configured one; no key at all: nobody."""
    if not (key or key_sha256) or not authorization or not authorization.startswith("Basic "):
        return False
    try:
        decoded = base64.b64decode(authorization[6:].strip(), validate=True).decode()
    except ValueError:
        return False
    login, _, given = decoded.partition(":")
    if key_sha256 is not None:
        return hmac.compare_digest(login.encode(), b"Paycom") & hmac.compare_digest(
            payme_key_digest(given).encode(), key_sha256.encode()
        )
    assert key is not None
    return hmac.compare_digest(decoded.encode(), f"Paycom:{key}".encode())


def payme_new_key(raw: object) -> str | None:
    """ChangePassword's `password`: printable, no spaces, 8…256 characters, or None (-32600)."""
    if not isinstance(raw, str) or not 8 <= len(raw) <= 256 or not raw.isprintable() or " " in raw:
        return None
    return raw


def payme_amount(amount: object, *, minimum: int, maximum: int) -> int | None:
    """Whole tiyin within the bounds, or None (-31001). Strings, floats, booleans: refused."""
    if isinstance(amount, bool) or not isinstance(amount, int):
        return None
    return amount if minimum <= amount <= maximum else None


def phone(raw: object) -> str | None:
    if not isinstance(raw, str | int) or isinstance(raw, bool):
        return None
    digits = str(raw).strip().lstrip("+")
    return digits if _PHONE.match(digits) else None


def payme_account_field(account: object) -> str:
    """The account field an account error names in its `data` (the protocol asks for it)."""
    if isinstance(account, dict) and len(account) == 1:
        (key,) = account
        if isinstance(key, str) and key in _TARGETS:
            return key
    return "phone"


PAYME_CANCEL_REASONS = frozenset({1, 2, 3, 4, 5, 10})  # the protocol's list of cancel reasons


def contract(raw: object) -> str | None:
    """A home account's contract as a payment system sends it: digits (a string or a number)."""
    if not isinstance(raw, str | int) or isinstance(raw, bool):
        return None
    digits = str(raw).strip()
    return digits if _CONTRACT.match(digits) else None


def payme_account(account: object) -> tuple[str, str] | None:
    """`{"phone": …}` a line, `{"wallet": …}` a wallet, `{"home": …}` a home account:
    (target, phone or contract), or None."""
    if not isinstance(account, dict) or len(account) != 1:
        return None
    ((key, value),) = account.items()
    target = _TARGETS.get(key) if isinstance(key, str) else None
    if target is None:
        return None
    number = contract(value) if target == "home" else phone(value)
    return (target, number) if number is not None else None


def click_account(merchant_trans_id: str) -> tuple[str, str] | None:
    """The MSISDN of a line, `W` + phone for a wallet, `H` + contract for a home account."""
    if merchant_trans_id[:1] in ("W", "w"):
        number = phone(merchant_trans_id[1:])
        return ("wallet", number) if number else None
    if merchant_trans_id[:1] in ("H", "h"):
        number = contract(merchant_trans_id[1:])
        return ("home", number) if number else None
    number = phone(merchant_trans_id)
    return ("line", number) if number else None


def click_merchant_trans_id(target: str, number: str) -> str:
    """The `merchant_trans_id` that names an account (the inverse of `click_account`)."""
    return {"line": "", "wallet": "W", "home": "H"}[target] + number


def click_id(raw: str | None) -> int | str | None:
    """Click's ids are bigint in its answers: a number when it is one (else echoed as given)."""
    if raw is not None and raw.isdigit() and len(raw) <= 18:
        return int(raw)
    return raw


def click_amount(raw: str, *, minimum: int, maximum: int) -> int | None:
    """So'm with at most two decimals → tiyin within the bounds, or None (-2)."""
    try:
        value = Decimal(raw.strip())
    except (InvalidOperation, AttributeError):
        return None
    if not value.is_finite():
        return None
    tiyin = value * 100
    if tiyin != tiyin.to_integral_value():
        return None
    result = int(tiyin)
    return result if minimum <= result <= maximum else None


def click_sign(fields: list[str], secret: str) -> str:
    """MD5 of the documented fields with the secret where the protocol puts it (3rd)."""
    return hashlib.md5("".join([*fields[:2], secret, *fields[2:]]).encode(), usedforsecurity=False).hexdigest()


def click_sign_ok(given: str, fields: list[str], secret: str) -> bool:
    return hmac.compare_digest(given.lower().encode(), click_sign(fields, secret).encode())


def timed_out(created_ms: int, now_ms: int) -> bool:
    return now_ms - created_ms > PAYME_TIMEOUT_MS


# --- the checkout links (developer.help.paycom.uz "Отправка чека по методу GET"; docs.click.uz
# "Payment button"): the customer leaves for the system's own payment page -----------------------


def payme_checkout_url(
    base: str, *, merchant_id: str, account_key: str, account: str, amount: int, language: str, return_url: str
) -> str:
    """`<checkout>/base64("m=…;ac.<key>=…;a=<tiyin>;l=<lang>;c=<return url>")`."""
    params = f"m={merchant_id};ac.{account_key}={account};a={amount};l={language};c={return_url}"
    return f"{base.rstrip('/')}/{base64.b64encode(params.encode()).decode()}"


def click_checkout_url(
    *, service_id: str, merchant_id: str, merchant_trans_id: str, amount: int, return_url: str
) -> str:
    """`https://my.click.uz/services/pay?service_id=…&merchant_id=…&amount=<so'm>&transaction_param=…&return_url=…`."""
    query = {
        "service_id": service_id,
        "merchant_id": merchant_id,
        "amount": som_text(amount),
        "transaction_param": merchant_trans_id,
        "return_url": return_url,
    }
    return f"https://my.click.uz/services/pay?{urlencode(query)}"


def som_text(tiyin: int) -> str:
    """Tiyin as Click writes so'm: `5000`, `5000.5` → `5000.50`."""
    whole, part = divmod(tiyin, 100)
    return f"{whole}.{part:02d}" if part else str(whole)
