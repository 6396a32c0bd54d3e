"""Types that cross the lines domain's boundary. Money in tiyin; data in MB."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, model_validator

from yagona.kernel.errors import YagonaError
from yagona.kernel.phone import normalise_msisdn

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
    next_charge_tiyin: int | None = None  # what falls due then (None while blocked for debt)
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


def _msisdn(value: Any) -> str:
    msisdn = normalise_msisdn(value) if isinstance(value, str) else None
    if msisdn is None:
        raise ValueError("not an Uzbek mobile number (998 and 9 digits)")
    return msisdn


def _mb(value: Any) -> Decimal:
    """A JSON number of MB (never a string, never a boolean)."""
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        raise ValueError("mb is a JSON number, e.g. 0.5")
    try:
        return Decimal(str(value))
    except InvalidOperation:
        raise ValueError("mb is a JSON number, e.g. 0.5") from None


class UsageRecord(_Frozen):
    """A usage record as the network reports it (TMF635 Usage, flattened). Strict: `"60"`
    is not 60; the MSISDN is normalised by the one kernel normaliser."""

    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True, strict=True)

    id: str = Field(min_length=1, max_length=80, pattern=r"^[A-Za-z0-9._:\-]+$")
    msisdn: Annotated[str, BeforeValidator(_msisdn)] = Field(json_schema_extra={"pattern": r"^\+?[0-9 ()\-]{9,20}$"})
    type: Literal["voice", "incoming", "sms", "data"]
    to: str | None = Field(default=None, min_length=1, max_length=20)
    caller: str | None = Field(default=None, alias="from", min_length=1, max_length=20)
    seconds: int | None = None  # checked by the rules: a person reads why a duration is refused
    mb: Annotated[Decimal, BeforeValidator(_mb)] | None = Field(default=None, max_digits=16, decimal_places=6)
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


class PromoState(_Frozen):
    promo: str
    status: Literal["available", "free", "paid", "off"]
    free_until: datetime | None
    daily_fee_tiyin: int | None


@dataclass(frozen=True, slots=True)
class SwitchQuote:
    """The switching rule's answer before the switch: what it charges now, when it takes
    effect, and the refusal (None when the switch may go ahead). The switch itself follows the
    very same answer."""

    msisdn: str
    from_plan: str
    to_plan: str
    fee_tiyin: int  # charged from the balance at once: the new plan's period starts then
    balance_tiyin: int  # the balance before the switch
    takes_effect_at: datetime  # at once
    next_charge_at: datetime  # one period of the new plan later
    refusal: YagonaError | None


class TopUpRead(_Frozen):
    """Money paid into a line (or taken back from it by the payer), as its history shows it."""

    at: datetime
    amount: int  # tiyin; negative when a payer took a top-up back
    # Who paid it in: `payme`, `click` (their clearing accounts), `wallet` (a wallet payment),
    # `payments` (cash desks, cards, partners), or the ledger account's own name.
    source: str


class PlanCost(_Frozen):
    """What a line's past usage would have cost on a plan (`lines.service.replay_usage`):
    the plan's fee for the period and the usage priced by the rating rules after its bundles."""

    plan: str
    fee_tiyin: int
    usage_tiyin: int
    records: int

    @property
    def total_tiyin(self) -> int:
        return self.fee_tiyin + self.usage_tiyin
