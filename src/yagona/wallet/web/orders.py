"""Money moves from the wallet's pages: a top-up by card, a payment to a provider, a transfer
to another wallet. Each is three steps — the form; its quote (the commission and the total,
from `service.quote_*`) with the PIN field and a one-time idempotency key; the order (the
same `service` call as `/api/v1/me/wallet/...`), then its receipt. A refusal is the same
step again with the reason in the visitor's language; a second post of one confirm form
returns the first receipt (the key), so nothing is paid twice."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated

from fastapi import Form, Query, Request
from fastapi.responses import RedirectResponse, Response

from yagona.kernel.errors import YagonaError
from yagona.kernel.money import Money
from yagona.kernel.phone import display_msisdn
from yagona.platform.auth import Principal, session_customer
from yagona.platform.pages.core import N_, page_router, render
from yagona.platform.uow import UnitOfWork
from yagona.wallet import service
from yagona.wallet.errors import WalletNotFoundError
from yagona.wallet.schemas import Quote, Receipt, TopupSource
from yagona.wallet.web.common import (
    Uow,
    amount_of,
    left_behind,
    new_key,
    own_wallet,
    said,
    to_login,
    to_receipt,
    wallet_orders,
)

router = page_router(prefix="/wallet")

Field = Annotated[str, Form(max_length=60)]
Asked = Annotated[str, Query(max_length=60)]

# How the pages name the providers of wallet/data/providers.yaml (msgids); the data's own
# name is shown for any other.
PROVIDERS = {
    "mobile": N_("Mobile balance"),
    "home-internet": N_("Home internet"),
    "iptv": N_("IPTV"),
    "electricity": N_("Electricity (demo)"),
    "gas": N_("Natural gas (demo)"),
    "water": N_("Drinking water (demo)"),
}
ACCOUNT_HINTS = {
    "mobile": N_("the phone number: 998 and 9 digits"),
    "home-internet": N_("the contract number: 8 digits"),
    "iptv": N_("the subscriber number: IP and 7 digits"),
    "electricity": N_("the personal account: 10 digits"),
    "gas": N_("the personal account: 8 digits"),
    "water": N_("the personal account: 6 to 9 digits"),
}
GROUPS = {"operator": N_("Our services"), "utility": N_("Utilities")}
OUTCOMES = {"approve": N_("approved"), "decline": N_("declined"), "hold": N_("answered later")}


@dataclass(frozen=True)
class Order:
    """One kind of order: its pages, how it is priced and how it is placed."""

    name: str  # topup | pay | transfer: the path /wallet/<name>
    title: str  # a msgid
    fields: tuple[str, ...]  # the form's fields besides the wallet's phone
    quote: Callable[[UnitOfWork, str, dict[str, str]], Quote]
    place: Callable[[Request, UnitOfWork, str, dict[str, str], str, str], Receipt]  # (…, pin, key): committed


def _quote_topup(uow: UnitOfWork, phone: str, form: dict[str, str]) -> Quote:
    return service.quote_topup(uow, phone=phone, amount=amount_of(form["amount"]), card_number=form["card_number"])


def _topup(_request: Request, uow: UnitOfWork, phone: str, form: dict[str, str], pin: str, key: str) -> Receipt:
    receipt = service.topup(
        uow, phone=phone, amount=amount_of(form["amount"]), source=TopupSource.CARD, idempotency_key=key,
        card_number=form["card_number"], pin=pin,
    )  # fmt: skip
    uow.commit()
    return receipt


def _quote_pay(uow: UnitOfWork, phone: str, form: dict[str, str]) -> Quote:
    return service.quote_payment(
        uow, phone=phone, provider=form["provider"], account=form["account"], amount=amount_of(form["amount"])
    )


def _pay(  # noqa: PLR0917 - the shape of every Order.place
    request: Request, uow: UnitOfWork, phone: str, form: dict[str, str], pin: str, key: str
) -> Receipt:
    return service.place_payment(
        wallet_orders(request), uow, phone=phone, provider=form["provider"], account=form["account"],
        amount=amount_of(form["amount"]), pin=pin, idempotency_key=key,
    )  # fmt: skip


def _quote_transfer(uow: UnitOfWork, phone: str, form: dict[str, str]) -> Quote:
    return service.quote_transfer(uow, from_phone=phone, to_phone=form["to"], amount=amount_of(form["amount"]))


def _transfer(  # noqa: PLR0917 - the shape of every Order.place
    request: Request, uow: UnitOfWork, phone: str, form: dict[str, str], pin: str, key: str
) -> Receipt:
    return service.place_transfer(
        wallet_orders(request),
        uow,
        from_phone=phone,
        to_phone=form["to"],
        amount=amount_of(form["amount"]),
        pin=pin,
        idempotency_key=key,
    )


TOPUP = Order("topup", N_("Top up by card"), ("amount", "card_number"), _quote_topup, _topup)
PAY = Order("pay", N_("Pay for a service"), ("provider", "account", "amount"), _quote_pay, _pay)
TRANSFER = Order("transfer", N_("Transfer to another wallet"), ("to", "amount"), _quote_transfer, _transfer)


# --- the three steps, the same for every order ---------------------------------------------------


def _form_page(
    request: Request,
    uow: UnitOfWork,
    principal: Principal,
    order: Order,
    form: dict[str, str],
    *,
    error: str | None = None,
    status_code: int = 200,
) -> Response:
    wallets = [(w.phone, display_msisdn(w.phone)) for w in service.own_wallets(
        uow, customer_id=principal.customer_id, phones=principal.phones
    )]  # fmt: skip
    if not wallets:
        return RedirectResponse("/wallet", status_code=303)
    providers = service.provider_catalogue().providers
    groups = [(label, [p for p in providers if p.kind == kind]) for kind, label in GROUPS.items()]
    cards = [(card.number, OUTCOMES[card.outcome.value]) for card in service.simulator_cards()]
    return render(
        request, f"wallet/{order.name}.html", status_code=status_code, order=order, form=form, wallets=wallets,
        groups=groups, names=PROVIDERS, hints=ACCOUNT_HINTS, cards=cards, error=error,
    )  # fmt: skip


def _confirm_page(
    request: Request,
    principal: Principal,
    order: Order,
    form: dict[str, str],
    quote: Quote,
    *,
    key: str,
    error: str | None = None,
    status_code: int = 200,
) -> Response:
    return render(
        request, "wallet/confirm.html", status_code=status_code, order=order, form=form, key=key, error=error,
        quote=quote, names=PROVIDERS, amount=Money(quote.amount), commission=Money(quote.commission),
        total=Money(quote.total), payee=display_msisdn(quote.to_phone) if quote.to_phone else None,
        number=display_msisdn(form["phone"]), due=Money(quote.amount_due) if quote.amount_due is not None else None,
    )  # fmt: skip


def _show_form(request: Request, uow: UnitOfWork, order: Order, asked: dict[str, str]) -> Response:
    principal = session_customer(request, uow)
    if principal is None:
        return to_login()
    return _form_page(request, uow, principal, order, {"phone": asked.pop("phone", ""), **asked})


def _review(request: Request, uow: UnitOfWork, order: Order, form: dict[str, str]) -> Response:
    """The quote: the commission and the total, the PIN field and a fresh one-time key."""
    principal = session_customer(request, uow)
    if principal is None:
        return to_login()
    try:
        form["phone"] = own_wallet(uow, principal, form["phone"])
    except WalletNotFoundError:
        return RedirectResponse("/wallet", status_code=303)  # no wallet yet: the page that opens one
    try:
        quote = order.quote(uow, form["phone"], form)
    except YagonaError as error:
        left_behind(uow, error)
        return _form_page(
            request, uow, principal, order, form, error=said(request, error), status_code=error.http_status
        )
    return _confirm_page(request, principal, order, form, quote, key=new_key())


def _confirm(request: Request, uow: UnitOfWork, order: Order, form: dict[str, str], *, pin: str, key: str) -> Response:
    """The order, with the PIN and the form's one-time key; then its receipt."""
    principal = session_customer(request, uow)
    if principal is None:
        return to_login()
    try:
        form["phone"] = own_wallet(uow, principal, form["phone"])
        # Committed (a transfer or payment with the concurrent orders of this process).
        receipt = order.place(request, uow, form["phone"], form, pin, key)  # no key: refused by the service
    except YagonaError as error:
        left_behind(uow, error)
        return _refused(request, uow, principal, order, form, key=key, error=error)
    return to_receipt(request, receipt.number)


