"""Wallet to wallet (offer 4.3.1 a, 4.4.4, 4.5.1): one transfer, or a group of them decided
together in one unit of work (`group.WalletOrders`) — the same rules, refusals and
answers, in a few round trips whatever the group's size.

A group goes in rounds: within a round no wallet and no idempotency key appears twice, so
each order's checks read what the rounds before it wrote (a second wrong PIN counts on the
first, a replayed key finds its first receipt, a Light payee's 30-day sum includes what it
received a round before). A round is: the wallets locked and read (one statement, phone
order), then the replay rows and the Light payees' 30-day sums (PostgreSQL: sent with the
lock, one round trip; SQLite: one or two statements), the PINs and checks in Python, then
the ledger, the receipts, the wallets' activity, the right PINs' resets and the events
(PostgreSQL: one statement around one `ledger_post_group` call for every posting, the
group's COMMIT sent with the last one; SQLite: each posting in its own savepoint, then one
or two statements and the events' rows). A refused order writes nothing but its own
security record (a counted wrong PIN).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from yagona.kernel.errors import InvalidRequestError, YagonaError
from yagona.kernel.ids import new_id
from yagona.ledger import posting as posting_path
from yagona.ledger import service as ledger
from yagona.ledger.schemas import TransferCreate
from yagona.platform.uow import UnitOfWork
from yagona.wallet import repository, rules
from yagona.wallet.events import WalletTransferred
from yagona.wallet.repository import OperationRecord, WalletRecord, rounds
from yagona.wallet.schemas import OperationKind, Receipt, Tier
from yagona.wallet.service.common import (
    COMMISSION,
    check_amount,
    ctx,
    ensure_account,
    found,
    operation_values,
    phone_of,
    reason,
    replayed,
    scoped_key,
    status,
    verify_pin,
    wallet_account_code,
)
from yagona.wallet.service.receipts import number, receipt_of

Outcome = Receipt | YagonaError


@dataclass(frozen=True, slots=True)
class TransferOrder:
    """One customer's transfer order, as the channel received it."""

    from_phone: str
    to_phone: str
    amount: int
    pin: str
    idempotency_key: str


@dataclass(frozen=True, slots=True)
class _Order:
    """An order past the checks that need no database: its place in the group, phones, key."""

    index: int
    payer: str
    payee: str
    amount: int
    pin: str
    key: str
    request: dict[str, Any]


@dataclass(frozen=True, slots=True)
class _Posting:
    order: _Order
    op_id: str
    fee: int
    legs: tuple[TransferCreate, ...]


def transfer(
    uow: UnitOfWork, *, from_phone: str, to_phone: str, amount: int, pin: str, idempotency_key: str
) -> Receipt:
    """Wallet to wallet: a top-up of the payee (4.3.1 a). The payee's Light limits hold.
    Both wallets are locked (one statement, phone order) before the PIN and the checks."""
    [outcome] = transfer_many(uow, [TransferOrder(from_phone, to_phone, amount, pin, idempotency_key)], alone=True)
    if isinstance(outcome, YagonaError):
        raise outcome
    return outcome


def transfer_many(
    uow: UnitOfWork,
    orders: Sequence[TransferOrder],
    *,
    alone: bool = False,
    also_lock: Sequence[str] = (),
    last: bool = False,
) -> list[Outcome]:
    """Decide every order in `uow`, in order: each its receipt or its refusal. A refused
    order writes nothing but a counted wrong PIN. `alone`: the caller raises the one order's
    refusal and rolls its unit of work back (no savepoint needed). `also_lock`: wallets the
    first round locks with its own, in the same statement (the group's other wallets: every
    lock of a group is taken at once, in phone order). `last`: nothing is written in `uow`
    after these orders and the caller commits it at once — on PostgreSQL the COMMIT then
    goes with the last round's statement (a round trip less), and the caller's commit has
    nothing left to send; else `uow` is never committed here."""
    outcomes: list[Outcome | None] = [None] * len(orders)
    checked: list[_Order] = []
    for index, order in enumerate(orders):
        try:
            checked.append(_checked(index, order))
        except YagonaError as error:
            outcomes[index] = error
    if also_lock and not checked:  # no round to take them
        repository.lock_wallet_records(uow.session, also_lock)
    batches = _rounds(checked)
    for k, batch in enumerate(batches):
        _round(uow, batch, outcomes, alone=alone, also_lock=also_lock, commit=last and k == len(batches) - 1)
        also_lock = ()
    return [o if o is not None else AssertionError("a transfer without an outcome") for o in outcomes]  # type: ignore[misc]


