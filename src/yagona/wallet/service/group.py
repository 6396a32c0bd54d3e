"""Group commit for the wallet's orders (platform.group_commit): the transfers and the
payments to providers that concurrent requests of one process place share one
transaction. Each order keeps its own idempotency key, answer and refusal; a refused one
never fails its neighbours; none is answered before the commit.

The group locks every wallet it touches first, in one statement in phone order (so two
groups, or a group and a lone order, queue and never deadlock), then decides its orders in
order: consecutive transfers together (`transfers.transfer_many`: a handful of round trips
for the lot), each payment in its own savepoint (`payments.pay`). A payment to a utility
waits for its biller (a network call, under the lock): it runs alone, never holding a group.
`YAGONA_GROUP_COMMIT__ENABLED=false`: every order in its own transaction, the same way.

On PostgreSQL a group's connection is kept out of the pool between groups (as the ledger's
groups keep theirs): no checkout, reset or pre-ping — a round trip — per group. One that
breaks is closed; its group fails as a whole and each order is run again alone.
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from functools import partial

from sqlalchemy import Connection, Engine
from sqlalchemy.orm import sessionmaker

from yagona.kernel.errors import YagonaError
from yagona.platform.bus import EventBus, EventEnvelope
from yagona.platform.group_commit import Gatherer, each_in_savepoint
from yagona.platform.group_commit import options as group_options
from yagona.platform.settings import GroupCommitSettings
from yagona.platform.uow import UnitOfWork, UnitOfWorkFactory
from yagona.wallet import repository
from yagona.wallet.schemas import Receipt
from yagona.wallet.service.common import phone_of
from yagona.wallet.service.payments import pay
from yagona.wallet.service.transfers import TransferOrder, transfer, transfer_many


@dataclass(frozen=True, slots=True)
class PaymentOrder:
    """One customer's payment to a provider, as the channel received it."""

    phone: str
    provider: str
    account: str
    amount: int
    pin: str
    idempotency_key: str


WalletOrder = TransferOrder | PaymentOrder


class WalletOrders:
    """`transfer` and `pay` that commit, gathered with the concurrent orders of this process."""

    def __init__(
        self,
        uow: UnitOfWorkFactory,
        settings: GroupCommitSettings,
        *,
        on_group: Callable[[int], None] | None = None,
    ) -> None:
        self._uow = uow
        self._handover = _Handover(uow)
        self._group: Gatherer[WalletOrder, Receipt] = Gatherer(
            self._in_one_transaction, **group_options(settings, on_group)
        )
        engine = self._handover.engine
        self._kept = _KeptConnections(engine) if settings.enabled and engine.dialect.name == "postgresql" else None
        if self._kept is not None:
            weakref.finalize(self, self._kept.close)  # orders dropped without close()

    @property
    def enabled(self) -> bool:
        return self._group.enabled

    def transfer(self, *, from_phone: str, to_phone: str, amount: int, pin: str, idempotency_key: str) -> Receipt:
        """`service.transfer`, committed."""
        receipt = self._group.submit(TransferOrder(from_phone, to_phone, amount, pin, idempotency_key))
        self._handover.deliver(receipt.number)
        return receipt

    def pay(self, *, phone: str, provider: str, account: str, amount: int, pin: str, idempotency_key: str) -> Receipt:
        """`service.pay`, committed; a utility's payment alone (its biller is a network call)."""
        order = PaymentOrder(phone, provider, account, amount, pin, idempotency_key)
        chosen = repository.providers().get((provider or "").strip())
        if chosen is not None and chosen.kind == "utility":
            with self._uow() as uow:  # a refusal that persists its record is committed on the way out
                receipt = _pay(order, uow)
                uow.commit()
            return receipt
        receipt = self._group.submit(order)
        self._handover.deliver(receipt.number)
        return receipt

    def close(self) -> None:
        """Close the kept connections (the pool opens others when it needs them)."""
        if self._kept is not None:
            self._kept.close()

    def _in_one_transaction(self, orders: list[WalletOrder]) -> list[Receipt | BaseException]:
        with self._connection() as bind, self._handover.uow(bind) as uow:
            outcomes = run_orders(uow, orders, last=True)
            uow.commit()
        return outcomes

    @contextmanager
    def _connection(self) -> Iterator[Connection | Engine]:
        if self._kept is None:
            yield self._handover.engine  # a connection of the pool per unit of work, as any
            return
        with self._kept.taken() as connection:
            yield connection


