"""Refusals of the ledger. Codes are stable: every channel maps them the same way."""

from __future__ import annotations

from yagona.kernel.errors import (
    ConflictError,
    IdempotencyConflictError,
    InsufficientFundsError,
    InvalidRequestError,
    LimitExceededError,
    NotFoundError,
    UnitMismatchError,
)

__all__ = [
    "AccountConflictError",
    "AccountNotFoundError",
    "IdempotencyConflictError",
    "InsufficientFundsError",
    "InvalidRequestError",
    "LimitExceededError",
    "PendingResolvedError",
    "TransferNotFoundError",
    "UnitMismatchError",
]


class AccountNotFoundError(NotFoundError):
    pass


class TransferNotFoundError(NotFoundError):
    pass


class AccountConflictError(ConflictError):
    """An account with this code exists with other properties."""

    code = "account_conflict"


class PendingResolvedError(ConflictError):
    """A pending transfer was already posted or voided."""

    code = "pending_resolved"
