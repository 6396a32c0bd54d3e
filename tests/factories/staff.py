"""Typed factories for staff of the console: accounts with a known authenticator secret,
and (`access_to`) the customers' permission to open their cabinets."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import pyotp

from yagona.identity import service
from yagona.identity.service import staff
from yagona.platform.uow import UnitOfWork
from yagona.privacy import service as privacy

STAFF_PASSWORD = "Konsol-parol-2026"
TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


def member(
    uow: UnitOfWork,
    ctx: service.IdentityContext,
    role: str,
    login: str | None = None,
    *,
    access_to: Sequence[str] = (),
) -> staff.StaffCreated:
    """A member of staff; with `access_to`, each of those customers has approved their access
    to every section of the cabinet (the longest grant, 8 hours from now)."""
    created = staff.add_staff(
        uow,
        ctx=ctx,
        login=login or f"test-{role}",
        name=f"Test {role.title()}",
        role=role,
        password=STAFF_PASSWORD,
        totp_secret=TOTP_SECRET,
    )
    for customer_id in access_to:
        granted(uow, staff_id=created.staff.id, customer_id=customer_id)
    return created


def granted(
    uow: UnitOfWork, *, staff_id: str, customer_id: str, sections: Sequence[str] = privacy.SECTIONS, minutes: int = 480
) -> privacy.GrantRead:
    """The member asked (a reason, the sections, the time) and the customer approved in the portal."""
    asked = privacy.request_access(
        uow, staff_id=staff_id, customer_id=customer_id, reason="Test: the customer called", sections=sections,
        minutes=minutes,
    )  # fmt: skip
    return privacy.approve(uow, customer_id=customer_id, grant_id=asked.grant.id)


def totp_code(at: datetime, secret: str = TOTP_SECRET) -> str:
    """What the member's authenticator app shows at `at`."""
    return pyotp.TOTP(secret, interval=30).at(at)
