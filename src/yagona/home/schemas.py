"""What crosses the home domain's boundary."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict


class Frozen(BaseModel):
    model_config = ConfigDict(frozen=True)


class PackageState(Frozen):
    id: str
    monthly_fee_tiyin: int
    added_at: datetime


class HomeAccountState(Frozen):
    """A home account as its owner, the staff and the sandbox see it."""

    contract: str
    iptv_number: str
    customer_id: str
    address: str
    plan: str
    next_plan: str | None
    equipment: tuple[str, ...]
    packages: tuple[PackageState, ...]
    state: str
    balance_tiyin: int
    # What one period costs now (plan, equipment, packages) and when it next falls due
    # (None unless active); the plan of the next period included.
    period_fee_tiyin: int
    next_fee_tiyin: int
    next_charge_at: datetime | None
    requested_at: datetime
    activated_at: datetime | None
    suspended_at: datetime | None
