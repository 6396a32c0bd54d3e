"""Staff access with the customer's permission (agreement 4: the company enters no cabinet
without the customer's permission and consent).

A member of staff asks, with a reason, the sections they need and for how long; the customer
approves in the portal (`/account/privacy`) or reads the SMS code to the member, who types it
in. The access lasts the time granted and opens only the sections granted. In an emergency
(fraud, a legal order) a supervisor opens access with a reason; the customer sees it
afterwards. Every grant, and every view it allows (the access log), is shown to the customer.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select

from yagona.kernel.ids import new_id
from yagona.notify import service as notify
from yagona.notify.schemas import Channel, Language
from yagona.platform.uow import UnitOfWork
from yagona.privacy import rules
from yagona.privacy.errors import (
    AccessNotGrantedError,
    AccessReasonRequiredError,
    GrantNotFoundError,
    GrantNotPendingError,
    UnknownScopeError,
    WrongAccessCodeError,
)
from yagona.privacy.events import AccessRequested
from yagona.privacy.models import AccessGrant
from yagona.privacy.service.consents import refuse_attempt
from yagona.privacy.service.documents import pepper, sealer

# The sections of a customer's cabinet a member of staff may be granted.
SECTIONS = ("profile", "lines", "wallets", "home", "points", "timeline")
DURATIONS = (15, 30, 60, 240, 480)  # minutes a grant may last
EMERGENCY_BASES = ("fraud", "legal_order")
REQUEST_TTL = timedelta(hours=24)  # an unanswered request lapses
CODE_ATTEMPTS = 5
CODE_SMS = {
    "uz": "Yagona: xodim kabinetingizga kirishni so'ramoqda ({sections}, {minutes} daq.). "
    "Ruxsat bersangiz, unga {code} kodini ayting.",
    "ru": "Yagona: сотрудник просит доступ к кабинету ({sections}, {minutes} мин). "
    "Если разрешаете, назовите ему код {code}.",
    "en": "Yagona: a member of staff asks to see your cabinet ({sections}, {minutes} min). "
    "If you agree, tell them the code {code}.",
}


@dataclass(frozen=True)
class GrantRead:
    id: str
    customer_id: str
    staff_id: str
    reason: str
    sections: tuple[str, ...]
    minutes: int
    status: str  # requested, approved, denied, revoked, expired, lapsed
    emergency: str | None
    supervisor_id: str | None
    approved_via: str | None
    requested_at: datetime
    decided_at: datetime | None
    expires_at: datetime | None

    def live(self, now: datetime) -> bool:
        return self.status == "approved" and self.expires_at is not None and now < self.expires_at


@dataclass(frozen=True)
class Requested:
    grant: GrantRead
    code: str | None  # sent by SMS; returned for the caller's tests only when no phone was given


def _read(row: AccessGrant, now: datetime) -> GrantRead:
    status = row.status
    if status == "approved" and row.expires_at is not None and now >= row.expires_at:
        status = "expired"
    if status == "requested" and now >= row.requested_at + REQUEST_TTL:
        status = "lapsed"
    return GrantRead(
        id=row.id,
        customer_id=row.customer_id,
        staff_id=row.staff_id,
        reason=row.reason,
        sections=tuple(s for s in row.scopes.split(",") if s),
        minutes=row.minutes,
        status=status,
        emergency=row.emergency,
        supervisor_id=row.supervisor_id,
        approved_via=row.approved_via,
        requested_at=row.requested_at,
        decided_at=row.decided_at,
        expires_at=row.expires_at,
    )


def _checked(
    uow: UnitOfWork, *, staff_id: str, customer_id: str, reason: str, sections: Sequence[str], action: str
) -> tuple[str, tuple[str, ...]]:
    """The reason and the sections as kept, or a refusal whose attempt is kept."""
    cleaned = rules.clean_reason(reason)
    if cleaned is None:
        refuse_attempt(uow, actor=f"staff:{staff_id}", customer_id=customer_id, action=action, code="reason_required")
        raise AccessReasonRequiredError(
            "Say why (at least 5 characters): the customer sees the reason.",
            field="reason",
            min_length=rules.REASON_MIN_LENGTH,
        )
    unknown = [s for s in sections if s not in SECTIONS]
    if unknown or not sections:
        refuse_attempt(uow, actor=f"staff:{staff_id}", customer_id=customer_id, action=action, code="unknown_scope")
        scope = (unknown or ["(none)"])[0][:40]
        raise UnknownScopeError(f"no section {scope}; one or more of {', '.join(SECTIONS)}", scope=scope)
    return cleaned, tuple(s for s in SECTIONS if s in sections)


def _minutes(minutes: int) -> int:
    return min(DURATIONS, key=lambda d: abs(d - minutes))


def request_access(
    uow: UnitOfWork,
    *,
    staff_id: str,
    customer_id: str,
    reason: str,
    sections: Sequence[str],
    minutes: int = 60,
    phone: str | None = None,
    language: str = "uz",
) -> Requested:
    """A member of staff asks for access. With `phone`, the customer gets an SMS code to read
    to the member; either way the request waits on the customer's portal page."""
    cleaned, scopes = _checked(
        uow, staff_id=staff_id, customer_id=customer_id, reason=reason, sections=sections, action="access.request"
    )
    grant_id = new_id()
    code = f"{secrets.randbelow(1_000_000):06d}"
    row = AccessGrant(
        id=grant_id,
        customer_id=customer_id,
        staff_id=staff_id,
        reason=cleaned,
        scopes=",".join(scopes),
        minutes=_minutes(minutes),
        status="requested",
        emergency=None,
        supervisor_id=None,
        code_digest=pepper().digest(grant_id, code) if phone else None,
        code_attempts=0,
        approved_via=None,
        requested_at=uow.clock.now(),
        decided_at=None,
        expires_at=None,
    )
    uow.session.add(row)
    uow.session.flush()
    uow.add_event(AccessRequested(occurred_at=row.requested_at, grant_id=grant_id, customer_id=customer_id))
    if phone:
        spoken = language if language in CODE_SMS else "uz"
        text = CODE_SMS[spoken].format(sections=", ".join(scopes), minutes=row.minutes, code=code)
        notify.queue(
            uow,
            channel=Channel.SMS,
            recipient=phone,
            template="notify.text",
            language=Language(spoken),
            params={"text": text},
            sealer=sealer(),
        )
    return Requested(_read(row, uow.clock.now()), None)


