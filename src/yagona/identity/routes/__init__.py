"""HTTP of One ID: the sign-in API under /api/v1/auth, the cabinet's /api/v1/me, the
OpenID Connect provider (/.well-known, /authorize, /oauth/*), the national OneID round
trip, and (dev and test only) the OneID simulator. Thin: read, call the service, map.

`RecordedRefusalError`s (wrong code, wrong password, limits) commit their attempt counters
and audit rows before the refusal is answered; every other refusal writes nothing.
"""

from fastapi import APIRouter

from yagona.identity.routes import auth, me, oidc, oneid, simulator
from yagona.identity.routes.common import current_session

auth_router = APIRouter(prefix="/api/v1")
auth_router.include_router(auth.router)
auth_router.include_router(me.router)
auth_router.include_router(oneid.router)
oidc_router = oidc.router
simulator_router = simulator.router

__all__ = ["auth_router", "current_session", "oidc_router", "simulator_router"]
