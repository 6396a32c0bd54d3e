"""The clock (`advance`) and the mobile lines' verbs."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from yagona.app.sandbox.scenario import text
from yagona.app.sandbox.verbs.common import Simulation, at, record_id, som
from yagona.kernel.errors import InvalidRequestError
from yagona.lines import service as lines
from yagona.lines.schemas import LineState, UsageResult


def line_view(line: LineState) -> dict[str, Any]:
    """LINE of the contract."""
    return {
        "msisdn": line.msisdn,
        "plan": line.plan,
        "status": line.status,
        "balance": som(line.balance_tiyin),
        "next_charge_at": at(line.next_charge_at) if line.next_charge_at else None,
        "bundles": line.bundles,
    }


def usage_view(result: UsageResult) -> dict[str, Any]:
    return {
        "units": result.units,
        "from_bundle": result.from_bundle,
        "charged": som(result.charged_tiyin),
        "balance": som(result.balance_tiyin),
    }


# --- clock ---------------------------------------------------------------------------------


def advance(sim: Simulation, fields: dict[str, Any]) -> dict[str, Any]:
    """Move the clock; every job that falls due on the way runs in time order."""
    now = sim.clock.now()
    if fields["to"] is not None and fields["by"] is not None:
        raise InvalidRequestError("advance takes either to or by, not both")
    if fields["to"] is None and fields["by"] is None:
        raise InvalidRequestError("advance needs to or by")
    target: datetime = fields["to"] if fields["to"] is not None else fields["by"].after(now)
    if target < now:
        raise InvalidRequestError(f"the clock does not go back: it is already {at(now)}")
    events: list[dict[str, Any]] = []
    while (due := sim.jobs.next_due_at()) is not None and due <= target:
        sim.clock.advance_to(max(due, sim.clock.now()))
        for outcome in sim.jobs.run_due():
            if not outcome.ok:
                events.append(
                    {"at": at(outcome.ran_at), "kind": "job_failed", "job": outcome.job.kind, "error": outcome.error}
                )
            events.extend({"at": at(outcome.ran_at), **effect} for effect in outcome.effects)
        sim.drain()  # what the jobs charged earns now, as the worker drains between passes
    sim.clock.advance_to(target)
    return {"events": events}


# --- lines ---------------------------------------------------------------------------------


def line_connect(sim: Simulation, f: dict[str, Any]) -> dict[str, Any]:
    with sim.uow() as uow:
        line = lines.connect(uow, msisdn=f["msisdn"], plan_id=f["plan"], deposit=f["deposit"], region=f["region"])
        uow.commit()
    return {"balance": som(line.balance_tiyin)}


def line_adopt(sim: Simulation, f: dict[str, Any]) -> dict[str, Any]:
    with sim.uow() as uow:
        line = lines.adopt(uow, msisdn=f["msisdn"], plan_id=f["plan"], balance=f["balance"])
        uow.commit()
    return {"balance": som(line.balance_tiyin)}


def line_topup(sim: Simulation, f: dict[str, Any]) -> dict[str, Any]:
    with sim.uow() as uow:
        line = lines.top_up(uow, msisdn=f["msisdn"], amount=f["amount"], idempotency_key=record_id(sim))
        uow.commit()
    return {"balance": som(line.balance_tiyin)}


def line_call(sim: Simulation, f: dict[str, Any]) -> dict[str, Any]:
    with sim.uow() as uow:
        result = lines.call(uow, msisdn=f["msisdn"], to=f["to"], seconds=f["seconds"], record_id=record_id(sim))
        uow.commit()
    return usage_view(result)


def line_incoming_call(sim: Simulation, f: dict[str, Any]) -> dict[str, Any]:
    with sim.uow() as uow:
        result = lines.incoming_call(
            uow, msisdn=f["msisdn"], caller=f["from"], seconds=f["seconds"], record_id=record_id(sim)
        )
        uow.commit()
    return usage_view(result)


def line_sms(sim: Simulation, f: dict[str, Any]) -> dict[str, Any]:
    with sim.uow() as uow:
        result = lines.sms(uow, msisdn=f["msisdn"], to=f["to"], record_id=record_id(sim))
        uow.commit()
    return usage_view(result)


def line_data(sim: Simulation, f: dict[str, Any]) -> dict[str, Any]:
    with sim.uow() as uow:
        result = lines.data(
            uow,
            msisdn=f["msisdn"],
            mb=f["mb"],
            tasix=f["tasix"],
            record_id=record_id(sim),
            ip=f["ip"],
            host=f["host"],
            vpn=f["vpn"],
        )
        uow.commit()
    return usage_view(result)


def line_ussd(sim: Simulation, f: dict[str, Any]) -> dict[str, Any]:
    from yagona.app.ussd import engine as ussd_engine  # noqa: PLC0415 - the USSD screens load when a scenario dials

    with sim.uow() as uow:
        text, action = ussd_engine.dial_once(uow, msisdn=f["msisdn"], code=f["code"])  # the USSD channel's own path
        uow.commit()
    return {"text": text, **({"action": action} if action else {})}


def line_switch(sim: Simulation, f: dict[str, Any]) -> dict[str, Any]:
    with sim.uow() as uow:
        line = lines.switch_plan(uow, msisdn=f["msisdn"], plan_id=f["plan"])
        uow.commit()
    return {"balance": som(line.balance_tiyin)}


def line_block(sim: Simulation, f: dict[str, Any]) -> dict[str, Any]:
    with sim.uow() as uow:
        line = lines.block(uow, msisdn=f["msisdn"], reason=f["reason"])
        uow.commit()
    return {"status": line.status}


def line_unblock(sim: Simulation, f: dict[str, Any]) -> dict[str, Any]:
    with sim.uow() as uow:
        line, charged = lines.unblock_charging(uow, msisdn=f["msisdn"])
        uow.commit()
    return {"status": line.status, "balance": som(line.balance_tiyin), "charged": som(charged)}


def line_state(sim: Simulation, f: dict[str, Any]) -> dict[str, Any]:
    with sim.uow() as uow:
        return line_view(lines.state(uow, msisdn=f["msisdn"]))


def block_reason(value: Any, *, field: str) -> str:
    reason = text(value, field=field)
    if reason not in ("administrative", "lost"):
        raise ValueError(f"{field} is administrative or lost")
    return reason
