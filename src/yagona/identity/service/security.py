"""The customer's own credentials: password, phone, the authenticator app (TOTP)."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pyotp
from pydantic import SecretStr

from yagona.identity import repository
from yagona.identity.credentials import token_hash
from yagona.identity.errors import (
    InvalidCredentialsError,
    PhoneTakenError,
    ReauthenticationRequiredError,
    TotpNotEnabledError,
    TotpRequiredError,
    TotpSetupError,
)
from yagona.identity.models import Customer
from yagona.identity.schemas import (
    CustomerRead,
    OtpPurpose,
    SessionRead,
    TotpSetup,
)
from yagona.identity.service.common import _audit, _check_password_strength, _customer
from yagona.identity.service.context import TOTP_INTERVAL_S, IdentityContext, phone_or_refuse
from yagona.identity.service.customers import get_customer
from yagona.identity.service.signin import _check_otp, _check_totp, _consume, _count_attempt
from yagona.notify import service as notify
from yagona.notify.schemas import Channel
from yagona.notify.schemas import Language as MessageLanguage
from yagona.platform.sealing import SealError
from yagona.platform.uow import UnitOfWork

# How long a started authenticator setup may be confirmed.
TOTP_SETUP_TTL_S = 600


def change_password(
    uow: UnitOfWork, *, ctx: IdentityContext, session: SessionRead, current_password: str | None, new_password: str
) -> None:
    """Needs the current password, or (for a customer who never set one) a sign-in within
    the re-authentication window. Other sessions end."""
    holder = _customer(uow, session.customer_id)
    if holder.password_hash is not None:
        subjects = [f"customer:{holder.id}"]
        _count_attempt(uow, ctx, "password", subjects, holder)
        if current_password is None or not ctx.passwords.verify(holder.password_hash, current_password):
            _audit(uow, "password_failed", holder.id, subject="change_password")
            raise InvalidCredentialsError("the current password is wrong")
        repository.reset_counters(uow.session, kind="password", subjects=subjects)
    else:
        _require_recent(uow, ctx, session)
    phones = repository.phones_of(uow.session, holder.id)
    _check_password_strength(ctx, new_password, phones[0] if phones else None)
    holder.password_hash = ctx.passwords.hash(new_password)
    now = uow.clock.now()
    for other in repository.sessions_of(uow.session, holder.id, now, uow.limits.page_size_max):
        if other.id != session.id:
            repository.revoke_sessions(uow.session, customer_id=holder.id, session_id=other.id, now=now)
            repository.revoke_tokens(uow.session, now=now, session_id=other.id)
    _audit(uow, "password_changed", holder.id)


def change_phone(
    uow: UnitOfWork,
    *,
    ctx: IdentityContext,
    session: SessionRead,
    new_phone: str,
    code: str,
    request_id: str | None = None,
) -> CustomerRead:
    """Move the primary phone to `new_phone`: a sign-in within the re-authentication window,
    and the code sent to the new number (purpose `change_phone`)."""
    _require_recent(uow, ctx, session)
    holder = _customer(uow, session.customer_id)
    phone = phone_or_refuse(new_phone)
    otp = _check_otp(
        uow, ctx, phone=phone, purpose=OtpPurpose.CHANGE_PHONE, code=code, request_id=request_id, holder=holder
    )
    if repository.phone_row(uow.session, phone) is not None:
        raise PhoneTakenError("this phone number belongs to a customer already")
    _consume(uow, otp, phone)
    old = repository.phones_of(uow.session, holder.id)[0]
    repository.replace_primary_phone(uow.session, holder.id, old, phone, uow.clock.now())
    _audit(uow, "phone_changed", holder.id, subject=phone, previous=old)
    return get_customer(uow, customer_id=holder.id)


def begin_totp(
    uow: UnitOfWork, *, ctx: IdentityContext, session: SessionRead, current_code: str | None = None
) -> TotpSetup:
    """A new authenticator secret, not yet in force: the enrolled factor (if any) stays until
    `confirm_totp` proves the new one with a first code. A sign-in within the
    re-authentication window, and — when an authenticator is enrolled — its current code:
    a stolen session cannot swap the second factor. The pending secret lives only in the
    sealed `setup_token` (bound to this customer, session and the factor it replaces)."""
    _require_recent(uow, ctx, session)
    holder = _customer(uow, session.customer_id)
    if holder.totp_enabled:
        if not current_code:
            raise TotpRequiredError("changing the authenticator needs a current code of the enrolled one (code)")
        _check_totp(uow, ctx, holder, current_code)
    secret = pyotp.random_base32(32)
    phones = repository.phones_of(uow.session, holder.id)
    uri = pyotp.TOTP(secret, interval=TOTP_INTERVAL_S).provisioning_uri(name=phones[0], issuer_name="Yagona One ID")
    expires = uow.clock.now() + timedelta(seconds=TOTP_SETUP_TTL_S)
    pending = {
        "customer": holder.id,
        "session": session.id,
        "secret": secret,
        "replaces": _factor_fingerprint(holder),
        "expires": int(expires.timestamp()),
    }
    token = ctx.sealer.seal(json.dumps(pending).encode())
    _audit(uow, "totp_setup_started", holder.id)
    return TotpSetup(secret=SecretStr(secret), provisioning_uri=SecretStr(uri), setup_token=SecretStr(token))


def confirm_totp(uow: UnitOfWork, *, ctx: IdentityContext, session: SessionRead, code: str, setup_token: str) -> None:
    """Put the pending authenticator in force after its first code. Refused
    (`totp_setup_invalid`) for a setup of another session, an expired one, or one begun
    before the enrolled factor changed."""
    holder = _customer(uow, session.customer_id)
    pending = _open_setup(ctx, setup_token)
    if (
        pending is None
        or pending.get("customer") != holder.id
        or pending.get("session") != session.id
        or pending.get("replaces") != _factor_fingerprint(holder)
        or int(pending.get("expires", 0)) < uow.clock.now().timestamp()
    ):
        raise TotpSetupError("this authenticator setup is not valid any more; start again")
    secret = str(pending["secret"])
    _check_totp(uow, ctx, holder, code, secret=secret)
    replaced = holder.totp_enabled
    holder.totp_secret_sealed = ctx.sealer.seal(secret.encode())
    holder.totp_enabled = True
    _audit(uow, "totp_changed" if replaced else "totp_enabled", holder.id)
    _tell_owner(uow, ctx, holder, "identity.totp_changed")


def remove_totp(uow: UnitOfWork, *, ctx: IdentityContext, session: SessionRead, code: str) -> None:
    """Switch the second factor off: a sign-in within the re-authentication window and a
    current code of the enrolled authenticator."""
    _require_recent(uow, ctx, session)
    holder = _customer(uow, session.customer_id)
    if not holder.totp_enabled:
        raise TotpNotEnabledError("no authenticator app is enrolled")
    _check_totp(uow, ctx, holder, code)
    holder.totp_enabled = False
    holder.totp_secret_sealed = None
    _audit(uow, "totp_removed", holder.id)
    _tell_owner(uow, ctx, holder, "identity.totp_removed")


def _factor_fingerprint(holder: Customer) -> str:
    return token_hash(holder.totp_secret_sealed or "none") if holder.totp_enabled else "none"


def _open_setup(ctx: IdentityContext, token: str) -> dict[str, Any] | None:
    if not token or len(token) > 2_000:
        return None
    try:
        opened = json.loads(ctx.sealer.open(token))
    except (SealError, ValueError):
        return None
    return opened if isinstance(opened, dict) else None


def _tell_owner(uow: UnitOfWork, ctx: IdentityContext, holder: Customer, template: str) -> None:
    phones = repository.phones_of(uow.session, holder.id)
    if phones:
        notify.queue(
            uow,
            channel=Channel.SMS,
            recipient=phones[0],
            template=template,
            language=MessageLanguage(holder.language),
            params={},
            sealer=ctx.messages,
        )


def _require_recent(uow: UnitOfWork, ctx: IdentityContext, session: SessionRead) -> None:
    if uow.clock.now() - session.authenticated_at > timedelta(seconds=ctx.settings.reauthentication_window_s):
        raise ReauthenticationRequiredError("sign in again before changing credentials")
