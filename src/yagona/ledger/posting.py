"""Postings on PostgreSQL in one round trip: `ledger_post_group` (migration
20261201_ledger_post_function) claims, locks, checks the rules of `ledger.rules`, writes
the transfers and updates the totals for a whole group of postings in one call.

SQLite has no server-side functions; it keeps the Python path of `service.post`.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC
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


def checked(uow: UnitOfWork, transfers: Sequence[TransferCreate], idempotency_key: str) -> Posting:
    """The checks every posting passes before it reaches a database, and its fingerprint."""
    if not transfers:
        raise InvalidRequestError("a batch needs at least one transfer")
    if len(transfers) > uow.limits.batch_size_max:
        raise InvalidRequestError(f"a batch holds at most {uow.limits.batch_size_max} transfers")
    request_hash = request_fingerprint({"post": [t.model_dump(mode="json") for t in transfers]})
    return Posting(tuple(transfers), idempotency_key, request_hash)


def on_postgres(uow: UnitOfWork) -> bool:
    return uow.session.get_bind().dialect.name == "postgresql"


def post_group(uow: UnitOfWork, postings: Sequence[Posting]) -> list[Outcome]:
    """Post every posting in one call, in order; each one is accepted, a replay, or refused
    (a refused posting wrote nothing). Keys must be distinct within one call."""
    if not postings:
        return []
    now = uow.clock.now()
    encoded = [_encode(p) for p in postings]
    answers: list[dict[str, Any]] = (
        uow.session.connection()
        .execute(_POST_GROUP, {"now": now, "salt": secrets.randbelow(2**31), "postings": json.dumps(encoded)})
        .scalar_one()
    )
    created_at = now.astimezone(UTC)
    return [_outcome(p, e, a, created_at) for p, e, a in zip(postings, encoded, answers, strict=True)]


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


def _outcome(posting: Posting, encoded: dict[str, Any], answer: dict[str, Any], created_at: Any) -> Outcome:
    if "seqs" in answer:
        seqs = answer["seqs"]
        # model_construct: every value was validated on the way in or written by the function.
        return [
            TransferRead.model_construct(
                id=row["i"],
                seq=int(seqs[row["i"]][0]),
                batch_id=encoded["b"],
                debit=t.debit,
                credit=t.credit,
                amount=t.amount,
                unit=Unit(seqs[row["i"]][1]),
                kind=TransferKind.PENDING if t.pending else TransferKind.POSTED,
                reason=t.reason,
                pending_id=None,
                metadata=dict(t.metadata),
                created_at=created_at,
            )
            for row, t in zip(encoded["t"], posting.transfers, strict=True)
        ]
    if answer.get("replay"):
        return REPLAY
    return refusal(answer, posting.idempotency_key)


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
