"""Home internet's `PersonalDataProvider` (privacy.service.personal_data): the accounts (the
address where the service is delivered) and their add-ons. Erasure pseudonymises the address;
the contract number stays (payments and the ledger name it; it is not about the person)."""

from __future__ import annotations

from sqlalchemy import Table, select

from yagona.home.models import HomeAccount, HomeAddon
from yagona.platform.personal_data import Mask, Part, TableProvider, pseudonymise
from yagona.platform.uow import UnitOfWork

ACCOUNT: Table = HomeAccount.__table__  # type: ignore[assignment]
ADDON: Table = HomeAddon.__table__  # type: ignore[assignment]


class HomePersonalData(TableProvider):
    domain = "home"
    parts = (
        Part("accounts", ACCOUNT, lambda cid, _: ACCOUNT.c.customer_id == cid, ("address",)),
        Part(
            "addons",
            ADDON,
            lambda cid, _: ADDON.c.account_id.in_(select(ACCOUNT.c.id).where(ACCOUNT.c.customer_id == cid)),
            (),
        ),
    )

    def erase(self, uow: UnitOfWork, *, customer_id: str, phones: frozenset[str], mask: Mask) -> int:
        where = ACCOUNT.c.customer_id == customer_id
        return pseudonymise(uow, ACCOUNT, where, kinds={"address": "address"}, mask=mask)
