"""Every query of the wallet, and the loading of its data files (providers, commissions).

The hot path of transfers and payments is in Core, with statements built once (as the
ledger's): lock the wallets, read the replay row and the 30-day sum, insert the receipt
and touch the wallets — a handful of round trips, no ORM flush, no identity map. A round
of transfers on PostgreSQL takes two, on the bare driver: `rounds`."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, fields
from datetime import datetime
from functools import lru_cache
from importlib.resources import files
from typing import Any, TypeVar, cast

import yaml
from pydantic import ValidationError
from sqlalchemy import Table, bindparam, func, insert, inspect, literal, or_, select, text, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.util import identity_key

from yagona.platform.models import OutboxRow
from yagona.wallet.models import WalletAccount, WalletOperation
from yagona.wallet.schemas import TOPUP_KINDS, CommissionTable, OperationStatus, ProviderCatalogue

_Data = TypeVar("_Data", ProviderCatalogue, CommissionTable)

PROVIDERS_FILE = "providers.yaml"
COMMISSIONS_FILE = "commissions.yaml"


class WalletDataInvalidError(RuntimeError):
    """A shipped data file does not validate: the wallet refuses to start on it."""


# --- wallets ------------------------------------------------------------------------------


def wallet(session: Session, phone: str) -> WalletAccount | None:
    return session.get(WalletAccount, phone)


def lock_wallets(session: Session, phones: Iterable[str]) -> dict[str, WalletAccount]:
    """Read the wallets `FOR UPDATE` in phone order (PostgreSQL), so two operations on the same
    wallets queue and never deadlock; SQLite serialises writers anyway."""
    wanted = sorted(set(phones))
    rows = session.scalars(
        select(WalletAccount)
        .where(WalletAccount.phone.in_(wanted))
        .order_by(WalletAccount.phone)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).all()
    return {row.phone: row for row in rows}


def add_wallet(session: Session, row: WalletAccount) -> None:
    session.add(row)
    session.flush()


def wallets_page(session: Session, *, after_phone: str | None, limit: int) -> list[WalletAccount]:
    query = select(WalletAccount).order_by(WalletAccount.phone).limit(limit)
    if after_phone is not None:
        query = query.where(WalletAccount.phone > after_phone)
    return list(session.scalars(query).all())


# --- the hot path, in Core -----------------------------------------------------------------------

WALLET = cast(Table, WalletAccount.__table__)
OPERATION = cast(Table, WalletOperation.__table__)


@dataclass(frozen=True, slots=True)
class WalletRecord:
    """What an operation checks of a locked wallet."""

    phone: str
    tier: str
    state: str
    block_reason: str | None
    pin_hash: str | None
    pin_failures: int
    pin_locked_until: datetime | None


@dataclass(frozen=True, slots=True)
class OperationRecord:
    """A `wallet_operation` row, read or just written (what a receipt shows)."""

    seq: int
    id: str
    kind: str
    status: str
    payer_phone: str | None
    payee_phone: str | None
    source: str | None
    provider: str | None
    account: str | None
    amount: int
    commission: int
    idempotency_key: str
    request_hash: str
    ledger_transfer_id: str | None
    created_at: datetime
    completed_at: datetime | None
    biller_confirmation: str | None = None


_WALLET_COLUMNS = [WALLET.c[f.name] for f in fields(WalletRecord)]
_OPERATION_COLUMNS = [OPERATION.c[f.name] for f in fields(OperationRecord)]

_LOCK_WALLETS = (
    select(*_WALLET_COLUMNS)
    .where(WALLET.c.phone.in_(bindparam("phones", expanding=True)))
    .order_by(WALLET.c.phone)
    .with_for_update()
)
_OPERATION_BY_KEY = select(literal(0), *_OPERATION_COLUMNS).where(OPERATION.c.idempotency_key == bindparam("key"))
_TOPUPS = (
    select(func.coalesce(func.sum(OPERATION.c.amount + OPERATION.c.commission), 0).label("total"))
    .where(
        OPERATION.c.payee_phone == bindparam("payee"),
        OPERATION.c.created_at >= bindparam("since"),
        OPERATION.c.kind.in_([k.value for k in TOPUP_KINDS]),
        OPERATION.c.status.in_([OperationStatus.PENDING.value, OperationStatus.COMPLETED.value]),
    )
    .subquery("topups")
)
# One round trip: the 30-day sum (always one row), and the replay row beside it if any.
_OPERATION_BY_KEY_AND_TOPUPS = select(_TOPUPS.c.total, *_OPERATION_COLUMNS).select_from(
    _TOPUPS.outerjoin(OPERATION, OPERATION.c.idempotency_key == bindparam("key"))
)
_INSERT_OPERATION = insert(OPERATION).returning(OPERATION.c.seq)
_TOUCH = (
    update(WALLET)
    .where(WALLET.c.phone.in_(bindparam("touch_phones", expanding=True)))
    .values(last_activity_at=bindparam("touch_at"))
)
# PostgreSQL: the receipt and the wallets' activity in one statement (a writing CTE).
_INSERT_OPERATION_AND_TOUCH = (
    insert(OPERATION)
    .values({c.name: bindparam(f"op_{c.name}", type_=c.type) for c in OPERATION.c if c.name != "seq"})
    .returning(OPERATION.c.seq)
    .add_cte(_TOUCH.cte("touched"))
)
_RESET_PIN_FAILURES = update(WALLET).where(WALLET.c.phone == bindparam("w_phone")).values(pin_failures=0)


def lock_wallet_records(session: Session, phones: Iterable[str]) -> dict[str, WalletRecord]:
    """`lock_wallets` for the hot path: the same locks, in the same (phone) order, one
    statement, plain records. Call `forget_loaded_wallets` after writing with Core."""
    session.flush()  # what the ORM's autoflush did before its query: pending changes go first
    rows = session.connection().execute(_LOCK_WALLETS, {"phones": sorted(set(phones))})
    return {row.phone: WalletRecord(*row) for row in rows}


def replay_and_topups(
    session: Session, idempotency_key: str, *, payee: str | None, since: datetime | None
) -> tuple[OperationRecord | None, int]:
    """The operation already recorded under `idempotency_key` (or None) and, when `payee` is
    given, its top-ups since `since` (as `topups_since`), in one round trip."""
    if payee is None:
        row = session.connection().execute(_OPERATION_BY_KEY, {"key": idempotency_key}).first()
    else:
        params = {"key": idempotency_key, "payee": payee, "since": since}
        row = session.connection().execute(_OPERATION_BY_KEY_AND_TOPUPS, params).one()
    if row is None:
        return None, 0
    total, *operation = row
    return (OperationRecord(*operation) if operation[0] is not None else None), int(total or 0)


def insert_operation(session: Session, values: dict[str, Any], *, touch: Iterable[str], at: datetime) -> int:
    """Insert the operation (its receipt) and set the wallets' `last_activity_at`; returns
    the receipt's `seq`. One round trip on PostgreSQL, two on SQLite."""
    connection = session.connection()
    phones = sorted(set(touch))
    if not phones:  # a pending operation (a held card top-up) is no activity until it completes
        return int(connection.execute(_INSERT_OPERATION, values).scalar_one())
    if connection.dialect.name == "postgresql":
        params = {f"op_{name}": value for name, value in values.items()}
        params |= {"touch_phones": phones, "touch_at": at}
        seq = connection.execute(_INSERT_OPERATION_AND_TOUCH, params).scalar_one()
    else:
        seq = connection.execute(_INSERT_OPERATION, values).scalar_one()
        connection.execute(_TOUCH, {"touch_phones": phones, "touch_at": at})
    forget_loaded_wallets(session, phones)
    return int(seq)


