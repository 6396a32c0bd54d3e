"""REST of mobile lines for staff and network systems (the staff key): connect, top up from a
cash desk or partner, usage records from mediation, state, switch, reload, blocks, promos, USSD."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from starlette.concurrency import run_in_threadpool

from yagona.lines import service, ussd
from yagona.lines.routes.views import (
    STAFF_PROBLEMS,
    BatchAnswer,
    BlockCreate,
    LineCreate,
    LineView,
    MsisdnPath,
    PlanChange,
    PromoPath,
    TopUpCreate,
    UsageBatch,
    UsageView,
    UssdRequest,
    batch_item,
)
from yagona.lines.schemas import UsageRecord, UsageResult, UssdAnswer
from yagona.platform.api import idempotency_key
from yagona.platform.auth import require_staff
from yagona.platform.group_commit import Gatherer, GroupCommit
from yagona.platform.group_commit import options as group_options
from yagona.platform.i18n import negotiate
from yagona.platform.settings import GroupCommitSettings
from yagona.platform.uow import UnitOfWork, UnitOfWorkFactory
from yagona.platform.web import unit_of_work

router = APIRouter(
    prefix="/api/v1/lines", tags=["lines (staff)"], dependencies=[Depends(require_staff)], responses=STAFF_PROBLEMS
)
usage_router = APIRouter(
    prefix="/api/v1/usage", tags=["lines (staff)"], dependencies=[Depends(require_staff)], responses=STAFF_PROBLEMS
)
Uow = Annotated[UnitOfWork, Depends(unit_of_work)]


@router.post("", status_code=201)
def connect(body: LineCreate, uow: Uow) -> LineView:
    line = service.connect(uow, msisdn=body.msisdn, plan_id=body.plan, deposit=body.deposit, region=body.region)
    uow.commit()
    return LineView.of(line)


@router.get("/{msisdn}")
def get_line(msisdn: MsisdnPath, uow: Uow) -> LineView:
    return LineView.of(service.state(uow, msisdn=msisdn))


@router.post("/{msisdn}/topups", status_code=201)
def top_up(msisdn: MsisdnPath, body: TopUpCreate, uow: Uow, key: Annotated[str, Depends(idempotency_key)]) -> LineView:
    """Money paid in at a cash desk, by card or through a partner (retry with the same key)."""
    line = service.top_up(uow, msisdn=msisdn, amount=body.amount, idempotency_key=f"lines.topup:{key}")
    uow.commit()
    return LineView.of(line)


@router.post("/{msisdn}/plan")
def switch_plan(msisdn: MsisdnPath, body: PlanChange, uow: Uow) -> LineView:
    line = service.switch_plan(uow, msisdn=msisdn, plan_id=body.plan)
    uow.commit()
    return LineView.of(line)


@router.post("/{msisdn}/reload")
def reload(msisdn: MsisdnPath, uow: Uow) -> LineView:
    line = service.reload(uow, msisdn=msisdn)
    uow.commit()
    return LineView.of(line)


@router.post("/{msisdn}/block")
def block(msisdn: MsisdnPath, body: BlockCreate, uow: Uow) -> LineView:
    line = service.block(uow, msisdn=msisdn, reason=body.reason)
    uow.commit()
    return LineView.of(line)


@router.post("/{msisdn}/unblock")
def unblock(msisdn: MsisdnPath, uow: Uow) -> LineView:
    line = service.unblock(uow, msisdn=msisdn)
    uow.commit()
    return LineView.of(line)


@router.post("/{msisdn}/promos/{promo_id}", status_code=201)
def activate_promo(msisdn: MsisdnPath, promo_id: PromoPath, uow: Uow) -> LineView:
    """Start a promo subscription (Beeline Music starts in its app; TV also by `*20#`)."""
    line = service.activate_promo(uow, msisdn=msisdn, promo_id=promo_id)
    uow.commit()
    return LineView.of(line)


@router.delete("/{msisdn}/promos/{promo_id}", status_code=204)
def switch_off_promo(msisdn: MsisdnPath, promo_id: PromoPath, uow: Uow) -> None:
    """Switch a promo subscription off: no daily fee from now on."""
    service.switch_off_promo(uow, msisdn=msisdn, promo_id=promo_id)
    uow.commit()


@router.post("/{msisdn}/ussd")
def dial_ussd(msisdn: MsisdnPath, body: UssdRequest, uow: Uow) -> UssdAnswer:
    answer = ussd.dial(uow, msisdn=msisdn, code=body.code)
    uow.commit()
    return answer


UsageGroup = GroupCommit[UsageRecord, UsageResult]


class UsageGroups:
    """Group commit for the records mediation posts one per request (platform.group_commit):
    the records of concurrent requests are rated together — as a batch, in a few round trips —
    and committed once; each request gets its own answer or refusal, after the commit.

    The requests are gathered here, on the server's event loop, and each group is handed to
    the database in one worker thread: one thread hop per group rather than one per request
    (which cost more CPU than the rating). A group waits at most `window_s` for records to
    join (less once `max_size` wait); while `concurrent_groups` groups are in their
    transactions, the records that arrive wait and form the next group, which goes as soon as
    one ends (they have waited out more than a window already)."""

    def __init__(
        self,
        group: Gatherer[UsageRecord, UsageResult],
        *,
        window_s: float,
        max_size: int,
        concurrent_groups: int,
    ) -> None:
        self.group = group
        self._window_s = window_s
        self._max_size = max_size
        self._free = concurrent_groups
        self._waiting: list[tuple[UsageRecord, asyncio.Future[UsageResult]]] = []
        self._filling: set[asyncio.Future[None]] = set()  # groups waiting out their window
        self._runs: set[asyncio.Task[None]] = set()  # the loop keeps only weak references

    async def submit(self, record: UsageRecord) -> UsageResult:
        """Rate `record` in the next group; its result after the commit, or its refusal raised."""
        if not self.group.enabled:  # each record alone, in its own transaction
            return await run_in_threadpool(self.group.submit, record)
        answer: asyncio.Future[UsageResult] = asyncio.get_running_loop().create_future()
        self._waiting.append((record, answer))
        if len(self._waiting) >= self._max_size:
            self._filled()
        if self._free > 0:
            self._free -= 1
            run = asyncio.get_running_loop().create_task(self._run())
            self._runs.add(run)
            run.add_done_callback(self._runs.discard)
        return await answer

    async def _run(self) -> None:
        """Takes the waiting records as groups until none wait. Only the first group waits out
        the window: the records that queued while a group ran have waited longer than that."""
        try:
            first = True
            while self._waiting:
                if first:
                    await self._fill()
                else:
                    await asyncio.sleep(0)  # the requests this turn of the loop has read join
                first = False
                taken, self._waiting = self._waiting[: self._max_size], self._waiting[self._max_size :]
                await self._rate(taken)
        finally:
            self._free += 1

    async def _rate(self, taken: list[tuple[UsageRecord, asyncio.Future[UsageResult]]]) -> None:
        """One group in the database, on a worker thread; each request answered by its own
        outcome (a request that went away meanwhile is skipped)."""
        try:
            outcomes = await run_in_threadpool(self.group.run_group, [record for record, _ in taken])
        except BaseException as error:  # never answered otherwise: each waiter gets it
            for _, answer in taken:
                if not answer.done():
                    answer.set_exception(error)
            raise
        for (_, answer), outcome in zip(taken, outcomes, strict=True):
            if answer.done():
                continue
            if isinstance(outcome, BaseException):
                answer.set_exception(outcome)
            else:
                answer.set_result(outcome)

    async def _fill(self) -> None:
        """Let records join the group for at most the window (less once `max_size` wait)."""
        if self._window_s <= 0 or len(self._waiting) >= self._max_size:
            await asyncio.sleep(0)  # the requests this turn of the loop has read join
            return
        loop = asyncio.get_running_loop()
        filled: asyncio.Future[None] = loop.create_future()
        self._filling.add(filled)
        timer = loop.call_later(self._window_s, self._filled)
        try:
            await filled
        finally:
            timer.cancel()
            self._filling.discard(filled)

    def _filled(self) -> None:
        """The window is over, or a group is full: the groups gathering go."""
        for filled in self._filling:
            if not filled.done():
                filled.set_result(None)


def usage_group(
    uow: UnitOfWorkFactory, settings: GroupCommitSettings, *, on_group: Callable[[int], None] | None = None
) -> UsageGroups:
    """The group commit behind `POST /api/v1/usage` (`UsageGroups`), from the settings."""
    gatherer: UsageGroup = GroupCommit(
        uow,
        # the group's last writes: the COMMIT goes with them (PostgreSQL), GroupCommit's has nothing left
        lambda uow, records: list(service.rate_usages(uow, records=records, last=True)),
        **group_options(settings, on_group),
    )
    return UsageGroups(
        gatherer,
        window_s=settings.window_ms / 1_000,
        max_size=settings.max_size,
        concurrent_groups=settings.concurrent_groups,
    )


@usage_router.post("", status_code=201)
async def post_usage(body: UsageRecord, request: Request) -> UsageView:
    """Rate one usage record; a repeated record id is charged once and answers the same.
    Answered once the record is committed (with the records of concurrent requests)."""
    groups: UsageGroups = request.app.state.usage_group
    return UsageView.of(await groups.submit(body))


@usage_router.post("/batch")
def post_usage_batch(body: UsageBatch, uow: Uow, request: Request) -> BatchAnswer:
    """Rate a batch (a CDR file, a mediation batch; at most `limits.batch_size_max` records):
    each record is answered, with its id, by its result or its refusal; a refused record
    writes nothing and does not stop the others."""
    outcomes = service.rate_raw(uow, records=body.records)
    uow.commit()
    language = negotiate(request.headers.get("accept-language"))
    return BatchAnswer(
        results=[batch_item(raw, outcome, language) for raw, outcome in zip(body.records, outcomes, strict=True)]
    )
