"""Refusals of the wallet. Codes are stable (scenario-format.md): every channel maps
them the same way."""

from __future__ import annotations

from yagona.kernel.errors import (
    ConflictError,
    IdempotencyConflictError,
    InsufficientFundsError,
    InvalidRequestError,
    LimitExceededError,
    NotFoundError,
    YagonaError,
)

__all__ = [
    "BalanceNotZeroError",
    "IdempotencyConflictError",
    "InsufficientFundsError",
    "InvalidPinError",
    "InvalidRequestError",
    "LimitExceededError",
    "OfferNotAcceptedError",
    "ProviderNotFoundError",
    "ReceiptNotFoundError",
    "WalletBlockedError",
    "WalletClosedError",
    "WalletExistsError",
    "WalletNotFoundError",
]


class WalletNotFoundError(NotFoundError):
    pass


class ProviderNotFoundError(NotFoundError):
    pass


class ReceiptNotFoundError(NotFoundError):
    pass


class WalletExistsError(ConflictError):
    code = "wallet_exists"


class InvalidPinError(YagonaError):
    """A wrong PIN, a PIN locked after too many wrong attempts (details: locked_until), or none set."""

    code = "invalid_pin"
    http_status = 403
    persist = True  # the failed attempt is counted even though the operation is refused


class WalletBlockedError(YagonaError):
    code = "wallet_blocked"
    http_status = 409


class WalletClosedError(YagonaError):
    code = "wallet_closed"
    http_status = 409


class BalanceNotZeroError(YagonaError):
    """Offer 4.6.2: a wallet is closed only with a zero balance."""

    code = "balance_not_zero"
    http_status = 409


class OfferNotAcceptedError(YagonaError):
    """Offer 4.1.1: registration needs the acceptance of the offer."""

    code = "offer_not_accepted"
    http_status = 422


class BirthDateMismatchError(InvalidRequestError):
    """Restoring a wallet with a wrong birth date: refused, and counted like a wrong PIN."""

    persist = True