# A group of transfers (service.group): the replay rows of many keys, the 30-day sums of
# many payees, and many receipts — a round trip each, whatever the group's size.
_OPERATIONS_BY_KEYS = select(*_OPERATION_COLUMNS).where(
    OPERATION.c.idempotency_key.in_(bindparam("keys", expanding=True))
)
_TOPUPS_OF = (
    select(OPERATION.c.payee_phone, func.sum(OPERATION.c.amount + OPERATION.c.commission))
    .where(
        OPERATION.c.payee_phone.in_(bindparam("payees", expanding=True)),
        OPERATION.c.created_at >= bindparam("since"),
        OPERATION.c.kind.in_([k.value for k in TOPUP_KINDS]),
        OPERATION.c.status.in_([OperationStatus.PENDING.value, OperationStatus.COMPLETED.value]),
    )
    .group_by(OPERATION.c.payee_phone)
)
_INSERT_OPERATIONS = insert(OPERATION).returning(OPERATION.c.seq, sort_by_parameter_order=True)
# PostgreSQL: the receipts of a group and the wallets' activity in one statement whose text
# does not change with the group's size (a multi-row VALUES would be parsed anew each time).
TEXT_COLUMNS = [c for c in OPERATION.c if c.name not in {"seq", "amount", "commission", "created_at", "completed_at"}]
TEXT_NAMES = ", ".join(c.name for c in TEXT_COLUMNS)
RECORDSET = ", ".join([f"{c.name} text" for c in TEXT_COLUMNS] + ["amount bigint", "commission bigint"])
_INSERT_OPERATIONS_AND_TOUCH_PG = text(  # the names are the model's columns, never input
    "WITH touched AS (UPDATE wallet_account SET last_activity_at = :at WHERE phone = ANY(:phones)) "  # noqa: S608
    f"INSERT INTO wallet_operation ({TEXT_NAMES}, amount, commission, created_at, "
    f"completed_at) SELECT {TEXT_NAMES}, amount, commission, :at, :at "
    f"FROM jsonb_to_recordset(CAST(:rows AS jsonb)) AS r({RECORDSET}) RETURNING id, seq"
)


