"""Refusals of the lines domain, with the stable codes of the scenario contract."""

from __future__ import annotations

from yagona.catalog.errors import BelowMinimumError, PlanClosedError, PlanNotFoundError, SwitchNotAllowedError
from yagona.kernel.errors import (
    ConflictError,
    IdempotencyConflictError,
    InsufficientFundsError,
    InvalidRequestError,
    NotFoundError,
    YagonaError,
)

__all__ = [
    "BelowMinimumError",
    "IdempotencyConflictError",
    "InsufficientFundsError",
    "InternationalBarredError",
    "InvalidRequestError",
    "LineBlockedError",
    "LineExistsError",
    "LineNotFoundError",
    "PlanClosedError",
    "PlanNotFoundError",
    "SwitchNotAllowedError",
]


class LineNotFoundError(NotFoundError):
    pass


class LineExistsError(ConflictError):
    code = "line_exists"


class LineBlockedError(YagonaError):
    """Outgoing use of a blocked line."""

    code = "line_blocked"
    http_status = 409


class InternationalBarredError(YagonaError):
    """An international (or satellite) call on a plan without international calls (M2M)."""

    code = "international_barred"
    http_status = 409
