"""Every query of the ledger. Core statements on the hot path: a transfer is a handful
of round trips, not an ORM flush."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, fields
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Table, bindparam, func, insert, literal, or_, select, tuple_, union_all, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session, aliased

from yagona.ledger.models import Account, Balance, Batch, Transfer
from yagona.ledger.rules import Totals

ShardKey = tuple[int, int]  # (account id, shard)


ACCOUNT = cast(Table, Account.__table__)
BALANCE = cast(Table, Balance.__table__)
BATCH = cast(Table, Batch.__table__)
TRANSFER = cast(Table, Transfer.__table__)

# Hot-path statements are built once: a transfer then costs a handful of round trips and
# no statement compilation.
_SAVE_TOTALS = (
    update(BALANCE)
    .where(BALANCE.c.account_id == bindparam("k_account"), BALANCE.c.shard == bindparam("k_shard"))
    .values(
        debits_posted=bindparam("dp"),
        credits_posted=bindparam("cp"),
        debits_pending=bindparam("dh"),
        credits_pending=bindparam("ch"),
    )
)
# RETURNING id with seq, matched back by the id we generated: without a required order
# SQLite gets one multi-row INSERT instead of one statement per row.
_INSERT_TRANSFERS = insert(TRANSFER).returning(TRANSFER.c.id, TRANSFER.c.seq)


@dataclass(frozen=True, slots=True)
class AccountRecord:
    id: int
    code: str
    owner: str
    kind: str
    unit: str
    allow_negative: bool
    upper_limit: int | None
    shards: int


_ACCOUNT_COLUMNS = [getattr(ACCOUNT.c, f.name) for f in fields(AccountRecord)]
_ACCOUNTS_BY_CODE = select(*_ACCOUNT_COLUMNS).where(ACCOUNT.c.code.in_(bindparam("codes", expanding=True)))
_ACCOUNTS_BY_ID = select(*_ACCOUNT_COLUMNS).where(ACCOUNT.c.id.in_(bindparam("ids", expanding=True)))


def _json_values(name: str) -> Any:
    """SQLite: `IN (SELECT value FROM json_each(:name))` — one parameter holding a JSON array.
    An expanding IN renders one parameter per value at every execution: for a batch of a
    thousand transfers that is a tenth of its CPU."""
    return select(func.json_each(bindparam(name)).table_valued("value").c.value).scalar_subquery()


_SQLITE_ACCOUNTS_BY_CODE = select(*_ACCOUNT_COLUMNS).where(ACCOUNT.c.code.in_(_json_values("codes")))
_SQLITE_ACCOUNTS_BY_ID = select(*_ACCOUNT_COLUMNS).where(ACCOUNT.c.id.in_(_json_values("ids")))


def _on_sqlite(session: Session) -> bool:
    return session.get_bind().dialect.name == "sqlite"


def _records(rows: Iterable[Any]) -> list[AccountRecord]:
    return [AccountRecord(*row) for row in rows]


_BALANCE_OF_CODE = (
    select(func.coalesce(func.sum(BALANCE.c.credits_posted - BALANCE.c.debits_posted), 0), func.count(ACCOUNT.c.id))
    .select_from(ACCOUNT.outerjoin(BALANCE, BALANCE.c.account_id == ACCOUNT.c.id))
    .where(ACCOUNT.c.code == bindparam("code"))
)


def balance_of_code(session: Session, code: str) -> int | None:
    """The posted balance of one account in one round trip; None when there is no such account."""
    total, found = session.connection().execute(_BALANCE_OF_CODE, {"code": code}).one()
    return int(total) if found else None


_BALANCES_OF_CODES = (
    select(ACCOUNT.c.code, func.coalesce(func.sum(BALANCE.c.credits_posted - BALANCE.c.debits_posted), 0))
    .select_from(ACCOUNT.outerjoin(BALANCE, BALANCE.c.account_id == ACCOUNT.c.id))
    .where(ACCOUNT.c.code.in_(bindparam("codes", expanding=True)))
    .group_by(ACCOUNT.c.code)
)


def balances_of_codes(session: Session, codes: Iterable[str]) -> dict[str, int]:
    rows = session.connection().execute(_BALANCES_OF_CODES, {"codes": sorted(set(codes))})
    return {code: int(total) for code, total in rows}


def accounts_by_code(session: Session, codes: Iterable[str]) -> dict[str, AccountRecord]:
    if _on_sqlite(session):
        rows = session.connection().execute(_SQLITE_ACCOUNTS_BY_CODE, {"codes": json.dumps(sorted(set(codes)))})
    else:
        rows = session.connection().execute(_ACCOUNTS_BY_CODE, {"codes": sorted(set(codes))})
    return {record.code: record for record in _records(rows)}


def accounts_by_id(session: Session, ids: Iterable[int]) -> dict[int, AccountRecord]:
    if _on_sqlite(session):
        rows = session.connection().execute(_SQLITE_ACCOUNTS_BY_ID, {"ids": json.dumps(sorted(set(ids)))})
    else:
        rows = session.connection().execute(_ACCOUNTS_BY_ID, {"ids": sorted(set(ids))})
    return {record.id: record for record in _records(rows)}


def insert_account(session: Session, *, values: dict[str, Any], now: datetime) -> AccountRecord:
    connection = session.connection()
    account_id = connection.execute(
        insert(ACCOUNT).values(**values, created_at=now).returning(ACCOUNT.c.id)
    ).scalar_one()
    connection.execute(
        insert(BALANCE),
        [
            {
                "account_id": account_id,
                "shard": shard,
                "debits_posted": 0,
                "credits_posted": 0,
                "debits_pending": 0,
                "credits_pending": 0,
            }
            for shard in range(values["shards"])
        ],
    )
    return AccountRecord(id=account_id, **values)


def set_upper_limit(session: Session, account_id: int, upper_limit: int | None) -> None:
    session.connection().execute(update(ACCOUNT).where(ACCOUNT.c.id == account_id).values(upper_limit=upper_limit))


_BATCH_VALUES = {
    "id": bindparam("b_id"),
    "idempotency_key": bindparam("b_key"),
    "request_hash": bindparam("b_hash"),
    "created_at": bindparam("b_at", type_=BATCH.c.created_at.type),
}
# RETURNING, not rowcount: drivers may report -1 for "unknown".
_CLAIM_BATCH = {
    "postgresql": pg_insert(BATCH)
    .values(_BATCH_VALUES)
    .on_conflict_do_nothing(index_elements=["idempotency_key"])
    .returning(BATCH.c.id),
    "sqlite": sqlite_insert(BATCH)
    .values(_BATCH_VALUES)
    .on_conflict_do_nothing(index_elements=["idempotency_key"])
    .returning(BATCH.c.id),
}


def claim_batch(session: Session, *, batch_id: str, idempotency_key: str, request_hash: str, now: datetime) -> bool:
    """Insert the batch row; False when the key exists already (possibly just committed by a
    concurrent request: PostgreSQL waits for it before deciding)."""
    connection = session.connection()
    statement = _CLAIM_BATCH[connection.dialect.name]
    values = {"b_id": batch_id, "b_key": idempotency_key, "b_hash": request_hash, "b_at": now}
    return connection.execute(statement, values).first() is not None


def batch_by_key(session: Session, idempotency_key: str) -> Batch | None:
    return session.scalars(select(Batch).where(Batch.idempotency_key == idempotency_key)).first()


_LOCK_TOTALS = (
    select(BALANCE)
    .where(tuple_(BALANCE.c.account_id, BALANCE.c.shard).in_(bindparam("keys", expanding=True)))
    .order_by(BALANCE.c.account_id, BALANCE.c.shard)
    .with_for_update()
)


# SQLite locks no rows (its writer holds the database): every shard of the accounts is
# read and the ones asked for are kept.
_SQLITE_READ_TOTALS = select(BALANCE).where(BALANCE.c.account_id.in_(_json_values("ids")))


def lock_totals(session: Session, keys: Iterable[ShardKey]) -> dict[ShardKey, Totals]:
    """Read (and on PostgreSQL lock) the shards' totals in (account, shard) order, so two
    batches touching the same accounts always queue instead of deadlocking."""
    ordered = sorted(set(keys))
    if _on_sqlite(session):
        wanted = set(ordered)
        ids = json.dumps(sorted({account_id for account_id, _ in ordered}))
        rows = [
            r
            for r in session.connection().execute(_SQLITE_READ_TOTALS, {"ids": ids})
            if (r.account_id, r.shard) in wanted
        ]
    else:
        rows = list(session.connection().execute(_LOCK_TOTALS, {"keys": ordered}))
    found = {
        (r.account_id, r.shard): Totals(r.debits_posted, r.credits_posted, r.debits_pending, r.credits_pending)
        for r in rows
    }
    assert len(found) == len(ordered), "every account has a balance row per shard"
    return found


def save_totals(session: Session, totals: dict[ShardKey, Totals]) -> None:
    session.connection().execute(
        _SAVE_TOTALS,
        [
            {
                "k_account": account_id,
                "k_shard": shard,
                "dp": t.debits_posted,
                "cp": t.credits_posted,
                "dh": t.debits_pending,
                "ch": t.credits_pending,
            }
            for (account_id, shard), t in sorted(totals.items())
        ],
    )


def insert_transfers(session: Session, rows: Sequence[dict[str, Any]]) -> list[int]:
    """Insert transfers; returns their `seq`, in the order given."""
    inserted = session.connection().execute(_INSERT_TRANSFERS, list(rows))
    seq_of: dict[str, int] = {str(row.id): int(row.seq) for row in inserted}
    return [seq_of[row["id"]] for row in rows]


def transfers_of_batch(session: Session, batch_id: str) -> Sequence[Transfer]:
    return session.scalars(select(Transfer).where(Transfer.batch_id == batch_id).order_by(Transfer.seq)).all()


def transfer_by_id(session: Session, transfer_id: str) -> Transfer | None:
    return session.scalars(select(Transfer).where(Transfer.id == transfer_id)).first()


def resolution_of(session: Session, pending_id: str) -> Transfer | None:
    return session.scalars(select(Transfer).where(Transfer.pending_id == pending_id)).first()


def account_totals(session: Session, account_ids: Iterable[int]) -> dict[int, Totals]:
    rows = session.execute(
        select(
            Balance.account_id,
            func.sum(Balance.debits_posted),
            func.sum(Balance.credits_posted),
            func.sum(Balance.debits_pending),
            func.sum(Balance.credits_pending),
        )
        .where(Balance.account_id.in_(set(account_ids)))
        .group_by(Balance.account_id)
    ).all()
    return {row[0]: Totals(int(row[1]), int(row[2]), int(row[3]), int(row[4])) for row in rows}


def history(session: Session, account_id: int, *, after_seq: int | None, limit: int) -> Sequence[Transfer]:
    """Transfers touching an account, newest first, keyset-paginated on `seq`."""
    query = select(Transfer).where(
        or_(Transfer.debit_account_id == account_id, Transfer.credit_account_id == account_id)
    )
    if after_seq is not None:
        query = query.where(Transfer.seq < after_seq)
    return session.scalars(query.order_by(Transfer.seq.desc()).limit(limit)).all()


# --- verification queries -------------------------------------------------------------


def all_accounts(session: Session) -> list[AccountRecord]:
    return _records(session.connection().execute(select(*_ACCOUNT_COLUMNS).order_by(ACCOUNT.c.id)))


def stored_totals(session: Session) -> dict[ShardKey, Totals]:
    rows = session.scalars(select(Balance)).all()
    return {
        (r.account_id, r.shard): Totals(r.debits_posted, r.credits_posted, r.debits_pending, r.credits_pending)
        for r in rows
    }


def totals_from_transfers(session: Session) -> dict[ShardKey, Totals]:
    """Recompute every shard's totals from the transfers alone."""
    resolver = aliased(Transfer)
    unresolved = ~select(resolver.seq).where(resolver.pending_id == Transfer.id).exists()
    posted = Transfer.kind.in_(("posted", "post_pending"))
    held = (Transfer.kind == "pending") & unresolved
    sides = union_all(
        select(
            Transfer.debit_account_id.label("a"),
            Transfer.debit_shard.label("s"),
            literal("debit").label("side"),
            literal("posted").label("state"),
            Transfer.amount.label("amount"),
        ).where(posted),
        select(
            Transfer.credit_account_id, Transfer.credit_shard, literal("credit"), literal("posted"), Transfer.amount
        ).where(posted),
        select(
            Transfer.debit_account_id, Transfer.debit_shard, literal("debit"), literal("pending"), Transfer.amount
        ).where(held),
        select(
            Transfer.credit_account_id, Transfer.credit_shard, literal("credit"), literal("pending"), Transfer.amount
        ).where(held),
    ).subquery()
    rows = session.execute(
        select(sides.c.a, sides.c.s, sides.c.side, sides.c.state, func.sum(sides.c.amount)).group_by(
            sides.c.a, sides.c.s, sides.c.side, sides.c.state
        )
    ).all()
    out: dict[ShardKey, Totals] = {}
    for account_id, shard, side, state, amount in rows:
        totals = out.setdefault((account_id, shard), Totals())
        setattr(totals, f"{side}s_{state}", int(amount))
    return out


def transfer_anomalies(session: Session) -> list[tuple[str, str]]:
    """Transfers whose unit differs from an account's, or that resolve a non-pending transfer."""
    debit, credit, pending = aliased(Account), aliased(Account), aliased(Transfer)
    mismatched = (
        select(Transfer.id, literal("unit_mismatch"))
        .join(debit, debit.id == Transfer.debit_account_id)
        .join(credit, credit.id == Transfer.credit_account_id)
        .where(or_(debit.unit != Transfer.unit, credit.unit != Transfer.unit))
    )
    bad_resolution = (
        select(Transfer.id, literal("resolves_non_pending"))
        .join(pending, pending.id == Transfer.pending_id)
        .where(pending.kind != "pending")
    )
    return [(str(row[0]), str(row[1])) for row in session.execute(union_all(mismatched, bad_resolution))]


def count_transfers(session: Session) -> int:
    return int(session.scalar(select(func.count()).select_from(Transfer)) or 0)
