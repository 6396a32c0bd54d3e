"""What the lines REST answers and accepts, in the one API convention (docs/api.md): snake_case,
so'm as JSON numbers (`Som`), Tashkent timestamps, request bodies that refuse unknown fields
and coerce nothing."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import Path
from pydantic import Field

from yagona.kernel.errors import YagonaError
from yagona.kernel.money import Money
from yagona.lines.schemas import BlockReason, LineState, LineStatus, PromoState, UsageKind, UsageResult
from yagona.platform.api import MSISDN_PATH_PATTERN, ApiModel, ApiRead, Msisdn, Som, SomPositive, Timestamp
from yagona.platform.i18n import localize

# A line's number in a path: `998901234567` (`/lines/abc` is 422, not 404).
MsisdnPath = Annotated[str, Path(pattern=MSISDN_PATH_PATTERN, examples=["998901234567"])]
PlanId = Annotated[str, Field(min_length=1, max_length=60, pattern=r"^[a-z0-9][a-z0-9-]*$")]
PromoPath = Annotated[str, Path(min_length=1, max_length=60, pattern=r"^[a-z0-9][a-z0-9-]*$")]


_PROBLEM_SCHEMA = {
    "type": "object",
    "description": "RFC 9457 problem details with Yagona's stable `code`",
    "properties": {
        "type": {"type": "string"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "code": {"type": "string"},
        "detail": {"type": "string"},
    },
    "required": ["status", "code"],
}


def _problem(description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/problem+json": {"schema": _PROBLEM_SCHEMA}}}


# Every answer an operation of lines may give besides its success (problem+json).
STAFF_PROBLEMS: dict[int | str, dict[str, Any]] = {
    401: _problem("no staff key, or a wrong one"),
    404: _problem("no such line, plan or promo"),
    409: _problem("refused by the rules: plan closed, switch not allowed, below minimum, blocked, conflict"),
    422: _problem("the request is not valid"),
}
CUSTOMER_PROBLEMS: dict[int | str, dict[str, Any]] = {
    401: _problem("not signed in: no One ID session or bearer token, or a dead one"),
    403: _problem("not the customer's line, or the token lacks the scope"),
    404: _problem("no such line or promo"),
    409: _problem("refused by the rules: switch not allowed, below minimum, blocked"),
    422: _problem("the request is not valid"),
}


class LineCreate(ApiModel):
    msisdn: Msisdn
    plan: PlanId
    deposit: SomPositive
    region: str | None = Field(default=None, min_length=1, max_length=60)


class TopUpCreate(ApiModel):
    amount: SomPositive


class PlanChange(ApiModel):
    plan: PlanId


class BlockCreate(ApiModel):
    reason: Literal["administrative", "lost"]


class UssdRequest(ApiModel):
    code: str = Field(min_length=2, max_length=20)


class UsageBatch(ApiModel):
    """Records as the network sends them; each is checked on its own (a bad one is answered
    with its refusal, the others are rated). At most `limits.batch_size_max` records."""

    records: list[dict[str, Any]] = Field(min_length=1, max_length=100_000)


class LineView(ApiRead):
    msisdn: str
    plan: str
    status: LineStatus
    block_reason: BlockReason | None
    balance: Som
    next_charge_at: Timestamp | None = Field(description="start of the night window in which the next fee falls due")
    next_charge: Som | None = Field(description="what falls due then: the plan's fee")
    bundles: dict[str, int | float] = Field(description="what is left of each bundle: minutes, SMS, MB")

    @classmethod
    def of(cls, line: LineState) -> LineView:
        return cls(
            msisdn=line.msisdn,
            plan=line.plan,
            status=line.status,
            block_reason=line.block_reason,
            balance=Money(line.balance_tiyin),
            next_charge_at=line.next_charge_at,
            next_charge=Money(line.next_charge_tiyin) if line.next_charge_tiyin is not None else None,
            bundles=line.bundles,
        )


class UsageView(ApiRead):
    id: str
    kind: UsageKind
    destination: str
    units: int | float = Field(description="billed: minutes, SMS, or MB")
    from_bundle: int | float
    charged: Som
    balance: Som
    cut: bool

    @classmethod
    def of(cls, result: UsageResult) -> UsageView:
        return cls(
            id=result.record_id,
            kind=result.kind,
            destination=result.destination,
            units=result.units,
            from_bundle=result.from_bundle,
            charged=Money(result.charged_tiyin),
            balance=Money(result.balance_tiyin),
            cut=result.cut,
        )


class BatchItem(ApiRead):
    """One record's answer: its result, or its refusal (`code`, `detail`)."""

    id: str | None
    ok: bool
    result: UsageView | None = None
    code: str | None = None
    detail: str | None = None


class BatchAnswer(ApiRead):
    results: list[BatchItem]


class UsageItem(ApiRead):
    id: str
    rated_at: Timestamp
    kind: UsageKind
    destination: str
    units: int | float
    from_bundle: int | float
    charged: Som


class UsagePage(ApiRead):
    items: list[UsageItem]
    next_before: int | None = Field(description="pass as `before` for the next page; null at the end")


class PromoView(ApiRead):
    promo: str
    status: Literal["available", "free", "paid", "off"]
    free_until: Timestamp | None
    daily_fee: Som | None

    @classmethod
    def of(cls, promo: PromoState) -> PromoView:
        return cls(
            promo=promo.promo,
            status=promo.status,
            free_until=promo.free_until,
            daily_fee=Money(promo.daily_fee_tiyin) if promo.daily_fee_tiyin is not None else None,
        )


def batch_item(raw: dict[str, Any], outcome: UsageResult | YagonaError, language: str) -> BatchItem:
    given = raw.get("id")
    record_id = given if isinstance(given, str) and len(given) <= 80 else None
    if isinstance(outcome, UsageResult):
        return BatchItem(id=outcome.record_id, ok=True, result=UsageView.of(outcome))
    return BatchItem(id=record_id, ok=False, code=outcome.code, detail=localize(outcome, language))
