"""What identity's pages share: the request's unit of work and context, the signed-in
session a cabinet page needs, the redirect target after signing in."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated
from urllib.parse import quote, urlsplit

from fastapi import Depends, Request
from fastapi.responses import RedirectResponse, Response

from yagona.identity import service
from yagona.identity.errors import RecordedRefusalError, UnauthenticatedError
from yagona.identity.schemas import DeviceInfo, SessionRead
from yagona.kernel.errors import YagonaError
from yagona.platform import i18n
from yagona.platform.pages.core import page_language
from yagona.platform.uow import UnitOfWork
from yagona.platform.web import unit_of_work

Uow = Annotated[UnitOfWork, Depends(unit_of_work)]
MAX_NEXT = 2048


def _ctx(request: Request) -> service.IdentityContext:
    ctx: service.IdentityContext = request.app.state.identity
    return ctx


Ctx = Annotated[service.IdentityContext, Depends(_ctx)]


def safe_next(target: str) -> str:
    """Where to go after signing in: the OIDC round trip (`/authorize?…`) or a page of this
    site — a path with a single leading `/`, no scheme, no host, no backslash, no control
    character or space (browsers drop tabs and newlines, so `/\\t/evil` would be `//evil`).
    Anything else goes home: no open redirect."""
    if not target.startswith("/") or target.startswith("//") or len(target) > MAX_NEXT:
        return "/"
    if "\\" in target or any(char.isspace() or not char.isprintable() for char in target):
        return "/"
    parts = urlsplit(target)
    return target if not parts.scheme and not parts.netloc else "/"


@contextmanager
def keeping_security_records(uow: UnitOfWork) -> Iterator[None]:
    """A recorded refusal (a wrong code, a limit) commits its counters and audit rows only."""
    try:
        yield
    except RecordedRefusalError:
        uow.commit()
        raise


def device(request: Request) -> DeviceInfo:
    return DeviceInfo(
        device_id=None,
        user_agent=(request.headers.get("user-agent") or "")[:400] or None,
        ip=request.client.host if request.client else None,
    )


def refusal(request: Request, error: YagonaError) -> str:
    return i18n.localize(error, page_language(request))


def current_session(request: Request, uow: UnitOfWork, ctx: service.IdentityContext) -> SessionRead | None:
    """The live session of this browser's cookie, or None."""
    try:
        return service.authenticate(uow, token=request.cookies.get(ctx.settings.cookie_name))
    except UnauthenticatedError:
        return None


def to_login(request: Request) -> Response:
    """A signed-out visitor of a cabinet page: to the sign-in page, and back here after."""
    here = request.url.path if request.method == "GET" else "/"
    response = RedirectResponse(f"/login?next={quote(here, safe='/')}", status_code=303)
    response.headers["Cache-Control"] = "no-store"
    return response
