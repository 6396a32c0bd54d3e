"""Pure wallet rules: validation of what a customer types, limits, commissions, dates,
the state machine and the card-processor simulator. Plain values in, values or typed
errors out; no I/O."""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from fractions import Fraction
from functools import lru_cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from argon2.low_level import Type

from yagona.kernel.clock import TASHKENT
from yagona.kernel.errors import InvalidRequestError, LimitExceededError
from yagona.kernel.money import TIYIN_PER_SOM, Money, Rounding, round_tiyin
from yagona.wallet.errors import OfferNotAcceptedError, OfferVersionError, WalletBlockedError, WalletClosedError
from yagona.wallet.schemas import BlockReason, CardOutcome, CommissionRow, Provider, WalletStatus

_CARD = re.compile(r"^\d{16}$")
RECEIPT_PREFIX = "W"
COMMISSION_ROUNDING = Rounding.HALF_UP  # commercial rounding of a commission to the tiyin


# --- registration (offer 4.1.1) ---------------------------------------------------------


def check_pin_format(pin: str | None, *, length_min: int, length_max: int, field: str = "pin") -> str:
    if not pin:
        raise InvalidRequestError("a PIN is required", field=field)
    if not pin.isascii() or not pin.isdigit() or not length_min <= len(pin) <= length_max:
        raise InvalidRequestError(f"a PIN is {length_min} to {length_max} digits", field=field)
    return pin


def check_birth_date(birth_date: date | None, *, today: date, minimum_age_years: int) -> date:
    if birth_date is None:
        raise InvalidRequestError("the birth date is required", field="birth_date")
    if birth_date > today or birth_date < add_years_to_date(today, -120):
        raise InvalidRequestError("the birth date is not plausible", field="birth_date")
    if add_years_to_date(birth_date, minimum_age_years) > today:
        raise InvalidRequestError(
            f"a wallet is for a legally capable person of {minimum_age_years} or more (offer 2.5)", field="birth_date"
        )
    return birth_date


def check_offer_accepted(accepted: bool, *, version: str | None, current: str) -> str:
    """4.1.1: the acceptance, of the edition in force: the customer names the version accepted."""
    if accepted is not True:
        raise OfferNotAcceptedError("registration needs the acceptance of the public offer (4.1.1)")
    if version != current:
        raise OfferVersionError(
            f"the offer in force is version {current}: accept that one", field="offer_version", current=current
        )
    return current


def masked_phone(phone: str) -> str:
    """How an SMS names the wallet: its last four digits."""
    return f"*{phone[-4:]}"


# --- PIN hashing: HMAC-SHA-256 with a pepper (Argon2id hashes of old still verify) -------------

PIN_SCHEME = "hmac-sha256"
_PIN_SALT_BYTES = 16


@dataclass(frozen=True, slots=True)
class PinCheck:
    """A PIN checked against its stored hash: `ok`, and `stale` when the hash should be
    replaced by one with the current pepper (an Argon2id hash, or an older pepper's)."""

    ok: bool
    stale: bool = False


def pin_hasher(*, time_cost: int, memory_kib: int, parallelism: int) -> PasswordHasher:
    """Argon2id: the scheme of PINs stored before the peppered HMAC (they verify, then migrate)."""
    return PasswordHasher(time_cost=time_cost, memory_cost=memory_kib, parallelism=parallelism, type=Type.ID)


def hash_pin(pin: str, *, pepper_id: str, pepper: bytes, salt: bytes | None = None) -> str:
    """`$hmac-sha256$<pepper id>$<salt>$<mac>`: HMAC-SHA-256 keyed by the pepper (held outside
    the database) over a random salt and the PIN. A PIN of 4 to 6 digits has at most 10⁶ values: a
    slow hash would not protect it, the pepper and the attempt lockout do."""
    salt = salt if salt is not None else secrets.token_bytes(_PIN_SALT_BYTES)
    return f"${PIN_SCHEME}${pepper_id}${_b64(salt)}${_b64(_pin_mac(pepper, salt, pin))}"


def check_pin(pin_hash: str, pin: str, *, peppers: Mapping[str, bytes], current: str) -> PinCheck:
    """Compare in constant time. `peppers` by id, the current one and those still accepted;
    a hash under an unknown pepper, or malformed, never matches."""
    if pin_hash.startswith("$argon2"):
        return PinCheck(ok=_argon2_matches(pin_hash, pin), stale=True)
    parsed = _hmac_parts(pin_hash)
    if parsed is None or parsed[0] not in peppers:
        return PinCheck(ok=False)
    pepper_id, salt, mac = parsed
    ok = hmac.compare_digest(mac, _pin_mac(peppers[pepper_id], salt, pin))
    return PinCheck(ok=ok, stale=ok and pepper_id != current)


@lru_cache(maxsize=4_096)
def _hmac_parts(pin_hash: str) -> tuple[str, bytes, bytes] | None:
    """A stored HMAC hash's pepper id, salt and MAC (None: malformed). Cached: a wallet's
    hash is read again at each of its operations (it holds no secret the row does not)."""
    parts = pin_hash.split("$")
    if len(parts) != 5 or parts[0] or parts[1] != PIN_SCHEME:
        return None
    try:
        return parts[2], _unb64(parts[3]), _unb64(parts[4])
    except ValueError:
        return None


def _pin_mac(pepper: bytes, salt: bytes, pin: str) -> bytes:
    return hmac.new(pepper, salt + b"\0" + pin.encode(), hashlib.sha256).digest()


