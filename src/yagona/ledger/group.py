"""Posting with group commit: the ledger's use case for callers with nothing else in their
transaction (the ledger's API, a benchmark's clients, a worker posting alone).

Concurrent postings of this process are gathered (platform.group_commit) into one
transaction: on PostgreSQL one call of `ledger_post_group` for the whole group, on SQLite
each posting through the Python path in its own savepoint. Every posting keeps its own
idempotency key, answer and refusal, and returns only after the commit.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from sqlalchemy import Engine
from sqlalchemy.orm import sessionmaker

from yagona.kernel.errors import YagonaError
from yagona.ledger import posting as posting_path
from yagona.ledger import service
from yagona.ledger.schemas import TransferCreate, TransferRead
from yagona.platform.group_commit import GroupCommit, each_in_savepoint
from yagona.platform.settings import GroupCommitSettings
from yagona.platform.uow import UnitOfWork, UnitOfWorkFactory


@dataclass(frozen=True, slots=True)
class PostRequest:
    transfers: tuple[TransferCreate, ...]
    idempotency_key: str


Answer = list[TransferRead]


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
        """With `engine` (PostgreSQL), a group is one statement in its own transaction: the
        `ledger_post_group` call on an autocommit connection is BEGIN, the posting and a
        durable COMMIT in one round trip. Without it, the group runs in a unit of work."""
        if engine is not None and engine.dialect.name == "postgresql":
            uow = single_statement(uow, engine)
        self._group: GroupCommit[PostRequest, Answer] = GroupCommit(
            uow,
            run_postings,
            enabled=settings.enabled,
            window_s=settings.window_ms / 1_000,
            max_size=settings.max_size,
            concurrent_groups=settings.concurrent_groups,
            on_group=on_group,
        )

    def post(self, *, transfers: Sequence[TransferCreate], idempotency_key: str) -> list[TransferRead]:
        """`service.post`, committed: linked transfers, all or none."""
        return self._group.submit(PostRequest(tuple(transfers), idempotency_key))

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
        request = TransferCreate(
            debit=debit, credit=credit, amount=amount, reason=reason, pending=pending, metadata=metadata or {}
        )
        return self.post(transfers=[request], idempotency_key=idempotency_key)[0]


def run_postings(uow: UnitOfWork, requests: Sequence[PostRequest]) -> list[Answer | BaseException]:
    """Decide every posting of a group inside `uow`; a refused one leaves nothing behind."""
    if not posting_path.on_postgres(uow):
        return each_in_savepoint(uow, [_python_post(r) for r in requests])
    outcomes: list[Answer | BaseException | None] = [None] * len(requests)
    rounds: list[list[tuple[int, posting_path.Posting]]] = []
    for index, request in enumerate(requests):
        try:
            posting = posting_path.checked(uow, request.transfers, request.idempotency_key)
        except YagonaError as error:  # malformed: this request's answer, the others go on
            outcomes[index] = error
            continue
        # A key twice in one group: a new call from the second on, so the order stays.
        if not rounds or any(p.idempotency_key == posting.idempotency_key for _, p in rounds[-1]):
            rounds.append([])
        rounds[-1].append((index, posting))
    for batch in rounds:
        results = posting_path.post_group(uow, [p for _, p in batch])
        for (index, posting), outcome in zip(batch, results, strict=True):
            try:
                outcomes[index] = service.answer(uow, posting, outcome)
            except YagonaError as error:
                outcomes[index] = error
    return [o if o is not None else AssertionError("a posting without an outcome") for o in outcomes]


def single_statement(uow: UnitOfWorkFactory, engine: Engine) -> UnitOfWorkFactory:
    """Units of work whose every statement is its own transaction (PostgreSQL autocommit):
    for a group that is one statement, `commit` then has nothing left to send."""
    sessions = sessionmaker(bind=engine.execution_options(isolation_level="AUTOCOMMIT"), expire_on_commit=False)

    template = uow()  # the clock, bus and limits of the caller's units of work
    template.session.close()

    def make() -> UnitOfWork:
        return UnitOfWork(
            sessions(),
            clock=template.clock,
            bus=template.bus,
            limits=template.limits,
            publishes_externally=template.publishes_externally,
        )

    return make


def _python_post(request: PostRequest) -> Callable[[UnitOfWork], Answer]:
    def work(uow: UnitOfWork) -> Answer:
        return service.post(uow, transfers=request.transfers, idempotency_key=request.idempotency_key)

    return work