def _refused(
    request: Request,
    uow: UnitOfWork,
    principal: Principal,
    order: Order,
    form: dict[str, str],
    *,
    key: str,
    error: YagonaError,
) -> Response:
    """The confirm step again with the reason (the same key: nothing was paid), or the form
    when the order can no longer be priced."""
    text, status_code = said(request, error), error.http_status
    try:
        form["phone"] = own_wallet(uow, principal, form["phone"])
        quote = order.quote(uow, form["phone"], form)
    except YagonaError:
        uow.rollback()
        return _form_page(request, uow, principal, order, form, error=text, status_code=status_code)
    return _confirm_page(
        request, principal, order, form, quote, key=key or new_key(), error=text, status_code=status_code
    )


# --- the routes ------------------------------------------------------------------------------------


@router.get("/topup")
def topup_page(request: Request, uow: Uow, amount: Asked = "", phone: Asked = "") -> Response:
    """Top up by card: the amount and the card (the simulator's test cards in dev and test)."""
    cards = service.simulator_cards()
    return _show_form(request, uow, TOPUP, {"amount": amount, "phone": phone, "card_number": ""} | (
        {"card_number": cards[0].number} if cards else {}
    ))  # fmt: skip


@router.post("/topup")
def topup_review(
    request: Request, uow: Uow, amount: Field = "", card_number: Field = "", phone: Field = ""
) -> Response:
    return _review(request, uow, TOPUP, {"phone": phone, "amount": amount, "card_number": card_number})


