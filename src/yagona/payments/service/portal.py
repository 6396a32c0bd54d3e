"""The portal's "pay with Payme / Click": who may pay what, the checkout links, the latest payments."""

from __future__ import annotations

from yagona.home import service as home
from yagona.kernel.errors import InvalidRequestError, NotFoundError
from yagona.payments import repository, rules
from yagona.payments.schemas import (
    Checkout,
    PaymentRead,
    PaymentsConfig,
    Target,
)
from yagona.payments.service.common import (
    account_problem,
)
from yagona.platform.uow import UnitOfWork
from yagona.wallet import service as wallet

# --- the portal: "pay with Payme / Click" ---------------------------------------------------------


def payable_by(
    uow: UnitOfWork, *, target: Target, number: str, customer_id: str, phones: tuple[str, ...], lines_: tuple[str, ...]
) -> bool:
    """Whether the customer may pay this line, wallet or home account from the portal: a line
    linked to their profile (or on one of its phones), a wallet of theirs (as the wallet's pages
    count it), a home account of theirs."""
    if target == "line":
        return (number in lines_ or number in phones) and account_problem(uow, "line", number, 0) != "missing"
    if target == "home":
        try:
            home.own_account(uow, customer_id=customer_id, contract=number)
        except (NotFoundError, InvalidRequestError):
            return False
        return True
    return any(w.phone == number for w in wallet.own_wallets(uow, customer_id=customer_id, phones=phones))


def checkout(
    uow: UnitOfWork, *, config: PaymentsConfig, target: Target, number: str, amount: str, language: str, return_url: str
) -> Checkout:
    """The checkout links of Payme and Click for `amount` (so'm as typed) to the account,
    or why there are none: the amount out of bounds, the account blocked, a Light wallet's
    limit passed (what Payme and Click would refuse anyway, said before the customer leaves).
    A system without its merchant id configured gets no link."""
    tiyin = rules.click_amount(amount, minimum=config.min_amount_tiyin, maximum=config.max_amount_tiyin)
    if tiyin is None:
        return Checkout(amount=None, problem="amount", payme_url=None, click_url=None)
    problem = account_problem(uow, target, number, tiyin)
    if problem is not None:
        return Checkout(
            amount=tiyin, problem="limit" if problem == "limit" else "blocked", payme_url=None, click_url=None
        )
    payme_url = click_url = None
    if config.payme_merchant_id:
        payme_url = rules.payme_checkout_url(
            config.payme_checkout_url, merchant_id=config.payme_merchant_id,
            account_key=rules.PAYME_KEYS[target], account=number, amount=tiyin,
            language=language, return_url=return_url,
        )  # fmt: skip
    if config.click_merchant_id and config.click_service_id:
        click_url = rules.click_checkout_url(
            service_id=config.click_service_id, merchant_id=config.click_merchant_id,
            merchant_trans_id=rules.click_merchant_trans_id(target, number), amount=tiyin, return_url=return_url,
        )  # fmt: skip
    return Checkout(amount=tiyin, problem=None, payme_url=payme_url, click_url=click_url)


def payments_of(uow: UnitOfWork, *, target: Target, number: str, limit: int = 10) -> list[PaymentRead]:
    """The latest payments through Payme and Click to a line, a wallet or a home account, newest first."""
    return [
        PaymentRead(system=tx.system, amount=tx.amount, state=tx.state, created_at=tx.created_at)
        for tx in repository.of_account(uow.session, target, number, limit)
    ]
