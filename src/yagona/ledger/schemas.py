"""Types that cross the ledger's boundary. Amounts are integers in the account's unit:
tiyin for so'm, whole points for points."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, model_validator

from yagona.kernel.money import MAX_TIYIN

AccountCode = Annotated[str, Field(min_length=1, max_length=120, pattern=r"^[a-z0-9][a-z0-9_.:#@+-]*$")]
IdempotencyKey = Annotated[str, Field(min_length=1, max_length=200)]
Amount = Annotated[int, Field(gt=0, le=MAX_TIYIN, strict=True)]
Ceiling = Annotated[int, Field(ge=0, le=MAX_TIYIN, strict=True)]


class Unit(StrEnum):
    SOM = "som"  # amounts in tiyin
    POINTS = "points"


class TransferKind(StrEnum):
    POSTED = "posted"
    PENDING = "pending"
    POST_PENDING = "post_pending"
    VOID_PENDING = "void_pending"


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class AccountCreate(_Frozen):
    code: AccountCode
    owner: str = Field(min_length=1, max_length=120)
    kind: str = Field(min_length=1, max_length=40)
    unit: Unit
    # A customer's money may not go below zero unless the product says so (a line's debt).
    allow_negative: bool = False
    # The balance may not exceed this (a Light wallet: 5 BHM). None: no ceiling.
    upper_limit: Ceiling | None = None
    # A hot account (operator revenue) is split in shards so postings do not queue on one row.
    shards: int = Field(default=1, ge=1, le=256)

    @model_validator(mode="after")
    def _sharded_accounts_are_unconstrained(self) -> AccountCreate:
        if self.shards > 1 and (not self.allow_negative or self.upper_limit is not None):
            raise ValueError("a sharded account cannot carry a balance constraint: its shards are posted independently")
        return self


class AccountRead(_Frozen):
    code: str
    owner: str
    kind: str
    unit: Unit
    allow_negative: bool
    upper_limit: int | None
    shards: int
    debits_posted: int
    credits_posted: int
    debits_pending: int
    credits_pending: int

    @property
    def balance(self) -> int:
        """Posted balance: what came in minus what went out."""
        return self.credits_posted - self.debits_posted

    @property
    def available(self) -> int:
        """What may still be spent: the posted balance less what pending debits hold."""
        return self.balance - self.debits_pending


class TransferCreate(_Frozen):
    debit: AccountCode
    credit: AccountCode
    amount: Amount
    # Why the money moves, in product words: topup, fee, usage, payment, commission…
    reason: str = Field(min_length=1, max_length=60, pattern=r"^[a-z][a-z0-9_.]*$")
    pending: bool = False
    metadata: dict[str, str] = Field(default_factory=dict, max_length=20)

    @model_validator(mode="after")
    def _two_accounts(self) -> TransferCreate:
        if self.debit == self.credit:
            raise ValueError("a transfer needs two different accounts")
        return self


class TransferRead(_Frozen):
    id: str
    seq: int
    batch_id: str
    debit: str
    credit: str
    amount: int
    unit: Unit
    kind: TransferKind
    reason: str
    pending_id: str | None
    metadata: dict[str, str]
    created_at: datetime


class HistoryPage(_Frozen):
    items: list[TransferRead]
    next_cursor: str | None


class Problem(_Frozen):
    """One broken invariant found by `verify`."""

    check: str
    subject: str
    detail: str


class VerifyReport(_Frozen):
    accounts: int
    transfers: int
    problems: list[Problem]

    @property
    def ok(self) -> bool:
        return not self.problems
