"""Use cases of the ledger. Callers pass their unit of work; nothing here commits."""

from __future__ import annotations

import dataclasses
import secrets
from collections import defaultdict
from collections.abc import Sequence
from datetime import UTC
from typing import Any

from yagona.kernel.errors import YagonaError
from yagona.kernel.fingerprint import request_fingerprint
from yagona.kernel.ids import new_id
from yagona.ledger import posting as posting_path
from yagona.ledger import repository
from yagona.ledger.errors import (
    AccountConflictError,
    AccountNotFoundError,
    IdempotencyConflictError,
    InvalidRequestError,
    PendingResolvedError,
    TransferNotFoundError,
    UnitMismatchError,
)
from yagona.ledger.events import AccountOpened
from yagona.ledger.models import Transfer
from yagona.ledger.repository import AccountRecord
from yagona.ledger.rules import Flags, Totals, apply_transfer, balance, check_credit, check_debit, resolve_pending
from yagona.ledger.schemas import (
    AccountCreate,
    AccountRead,
    HistoryPage,
    Problem,
    TransferCreate,
    TransferKind,
    TransferRead,
    Unit,
    VerifyReport,
)
from yagona.platform.uow import UnitOfWork


def open_account(uow: UnitOfWork, *, account: AccountCreate) -> AccountRead:
    """Open an account; opening the same account again returns it (idempotent by code)."""
    existing = repository.accounts_by_code(uow.session, [account.code]).get(account.code)
    if existing is not None:
        if _account_spec(existing) != account.model_dump():
            raise AccountConflictError(f"account {account.code} exists with other properties", account=account.code)
        return _read_account(existing, _totals_of(uow, existing))
    row = repository.insert_account(uow.session, values=account.model_dump(mode="json"), now=uow.clock.now())
    uow.add_event(
        AccountOpened(occurred_at=uow.clock.now(), code=row.code, owner=row.owner, kind=row.kind, unit=row.unit)
    )
    return _read_account(row, Totals())


def get_account(uow: UnitOfWork, *, code: str) -> AccountRead:
    account = _account(uow, code)
    return _read_account(account, _totals_of(uow, account))


def posted_balance(uow: UnitOfWork, *, code: str) -> int:
    """An account's posted balance: the hot path of rating, one round trip."""
    found = repository.balance_of_code(uow.session, code)
    if found is None:
        raise AccountNotFoundError(f"no account {code}", account=code)
    return found


def posted_balances(uow: UnitOfWork, *, codes: Sequence[str]) -> dict[str, int]:
    """Posted balances of many accounts in one round trip; an unknown code is not_found."""
    found = repository.balances_of_codes(uow.session, codes)
    missing = sorted(set(codes) - set(found))
    if missing:
        raise AccountNotFoundError(f"no account {', '.join(missing)}", accounts=missing)
    return found


def set_upper_limit(uow: UnitOfWork, *, code: str, upper_limit: int | None) -> AccountRead:
    """Change an account's ceiling (a wallet that became Premium loses it)."""
    account = _account(uow, code)
    if account.shards > 1:
        raise InvalidRequestError("a sharded account cannot carry a ceiling")
    repository.lock_totals(uow.session, [(account.id, 0)])
    repository.set_upper_limit(uow.session, account.id, upper_limit)
    totals = _totals_of(uow, account)
    check_credit(account.code, Flags(account.allow_negative, upper_limit), totals)
    return _read_account(dataclasses.replace(account, upper_limit=upper_limit), totals)


def transfer(
    uow: UnitOfWork,
    *,
    debit: str,
    credit: str,
    amount: int,
    reason: str,
    idempotency_key: str,
    pending: bool = False,
    metadata: dict[str, str] | None = None,
) -> TransferRead:
    """Move `amount` from `debit` to `credit` (or hold it, when `pending`)."""
    request = posting_path.one_transfer(
        debit=debit, credit=credit, amount=amount, reason=reason, pending=pending, metadata=metadata
    )
    return post(uow, transfers=request, idempotency_key=idempotency_key)[0]


def post(uow: UnitOfWork, *, transfers: Sequence[TransferCreate], idempotency_key: str) -> list[TransferRead]:
    """Post linked transfers: all of them or none.

    The same key with the same request returns the first answer; with another request
    it is refused. A refusal writes nothing (the caller's unit of work is rolled back).
    """
    posting = posting_path.checked(uow, transfers, idempotency_key)
    if posting_path.on_postgres(uow):
        # One round trip: the function checks the same rules (see migration 20261201).
        [outcome] = posting_path.post_group(uow, [posting])
        return answer(uow, posting, outcome)
    return post_in_python(uow, posting)


