"""REST of the bonus programme, shaped after TMF658 Loyalty Management where it fits (a
loyalty account with its balance, earn and burn history, the rewards on offer).

- `/api/v1/me/loyalty` — the signed-in customer (session, or a bearer token with the scope
  `loyalty`): their points, tier, what the next tier needs, lots expiring, history;
  `POST …/redemptions` exchanges points for a reward on one of their own lines.
- `/api/v1/loyalty/members/{phone}` — staff (`X-Api-Key`, standing for a supervisor): a
  customer's points, and a manual adjustment that must say why (it is a ledger transfer and
  stays in the history; an `Idempotency-Key` makes a retry harmless).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Header, Path, Query
from pydantic import Field

from yagona.kernel.errors import NotFoundError
from yagona.kernel.fingerprint import IDEMPOTENCY_KEY_MAX
from yagona.kernel.money import Money
from yagona.loyalty import service
from yagona.loyalty.schemas import EntryRead, LotRead, LoyaltyState, Reward
from yagona.platform.api import MSISDN_PATH_PATTERN, ApiModel, ApiRead, Msisdn, Som, Timestamp
from yagona.platform.auth import Principal, require_customer, require_own_line, require_staff
from yagona.platform.uow import UnitOfWork
from yagona.platform.web import unit_of_work

EXPIRING_SOON = timedelta(days=30)

_PROBLEM = {"application/problem+json": {"schema": {"type": "object", "required": ["status", "code"]}}}
CUSTOMER_PROBLEMS: dict[int | str, dict[str, Any]] = {
    401: {"description": "not signed in: no One ID session or bearer token", "content": _PROBLEM},
    403: {"description": "not the customer's line, or the token lacks the scope `loyalty`", "content": _PROBLEM},
    404: {"description": "no such reward or line (`not_found`)", "content": _PROBLEM},
    409: {"description": "`insufficient_points`, or the line is blocked (`line_blocked`)", "content": _PROBLEM},
    422: {"description": "the request is not valid", "content": _PROBLEM},
}
STAFF_PROBLEMS: dict[int | str, dict[str, Any]] = {
    401: {"description": "no staff key, or a wrong one", "content": _PROBLEM},
    409: {"description": "`insufficient_points`: more taken than held", "content": _PROBLEM},
    422: {"description": "the request is not valid (a reason is mandatory)", "content": _PROBLEM},
}

me_router = APIRouter(prefix="/api/v1/me/loyalty", tags=["my bonus points"], responses=CUSTOMER_PROBLEMS)
staff_router = APIRouter(
    prefix="/api/v1/loyalty", tags=["loyalty (staff)"], dependencies=[Depends(require_staff)], responses=STAFF_PROBLEMS
)
Uow = Annotated[UnitOfWork, Depends(unit_of_work)]
Member = Annotated[Principal, Depends(require_customer("loyalty"))]
PhonePath = Annotated[str, Path(pattern=MSISDN_PATH_PATTERN, examples=["998901234567"])]


class LotView(ApiRead):
    points: int
    earned_at: Timestamp
    expires_at: Timestamp

    @classmethod
    def of(cls, lot: LotRead) -> LotView:
        return cls(points=lot.points, earned_at=lot.earned_at, expires_at=lot.expires_at)


class EntryView(ApiRead):
    """One earn or burn (TMF658 LoyaltyEarn / LoyaltyBurn): points signed, its earning spend."""

    kind: Literal["earn", "bonus", "redeem", "expire", "take_back", "adjust"]
    points: int
    spend: Som
    at: Timestamp
    reference: str

    @classmethod
    def of(cls, entry: EntryRead) -> EntryView:
        return cls(
            kind=entry.kind, points=entry.points, spend=Money(entry.spend_tiyin), at=entry.at, reference=entry.reference
        )


class RewardView(ApiRead):
    id: str
    points: int
    grants: str  # what it gives, in words of the catalogue: "1024 MB for 30 days", "10 % off the next fee"

    @classmethod
    def of(cls, reward: Reward) -> RewardView:
        if reward.bundle is not None:
            unit = "MB" if reward.bundle.key == "bonus_mb" else "minutes"
            grants = f"{reward.bundle.amount} {unit} for {reward.bundle.days} days"
        else:
            grants = f"{reward.fee_discount_percent} % off the line's next monthly fee"
        return cls(id=reward.id, points=reward.points, grants=grants)


class NextTierView(ApiRead):
    tier: str
    spend_needed: Som


class LoyaltyAccountView(ApiRead):
    """A customer's loyalty account (TMF658 LoyaltyAccount): the balance in points, the tier
    and what the next one needs, the open lots (oldest first) and those expiring in 30 days."""

    id: str
    phone: str
    programme: str
    points: int  # the balance, in points (negative while a take-back is repaid)
    tier: str
    multiplier: str
    spend_90d: Som
    carry: Som
    next_tier: NextTierView | None
    lots: list[LotView]
    expiring_soon: list[LotView]
    rewards: list[RewardView]
    history: list[EntryView]


def _account(uow: UnitOfWork, state: LoyaltyState, history_limit: int) -> LoyaltyAccountView:
    soon = uow.clock.now() + EXPIRING_SOON
    return LoyaltyAccountView(
        id=service.account_of(state.phone),
        phone=state.phone,
        programme=state.programme,
        points=state.points,
        tier=state.tier,
        multiplier=state.multiplier,
        spend_90d=Money(state.spend_90d_tiyin),
        carry=Money(state.carry_tiyin),
        next_tier=NextTierView(tier=state.next_tier.tier, spend_needed=Money(state.next_tier.spend_needed_tiyin))
        if state.next_tier
        else None,
        lots=[LotView.of(lot) for lot in state.lots],
        expiring_soon=[LotView.of(lot) for lot in state.lots if lot.expires_at <= soon],
        rewards=[RewardView.of(r) for r in service.rewards(uow)],
        history=[EntryView.of(e) for e in service.history(uow, phone=state.phone, limit=history_limit)],
    )


HistoryLimit = Annotated[int, Query(ge=1, le=service.HISTORY_MAX, description="history entries, newest first")]


def _phone(uow: UnitOfWork, principal: Principal) -> str:
    phone = service.member_phone(uow, phones=principal.phones)
    if phone is None:
        raise NotFoundError("the profile has no phone to hold points")
    return phone


@me_router.get("")
def my_points(principal: Member, uow: Uow, history: HistoryLimit = 20) -> LoyaltyAccountView:
    """The customer's points: balance, tier, what the next tier needs, lots expiring, history."""
    return _account(uow, service.state(uow, phone=_phone(uow, principal)), history)


