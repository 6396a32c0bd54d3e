"""Types that cross the lines domain's boundary. Money in tiyin; data in MB."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict

LineStatus = Literal["active", "blocked"]
BlockReason = Literal["debt", "administrative", "lost"]
UsageKind = Literal["voice", "incoming", "sms", "data", "csd"]


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class LineState(_Frozen):
    msisdn: str
    plan: str
    status: LineStatus
    block_reason: BlockReason | None
    balance_tiyin: int
    next_charge_at: datetime | None  # start of the night window in which the next fee falls due
    # What is left of each bundle the plan and packages grant: minutes, SMS, MB.
    bundles: dict[str, int | float]


class UsageResult(_Frozen):
    record_id: str
    kind: UsageKind
    destination: str
    units: int | float  # billed: minutes, SMS, or MB
    from_bundle: int | float
    charged_tiyin: int
    balance_tiyin: int
    cut: bool  # the balance ran out and the network ended the session early


class UssdAnswer(_Frozen):
    code: str
    text: str  # what the phone shows, Uzbek (Latin)
    action: str | None  # what the code did: switch, reload, promo, package; None for a query
