"""Money paid in: a top-up (cash desk, card, partner), or the wallet's `mobile` provider."""

from __future__ import annotations

import hashlib

from yagona.catalog import service as catalog
from yagona.kernel.clock import TASHKENT
from yagona.kernel.money import Money
from yagona.ledger import service as ledger
from yagona.lines import repository, rules
from yagona.lines.errors import InvalidRequestError, LineNotFoundError
from yagona.lines.events import LineToppedUp
from yagona.lines.models import Bundle, Line
from yagona.lines.schemas import LineState, TopUpRead
from yagona.lines.service._base import (
    PAYMENTS,
    UNBLOCK,
    account_of,
    balance,
    duration,
    ensure_operator_accounts,
    line_for_change,
    night_end,
    night_start,
    normalised,
    own_number,
    state,
)
from yagona.platform import jobs
from yagona.platform.bus import consume_once
from yagona.platform.uow import UnitOfWork


def top_up(
    uow: UnitOfWork, *, msisdn: str, amount: Money, idempotency_key: str, source_account: str = PAYMENTS
) -> LineState:
    """Pay money in. A line blocked for debt is unblocked in the night window (at once when the
    top-up is made inside it); Mening Davram grants its top-up bonus. A replay with the same
    key changes nothing."""
    if amount.tiyin <= 0:
        raise InvalidRequestError("a top-up is a positive amount", field="amount")
    line = line_for_change(uow, msisdn)
    ensure_operator_accounts(uow)
    ledger.transfer(
        uow,
        debit=source_account,
        credit=account_of(line.msisdn),
        amount=amount.tiyin,
        reason="topup",
        idempotency_key=idempotency_key,
    )
    _after_top_up(uow, line, amount.tiyin, idempotency_key=idempotency_key, source=_source(source_account))
    return state(uow, msisdn=line.msisdn)


class MobilePayments:
    """The provider `mobile` of the wallet: the account is a line's number, the payment tops
    up that line's balance. The wallet moves the money (to `settlement_account`) in its own
    linked batch; `apply_payment` does what a top-up does next, in the same transaction.
    It satisfies the wallet's PaymentProvider protocol without importing it (siblings)."""

    def settlement_account(self, uow: UnitOfWork, *, account: str) -> str:
        msisdn = own_number(account)
        if repository.line(uow.session, msisdn) is None:
            raise LineNotFoundError(f"no line {account}", msisdn=account)
        return account_of(msisdn)

    def apply_payment(self, uow: UnitOfWork, *, account: str, amount: int, idempotency_key: str) -> None:
        line = line_for_change(uow, own_number(account))
        _after_top_up(uow, line, amount, idempotency_key=idempotency_key, source="wallet")


def _after_top_up(uow: UnitOfWork, line: Line, amount: int, *, idempotency_key: str, source: str) -> None:
    """What follows money paid in: the top-up bonus, the unblock in the night window."""
    now = uow.clock.now()
    marker = hashlib.sha256(idempotency_key.encode()).hexdigest()[:32]
    if not consume_once(uow.session, consumer="lines.top_up", event_id=marker, now=now):
        return  # this top-up was applied before: its bonus and its unblock are already there
    plan = catalog.get_plan(line.plan_id)
    if plan.topup_bonus is not None:
        bonus = plan.topup_bonus
        current = repository.remaining_by_key(repository.live_bundles(uow.session, line.id, now)).get(bonus.bundle, 0)
        granted = rules.topup_bonus(
            amount, min_topup_tiyin=bonus.min_topup.tiyin, grant=bonus.amount, cap=bonus.max_balance, current=current
        )
        if granted:
            repository.add_bundle(
                uow.session,
                Bundle(
                    line_id=line.id,
                    key=bonus.bundle,
                    origin="bonus",
                    granted=granted,
                    remaining=granted,
                    expires_at=now + duration(bonus.validity),
                ),
            )
    if line.status == "blocked" and line.block_reason == "debt" and rules.leaves_debt_block(balance(uow, line.msisdn)):
        # Price list: the fee is charged when the customer tops up *in* the 00:00-06:00 window
        # and leaves the block — in that window: the unblock is due now; otherwise the next night.
        inside = rules.in_night_window(now, night_start(), night_end())
        due = now if inside else rules.next_night_window(now, night_start())
        jobs.schedule(
            uow.session,
            key=f"{UNBLOCK}:{line.msisdn}:{due.astimezone(TASHKENT).date().isoformat()}",
            kind=UNBLOCK,
            due_at=due,
            payload={"msisdn": line.msisdn},
            now=now,
        )
    uow.add_event(LineToppedUp(occurred_at=now, msisdn=line.msisdn, amount_tiyin=amount, source=source))


def take_back(uow: UnitOfWork, *, msisdn: str, amount: int, destination_account: str, idempotency_key: str) -> bool:
    """A payer takes back a top-up (a payment system's cancel): the money leaves the line only
    while the line still holds it; else nothing moves (False). A line may go negative (debt),
    so the ledger does not refuse by itself: the check is made after the debit, under the
    ledger's lock on the line's totals (held to commit), so two take-backs, or a take-back and
    a spend, cannot both use the same money."""
    line = line_for_change(uow, msisdn)
    savepoint = uow.session.begin_nested()
    try:
        ledger.transfer(
            uow, debit=account_of(line.msisdn), credit=destination_account, amount=amount,
            reason="topup.reversal", idempotency_key=idempotency_key,
        )  # fmt: skip
    except BaseException:
        savepoint.rollback()
        raise
    if balance(uow, line.msisdn) < 0:
        savepoint.rollback()
        return False
    savepoint.commit()
    return True


TOP_UP_SCAN_PAGES = 10  # the line's ledger history is read newest first, at most this many pages


def top_ups(uow: UnitOfWork, *, msisdn: str, limit: int = 20) -> list[TopUpRead]:
    """The latest money paid into the line and taken back by a payer, newest first: what a
    payment through Payme, Click, the wallet or a cash desk looks like in the line's history."""
    code = account_of(normalised(msisdn))
    found: list[TopUpRead] = []
    cursor: str | None = None
    for _ in range(TOP_UP_SCAN_PAGES):
        page = ledger.history(uow, code=code, cursor=cursor, limit=50)
        for t in page.items:
            paid_in = t.credit == code and not t.debit.startswith("operator:")  # not a bonus or refund
            if paid_in or (t.debit == code and t.reason == "topup.reversal"):
                other = t.debit if paid_in else t.credit
                amount = t.amount if paid_in else -t.amount
                found.append(TopUpRead(at=t.created_at, amount=amount, source=_source(other)))
        cursor = page.next_cursor
        if len(found) >= limit or cursor is None:
            break
    return found[:limit]


def _source(account: str) -> str:
    kind, _, name = account.partition(":")
    return {"external": name, "wallet": "wallet"}.get(kind, account)
