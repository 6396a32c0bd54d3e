"""Staff accounts of the console (`/staff`): not customers. A password and an authenticator
code are both required to sign in; attempts are counted and locked out by the same
settings as a customer's; a console session ends when idle or at its absolute end."""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

import pyotp

from yagona.identity import repository, rules
from yagona.identity.credentials import new_token, token_hash
from yagona.identity.errors import AttemptsExceededError, InvalidCredentialsError
from yagona.identity.models import StaffMember, StaffSession
from yagona.identity.repository import staff as staff_repository
from yagona.identity.service.common import _audit
from yagona.identity.service.context import TOTP_INTERVAL_S, IdentityContext
from yagona.kernel.errors import ConflictError, InvalidRequestError, NotFoundError
from yagona.kernel.ids import new_id
from yagona.kernel.phone import normalise_msisdn
from yagona.platform.principals import STAFF_ROLES, StaffPrincipal
from yagona.platform.uow import UnitOfWork

# A console session: 30 minutes without a request ends it, and 12 hours end it whatever.
STAFF_IDLE = timedelta(minutes=30)
STAFF_ABSOLUTE = timedelta(hours=12)
_LOGIN = re.compile(r"^[a-z][a-z0-9._-]{2,39}$")


@dataclass(frozen=True)
class StaffRead:
    id: str
    login: str
    name: str
    role: str
    created_at: datetime
    disabled: bool


@dataclass(frozen=True)
class StaffCreated:
    """Shown once: the one-time password and the authenticator's secret."""

    staff: StaffRead
    password: str
    totp_secret: str
    totp_uri: str


@dataclass(frozen=True)
class StaffSignedIn:
    principal: StaffPrincipal
    token: str  # the cookie's value: stored only as a hash
    max_age_s: int


def staff_login(raw: str) -> str:
    """A phone (any usual spelling, kept as 998…) or a login name (lower-case)."""
    value = raw.strip().lower()
    phone = normalise_msisdn(value)
    if phone is not None:
        return phone
    if not _LOGIN.match(value):
        raise InvalidRequestError("a login is a phone number or 3 to 40 letters, digits, dots or dashes", field="login")
    return value


def add_staff(
    uow: UnitOfWork,
    *,
    ctx: IdentityContext,
    login: str,
    name: str,
    role: str,
    password: str | None = None,
    totp_secret: str | None = None,
) -> StaffCreated:
    """A new member of staff with a one-time password and an authenticator secret (random
    unless given: the dev demo's are public)."""
    login = staff_login(login)
    name = " ".join(name.split())
    if role not in STAFF_ROLES:
        raise InvalidRequestError(f"the role is one of {', '.join(STAFF_ROLES)}", field="role")
    if not 1 <= len(name) <= 200:
        raise InvalidRequestError("a name of 1 to 200 characters is required", field="name")
    if staff_repository.staff_by_login(uow.session, login) is not None:
        raise ConflictError("a member of staff has this login already", field="login")
    password = password or secrets.token_urlsafe(12)
    secret = totp_secret or pyotp.random_base32(32)
    row = StaffMember(
        id=new_id(),
        login=login,
        name=name,
        role=role,
        password_hash=ctx.passwords.hash(password),
        totp_secret_sealed=ctx.sealer.seal(secret.encode()),
        totp_last_step=0,
        created_at=uow.clock.now(),
        disabled_at=None,
    )
    repository.add(uow.session, row)
    _audit(uow, "staff_added", None, subject=f"staff:{row.id}", role=role)
    uri = pyotp.TOTP(secret, interval=TOTP_INTERVAL_S).provisioning_uri(name=login, issuer_name="Yagona staff")
    return StaffCreated(staff=_read(row), password=password, totp_secret=secret, totp_uri=uri)


def list_staff(uow: UnitOfWork) -> list[StaffRead]:
    return [_read(row) for row in staff_repository.staff_members(uow.session)]


def disable_staff(uow: UnitOfWork, *, login: str) -> StaffRead:
    """The member can no longer sign in; every console session of theirs ends now."""
    row = staff_repository.staff_by_login(uow.session, staff_login(login))
    if row is None:
        raise NotFoundError("no member of staff has this login")
    now = uow.clock.now()
    if row.disabled_at is None:
        row.disabled_at = now
        staff_repository.revoke_staff_sessions(uow.session, staff_id=row.id, now=now)
        _audit(uow, "staff_disabled", None, subject=f"staff:{row.id}")
    return _read(row)


