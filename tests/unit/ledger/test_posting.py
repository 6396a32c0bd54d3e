"""The shortcuts of the posting path give exactly what pydantic would."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from yagona.kernel.fingerprint import request_fingerprint
from yagona.ledger import posting
from yagona.ledger.schemas import TransferCreate, TransferKind, TransferRead, Unit

TRANSFERS = [
    TransferCreate(debit="customer:a", credit="operator:revenue", amount=1, reason="payment"),
    TransferCreate(
        debit="wallet:998901234567",
        credit="merchant:x",
        amount=999_999,
        reason="topup.card",
        pending=True,
        metadata={"order": "42", "уз": "ё"},
    ),
]


@pytest.mark.parametrize("transfer", TRANSFERS, ids=["plain", "pending with metadata"])
def test_a_postings_fingerprint_is_that_of_its_pydantic_dump(transfer: TransferCreate) -> None:
    checked = posting.check([transfer], "k", batch_size_max=10)
    assert checked.request_hash == request_fingerprint({"post": [transfer.model_dump(mode="json")]})


def test_a_trusted_read_equals_a_validated_one() -> None:
    values = {
        "id": "t1",
        "seq": 7,
        "batch_id": "b1",
        "debit": "customer:a",
        "credit": "operator:revenue",
        "amount": 100,
        "unit": Unit.SOM,
        "kind": TransferKind.POSTED,
        "reason": "payment",
        "pending_id": None,
        "metadata": {"order": "42"},
        "created_at": datetime(2026, 11, 30, 6, 0, tzinfo=UTC),
    }
    trusted = posting.trusted_read(dict(values))
    validated = TransferRead(**values)  # type: ignore[arg-type]
    assert trusted == validated == TransferRead.model_construct(**values)
    assert trusted.model_dump(mode="json") == validated.model_dump(mode="json")
    assert trusted.model_fields_set == validated.model_fields_set
    with pytest.raises(Exception, match="frozen"):
        trusted.amount = 1  # type: ignore[misc]
