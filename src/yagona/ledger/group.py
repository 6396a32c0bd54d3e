"""Posting with group commit: the ledger's use case for callers with nothing else in their
transaction (the ledger's API, a benchmark's clients, a worker posting alone).

Concurrent postings of this process are gathered (platform.group_commit) into one
transaction: on PostgreSQL one call of `ledger_post_group` for the whole group, on SQLite
each posting through the Python path in its own savepoint. Every posting keeps its own
idempotency key, answer and refusal, and returns only after the commit.

On PostgreSQL a group is one statement on a bare autocommit connection — BEGIN, the
posting and a durable COMMIT in one round trip — with no ORM session around it: the
connections are taken from the engine's pool once and kept (no checkout, reset or
pre-ping per group). One that breaks is thrown away; its group fails as a whole, and
each posting is then run again alone on a fresh connection (idempotency keys make that
safe).
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.exc import DBAPIError
from sqlalchemy.pool import PoolProxiedConnection

from yagona.kernel.errors import YagonaError
from yagona.ledger import posting as posting_path
from yagona.ledger import service
from yagona.ledger.schemas import TransferCreate, TransferRead
from yagona.platform.group_commit import Gatherer, GroupCommit, each_in_savepoint
from yagona.platform.group_commit import options as group_options
from yagona.platform.settings import GroupCommitSettings
from yagona.platform.uow import UnitOfWork, UnitOfWorkFactory


@dataclass(frozen=True, slots=True)
class PostRequest:
    transfers: tuple[TransferCreate, ...]
    idempotency_key: str


Answer = list[TransferRead]
Outcomes = list[Answer | BaseException]


class LedgerPoster:
    """`post` and `transfer` that commit, gathered with concurrent callers of this process."""

    def __init__(
        self,
        uow: UnitOfWorkFactory,
        settings: GroupCommitSettings,
        *,
        on_group: Callable[[int], None] | None = None,
        engine: Engine | None = None,
    ) -> None:
        """With `engine` (PostgreSQL), a group is one `ledger_post_group` call on a kept
        autocommit connection of the engine's pool. Without it, a group runs in a unit of work."""
        self._uow = uow
        self._connections: _Connections | None = None
        gathering = group_options(settings, on_group)
        self._group: Gatherer[PostRequest, Answer]
        if engine is not None and engine.dialect.name == "postgresql":
            template = uow()  # the clock and limits of the caller's units of work
            template.session.close()
            self._clock, self._batch_size_max = template.clock, template.limits.batch_size_max
            self._connections = _Connections(engine)
            weakref.finalize(self, self._connections.close)  # a poster dropped without close()
            self._group = Gatherer(self._on_postgres, **gathering)
        else:
            self._group = GroupCommit(uow, run_postings, **gathering)

    def post(self, *, transfers: Sequence[TransferCreate], idempotency_key: str) -> list[TransferRead]:
        """`service.post`, committed: linked transfers, all or none."""
        return self._group.submit(PostRequest(tuple(transfers), idempotency_key))

    def post_many(self, requests: Sequence[PostRequest]) -> list[Answer | YagonaError]:
        """`post` for several requests a caller gathered itself (an event loop serving many
        clients): one group, one commit; each request keeps its own answer or refusal.
        A failure of the database itself is raised."""
        answers: list[Answer | YagonaError] = []
        for outcome in self._group.run_group(list(requests)):
            if isinstance(outcome, BaseException) and not isinstance(outcome, YagonaError):
                raise outcome
            answers.append(outcome)
        return answers

    def transfer(
        self,
        *,
        debit: str,
        credit: str,
        amount: int,
        reason: str,
        idempotency_key: str,
        pending: bool = False,
        metadata: dict[str, str] | None = None,
    ) -> TransferRead:
        """`service.transfer`, committed."""
        request = posting_path.one_transfer(
            debit=debit, credit=credit, amount=amount, reason=reason, pending=pending, metadata=metadata
        )
        return self.post(transfers=request, idempotency_key=idempotency_key)[0]

    def close(self) -> None:
        """Close the kept connections (the pool opens others when it needs them)."""
        if self._connections is not None:
            self._connections.close()

    def _on_postgres(self, requests: list[PostRequest]) -> Outcomes:
        connections = self._connections
        assert connections is not None

        def post(postings: list[posting_path.Posting]) -> list[posting_path.Outcome]:
            call = posting_path.GroupCall(postings, self._clock.now())
            return call.outcomes(connections.call(call))

        return _decide(requests, self._batch_size_max, post, self._replayed)

    def _replayed(self, posting: posting_path.Posting, outcome: posting_path.Outcome) -> Answer:
        # A replay reads the first answer back: rare, so in a unit of work of its own.
        with self._uow() as uow:
            return service.answer(uow, posting, outcome)