def _pending(
    uow: UnitOfWork, grant_id: str, *, customer_id: str | None = None, staff_id: str | None = None
) -> AccessGrant:
    row = uow.session.get(AccessGrant, grant_id[:36])
    if row is None or (customer_id and row.customer_id != customer_id) or (staff_id and row.staff_id != staff_id):
        raise GrantNotFoundError("no such access request")  # another's request: as if absent
    if _read(row, uow.clock.now()).status != "requested":
        raise GrantNotPendingError("this request was already decided or has lapsed")
    return row


def _approve(uow: UnitOfWork, row: AccessGrant, via: str) -> GrantRead:
    now = uow.clock.now()
    row.status, row.approved_via, row.decided_at = "approved", via, now
    row.expires_at = now + timedelta(minutes=row.minutes)
    row.code_digest = None
    uow.session.flush()
    return _read(row, now)


APPROVED_VIA = ("portal", "telegram")  # where the customer may approve (besides the SMS code)


def approve(uow: UnitOfWork, *, customer_id: str, grant_id: str, via: str = "portal") -> GrantRead:
    """The customer approves a request in the portal (or the linked Telegram chat)."""
    assert via in APPROVED_VIA, via
    return _approve(uow, _pending(uow, grant_id, customer_id=customer_id), via)


def grant_of(uow: UnitOfWork, *, customer_id: str, grant_id: str) -> GrantRead:
    """One of the customer's requests as it stands now; another's: `access_grant_not_found`."""
    row = uow.session.get(AccessGrant, grant_id[:36])
    if row is None or row.customer_id != customer_id:
        raise GrantNotFoundError("no such access request")
    return _read(row, uow.clock.now())


def deny(uow: UnitOfWork, *, customer_id: str, grant_id: str) -> GrantRead:
    """The customer refuses a request."""
    row = _pending(uow, grant_id, customer_id=customer_id)
    row.status, row.decided_at = "denied", uow.clock.now()
    uow.session.flush()
    return _read(row, uow.clock.now())


def revoke(uow: UnitOfWork, *, customer_id: str, grant_id: str) -> GrantRead:
    """The customer ends an approved access before its time."""
    row = uow.session.get(AccessGrant, grant_id[:36])
    if row is None or row.customer_id != customer_id:
        raise GrantNotFoundError("no such access request")
    if not _read(row, uow.clock.now()).live(uow.clock.now()):
        raise GrantNotPendingError("this access is not open")
    row.status, row.expires_at = "revoked", uow.clock.now()
    uow.session.flush()
    return _read(row, uow.clock.now())


