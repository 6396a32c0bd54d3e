"""What every page of the console shares: its unit of work, the signed-in member, rendering."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.responses import HTMLResponse

from yagona.app.staff.labels import ACCESS_ACTIONS
from yagona.platform.auth import StaffPrincipal
from yagona.platform.pages.core import N_, render
from yagona.platform.uow import UnitOfWork
from yagona.platform.web import unit_of_work

ROLES = {"agent": N_("Agent"), "supervisor": N_("Supervisor"), "admin": N_("Administrator")}
Uow = Annotated[UnitOfWork, Depends(unit_of_work)]


def page(
    request: Request, template: str, viewer: StaffPrincipal | None, *, status_code: int = 200, **context: Any
) -> HTMLResponse:
    """A console page: a member's view of personal data, kept by no cache."""
    context.update(staff=viewer, roles=ROLES, actions=ACCESS_ACTIONS)
    response = render(request, f"staff/{template}", status_code=status_code, **context)
    response.headers["Cache-Control"] = "no-store"
    return response
