"""The lines' pages: one line of the signed-in customer — balance, plan, bundles left,
the next charge, and the usage history with charges. They call the same `service` as the
customer's REST (`/api/v1/me/lines/...`) and hold no rule; another customer's line is the
404 page (it says nothing about whether the number exists)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Query, Request
from fastapi.responses import RedirectResponse, Response
from starlette.exceptions import HTTPException

from yagona.catalog import service as catalog
from yagona.kernel.money import Money
from yagona.kernel.phone import display_msisdn
from yagona.lines import service
from yagona.lines.schemas import LineState
from yagona.platform.auth import session_customer
from yagona.platform.pages.core import N_, page_router, render
from yagona.platform.uow import UnitOfWork
from yagona.platform.web import unit_of_work

router = page_router(prefix="/lines")

Uow = Annotated[UnitOfWork, Depends(unit_of_work)]
USAGE_PAGE = 20

# What each bundle is called on a page (msgids, translated when shown) and its unit.
BUNDLE_LABELS = {
    "minutes": N_("Minutes"),
    "onnet_minutes": N_("Minutes inside the network"),
    "offnet_minutes": N_("Minutes to other networks"),
    "intl_minutes": N_("International minutes"),
    "csd_minutes": N_("Data call minutes"),
    "bonus_onnet_minutes": N_("Bonus minutes"),
    "welcome_minutes": N_("Welcome minutes"),
    "sms": N_("SMS"),
    "mb": N_("Internet, MB"),
    "tasix_mb": N_("TAS-IX internet, MB"),
    "welcome_mb": N_("Welcome internet, MB"),
}
USAGE_KINDS = {
    "voice": N_("Call"),
    "incoming": N_("Incoming call"),
    "sms": N_("SMS"),
    "data": N_("Internet"),
    "csd": N_("Data call"),
}


@dataclass(frozen=True)
class BundleBar:
    key: str
    label: str  # a msgid
    left: int | float
    total: int | float  # the plan's allowance (at least what is left)

    @property
    def percent(self) -> int:
        return round(100 * self.left / self.total) if self.total else 0


@dataclass(frozen=True)
class LineCard:
    """What a page shows of a line: the service's state, said for people."""

    msisdn: str
    number: str  # +998 90 123 45 67
    plan: str
    blocked: bool
    balance: Money
    next_charge_at: object
    next_charge: Money | None
    short_of_fee: bool
    bundles: list[BundleBar]


def line_card(line: LineState) -> LineCard:
    plan = catalog.get_plan(line.plan)
    bars = []
    for key, left in line.bundles.items():
        granted = plan.bundles.get(key)  # type: ignore[call-overload]
        total = max(left, granted.amount if granted is not None and not granted.unlimited else left)
        bars.append(BundleBar(key, BUNDLE_LABELS.get(key, key), left, total))
    fee = Money(line.next_charge_tiyin) if line.next_charge_tiyin is not None else None
    return LineCard(
        msisdn=line.msisdn,
        number=display_msisdn(line.msisdn),
        plan=plan.name,
        blocked=line.status != "active",
        balance=Money(line.balance_tiyin),
        next_charge_at=line.next_charge_at,
        next_charge=fee,
        short_of_fee=fee is not None and line.balance_tiyin < fee.tiyin,
        bundles=bars,
    )


@router.get("/{msisdn}")
def line_page(
    request: Request,
    msisdn: str,
    uow: Uow,
    before: Annotated[int | None, Query(ge=1)] = None,
) -> Response:
    """One of the customer's lines; a line not theirs (or no line) is the 404 page."""
    principal = session_customer(request, uow)
    if principal is None:
        return RedirectResponse(f"/login?next={request.url.path}", status_code=303)
    if len(msisdn) > 16 or not principal.owns_line(msisdn) or not service.exists(uow, msisdn):
        raise HTTPException(404)
    line = line_card(service.state(uow, msisdn=msisdn))
    rows, next_before = service.usage_history(uow, msisdn=msisdn, before=before, limit=USAGE_PAGE)
    usage = [
        {
            "at": rated_at,
            "kind": USAGE_KINDS.get(str(result.kind), str(result.kind)),
            "destination": result.destination,
            "units": result.units,
            "from_bundle": result.from_bundle,
            "charged": Money(result.charged_tiyin),
        }
        for _, rated_at, result in rows
    ]
    return render(request, "lines/line.html", line=line, usage=usage, next_before=next_before)
