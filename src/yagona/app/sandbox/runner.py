"""Run a scenario on a fresh, isolated store through the real services."""

from __future__ import annotations

import sqlite3
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

from sqlalchemy import event

from yagona.app import worker
from yagona.app.bootstrap import Container, bootstrap
from yagona.app.sandbox.scenario import Scenario
from yagona.app.sandbox.template import migrated_sqlite
from yagona.app.sandbox.verbs import VERBS, at, home_view, line_view, loyalty_view
from yagona.home import service as home
from yagona.identity import service as identity
from yagona.kernel.clock import SimulatedClock
from yagona.kernel.errors import YagonaError
from yagona.lines import service as lines
from yagona.loyalty import service as loyalty
from yagona.platform.db import make_engine
from yagona.platform.jobs import JobRunner
from yagona.platform.logging import configure_logging
from yagona.platform.settings import Settings
from yagona.platform.uow import UnitOfWorkFactory
from yagona.wallet import service as wallets


@dataclass
class Simulation:
    uow: UnitOfWorkFactory
    clock: SimulatedClock
    jobs: JobRunner
    # Identity's context, built when a verb first asks for it: its password hasher hashes a
    # decoy at start (Argon2id, ~0.04 s of CPU), which a scenario of lines alone never uses.
    make_identity: Callable[[], identity.IdentityContext]
    step_index: int = 0
    # The deferred consumers (the bonus programme) fed from the outbox, as the worker does:
    # after every step and between the jobs of an `advance` (docs/loyalty.md).
    drain: Callable[[], int] = lambda: 0

    @cached_property
    def identity(self) -> identity.IdentityContext:
        return self.make_identity()


def run(scenario: Scenario, *, database_url: str | None = None) -> dict[str, Any]:
    # stdout carries the result: logs go to stderr, and only when something is wrong.
    configure_logging(level="WARNING")
    with tempfile.TemporaryDirectory(prefix="yagona-sandbox-") as scratch:
        url = database_url or f"sqlite:///{Path(scratch) / 'sandbox.db'}"
        if database_url is None:  # a copy of the cached migrated template (sandbox/template.py)
            migrated_sqlite(Path(scratch) / "sandbox.db")
        # A scratch file of this process: no connection to test before each transaction.
        engine = make_engine(url, pre_ping=database_url is not None)
        if database_url is None:
            event.listen(engine, "connect", _scratch)
        try:
            if database_url is not None:
                from yagona.platform import migrate  # noqa: PLC0415 - Alembic only for a database given

                migrate.upgrade(engine)
            clock = SimulatedClock(scenario.start)
            settings = Settings(env="test", database={"url": url}, bus={"defer": True})
            container = bootstrap(settings, clock=clock, engine=engine, configure_logs=False)
            sim = Simulation(
                uow=container.uow,
                clock=clock,
                jobs=container.jobs,
                make_identity=lambda: identity.make_context(
                    secret_key=settings.secret_key.get_secret_value(), env=settings.env
                ),
                drain=_drainer(container),
            )
            steps = [_run_step(sim, step.index, step.verb, step.fields) for step in scenario.steps]
            return {"name": scenario.name, "steps": steps, "final": _final(sim)}
        finally:
            engine.dispose()


def _scratch(connection: sqlite3.Connection, _record: Any) -> None:
    """The scratch file is this run's alone and deleted at its end (after make_engine's own
    pragmas, which ask for fsync and shared locks): no fsync at WAL checkpoints, and the file
    locked once for the run instead of a lock and unlock per transaction (~14 000 `fcntl` calls
    in a 1 001-step run, and the WAL index in memory). No other process opens the file, and in
    this one a unit of work at a time holds the connection (make_engine's writer lock), which
    the pool hands back: there is never a second connection to shut out."""
    connection.execute("PRAGMA synchronous=OFF")
    connection.execute("PRAGMA locking_mode=EXCLUSIVE")


# platform.models' OutboxRow and ConsumerCursor, read without the ORM (see _drainer).
LAST_SEQ = "SELECT coalesce(max(seq), 0) FROM platform_outbox"
CURSORS = "SELECT consumer, last_seq FROM platform_consumer_cursor"


def _drainer(container: Container) -> Callable[[], int]:
    """The worker's drain after a step — skipped when every deferred consumer's cursor is
    already at the outbox's last row: the drain would read each cursor, find nothing after it
    and write nothing (platform/outbox.py). Two reads on a pooled connection, below the unit of
    work (no transaction to begin), instead of a unit of work per consumer; a consumer left
    behind (a failed event) is behind, so it is drained as before."""
    names = [consumer.name for consumer in container.bus.deferred_consumers()]

    def drain() -> int:
        connection = container.engine.raw_connection()
        try:
            cursor = connection.cursor()
            cursor.execute(LAST_SEQ)
            row = cursor.fetchone()
            end = row[0] if row else 0
            cursor.execute(CURSORS)
            at = dict(cursor.fetchall())
            cursor.close()
        finally:
            connection.close()  # back to the pool (rolled back there)
        if all(at.get(name, 0) >= end for name in names):
            return 0
        return worker.drain(container)

    return drain


def _run_step(sim: Simulation, index: int, verb: str, fields: dict[str, Any]) -> dict[str, Any]:
    sim.step_index = index
    _, handler = VERBS[verb]
    try:
        added = handler(sim, fields)
    except YagonaError as error:
        sim.drain()
        return {
            "i": index,
            "do": verb,
            "at": at(sim.clock.now()),
            "ok": False,
            "error": _error(error),
        }
    sim.drain()
    return {"i": index, "do": verb, "at": at(sim.clock.now()), "ok": True, **added}


# The codes scenario-format.md promises. A refusal whose own code is newer (invalid_phone)
# answers with the promised code of its family and names its own as `reason`.
STABLE_CODES = frozenset(
    {
        "not_found", "invalid_request", "insufficient_funds", "below_minimum", "plan_closed",
        "switch_not_allowed", "line_blocked", "limit_exceeded", "wallet_blocked", "wallet_closed",
        "invalid_pin", "balance_not_zero", "offer_not_accepted",
        "insufficient_points",
    }
)  # fmt: skip


def _error(error: YagonaError) -> dict[str, str]:
    if error.code in STABLE_CODES:
        return {"code": error.code, "message": error.message}
    promised = (c.code for c in type(error).__mro__ if issubclass(c, YagonaError) and c.code in STABLE_CODES)
    family = next(promised, error.code)
    answer = {"code": family, "message": error.message}
    if family != error.code:
        answer["reason"] = error.code
    return answer


def _final(sim: Simulation) -> dict[str, Any]:
    with sim.uow() as uow:
        final: dict[str, Any] = {
            "lines": {msisdn: line_view(lines.state(uow, msisdn=msisdn)) for msisdn in lines.list_msisdns(uow)},
            "wallets": {phone: wallets.state(uow, phone=phone).scenario_view() for phone in wallets.phones(uow)},
            "loyalty": {phone: loyalty_view(loyalty.state(uow, phone=phone)) for phone in loyalty.members(uow)},
        }
        # Home accounts only when the scenario has some: the contract's earlier outputs stay as they were.
        contracts = home.list_contracts(uow)
        if contracts:
            final["home"] = {contract: home_view(home.state(uow, contract=contract)) for contract in contracts}
        return final
