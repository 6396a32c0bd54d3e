"""The customer's own lines (`/api/v1/me/lines`), for the operator's app and the portal.

Who: a One ID customer — the session cookie, or an OIDC bearer token with the scope `mobile`
(reads) or `mobile:manage` (changes). Which lines: those linked to the profile (proved by an
SMS code, or connected for them) and the profile's own phones; any other number is 403, the
same answer whether or not it exists. A top-up from the wallet is the wallet's payment to the
provider `mobile` (`POST /api/v1/me/wallet/payments`), not an endpoint here: lines and wallet
are siblings and do not call each other.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query

from yagona.kernel.money import Money
from yagona.lines import service, ussd
from yagona.lines.routes.views import (
    CUSTOMER_PROBLEMS,
    LineView,
    MsisdnPath,
    PlanChange,
    PromoPath,
    PromoView,
    UsageItem,
    UsagePage,
)
from yagona.lines.schemas import UsageKind, UssdAnswer
from yagona.platform.auth import Principal, require_customer, require_own_line
from yagona.platform.uow import UnitOfWork
from yagona.platform.web import unit_of_work

me_router = APIRouter(prefix="/api/v1/me/lines", tags=["my lines"], responses=CUSTOMER_PROBLEMS)
Uow = Annotated[UnitOfWork, Depends(unit_of_work)]
Reader = Annotated[Principal, Depends(require_customer("mobile"))]
Manager = Annotated[Principal, Depends(require_customer("mobile:manage"))]


@me_router.get("")
def my_lines(principal: Reader, uow: Uow) -> list[LineView]:
    """Every line of the profile: balance, bundles, plan, next charge, state."""
    numbers = sorted({*principal.lines, *principal.phones})
    return [LineView.of(service.state(uow, msisdn=m)) for m in numbers if service.exists(uow, m)]


@me_router.get("/{msisdn}")
def my_line(msisdn: MsisdnPath, principal: Reader, uow: Uow) -> LineView:
    require_own_line(principal, msisdn)
    return LineView.of(service.state(uow, msisdn=msisdn))


@me_router.get("/{msisdn}/usage")
def my_usage(  # noqa: PLR0917 - FastAPI passes the path, the caller and the query by name
    msisdn: MsisdnPath,
    principal: Reader,
    uow: Uow,
    kind: Annotated[UsageKind | None, Query(description="only uses of this kind")] = None,
    limit: Annotated[int, Query(ge=1, le=service.USAGE_PAGE_MAX)] = 50,
    before: Annotated[int | None, Query(ge=1, description="`next_before` of the previous page")] = None,
) -> UsagePage:
    """The line's usage history with what each use charged, newest first."""
    require_own_line(principal, msisdn)
    rows, next_before = service.usage_history(uow, msisdn=msisdn, kind=kind, before=before, limit=limit)
    return UsagePage(
        items=[
            UsageItem(
                id=result.record_id,
                rated_at=rated_at,
                kind=result.kind,
                destination=result.destination,
                units=result.units,
                from_bundle=result.from_bundle,
                charged=Money(result.charged_tiyin),
            )
            for _, rated_at, result in rows
        ],
        next_before=next_before,
    )


@me_router.post("/{msisdn}/plan")
def switch_my_plan(msisdn: MsisdnPath, body: PlanChange, principal: Manager, uow: Uow) -> LineView:
    """Switch plan inside the plan's group; the rule's refusal otherwise (`switch_not_allowed`,
    `below_minimum`, `line_blocked`)."""
    require_own_line(principal, msisdn)
    line = service.switch_plan(uow, msisdn=msisdn, plan_id=body.plan)
    uow.commit()
    return LineView.of(line)


@me_router.post("/{msisdn}/reload")
def reload_my_line(msisdn: MsisdnPath, principal: Manager, uow: Uow) -> LineView:
    """Perezagruzka (`*5#`): the next fee now and a new bundle at once."""
    require_own_line(principal, msisdn)
    line = service.reload(uow, msisdn=msisdn)
    uow.commit()
    return LineView.of(line)


@me_router.get("/{msisdn}/promos")
def my_promos(msisdn: MsisdnPath, principal: Reader, uow: Uow) -> list[PromoView]:
    require_own_line(principal, msisdn)
    return [PromoView.of(p) for p in service.promos(uow, msisdn=msisdn)]


@me_router.post("/{msisdn}/promos/{promo_id}", status_code=201)
def start_my_promo(msisdn: MsisdnPath, promo_id: PromoPath, principal: Manager, uow: Uow) -> LineView:
    require_own_line(principal, msisdn)
    line = service.activate_promo(uow, msisdn=msisdn, promo_id=promo_id)
    uow.commit()
    return LineView.of(line)


@me_router.delete("/{msisdn}/promos/{promo_id}", status_code=204)
def stop_my_promo(msisdn: MsisdnPath, promo_id: PromoPath, principal: Manager, uow: Uow) -> None:
    require_own_line(principal, msisdn)
    service.switch_off_promo(uow, msisdn=msisdn, promo_id=promo_id)
    uow.commit()


@me_router.get("/{msisdn}/ussd")
def my_ussd_answer(
    msisdn: MsisdnPath,
    principal: Reader,
    uow: Uow,
    code: Annotated[str, Query(min_length=2, max_length=20, examples=["*100#"])],
) -> UssdAnswer:
    """What the phone would show for a query code (`*100#` balance, `*103#` MB, `*105#` SMS,
    `*106#` minutes, `*108#` first-month extra). Codes that act have their own endpoints."""
    require_own_line(principal, msisdn)
    return ussd.query(uow, msisdn=msisdn, code=code)