def replays_and_topups(
    session: Session, idempotency_keys: Iterable[str], *, payees: Iterable[str], since: datetime
) -> tuple[dict[str, OperationRecord], dict[str, int]]:
    """`replay_and_topups` for many keys and payees at once: the operations already recorded
    under these keys, by key, and each payee's top-ups since `since`."""
    connection = session.connection()
    rows = connection.execute(_OPERATIONS_BY_KEYS, {"keys": sorted(set(idempotency_keys))})
    existing = {record.idempotency_key: record for record in (OperationRecord(*row) for row in rows)}
    wanted = sorted(set(payees))
    totals: dict[str, int] = {}
    if wanted:
        sums = connection.execute(_TOPUPS_OF, {"payees": wanted, "since": since})
        totals = {phone: int(total or 0) for phone, total in sums}
    return existing, totals


def insert_operations(session: Session, rows: list[dict[str, Any]], *, touch: Iterable[str], at: datetime) -> list[int]:
    """`insert_operation` for many completed operations: their `seq`s in order, and the
    wallets' `last_activity_at` — two round trips."""
    if len(rows) == 1:
        return [insert_operation(session, rows[0], touch=touch, at=at)]
    connection = session.connection()
    phones = sorted(set(touch))
    if connection.dialect.name == "postgresql" and phones and all(r["completed_at"] == at for r in rows):
        encoded = json.dumps([{c.name: r[c.name] for c in TEXT_COLUMNS} | amounts(r) for r in rows])
        answer = connection.execute(_INSERT_OPERATIONS_AND_TOUCH_PG, {"rows": encoded, "phones": phones, "at": at})
        by_id = {op_id: int(seq) for op_id, seq in answer}
        forget_loaded_wallets(session, phones)
        return [by_id[r["id"]] for r in rows]
    seqs = [int(seq) for seq in connection.execute(_INSERT_OPERATIONS, rows).scalars()]
    if phones:
        connection.execute(_TOUCH, {"touch_phones": phones, "touch_at": at})
        forget_loaded_wallets(session, phones)
    return seqs


def amounts(row: dict[str, Any]) -> dict[str, int]:
    return {"amount": row["amount"], "commission": row["commission"]}


def mark_dispatched(session: Session, event_ids: list[str], *, at: datetime) -> None:
    """Events of the wallet's orders delivered to the bus's consumers after their group's
    commit (service.group): their outbox rows are done, as `UnitOfWork.commit` marks them."""
    session.execute(update(OutboxRow).where(OutboxRow.event_id.in_(event_ids)).values(dispatched_at=at))


def touch_wallets(session: Session, phones: Iterable[str], *, at: datetime) -> None:
    """An operation (4.6.1 d): it postpones dormancy. The due job reschedules itself."""
    wanted = sorted(set(phones))
    session.connection().execute(_TOUCH, {"touch_phones": wanted, "touch_at": at})
    forget_loaded_wallets(session, wanted)


