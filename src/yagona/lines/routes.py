"""REST of mobile lines (staff and network systems): connect, top up, usage records
(TMF635-like), state and balance buckets (TMF654-like), switch, reload, USSD."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Header
from pydantic import BaseModel, Field

from yagona.kernel.clock import TASHKENT
from yagona.kernel.money import Money
from yagona.lines import service
from yagona.lines.schemas import LineState, UsageRecord, UsageResult, UssdAnswer
from yagona.platform.auth import require_staff
from yagona.platform.uow import UnitOfWork
from yagona.platform.web import unit_of_work

router = APIRouter(prefix="/api/v1/lines", tags=["lines"], dependencies=[Depends(require_staff)])
Uow = Annotated[UnitOfWork, Depends(unit_of_work)]
SomAmount = Annotated[Decimal, Field(gt=0, max_digits=15, decimal_places=2)]


class LineCreate(BaseModel):
    msisdn: str = Field(min_length=9, max_length=16)
    plan: str = Field(min_length=1, max_length=60)
    deposit: SomAmount
    region: str | None = Field(default=None, max_length=60)


class TopUpCreate(BaseModel):
    amount: SomAmount


class PlanChange(BaseModel):
    plan: str = Field(min_length=1, max_length=60)


class BlockCreate(BaseModel):
    reason: Literal["administrative", "lost"]


class UssdRequest(BaseModel):
    code: str = Field(min_length=2, max_length=20)


def _view(line: LineState) -> dict[str, Any]:
    return {
        "msisdn": line.msisdn,
        "plan": line.plan,
        "status": line.status,
        "blockReason": line.block_reason,
        "balance": Money(line.balance_tiyin).to_json(),
        "nextChargeAt": line.next_charge_at.astimezone(TASHKENT).isoformat() if line.next_charge_at else None,
        "bundles": line.bundles,
        # TMF654 bucket shape, for integrators that speak it.
        "bucket": [
            {
                "id": "balance",
                "usageType": "monetary",
                "remainingValue": {"amount": Money(line.balance_tiyin).to_json(), "units": "UZS"},
            }
        ]
        + [
            {"id": key, "usageType": key, "remainingValue": {"amount": amount, "units": _unit(key)}}
            for key, amount in line.bundles.items()
        ],
    }


def _unit(key: str) -> str:
    return "MB" if key.endswith("mb") else ("SMS" if key == "sms" else "MIN")


@router.post("", status_code=201)
def connect(body: LineCreate, uow: Uow) -> dict[str, Any]:
    line = service.connect(
        uow, msisdn=body.msisdn, plan_id=body.plan, deposit=Money.parse(body.deposit), region=body.region
    )
    uow.commit()
    return _view(line)


@router.get("/{msisdn}")
def get_line(msisdn: str, uow: Uow) -> dict[str, Any]:
    return _view(service.state(uow, msisdn=msisdn))


@router.post("/{msisdn}/topups", status_code=201)
def top_up(
    msisdn: str, body: TopUpCreate, uow: Uow, idempotency_key: Annotated[str, Header(min_length=1, max_length=200)]
) -> dict[str, Any]:
    line = service.top_up(
        uow, msisdn=msisdn, amount=Money.parse(body.amount), idempotency_key=f"lines.topup:{idempotency_key}"
    )
    uow.commit()
    return _view(line)


@router.post("/{msisdn}/plan")
def switch_plan(msisdn: str, body: PlanChange, uow: Uow) -> dict[str, Any]:
    line = service.switch_plan(uow, msisdn=msisdn, plan_id=body.plan)
    uow.commit()
    return _view(line)


@router.post("/{msisdn}/reload")
def reload(msisdn: str, uow: Uow) -> dict[str, Any]:
    line = service.reload(uow, msisdn=msisdn)
    uow.commit()
    return _view(line)


@router.post("/{msisdn}/block")
def block(msisdn: str, body: BlockCreate, uow: Uow) -> dict[str, Any]:
    line = service.block(uow, msisdn=msisdn, reason=body.reason)
    uow.commit()
    return _view(line)


@router.post("/{msisdn}/unblock")
def unblock(msisdn: str, uow: Uow) -> dict[str, Any]:
    line = service.unblock(uow, msisdn=msisdn)
    uow.commit()
    return _view(line)


@router.post("/{msisdn}/promos/{promo_id}", status_code=201)
def activate_promo(msisdn: str, promo_id: str, uow: Uow) -> dict[str, Any]:
    """Start a promo subscription (Beeline Music starts in its app; TV also by `*20#`)."""
    line = service.activate_promo(uow, msisdn=msisdn, promo_id=promo_id)
    uow.commit()
    return _view(line)


@router.delete("/{msisdn}/promos/{promo_id}", status_code=204)
def switch_off_promo(msisdn: str, promo_id: str, uow: Uow) -> None:
    """The customer switches a promo subscription off: no daily fee from now on."""
    service.switch_off_promo(uow, msisdn=msisdn, promo_id=promo_id)
    uow.commit()


@router.post("/{msisdn}/ussd")
def ussd(msisdn: str, body: UssdRequest, uow: Uow) -> UssdAnswer:
    answer = service.ussd(uow, msisdn=msisdn, code=body.code)
    uow.commit()
    return answer


usage_router = APIRouter(prefix="/api/v1/usage", tags=["lines"], dependencies=[Depends(require_staff)])


class UsageBatch(BaseModel):
    records: list[UsageRecord] = Field(min_length=1, max_length=1_000)


def _usage_view(result: UsageResult) -> dict[str, Any]:
    return {
        "id": result.record_id,
        "usageType": result.kind,
        "destination": result.destination,
        "units": result.units,
        "fromBundle": result.from_bundle,
        "charged": Money(result.charged_tiyin).to_json(),
        "balance": Money(result.balance_tiyin).to_json(),
        "cut": result.cut,
    }


@usage_router.post("", status_code=201)
def post_usage(body: UsageRecord, uow: Uow) -> dict[str, Any]:
    """Rate one usage record; a repeated record id is charged once and answers the same."""
    result = service.rate_usage(uow, record=body)
    uow.commit()
    return _usage_view(result)


@usage_router.post("/batch")
def post_usage_batch(body: UsageBatch, uow: Uow) -> dict[str, Any]:
    """Rate up to 1 000 records at once (a CDR file, a mediation batch): each is answered with
    its result or its refusal; refused records write nothing."""
    outcomes = service.rate_usages(uow, records=body.records)
    uow.commit()
    return {
        "results": [
            _usage_view(o) if isinstance(o, UsageResult) else {"code": o.code, "detail": o.message} for o in outcomes
        ]
    }
