"""Promo subscriptions (Beeline TV, Beeline Music): free once per number and service, then a
daily fee until switched off. They follow the number, not the plan."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from yagona.catalog import service as catalog
from yagona.kernel.clock import TASHKENT
from yagona.kernel.money import Money
from yagona.lines import repository
from yagona.lines.errors import InvalidRequestError, LineNotFoundError
from yagona.lines.events import PromoStarted
from yagona.lines.models import Promo
from yagona.lines.schemas import LineState, PromoState
from yagona.lines.service._base import (
    PROMO_END,
    PROMO_FEE,
    balance,
    charge,
    line_for_change,
    normalised,
    require_active,
    state,
)
from yagona.platform import jobs
from yagona.platform.uow import UnitOfWork


def activate_promo(uow: UnitOfWork, *, msisdn: str, promo_id: str) -> LineState:
    """Start a promo subscription's free days (once per number and service)."""
    line = line_for_change(uow, msisdn)
    require_active(line)
    plan = catalog.get_plan(line.plan_id)
    promo = catalog.get_catalogue().promo_subscriptions.get(promo_id)
    if promo is None or promo_id not in plan.promos:
        raise InvalidRequestError(f"{plan.name} has no promo {promo_id}", field="promo")
    if repository.promo(uow.session, line.msisdn, promo_id) is not None:
        raise InvalidRequestError(f"the free period of {promo_id} was already used by {line.msisdn}", field="promo")
    now = uow.clock.now()
    free_until = now + timedelta(days=promo.free_days)
    repository.add_promo(
        uow.session, Promo(msisdn=line.msisdn, promo_id=promo_id, started_at=now, free_until=free_until, status="free")
    )
    jobs.schedule(
        uow.session,
        key=f"{PROMO_END}:{line.msisdn}:{promo_id}",
        kind=PROMO_END,
        due_at=free_until,
        payload={"msisdn": line.msisdn, "promo": promo_id},
        now=now,
    )
    uow.add_event(PromoStarted(occurred_at=now, msisdn=line.msisdn, promo=promo_id, free_until=free_until))
    return state(uow, msisdn=line.msisdn)


def switch_off_promo(uow: UnitOfWork, *, msisdn: str, promo_id: str) -> None:
    line = line_for_change(uow, msisdn)
    promo = repository.promo(uow.session, line.msisdn, promo_id)
    if promo is None or promo.status == "off":
        raise InvalidRequestError(f"{promo_id} is not on for {line.msisdn}", field="promo")
    promo.status = "off"


def promos(uow: UnitOfWork, *, msisdn: str) -> list[PromoState]:
    """The line's promo subscriptions: those its plan offers, and where each stands."""
    line = repository.line(uow.session, normalised(msisdn))
    if line is None:
        raise LineNotFoundError(f"no line {msisdn}", msisdn=msisdn)
    catalogue = catalog.get_catalogue().promo_subscriptions
    taken = {p.promo_id: p for p in repository.promos(uow.session, line.msisdn)}
    offered = list(dict.fromkeys([*catalog.get_plan(line.plan_id).promos, *taken]))
    return [
        PromoState(
            promo=promo_id,
            status=taken[promo_id].status if promo_id in taken else "available",
            free_until=taken[promo_id].free_until if promo_id in taken else None,
            daily_fee_tiyin=catalogue[promo_id].daily_fee.tiyin if promo_id in catalogue else None,
        )
        for promo_id in offered
    ]


def charge_promo_day(uow: UnitOfWork, *, msisdn: str, promo_id: str, key: str, kind: str) -> list[dict[str, Any]]:
    """One day of a paid promo subscription; a balance that cannot pay it switches it off."""
    line = repository.line_for_update(uow.session, msisdn)
    promo = repository.promo(uow.session, msisdn, promo_id)
    if line is None or promo is None or promo.status == "off":
        return []
    fee = catalog.get_catalogue().promo_subscriptions[promo_id].daily_fee.tiyin
    if balance(uow, msisdn) < fee:
        promo.status = "off"
        return [{"kind": "promo_off", "promo": promo_id}]
    promo.status = "paid"
    charge(uow, line, fee, reason="promo_fee", key=key)
    now = uow.clock.now()
    tomorrow = now + timedelta(days=1)
    jobs.schedule(
        uow.session,
        key=f"{PROMO_FEE}:{msisdn}:{promo_id}:{tomorrow.astimezone(TASHKENT).date()}",
        kind=PROMO_FEE,
        due_at=tomorrow,
        payload={"msisdn": msisdn, "promo": promo_id},
        now=now,
    )
    return [{"kind": kind, "promo": promo_id, "amount": Money(fee).to_json()}]