def reset_pin_failures(session: Session, phone: str, *, pin_hash: str | None = None) -> None:
    """A right PIN: the count back to zero (and, given `pin_hash`, the PIN's hash replaced)."""
    if pin_hash is None:
        session.connection().execute(_RESET_PIN_FAILURES, {"w_phone": phone})
    else:
        session.connection().execute(_RESET_PIN_FAILURES.values(pin_hash=pin_hash), {"w_phone": phone})
    forget_loaded_wallets(session, [phone])


def forget_loaded_wallets(session: Session, phones: Iterable[str]) -> None:
    """Wallet objects the session loaded earlier are stale after a Core write: expire them,
    so the next ORM read sees the row (as `populate_existing` did). Changes not yet
    flushed are flushed first, not lost."""
    if not session.identity_map:  # nothing loaded (a group of transfers): nothing to look up
        return
    for phone in phones:
        loaded = session.identity_map.get(identity_key(WalletAccount, phone))
        if loaded is not None:
            if inspect(loaded).modified:
                session.flush()
            session.expire(loaded)


# --- operations and receipts: one way to write them (Core), read as records -----------------

_OPERATION_BY_SEQ = select(*_OPERATION_COLUMNS).where(OPERATION.c.seq == bindparam("seq"))
_SETTLE = (
    update(OPERATION)
    .where(OPERATION.c.seq == bindparam("s_seq"))
    .values(status=bindparam("s_status"), completed_at=bindparam("s_at"))
)


def operation(session: Session, seq: int) -> OperationRecord | None:
    row = session.connection().execute(_OPERATION_BY_SEQ, {"seq": seq}).first()
    return OperationRecord(*row) if row is not None else None


def settle_operation(session: Session, seq: int, *, status: str, at: datetime) -> None:
    """A pending operation (a held card top-up) completed or declined."""
    session.connection().execute(_SETTLE, {"s_seq": seq, "s_status": status, "s_at": at})


def topups_since(session: Session, phone: str, since: datetime) -> int:
    """Top-ups (amount + commission) received since `since`, pending card top-ups included."""
    total = session.connection().execute(select(_TOPUPS.c.total), {"payee": phone, "since": since}).scalar()
    return int(total or 0)


def operations_of(
    session: Session, phone: str, *, before_seq: int | None, limit: int, kinds: Iterable[str] | None = None
) -> list[OperationRecord]:
    query = (
        select(*_OPERATION_COLUMNS)
        .where(or_(OPERATION.c.payer_phone == phone, OPERATION.c.payee_phone == phone))
        .order_by(OPERATION.c.seq.desc())
        .limit(limit)
    )
    if before_seq is not None:
        query = query.where(OPERATION.c.seq < before_seq)
    if kinds is not None:
        query = query.where(OPERATION.c.kind.in_(list(kinds)))
    return [OperationRecord(*row) for row in session.connection().execute(query)]


def wallets_of(session: Session, phones: Iterable[str]) -> list[WalletAccount]:
    """The wallets on these phones (a customer's own numbers), in phone order."""
    wanted = sorted(set(phones))
    if not wanted:
        return []
    return list(
        session.scalars(select(WalletAccount).where(WalletAccount.phone.in_(wanted)).order_by(WalletAccount.phone))
    )


# --- data files ---------------------------------------------------------------------------------


@lru_cache(maxsize=1)
def providers() -> ProviderCatalogue:
    catalogue = _load(PROVIDERS_FILE, ProviderCatalogue)
    table = commissions()
    known = {row.operation for row in table.rows}
    unknown = sorted({p.commission for p in catalogue.providers} - known)
    if unknown:
        raise WalletDataInvalidError(f"{PROVIDERS_FILE}: commission rows not in {COMMISSIONS_FILE}: {unknown}")
    return catalogue


@lru_cache(maxsize=1)
def commissions() -> CommissionTable:
    return _load(COMMISSIONS_FILE, CommissionTable)


def _load(name: str, model: type[_Data]) -> _Data:
    text = files("yagona.wallet").joinpath("data", name).read_text(encoding="utf-8")
    try:
        return model.model_validate(yaml.safe_load(text))
    except (yaml.YAMLError, ValidationError) as error:
        raise WalletDataInvalidError(f"{name}: {error}") from error
