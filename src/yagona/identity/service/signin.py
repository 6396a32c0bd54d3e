"""Signing in: one-time codes, passwords, the second factor, attempt counting."""

from __future__ import annotations

from datetime import timedelta

import pyotp

from yagona.identity import repository, rules
from yagona.identity.errors import (
    AttemptsExceededError,
    InvalidCredentialsError,
    RegistrationRequiredError,
    SendLimitError,
    TotpRequiredError,
)
from yagona.identity.models import (
    Customer,
    Otp,
)
from yagona.identity.schemas import (
    CustomerCreate,
    DeviceInfo,
    OtpPurpose,
    OtpSent,
    SignedIn,
)
from yagona.identity.service.common import _audit, _customer
from yagona.identity.service.context import TOTP_INTERVAL_S, IdentityContext, phone_or_refuse
from yagona.identity.service.customers import register_customer
from yagona.identity.service.sessions import _sign_in
from yagona.kernel.ids import new_id
from yagona.notify import service as notify
from yagona.notify.schemas import Channel
from yagona.notify.schemas import Language as MessageLanguage
from yagona.platform.uow import UnitOfWork


def request_otp(
    uow: UnitOfWork, *, ctx: IdentityContext, phone: str, purpose: OtpPurpose = OtpPurpose.LOGIN, client_ip: str | None
) -> OtpSent:
    """Send a code by SMS. The answer is the same for every well-formed phone number.
    Capped per phone and per client address per hour (SMS pumping)."""
    phone = phone_or_refuse(phone)
    settings = ctx.settings
    now = uow.clock.now()
    hour = timedelta(hours=1)
    sent_to_phone = repository.bump(uow.session, kind="otp_send", subject=f"phone:{phone}", now=now, window=hour)
    sent_from_ip = repository.bump(uow.session, kind="otp_send", subject=f"ip:{client_ip or '-'}", now=now, window=hour)
    if rules.over_limit(sent_to_phone, settings.otp_sends_per_phone_per_hour) or rules.over_limit(
        sent_from_ip, settings.otp_sends_per_ip_per_hour
    ):
        _audit(uow, "otp_send_refused", None, subject=phone, ip=client_ip or "-")
        raise SendLimitError("too many codes were asked for; try again later")
    repository.retire_codes(uow.session, phone, purpose.value, now)
    request_id = new_id()
    code = rules.new_otp(settings.otp_digits)
    repository.add(
        uow.session,
        Otp(
            id=request_id,
            phone=phone,
            purpose=purpose.value,
            code_hash=ctx.pepper.digest(request_id, phone, purpose.value, code),
            created_at=now,
            expires_at=now + timedelta(seconds=settings.otp_ttl_s),
            consumed_at=None,
        ),
    )
    holder = repository.customer_by_phone(uow.session, phone)
    notify.queue(
        uow,
        channel=Channel.SMS,
        recipient=phone,
        template="identity.otp",
        language=MessageLanguage(holder.language if holder else "uz"),
        params={"code": code, "minutes": str(settings.otp_ttl_s // 60)},
        sealer=ctx.messages,
    )
    _audit(uow, "otp_sent", holder.id if holder else None, subject=phone, purpose=purpose.value)
    return OtpSent(request_id=request_id, expires_in=settings.otp_ttl_s, digits=settings.otp_digits)


def _check_otp(
    uow: UnitOfWork,
    ctx: IdentityContext,
    *,
    phone: str,
    purpose: OtpPurpose,
    code: str,
    request_id: str | None,
    holder: Customer | None,
) -> Otp:
    subjects = [f"phone:{phone}"] + ([f"customer:{holder.id}"] if holder else [])
    _count_attempt(uow, ctx, "otp", subjects, holder)
    now = uow.clock.now()
    otp = repository.live_code(uow.session, phone, purpose.value, now)
    valid = (
        otp is not None
        and (request_id is None or request_id == otp.id)
        and len(code) == ctx.settings.otp_digits
        and ctx.pepper.matches(otp.code_hash, otp.id, phone, purpose.value, code)
    )
    if not valid or otp is None:
        _audit(uow, "otp_failed", holder.id if holder else None, subject=phone)
        raise InvalidCredentialsError("the code is wrong or has expired")
    repository.reset_counters(uow.session, kind="otp", subjects=subjects)
    return otp


def _consume(uow: UnitOfWork, otp: Otp, phone: str) -> None:
    # Of two parallel verifications of one code, one wins; the other is refused.
    if not repository.consume_code(uow.session, otp.id, uow.clock.now()):
        raise InvalidCredentialsError("the code is wrong or has expired")


def verify_otp(
    uow: UnitOfWork,
    *,
    ctx: IdentityContext,
    phone: str,
    code: str,
    request_id: str | None = None,
    totp: str | None = None,
    device: DeviceInfo | None = None,
    signup: CustomerCreate | None = None,
) -> SignedIn:
    """Sign in with the code sent to `phone`. A phone no customer holds signs up, when the
    request carries `signup` (name, documents accepted); else `registration_required`."""
    phone = phone_or_refuse(phone)
    holder = repository.customer_by_phone(uow.session, phone)
    otp = _check_otp(uow, ctx, phone=phone, purpose=OtpPurpose.LOGIN, code=code, request_id=request_id, holder=holder)
    if holder is None:
        if signup is None:
            raise RegistrationRequiredError("no customer holds this phone yet: sign up with a name and the documents")
        _consume(uow, otp, phone)
        created = register_customer(uow, ctx=ctx, customer=signup.model_copy(update={"phone": phone}))
        holder = _customer(uow, created.id)
        return _sign_in(uow, ctx, holder, ["otp"], device)
    _consume(uow, otp, phone)
    methods = ["otp", *_second_factor(uow, ctx, holder, totp)]
    return _sign_in(uow, ctx, holder, methods, device)


def login_with_password(
    uow: UnitOfWork,
    *,
    ctx: IdentityContext,
    phone: str,
    password: str,
    totp: str | None = None,
    device: DeviceInfo | None = None,
) -> SignedIn:
    phone = phone_or_refuse(phone)
    ip_subject = _count_password_from_ip(uow, ctx, device, phone)
    holder = repository.customer_by_phone(uow.session, phone)
    subjects = [f"phone:{phone}"] + ([f"customer:{holder.id}"] if holder else [])
    _count_attempt(uow, ctx, "password", subjects, holder)
    # An unknown phone verifies against a decoy hash: the same time, the same answer.
    if not ctx.passwords.verify(holder.password_hash if holder else None, password) or holder is None:
        _audit(uow, "password_failed", holder.id if holder else None, subject=phone)
        raise InvalidCredentialsError("the phone number or the password is wrong")
    repository.reset_counters(uow.session, kind="password", subjects=subjects)
    repository.unbump(uow.session, kind="password_ip", subject=ip_subject)  # a right password is no guess
    if holder.password_hash and ctx.passwords.needs_rehash(holder.password_hash):
        holder.password_hash = ctx.passwords.hash(password)
    methods = ["pwd", *_second_factor(uow, ctx, holder, totp)]
    return _sign_in(uow, ctx, holder, methods, device)


def _count_password_from_ip(uow: UnitOfWork, ctx: IdentityContext, device: DeviceInfo | None, phone: str) -> str:
    """Password spraying (one address, many phones) is stopped here, before any account's
    counter moves: a sprayer cannot lock the owners out wholesale. Per-account lockout stays."""
    subject = f"ip:{(device.ip if device else None) or '-'}"
    window = timedelta(seconds=ctx.settings.password_ip_window_s)
    count = repository.bump(uow.session, kind="password_ip", subject=subject, now=uow.clock.now(), window=window)
    if rules.over_limit(count, ctx.settings.password_attempts_per_ip):
        _audit(uow, "password_ip_locked", None, subject=phone, ip=subject[3:])
        raise AttemptsExceededError("too many attempts; try again later")
    return subject


def _second_factor(uow: UnitOfWork, ctx: IdentityContext, holder: Customer, totp: str | None) -> list[str]:
    if not holder.totp_enabled:
        return []
    if not totp:
        raise TotpRequiredError("this account asks for the code of its authenticator app (totp)")
    _check_totp(uow, ctx, holder, totp)
    return ["otp-app"]


def _check_totp(
    uow: UnitOfWork, ctx: IdentityContext, holder: Customer, code: str, *, secret: str | None = None
) -> None:
    """Check a code of the enrolled authenticator (or of `secret`, a setup being confirmed).
    Counted before it is checked; each time step is accepted once per customer."""
    subjects = [f"customer:{holder.id}"]
    _count_attempt(uow, ctx, "totp", subjects, holder)
    if secret is None:
        assert holder.totp_secret_sealed is not None, "TOTP is enabled with a secret"
        secret = ctx.sealer.open(holder.totp_secret_sealed).decode()
    authenticator = pyotp.TOTP(secret, interval=TOTP_INTERVAL_S)
    now_s = uow.clock.now().timestamp()
    step = rules.totp_step(now_s, TOTP_INTERVAL_S)
    matched = None
    for drift in (-1, 0, 1):  # one step either side: clocks of phones drift
        candidate = authenticator.at(int(now_s) + drift * TOTP_INTERVAL_S)
        if len(code) == len(candidate) and pyotp.utils.strings_equal(code, candidate):
            matched = step + drift
    if matched is None or not repository.accept_totp_step(uow.session, holder.id, matched):
        _audit(uow, "totp_failed", holder.id)
        raise InvalidCredentialsError("the authenticator code is wrong or was used already")
    repository.reset_counters(uow.session, kind="totp", subjects=subjects)


def _count_attempt(
    uow: UnitOfWork, ctx: IdentityContext, kind: str, subjects: list[str], holder: Customer | None
) -> None:
    """Count the attempt before checking it: of N parallel attempts only the first
    `max_failed_attempts` are ever checked."""
    window = timedelta(seconds=ctx.settings.lockout_window_s)
    now = uow.clock.now()
    counts = [repository.bump(uow.session, kind=kind, subject=s, now=now, window=window) for s in subjects]
    if any(rules.over_limit(count, ctx.settings.max_failed_attempts) for count in counts):
        _audit(uow, f"{kind}_locked", holder.id if holder else None, subject=subjects[0])
        raise AttemptsExceededError("too many attempts; try again later")
