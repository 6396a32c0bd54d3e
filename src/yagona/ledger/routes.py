"""Staff REST of the ledger: thin — validate, call the service, map.

Speaks the one API convention (docs/api.md): amounts are so'm (`Som`, a JSON number with
at most two decimals; inside, the ledger keeps integer tiyin), timestamps RFC 3339 with the
Tashkent offset, snake_case. A points account (`unit: points`) counts whole points in the
same fields. Every list is bounded: a batch by `limits.batch_size_max`, a page by
`limits.page_size_max`.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query
from pydantic import BeforeValidator, Field

from yagona.ledger import service
from yagona.ledger.errors import InsufficientFundsError, LimitExceededError
from yagona.ledger.schemas import AccountCode, AccountCreate, TransferCreate, Unit, VerifyReport
from yagona.ledger.views import (
    AccountView,
    HistoryView,
    TransferView,
    account_view,
    history_view,
    to_major,
    to_minor,
    transfer_view,
)
from yagona.platform.api import ApiModel, SomNotNegative, SomPositive, idempotency_key, lax_enum
from yagona.platform.auth import require_staff
from yagona.platform.settings import LimitSettings
from yagona.platform.uow import UnitOfWork
from yagona.platform.web import unit_of_work

router = APIRouter(prefix="/api/v1/ledger", tags=["ledger"], dependencies=[Depends(require_staff)])
Uow = Annotated[UnitOfWork, Depends(unit_of_work)]
# The schema's bound; the service applies the configured `limits.batch_size_max` (never more).
BATCH_MAX = LimitSettings().batch_size_max
PAGE_MAX = LimitSettings().page_size_max
Reason = Annotated[str, Field(min_length=1, max_length=60, pattern=r"^[a-z][a-z0-9_.]*$")]
Metadata = Annotated[dict[str, Annotated[str, Field(max_length=200)]], Field(max_length=20)]


class AccountIn(ApiModel):
    code: AccountCode
    owner: str = Field(min_length=1, max_length=120)
    kind: str = Field(min_length=1, max_length=40)
    unit: Annotated[Unit, BeforeValidator(lax_enum(Unit))]
    allow_negative: bool = False
    upper_limit: SomNotNegative | None = Field(default=None, description="the balance may not exceed this")
    shards: int = Field(default=1, ge=1, le=256)


class TransferIn(ApiModel):
    debit: AccountCode
    credit: AccountCode
    amount: SomPositive
    reason: Reason
    pending: bool = False
    metadata: Metadata = Field(default_factory=dict)


class BatchCreate(ApiModel):
    transfers: list[TransferIn] = Field(min_length=1, max_length=BATCH_MAX)


@router.post(
    "/accounts",
    status_code=201,
    responses={409: {"description": "the code is taken by an account with other properties (`conflict`)"}},
)
def open_account(body: AccountIn, uow: Uow) -> AccountView:
    upper = None if body.upper_limit is None else to_minor(body.upper_limit, body.unit, field="upper_limit")
    spec = AccountCreate(**body.model_dump(exclude={"upper_limit"}), upper_limit=upper)
    account = service.open_account(uow, account=spec)
    uow.commit()
    return account_view(account)


@router.get("/accounts/{code}")
def get_account(code: AccountCode, uow: Uow) -> AccountView:
    return account_view(service.get_account(uow, code=code))


@router.get("/accounts/{code}/transfers")
def account_history(
    code: AccountCode,
    uow: Uow,
    cursor: Annotated[str | None, Query(max_length=19, pattern=r"^\d+$")] = None,
    limit: Annotated[int, Query(ge=1, le=PAGE_MAX)] = 50,
) -> HistoryView:
    return history_view(service.history(uow, code=code, cursor=cursor, limit=limit))


@router.post(
    "/transfers",
    status_code=201,
    responses={
        404: {"description": "an account named in a transfer does not exist (`not_found`)"},
        409: {"description": "refused by the ledger's rules: funds, limits, a reused key (`insufficient_funds`, …)"},
    },
)
def post_transfers(body: BatchCreate, uow: Uow, key: Annotated[str, Depends(idempotency_key)]) -> list[TransferView]:
    """Linked transfers: all of them or none. Amounts in so'm (points for a points account)."""
    units = {code: service.get_account(uow, code=code).unit for code in {t.debit for t in body.transfers}}
    transfers = [
        TransferCreate(
            debit=t.debit,
            credit=t.credit,
            amount=to_minor(t.amount, units[t.debit]),
            reason=t.reason,
            pending=t.pending,
            metadata=t.metadata,
        )
        for t in body.transfers
    ]
    try:
        result = service.post(uow, transfers=transfers, idempotency_key=key)
    except (InsufficientFundsError, LimitExceededError) as error:
        # The rules count in the unit's minor units; a REST answer speaks so'm.
        unit = units[transfers[0].debit]
        error.details = {
            name: to_major(value, unit).to_json() if name in ("short_by", "over_by") else value
            for name, value in error.details.items()
        }
        raise
    uow.commit()
    return [transfer_view(t) for t in result]


@router.get("/verify")
def verify(uow: Uow) -> VerifyReport:
    return service.verify(uow)
