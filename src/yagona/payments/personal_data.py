"""Payments' `PersonalDataProvider` (privacy.service.personal_data): the payment systems'
transactions to the customer's numbers. They are money records (kept whole): erasure
pseudonymises the account paid (a phone number)."""

from __future__ import annotations

from sqlalchemy import Table

from yagona.payments.models import PaymentTransaction
from yagona.platform.personal_data import Mask, Part, TableProvider, pseudonymise
from yagona.platform.uow import UnitOfWork

TRANSACTION: Table = PaymentTransaction.__table__  # type: ignore[assignment]


class PaymentsPersonalData(TableProvider):
    domain = "payments"
    parts = (
        Part(
            "transactions",
            TRANSACTION,
            lambda _, phones: TRANSACTION.c.account.in_(phones),
            ("account",),
            order_by=("seq",),
        ),
    )

    def erase(self, uow: UnitOfWork, *, customer_id: str, phones: frozenset[str], mask: Mask) -> int:
        where = TRANSACTION.c.account.in_(phones)
        return pseudonymise(uow, TRANSACTION, where, kinds={"account": "phone"}, mask=mask)
