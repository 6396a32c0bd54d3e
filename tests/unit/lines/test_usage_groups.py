"""`POST /api/v1/usage`'s group commit front (`lines.routes.staff.UsageGroups`): the records
of concurrent requests are gathered on the event loop and handed to the database as one
group in one thread; each caller gets its own answer or refusal."""

from __future__ import annotations

import asyncio
import threading

from sqlalchemy.exc import OperationalError

from yagona.lines.errors import LineNotFoundError
from yagona.lines.routes.staff import UsageGroups
from yagona.platform.group_commit import Gatherer


class _Database:
    """A stand-in transaction: answers each record, refuses `missing`, fails a group holding `poison`."""

    def __init__(self) -> None:
        self.groups: list[list[str]] = []
        self.threads: set[int] = set()

    def transaction(self, records: list[str]) -> list[str | BaseException]:
        self.groups.append(list(records))
        self.threads.add(threading.get_ident())
        if "poison" in records:
            raise OperationalError("INSERT", {}, Exception("the group failed"))
        return [LineNotFoundError(f"no line {r}") if r == "missing" else f"rated {r}" for r in records]


def _post_all(groups: UsageGroups, records: list[str]) -> list[object]:
    async def concurrently() -> list[object]:
        return await asyncio.gather(*(groups.submit(r) for r in records), return_exceptions=True)

    return asyncio.run(concurrently())


def test_concurrent_records_are_one_group_in_one_thread_each_with_its_own_answer() -> None:
    database = _Database()
    sizes: list[int] = []
    gatherer = Gatherer(database.transaction, on_group=sizes.append)
    groups = UsageGroups(gatherer, window_s=0, max_size=64, concurrent_groups=1)
    answers = _post_all(groups, ["a", "missing", "b", "c"])
    assert answers[0] == "rated a" and answers[2:] == ["rated b", "rated c"]
    assert isinstance(answers[1], LineNotFoundError)  # refused alone: the others are answered
    assert database.groups == [["a", "missing", "b", "c"]] and sizes == [4]
    assert len(database.threads) == 1 and threading.get_ident() not in database.threads


def test_groups_hold_at_most_max_size_records() -> None:
    database = _Database()
    groups = UsageGroups(Gatherer(database.transaction), window_s=0, max_size=4, concurrent_groups=1)
    answers = _post_all(groups, [str(n) for n in range(10)])
    assert answers == [f"rated {n}" for n in range(10)]
    assert [len(group) for group in database.groups] == [4, 4, 2]


def test_a_failed_group_is_run_again_record_by_record_so_only_the_poisoned_one_fails() -> None:
    database = _Database()
    groups = UsageGroups(Gatherer(database.transaction), window_s=0, max_size=64, concurrent_groups=1)
    answers = _post_all(groups, ["a", "poison", "b"])
    assert answers[0] == "rated a" and answers[2] == "rated b"
    assert isinstance(answers[1], OperationalError)
    assert database.groups == [["a", "poison", "b"], ["a"], ["poison"], ["b"]]


def test_turned_off_each_record_runs_alone() -> None:
    database = _Database()
    gatherer = Gatherer(database.transaction, enabled=False)
    answers = _post_all(UsageGroups(gatherer, window_s=0, max_size=64, concurrent_groups=1), ["a", "b", "c"])
    assert answers == ["rated a", "rated b", "rated c"]
    assert sorted(map(tuple, database.groups)) == [("a",), ("b",), ("c",)]


def test_a_group_waits_out_its_window_for_others_unless_it_is_full() -> None:
    """Records that arrive within the window join the group; a full group does not wait
    (an hour's window here: the test would hang if it did)."""
    database = _Database()
    groups = UsageGroups(Gatherer(database.transaction), window_s=3600, max_size=3, concurrent_groups=1)

    async def trickle() -> list[object]:
        first = asyncio.ensure_future(asyncio.gather(*(groups.submit(r) for r in ("a", "b"))))
        for _ in range(5):
            await asyncio.sleep(0)  # the group of a and b is waiting out its window
        assert database.groups == []
        late = await groups.submit("c")
        return [*(await first), late]

    assert asyncio.run(trickle()) == ["rated a", "rated b", "rated c"]
    assert database.groups == [["a", "b", "c"]]


def test_records_that_queued_behind_a_running_group_go_as_it_ends_without_a_window() -> None:
    """They have waited out the running group already: another window would only add to
    their answer's wait (an hour's window here: the test fails on its timeout if they wait)."""
    database = _Database()
    running, release = threading.Event(), threading.Event()

    def held(records: list[str]) -> list[str | BaseException]:  # the first group holds on until c queues
        if not database.groups:
            running.set()
            release.wait(10)
        return database.transaction(records)

    groups = UsageGroups(Gatherer(held), window_s=3600, max_size=2, concurrent_groups=1)

    async def queue_behind() -> list[object]:
        first = asyncio.gather(groups.submit("a"), groups.submit("b"))  # full: goes at once
        await asyncio.to_thread(running.wait, 10)
        late = asyncio.ensure_future(groups.submit("c"))
        await asyncio.sleep(0)  # c is waiting behind the running group
        release.set()
        return [*(await first), await asyncio.wait_for(late, 10)]

    assert asyncio.run(queue_behind()) == ["rated a", "rated b", "rated c"]
    assert database.groups == [["a", "b"], ["c"]]
