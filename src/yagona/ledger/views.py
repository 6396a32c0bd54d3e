"""The ledger as its REST and CLI answers show it: amounts in so'm (`Som`) — a points
account's in whole points —, timestamps with the Tashkent offset. Inside, integer tiyin."""

from __future__ import annotations

from pydantic import Field

from yagona.kernel.money import TIYIN_PER_SOM, Money
from yagona.ledger.errors import InvalidRequestError
from yagona.ledger.schemas import AccountRead, HistoryPage, TransferKind, TransferRead, Unit
from yagona.platform.api import ApiRead, Som, Timestamp


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


def history_view(page: HistoryPage) -> HistoryView:
    return HistoryView(items=[transfer_view(t) for t in page.items], next_cursor=page.next_cursor)
