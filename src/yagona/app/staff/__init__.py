"""The staff console (`/staff`): the call-centre's and the offices' one view of a customer.
It spans identity, lines, wallet, home, payments and privacy, so it lives in the composition root.
Its members are staff accounts (identity), never customers; every view of a customer's
personal data and every action is written to the access log (privacy) with its reason."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.responses import RedirectResponse, Response

from yagona.app.staff import (
    access,
    analytics,
    customers,
    feedback,
    holds,
    home,
    loyalty,
    reports,
    signin,
    tickets,
    timeline,
)
from yagona.identity.service import staff as staff_service
from yagona.platform.auth import StaffSignInRequiredError
from yagona.platform.pages.core import page_language, pages_of, remember_language


async def _to_sign_in(request: Request, error: Exception) -> Response:
    response = RedirectResponse("/staff/login", status_code=303)
    response.headers["Cache-Control"] = "no-store"
    page_language(request)  # notes a `?lang=` to remember on the way to the sign-in page
    asked: str | None = getattr(request.state, "remember_language", None)
    if asked is not None:
        remember_language(response, asked, secure=pages_of(request).secure_cookies)
    return response


def install(app: FastAPI) -> None:
    """Mount the console: its resolver of staff sessions, its pages, its sign-in redirect."""
    app.state.staff_resolver = staff_service.resolve_staff
    app.add_exception_handler(StaffSignInRequiredError, _to_sign_in)
    for module in (signin, customers, home, reports, loyalty, timeline, tickets, access, holds, feedback, analytics):
        app.include_router(module.router)
