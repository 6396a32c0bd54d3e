"""Refusals of the wallet. Codes are stable (scenario-format.md): every channel maps
them the same way."""

from __future__ import annotations

from yagona.kernel.errors import (
    ConflictError,
    ForbiddenError,
    IdempotencyConflictError,
    InsufficientFundsError,
    InvalidRequestError,
    LimitExceededError,
    NotFoundError,
    YagonaError,
)

__all__ = [
    "BalanceNotZeroError",
    "BillerAccountNotFoundError",
    "BillerUnavailableError",
    "BirthDateMismatchError",
    "CardDeclinedError",
    "CardProcessorUnavailableError",
    "IdempotencyConflictError",
    "InsufficientFundsError",
    "InvalidPinError",
    "InvalidRequestError",
    "LimitExceededError",
    "OfferNotAcceptedError",
    "OfferVersionError",
    "ProviderNotFoundError",
    "ReauthenticationRequiredError",
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
    """Restoring a wallet with a wrong birth date (or while such attempts are locked out):
    refused, and counted — the counter persists through the refusal. The code stays the
    scenario contract's `invalid_request` (field `birth_date`)."""

    persist = True


class OfferVersionError(YagonaError):
    """Registration names an edition of the offer that is not the one in force."""

    code = "offer_version_mismatch"
    http_status = 422


class ReauthenticationRequiredError(ForbiddenError):
    """A PIN restore needs a One ID session of the wallet's phone signed in with a fresh SMS code."""

    code = "sms_sign_in_required"


class CardProcessorUnavailableError(YagonaError):
    """No card processor answers here (the simulator runs only in dev and test)."""

    code = "card_processor_unavailable"
    http_status = 503


class CardDeclinedError(YagonaError):
    """The card processor declined a payout."""

    code = "card_declined"
    http_status = 409


class BillerAccountNotFoundError(NotFoundError):
    """The utility's biller does not know this account (details: the expected format)."""


class BillerUnavailableError(YagonaError):
    """The utility's biller is late, down or answered nonsense: nothing was paid."""

    code = "biller_unavailable"
    http_status = 503
