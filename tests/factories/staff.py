"""Typed factories for staff of the console: accounts with a known authenticator secret,
(`access_to`) the customers' permission to open their cabinets, and signing in to the console
over HTTP as a member does (the form's CSRF token, password and authenticator code)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime, timedelta

import httpx
import pyotp

from yagona.identity import service
from yagona.identity.service import staff
from yagona.kernel.clock import Clock, SimulatedClock
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


def csrf_token(page: httpx.Response) -> str:
    """The token a console (or portal) page puts in its forms."""
    found = re.search(r'name="csrf_token" value="([0-9a-f]{64})"', page.text)
    assert found, f"the page carries its form's token: {page.text[:300]}"
    return found.group(1)


def sign_in_console(client: httpx.Client, *, login: str, clock: Clock) -> None:
    """Sign `client` in to the console as `login` with the authenticator's code of now. Each
    code is accepted once, so a simulated clock is moved on to the next code first."""
    if isinstance(clock, SimulatedClock):
        clock.advance_by(timedelta(seconds=31))
    form = {"login": login, "password": STAFF_PASSWORD, "totp": totp_code(clock.now())}
    answer = client.post("/staff/login", data={**form, "csrf_token": csrf_token(client.get("/staff/login"))})
    assert answer.status_code == 303 and answer.headers["location"] == "/staff", answer.text
    assert "yagona_staff" in client.cookies


def post_form(client: httpx.Client, path: str, *, page: str = "/staff", **form: str) -> httpx.Response:
    """Send a console form to `path` with the token of `page`, as the browser would."""
    return client.post(path, data={**form, "csrf_token": csrf_token(client.get(page))})
