"""Typed factories for mobile lines."""

from __future__ import annotations

from yagona.kernel.money import Money
from yagona.lines import service
from yagona.lines.schemas import LineState
from yagona.platform.uow import UnitOfWork


def connect(
    uow: UnitOfWork, msisdn: str = "998901000001", plan: str = "lider-start", deposit_som: int = 50_000
) -> LineState:
    return service.connect(uow, msisdn=msisdn, plan_id=plan, deposit=Money.of_som(deposit_som))
