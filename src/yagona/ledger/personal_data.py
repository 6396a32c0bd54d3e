"""The ledger's `PersonalDataProvider` (privacy.service.personal_data), satisfied without
importing privacy (it is below it): account codes and owners (`wallet:998…`, `line:998…`),
idempotency keys and transfer reasons name phone numbers. Erasure replaces those phones by
their pseudonyms; amounts, accounts and totals stay whole, so `ledger verify` still passes."""

from __future__ import annotations

from sqlalchemy import Table

from yagona.ledger.models import Account, Batch, Transfer
from yagona.platform.personal_data import Mask, Part, TableProvider, mentions, replace_mentions
from yagona.platform.uow import UnitOfWork

ACCOUNT: Table = Account.__table__  # type: ignore[assignment]
BATCH: Table = Batch.__table__  # type: ignore[assignment]
TRANSFER: Table = Transfer.__table__  # type: ignore[assignment]
SCRUB = ((ACCOUNT, ("code", "owner")), (BATCH, ("idempotency_key",)), (TRANSFER, ("reason", "metadata")))


class LedgerPersonalData(TableProvider):
    domain = "ledger"
    parts = tuple(Part(f"{t.name.removeprefix('ledger_')}s", t, mentions(t, cols), cols) for t, cols in SCRUB)

    def erase(self, uow: UnitOfWork, *, customer_id: str, phones: frozenset[str], mask: Mask) -> int:
        return sum(replace_mentions(uow, t, cols, phones=phones, mask=mask) for t, cols in SCRUB)