def staff_sign_in(
    uow: UnitOfWork, *, ctx: IdentityContext, login: str, password: str, totp: str, client_ip: str | None
) -> StaffSignedIn:
    """Both factors, checked after the attempt is counted (per login and per address): a
    wrong one is `invalid_credentials` — which one is not said — and too many lock the login
    out for the customers' lockout window. The refusals persist their records."""
    try:
        login = staff_login(login)
    except InvalidRequestError:
        login = "-"  # still counted and refused like any wrong login: no hint which logins exist
    subjects = [f"staff:{login}", f"staff-ip:{client_ip or '-'}"]
    _count(uow, ctx, subjects, login)
    row = staff_repository.staff_by_login(uow.session, login)
    live = row is not None and row.disabled_at is None
    # An unknown login verifies against a decoy hash: the same time, the same answer.
    password_ok = ctx.passwords.verify(row.password_hash if row else None, password)
    if not (live and password_ok and row is not None and _totp_matches(uow, ctx, row, totp.strip())):
        _audit(uow, "staff_sign_in_failed", None, subject=f"login:{login}", ip=client_ip or "-")
        raise InvalidCredentialsError("the login, the password or the authenticator code is wrong")
    repository.reset_counters(uow.session, kind="staff", subjects=subjects[:1])
    # A right sign-in is no guess: an office behind one address is not locked out by its own staff.
    repository.unbump(uow.session, kind="staff", subject=subjects[1])
    now = uow.clock.now()
    token = new_token()
    session = StaffSession(
        id=new_id(),
        token_hash=token_hash(token),
        staff_id=row.id,
        created_at=now,
        last_seen_at=now,
        expires_at=now + STAFF_ABSOLUTE,
        revoked_at=None,
    )
    repository.add(uow.session, session)
    _audit(uow, "staff_signed_in", None, subject=f"staff:{row.id}", ip=client_ip or "-")
    principal = StaffPrincipal(staff_id=row.id, name=row.name, role=row.role, session_id=session.id)
    return StaffSignedIn(principal=principal, token=token, max_age_s=int(STAFF_ABSOLUTE.total_seconds()))


def resolve_staff(uow: UnitOfWork, *, token: str) -> StaffPrincipal | None:
    """The member a console cookie proves, or None (expired, idle, revoked, disabled). A
    live session's use is recorded (in `uow`): its idle time starts again."""
    if not token or len(token) > 128:
        return None
    now = uow.clock.now()
    session = staff_repository.live_staff_session(uow.session, token_hash(token), now, now - STAFF_IDLE)
    if session is None:
        return None
    row = staff_repository.staff_by_id(uow.session, session.staff_id)
    if row is None or row.disabled_at is not None or row.role not in STAFF_ROLES:
        return None
    session.last_seen_at = now
    return StaffPrincipal(staff_id=row.id, name=row.name, role=row.role, session_id=session.id)


def staff_sign_out(uow: UnitOfWork, *, token: str) -> None:
    member = resolve_staff(uow, token=token)
    if member is not None:
        staff_repository.revoke_staff_sessions(
            uow.session, staff_id=member.staff_id, now=uow.clock.now(), session_id=member.session_id
        )
        _audit(uow, "staff_signed_out", None, subject=f"staff:{member.staff_id}")


def staff_names(uow: UnitOfWork) -> dict[str, str]:
    """Every member's name by id (the access log names who looked)."""
    return {row.id: row.name for row in staff_repository.staff_members(uow.session)}


def search_customers(uow: UnitOfWork, *, query: str, limit: int = 20) -> list[str]:
    """Ids of the customers a console search names: a customer id, a phone (a profile's, a
    line's, a wallet's), or part of a name."""
    query = " ".join(query.split())[:200]
    if not query:
        return []
    if repository.customer(uow.session, query) is not None:
        return [query]
    phone = normalise_msisdn(query)
    name = None if phone is not None or len(query) < 2 else query
    return list(staff_repository.search_customers(uow.session, name=name, phone=phone, limit=limit))


def _count(uow: UnitOfWork, ctx: IdentityContext, subjects: list[str], login: str) -> None:
    window = timedelta(seconds=ctx.settings.lockout_window_s)
    now = uow.clock.now()
    login_count = repository.bump(uow.session, kind="staff", subject=subjects[0], now=now, window=window)
    ip_count = repository.bump(uow.session, kind="staff", subject=subjects[1], now=now, window=window)
    if rules.over_limit(login_count, ctx.settings.max_failed_attempts) or rules.over_limit(
        ip_count, ctx.settings.password_attempts_per_ip
    ):
        _audit(uow, "staff_locked", None, subject=f"login:{login}")
        raise AttemptsExceededError("too many attempts; try again later")


def _totp_matches(uow: UnitOfWork, ctx: IdentityContext, row: StaffMember, code: str) -> bool:
    """One time step either side (clocks drift); each step is accepted once per member."""
    authenticator = pyotp.TOTP(ctx.sealer.open(row.totp_secret_sealed).decode(), interval=TOTP_INTERVAL_S)
    now_s = uow.clock.now().timestamp()
    step = rules.totp_step(now_s, TOTP_INTERVAL_S)
    for drift in (-1, 0, 1):
        candidate = authenticator.at(int(now_s) + drift * TOTP_INTERVAL_S)
        if len(code) == len(candidate) and pyotp.utils.strings_equal(code, candidate):
            return staff_repository.accept_staff_totp_step(uow.session, row.id, step + drift)
    return False


def _read(row: StaffMember) -> StaffRead:
    return StaffRead(
        id=row.id,
        login=row.login,
        name=row.name,
        role=row.role,
        created_at=row.created_at,
        disabled=row.disabled_at is not None,
    )
