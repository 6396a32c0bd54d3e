"""What crosses the reminder engine's boundary: a rule as the data file states it, and a
customer's preferences."""

from __future__ import annotations

from datetime import timedelta
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

Language = Literal["uz", "ru", "en"]
RuleKind = Literal["service", "marketing"]
ChannelName = Literal["sms", "push"]


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Condition(_Frozen):
    """One comparison on a fact the trigger provides; a rule's `when` holds when all do."""

    fact: str
    equals: str | None = None
    at_least: float | None = None
    at_most: float | None = None
    above: float | None = None
    below: float | None = None

    def comparison(self) -> tuple[str, str, float | str]:
        given = [(op, v) for op, v in self.model_dump(exclude={"fact"}).items() if v is not None]
        if len(given) != 1:
            raise ValueError(f"a condition on {self.fact} takes exactly one comparison")
        op, value = given[0]
        return self.fact, op, value


class Rule(_Frozen):
    """A reminder as `data/rules.yaml` states it."""

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]{1,39}$")
    title: str  # English, for the preferences page (translated there)
    kind: RuleKind
    trigger: str  # an event of a lower domain (`lines.usage_rated`) or a schedule (`schedule:line.fee_due`)
    when: tuple[Condition, ...] = ()
    period_days: int = Field(ge=0, le=366)  # no repeat of the same reminder for the same subject within it
    channels: tuple[ChannelName, ...] = ("sms",)
    required: bool = False  # a legally required notice: the customer cannot switch it off
    text: dict[Language, str] = Field(default_factory=dict)

    @property
    def period(self) -> timedelta:
        return timedelta(days=self.period_days)


class RuleChoice(_Frozen):
    rule: str
    title: str
    kind: RuleKind
    required: bool
    on: bool


class Preferences(_Frozen):
    """A customer's choices: the channel order, the rules switched off, marketing consent."""

    channels: tuple[ChannelName, ...]
    opted_out: tuple[str, ...]
    marketing_opt_in: bool
    rules: tuple[RuleChoice, ...]
