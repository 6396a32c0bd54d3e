"""What the wallet's routes share: the unit of work, the customer's own wallet, the PIN header."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Header, Query, Request

from yagona.platform.auth import Principal
from yagona.platform.uow import UnitOfWork
from yagona.platform.web import unit_of_work
from yagona.wallet import service

Uow = Annotated[UnitOfWork, Depends(unit_of_work)]
WalletPin = Annotated[str, Header(alias="X-Wallet-Pin", min_length=1, max_length=20, description="the CLICK-PIN")]
ChosenPhone = Annotated[
    str | None,
    Query(max_length=32, description="which of your wallets, when your One ID has several phones with one"),
]


def own_wallet(uow: UnitOfWork, principal: Principal, phone: str | None) -> str:
    """The phone of the signed-in customer's own wallet (never one named by a stranger)."""
    return service.own_wallet(uow, customer_id=principal.customer_id, phones=principal.phones, phone=phone)


# A utility payment's biller late or down (docs/wallet.md, "Billers"): nothing was paid.
BILLER_DOWN: dict[int | str, dict[str, str]] = {
    503: {"description": "the utility's biller is late or down (`biller_unavailable`): nothing was paid"}
}


def wallet_orders(request: Request) -> service.WalletOrders | None:
    """The app's group commit for transfers and payments (`app.state.wallet_orders`); None
    in an app built without it."""
    orders: service.WalletOrders | None = getattr(request.app.state, "wallet_orders", None)
    return orders
