"""What the access log answers."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict


class AccessRecordRead(BaseModel):
    model_config = ConfigDict(frozen=True)

    seq: int
    staff_id: str
    customer_id: str
    action: str
    subject: str | None
    reason: str
    occurred_at: datetime
