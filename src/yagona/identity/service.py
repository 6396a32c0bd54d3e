"""Use cases of identity. Callers pass their unit of work and the identity context;
nothing here commits.

Refusals that are `RecordedRefusalError`s (wrong code, wrong password, limits) have written
their attempt counters and audit rows: the channel commits before answering. Every
other refusal writes nothing. No answer says whether a phone number is registered.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Literal

import pyotp
from pydantic import SecretStr

from yagona.identity import repository, rules
from yagona.identity.credentials import PasswordHashing, new_token, token_hash
from yagona.identity.errors import (
    AttemptsExceededError,
    CustomerNotFoundError,
    DocumentsNotAcceptedError,
    InvalidCredentialsError,
    InvalidPhoneError,
    InvalidRequestError,
    PhoneTakenError,
    ReauthenticationRequiredError,
    RegistrationRequiredError,
    SendLimitError,
    TotpRequiredError,
    UnauthenticatedError,
    WeakPasswordError,
)
from yagona.identity.events import AccessReported, CustomerRegistered, CustomerVerified, ServiceLinked
from yagona.identity.models import (
    AuditEvent,
    Consent,
    Customer,
    Device,
    LinkedService,
    OneIdState,
    Otp,
    Phone,
    SignInSession,
)
from yagona.identity.schemas import (
    CURRENT_DOCUMENTS,
    AuditEventRead,
    ConsentRead,
    CustomerCreate,
    CustomerRead,
    DeviceInfo,
    Language,
    LinkedServiceRead,
    OneIdProfile,
    OtpPurpose,
    OtpSent,
    ServiceKind,
    SessionRead,
    SignedIn,
    TotpSetup,
    VerificationLevel,
)
from yagona.identity.settings import IdentitySettings
from yagona.kernel.ids import new_id
from yagona.notify import service as notify
from yagona.notify.schemas import Channel
from yagona.notify.schemas import Language as MessageLanguage
from yagona.platform.auth import Principal
from yagona.platform.sealing import Pepper, Sealer
from yagona.platform.uow import UnitOfWork

TOTP_INTERVAL_S = 30


@dataclass
class IdentityContext:
    """What identity's use cases need besides the unit of work: settings, the password
    hasher, and keys derived from `YAGONA_SECRET_KEY`. Built once per process."""

    settings: IdentitySettings
    env: str
    passwords: PasswordHashing
    pepper: Pepper
    sealer: Sealer
    messages: Sealer
    cache: dict[str, Any] = field(default_factory=dict)

    @property
    def secure_cookies(self) -> bool:
        return self.env not in ("dev", "test")


def make_context(*, secret_key: str, env: str, settings: IdentitySettings | None = None) -> IdentityContext:
    settings = settings or IdentitySettings()
    return IdentityContext(
        settings=settings,
        env=env,
        passwords=PasswordHashing(
            memory_kib=settings.argon2_memory_kib,
            time_cost=settings.argon2_time_cost,
            parallelism=settings.argon2_parallelism,
        ),
        pepper=Pepper(secret_key, "identity.otp"),
        sealer=Sealer(secret_key, "identity"),
        messages=notify.sealer_for(secret_key),
    )


def phone_or_refuse(raw: str) -> str:
    phone = rules.normalise_phone(raw)
    if phone is None:
        raise InvalidPhoneError("a phone number is 998 and nine digits, e.g. 998901234567")
    return phone


# --- customers ---------------------------------------------------------------------------


def register_customer(uow: UnitOfWork, *, ctx: IdentityContext, customer: CustomerCreate) -> CustomerRead:
    """Create a customer holding `customer.phone`. The offer and the privacy agreement must
    be accepted; the marketing opt-in is separate and optional."""
    phone = phone_or_refuse(customer.phone)
    if not customer.accept_documents:
        raise DocumentsNotAcceptedError("the offer and the privacy agreement must be accepted")
    if repository.phone_row(uow.session, phone) is not None:
        raise PhoneTakenError("this phone number belongs to a customer already")
    password_hash = None
    if customer.password is not None:
        _check_password_strength(ctx, customer.password.get_secret_value(), phone)
        password_hash = ctx.passwords.hash(customer.password.get_secret_value())
    now = uow.clock.now()
    row = Customer(
        id=new_id(),
        name=customer.name,
        birth_date=customer.birth_date,
        email=customer.email,
        language=customer.language.value,
        verification_level=VerificationLevel.BASIC.value,
        pinfl=None,
        password_hash=password_hash,
        pin_hash=None,
        totp_secret_sealed=None,
        totp_enabled=False,
        totp_last_step=0,
        marketing_opt_in=customer.marketing_opt_in,
        created_at=now,
    )
    repository.add(uow.session, row)
    repository.add(uow.session, Phone(phone=phone, customer_id=row.id, is_primary=True, added_at=now))
    for document, version in CURRENT_DOCUMENTS.items():
        uow.session.add(
            Consent(customer_id=row.id, document=document.value, version=version, granted=True, recorded_at=now)
        )
    uow.session.add(
        Consent(
            customer_id=row.id,
            document="marketing",
            version="opt-in",
            granted=customer.marketing_opt_in,
            recorded_at=now,
        )
    )
    _audit(uow, "customer_registered", row.id, subject=phone)
    uow.add_event(CustomerRegistered(occurred_at=now, customer_id=row.id))
    return get_customer(uow, customer_id=row.id)


def get_customer(uow: UnitOfWork, *, customer_id: str) -> CustomerRead:
    row = repository.customer(uow.session, customer_id)
    if row is None:
        raise CustomerNotFoundError("no such customer")
    return CustomerRead(
        id=row.id,
        name=row.name,
        birth_date=row.birth_date,
        phones=repository.phones_of(uow.session, row.id),
        email=row.email,
        language=Language(row.language),
        verification_level=VerificationLevel(row.verification_level),
        totp_enabled=row.totp_enabled,
        marketing_opt_in=row.marketing_opt_in,
        services=[
            LinkedServiceRead(kind=ServiceKind(s.kind), reference=s.reference, linked_at=s.linked_at)
            for s in repository.linked_services(uow.session, row.id)
        ],
        consents=[
            ConsentRead(document=c.document, version=c.version, accepted_at=c.recorded_at)
            for c in repository.consents_of(uow.session, row.id)
            if c.granted
        ],
        created_at=row.created_at,
    )


def find_customer_by_phone(uow: UnitOfWork, *, phone: str) -> CustomerRead | None:
    """For other domains (lines, wallet) and staff tools — never for an unauthenticated caller."""
    row = repository.customer_by_phone(uow.session, phone_or_refuse(phone))
    return get_customer(uow, customer_id=row.id) if row else None


def set_marketing_opt_in(uow: UnitOfWork, *, customer_id: str, opt_in: bool) -> CustomerRead:
    row = _customer(uow, customer_id)
    row.marketing_opt_in = opt_in
    uow.session.add(
        Consent(
            customer_id=customer_id,
            document="marketing",
            version="opt-in",
            granted=opt_in,
            recorded_at=uow.clock.now(),
        )
    )
    _audit(uow, "marketing_opt_in_changed", customer_id, opt_in=str(opt_in).lower())
    return get_customer(uow, customer_id=customer_id)


def accept_documents(uow: UnitOfWork, *, customer_id: str) -> CustomerRead:
    """Accept the versions in force (after a new version is published)."""
    _customer(uow, customer_id)
    now = uow.clock.now()
    for document, version in CURRENT_DOCUMENTS.items():
        uow.session.add(
            Consent(customer_id=customer_id, document=document.value, version=version, granted=True, recorded_at=now)
        )
    _audit(uow, "documents_accepted", customer_id)
    return get_customer(uow, customer_id=customer_id)


# --- one-time codes ----------------------------------------------------------------------


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
    holder = repository.customer_by_phone(uow.session, phone)
    subjects = [f"phone:{phone}"] + ([f"customer:{holder.id}"] if holder else [])
    _count_attempt(uow, ctx, "password", subjects, holder)
    # An unknown phone verifies against a decoy hash: the same time, the same answer.
    if not ctx.passwords.verify(holder.password_hash if holder else None, password) or holder is None:
        _audit(uow, "password_failed", holder.id if holder else None, subject=phone)
        raise InvalidCredentialsError("the phone number or the password is wrong")
    repository.reset_counters(uow.session, kind="password", subjects=subjects)
    if holder.password_hash and ctx.passwords.needs_rehash(holder.password_hash):
        holder.password_hash = ctx.passwords.hash(password)
    methods = ["pwd", *_second_factor(uow, ctx, holder, totp)]
    return _sign_in(uow, ctx, holder, methods, device)


def _second_factor(uow: UnitOfWork, ctx: IdentityContext, holder: Customer, totp: str | None) -> list[str]:
    if not holder.totp_enabled:
        return []
    if not totp:
        raise TotpRequiredError("this account asks for the code of its authenticator app (totp)")
    _check_totp(uow, ctx, holder, totp)
    return ["otp-app"]


def _check_totp(uow: UnitOfWork, ctx: IdentityContext, holder: Customer, code: str) -> None:
    subjects = [f"customer:{holder.id}"]
    _count_attempt(uow, ctx, "totp", subjects, holder)
    assert holder.totp_secret_sealed is not None, "TOTP is enabled with a secret"
    authenticator = pyotp.TOTP(ctx.sealer.open(holder.totp_secret_sealed).decode(), interval=TOTP_INTERVAL_S)
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


# --- sessions and devices ----------------------------------------------------------------


def _sign_in(
    uow: UnitOfWork, ctx: IdentityContext, holder: Customer, methods: list[str], device: DeviceInfo | None
) -> SignedIn:
    now = uow.clock.now()
    device = device or DeviceInfo()
    fingerprint = hashlib.sha256((device.device_id or device.user_agent or "unknown").encode()).hexdigest()
    known = repository.device(uow.session, holder.id, fingerprint)
    new_device = known is None
    if known is None:
        known = Device(
            id=new_id(),
            customer_id=holder.id,
            fingerprint=fingerprint,
            label=rules.device_label(device.user_agent),
            first_seen_at=now,
            last_seen_at=now,
        )
        repository.add(uow.session, known)
        had_devices = len(repository.devices_of(uow.session, holder.id)) > 1
        if had_devices:
            phones = repository.phones_of(uow.session, holder.id)
            notify.queue(
                uow,
                channel=Channel.SMS,
                recipient=phones[0],
                template="identity.new_device",
                language=MessageLanguage(holder.language),
                params={"device": known.label},
                sealer=ctx.messages,
            )
            _audit(uow, "new_device_notified", holder.id, subject=known.id)
    else:
        known.last_seen_at = now
    token = new_token()
    row = SignInSession(
        id=new_id(),
        token_hash=token_hash(token),
        customer_id=holder.id,
        device_id=known.id,
        methods=methods,
        authenticated_at=now,
        created_at=now,
        last_seen_at=now,
        expires_at=now + timedelta(seconds=ctx.settings.session_ttl_s),
        revoked_at=None,
    )
    repository.add(uow.session, row)
    _audit(uow, "signed_in", holder.id, subject=row.id, methods=" ".join(methods), ip=device.ip or "-")
    return SignedIn(session=_session_read(row, known.label), token=SecretStr(token), new_device=new_device)


def authenticate(uow: UnitOfWork, *, token: str | None) -> SessionRead:
    """The live session a cookie names, or `unauthenticated`."""
    if not token or len(token) > 128:
        raise UnauthenticatedError("sign in first")
    row = repository.session_by_token(uow.session, token_hash(token), uow.clock.now())
    if row is None:
        raise UnauthenticatedError("sign in first")
    return _session_read(row, None, current=True)


def resolve_principal(uow: UnitOfWork, *, session_token: str | None, bearer_token: str | None) -> Principal | None:
    """The customer a session cookie or an OIDC access token proves, with the token's scopes;
    None when neither is live. A bearer token wins over a cookie when both are sent."""
    now = uow.clock.now()
    if bearer_token:
        if len(bearer_token) > 512:
            return None
        token = repository.token_by_access(uow.session, token_hash(bearer_token))
        if token is None or token.customer_id is None or token.revoked_at is not None or token.access_expires_at <= now:
            return None
        session = repository.session_by_id(uow.session, token.session_id) if token.session_id else None
        return _principal(
            uow,
            token.customer_id,
            via="bearer",
            session_id=token.session_id,
            scope=token.scope,
            methods=tuple(session.methods) if session else (),
            authenticated_at=token.auth_time,
        )
    if not session_token or len(session_token) > 128:
        return None
    row = repository.session_by_token(uow.session, token_hash(session_token), now)
    if row is None:
        return None
    return _principal(
        uow,
        row.customer_id,
        via="session",
        session_id=row.id,
        scope="",
        methods=tuple(row.methods),
        authenticated_at=row.authenticated_at,
    )


def _principal(
    uow: UnitOfWork,
    customer_id: str,
    *,
    via: Literal["session", "bearer"],
    session_id: str | None,
    scope: str,
    methods: tuple[str, ...],
    authenticated_at: datetime | None,
) -> Principal:
    customer = _customer(uow, customer_id)
    lines = [s.reference for s in repository.linked_services(uow.session, customer_id) if s.kind == ServiceKind.MOBILE]
    return Principal(
        customer_id=customer.id,
        phones=tuple(repository.phones_of(uow.session, customer_id)),
        lines=tuple(lines),
        via=via,
        scopes=frozenset(scope.split()),
        session_id=session_id,
        language=customer.language,
        auth_methods=methods,
        authenticated_at=authenticated_at,
    )


def list_sessions(uow: UnitOfWork, *, customer_id: str, current_session_id: str | None = None) -> list[SessionRead]:
    rows = repository.sessions_of(uow.session, customer_id, uow.clock.now(), uow.limits.page_size_max)
    labels = {d.id: d.label for d in repository.devices_of(uow.session, customer_id)}
    return [_session_read(r, labels.get(r.device_id or ""), current=r.id == current_session_id) for r in rows]


def revoke_session(uow: UnitOfWork, *, customer_id: str, session_id: str) -> None:
    """End one session (a customer's own); its OIDC tokens go with it."""
    now = uow.clock.now()
    if repository.revoke_sessions(uow.session, customer_id=customer_id, session_id=session_id, now=now) == 0:
        raise InvalidRequestError("no such live session")
    repository.revoke_tokens(uow.session, now=now, session_id=session_id)
    _audit(uow, "session_revoked", customer_id, subject=session_id)


def report_unauthorised_access(uow: UnitOfWork, *, ctx: IdentityContext, customer_id: str) -> dict[str, int]:
    """Revoke every session and token of the customer at once, and record it."""
    holder = _customer(uow, customer_id)
    now = uow.clock.now()
    sessions = repository.revoke_sessions(uow.session, customer_id=customer_id, now=now)
    tokens = repository.revoke_tokens(uow.session, now=now, customer_id=customer_id)
    _audit(uow, "unauthorised_access_reported", customer_id, sessions=str(sessions), tokens=str(tokens))
    phones = repository.phones_of(uow.session, customer_id)
    if phones:
        notify.queue(
            uow,
            channel=Channel.SMS,
            recipient=phones[0],
            template="identity.access_reported",
            language=MessageLanguage(holder.language),
            params={},
            sealer=ctx.messages,
        )
    uow.add_event(AccessReported(occurred_at=now, customer_id=customer_id))
    return {"sessions_revoked": sessions, "tokens_revoked": tokens}


# --- credentials -------------------------------------------------------------------------


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


def begin_totp(uow: UnitOfWork, *, ctx: IdentityContext, session: SessionRead) -> TotpSetup:
    """A new authenticator secret; active after `confirm_totp` with a first code."""
    _require_recent(uow, ctx, session)
    holder = _customer(uow, session.customer_id)
    secret = pyotp.random_base32(32)
    holder.totp_secret_sealed = ctx.sealer.seal(secret.encode())
    holder.totp_enabled = False
    phones = repository.phones_of(uow.session, holder.id)
    uri = pyotp.TOTP(secret, interval=TOTP_INTERVAL_S).provisioning_uri(name=phones[0], issuer_name="Yagona One ID")
    _audit(uow, "totp_setup_started", holder.id)
    return TotpSetup(secret=SecretStr(secret), provisioning_uri=SecretStr(uri))


def confirm_totp(uow: UnitOfWork, *, ctx: IdentityContext, session: SessionRead, code: str) -> None:
    holder = _customer(uow, session.customer_id)
    if holder.totp_secret_sealed is None:
        raise InvalidRequestError("start the authenticator setup first")
    _check_totp(uow, ctx, holder, code)
    holder.totp_enabled = True
    _audit(uow, "totp_enabled", holder.id)


def _require_recent(uow: UnitOfWork, ctx: IdentityContext, session: SessionRead) -> None:
    if uow.clock.now() - session.authenticated_at > timedelta(seconds=ctx.settings.reauthentication_window_s):
        raise ReauthenticationRequiredError("sign in again before changing credentials")


def _check_password_strength(ctx: IdentityContext, password: str, phone: str | None) -> None:
    problems = rules.password_problems(password, min_length=ctx.settings.password_min_length, phone=phone)
    if problems:
        raise WeakPasswordError(f"the password is too weak: {'; '.join(problems)}")


# --- linked services ---------------------------------------------------------------------


def link_line(
    uow: UnitOfWork, *, ctx: IdentityContext, customer_id: str, phone: str, code: str, request_id: str | None = None
) -> LinkedServiceRead:
    """Link a mobile line to the profile, after the code sent to that number (purpose `link_line`)."""
    holder = _customer(uow, customer_id)
    phone = phone_or_refuse(phone)
    otp = _check_otp(
        uow, ctx, phone=phone, purpose=OtpPurpose.LINK_LINE, code=code, request_id=request_id, holder=holder
    )
    _consume(uow, otp, phone)
    return link_service(uow, customer_id=customer_id, kind=ServiceKind.MOBILE, reference=phone)


def link_service(uow: UnitOfWork, *, customer_id: str, kind: ServiceKind, reference: str) -> LinkedServiceRead:
    """Record that a service account belongs to the customer (lines, wallet, home internet
    and IPTV call this once they have proven it). Linking the same pair again is a no-op."""
    _customer(uow, customer_id)
    if not 1 <= len(reference) <= 64:
        raise InvalidRequestError("a service reference has 1 to 64 characters")
    existing = repository.linked_service(uow.session, kind.value, reference)
    if existing is not None:
        if existing.customer_id != customer_id:
            raise PhoneTakenError("this service belongs to another profile")
        return LinkedServiceRead(kind=kind, reference=reference, linked_at=existing.linked_at)
    now = uow.clock.now()
    repository.add(
        uow.session, LinkedService(customer_id=customer_id, kind=kind.value, reference=reference, linked_at=now)
    )
    _audit(uow, "service_linked", customer_id, subject=f"{kind.value}:{reference}")
    uow.add_event(ServiceLinked(occurred_at=now, customer_id=customer_id, kind=kind.value, reference=reference))
    return LinkedServiceRead(kind=kind, reference=reference, linked_at=now)


def verification_level(uow: UnitOfWork, *, customer_id: str) -> VerificationLevel:
    """Home internet asks for `verified` before it connects."""
    return VerificationLevel(_customer(uow, customer_id).verification_level)


# --- national OneID ----------------------------------------------------------------------


def begin_oneid(uow: UnitOfWork, *, ctx: IdentityContext, customer_id: str | None) -> str:
    """A random `state` for a OneID round trip; stored as a hash, checked once on return."""
    state = new_token()
    now = uow.clock.now()
    repository.add(
        uow.session,
        OneIdState(
            state_hash=token_hash(state),
            customer_id=customer_id,
            created_at=now,
            expires_at=now + timedelta(minutes=10),
            consumed_at=None,
        ),
    )
    return state


def take_oneid_state(uow: UnitOfWork, *, state: str | None) -> str | None:
    """Consume a state; returns the customer who started it (None for a sign-in).
    Raises `invalid_credentials` for a state that is unknown, expired or used."""
    row = repository.consume_oneid_state(uow.session, token_hash(state or ""), uow.clock.now())
    if row is None or not state:
        raise InvalidRequestError("the OneID state is unknown, expired or used")
    return row.customer_id


def apply_oneid_profile(
    uow: UnitOfWork, *, ctx: IdentityContext, customer_id: str | None, profile: OneIdProfile, device: DeviceInfo | None
) -> tuple[CustomerRead, SignedIn | None]:
    """Link the person (PINFL) to the customer who started the round trip and raise the
    verification level; with no customer, sign in the customer linked to that PINFL."""
    if not profile.valid:
        raise InvalidRequestError("OneID says this identity is not valid")
    linked = repository.customer_by_pinfl(uow.session, profile.pin)
    now = uow.clock.now()
    if customer_id is None:
        if linked is None:
            raise RegistrationRequiredError("no customer is linked to this OneID yet: sign in and verify first")
        return get_customer(uow, customer_id=linked.id), _sign_in(uow, ctx, linked, ["oneid"], device)
    holder = _customer(uow, customer_id)
    if linked is not None and linked.id != holder.id:
        raise PhoneTakenError("this OneID identity is linked to another customer")
    holder.pinfl = profile.pin
    holder.verification_level = VerificationLevel.VERIFIED.value
    if profile.birth_date and holder.birth_date is None:
        holder.birth_date = profile.birth_date
    _audit(uow, "oneid_verified", holder.id)
    uow.add_event(CustomerVerified(occurred_at=now, customer_id=holder.id, level=VerificationLevel.VERIFIED.value))
    return get_customer(uow, customer_id=holder.id), None


# --- audit -------------------------------------------------------------------------------


def audit_trail(uow: UnitOfWork, *, customer_id: str, limit: int = 100) -> list[AuditEventRead]:
    rows = repository.audit_of(uow.session, customer_id, min(limit, uow.limits.page_size_max))
    return [
        AuditEventRead(
            kind=r.kind,
            customer_id=r.customer_id,
            subject=r.subject,
            details={k: str(v) for k, v in r.details.items()},
            occurred_at=r.occurred_at,
        )
        for r in rows
    ]


def audit(uow: UnitOfWork, *, kind: str, customer_id: str | None, subject: str | None = None, **details: str) -> None:
    """Record a security event in the caller's transaction (the OIDC provider uses it too)."""
    _audit(uow, kind, customer_id, subject=subject, **details)


def _audit(uow: UnitOfWork, kind: str, customer_id: str | None, *, subject: str | None = None, **details: str) -> None:
    uow.session.add(
        AuditEvent(kind=kind, customer_id=customer_id, subject=subject, details=details, occurred_at=uow.clock.now())
    )


# --- helpers -----------------------------------------------------------------------------


def _customer(uow: UnitOfWork, customer_id: str) -> Customer:
    row = repository.customer(uow.session, customer_id)
    if row is None:
        raise CustomerNotFoundError("no such customer")
    return row


def _session_read(row: SignInSession, device: str | None, *, current: bool = False) -> SessionRead:
    return SessionRead(
        id=row.id,
        customer_id=row.customer_id,
        device=device,
        methods=list(row.methods),
        authenticated_at=row.authenticated_at,
        created_at=row.created_at,
        last_seen_at=row.last_seen_at,
        expires_at=row.expires_at,
        current=current,
    )