def post_in_python(uow: UnitOfWork, posting: posting_path.Posting) -> list[TransferRead]:
    """The rules in Python, statement by statement: SQLite's path, and the specification the
    PostgreSQL function is compared with (tests run the same postings through both)."""
    transfers, idempotency_key, request_hash = posting.transfers, posting.idempotency_key, posting.request_hash
    batch_id = new_id()
    if not repository.claim_batch(
        uow.session, batch_id=batch_id, idempotency_key=idempotency_key, request_hash=request_hash, now=uow.clock.now()
    ):
        return _replay(uow, idempotency_key, request_hash)

    accounts = _accounts(uow, {code for t in transfers for code in (t.debit, t.credit)})
    shards = {code: _pick_shard(account) for code, account in accounts.items()}
    totals = repository.lock_totals(uow.session, [(a.id, shards[code]) for code, a in accounts.items()])
    if posting_path.on_postgres(uow):
        # The flags as they are now that the rows are ours: a ceiling changed (set_upper_limit
        # takes the same lock) while this batch waited is the one that counts. (SQLite's
        # writer lock is held since the claim: the first read is already current.)
        ids = [a.id for a in accounts.values()]
        accounts = {a.code: a for a in repository.accounts_by_id(uow.session, ids).values()}
    now = uow.clock.now()
    rows = []
    for t in transfers:
        debit, credit = accounts[t.debit], accounts[t.credit]
        if not debit.unit == credit.unit:
            raise UnitMismatchError(f"{t.debit} holds {debit.unit}, {t.credit} holds {credit.unit}")
        debit_key, credit_key = (debit.id, shards[t.debit]), (credit.id, shards[t.credit])
        apply_transfer(totals[debit_key], totals[credit_key], t.amount, pending=t.pending)
        check_debit(debit.code, Flags(debit.allow_negative, debit.upper_limit), totals[debit_key])
        check_credit(credit.code, Flags(credit.allow_negative, credit.upper_limit), totals[credit_key])
        rows.append(
            {
                "id": new_id(),
                "batch_id": batch_id,
                "debit_account_id": debit.id,
                "debit_shard": debit_key[1],
                "credit_account_id": credit.id,
                "credit_shard": credit_key[1],
                "amount": t.amount,
                "unit": debit.unit,
                "kind": (TransferKind.PENDING if t.pending else TransferKind.POSTED).value,
                "reason": t.reason,
                "pending_id": None,
                "metadata": dict(t.metadata),
                "created_at": now,
            }
        )
    repository.save_totals(uow.session, totals)
    seqs = repository.insert_transfers(uow.session, rows)
    codes = {account.id: code for code, account in accounts.items()}
    return [_read_new(row, seq, codes) for row, seq in zip(rows, seqs, strict=True)]


def answer(uow: UnitOfWork, posting: posting_path.Posting, outcome: posting_path.Outcome) -> list[TransferRead]:
    """What a posting's caller gets from the function's outcome: its transfers, the first
    answer of a replay, or the refusal raised."""
    if isinstance(outcome, posting_path.Replay):
        return _replay(uow, posting.idempotency_key, posting.request_hash)
    if isinstance(outcome, YagonaError):
        raise outcome
    return outcome


def post_pending(uow: UnitOfWork, *, pending_id: str, idempotency_key: str, amount: int | None = None) -> TransferRead:
    """Post a pending transfer, in full or for a smaller `amount` (the rest is released)."""
    return _resolve(uow, pending_id=pending_id, idempotency_key=idempotency_key, post_amount=amount, void=False)


def void_pending(uow: UnitOfWork, *, pending_id: str, idempotency_key: str) -> TransferRead:
    """Release what a pending transfer held; nothing moves."""
    return _resolve(uow, pending_id=pending_id, idempotency_key=idempotency_key, post_amount=None, void=True)


def history(uow: UnitOfWork, *, code: str, cursor: str | None = None, limit: int = 50) -> HistoryPage:
    """An account's transfers, newest first; pass `next_cursor` back for the next page."""
    if not 1 <= limit <= uow.limits.page_size_max:
        raise InvalidRequestError(f"limit must be between 1 and {uow.limits.page_size_max}")
    after_seq = None
    if cursor is not None:
        if not cursor.isdigit() or len(cursor) > 19:
            raise InvalidRequestError("cursor is not one this service gave")
        after_seq = int(cursor)
    account = _account(uow, code)
    rows = repository.history(uow.session, account.id, after_seq=after_seq, limit=limit + 1)
    items = _reads(uow, rows[:limit])
    return HistoryPage(items=items, next_cursor=str(items[-1].seq) if len(rows) > limit else None)