@router.post("/topup/confirm")
def topup_confirm(  # noqa: PLR0917 - FastAPI passes a form's fields by name
    request: Request, uow: Uow, amount: Field = "", card_number: Field = "", phone: Field = "", pin: Field = "",
    key: Field = "",
) -> Response:  # fmt: skip
    return _confirm(
        request, uow, TOPUP, {"phone": phone, "amount": amount, "card_number": card_number}, pin=pin, key=key
    )


@router.get("/pay")
def pay_page(  # noqa: PLR0917 - FastAPI passes the query's fields by name
    request: Request, uow: Uow, provider: Asked = "", account: Asked = "", amount: Asked = "", phone: Asked = ""
) -> Response:
    """Pay a provider; `?provider=mobile&account=<msisdn>` (the line page's link) fills the form."""
    return _show_form(request, uow, PAY, {"provider": provider, "account": account, "amount": amount, "phone": phone})


@router.post("/pay")
def pay_review(  # noqa: PLR0917 - FastAPI passes a form's fields by name
    request: Request, uow: Uow, provider: Field = "", account: Field = "", amount: Field = "", phone: Field = ""
) -> Response:
    return _review(request, uow, PAY, {"phone": phone, "provider": provider, "account": account, "amount": amount})


@router.post("/pay/confirm")
def pay_confirm(  # noqa: PLR0917 - FastAPI passes a form's fields by name
    request: Request, uow: Uow, provider: Field = "", account: Field = "", amount: Field = "", phone: Field = "",
    pin: Field = "", key: Field = "",
) -> Response:  # fmt: skip
    form = {"phone": phone, "provider": provider, "account": account, "amount": amount}
    return _confirm(request, uow, PAY, form, pin=pin, key=key)


@router.get("/transfer")
def transfer_page(request: Request, uow: Uow, to: Asked = "", amount: Asked = "", phone: Asked = "") -> Response:
    """Transfer to another wallet by its phone number."""
    return _show_form(request, uow, TRANSFER, {"to": to, "amount": amount, "phone": phone})


@router.post("/transfer")
def transfer_review(request: Request, uow: Uow, to: Field = "", amount: Field = "", phone: Field = "") -> Response:
    return _review(request, uow, TRANSFER, {"phone": phone, "to": to, "amount": amount})


@router.post("/transfer/confirm")
def transfer_confirm(  # noqa: PLR0917 - FastAPI passes a form's fields by name
    request: Request, uow: Uow, to: Field = "", amount: Field = "", phone: Field = "", pin: Field = "",
    key: Field = "",
) -> Response:  # fmt: skip
    return _confirm(request, uow, TRANSFER, {"phone": phone, "to": to, "amount": amount}, pin=pin, key=key)
