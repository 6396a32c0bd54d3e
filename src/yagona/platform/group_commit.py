"""Group commit: concurrent requests of one process share one database transaction.

A request joins a queue; the first one in, once fewer than `concurrent_groups` groups are
running, becomes the group's leader (while a group runs, the next one fills), waits at most
`window_s` for others (less when every thread that has been submitting lately is in the
queue, or when `max_size` are), then runs the whole group in one unit of work and commits
once. Every request keeps its own answer or refusal — the group's runner decides them one
by one (with savepoints, or a server-side function that refuses a posting without writing)
— and none is answered before the commit. If the group itself fails (a database error no
runner foresaw, or the commit), each request is run again alone, so one poisoned request
fails only itself; idempotency keys make the retry safe.

Turned off (`enabled=False`) every request runs alone in its own transaction, the same way.

`GroupCommit` runs a group in a unit of work; `Gatherer` is the same machinery for a caller
that runs a group's transaction itself (the ledger's one-statement groups on PostgreSQL).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from typing import Generic, TypedDict, TypeVar

from sqlalchemy.exc import DBAPIError

from yagona.kernel.errors import YagonaError
from yagona.platform.settings import GroupCommitSettings
from yagona.platform.uow import UnitOfWork, UnitOfWorkFactory

R = TypeVar("R")
A = TypeVar("A")
T = TypeVar("T")

# Decides each request of a group inside `uow` (which it never commits): an answer, or the
# refusal to raise to that request's caller. Whatever a refused request wrote must be undone.
GroupRunner = Callable[[UnitOfWork, Sequence[R]], list[A | BaseException]]
# Runs a whole group in one transaction, committed before it returns: each request's
# answer or refusal. A DBAPIError (or AssertionError) means the group failed as a whole.
GroupTransaction = Callable[[list[R]], list[A | BaseException]]


class GroupOptions(TypedDict):
    enabled: bool
    window_s: float
    max_size: int
    concurrent_groups: int
    on_group: Callable[[int], None] | None


def options(settings: GroupCommitSettings, on_group: Callable[[int], None] | None = None) -> GroupOptions:
    """The gathering's keyword arguments from the settings (`YAGONA_GROUP_COMMIT__*`)."""
    return GroupOptions(
        enabled=settings.enabled, window_s=settings.window_ms / 1_000, max_size=settings.max_size,
        concurrent_groups=settings.concurrent_groups, on_group=on_group,
    )  # fmt: skip


RECENT_S = 0.1  # a thread that submitted this recently is expected to submit again


class _Slot(Generic[R, A]):
    __slots__ = ("answer", "done", "error", "request", "wake")

    def __init__(self, request: R, lock: threading.Lock) -> None:
        self.request = request
        self.done = False
        self.answer: A | None = None
        self.error: BaseException | None = None
        # Only this request's thread waits here: it is told when it is done, or that it
        # leads the next group — no other thread is woken for nothing.
        self.wake = threading.Condition(lock)


