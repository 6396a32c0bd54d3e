"""Refusals of the bonus programme. Codes are stable (scenario-format.md)."""

from __future__ import annotations

from typing import ClassVar

from yagona.kernel.errors import ConflictError, InvalidRequestError, NotFoundError

__all__ = ["InsufficientPointsError", "InvalidRequestError", "MemberNotFoundError", "RewardNotFoundError"]


class RewardNotFoundError(NotFoundError):
    pass


class MemberNotFoundError(NotFoundError):
    pass


class InsufficientPointsError(ConflictError):
    code: ClassVar[str] = "insufficient_points"