def confirm_code(uow: UnitOfWork, *, staff_id: str, grant_id: str, code: str) -> GrantRead:
    """The member types the code the customer read to them: the customer's approval by SMS.
    Five wrong codes end the request."""
    row = _pending(uow, grant_id, staff_id=staff_id)
    if row.code_digest is None:
        raise WrongAccessCodeError("This request was sent without a code: the customer approves in the portal")
    if not pepper().matches(row.code_digest, row.id, code.strip()[:12]):
        row.code_attempts += 1
        if row.code_attempts >= CODE_ATTEMPTS:
            row.status, row.decided_at, row.code_digest = "denied", uow.clock.now(), None
        uow.session.flush()  # the attempt counts: the refusal persists it (nothing else was written)
        raise WrongAccessCodeError("The code is wrong", attempts_left=max(0, CODE_ATTEMPTS - row.code_attempts))
    return _approve(uow, row, "sms")


def emergency_access(
    uow: UnitOfWork,
    *,
    supervisor_id: str,
    customer_id: str,
    basis: str,
    reason: str,
    sections: Sequence[str] = SECTIONS,
    minutes: int = 60,
) -> GrantRead:
    """Access without the customer's approval (fraud, a legal order): opened by a supervisor
    (the caller checks the role) with a reason, shown to the customer afterwards."""
    cleaned, scopes = _checked(
        uow,
        staff_id=supervisor_id,
        customer_id=customer_id,
        reason=reason,
        sections=sections,
        action="access.emergency",
    )
    if basis not in EMERGENCY_BASES:
        refuse_attempt(
            uow,
            actor=f"staff:{supervisor_id}",
            customer_id=customer_id,
            action="access.emergency",
            code="unknown_scope",
        )
        raise UnknownScopeError(f"an emergency is one of {', '.join(EMERGENCY_BASES)}", scope=basis[:40])
    now = uow.clock.now()
    row = AccessGrant(
        id=new_id(),
        customer_id=customer_id,
        staff_id=supervisor_id,
        reason=cleaned,
        scopes=",".join(scopes),
        minutes=_minutes(minutes),
        status="approved",
        emergency=basis,
        supervisor_id=supervisor_id,
        code_digest=None,
        code_attempts=0,
        approved_via="emergency",
        requested_at=now,
        decided_at=now,
        expires_at=now + timedelta(minutes=_minutes(minutes)),
    )
    uow.session.add(row)
    uow.session.flush()
    return _read(row, now)


def active_grant(uow: UnitOfWork, *, staff_id: str, customer_id: str, section: str) -> GrantRead | None:
    """The live grant that lets this member see `section` of this customer's cabinet."""
    now = uow.clock.now()
    query = select(AccessGrant).where(
        AccessGrant.staff_id == staff_id,
        AccessGrant.customer_id == customer_id,
        AccessGrant.status == "approved",
        AccessGrant.expires_at > now,
    )
    for row in uow.session.scalars(query.order_by(AccessGrant.expires_at.desc())).all():
        grant = _read(row, now)
        if grant.live(now) and section in grant.sections:
            return grant
    return None


def require_access(uow: UnitOfWork, *, staff_id: str, customer_id: str, section: str) -> GrantRead:
    """The live grant for `section`, or `access_not_granted` (403)."""
    grant = active_grant(uow, staff_id=staff_id, customer_id=customer_id, section=section)
    if grant is None:
        raise AccessNotGrantedError(
            "The customer has not given permission: ask for access first.", section=section, customer_id=customer_id
        )
    return grant


def grants_of(uow: UnitOfWork, *, customer_id: str, limit: int = 50) -> list[GrantRead]:
    """Every request and access of staff to this customer's cabinet, newest first."""
    query = select(AccessGrant).where(AccessGrant.customer_id == customer_id)
    rows = uow.session.scalars(query.order_by(AccessGrant.requested_at.desc()).limit(limit)).all()
    return [_read(r, uow.clock.now()) for r in rows]


def staff_grants(uow: UnitOfWork, *, staff_id: str, customer_id: str | None = None, limit: int = 50) -> list[GrantRead]:
    """A member's requests and accesses, newest first."""
    query = select(AccessGrant).where(AccessGrant.staff_id == staff_id)
    if customer_id is not None:
        query = query.where(AccessGrant.customer_id == customer_id)
    rows = uow.session.scalars(query.order_by(AccessGrant.requested_at.desc()).limit(limit)).all()
    return [_read(r, uow.clock.now()) for r in rows]
