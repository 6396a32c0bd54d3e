"""The ledger as REST and the CLI show it: so'm (whole points for points), Tashkent times."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from yagona.kernel.errors import InvalidRequestError
from yagona.kernel.money import Money
from yagona.ledger.schemas import TransferKind, TransferRead, Unit
from yagona.ledger.views import to_major, to_minor, transfer_view


def test_som_accounts_speak_som_and_keep_tiyin_inside() -> None:
    assert to_major(13_703_550, Unit.SOM).to_json() == 137_035.5
    assert to_minor(Money.parse("137 035.5"), Unit.SOM) == 13_703_550


def test_points_accounts_count_whole_points() -> None:
    assert to_major(250, Unit.POINTS).to_json() == 250
    assert to_minor(Money.of_som(250), Unit.POINTS) == 250
    with pytest.raises(InvalidRequestError):
        to_minor(Money.parse("2.5"), Unit.POINTS)


def test_a_transfer_reads_in_som_at_tashkent_time() -> None:
    read = TransferRead(
        id="t",
        seq=1,
        batch_id="b",
        debit="line:1",
        credit="revenue",
        amount=6_000_000,
        unit=Unit.SOM,
        kind=TransferKind.POSTED,
        reason="fee",
        pending_id=None,
        metadata={},
        created_at=datetime(2026, 3, 15, 4, 30, 0, 123, tzinfo=UTC),
    )
    shown = transfer_view(read).model_dump(mode="json")
    assert (shown["amount"], shown["created_at"]) == (60_000, "2026-03-15T09:30:00+05:00")
