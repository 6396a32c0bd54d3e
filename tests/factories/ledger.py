"""Typed factories for ledger accounts and funds."""

from __future__ import annotations

from yagona.kernel.ids import new_id
from yagona.ledger import service
from yagona.ledger.schemas import AccountCreate, AccountRead, Unit
from yagona.platform.uow import UnitOfWork

WORLD = "external:world"  # where money comes from in tests: may go negative


def open_account(
    uow: UnitOfWork,
    code: str,
    *,
    unit: Unit = Unit.SOM,
    allow_negative: bool = False,
    upper_limit: int | None = None,
    shards: int = 1,
    kind: str = "customer",
) -> AccountRead:
    return service.open_account(
        uow,
        account=AccountCreate(
            code=code,
            owner=code.rsplit(":", maxsplit=1)[-1],
            kind=kind,
            unit=unit,
            allow_negative=allow_negative,
            upper_limit=upper_limit,
            shards=shards,
        ),
    )


def open_world(uow: UnitOfWork, unit: Unit = Unit.SOM) -> str:
    code = WORLD if unit == Unit.SOM else f"{WORLD}.{unit.value}"
    open_account(uow, code, unit=unit, allow_negative=True, kind="external")
    return code


def fund(uow: UnitOfWork, code: str, amount: int, *, unit: Unit = Unit.SOM) -> None:
    world = open_world(uow, unit)
    service.transfer(uow, debit=world, credit=code, amount=amount, reason="funding", idempotency_key=new_id())