class Gatherer(Generic[R, A]):
    """Gathers concurrent requests into groups, each run by `transaction`."""

    def __init__(
        self,
        transaction: GroupTransaction[R, A],
        *,
        enabled: bool = True,
        window_s: float = 0.002,
        max_size: int = 64,
        concurrent_groups: int = 1,
        on_group: Callable[[int], None] | None = None,
    ) -> None:
        self._transaction = transaction
        self.enabled = enabled
        self._window_s = window_s
        self._max_size = max_size
        self._concurrent_groups = concurrent_groups
        self._on_group = on_group
        self._lock = threading.Lock()
        self._queue: list[_Slot[R, A]] = []
        self._leader: _Slot[R, A] | None = None  # the request gathering the next group
        self._in_flight = 0  # groups running
        self._executing = 0  # requests in running groups
        self._want = 1  # the size at which the gathering leader stops waiting
        self._seen: dict[int, float] = {}

    def submit(self, request: R) -> A:
        """Run `request` in the next group; returns its answer after the commit, or raises its refusal."""
        if not self.enabled:
            return self._alone(request)
        slot: _Slot[R, A] = _Slot(request, self._lock)
        group = None
        with self._lock:
            self._seen[threading.get_ident()] = time.monotonic()
            self._queue.append(slot)
            if self._leader is not None:
                if len(self._queue) >= self._want:
                    self._leader.wake.notify()  # the group being gathered is complete
            else:
                self._promote()
            while not slot.done and self._leader is not slot:
                slot.wake.wait()
            if not slot.done:
                group = self._gather(slot)
        if group is not None:
            self._execute(group)
        if slot.error is not None:
            raise slot.error
        return slot.answer  # type: ignore[return-value]

    def _promote(self) -> None:
        """With the lock held: the queue's head leads the next group, if one may start."""
        if self._leader is None and self._queue and self._in_flight < self._concurrent_groups:
            self._leader = self._queue[0]
            self._leader.wake.notify()

    def _gather(self, leader: _Slot[R, A]) -> list[_Slot[R, A]]:
        """With the lock held, by the queue's head: wait for the group, take it."""
        now = time.monotonic()
        deadline = now + self._window_s
        # Every thread that submitted lately and is not in a running group is expected: the
        # group is complete once they are all in (woken then, not at each arrival).
        expected = sum(1 for seen in self._seen.values() if now - seen < RECENT_S) - self._executing
        self._want = min(self._max_size, max(1, expected))
        while len(self._queue) < self._want and now < deadline:
            leader.wake.wait(deadline - now)
            now = time.monotonic()
        self._want = 1
        group, self._queue = self._queue[: self._max_size], self._queue[self._max_size :]
        self._executing += len(group)
        self._in_flight += 1
        self._leader = None
        self._promote()  # the next head gathers the next group meanwhile, if one may start
        if len(self._seen) > 256:
            self._seen = {k: v for k, v in self._seen.items() if now - v < RECENT_S}
        return group

    def run_group(self, requests: list[R]) -> list[A | BaseException]:
        """Run `requests` as one group now, for a caller that gathered them itself (an event
        loop holding several clients' requests): the same transaction, and the same retry
        one by one when the group fails as a whole. Each outcome is an answer or a refusal."""
        outcomes = self._outcomes(requests)
        if self._on_group is not None and self.enabled:
            self._on_group(len(requests))
        return outcomes

    def _outcomes(self, requests: list[R]) -> list[A | BaseException]:
        if self.enabled:
            try:
                return self._transaction(requests)
            except (DBAPIError, AssertionError):
                pass  # the group failed as a whole: each request again, alone
            except BaseException as error:  # noqa: BLE001 - handed to every caller of the group, never swallowed
                return [error] * len(requests)
        outcomes: list[A | BaseException] = []
        for request in requests:  # one poisoned request must not fail the others
            try:
                outcomes.extend(self._transaction([request]))
            except (DBAPIError, AssertionError) as error:
                outcomes.append(error)
        return outcomes

    def _execute(self, group: list[_Slot[R, A]]) -> None:
        outcomes = self._outcomes([s.request for s in group])
        if self._on_group is not None:
            self._on_group(len(group))
        with self._lock:
            for slot, outcome in zip(group, outcomes, strict=True):
                if isinstance(outcome, BaseException):
                    slot.error = outcome
                else:
                    slot.answer = outcome
                slot.done = True
                slot.wake.notify()
            self._executing -= len(group)
            self._in_flight -= 1
            self._promote()

    def _alone(self, request: R) -> A:
        [outcome] = self._transaction([request])
        if isinstance(outcome, BaseException):
            raise outcome
        return outcome


class GroupCommit(Gatherer[R, A]):
    """A group runs in one unit of work, decided by `run`, committed once."""

    def __init__(
        self,
        uow: UnitOfWorkFactory,
        run: GroupRunner[R, A],
        *,
        enabled: bool = True,
        window_s: float = 0.002,
        max_size: int = 64,
        concurrent_groups: int = 1,
        on_group: Callable[[int], None] | None = None,
    ) -> None:
        self._uow = uow
        self._run = run
        super().__init__(
            self._in_one_transaction,
            enabled=enabled,
            window_s=window_s,
            max_size=max_size,
            concurrent_groups=concurrent_groups,
            on_group=on_group,
        )

    def _in_one_transaction(self, requests: list[R]) -> list[A | BaseException]:
        with self._uow() as uow:
            outcomes = self._run(uow, requests)
            uow.commit()
        return outcomes


def each_in_savepoint(uow: UnitOfWork, works: Sequence[Callable[[UnitOfWork], T]]) -> list[T | BaseException]:
    """The plain runner: each work in its own savepoint; a refusal rolls back only its own
    writes (unless the refusal's record must persist, as when the unit of work ends)."""
    outcomes: list[T | BaseException] = []
    for work in works:
        savepoint = uow.session.begin_nested()
        try:
            outcomes.append(work(uow))
        except YagonaError as error:
            if error.persist:
                savepoint.commit()
            else:
                savepoint.rollback()
            outcomes.append(error)
            continue
        savepoint.commit()
    return outcomes
