"""Typed factories for staff of the console: accounts with a known authenticator secret."""

from __future__ import annotations

from datetime import datetime

import pyotp

from yagona.identity import service
from yagona.identity.service import staff
from yagona.platform.uow import UnitOfWork

STAFF_PASSWORD = "Konsol-parol-2026"
TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


def member(uow: UnitOfWork, ctx: service.IdentityContext, role: str, login: str | None = None) -> staff.StaffCreated:
    return staff.add_staff(
        uow,
        ctx=ctx,
        login=login or f"test-{role}",
        name=f"Test {role.title()}",
        role=role,
        password=STAFF_PASSWORD,
        totp_secret=TOTP_SECRET,
    )


def totp_code(at: datetime, secret: str = TOTP_SECRET) -> str:
    """What the member's authenticator app shows at `at`."""
    return pyotp.TOTP(secret, interval=30).at(at)
