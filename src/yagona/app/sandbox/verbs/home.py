"""Home internet and IPTV (docs/sandbox.md: additions to the contract)."""

from __future__ import annotations

from typing import Any

from yagona.app.sandbox.verbs.common import Simulation, at, record_id, som
from yagona.home import service as home
from yagona.home.schemas import HomeAccountState
from yagona.identity import service as identity
from yagona.identity.schemas import CustomerCreate, OneIdProfile
from yagona.kernel.errors import NotFoundError


def home_view(account: HomeAccountState) -> dict[str, Any]:
    """HOME: a home account as `home.state` and `final.home` show it."""
    return {
        "contract": account.contract,
        "plan": account.plan,
        "next_plan": account.next_plan,
        "state": account.state,
        "balance": som(account.balance_tiyin),
        "next_charge_at": at(account.next_charge_at) if account.next_charge_at else None,
        "next_fee": som(account.next_fee_tiyin),
        "equipment": list(account.equipment),
        "packages": [package.id for package in account.packages],
    }


def home_connect(sim: Simulation, f: dict[str, Any]) -> dict[str, Any]:
    """The One ID customer of the phone (created when there is none) asks for home internet;
    a `deposit`, when given, is paid in at once (so activation can charge the first fee)."""
    with sim.uow() as uow:
        holder = identity.find_customer_by_phone(uow, phone=f["phone"]) or identity.register_customer(
            uow,
            ctx=sim.identity,
            customer=CustomerCreate(phone=f["phone"], name="Sandbox customer", accept_documents=True),
        )
        account = home.request_connection(
            uow,
            customer_id=holder.id,
            address=f["address"],
            plan_id=f["plan"],
            equipment=_names(f["equipment"]),
            packages=_names(f["packages"]),
        )
        if f["deposit"] is not None:
            home.top_up(uow, contract=account.contract, amount=f["deposit"], idempotency_key=record_id(sim))
        uow.commit()
        return home_view(home.state(uow, contract=account.contract))


def home_identify(sim: Simulation, f: dict[str, Any]) -> dict[str, Any]:
    """The national OneID round trip through the built-in simulator's answer: the customer is
    verified, and the requests that waited are activated (the home domain hears the event)."""
    with sim.uow() as uow:
        holder = identity.find_customer_by_phone(uow, phone=f["phone"])
        if holder is None:
            raise NotFoundError(f"no One ID customer with phone {f['phone']}")
        started = identity.begin_oneid(uow, ctx=sim.identity, customer_id=holder.id)
        uow.commit()
    with sim.uow() as uow:
        identity.take_oneid_state(
            uow, state=started.state, browser_key=started.browser_key, signed_in_customer=holder.id
        )
        pinfl = ("3" + holder.phones[0])[-14:].rjust(14, "3")
        profile = OneIdProfile(pin=pinfl, full_name="SANDBOX CUSTOMER", valid=True)
        verified, _ = identity.apply_oneid_profile(
            uow, ctx=sim.identity, customer_id=holder.id, profile=profile, device=None
        )
        uow.commit()
    with sim.uow() as uow:
        accounts = home.accounts_of(uow, customer_id=holder.id)
        return {
            "verification_level": verified.verification_level.value,
            "home": [{"contract": a.contract, "state": a.state} for a in accounts],
        }


def home_topup(sim: Simulation, f: dict[str, Any]) -> dict[str, Any]:
    with sim.uow() as uow:
        account = home.top_up(uow, contract=f["contract"], amount=f["amount"], idempotency_key=record_id(sim))
        uow.commit()
    return {"state": account.state, "balance": som(account.balance_tiyin)}


def home_switch(sim: Simulation, f: dict[str, Any]) -> dict[str, Any]:
    with sim.uow() as uow:
        account = home.change_plan(uow, contract=f["contract"], plan_id=f["plan"])
        uow.commit()
    return {"plan": account.plan, "next_plan": account.next_plan}


def home_package(sim: Simulation, f: dict[str, Any]) -> dict[str, Any]:
    with sim.uow() as uow:
        before = home.state(uow, contract=f["contract"]).balance_tiyin
        if f["remove"]:
            account = home.remove_package(uow, contract=f["contract"], package_id=f["package"])
        else:
            account = home.add_package(uow, contract=f["contract"], package_id=f["package"])
        uow.commit()
    return {
        "packages": [package.id for package in account.packages],
        "charged": som(before - account.balance_tiyin),
        "balance": som(account.balance_tiyin),
    }


def home_state(sim: Simulation, f: dict[str, Any]) -> dict[str, Any]:
    with sim.uow() as uow:
        return home_view(home.state(uow, contract=f["contract"]))


def _names(value: str | None) -> list[str]:
    """A comma-separated list of catalogue ids (`router-wifi, stb`)."""
    return [name.strip() for name in (value or "").split(",") if name.strip()]
