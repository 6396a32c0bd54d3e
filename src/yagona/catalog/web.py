"""The catalogue's pages: the open plans (public, signed in or out) with filters, and a
comparison of two or three plans. Signed in, each plan links to the change of plan of each
of the customer's lines (`/lines/{msisdn}/plan?to=…`): the lines come from the Principal
alone — the catalogue sits below `lines` and does not ask it anything."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Query, Request
from fastapi.responses import Response
from starlette.exceptions import HTTPException

from yagona.catalog import service
from yagona.catalog.schemas import Plan
from yagona.kernel.money import Money
from yagona.kernel.phone import display_msisdn
from yagona.platform.auth import session_customer
from yagona.platform.pages.core import page_router, render
from yagona.platform.uow import UnitOfWork
from yagona.platform.web import unit_of_work

router = page_router(prefix="/plans")

Uow = Annotated[UnitOfWork, Depends(unit_of_work)]
MAX_FEE_DIGITS = 9  # so'm: no plan costs a billion a month
COMPARED = range(2, 4)  # two or three plans side by side


@dataclass(frozen=True)
class Filters:
    group: str
    fee_max: str  # as typed: so'm, empty for any
    internet: bool

    def keep(self, plan: Plan) -> bool:
        if self.group and plan.group != self.group:
            return False
        if self.fee_max and plan.monthly_fee > Money.of_som(int(self.fee_max)):
            return False
        return not self.internet or plan.bundles.get("mb") is not None


def _my_lines(request: Request, uow: UnitOfWork) -> list[tuple[str, str]]:
    """(msisdn, +998 90 123 45 67) of the signed-in customer's lines; none signed out."""
    principal = session_customer(request, uow)
    return [(m, display_msisdn(m)) for m in sorted(set(principal.lines))] if principal is not None else []


@router.get("")
def plans_page(
    request: Request,
    uow: Uow,
    group: Annotated[str, Query(max_length=64)] = "",
    fee_max: Annotated[str, Query(max_length=MAX_FEE_DIGITS)] = "",
    internet: Annotated[str, Query(max_length=8)] = "",
) -> Response:
    """The open catalogue: filtered by group, highest monthly fee, and with internet."""
    open_plans = service.list_plans(include_closed=False)
    groups = [g for g in service.get_catalogue().groups if any(p.group == g.id for p in open_plans)]
    fee = fee_max.strip().replace(" ", "")
    if (fee and not fee.isdigit()) or (group and group not in {g.id for g in groups}):
        raise HTTPException(422)
    filters = Filters(group=group, fee_max=fee, internet=bool(internet))
    return render(
        request,
        "catalog/plans.html",
        plans=[plan for plan in open_plans if filters.keep(plan)],
        groups=groups,
        filters=filters,
        my_lines=_my_lines(request, uow),
        services=service.get_catalogue().services,
    )


@router.get("/compare")
def compare_page(request: Request, uow: Uow, plan: Annotated[list[str] | None, Query(max_length=4)] = None) -> Response:
    """Two or three plans side by side; another count is said on the page (422)."""
    codes = list(dict.fromkeys(code for code in plan or [] if code))
    if any(len(code) > 64 for code in codes):
        raise HTTPException(422)
    plans = [service.get_plan(code) for code in codes]  # an unknown plan: the translated refusal
    return render(
        request,
        "catalog/compare.html",
        status_code=200 if len(plans) in COMPARED else 422,
        plans=plans,
        my_lines=_my_lines(request, uow),
        services=service.get_catalogue().services,
    )
