"""What a line's rated usage since a moment would have cost on another plan: each stored use
priced again by the rating rules (`rules.price`, the same function that rated it) against the
plan's bundles of a period, nothing written. The plan advisor's one source of prices."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import select

from yagona.catalog import service as catalog
from yagona.catalog.schemas import Destination
from yagona.lines import repository, rules
from yagona.lines.errors import InternationalBarredError, LineNotFoundError
from yagona.lines.models import Usage
from yagona.lines.schemas import PlanCost, UsageRecord
from yagona.lines.service._base import normalised, rating_rules
from yagona.lines.service.periods import period_grants
from yagona.platform.uow import UnitOfWork

UNLIMITED_BALANCE = 10**15  # a replay prices every use: no session is cut for the balance
_KIND_OF_CLASS = {"onnet": "onnet", "offnet": "offnet", "fixed": "fixed", "csd": "onnet"}


def replay_usage(uow: UnitOfWork, *, msisdn: str, plan_id: str, since: datetime, first_month: bool = False) -> PlanCost:
    """The line's uses rated since `since`, priced on `plan_id` with a period's bundles (and
    the first month's extras when `first_month`); the fee is the plan's fee of a period (its
    first fee with `first_month`). Short numbers keep what they were charged (their price is
    the number's own, not the plan's); incoming calls and free resources cost nothing."""
    line = repository.line(uow.session, normalised(msisdn))
    if line is None:
        raise LineNotFoundError(f"no line {msisdn}", msisdn=msisdn)
    plan = catalog.get_plan(plan_id)
    remaining = period_grants(plan, first=first_month, prorata_from=None)
    uses = uow.session.scalars(
        select(Usage).where(Usage.line_id == line.id, Usage.rated_at >= since).order_by(Usage.id)
    ).all()
    total = 0
    for use in uses:
        if use.kind == "incoming" or use.destination == "free":
            continue
        if use.destination == "short":
            total += use.charged
            continue
        record, looked = _replayed(use, line.msisdn)
        try:
            _kind, _destination, rated = rules.price(
                record, plan, looked, remaining=remaining, available=UNLIMITED_BALANCE,
                unit_seconds=rating_rules().call_unit_seconds, max_call_seconds=rating_rules().max_call_seconds,
            )  # fmt: skip
        except InternationalBarredError:
            continue  # the plan has no such calls: a switch would lose them, not pay for them
        for key, taken in rated.from_bundle.items():
            remaining[key] = remaining.get(key, 0) - taken
        total += rated.charge_tiyin
    fee = (plan.first_fee if first_month else plan.monthly_fee).tiyin
    return PlanCost(plan=plan.id, fee_tiyin=fee, usage_tiyin=total, records=len(uses))


def _replayed(use: Usage, msisdn: str) -> tuple[UsageRecord, rules.Looked]:
    """A stored use as a record again, with its classified destination (the price class it
    was rated in)."""
    if use.kind == "data":
        # MB to six places, rounded down: the rules round the KB up again to exactly `units`
        mb = Decimal(use.units * 10**6 // rules.KB_PER_MB) / 10**6
        record = UsageRecord(id=f"replay:{use.id}", msisdn=msisdn, type="data", mb=mb, tasix=use.destination == "tasix")
        return record, rules.Looked(tasix_server=use.destination == "tasix")
    kind = _KIND_OF_CLASS.get(use.destination, "international")
    destination = Destination(number="", kind=kind, price_class=use.destination, prefix="", label="")
    if use.kind == "sms":
        return UsageRecord(id=f"replay:{use.id}", msisdn=msisdn, type="sms", to="0"), rules.Looked(destination)
    seconds = use.quantity if use.kind in ("voice", "csd") else use.units * 60
    record = UsageRecord(id=f"replay:{use.id}", msisdn=msisdn, type="voice", to="0", seconds=seconds)
    return record, rules.Looked(destination=destination)
