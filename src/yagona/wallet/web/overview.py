"""The customer's wallet: balance, the Light limits used, recent operations and what can be
done; the full history (by kind, a page at a time); a printable receipt; and opening a
wallet (offer 4.1.1). Another customer's receipt is the 404 page."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import Form, Query, Request
from fastapi.responses import RedirectResponse, Response
from starlette.exceptions import HTTPException

from yagona.identity import service as identity
from yagona.identity.schemas import ServiceKind
from yagona.kernel.errors import InvalidRequestError, YagonaError
from yagona.kernel.money import Money
from yagona.kernel.phone import display_msisdn
from yagona.platform.auth import Principal, session_customer
from yagona.platform.pages.core import N_, flash, page_language, page_router, pages_of, render
from yagona.platform.uow import UnitOfWork
from yagona.wallet import service
from yagona.wallet.errors import ReceiptNotFoundError
from yagona.wallet.schemas import OperationKind, Receipt
from yagona.wallet.web.common import (
    KINDS,
    STATUSES,
    Uow,
    left_behind,
    own_wallet,
    own_wallets,
    said,
    to_login,
    wallet_card,
)

router = page_router(prefix="/wallet")

RECENT_RECEIPTS = 20
HISTORY_PAGE = 20
Field = Annotated[str, Form(max_length=40)]


def _rows(receipts: list[Receipt]) -> list[tuple[Receipt, Money]]:
    return [(r, Money(r.total)) for r in receipts]


@router.get("")
def wallet_page(request: Request, uow: Uow) -> Response:
    """The customer's wallet(s): balance, limits used, recent receipts, what can be done."""
    principal = session_customer(request, uow)
    if principal is None:
        return to_login()
    wallets = []
    for wallet in own_wallets(uow, principal):
        page = service.receipts(uow, phone=wallet.phone, limit=RECENT_RECEIPTS)
        wallets.append((wallet_card(wallet), _rows(page.items)))
    return render(
        request, "wallet/index.html", wallets=wallets, kinds=KINDS, may_open=bool(_phones_without(uow, principal))
    )


@router.get("/history")
def history_page(
    request: Request,
    uow: Uow,
    kind: Annotated[str, Query(max_length=20)] = "",
    cursor: Annotated[str, Query(max_length=24)] = "",
    phone: Annotated[str, Query(max_length=32)] = "",
) -> Response:
    """Every operation of the wallet, newest first, 20 a page, filtered by kind."""
    principal = session_customer(request, uow)
    if principal is None:
        return to_login()
    chosen = own_wallet(uow, principal, phone)
    kinds = [OperationKind(kind)] if kind in KINDS else None
    page = service.receipts(uow, phone=chosen, cursor=cursor or None, limit=HISTORY_PAGE, kinds=kinds)
    return render(
        request,
        "wallet/history.html",
        number=display_msisdn(chosen),
        phone=phone,
        rows=_rows(page.items),
        kinds=KINDS,
        kind=kind if kinds else "",
        next_cursor=page.next_cursor,
    )


@router.get("/receipts/{number}")
def receipt_page(request: Request, number: str, uow: Uow) -> Response:
    """A printable receipt of one of the customer's wallets; any other number is the 404 page."""
    principal = session_customer(request, uow)
    if principal is None:
        return to_login()
    found: Receipt | None = None
    for wallet in own_wallets(uow, principal):
        try:
            found = service.receipt(uow, phone=wallet.phone, number=number[:40])
            break
        except ReceiptNotFoundError:
            continue
    if found is None:
        raise HTTPException(404)
    return render(
        request,
        "wallet/receipt.html",
        receipt=found,
        kinds=KINDS,
        statuses=STATUSES,
        amount=Money(found.amount),
        commission=Money(found.commission),
        total=Money(found.total),
    )


# --- opening a wallet (offer 4.1.1) ----------------------------------------------------------


def _phones_without(uow: UnitOfWork, principal: Principal) -> list[str]:
    """The customer's own phones that have no wallet yet (of theirs or anybody's)."""
    taken = {w.phone for w in service.own_wallets(uow, customer_id=principal.customer_id, phones=principal.phones)}
    return [p for p in principal.phones if p not in taken]


def _open_form(
    request: Request, uow: UnitOfWork, principal: Principal, *, error: str | None = None, status_code: int = 200
) -> Response:
    phones = [(p, display_msisdn(p)) for p in _phones_without(uow, principal)]
    if not phones:
        return RedirectResponse("/wallet", status_code=303)
    version = service.current().settings.offer_version
    return render(
        request, "wallet/open.html", status_code=status_code, phones=phones, offer_version=version, error=error
    )


@router.get("/open")
def open_page(request: Request, uow: Uow) -> Response:
    """Open a wallet on one of your phones: a PIN you create, your birth date, the offer."""
    principal = session_customer(request, uow)
    if principal is None:
        return to_login()
    return _open_form(request, uow, principal)


@router.post("/open")
def open_wallet(  # noqa: PLR0917 - FastAPI passes a form's fields by name
    request: Request,
    uow: Uow,
    phone: Field = "",
    pin: Field = "",
    birth_date: Field = "",
    accept_offer: Field = "",
    offer_version: Field = "",
) -> Response:
    """Offer 4.1.1: any missing or invalid item refuses it (the form again, the reason said)."""
    principal = session_customer(request, uow)
    if principal is None:
        return to_login()
    try:
        wallet = service.register(
            uow, customer_id=principal.customer_id, phone=_own_phone(principal, phone), pin=pin,
            birth_date=_date(birth_date), accept_offer=accept_offer == "yes", offer_version=offer_version or None,
        )  # fmt: skip
        identity.link_service(uow, customer_id=principal.customer_id, kind=ServiceKind.WALLET, reference=wallet.phone)
    except YagonaError as error:
        left_behind(uow, error)
        return _open_form(request, uow, principal, error=said(request, error), status_code=error.http_status)
    uow.commit()
    response = RedirectResponse("/wallet", status_code=303)
    text = pages_of(request).gettext(page_language(request), N_("Your wallet is open."))
    flash(request, response, text, level="success")
    return response


def _own_phone(principal: Principal, phone: str) -> str:
    """One of the customer's own phones (the only one when the form names none)."""
    if not phone and len(principal.phones) == 1:
        return principal.phones[0]
    if phone not in principal.phones:
        raise InvalidRequestError("choose one of your phones", field="phone")
    return phone


def _date(text: str) -> date | None:
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise InvalidRequestError("the birth date is YYYY-MM-DD", field="birth_date") from None
