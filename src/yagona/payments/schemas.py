"""What the payments domain answers and is configured with."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict

System = Literal["payme", "click"]
Target = Literal["line", "wallet"]

CREATED, PERFORMED, CANCELLED, CANCELLED_AFTER_PERFORM = 1, 2, -1, -2


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class PaymentsConfig(_Frozen):
    """Handed in by the composition root. A missing key refuses every call of that system."""

    payme_key: str | None = None
    click_secret_key: str | None = None
    click_service_id: str | None = None
    min_amount_tiyin: int = 100_000
    max_amount_tiyin: int = 1_000_000_000


class TransactionRead(_Frozen):
    seq: int
    system: System
    external_id: str
    target: Target
    account: str
    amount: int
    state: int
    reason: int | None
    external_time: int | None
    created_at: datetime
    performed_at: datetime | None
    cancelled_at: datetime | None