class RedemptionCreate(ApiModel):
    reward: str = Field(min_length=1, max_length=40, examples=["data-1gb"])
    msisdn: Msisdn | None = Field(default=None, description="one of the customer's lines (default: their phone's)")


class RedemptionView(ApiRead):
    reward: str
    msisdn: str
    points_spent: int
    points: int  # after


@me_router.post("/redemptions", status_code=201)
def redeem(body: RedemptionCreate, principal: Member, uow: Uow) -> RedemptionView:
    """Exchange points for a reward of the catalogue on one of the customer's own lines."""
    phone = _phone(uow, principal)
    msisdn = body.msisdn or phone
    require_own_line(principal, msisdn)
    done = service.redeem(uow, phone=phone, reward=body.reward, msisdn=msisdn)
    uow.commit()
    return RedemptionView(reward=done.reward, msisdn=done.msisdn, points_spent=done.points_spent, points=done.points)


@staff_router.get("/members/{phone}")
def member_points(phone: PhonePath, uow: Uow, history: HistoryLimit = 50) -> LoyaltyAccountView:
    """A customer's points as the customer sees them (a phone the programme has not seen: none)."""
    return _account(uow, service.state(uow, phone=phone), history)


class AdjustmentCreate(ApiModel):
    points: int = Field(ge=-1_000_000, le=1_000_000, description="points added (positive) or removed (negative)")
    reason: str = Field(min_length=3, max_length=200, description="why: kept in the history and the audit")
    staff: str = Field(min_length=1, max_length=60, description="who adjusts (until the console brings staff roles)")


IdempotencyKey = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key",
        min_length=1,
        max_length=IDEMPOTENCY_KEY_MAX,
        pattern=r"^[A-Za-z0-9._:\-]+$",
        description="the same key again adjusts nothing more (a retry, a double submit)",
    ),
]


@staff_router.post("/members/{phone}/adjustments", status_code=201)
def adjust(phone: PhonePath, body: AdjustmentCreate, uow: Uow, key: IdempotencyKey = None) -> LoyaltyAccountView:
    """A manual adjustment with a mandatory reason: a ledger transfer, in the history — the
    same service function as the staff console's supervisor form."""
    service.adjust(uow, phone=phone, points=body.points, reason=body.reason, staff=body.staff, request_id=key)
    uow.commit()
    return _account(uow, service.state(uow, phone=phone), 50)