def _checked(index: int, order: TransferOrder) -> _Order:
    check_amount(order.amount)
    payer, payee = phone_of(order.from_phone), phone_of(order.to_phone, "to")
    if payer == payee:
        raise InvalidRequestError("a transfer needs two different wallets", field="to")
    key = scoped_key(payer, "transfer", order.idempotency_key)
    request = {"op": "transfer", "from": payer, "to": payee, "amount": order.amount}
    return _Order(index, payer, payee, order.amount, order.pin, key, request)


def _rounds(orders: list[_Order]) -> list[list[_Order]]:
    """Consecutive orders sharing no wallet and no key; the next round starts at a repeat."""
    rounds: list[list[_Order]] = []
    seen: set[str] = set()
    for order in orders:
        mine = {order.payer, order.payee, f"key:{order.key}"}
        if not rounds or seen & mine:
            rounds.append([])
            seen = set()
        rounds[-1].append(order)
        seen |= mine
    return rounds


def _round(
    uow: UnitOfWork,
    orders: list[_Order],
    outcomes: list[Outcome | None],
    *,
    alone: bool,
    also_lock: Sequence[str],
    commit: bool,
) -> None:
    s = ctx().settings
    session = uow.session
    since = rules.topup_window_start(uow.clock.now(), days=s.topup_window_days)
    locked, existing, already = rounds.lock_and_read(  # one round trip on PostgreSQL
        session,
        [*also_lock, *(p for o in orders for p in (o.payer, o.payee))],
        keys=[o.key for o in orders],
        payees=[o.payee for o in orders],
        since=since,
    )
    resets: dict[str, str | None] = {}
    live: list[tuple[_Order, WalletRecord, WalletRecord]] = []
    for order in orders:
        try:
            payer = found(locked.get(order.payer), order.payer)
            payee = found(locked.get(order.payee), order.payee)
            verify_pin(uow, payer, order.pin, resets=resets)
        except YagonaError as error:
            outcomes[order.index] = error
            continue
        live.append((order, payer, payee))
    if not live:
        return
    light = {payee.phone for _, _, payee in live if payee.tier == Tier.LIGHT.value}
    postings: list[_Posting] = []
    for order, payer, payee in live:
        try:
            first = existing.get(order.key)
            if first is not None:
                outcomes[order.index] = receipt_of(replayed(first, order.request))
                _reset_pin(session, order.payer, resets)  # answered: its right PIN counts
                continue
            rules.check_usable(status(payer), reason(payer), phone=order.payer)
            rules.check_usable(status(payee), reason(payee), phone=order.payee)
            fee = rules.commission(order.amount, repository.commissions().row("transfer"))
            if order.payee in light:  # 4.5.2: Premium has no limits of the offer
                rules.check_light_topups(
                    already=already.get(order.payee, 0), incoming=order.amount, limit=s.light_limit_tiyin
                )
            postings.append(_Posting(order, new_id(), fee, _legs(uow, order, fee)))
        except YagonaError as error:
            outcomes[order.index] = error
    # The accepted orders' payers' resets are written with their receipts (PostgreSQL) or after
    # them (SQLite); a refused order's are not.
    resets = {p.order.payer: resets[p.order.payer] for p in postings if p.order.payer in resets}
    _settle(uow, postings, outcomes, alone=alone, resets=resets, commit=commit)


def _reset_pin(session: Session, phone: str, resets: dict[str, str | None]) -> None:
    if phone in resets:
        repository.reset_pin_failures(session, phone, pin_hash=resets[phone])


def _legs(uow: UnitOfWork, order: _Order, fee: int) -> tuple[TransferCreate, ...]:
    legs = [
        TransferCreate(
            debit=wallet_account_code(order.payer),
            credit=wallet_account_code(order.payee),
            amount=order.amount,
            reason="wallet.transfer",
        )
    ]
    if fee:  # annex 1 fixes wallet-to-wallet at 0 %; kept for a table that ever says otherwise
        ensure_account(uow, COMMISSION, kind="income", allow_negative=True, shards=8)
        legs.append(
            TransferCreate(debit=wallet_account_code(order.payer), credit=COMMISSION, amount=fee, reason="commission")
        )
    return tuple(legs)


def _settle(
    uow: UnitOfWork,
    postings: list[_Posting],
    outcomes: list[Outcome | None],
    *,
    alone: bool,
    resets: dict[str, str | None],
    commit: bool,
) -> None:
    """The ledger's postings, the receipts, the PIN resets, the events and the answers."""
    if posting_path.on_postgres(uow):  # the postings, the receipts and the events: one statement
        _post_and_write(uow, postings, outcomes, resets=resets, commit=commit)
        return
    accepted = _post(uow, postings, outcomes, alone=alone)
    if accepted:
        _write(uow, accepted, outcomes)
    for p in accepted:
        _reset_pin(uow.session, p.order.payer, resets)


