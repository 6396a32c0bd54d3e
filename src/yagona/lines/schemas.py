"""Types that cross the lines domain's boundary. Money in tiyin; data in MB."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

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


class UsageRecord(_Frozen):
    """A usage record as the network reports it (TMF635 Usage, flattened)."""

    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)

    id: str = Field(min_length=1, max_length=80)
    msisdn: str = Field(min_length=9, max_length=16)
    type: Literal["voice", "incoming", "sms", "data"]
    to: str | None = Field(default=None, min_length=1, max_length=20)
    caller: str | None = Field(default=None, alias="from", min_length=1, max_length=20)
    seconds: int | None = None  # checked by the rules: a person reads why a duration is refused
    mb: Decimal | None = Field(default=None, max_digits=16, decimal_places=6)
    # Data: TAS-IX traffic is flagged by the network (`tasix`) or told by the server's `ip`
    # (the TAS-IX ranges); through a proxy or VPN (`vpn`) it is ordinary traffic; a `host`
    # on the list of free state and socially important resources costs nothing.
    tasix: bool = False
    ip: str | None = Field(default=None, max_length=45)
    host: str | None = Field(default=None, max_length=253)
    vpn: bool = False

    @model_validator(mode="after")
    def _fields_of_its_type(self) -> UsageRecord:
        needed = {"voice": ("to", "seconds"), "incoming": ("caller", "seconds"), "sms": ("to",), "data": ("mb",)}
        missing = [name for name in needed[self.type] if getattr(self, name) is None]
        if missing:
            shown = ["from" if name == "caller" else name for name in missing]
            raise ValueError(f"a {self.type} record needs {', '.join(shown)}")
        if self.seconds is not None and not 1 <= self.seconds <= 86_400:
            raise ValueError("a call lasts from one second to a day")
        if self.mb is not None and not 0 < self.mb <= 1_048_576:
            raise ValueError("a data session is more than 0 and at most 1 048 576 MB")
        return self
