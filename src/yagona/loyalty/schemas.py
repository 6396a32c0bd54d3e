"""Types that cross the loyalty domain's boundary: the programme (validated data) and what
a member holds. Spend in tiyin; points are whole points."""

from __future__ import annotations

from datetime import date, datetime
from fractions import Fraction
from itertools import pairwise
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

Slug = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9_-]*$", max_length=40)]
EntryKind = Literal["earn", "bonus", "redeem", "expire", "take_back", "adjust"]


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class EarnRules(_Frozen):
    som_per_point: int = Field(gt=0)
    line_charges_excluded: tuple[Slug, ...] = ()
    wallet_providers_excluded: tuple[Slug, ...] = ()


class Tier(_Frozen):
    id: Slug
    from_som: int = Field(ge=0)
    multiplier: str = Field(pattern=r"^\d+(\.\d+)?$")

    @property
    def factor(self) -> Fraction:
        return Fraction(self.multiplier)

    @property
    def from_tiyin(self) -> int:
        return self.from_som * 100


class EcosystemBonus(_Frozen):
    points: int = Field(ge=0)
    kinds: tuple[Slug, ...]


class RewardBundle(_Frozen):
    key: Literal["bonus_mb", "bonus_minutes"]
    amount: int = Field(gt=0)  # MB or minutes
    days: int = Field(gt=0)


class Reward(_Frozen):
    id: Slug
    points: int = Field(gt=0)
    bundle: RewardBundle | None = None
    fee_discount_percent: int | None = Field(default=None, gt=0, le=100)

    @model_validator(mode="after")
    def _one_grant(self) -> Reward:
        if (self.bundle is None) == (self.fee_discount_percent is None):
            raise ValueError(f"reward {self.id} grants either a bundle or a fee discount")
        return self


class Programme(_Frozen):
    version: str
    effective_from: date
    earn: EarnRules
    spend_window_days: int = Field(gt=0)
    tiers: tuple[Tier, ...] = Field(min_length=1)
    ecosystem_bonus: EcosystemBonus
    expiry_months: int = Field(gt=0)
    rewards: tuple[Reward, ...]

    @field_validator("tiers")
    @classmethod
    def _ascending_from_zero(cls, tiers: tuple[Tier, ...]) -> tuple[Tier, ...]:
        if tiers[0].from_som != 0:
            raise ValueError("the first tier starts at 0 so'm")
        if any(a.from_som >= b.from_som for a, b in pairwise(tiers)):
            raise ValueError("tiers ascend by from_som")
        return tiers

    @field_validator("rewards")
    @classmethod
    def _unique_rewards(cls, rewards: tuple[Reward, ...]) -> tuple[Reward, ...]:
        ids = [r.id for r in rewards]
        if len(ids) != len(set(ids)):
            raise ValueError("reward ids are unique")
        return rewards

    def reward(self, reward_id: str) -> Reward | None:
        return next((r for r in self.rewards if r.id == reward_id), None)


class LotRead(_Frozen):
    points: int  # what is left of the lot
    earned_at: datetime
    expires_at: datetime


class EntryRead(_Frozen):
    kind: EntryKind
    points: int  # signed: positive earned, negative burned
    spend_tiyin: int
    at: datetime
    reference: str


class NextTier(_Frozen):
    tier: str
    spend_needed_tiyin: int  # more earning spend in the window to reach it


class LoyaltyState(_Frozen):
    phone: str
    points: int  # the ledger balance (negative while a take-back is being repaid)
    tier: str
    multiplier: str
    spend_90d_tiyin: int
    carry_tiyin: int
    lots: list[LotRead]  # open lots, oldest first
    next_tier: NextTier | None
    programme: str  # the programme version in force


class Redemption(_Frozen):
    reward: str
    msisdn: str
    points_spent: int
    points: int  # after


class LoyaltySummary(_Frozen):
    """What a short channel (the `*111#` menu, an SMS) says of a member: the balance, the tier
    and what the next needs, the points expiring first and when."""

    phone: str  # the member's phone (the profile's, for a line linked under another number)
    points: int
    tier: str
    multiplier: str
    next_tier: NextTier | None
    expiring_points: int  # the points of the lots expiring at `expiring_at` (0: none held)
    expiring_at: datetime | None
    rewards: tuple[Reward, ...]  # the catalogue in force, cheapest first


class Adjustment(_Frozen):
    """A staff adjustment as done: the points moved, the balance after, and whether this was
    the same request again (a double submit: nothing moved the second time)."""

    points: int
    balance: int
    repeated: bool = False
