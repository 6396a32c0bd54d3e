"""The bonus programme's verbs."""

from __future__ import annotations

from typing import Any

from yagona.app.sandbox.verbs.common import Simulation, at, som
from yagona.loyalty import service as loyalty
from yagona.loyalty.schemas import LoyaltyState


def loyalty_view(state: LoyaltyState) -> dict[str, Any]:
    """LOYALTY of the contract: spend and carry in so'm, the open lots oldest first."""
    return {
        "phone": state.phone,
        "points": state.points,
        "tier": state.tier,
        "spend_90d": som(state.spend_90d_tiyin),
        "carry": som(state.carry_tiyin),
        "lots": [
            {"points": lot.points, "earned_at": at(lot.earned_at), "expires_at": at(lot.expires_at)}
            for lot in state.lots
        ],
    }


def loyalty_state(sim: Simulation, f: dict[str, Any]) -> dict[str, Any]:
    with sim.uow() as uow:
        return loyalty_view(loyalty.state(uow, phone=f["phone"]))


def loyalty_redeem(sim: Simulation, f: dict[str, Any]) -> dict[str, Any]:
    with sim.uow() as uow:
        redemption = loyalty.redeem(uow, phone=f["phone"], reward=f["reward"], msisdn=f["msisdn"])
        uow.commit()
    return {"points": redemption.points}
