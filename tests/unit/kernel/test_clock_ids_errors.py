from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest

from yagona.kernel.clock import TASHKENT, SimulatedClock, SystemClock, local
from yagona.kernel.errors import (
    IdempotencyConflictError,
    InsufficientFundsError,
    InvalidRequestError,
    LimitExceededError,
    NotFoundError,
    UnitMismatchError,
    YagonaError,
)
from yagona.kernel.ids import new_id

START = datetime(2026, 3, 15, 14, 0, tzinfo=TASHKENT)


def test_a_simulated_clock_moves_only_forward_and_only_when_told() -> None:
    clock = SimulatedClock(START)
    assert clock.now() == clock.now() == START
    clock.advance_by(timedelta(days=1))
    assert clock.now() == START + timedelta(days=1)
    clock.advance_to(datetime(2026, 4, 15, 7, 0, tzinfo=TASHKENT))
    assert clock.now().isoformat() == "2026-04-15T07:00:00+05:00"
    with pytest.raises(ValueError, match="does not go back"):
        clock.advance_to(START)
    with pytest.raises(ValueError, match="does not go back"):
        clock.advance_by(timedelta(seconds=-1))


def test_naive_times_are_refused() -> None:
    with pytest.raises(ValueError, match="naive"):
        SimulatedClock(datetime(2026, 1, 1))  # noqa: DTZ001 - the point of the test
    with pytest.raises(ValueError, match="naive"):
        local(datetime(2026, 1, 1))  # noqa: DTZ001


def test_the_system_clock_is_aware_and_local_time_is_tashkent() -> None:
    now = SystemClock().now()
    assert now.tzinfo is not None
    assert local(datetime(2026, 1, 1, 19, 30, tzinfo=UTC)).isoformat() == "2026-01-02T00:30:00+05:00"


def test_ids_are_unique_version_7_and_sortable_by_time() -> None:
    ids = [new_id() for _ in range(1_000)]
    assert len(set(ids)) == 1_000
    assert all(uuid.UUID(i).version == 7 for i in ids)
    assert all(str(uuid.UUID(i)) == i for i in ids)  # the canonical text: lower-case hex, 8-4-4-4-12
    assert all(uuid.UUID(i).variant == uuid.RFC_4122 for i in ids)
    assert ids[0][:8] <= ids[-1][:8]


@pytest.mark.parametrize(
    ("error", "code", "status"),
    [
        (InvalidRequestError, "invalid_request", 422),
        (NotFoundError, "not_found", 404),
        (InsufficientFundsError, "insufficient_funds", 409),
        (LimitExceededError, "limit_exceeded", 409),
        (IdempotencyConflictError, "idempotency_conflict", 409),
        (UnitMismatchError, "unit_mismatch", 422),
    ],
)
def test_every_error_carries_a_stable_code(error: type[YagonaError], code: str, status: int) -> None:
    raised = error("a message for people", field="amount")
    assert (raised.code, raised.http_status) == (code, status)
    assert raised.to_dict() == {"code": code, "message": "a message for people", "details": {"field": "amount"}}
