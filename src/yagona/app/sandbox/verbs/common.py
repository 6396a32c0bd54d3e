"""What every verb module shares: the simulation a handler gets, and the contract's formats."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any, Protocol

from yagona.identity import service as identity
from yagona.kernel.clock import TASHKENT, SimulatedClock
from yagona.kernel.money import Money
from yagona.platform.jobs import JobRunner
from yagona.platform.uow import UnitOfWorkFactory


class Simulation(Protocol):
    @property
    def uow(self) -> UnitOfWorkFactory: ...
    @property
    def clock(self) -> SimulatedClock: ...
    @property
    def jobs(self) -> JobRunner: ...
    @property
    def step_index(self) -> int: ...
    @property
    def identity(self) -> identity.IdentityContext: ...
    @property
    def drain(self) -> Callable[[], int]: ...


Handler = Callable[[Simulation, dict[str, Any]], dict[str, Any]]


def som(tiyin: int) -> int | float:
    return Money(tiyin).to_json()


def at(instant: datetime) -> str:
    return instant.astimezone(TASHKENT).isoformat()


def record_id(sim: Simulation) -> str:
    """The step's own id (`sim:<i>`): record ids and idempotency keys that never depend on chance."""
    return f"sim:{sim.step_index}"
