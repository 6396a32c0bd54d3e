"""The audit trail and the helpers every room of the service shares."""

from __future__ import annotations

from yagona.identity import repository, rules
from yagona.identity.errors import (
    CustomerNotFoundError,
    WeakPasswordError,
)
from yagona.identity.models import (
    AuditEvent,
    Customer,
    SignInSession,
)
from yagona.identity.schemas import (
    AuditEventRead,
    SessionRead,
)
from yagona.identity.service.context import IdentityContext
from yagona.platform.uow import UnitOfWork

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


def _check_password_strength(ctx: IdentityContext, password: str, phone: str | None) -> None:
    problems = rules.password_problems(password, min_length=ctx.settings.password_min_length, phone=phone)
    if problems:
        raise WeakPasswordError(f"the password is too weak: {'; '.join(problems)}")
