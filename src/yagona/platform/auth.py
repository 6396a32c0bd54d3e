"""Who is calling: every route names its caller (conventions 11) with one of these
dependencies, and each declares its OpenAPI security scheme so "Try it out" works.

- `require_staff` — a machine's key (`X-Api-Key`): machine-to-machine REST only;
- `require_customer(scope, …)` — a One ID customer: the session cookie (the portal and the
  operator's app), or an OIDC access token (`Authorization: Bearer …`) that carries every
  named scope. The customer comes from the credential, never from an id in the URL;
- `staff_member(request, uow, role=…)` — a member of staff on the console's pages (`/staff`):
  their own accounts, sessions (the `yagona_staff` cookie) and roles.

The platform knows no domain: the composition root registers a `CustomerResolver` (One ID's)
on `app.state.customer_resolver`, and a `StaffResolver` on `app.state.staff_resolver`.
"""

from __future__ import annotations

import hmac
from collections.abc import Callable
from typing import Annotated, Protocol

from fastapi import Depends, Request
from fastapi.security import APIKeyCookie, APIKeyHeader, HTTPAuthorizationCredentials, HTTPBearer

from yagona.kernel.errors import ForbiddenError, InsufficientScopeError, UnauthenticatedError

# The principals live in platform.principals (no FastAPI there); routes keep importing them here.
from yagona.platform.principals import STAFF_ROLES as STAFF_ROLES  # noqa: PLC0414 - re-exported
from yagona.platform.principals import Principal as Principal  # noqa: PLC0414 - re-exported
from yagona.platform.principals import StaffPrincipal as StaffPrincipal  # noqa: PLC0414 - re-exported
from yagona.platform.uow import UnitOfWork
from yagona.platform.web import unit_of_work

SESSION_COOKIE = "yagona_session"

# Scopes of the customer's own services. A session holds them all; a bearer token only
# those its client was granted and the customer consented to.
CUSTOMER_SCOPES = {
    "mobile": "read your mobile lines: balance, bundles, usage",
    "mobile:manage": "top up a line from the wallet, switch plan, reload, promos",
    "wallet": "read your wallet: balance, limits, history, receipts",
    "wallet:pay": "move money from your wallet (with its PIN)",
    "home": "read and manage your home internet and IPTV: request, plan, packages",
    "loyalty": "read your bonus points and exchange them for rewards on your lines",
    "history": "read the history of your contacts with the operator, in every channel",
    "tickets": "read your requests and complaints, send new ones and write on them",
}

_staff_key = APIKeyHeader(name="X-Api-Key", scheme_name="staffKey", auto_error=False, description="staff / machine key")
_session = APIKeyCookie(name=SESSION_COOKIE, scheme_name="session", auto_error=False, description="One ID session")
_bearer = HTTPBearer(scheme_name="bearer", auto_error=False, description="One ID (OIDC) access token with scopes")


class CustomerResolver(Protocol):
    def __call__(self, uow: UnitOfWork, *, session_token: str | None, bearer_token: str | None) -> Principal | None: ...


async def require_staff(request: Request, key: Annotated[str | None, Depends(_staff_key)] = None) -> None:
    # async: no I/O here, and a sync dependency would cost each request a thread hop.
    expected = request.app.state.staff_api_key
    given = key or ""
    # compare_digest: the time taken does not tell how much of the key was right.
    if expected is None or not hmac.compare_digest(given.encode(), expected.encode()):
        raise UnauthenticatedError("a valid staff API key is required (X-Api-Key)")


def require_customer(*scopes: str) -> Callable[..., Principal]:
    """A dependency that yields the calling customer, refusing anyone else: no credential or a
    dead one is 401 `unauthenticated`; a token without every named scope is 403 `insufficient_scope`."""
    for scope in scopes:
        assert scope in CUSTOMER_SCOPES, f"unknown scope {scope}"

    def customer(
        request: Request,
        uow: Annotated[UnitOfWork, Depends(unit_of_work)],
        session_token: Annotated[str | None, Depends(_session)] = None,
        bearer: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)] = None,
    ) -> Principal:
        # The request's own unit of work (FastAPI gives every dependency the same one).
        resolver: CustomerResolver = request.app.state.customer_resolver
        principal = resolver(uow, session_token=session_token, bearer_token=bearer.credentials if bearer else None)
        if principal is None:
            raise UnauthenticatedError("sign in first: a One ID session or a bearer access token")
        for scope in scopes:
            if not principal.may(scope):
                raise InsufficientScopeError(f"the token lacks the scope {scope!r}", scope=scope)
        return principal

    return customer


def session_customer(request: Request, uow: UnitOfWork) -> Principal | None:
    """The customer of the session cookie, or None: what a page asks (it sends a signed-out
    visitor to /login rather than answering 401). Pages take no bearer tokens."""
    token = request.cookies.get(SESSION_COOKIE)
    resolver: CustomerResolver = request.app.state.customer_resolver
    return resolver(uow, session_token=token, bearer_token=None) if token else None


def require_own_line(principal: Principal, msisdn: str) -> None:
    """Refuse a line that is not the customer's own: the same answer whether or not it exists."""
    if not principal.owns_line(msisdn):
        raise ForbiddenError("this number is not linked to your One ID", field="msisdn")


# --- staff of the console (/staff): their own accounts, sessions and roles ------------------

STAFF_COOKIE = "yagona_staff"


class StaffResolver(Protocol):
    def __call__(self, uow: UnitOfWork, *, token: str) -> StaffPrincipal | None: ...


class StaffSignInRequiredError(Exception):
    """No live staff session: the composition root answers it with the console's sign-in page."""


def staff_member(request: Request, uow: UnitOfWork, *, role: str = "agent") -> StaffPrincipal:
    """The member of staff of the console's cookie (a customer's session opens nothing here).
    Signed out: `StaffSignInRequiredError`; a role below `role`: `forbidden` (a 403 page).
    The session's last use is recorded in `uow`, which this commits (its idle expiry)."""
    assert role in STAFF_ROLES, role
    token = request.cookies.get(STAFF_COOKIE)
    resolver: StaffResolver = request.app.state.staff_resolver
    member = resolver(uow, token=token) if token else None
    if member is None:
        raise StaffSignInRequiredError
    uow.commit()
    if not member.at_least(role):
        raise ForbiddenError(f"Your role may not do this: it needs {role} or higher.", field="role")
    return member
