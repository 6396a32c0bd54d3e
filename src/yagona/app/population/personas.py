"""Who the synthetic operator's customers are, drawn from a seed: pure, no service, no clock.

A persona fixes a customer's plan, habits (minutes, SMS, MB a day, the TAS-IX and
international shares), how they pay (card, Payme, Click, a wallet), whether they have a
wallet and home internet, the day they join, and, for a churner, the day they leave (their
use fades over the three weeks before). The same seed gives the same personas.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

# (plan, share of customers): the open mass-market plans, weighted as a prepaid base is.
PLAN_MIX: tuple[tuple[str, float], ...] = (
    ("lider-start", 0.30), ("lider-plus", 0.22), ("lider-pro", 0.10), ("lider-max", 0.04),
    ("lider-ultra", 0.02), ("ustoz-start", 0.08), ("shifokor-start", 0.05), ("harbiy-start", 0.04),
    ("ustoz-profi", 0.04), ("oson-business", 0.06), ("terminal", 0.05),
)  # fmt: skip
DATA_ONLY = frozenset({"terminal"})  # M2M: no voice
TOPUP_CHANNELS: tuple[tuple[str, float], ...] = (("card", 0.45), ("payme", 0.30), ("click", 0.25))
CHURN_SHARE = 0.15
FADE_DAYS = 21
# Hours of the day the network carries traffic in (Tashkent time) and the share of a day's
# use in each: low at night, a morning and an evening peak.
DIURNAL: tuple[tuple[int, float], ...] = ((9, 0.25), (13, 0.30), (20, 0.45))
WEEKLY = (1.0, 1.0, 1.0, 1.0, 1.05, 1.15, 0.85)  # Monday … Sunday
LINE_PREFIX = "99891"  # on-net numbers of the synthetic operator


@dataclass(frozen=True, slots=True)
class Persona:
    index: int
    msisdn: str
    plan: str
    minutes_a_day: float
    sms_a_day: float
    mb_a_day: float
    tasix_share: float
    intl_share: float
    topup_channel: str  # card | payme | click
    topup_every_days: int
    topup_som: int
    wallet: bool
    home: bool
    joins_on: int  # day of the simulation the line is connected
    leaves_on: int | None  # churners: the last day of any use

    def activity(self, day: int) -> float:
        """How much of their usual use happens on `day` (0 before joining and after leaving)."""
        if day < self.joins_on or (self.leaves_on is not None and day > self.leaves_on):
            return 0.0
        if self.leaves_on is None or day <= self.leaves_on - FADE_DAYS:
            return 1.0
        return max(0.05, (self.leaves_on - day) / FADE_DAYS)


def msisdn_of(index: int) -> str:
    return f"{LINE_PREFIX}{index:07d}"


def personas(*, seed: int, customers: int, days: int) -> list[Persona]:
    """`customers` personas; about a tenth join during the run, `CHURN_SHARE` leave during it."""
    draw = random.Random(seed)  # noqa: S311 - synthetic data, reproducible by design
    plans, weights = zip(*PLAN_MIX, strict=True)
    channels, channel_weights = zip(*TOPUP_CHANNELS, strict=True)
    made = []
    for index in range(customers):
        plan = draw.choices(plans, weights)[0]
        heavy = draw.lognormvariate(0, 0.6)
        joins_on = draw.randrange(days) if draw.random() < 0.10 and days > 1 else 0
        leaves_on = None
        if draw.random() < CHURN_SHARE and days - joins_on > 7:
            leaves_on = draw.randrange(joins_on + 7, days)
        voice = plan not in DATA_ONLY
        made.append(
            Persona(
                index=index,
                msisdn=msisdn_of(index),
                plan=plan,
                minutes_a_day=round(heavy * draw.uniform(3, 25), 2) if voice else 0.0,
                sms_a_day=round(draw.uniform(0, 2.5), 2),
                mb_a_day=round(heavy * draw.uniform(50, 900), 1) if voice else round(draw.uniform(0.5, 8), 1),
                tasix_share=round(draw.betavariate(1.2, 4), 3),
                intl_share=round(draw.betavariate(0.6, 12), 3) if voice else 0.0,
                topup_channel=draw.choices(channels, channel_weights)[0],
                topup_every_days=draw.choice((7, 10, 15, 30)),
                topup_som=draw.choice((20_000, 30_000, 50_000, 70_000, 100_000)),
                wallet=draw.random() < 0.25,
                home=draw.random() < 0.08,
                joins_on=joins_on,
                leaves_on=leaves_on,
            )
        )
    return made


@dataclass(frozen=True, slots=True)
class Use:
    """One usage record of a day's slot: `kind` voice|sms|data, with what it needs."""

    kind: str
    to: str | None = None
    seconds: int | None = None
    mb: float | None = None
    tasix: bool = False


def uses_of(persona: Persona, *, day: int, weekday: int, share: float, draw: random.Random) -> list[Use]:
    """The records of one slot of a day (`share` of the day's use): the slot's calls as one
    record, an SMS now and then, a data session in about two slots a day — a day's use of a
    line is a few records, so that 10 000 customers x 90 days rate in minutes, not hours."""
    level = persona.activity(day) * WEEKLY[weekday] * share
    if level <= 0:
        return []
    uses: list[Use] = []
    minutes = persona.minutes_a_day * level
    if minutes >= 0.5 or draw.random() < minutes * 2:  # the slot's calls as one record
        intl = draw.random() < persona.intl_share
        to = f"7701{draw.randrange(10**7):07d}" if intl else _domestic(draw)
        uses.append(Use("voice", to=to, seconds=max(5, min(3600, int(minutes * 60 * draw.uniform(0.5, 1.5))))))
    if draw.random() < persona.sms_a_day * level / 2:
        uses.append(Use("sms", to=_domestic(draw)))
    mb = persona.mb_a_day * level
    if mb >= 0.5 and draw.random() < share * 2:
        tasix = draw.random() < persona.tasix_share
        uses.append(Use("data", mb=round(mb * draw.uniform(0.6, 1.4), 1), tasix=tasix))
    return uses


def _count(mean: float, draw: random.Random) -> int:
    whole = int(mean)
    return whole + (1 if draw.random() < mean - whole else 0)


def _domestic(draw: random.Random) -> str:
    prefix = draw.choices(("99891", "99890", "99893", "99897", "99871"), (0.35, 0.15, 0.25, 0.2, 0.05))[0]
    return f"{prefix}{draw.randrange(10**7):07d}"