def _post(uow: UnitOfWork, postings: list[_Posting], outcomes: list[Outcome | None], *, alone: bool) -> list[_Posting]:
    """SQLite: every posting through the ledger, each in its own savepoint (a refused one
    rolls back); the accepted ones."""
    accepted: list[_Posting] = []
    for p in postings:
        savepoint = None if alone else uow.session.begin_nested()
        try:
            ledger.post(uow, transfers=p.legs, idempotency_key=f"wallet:{p.op_id}")
        except YagonaError as error:
            if savepoint is not None:
                savepoint.rollback()
            outcomes[p.order.index] = error
            continue
        if savepoint is not None:
            savepoint.commit()
        accepted.append(p)
    return accepted


def _post_and_write(
    uow: UnitOfWork,
    postings: list[_Posting],
    outcomes: list[Outcome | None],
    *,
    resets: dict[str, str | None],
    commit: bool,
) -> None:
    """PostgreSQL: every posting in one `ledger_post_group` call and, in the same statement,
    the receipts, the payers' PIN resets and the events' outbox rows of those it accepted (a
    refused posting wrote nothing, and gets none of them); then the answers."""
    checked: list[tuple[_Posting, posting_path.Posting]] = []
    for p in postings:
        try:
            checked.append((p, posting_path.checked(uow, p.legs, f"wallet:{p.op_id}")))
        except YagonaError as error:
            outcomes[p.order.index] = error
    if not checked:
        return
    now = uow.clock.now()
    call = posting_path.GroupCall([c for _, c in checked], now)
    rows = [_values(p, now) for p, _ in checked]
    events = [_event(p, now, receipt="") for p, _ in checked]  # the statement writes the receipt's number
    outbox = [uow.event_row(event) for event in events]
    answers, seqs = rounds.post_and_insert_operations(
        uow.session, now=call.now, salt=call.salt, postings=call.postings, rows=rows, events=outbox,
        receipt_prefix=rules.RECEIPT_PREFIX, at=now, resets=resets, commit=commit,
    )  # fmt: skip
    for k, ((p, checked_posting), result) in enumerate(zip(checked, call.outcomes(answers), strict=True)):
        try:
            ledger.answer(uow, checked_posting, result)
        except YagonaError as error:
            outcomes[p.order.index] = error
            continue
        if rows[k]["id"] not in seqs:
            raise AssertionError("a posting the ledger accepted without its receipt")
        op = OperationRecord(seq=seqs[rows[k]["id"]], **rows[k])
        if outbox[k] is not None:
            uow.deliver_after_commit(replace(events[k], receipt=number(op)))
        outcomes[p.order.index] = receipt_of(op)


def _values(p: _Posting, now: datetime) -> dict[str, Any]:
    return operation_values(
        p.op_id, kind=OperationKind.TRANSFER, key=p.order.key, request=p.order.request,
        payer=p.order.payer, payee=p.order.payee, amount=p.order.amount, commission=p.fee, at=now,
    )  # fmt: skip


def _write(uow: UnitOfWork, accepted: list[_Posting], outcomes: list[Outcome | None]) -> None:
    """The receipts (one statement) and the wallets' activity; the events; the answers."""
    now = uow.clock.now()
    rows = [_values(p, now) for p in accepted]
    touched = [phone for p in accepted for phone in (p.order.payer, p.order.payee)]
    seqs = repository.insert_operations(uow.session, rows, touch=touched, at=now)
    written = [OperationRecord(seq=seq, **values) for values, seq in zip(rows, seqs, strict=True)]
    _answer(uow, accepted, written, outcomes, now)


def _answer(
    uow: UnitOfWork,
    accepted: list[_Posting],
    written: list[OperationRecord],
    outcomes: list[Outcome | None],
    now: datetime,
) -> None:
    """Each accepted order's event (their outbox rows: one statement) and answer, from its
    receipt as written."""
    uow.add_events(_event(p, now, receipt=number(op)) for p, op in zip(accepted, written, strict=True))
    for p, op in zip(accepted, written, strict=True):
        outcomes[p.order.index] = receipt_of(op)


def _event(p: _Posting, now: datetime, *, receipt: str) -> WalletTransferred:
    return WalletTransferred(
        occurred_at=now,
        from_phone=p.order.payer,
        to_phone=p.order.payee,
        amount=p.order.amount,
        commission=p.fee,
        receipt=receipt,
    )