def run_postings(uow: UnitOfWork, requests: Sequence[PostRequest]) -> Outcomes:
    """Decide every posting of a group inside `uow`; a refused one leaves nothing behind."""
    if not posting_path.on_postgres(uow):
        return each_in_savepoint(uow, [_python_post(r) for r in requests])
    return _decide(
        requests,
        uow.limits.batch_size_max,
        lambda postings: posting_path.post_group(uow, postings),
        lambda posting, outcome: service.answer(uow, posting, outcome),
    )


def _decide(
    requests: Sequence[PostRequest],
    batch_size_max: int,
    post: Callable[[list[posting_path.Posting]], list[posting_path.Outcome]],
    replayed: Callable[[posting_path.Posting, posting_path.Outcome], Answer],
) -> Outcomes:
    """Check every request, post the good ones in as few calls of `post` as their keys allow."""
    outcomes: list[Answer | BaseException | None] = [None] * len(requests)
    rounds: list[list[tuple[int, posting_path.Posting]]] = [[]]
    keys: set[str] = set()
    for index, request in enumerate(requests):
        try:
            posting = posting_path.check(request.transfers, request.idempotency_key, batch_size_max=batch_size_max)
        except YagonaError as error:  # malformed: this request's answer, the others go on
            outcomes[index] = error
            continue
        # A key twice in one group: a new call from the second on, so the order stays.
        if posting.idempotency_key in keys:
            rounds.append([])
            keys.clear()
        keys.add(posting.idempotency_key)
        rounds[-1].append((index, posting))
    for batch in rounds:
        if not batch:
            continue
        results = post([p for _, p in batch])
        for (index, posting), outcome in zip(batch, results, strict=True):
            if isinstance(outcome, list | YagonaError):  # posted, or refused
                outcomes[index] = outcome
            else:
                try:
                    outcomes[index] = replayed(posting, outcome)
                except YagonaError as error:
                    outcomes[index] = error
    return [o if o is not None else AssertionError("a posting without an outcome") for o in outcomes]


class _Connections:
    """Autocommit DBAPI connections for the groups, checked out of the engine's pool once
    and kept between groups (as many as groups run at once)."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._dbapi_error: type[Exception] = engine.dialect.loaded_dbapi.Error
        self._idle: list[tuple[PoolProxiedConnection, Any]] = []
        self._lock = threading.Lock()

    def call(self, call: posting_path.GroupCall) -> list[dict[str, Any]]:
        """One `ledger_post_group` call, its own transaction; a failure is a DBAPIError."""
        with self._lock:
            kept = self._idle.pop() if self._idle else None
        pooled, cursor = kept or self._checkout()
        parameters = (call.now, call.salt, call.postings)
        try:
            cursor.execute(posting_path.POST_GROUP_SQL, parameters)
            row = cursor.fetchone()
        except BaseException as error:
            driver = pooled.driver_connection
            if isinstance(error, self._dbapi_error) and driver is not None and not driver.broken:
                self._keep(pooled, cursor)  # the statement failed, the connection is fine
            else:
                pooled.invalidate(error if isinstance(error, Exception) else None)
            if isinstance(error, self._dbapi_error):
                raise DBAPIError.instance(
                    posting_path.POST_GROUP_SQL, parameters, error, self._dbapi_error, dialect=self._engine.dialect
                ) from error
            raise
        self._keep(pooled, cursor)
        assert row is not None, "ledger_post_group answers one row"
        answers: list[dict[str, Any]] = row[0]
        return answers

    def close(self) -> None:
        # Closed, not returned: the pool may already be disposed, and its other users
        # expect no autocommit connection.
        with self._lock:
            idle, self._idle = self._idle, []
        for pooled, _ in idle:
            pooled.invalidate()

    def _checkout(self) -> tuple[PoolProxiedConnection, Any]:
        pooled = self._engine.raw_connection()
        driver = pooled.driver_connection
        assert driver is not None
        driver.rollback()  # a pre-ping may have opened a transaction
        driver.autocommit = True
        return pooled, driver.cursor()

    def _keep(self, pooled: PoolProxiedConnection, cursor: Any) -> None:
        with self._lock:
            self._idle.append((pooled, cursor))


def _python_post(request: PostRequest) -> Callable[[UnitOfWork], Answer]:
    def work(uow: UnitOfWork) -> Answer:
        return service.post(uow, transfers=request.transfers, idempotency_key=request.idempotency_key)

    return work
