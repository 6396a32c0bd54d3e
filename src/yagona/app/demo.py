"""Demo data for `make run`: loaded through the same services as real work, and idempotent,
so running it again changes nothing."""

from __future__ import annotations

from yagona.ledger import service as ledger
from yagona.ledger.schemas import AccountCreate, TransferCreate, Unit
from yagona.platform.uow import UnitOfWork

OPERATOR_ACCOUNTS = [
    AccountCreate(
        code="external:card-settlement", owner="operator", kind="settlement", unit=Unit.SOM, allow_negative=True
    ),
    AccountCreate(
        code="operator:revenue:mobile", owner="operator", kind="revenue", unit=Unit.SOM, allow_negative=True, shards=8
    ),
    AccountCreate(code="operator:income:dormant", owner="operator", kind="income", unit=Unit.SOM, allow_negative=True),
]
DEMO_CUSTOMERS = {"demo:998901234500": 150_000_00, "demo:998911234501": 40_000_00}


def load(uow: UnitOfWork) -> list[str]:
    """Open the operator's accounts and two funded demo accounts; returns what exists now."""
    for account in OPERATOR_ACCOUNTS:
        ledger.open_account(uow, account=account)
    for code, amount in DEMO_CUSTOMERS.items():
        ledger.open_account(uow, account=AccountCreate(code=code, owner=code.split(":")[1], kind="demo", unit=Unit.SOM))
        ledger.post(
            uow,
            transfers=[
                TransferCreate(debit="external:card-settlement", credit=code, amount=amount, reason="demo_topup")
            ],
            idempotency_key=f"demo:topup:{code}",
        )
    return [a.code for a in OPERATOR_ACCOUNTS] + list(DEMO_CUSTOMERS)
