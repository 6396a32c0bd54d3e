"""Refusals of the home domain; the codes are part of the public contract."""

from __future__ import annotations

from yagona.catalog.errors import PlanClosedError, PlanNotFoundError
from yagona.kernel.errors import ConflictError, InsufficientFundsError, InvalidRequestError, NotFoundError, YagonaError

__all__ = [
    "HomeAccountNotFoundError",
    "HomeStateError",
    "IdentityNotVerifiedError",
    "InsufficientFundsError",
    "InvalidRequestError",
    "PlanClosedError",
    "PlanNotFoundError",
]


class HomeAccountNotFoundError(NotFoundError):
    """No home account with this contract (or not the caller's: the same answer)."""


class IdentityNotVerifiedError(YagonaError):
    """Home internet is connected only after the national OneID check (product.md §9)."""

    code = "identity_not_verified"
    http_status = 409


class HomeStateError(ConflictError):
    """The account is not in a state where this can be done (a closed account, activating twice)."""

    code = "home_state"