class _KeptConnections:
    """Connections for the groups, checked out of the engine's pool once and kept between
    groups (as many as groups run at once)."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._idle: list[Connection] = []
        self._lock = threading.Lock()

    @contextmanager
    def taken(self) -> Iterator[Connection]:
        with self._lock:
            connection = self._idle.pop() if self._idle else None
        if connection is None:
            connection = self._engine.connect()
        try:
            yield connection
        finally:
            if connection.invalidated or connection.closed or connection.in_transaction():
                connection.close()  # broken, or left in a state no group should inherit
            else:
                with self._lock:
                    self._idle.append(connection)

    def close(self) -> None:
        # Closed, not returned: the pool may already be disposed.
        with self._lock:
            idle, self._idle = self._idle, []
        for connection in idle:
            connection.invalidate()
            connection.close()


class _Handover:
    """The group's units of work hand each order's events (those naming its receipt) to the
    order's own thread, which runs the consumers at commit (as `UnitOfWork.commit` would)
    once it has its answer: the group's leader does not run every neighbour's consumers
    while the next group waits. Until delivered, the outbox row stays undispatched — a
    process that dies in between leaves it to the outbox's re-dispatch (at least once)."""

    def __init__(self, uow: UnitOfWorkFactory) -> None:
        template = uow()  # the engine, clock, bus and limits of the caller's units of work
        template.session.close()
        self._bus = template.bus
        self._uow = uow
        engine = template.session.get_bind()
        assert isinstance(engine, Engine)
        self.engine = engine
        self._sessions = sessionmaker(expire_on_commit=False, autoflush=True)
        self._template = template
        self._lock = threading.Lock()
        self._held: dict[str, list[EventEnvelope]] = {}
        self._bus_for_groups = _HoldingBus(self)

    def uow(self, bind: Connection | Engine) -> UnitOfWork:
        t = self._template
        return UnitOfWork(
            self._sessions(bind=bind),
            clock=t.clock,
            bus=self._bus_for_groups,
            limits=t.limits,
            publishes_externally=t.publishes_externally,
        )

    def hold(self, envelope: EventEnvelope) -> bool:
        receipt = envelope.payload.get("receipt")
        if not envelope.name.startswith("wallet.") or not isinstance(receipt, str):
            # not an order's own event (a line's top-up, an SMS): delivered by the group, now
            return self._bus.dispatch(envelope)
        with self._lock:
            self._held.setdefault(receipt, []).append(envelope)
        return False  # not yet: the order's thread delivers it and marks the outbox row

    def deliver(self, receipt: str) -> None:
        with self._lock:
            envelopes = self._held.pop(receipt, [])
        delivered = [e.event_id for e in envelopes if self._bus.dispatch(e)]
        if delivered:
            with self._uow() as uow:
                repository.mark_dispatched(uow.session, delivered, at=uow.clock.now())
                uow.commit()


class _HoldingBus(EventBus):
    """The real bus's answers, but delivery at commit goes through `_Handover.hold`."""

    def __init__(self, handover: _Handover) -> None:
        super().__init__()
        self._handover = handover
        self._real = handover._bus

    def has_consumers(self, event_name: str) -> bool:
        return self._real.has_consumers(event_name)

    def defers(self, envelope: EventEnvelope) -> bool:
        return self._real.defers(envelope)

    def keeps(self, event_name: str) -> bool:
        return self._real.keeps(event_name)

    def dispatch(self, envelope: EventEnvelope) -> bool:
        return self._handover.hold(envelope)


def run_orders(uow: UnitOfWork, orders: Sequence[WalletOrder], *, last: bool = False) -> list[Receipt | BaseException]:
    """Decide every order of a group inside `uow`, in order. `last`: the caller commits `uow`
    at once, with nothing written after (`transfer_many`'s: the COMMIT may go with the last
    statement); else `uow` is never committed here."""
    # Every wallet of the group locked first, in one statement (one order locks its own, the
    # same way): by the first transfers' round when they open the group, else here.
    group_phones = _phones(orders) if len(orders) > 1 else []
    if group_phones and isinstance(orders[0], PaymentOrder):
        repository.lock_wallet_records(uow.session, group_phones)
        group_phones = []
    outcomes: list[Receipt | BaseException] = []
    start = 0
    while start < len(orders):
        order = orders[start]
        if isinstance(order, PaymentOrder):
            outcomes.extend(each_in_savepoint(uow, [partial(_pay, order)]))
            start += 1
            continue
        end = start
        while end < len(orders) and isinstance(orders[end], TransferOrder):
            end += 1
        transfers = [o for o in orders[start:end] if isinstance(o, TransferOrder)]
        outcomes.extend(transfer_many(uow, transfers, also_lock=group_phones, last=last and end == len(orders)))
        group_phones = []
        start = end
    return outcomes


def _pay(order: PaymentOrder, uow: UnitOfWork) -> Receipt:
    return pay(
        uow, phone=order.phone, provider=order.provider, account=order.account, amount=order.amount,
        pin=order.pin, idempotency_key=order.idempotency_key,
    )  # fmt: skip


def _phones(orders: Sequence[WalletOrder]) -> list[str]:
    """Every wallet the group's orders name (a malformed number is refused later, by its order)."""
    raw = [p for o in orders for p in ((o.from_phone, o.to_phone) if isinstance(o, TransferOrder) else (o.phone,))]
    phones = []
    for value in raw:
        try:
            phones.append(phone_of(value))
        except YagonaError:
            continue
    return phones


def place_transfer(
    orders: WalletOrders | None,
    uow: UnitOfWork,
    *,
    from_phone: str,
    to_phone: str,
    amount: int,
    pin: str,
    idempotency_key: str,
) -> Receipt:
    """A channel's transfer, committed: with the concurrent orders of this process when the
    app groups them (the channel's own `uow` only read the customer's wallet), else in `uow`."""
    if orders is None:
        receipt = transfer(
            uow, from_phone=from_phone, to_phone=to_phone, amount=amount, pin=pin, idempotency_key=idempotency_key
        )
        uow.commit()
        return receipt
    uow.rollback()  # the read's connection goes back to the pool while the group runs
    return orders.transfer(
        from_phone=from_phone, to_phone=to_phone, amount=amount, pin=pin, idempotency_key=idempotency_key
    )


def place_payment(
    orders: WalletOrders | None,
    uow: UnitOfWork,
    *,
    phone: str,
    provider: str,
    account: str,
    amount: int,
    pin: str,
    idempotency_key: str,
) -> Receipt:
    """A channel's payment to a provider, committed (as `place_transfer`)."""
    if orders is None:
        receipt = pay(
            uow, phone=phone, provider=provider, account=account, amount=amount, pin=pin,
            idempotency_key=idempotency_key,
        )  # fmt: skip
        uow.commit()
        return receipt
    uow.rollback()
    return orders.pay(
        phone=phone, provider=provider, account=account, amount=amount, pin=pin, idempotency_key=idempotency_key
    )
