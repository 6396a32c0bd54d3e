"""Typed refusals of the catalogue; the codes are part of the public contract."""

from __future__ import annotations

from typing import ClassVar

from yagona.kernel.errors import NotFoundError, YagonaError


class PlanNotFoundError(NotFoundError):
    """No plan with this id (or switch code) exists in the catalogue."""

    code: ClassVar[str] = "not_found"
    http_status: ClassVar[int] = 404


class PlanClosedError(YagonaError):
    """The plan is archived: closed to new connections and to switching in."""

    code: ClassVar[str] = "plan_closed"
    http_status: ClassVar[int] = 409


class SwitchNotAllowedError(YagonaError):
    """The price list does not open a switch from this plan to that one."""

    code: ClassVar[str] = "switch_not_allowed"
    http_status: ClassVar[int] = 409


class BelowMinimumError(YagonaError):
    """The balance is below the sum the price list requires (switch threshold, minimum to connect)."""

    code: ClassVar[str] = "below_minimum"
    http_status: ClassVar[int] = 409


class CatalogueInvalidError(YagonaError):
    """The data files do not describe a valid catalogue; `details["problems"]` lists why."""

    code: ClassVar[str] = "catalogue_invalid"
    http_status: ClassVar[int] = 500

    def __init__(self, problems: list[str]) -> None:
        super().__init__(f"the tariff catalogue is invalid ({len(problems)} problem(s))", problems=problems)
        self.problems = problems
