"""Identity's pages: sign in and out, sign up, the national OneID's way back (`signin`);
the security page and "report unauthorised access" (`security`); the profile (`profile`).
They call the same `service` as `/api/v1/auth/...` and `/api/v1/me/...` and hold no rule."""

from fastapi import APIRouter

from yagona.identity.web import profile, security, signin
from yagona.identity.web.common import safe_next

router = APIRouter()
router.include_router(signin.router)
router.include_router(security.router)
router.include_router(profile.router)

__all__ = ["router", "safe_next"]
