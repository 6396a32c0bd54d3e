"""The CLICK-PIN (offer 2.15, 4.6.1 e, 4.6.6): checking it, the customer cancelling a
forgotten one (the wallet is blocked), and restoring it — from a One ID session of the
wallet's phone signed in with a fresh SMS code, with the birth date and a new PIN.

Wrong birth dates are counted apart from the PIN and lock the restore for a while; no
customer call resets that (time does, or the call-centre's restore). The owner is told
by SMS of every PIN reset and every block."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from yagona.kernel.clock import TASHKENT
from yagona.platform.uow import UnitOfWork
from yagona.wallet import rules
from yagona.wallet.errors import BirthDateMismatchError, ReauthenticationRequiredError, WalletBlockedError
from yagona.wallet.models import WalletAccount
from yagona.wallet.schemas import BlockReason, WalletRead, WalletStatus
from yagona.wallet.service.common import (
    ctx,
    locked,
    new_pin_hash,
    phone_of,
    read,
    refuse_if_closed_or_dormant,
    set_state,
    tell_owner,
    verify_pin,
)

SMS_CODE = "otp"  # how a One ID session signed in with a code sent to the phone


def check_pin(uow: UnitOfWork, *, phone: str, pin: str) -> None:
    """Authenticate the customer by PIN; a wrong PIN counts as an attempt."""
    verify_pin(uow, locked(uow, phone), pin)


def forget_pin(uow: UnitOfWork, *, phone: str, language: str = "uz") -> WalletRead:
    """4.6.1 e): the customer (signed in) cancels a forgotten PIN; the wallet is blocked until
    restored (4.6.6). Counters and lockouts stay as they are."""
    row = locked(uow, phone)
    refuse_if_closed_or_dormant(row)
    if row.state == WalletStatus.BLOCKED.value and row.block_reason != BlockReason.PIN_FORGOTTEN.value:
        raise WalletBlockedError(
            f"wallet {row.phone} is blocked ({row.block_reason}): the call-centre restores it",
            phone=row.phone,
            reason=row.block_reason,
        )
    row.pin_hash = None
    if row.state != WalletStatus.BLOCKED.value:
        set_state(uow, row, WalletStatus.BLOCKED, BlockReason.PIN_FORGOTTEN, change="pin_cancelled")
        tell_owner(uow, row.phone, "wallet.pin_cancelled", language=language)
    return read(uow, row)


def restore_pin(
    uow: UnitOfWork,
    *,
    phone: str,
    birth_date: date,
    new_pin: str,
    auth_methods: tuple[str, ...],
    authenticated_at: datetime | None,
    signed_in_phone: str | None,
    language: str = "uz",
) -> WalletRead:
    """4.6.6, the customer's channel: the caller has checked that `phone` is the signed-in
    customer's own wallet; here, that the session signed in with an SMS code to THIS phone recently
    (`sms_sign_in_required`), then the birth date (counted, locked after too many),
    then the new PIN. Works on an active wallet (a forgotten PIN not yet cancelled) or one
    blocked for a forgotten PIN; a lost phone or a freeze goes through the call-centre."""
    s = ctx().settings
    now = uow.clock.now()
    fresh_after = now - timedelta(minutes=s.pin_restore_reauth_minutes)
    phone = phone_of(phone)
    by_this_phone = SMS_CODE in auth_methods and signed_in_phone == phone
    if not by_this_phone or authenticated_at is None or authenticated_at < fresh_after:
        raise ReauthenticationRequiredError(
            f"sign in again with the SMS code sent to this phone (within {s.pin_restore_reauth_minutes} minutes)",
            minutes=s.pin_restore_reauth_minutes,
        )
    row = locked(uow, phone)
    refuse_if_closed_or_dormant(row)
    if row.state == WalletStatus.BLOCKED.value and row.block_reason != BlockReason.PIN_FORGOTTEN.value:
        raise WalletBlockedError(
            f"wallet {row.phone} is blocked ({row.block_reason}): the call-centre restores it",
            phone=row.phone,
            reason=row.block_reason,
        )
    rules.check_pin_format(new_pin, length_min=s.pin_length_min, length_max=s.pin_length_max, field="new_pin")
    check_birth_date_attempt(uow, row, birth_date, language=language)
    row.birth_date_failures = 0  # the birth date is known: nothing left to guess
    row.pin_hash = new_pin_hash(new_pin)
    row.pin_failures, row.pin_locked_until = 0, None
    if row.state == WalletStatus.BLOCKED.value:
        set_state(uow, row, WalletStatus.ACTIVE, None, change="restored")
    tell_owner(uow, row.phone, "wallet.pin_reset", language=language)
    return read(uow, row)


def check_birth_date_attempt(
    uow: UnitOfWork, row: WalletAccount, birth_date: date, *, staff: bool = False, language: str = "uz"
) -> None:
    """Refuse while locked out (staff excepted: the call-centre's restore clears it); count
    a wrong birth date and lock after too many. The refusal persists the count."""
    s = ctx().settings
    now = uow.clock.now()
    locked_until = row.birth_date_locked_until
    if not staff and locked_until is not None and locked_until > now:
        raise BirthDateMismatchError(
            "too many wrong birth dates: try again later or call the call-centre",
            field="birth_date",
            locked_until=locked_until.astimezone(TASHKENT).isoformat(),
        )
    if birth_date == row.birth_date:
        return
    row.birth_date_failures += 1
    if row.birth_date_failures < s.birth_date_attempts_max:
        raise BirthDateMismatchError(
            "the birth date does not match the one given at registration",
            field="birth_date",
            attempts_left=s.birth_date_attempts_max - row.birth_date_failures,
        )
    row.birth_date_failures = 0
    row.birth_date_locked_until = now + timedelta(minutes=s.birth_date_lockout_minutes)
    tell_owner(uow, row.phone, "wallet.restore_locked", language=language)
    raise BirthDateMismatchError(
        "the birth date does not match: too many wrong attempts, the restore is locked",
        field="birth_date",
        locked_until=row.birth_date_locked_until.astimezone(TASHKENT).isoformat(),
    )