def verify(uow: UnitOfWork) -> VerifyReport:
    """Check every invariant: zero sum per unit, totals = transfers, flags, units, pendings."""
    session = uow.session
    accounts = repository.all_accounts(session)
    stored = repository.stored_totals(session)
    derived = repository.totals_from_transfers(session)
    problems: list[Problem] = []
    by_id = {a.id: a for a in accounts}
    for key in sorted(set(stored) | set(derived)):
        want, have = derived.get(key, Totals()), stored.get(key)
        subject = f"{by_id[key[0]].code}#{key[1]}" if key[0] in by_id else f"account id {key[0]}"
        if have is None:
            problems.append(
                Problem(check="balance_row_missing", subject=subject, detail="transfers exist, totals do not")
            )
        elif have != want:
            problems.append(
                Problem(check="totals_match_transfers", subject=subject, detail=f"stored {have}, transfers give {want}")
            )
    per_unit: dict[str, Totals] = defaultdict(Totals)
    per_account: dict[int, Totals] = defaultdict(Totals)
    for (account_id, _), t in stored.items():
        for target in (per_unit[by_id[account_id].unit], per_account[account_id]):
            _add(target, t)
    for unit, t in sorted(per_unit.items()):
        if balance(t) != 0 or t.debits_pending != t.credits_pending:
            problems.append(
                Problem(
                    check="zero_sum",
                    subject=unit,
                    detail=f"posted sum {balance(t)}, pending {t.debits_pending}/{t.credits_pending}",
                )
            )
    for account in accounts:
        problems.extend(_flag_problems(account, per_account[account.id]))
    for transfer_id, check in repository.transfer_anomalies(session):
        problems.append(Problem(check=str(check), subject=str(transfer_id), detail="transfer is inconsistent"))
    return VerifyReport(accounts=len(accounts), transfers=repository.count_transfers(session), problems=problems)


# --- helpers ---------------------------------------------------------------------------


def _resolve(
    uow: UnitOfWork, *, pending_id: str, idempotency_key: str, post_amount: int | None, void: bool
) -> TransferRead:
    request_hash = request_fingerprint({"resolve": pending_id, "void": void, "amount": post_amount})
    batch_id = new_id()
    if not repository.claim_batch(
        uow.session, batch_id=batch_id, idempotency_key=idempotency_key, request_hash=request_hash, now=uow.clock.now()
    ):
        return _replay(uow, idempotency_key, request_hash)[0]
    pending = repository.transfer_by_id(uow.session, pending_id)
    if pending is None or pending.kind != TransferKind.PENDING:
        raise TransferNotFoundError(f"no pending transfer {pending_id}")
    debit_key = (pending.debit_account_id, pending.debit_shard)
    credit_key = (pending.credit_account_id, pending.credit_shard)
    totals = repository.lock_totals(uow.session, [debit_key, credit_key])
    if repository.resolution_of(uow.session, pending_id) is not None:  # checked under the lock
        raise PendingResolvedError(f"pending transfer {pending_id} was already posted or voided")
    amount = 0 if void else (pending.amount if post_amount is None else post_amount)
    if not 0 <= amount <= pending.amount or (not void and amount == 0):
        raise InvalidRequestError(f"a post takes between 1 and {pending.amount}")
    resolve_pending(totals[debit_key], totals[credit_key], pending.amount, post_amount=amount)
    repository.save_totals(uow.session, totals)
    row = {
        "id": new_id(),
        "batch_id": batch_id,
        "debit_account_id": pending.debit_account_id,
        "debit_shard": pending.debit_shard,
        "credit_account_id": pending.credit_account_id,
        "credit_shard": pending.credit_shard,
        "amount": pending.amount if void else amount,
        "unit": pending.unit,
        "kind": (TransferKind.VOID_PENDING if void else TransferKind.POST_PENDING).value,
        "reason": pending.reason,
        "pending_id": pending_id,
        "metadata": dict(pending.extra),
        "created_at": uow.clock.now(),
    }
    [seq] = repository.insert_transfers(uow.session, [row])
    codes = {
        a.id: a.code
        for a in repository.accounts_by_id(uow.session, [pending.debit_account_id, pending.credit_account_id]).values()
    }
    return _read_new(row, seq, codes)


