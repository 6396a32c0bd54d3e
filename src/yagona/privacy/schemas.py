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


class LegalHoldRead(BaseModel):
    model_config = ConfigDict(frozen=True)

    id: str
    customer_id: str
    reason: str
    reference: str | None = None
    placed_by: str
    placed_at: datetime
    released_at: datetime | None
    released_by: str | None
    release_reason: str | None = None


class ErasureRead(BaseModel):
    """An erasure done: rows changed per domain (pseudonymised or deleted)."""

    model_config = ConfigDict(frozen=True)

    id: str
    customer_id: str
    requested_by: str
    rows: dict[str, int]
    erased_at: datetime


class RetentionReport(BaseModel):
    """One retention pass: per purpose, the cut-off and the rows each domain let go."""

    model_config = ConfigDict(frozen=True)

    purpose: str
    days: int
    before: datetime
    rows: dict[str, int]


class KAnonymityReport(BaseModel):
    """Re-identification risk of a set of rows over its quasi-identifiers: the smallest group
    must hold at least `k` rows (`ok`); the groups below `k` are listed (their keys only)."""

    model_config = ConfigDict(frozen=True)

    k: int
    quasi: list[str]
    rows: int
    groups: int
    smallest_group: int
    ok: bool
    risky_groups: list[dict[str, object]]
    rows_at_risk: int
