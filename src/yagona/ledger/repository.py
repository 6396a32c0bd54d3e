"""Every query of the ledger. Core statements on the hot path: a transfer is a handful
of round trips, not an ORM flush."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Row, func, insert, literal, or_, select, tuple_, union_all, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session, aliased

from yagona.ledger.models import Account, Balance, Batch, Transfer
from yagona.ledger.rules import Totals

ShardKey = tuple[int, int]  # (account id, shard)


def accounts_by_code(session: Session, codes: Iterable[str]) -> dict[str, Account]:
    rows = session.scalars(select(Account).where(Account.code.in_(set(codes)))).all()
    return {row.code: row for row in rows}


def accounts_by_id(session: Session, ids: Iterable[int]) -> dict[int, Account]:
    rows = session.scalars(select(Account).where(Account.id.in_(set(ids)))).all()
    return {row.id: row for row in rows}


def insert_account(session: Session, account: Account) -> None:
    session.add(account)
    session.flush()
    session.execute(
        insert(Balance),
        [
            {
                "account_id": account.id,
                "shard": shard,
                "debits_posted": 0,
                "credits_posted": 0,
                "debits_pending": 0,
                "credits_pending": 0,
            }
            for shard in range(account.shards)
        ],
    )


def claim_batch(session: Session, *, batch_id: str, idempotency_key: str, request_hash: str, now: datetime) -> bool:
    """Insert the batch row; False when the key exists already (possibly just committed by a
    concurrent request: PostgreSQL waits for it before deciding)."""
    dialect = session.get_bind().dialect.name
    values = {"id": batch_id, "idempotency_key": idempotency_key, "request_hash": request_hash, "created_at": now}
    statement: Any
    if dialect == "postgresql":
        statement = pg_insert(Batch).values(values).on_conflict_do_nothing(index_elements=["idempotency_key"])
    else:
        statement = sqlite_insert(Batch).values(values).on_conflict_do_nothing(index_elements=["idempotency_key"])
    result = session.execute(statement)
    return bool(getattr(result, "rowcount", 0))


def batch_by_key(session: Session, idempotency_key: str) -> Batch | None:
    return session.scalars(select(Batch).where(Batch.idempotency_key == idempotency_key)).first()


def lock_totals(session: Session, keys: Iterable[ShardKey]) -> dict[ShardKey, Totals]:
    """Read (and on PostgreSQL lock) the shards' totals in (account, shard) order, so two
    batches touching the same accounts always queue instead of deadlocking."""
    ordered = sorted(set(keys))
    rows = (
        session.execute(
            select(Balance)
            .where(tuple_(Balance.account_id, Balance.shard).in_(ordered))
            .order_by(Balance.account_id, Balance.shard)
            .with_for_update()
        )
        .scalars()
        .all()
    )
    found = {
        (row.account_id, row.shard): Totals(
            row.debits_posted, row.credits_posted, row.debits_pending, row.credits_pending
        )
        for row in rows
    }
    assert len(found) == len(ordered), "every account has a balance row per shard"
    return found


def save_totals(session: Session, totals: dict[ShardKey, Totals]) -> None:
    for (account_id, shard), t in sorted(totals.items()):
        session.execute(
            update(Balance)
            .where(Balance.account_id == account_id, Balance.shard == shard)
            .values(
                debits_posted=t.debits_posted,
                credits_posted=t.credits_posted,
                debits_pending=t.debits_pending,
                credits_pending=t.credits_pending,
            )
        )


def insert_transfers(session: Session, rows: Sequence[dict[str, Any]]) -> None:
    session.execute(insert(Transfer), list(rows))


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


def all_accounts(session: Session) -> Sequence[Account]:
    return session.scalars(select(Account).order_by(Account.id)).all()


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
