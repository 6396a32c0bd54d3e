"""The portal's "pay with Payme / Click" page for one of the signed-in customer's lines,
wallets or home accounts: an amount, then the two payment systems' own checkout links (the customer pays on
their page; the money arrives through the Merchant API / SHOP API like any other payment), and
the latest payments through them. Another customer's account, or none, is the same 404
page. The page holds no rule: the links, the bounds and the refusals come from `service`."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Query, Request
from fastapi.responses import RedirectResponse, Response
from starlette.exceptions import HTTPException

from yagona.kernel.money import Money
from yagona.kernel.phone import display_msisdn
from yagona.payments import service
from yagona.payments.schemas import PaymentsConfig, Target
from yagona.platform.auth import session_customer
from yagona.platform.pages.core import N_, page_language, page_router, render
from yagona.platform.uow import UnitOfWork
from yagona.platform.web import unit_of_work

router = page_router(prefix="/pay")

Uow = Annotated[UnitOfWork, Depends(unit_of_work)]
Amount = Annotated[str | None, Query(max_length=20)]

SYSTEMS = {"payme": "Payme", "click": "Click"}
STATES = {1: N_("Waiting for the payment"), 2: N_("Paid"), -1: N_("Cancelled"), -2: N_("Returned to the payer")}
PROBLEMS = {
    "amount": N_("Enter an amount between %(min)s and %(max)s."),
    "blocked": N_("This account cannot be paid now: it is blocked."),
    "limit": N_("This amount would pass the wallet's limits. Identify the wallet or pay less."),
}


@router.get("/line/{msisdn}")
def pay_line(request: Request, msisdn: str, uow: Uow, amount: Amount = None) -> Response:
    """Pay one of the customer's lines through Payme or Click."""
    return _page(request, uow, "line", msisdn, amount, back=f"/lines/{msisdn}")


@router.get("/wallet/{phone}")
def pay_wallet(request: Request, phone: str, uow: Uow, amount: Amount = None) -> Response:
    """Top up one of the customer's wallets through Payme or Click."""
    return _page(request, uow, "wallet", phone, amount, back="/wallet")


@router.get("/home/{contract}")
def pay_home(request: Request, contract: str, uow: Uow, amount: Amount = None) -> Response:
    """Pay one of the customer's home-internet accounts through Payme or Click."""
    return _page(request, uow, "home", contract, amount, back=f"/internet/{contract}")


def _page(request: Request, uow: UnitOfWork, target: Target, number: str, amount: str | None, *, back: str) -> Response:
    principal = session_customer(request, uow)
    if principal is None:
        return RedirectResponse(f"/login?next={request.url.path}", status_code=303)
    if len(number) > 16 or not service.payable_by(
        uow, target=target, number=number, customer_id=principal.customer_id, phones=principal.phones,
        lines_=principal.lines,
    ):  # fmt: skip
        raise HTTPException(404)  # not theirs, or none: the same page
    config: PaymentsConfig = request.app.state.payments
    checkout = None
    if amount:
        checkout = service.checkout(
            uow, config=config, target=target, number=number, amount=amount, language=page_language(request),
            return_url=f"{str(request.base_url).rstrip('/')}{back}",
        )  # fmt: skip
    payments = [
        {"system": SYSTEMS[p.system], "amount": Money(p.amount), "state": STATES[p.state], "at": p.created_at}
        for p in service.payments_of(uow, target=target, number=number)
    ]
    return render(
        request,
        "payments/pay.html",
        target=target,
        number=number,
        shown=number if target == "home" else display_msisdn(number),
        amount=amount or "",
        checkout=checkout,
        paying=Money(checkout.amount) if checkout is not None and checkout.amount is not None else None,
        problem=PROBLEMS[checkout.problem] if checkout is not None and checkout.problem else None,
        bounds={"min": Money(config.min_amount_tiyin), "max": Money(config.max_amount_tiyin)},
        payments=payments,
        back=back,
    )
