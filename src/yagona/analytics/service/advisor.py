"""The plan advisor and the next-best offer. The advisor replays a line's last 30 days of
usage over every plan it may switch to through the lines rating rules
(`lines.service.replay_usage`), so its prices are the ones the line would have been charged.
The offer is chosen by segment and risk and goes only to a customer with marketing consent;
the consent check is a parameter (`consent`): the offers as records (`offers`) pass privacy's
consent register, the One ID marketing opt-in is the default."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from yagona.catalog import service as catalog
from yagona.identity import service as identity
from yagona.kernel.errors import YagonaError
from yagona.kernel.money import Money
from yagona.lines import service as lines
from yagona.lines.schemas import PlanCost
from yagona.platform.uow import UnitOfWork

WINDOW_DAYS = 30
ANY_BALANCE = Money(10**12)  # the advisor asks whether a switch is allowed, not whether it is affordable now
Consent = Callable[[UnitOfWork, str], bool]


@dataclass(frozen=True, slots=True)
class Advice:
    msisdn: str
    current: PlanCost
    options: list[PlanCost]  # every plan it may switch to, cheapest first
    cheapest: PlanCost
    saving_tiyin: int  # what the cheapest would have saved over the window (0: the current is cheapest)


def advise(uow: UnitOfWork, *, msisdn: str, days: int = WINDOW_DAYS, first_month: bool = False) -> Advice:
    """The line's last `days` days of usage priced on its plan and on every open plan it may
    switch to; the cheapest and the saving."""
    line = lines.state(uow, msisdn=msisdn)
    since = uow.clock.now() - timedelta(days=days)
    current = lines.replay_usage(uow, msisdn=msisdn, plan_id=line.plan, since=since, first_month=first_month)
    plan = catalog.get_plan(line.plan)
    options = []
    for target in catalog.list_plans(include_closed=False):
        if target.id == plan.id:
            continue
        try:
            catalog.check_switch(plan, target, balance=ANY_BALANCE)
        except YagonaError:
            continue
        options.append(lines.replay_usage(uow, msisdn=msisdn, plan_id=target.id, since=since, first_month=first_month))
    options.sort(key=lambda cost: (cost.total_tiyin, cost.plan))
    cheapest = min([current, *options], key=lambda cost: cost.total_tiyin)
    return Advice(msisdn=line.msisdn, current=current, options=options, cheapest=cheapest,
                  saving_tiyin=current.total_tiyin - cheapest.total_tiyin)  # fmt: skip


def marketing_opt_in(uow: UnitOfWork, customer_id: str) -> bool:
    """The customer's marketing opt-in as One ID keeps it (the default consent check)."""
    return identity.get_customer(uow, customer_id=customer_id).marketing_opt_in


@dataclass(frozen=True, slots=True)
class Offer:
    kind: str  # cheaper_plan | bundle | loyalty_discount
    msisdn: str
    plan: str | None
    saving_tiyin: int


def next_best_offer(
    uow: UnitOfWork, *, customer_id: str, segments: list[str], risk: float | None, consent: Consent = marketing_opt_in
) -> Offer | None:
    """One offer for the customer, or None (no consent, nothing worth offering). Seed 000:
    a cheaper plan for an at-risk overpayer, a bundle for someone who keeps paying for use
    beyond the bundle, a discount reward for a loyal customer."""
    if not consent(uow, customer_id):
        return None
    phones = identity.get_customer(uow, customer_id=customer_id).phones
    owned = [phone for phone in phones if lines.exists(uow, phone)]
    if not owned:
        return None
    advice = advise(uow, msisdn=owned[0])
    at_risk = (risk is not None and risk >= 0.5) or bool({"at_risk", "dormant"} & set(segments))
    if advice.saving_tiyin > 0 and at_risk:
        return Offer("cheaper_plan", advice.msisdn, advice.cheapest.plan, advice.saving_tiyin)
    if advice.current.usage_tiyin > advice.current.fee_tiyin // 5:
        bigger = [o for o in advice.options if o.usage_tiyin < advice.current.usage_tiyin]
        if bigger:
            return Offer(
                "bundle", advice.msisdn, bigger[0].plan, max(0, advice.current.total_tiyin - bigger[0].total_tiyin)
            )
    if {"champions", "loyal"} & set(segments):
        return Offer("loyalty_discount", advice.msisdn, None, 0)
    return None