def _replay(uow: UnitOfWork, idempotency_key: str, request_hash: str) -> list[TransferRead]:
    batch = repository.batch_by_key(uow.session, idempotency_key)
    assert batch is not None, "a key that could not be claimed exists"
    if batch.request_hash != request_hash:
        raise IdempotencyConflictError(
            "this idempotency key was used for a different request", idempotency_key=idempotency_key
        )
    return _reads(uow, repository.transfers_of_batch(uow.session, batch.id))


def _account(uow: UnitOfWork, code: str) -> AccountRecord:
    account = repository.accounts_by_code(uow.session, [code]).get(code)
    if account is None:
        raise AccountNotFoundError(f"no account {code}", account=code)
    return account


def _accounts(uow: UnitOfWork, codes: set[str]) -> dict[str, AccountRecord]:
    found = repository.accounts_by_code(uow.session, codes)
    missing = sorted(codes - set(found))
    if missing:
        raise AccountNotFoundError(f"no account {', '.join(missing)}", accounts=missing)
    return found


def _pick_shard(account: AccountRecord) -> int:
    # Random, not hashed by partner: any spread works, and it cannot be gamed into one shard.
    return 0 if account.shards == 1 else secrets.randbelow(account.shards)


def _totals_of(uow: UnitOfWork, account: AccountRecord) -> Totals:
    return repository.account_totals(uow.session, [account.id]).get(account.id, Totals())


def _account_spec(account: AccountRecord) -> dict[str, object]:
    return {
        "code": account.code,
        "owner": account.owner,
        "kind": account.kind,
        "unit": Unit(account.unit),
        "allow_negative": account.allow_negative,
        "upper_limit": account.upper_limit,
        "shards": account.shards,
    }


def _read_account(account: AccountRecord, totals: Totals) -> AccountRead:
    return AccountRead(
        **_account_spec(account),
        debits_posted=totals.debits_posted,
        credits_posted=totals.credits_posted,
        debits_pending=totals.debits_pending,
        credits_pending=totals.credits_pending,
    )


def _reads(uow: UnitOfWork, rows: Sequence[Transfer]) -> list[TransferRead]:
    codes = {
        a.id: a.code
        for a in repository.accounts_by_id(
            uow.session, {i for r in rows for i in (r.debit_account_id, r.credit_account_id)}
        ).values()
    }
    return [
        TransferRead(
            id=r.id,
            seq=r.seq,
            batch_id=r.batch_id,
            debit=codes[r.debit_account_id],
            credit=codes[r.credit_account_id],
            amount=r.amount,
            unit=Unit(r.unit),
            kind=TransferKind(r.kind),
            reason=r.reason,
            pending_id=r.pending_id,
            metadata=dict(r.extra),
            created_at=r.created_at,
        )
        for r in rows
    ]


def _read_new(row: dict[str, Any], seq: int, codes: dict[int, str]) -> TransferRead:
    # Not validated again: every value was validated on the way in.
    return posting_path.trusted_read(
        {
            "id": row["id"],
            "seq": seq,
            "batch_id": row["batch_id"],
            "debit": codes[row["debit_account_id"]],
            "credit": codes[row["credit_account_id"]],
            "amount": row["amount"],
            "unit": Unit(row["unit"]),
            "kind": TransferKind(row["kind"]),
            "reason": row["reason"],
            "pending_id": row["pending_id"],
            "metadata": row["metadata"],
            "created_at": row["created_at"].astimezone(UTC),  # as a replay reads it back
        }
    )


def _flag_problems(account: AccountRecord, t: Totals) -> list[Problem]:
    problems = []
    if not account.allow_negative and t.credits_posted - t.debits_posted - t.debits_pending < 0:
        problems.append(
            Problem(check="not_negative", subject=account.code, detail=f"available {balance(t) - t.debits_pending}")
        )
    if account.upper_limit is not None and t.credits_posted + t.credits_pending - t.debits_posted > account.upper_limit:
        problems.append(
            Problem(
                check="upper_limit", subject=account.code, detail=f"balance {balance(t)} over {account.upper_limit}"
            )
        )
    return problems


def _add(target: Totals, t: Totals) -> None:
    target.debits_posted += t.debits_posted
    target.credits_posted += t.credits_posted
    target.debits_pending += t.debits_pending
    target.credits_pending += t.credits_pending
