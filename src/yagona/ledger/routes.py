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
from pydantic import Field

from yagona.kernel.money import TIYIN_PER_SOM, Money
from yagona.ledger import service
from yagona.ledger.errors import InsufficientFundsError, InvalidRequestError, LimitExceededError
from yagona.ledger.schemas import (
    AccountCode,
    AccountCreate,
    AccountRead,
    TransferCreate,
    TransferKind,
    TransferRead,
    Unit,
    VerifyReport,
)
from yagona.platform.api import ApiModel, ApiRead, Som, SomNotNegative, SomPositive, Timestamp, idempotency_key
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
    unit: Unit
    allow_negative: bool = False
    upper_limit: SomNotNegative | None = Field(default=None, description="the balance may not exceed this")
    shards: int = Field(default=1, ge=1, le=256)


class AccountView(ApiRead):
    code: str
    owner: str
    kind: str
    unit: Unit
    allow_negative: bool
    upper_limit: Som | None
    shards: int
    balance_now: Som = Field(description="posted balance")
    available_now: Som = Field(description="posted balance less pending debits")
    debits_posted: Som
    credits_posted: Som
    debits_pending: Som
    credits_pending: Som


class TransferIn(ApiModel):
    debit: AccountCode
    credit: AccountCode
    amount: SomPositive
    reason: Reason
    pending: bool = False
    metadata: Metadata = Field(default_factory=dict)


class BatchCreate(ApiModel):
    transfers: list[TransferIn] = Field(min_length=1, max_length=BATCH_MAX)


class TransferView(ApiRead):
    id: str
    seq: int
    batch_id: str
    debit: str
    credit: str
    amount: Som
    unit: Unit
    kind: TransferKind
    reason: str
    pending_id: str | None
    metadata: dict[str, str]
    created_at: Timestamp


class HistoryView(ApiRead):
    items: list[TransferView]
    next_cursor: str | None


def to_major(minor: int, unit: Unit | str) -> Money:
    """A stored amount (tiyin; whole points) as the REST number (so'm; points)."""
    return Money(minor) if unit == Unit.SOM else Money(minor * TIYIN_PER_SOM)


def to_minor(major: Money, unit: Unit | str, *, field: str = "amount") -> int:
    if unit == Unit.SOM:
        return major.tiyin
    points, rest = divmod(major.tiyin, TIYIN_PER_SOM)
    if rest:
        raise InvalidRequestError("a points account moves whole points", field=field)
    return points


def account_view(account: AccountRead) -> AccountView:
    unit = account.unit
    return AccountView(
        code=account.code,
        owner=account.owner,
        kind=account.kind,
        unit=unit,
        allow_negative=account.allow_negative,
        upper_limit=None if account.upper_limit is None else to_major(account.upper_limit, unit),
        shards=account.shards,
        balance_now=to_major(account.balance, unit),
        available_now=to_major(account.available, unit),
        debits_posted=to_major(account.debits_posted, unit),
        credits_posted=to_major(account.credits_posted, unit),
        debits_pending=to_major(account.debits_pending, unit),
        credits_pending=to_major(account.credits_pending, unit),
    )


def transfer_view(transfer: TransferRead) -> TransferView:
    return TransferView(
        **transfer.model_dump(exclude={"amount", "created_at"}),
        amount=to_major(transfer.amount, transfer.unit),
        created_at=transfer.created_at,
    )


@router.post("/accounts", status_code=201)
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
    page = service.history(uow, code=code, cursor=cursor, limit=limit)
    return HistoryView(items=[transfer_view(t) for t in page.items], next_cursor=page.next_cursor)


@router.post("/transfers", status_code=201)
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
