"""`GET /api/v1/me/services`: everything One ID opens for the signed-in customer, in one
answer — the operator's app and the portal draw their home screen from it. It lives in the
composition root because it spans sibling domains (lines, home, wallet) that may not call each
other. A session sees every service; a bearer token only those its scopes open."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends

from yagona.home import routes as home_routes
from yagona.home import service as homes
from yagona.lines import service as lines
from yagona.lines.routes.views import LineView
from yagona.platform.api import ApiRead
from yagona.platform.auth import Principal, require_customer
from yagona.platform.uow import UnitOfWork
from yagona.platform.web import unit_of_work
from yagona.wallet import service as wallets
from yagona.wallet.views import WalletView

router = APIRouter(prefix="/api/v1/me", tags=["my services"])


class MyServices(ApiRead):
    """The customer's services; a kind the token's scopes do not open is left out (null)."""

    customer_id: str
    lines: list[LineView] | None
    wallets: list[WalletView] | None
    home_accounts: list[home_routes.HomeView] | None


@router.get(
    "/services",
    responses={401: {"description": "no live One ID session or bearer token"}},
)
def my_services(
    principal: Annotated[Principal, Depends(require_customer())],
    uow: Annotated[UnitOfWork, Depends(unit_of_work)],
) -> MyServices:
    """Every line (balance, bundles, next charge), home-internet account (state, plan, balance,
    next fee) and wallet (balance, limits) of the customer."""
    my_lines = None
    if principal.may("mobile"):
        numbers = sorted({*principal.lines, *principal.phones})
        my_lines = [LineView.of(lines.state(uow, msisdn=m)) for m in numbers if lines.exists(uow, m)]
    my_wallets = None
    if principal.may("wallet"):
        found = wallets.own_wallets(uow, customer_id=principal.customer_id, phones=principal.phones)
        my_wallets = [WalletView.of(w) for w in found]
    my_homes = None
    if principal.may("home"):
        found_homes = homes.accounts_of(uow, customer_id=principal.customer_id)
        my_homes = [home_routes.HomeView.of(a, base=home_routes.ME) for a in found_homes]
    return MyServices(customer_id=principal.customer_id, lines=my_lines, wallets=my_wallets, home_accounts=my_homes)
