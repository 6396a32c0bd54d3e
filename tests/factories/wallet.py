"""Typed factories for wallets, and a stand-in for the `mobile` provider."""

from __future__ import annotations

from datetime import date

from yagona.kernel.ids import new_id
from yagona.kernel.money import Money
from yagona.ledger import service as ledger_service
from yagona.ledger.schemas import AccountCreate, Unit
from yagona.platform.uow import UnitOfWork
from yagona.wallet import service
from yagona.wallet.schemas import Receipt, TopupSource, WalletRead

PIN = "24680"
BIRTH = date(1990, 5, 17)
BHM = Money.of_som(245_000).tiyin
LIGHT_LIMIT = 5 * BHM  # 1 225 000 so'm


def phone(n: int) -> str:
    return f"99890{n:07d}"


def offer_version() -> str:
    """The edition of the offer in force (what registration accepts)."""
    return service.current().settings.offer_version


def register(
    uow: UnitOfWork, number: str, *, pin: str = PIN, birth_date: date = BIRTH, customer_id: str | None = None
) -> WalletRead:
    """A wallet of the customer `customer_id` (a stand-in id unless given: the wallet domain
    records it; One ID proves it in the channels)."""
    return service.register(
        uow,
        customer_id=customer_id or f"customer-{number}",
        phone=number,
        pin=pin,
        birth_date=birth_date,
        accept_offer=True,
        offer_version=offer_version(),
    )


def premium(uow: UnitOfWork, number: str) -> WalletRead:
    register(uow, number)
    return service.identify(uow, phone=number, document="AA1234567", staff="test-office")


def top_up(
    uow: UnitOfWork, number: str, amount: int, *, source: TopupSource = TopupSource.PROMO, key: str | None = None
) -> Receipt:
    return service.topup(uow, phone=number, amount=amount, source=source, idempotency_key=key or new_id())


def som(amount: int) -> int:
    return Money.of_som(amount).tiyin


class StandInMobileProvider:
    """A STAND-IN for the lines domain's `mobile` PaymentProvider, for tests only: it credits
    a plain ledger account `line:<msisdn>` and records what it was told. The real one is
    registered by `app/bootstrap.py` and replaces it outside these tests."""

    def __init__(self) -> None:
        self.applied: list[tuple[str, int, str]] = []

    def settlement_account(self, uow: UnitOfWork, *, account: str) -> str:
        code = f"line:{account}"
        ledger_service.open_account(
            uow,
            account=AccountCreate(code=code, owner=account, kind="line", unit=Unit.SOM, allow_negative=True),
        )
        return code

    def apply_payment(self, uow: UnitOfWork, *, account: str, amount: int, idempotency_key: str) -> None:
        self.applied.append((account, amount, idempotency_key))
