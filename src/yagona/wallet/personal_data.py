"""The wallet's `PersonalDataProvider` (privacy.service.personal_data): the wallets (number,
birth date, identity document) and their operations. The offer (2.16, 7, 10.2) and the law
keep the operations and receipts: erasure pseudonymises the numbers and accounts in them and
clears the document; amounts, commissions and their ledger transfers stay whole."""

from __future__ import annotations

from datetime import date

from sqlalchemy import Table, or_, select

from yagona.platform.personal_data import Mask, Part, TableProvider, blank, pseudonymise, replace_mentions
from yagona.platform.uow import UnitOfWork
from yagona.wallet.models import WalletAccount, WalletOperation

ACCOUNT: Table = WalletAccount.__table__  # type: ignore[assignment]
OPERATION: Table = WalletOperation.__table__  # type: ignore[assignment]
ERASED_BIRTH_DATE = date(1900, 1, 1)  # the column is required; the real date is gone


def _accounts(customer_id: str, phones: frozenset[str]):  # type: ignore[no-untyped-def]
    return or_(ACCOUNT.c.customer_id == customer_id, ACCOUNT.c.phone.in_(phones))


def _operations(_: str, phones: frozenset[str]):  # type: ignore[no-untyped-def]
    return or_(OPERATION.c.payer_phone.in_(phones), OPERATION.c.payee_phone.in_(phones))


class WalletPersonalData(TableProvider):
    domain = "wallet"
    parts = (
        Part(
            "wallets", ACCOUNT, _accounts, ("phone", "birth_date", "identity_document", "identified_by"), ("pin_hash",)
        ),
        Part(
            "operations",
            OPERATION,
            _operations,
            ("payer_phone", "payee_phone", "account", "idempotency_key"),
            ("request_hash",),
            order_by=("seq",),
        ),
    )

    def phones(self, uow: UnitOfWork, *, customer_id: str) -> set[str]:
        return set(uow.session.scalars(select(WalletAccount.phone).where(WalletAccount.customer_id == customer_id)))

    def erase(self, uow: UnitOfWork, *, customer_id: str, phones: frozenset[str], mask: Mask) -> int:
        touched = replace_mentions(uow, OPERATION, ("account", "idempotency_key"), phones=phones, mask=mask)
        for column in ("payer_phone", "payee_phone"):
            where = OPERATION.c[column].in_(phones)
            touched += pseudonymise(uow, OPERATION, where, kinds={column: "phone"}, mask=mask)
        accounts = _accounts(customer_id, phones)
        touched += blank(uow, ACCOUNT, accounts, birth_date=ERASED_BIRTH_DATE, identity_document=None)
        return touched + pseudonymise(uow, ACCOUNT, accounts, kinds={"phone": "phone"}, mask=mask)