def _argon2_matches(pin_hash: str, pin: str) -> bool:
    # The cost parameters are read from the hash itself; these only satisfy the constructor.
    try:
        return _LEGACY.verify(pin_hash, pin)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


_LEGACY = PasswordHasher(type=Type.ID)


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    try:
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError) as error:
        raise ValueError(str(error)) from None


# --- limits (offer 4.5.1) -----------------------------------------------------------------


def topup_window_start(now: datetime, *, days: int) -> datetime:
    """The start of the window of `days` calendar days (Tashkent dates) that ends today."""
    today = now.astimezone(TASHKENT).date()
    return datetime.combine(today - timedelta(days=days - 1), time(0), tzinfo=TASHKENT)


def check_light_topups(*, already: int, incoming: int, limit: int) -> None:
    """4.5.1 a): the top-ups of 30 calendar days, commissions included, stay within 5 BHM."""
    if already + incoming > limit:
        raise LimitExceededError(
            f"a Light wallet takes in at most {Money(limit)} over 30 calendar days; "
            f"{Money(already)} already, {Money(incoming)} more would pass it (offer 4.5.1)",
            limit=limit,
            already=already,
        )


# --- commissions (offer annex 1) -------------------------------------------------------------


def commission(amount: int, row: CommissionRow) -> int:
    """The commission on `amount` tiyin by `row`: percent, then the floor and ceiling of the row."""
    # 0 % (wallet to wallet, top-ups: annex 1) is 0 before the floor, without the exact arithmetic
    value = round_tiyin(Fraction(amount) * Fraction(row.percent) / 100, COMMISSION_ROUNDING) if row.percent else 0
    value = max(value, _tiyin(row.minimum_som))
    if row.maximum_som is not None:
        value = min(value, _tiyin(row.maximum_som))
    return value


@lru_cache(maxsize=256)  # a table's floors and ceilings, at every operation
def _tiyin(som: Decimal) -> int:
    return round_tiyin(som * TIYIN_PER_SOM, Rounding.HALF_UP)


# --- providers --------------------------------------------------------------------------------


def check_account(provider: Provider, account: str) -> str:
    text = (account or "").strip()
    if not re.match(provider.account_pattern, text):
        raise InvalidRequestError(
            f"{account!r} is not a valid {provider.account_label} for {provider.name}",
            field="account",
            expected=provider.account_label,
        )
    return text


# --- states (offer 4.6) -----------------------------------------------------------------------


def check_usable(state: WalletStatus, reason: BlockReason | None, *, phone: str) -> None:
    """A wallet that pays, sends or receives money must be active."""
    if state == WalletStatus.CLOSED:
        raise WalletClosedError(f"wallet {phone} is closed", phone=phone)
    if state == WalletStatus.BLOCKED:
        why = reason.value if reason is not None else "blocked"
        raise WalletBlockedError(f"wallet {phone} is blocked ({why})", phone=phone, reason=why)


# --- dates --------------------------------------------------------------------------------------


def add_years_to_date(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February in a year without one
        return day.replace(year=day.year + years, day=28)


def add_years(instant: datetime, years: int) -> datetime:
    """The same Tashkent wall-clock time `years` later (29 February → 28 February)."""
    here = instant.astimezone(TASHKENT)
    return datetime.combine(add_years_to_date(here.date(), years), here.timetz())


def dormancy_due(last_activity_at: datetime, *, years: int) -> datetime:
    """4.5.3: *more than* 3 years without an operation: the first second after the anniversary."""
    return add_years(last_activity_at, years) + timedelta(seconds=1)


# --- the card-processor simulator ---------------------------------------------------------------


def check_card_number(card_number: str) -> str:
    digits = re.sub(r"\s", "", card_number or "")
    if not _CARD.match(digits):
        raise InvalidRequestError("a card number is 16 digits", field="card_number")
    return digits


def mask_holder(name: str) -> str:
    """A utility account holder's name as a payer may see it: each word's first and last
    letters, stars between ("Aziza Karimova" → "A***a K******a"); a word of one or two
    letters keeps its first. Enough to recognise one's own account, not to learn a stranger's."""
    return " ".join(_mask_word(word) for word in name.split())


def _mask_word(word: str) -> str:
    if len(word) <= 2:
        return word[0] + "*" * (len(word) - 1)
    return word[0] + "*" * (len(word) - 2) + word[-1]


def mask_card(card_number: str) -> str:
    return f"card {card_number[:4]} **** **** {card_number[-4:]}"


def simulated_card_outcome(card_number: str, *, default: str, decline_suffix: str, hold_suffix: str) -> CardOutcome:
    if card_number.endswith(decline_suffix):
        return CardOutcome.DECLINE
    if card_number.endswith(hold_suffix):
        return CardOutcome.HOLD
    return CardOutcome(default)


# --- receipts ----------------------------------------------------------------------------------


def fiscal_mark(key: str, *, terminal: str | None, number: str, at: datetime, total: int) -> str:
    """The receipt's fiscal mark: the terminal and 12 digits signed over what the receipt
    says (number, time, total), so a changed receipt no longer matches its mark."""
    message = f"{terminal}|{number}|{at.isoformat()}|{total}".encode()
    digest = hmac.new(key.encode(), message, hashlib.sha256).hexdigest()
    return f"{terminal}-{int(digest[:15], 16) % 10**12:012d}"


def receipt_number(seq: int) -> str:
    return f"{RECEIPT_PREFIX}{seq:010d}"


def receipt_seq(number: str) -> int | None:
    text = number.strip().upper()
    if not text.startswith(RECEIPT_PREFIX) or not text[1:].isdigit() or len(text) > 20:
        return None
    return int(text[1:])
