"""Postings on PostgreSQL in one round trip: `ledger_post_group` (migration
20261206_ledger_post_codes) claims, writes the transfers, locks, checks the rules of
`ledger.rules` and updates the totals for a whole group of postings in one call.

SQLite has no server-side functions; it keeps the Python path of `service.post`.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import text

from yagona.kernel.errors import YagonaError
from yagona.kernel.fingerprint import request_fingerprint
from yagona.kernel.ids import new_id
from yagona.ledger.errors import (
    AccountNotFoundError,
    IdempotencyConflictError,
    InsufficientFundsError,
    InvalidRequestError,
    LimitExceededError,
    UnitMismatchError,
)
from yagona.ledger.schemas import TransferCreate, TransferKind, TransferRead, Unit
from yagona.platform.uow import UnitOfWork


@dataclass(frozen=True, slots=True)
class Posting:
    """One posting request, checked and fingerprinted: one transfer or a linked batch."""

    transfers: tuple[TransferCreate, ...]
    idempotency_key: str
    request_hash: str


class Replay:
    """The key was used before with the same request: the caller reads the first answer."""


REPLAY = Replay()
Outcome = list[TransferRead] | Replay | YagonaError

_POST_GROUP = text("SELECT ledger_post_group(:now, :salt, CAST(:postings AS jsonb))")
# The same call on a bare psycopg connection (ledger.group's groups on PostgreSQL).
POST_GROUP_SQL = "SELECT ledger_post_group(%s, %s, CAST(%s AS jsonb))"
# `service.posted_balances`'s read on a bare psycopg connection (a caller's pipeline): the
# accounts named in `%(codes)s` (a list), each `(code, posted balance)`; see `posted_balances_of`.
POSTED_BALANCES_SQL = (
    "SELECT a.code, coalesce(sum(b.credits_posted - b.debits_posted), 0) FROM ledger_account AS a "
    "LEFT OUTER JOIN ledger_balance AS b ON b.account_id = a.id WHERE a.code = ANY(%(codes)s) GROUP BY a.code"
)


def posted_balances_of(codes: Sequence[str], rows: Iterable[Sequence[Any]]) -> dict[str, int]:
    """`service.posted_balances(codes)` from the rows `POSTED_BALANCES_SQL` answered for (at
    least) these codes: an unknown code is not_found, as there."""
    found = {code: int(total) for code, total in rows}
    missing = sorted(set(codes) - set(found))
    if missing:
        raise AccountNotFoundError(f"no account {', '.join(missing)}", accounts=missing)
    return {code: found[code] for code in codes}


def checked(uow: UnitOfWork, transfers: Sequence[TransferCreate], idempotency_key: str) -> Posting:
    """The checks every posting passes before it reaches a database, and its fingerprint."""
    return check(transfers, idempotency_key, batch_size_max=uow.limits.batch_size_max)


def check(transfers: Sequence[TransferCreate], idempotency_key: str, *, batch_size_max: int) -> Posting:
    """`checked`, given the limit rather than a unit of work."""
    if not transfers:
        raise InvalidRequestError("a batch needs at least one transfer")
    if len(transfers) > batch_size_max:
        raise InvalidRequestError(f"a batch holds at most {batch_size_max} transfers")
    return Posting(tuple(transfers), idempotency_key, request_fingerprint({"post": [_plain(t) for t in transfers]}))


def _plain(t: TransferCreate) -> dict[str, Any]:
    # = t.model_dump(mode="json") (a test holds them equal), without pydantic's serializer:
    # every field is already a JSON value.
    return {
        "debit": t.debit,
        "credit": t.credit,
        "amount": t.amount,
        "reason": t.reason,
        "pending": t.pending,
        "metadata": t.metadata,
    }


def one_transfer(
    *, debit: str, credit: str, amount: int, reason: str, pending: bool, metadata: dict[str, str] | None
) -> list[TransferCreate]:
    """The batch of `transfer(...)`: one transfer, validated here, at the public boundary."""
    return [
        TransferCreate(
            debit=debit, credit=credit, amount=amount, reason=reason, pending=pending, metadata=metadata or {}
        )
    ]


def on_postgres(uow: UnitOfWork) -> bool:
    return uow.session.get_bind().dialect.name == "postgresql"


def post_group(uow: UnitOfWork, postings: Sequence[Posting]) -> list[Outcome]:
    """Post every posting in one call, in order; each one is accepted, a replay, or refused
    (a refused posting wrote nothing). Keys must be distinct within one call."""
    if not postings:
        return []
    call = GroupCall(postings, uow.clock.now())
    return call.outcomes(
        uow.session.connection()
        .execute(_POST_GROUP, {"now": call.now, "salt": call.salt, "postings": call.postings})
        .scalar_one()
    )


class GroupCall:
    """The arguments of one `ledger_post_group` call, and the outcomes read from its answer."""

    __slots__ = ("encoded", "now", "postings", "salt", "source")

    def __init__(self, postings: Sequence[Posting], now: datetime) -> None:
        self.source = postings
        self.now = now
        self.salt = secrets.randbelow(2**31)
        self.encoded = [_encode(p) for p in postings]
        self.postings = json.dumps(self.encoded)

    def outcomes(self, answers: list[dict[str, Any]]) -> list[Outcome]:
        created_at = self.now.astimezone(UTC)
        return [_outcome(p, e, a, created_at) for p, e, a in zip(self.source, self.encoded, answers, strict=True)]


def _encode(posting: Posting) -> dict[str, Any]:
    return {
        "b": new_id(),
        "k": posting.idempotency_key,
        "h": posting.request_hash,
        "t": [
            {"i": new_id(), "d": t.debit, "c": t.credit, "a": t.amount, "p": t.pending, "r": t.reason, "m": t.metadata}
            for t in posting.transfers
        ],
    }


def _outcome(posting: Posting, encoded: dict[str, Any], answer: dict[str, Any], created_at: datetime) -> Outcome:
    if "seqs" in answer:
        seqs = answer["seqs"]
        return [
            trusted_read(
                {
                    "id": row["i"],
                    "seq": int(seqs[row["i"]][0]),
                    "batch_id": encoded["b"],
                    "debit": t.debit,
                    "credit": t.credit,
                    "amount": t.amount,
                    "unit": Unit(seqs[row["i"]][1]),
                    "kind": TransferKind.PENDING if t.pending else TransferKind.POSTED,
                    "reason": t.reason,
                    "pending_id": None,
                    "metadata": dict(t.metadata),
                    "created_at": created_at,
                }
            )
            for row, t in zip(encoded["t"], posting.transfers, strict=True)
        ]
    if answer.get("replay"):
        return REPLAY
    return refusal(answer, posting.idempotency_key)


_READ_FIELDS = frozenset(TransferRead.model_fields)


def trusted_read(values: dict[str, Any]) -> TransferRead:
    """A TransferRead of values validated on the way in or written by the database, without
    validating them again: what `model_construct` does (a test holds them equal), in a
    fifth of its time — a measurable share of a posting."""
    assert values.keys() == _READ_FIELDS, "every field of TransferRead, no other"
    read = TransferRead.__new__(TransferRead)
    object.__setattr__(read, "__dict__", values)
    object.__setattr__(read, "__pydantic_fields_set__", _READ_FIELDS)
    object.__setattr__(read, "__pydantic_extra__", None)
    object.__setattr__(read, "__pydantic_private__", None)
    return read


def refusal(answer: dict[str, Any], idempotency_key: str) -> YagonaError:
    """The same error, message and details the Python path raises for the same refusal."""
    code = answer["refused"]
    if code == "insufficient_funds":
        return InsufficientFundsError(
            "not enough funds for this operation", account=answer["account"], short_by=int(answer["short_by"])
        )
    if code == "limit_exceeded":
        return LimitExceededError(
            "the balance may not exceed its limit", account=answer["account"], over_by=int(answer["over_by"])
        )
    if code == "unit_mismatch":
        return UnitMismatchError(answer["message"])
    if code == "not_found":
        missing = list(answer["accounts"])
        return AccountNotFoundError(f"no account {', '.join(missing)}", accounts=missing)
    if code == "idempotency_conflict":
        return IdempotencyConflictError(
            "this idempotency key was used for a different request", idempotency_key=idempotency_key
        )
    raise AssertionError(f"ledger_post_group answered an unknown refusal {code!r}")
