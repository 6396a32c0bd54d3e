"""The verbs of the scenario contract, each mapped onto the public services.

A handler gets the simulation and the validated fields, and returns what the step adds
to its record. It opens its own unit of work: a refusal rolls it back whole.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date, datetime
from typing import Any, Protocol

from yagona.app.sandbox import reminders as reminder_verbs
from yagona.app.sandbox.scenario import Field, VerbFields, amount, decimal, duration, flag, text, timestamp, whole
from yagona.app.ussd import engine as ussd_engine
from yagona.home import service as home
from yagona.home.schemas import HomeAccountState
from yagona.identity import service as identity
from yagona.identity.schemas import CustomerCreate, OneIdProfile
from yagona.kernel.clock import TASHKENT, SimulatedClock
from yagona.kernel.errors import InvalidRequestError, NotFoundError
from yagona.kernel.money import Money
from yagona.lines import service as lines
from yagona.lines.schemas import LineState, UsageResult
from yagona.loyalty import service as loyalty
from yagona.loyalty.schemas import LoyaltyState
from yagona.platform.jobs import JobRunner
from yagona.platform.uow import UnitOfWorkFactory
from yagona.wallet import service as wallets


class Simulation(Protocol):
    @property
    def uow(self) -> UnitOfWorkFactory: ...
    @property
    def clock(self) -> SimulatedClock: ...
    @property
    def jobs(self) -> JobRunner: ...
    @property
    def step_index(self) -> int: ...
    @property
    def identity(self) -> identity.IdentityContext: ...
    @property
    def drain(self) -> Callable[[], int]: ...


Handler = Callable[[Simulation, dict[str, Any]], dict[str, Any]]


def som(tiyin: int) -> int | float:
    return Money(tiyin).to_json()


def at(instant: datetime) -> str:
    return instant.astimezone(TASHKENT).isoformat()


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


def _record_id(sim: Simulation) -> str:
    return f"sim:{sim.step_index}"


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
        line = lines.top_up(uow, msisdn=f["msisdn"], amount=f["amount"], idempotency_key=_record_id(sim))
        uow.commit()
    return {"balance": som(line.balance_tiyin)}


def line_call(sim: Simulation, f: dict[str, Any]) -> dict[str, Any]:
    with sim.uow() as uow:
        result = lines.call(uow, msisdn=f["msisdn"], to=f["to"], seconds=f["seconds"], record_id=_record_id(sim))
        uow.commit()
    return usage_view(result)


def line_incoming_call(sim: Simulation, f: dict[str, Any]) -> dict[str, Any]:
    with sim.uow() as uow:
        result = lines.incoming_call(
            uow, msisdn=f["msisdn"], caller=f["from"], seconds=f["seconds"], record_id=_record_id(sim)
        )
        uow.commit()
    return usage_view(result)


def line_sms(sim: Simulation, f: dict[str, Any]) -> dict[str, Any]:
    with sim.uow() as uow:
        result = lines.sms(uow, msisdn=f["msisdn"], to=f["to"], record_id=_record_id(sim))
        uow.commit()
    return usage_view(result)


def line_data(sim: Simulation, f: dict[str, Any]) -> dict[str, Any]:
    with sim.uow() as uow:
        result = lines.data(
            uow,
            msisdn=f["msisdn"],
            mb=f["mb"],
            tasix=f["tasix"],
            record_id=_record_id(sim),
            ip=f["ip"],
            host=f["host"],
            vpn=f["vpn"],
        )
        uow.commit()
    return usage_view(result)


def line_ussd(sim: Simulation, f: dict[str, Any]) -> dict[str, Any]:
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


# --- e-wallet ------------------------------------------------------------------------------


def wallet_register(sim: Simulation, f: dict[str, Any]) -> dict[str, Any]:
    """Offer 4.1 needs the One ID customer of the phone: the sandbox (a composition root)
    creates it, or reuses the one that holds the phone, then registers the wallet."""
    with sim.uow() as uow:
        holder = identity.find_customer_by_phone(uow, phone=f["phone"]) or identity.register_customer(
            uow,
            ctx=sim.identity,
            customer=CustomerCreate(phone=f["phone"], name="Sandbox customer", accept_documents=True),
        )
        wallets.register(
            uow,
            customer_id=holder.id,
            phone=f["phone"],
            pin=f["pin"],
            birth_date=f["birth_date"],
            accept_offer=f["accept_offer"],
            offer_version=f["offer_version"] or wallets.current().settings.offer_version,
        )
        uow.commit()
        return {"tier": wallets.state(uow, phone=f["phone"]).tier.value}


def wallet_identify(sim: Simulation, f: dict[str, Any]) -> dict[str, Any]:
    with sim.uow() as uow:
        read = wallets.identify(uow, phone=f["phone"], document=f["document"])
        uow.commit()
    return {"tier": read.tier.value}


def wallet_topup(sim: Simulation, f: dict[str, Any]) -> dict[str, Any]:
    with sim.uow() as uow:
        receipt = wallets.topup(
            uow, phone=f["phone"], amount=f["amount"].tiyin, source=f["source"], idempotency_key=_record_id(sim)
        )
        uow.commit()
    return _receipt_view(receipt)


def wallet_transfer(sim: Simulation, f: dict[str, Any]) -> dict[str, Any]:
    with sim.uow() as uow:
        receipt = wallets.transfer(
            uow,
            from_phone=f["from"],
            to_phone=f["to"],
            amount=f["amount"].tiyin,
            pin=f["pin"],
            idempotency_key=_record_id(sim),
        )
        uow.commit()
    return _receipt_view(receipt)


def wallet_pay(sim: Simulation, f: dict[str, Any]) -> dict[str, Any]:
    with sim.uow() as uow:
        receipt = wallets.pay(
            uow,
            phone=f["phone"],
            provider=f["provider"],
            account=f["account"],
            amount=f["amount"].tiyin,
            pin=f["pin"],
            idempotency_key=_record_id(sim),
        )
        uow.commit()
    return _receipt_view(receipt)


def wallet_redeem(sim: Simulation, f: dict[str, Any]) -> dict[str, Any]:
    """Offer 5.4.2: the balance presented for redemption, paid out to a card."""
    with sim.uow() as uow:
        receipt = wallets.redeem(
            uow,
            phone=f["phone"],
            amount=f["amount"].tiyin,
            card_number=f["card"] or "8600000000000001",
            pin=f["pin"],
            idempotency_key=_record_id(sim),
        )
        uow.commit()
    return {**_receipt_view(receipt), "amount": som(receipt.amount)}


def wallet_block(sim: Simulation, f: dict[str, Any]) -> dict[str, Any]:
    with sim.uow() as uow:
        read = wallets.block(uow, phone=f["phone"], reason=f["reason"])
        uow.commit()
    return {"state": read.state.value}


def wallet_restore(sim: Simulation, f: dict[str, Any]) -> dict[str, Any]:
    with sim.uow() as uow:
        read = wallets.restore(uow, phone=f["phone"], birth_date=f["birth_date"], new_pin=f["pin"])
        uow.commit()
    return {"state": read.state.value}


def wallet_close(sim: Simulation, f: dict[str, Any]) -> dict[str, Any]:
    with sim.uow() as uow:
        read = wallets.close(uow, phone=f["phone"])
        uow.commit()
    return {"state": read.state.value}


def wallet_forget_pin(sim: Simulation, f: dict[str, Any]) -> dict[str, Any]:
    with sim.uow() as uow:
        read = wallets.forget_pin(uow, phone=f["phone"])
        uow.commit()
    return {"state": read.state.value}


def wallet_state(sim: Simulation, f: dict[str, Any]) -> dict[str, Any]:
    with sim.uow() as uow:
        return wallets.state(uow, phone=f["phone"]).scenario_view()


# --- home internet and IPTV (docs/sandbox.md: additions to the contract) --------------------


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
            home.top_up(uow, contract=account.contract, amount=f["deposit"], idempotency_key=_record_id(sim))
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
        account = home.top_up(uow, contract=f["contract"], amount=f["amount"], idempotency_key=_record_id(sim))
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


# --- bonus programme ----------------------------------------------------------------------


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


def _receipt_view(receipt: Any) -> dict[str, Any]:
    return {"receipt": receipt.number, "status": receipt.status.value, "commission": som(receipt.commission)}


def _date(value: Any, *, field: str) -> date:
    try:
        return date.fromisoformat(text(value, field=field))
    except ValueError as error:
        raise ValueError(f"{field} is a date like 1990-05-17") from error


def _choice(*allowed: str) -> Callable[..., str]:
    def read(value: Any, *, field: str) -> str:
        chosen = text(value, field=field)
        if chosen not in allowed:
            raise ValueError(f"{field} is one of {', '.join(allowed)}")
        return chosen

    return read


def _reason(value: Any, *, field: str) -> str:
    reason = text(value, field=field)
    if reason not in ("administrative", "lost"):
        raise ValueError(f"{field} is administrative or lost")
    return reason


MSISDN = Field(text)
PHONE = Field(text)
VERBS: Mapping[str, tuple[VerbFields, Handler]] = {
    "advance": ({"to": Field(timestamp, required=False), "by": Field(duration, required=False)}, advance),
    "line.connect": (
        {"msisdn": MSISDN, "plan": Field(text), "deposit": Field(amount), "region": Field(text, required=False)},
        line_connect,
    ),
    # Not in the shared contract: an existing subscriber of any plan (archive plans
    # included), brought over from the legacy billing with a balance. Documented in docs/sandbox.md.
    "line.adopt": ({"msisdn": MSISDN, "plan": Field(text), "balance": Field(amount)}, line_adopt),
    "line.topup": ({"msisdn": MSISDN, "amount": Field(amount)}, line_topup),
    "line.call": ({"msisdn": MSISDN, "to": Field(text), "seconds": Field(whole)}, line_call),
    "line.incoming_call": ({"msisdn": MSISDN, "from": Field(text), "seconds": Field(whole)}, line_incoming_call),
    "line.sms": ({"msisdn": MSISDN, "to": Field(text)}, line_sms),
    "line.data": (
        {
            "msisdn": MSISDN,
            "mb": Field(decimal),
            "tasix": Field(flag, required=False, default=False),
            # additions to the contract: where the traffic went (free resources, TAS-IX by address, VPN)
            "ip": Field(text, required=False),
            "host": Field(text, required=False),
            "vpn": Field(flag, required=False, default=False),
        },
        line_data,
    ),
    "line.ussd": ({"msisdn": MSISDN, "code": Field(text)}, line_ussd),
    "line.switch": ({"msisdn": MSISDN, "plan": Field(text)}, line_switch),
    "line.block": ({"msisdn": MSISDN, "reason": Field(_reason)}, line_block),
    "line.unblock": ({"msisdn": MSISDN}, line_unblock),
    "line.state": ({"msisdn": MSISDN}, line_state),
    "wallet.register": (
        {
            "phone": PHONE,
            "pin": Field(text),
            "birth_date": Field(_date, required=False),
            "accept_offer": Field(flag, required=False, default=False),
            # an addition to the contract: the edition of the offer accepted (the one in force if omitted)
            "offer_version": Field(text, required=False),
        },
        wallet_register,
    ),
    "wallet.identify": ({"phone": PHONE, "document": Field(text)}, wallet_identify),
    "wallet.topup": (
        {"phone": PHONE, "amount": Field(amount), "source": Field(_choice("card", "promo"))},
        wallet_topup,
    ),
    "wallet.transfer": ({"from": PHONE, "to": PHONE, "amount": Field(amount), "pin": Field(text)}, wallet_transfer),
    "wallet.pay": (
        {"phone": PHONE, "provider": Field(text), "account": Field(text), "amount": Field(amount), "pin": Field(text)},
        wallet_pay,
    ),
    # an addition to the contract: offer 5.4.2, the balance redeemed to a card (docs/wallet.md)
    "wallet.redeem": (
        {"phone": PHONE, "amount": Field(amount), "pin": Field(text), "card": Field(text, required=False)},
        wallet_redeem,
    ),
    "wallet.block": ({"phone": PHONE, "reason": Field(_choice("lost", "fraud"))}, wallet_block),
    # `pin` (a new PIN after a forgotten one) is an addition to the contract: without it a
    # wallet restored after forget_pin could never pay again.
    "wallet.restore": (
        {"phone": PHONE, "birth_date": Field(_date, required=False), "pin": Field(text, required=False)},
        wallet_restore,
    ),
    "wallet.close": ({"phone": PHONE}, wallet_close),
    "wallet.forget_pin": ({"phone": PHONE}, wallet_forget_pin),
    "wallet.state": ({"phone": PHONE}, wallet_state),
    # Home internet and IPTV (issue 11): additions documented in docs/sandbox.md.
    "home.connect": (
        {
            "phone": PHONE,
            "address": Field(text),
            "plan": Field(text),
            "equipment": Field(text, required=False),
            "packages": Field(text, required=False),
            "deposit": Field(amount, required=False),
        },
        home_connect,
    ),
    "home.identify": ({"phone": PHONE}, home_identify),
    "home.topup": ({"contract": Field(text), "amount": Field(amount)}, home_topup),
    "home.switch": ({"contract": Field(text), "plan": Field(text)}, home_switch),
    "home.package": (
        {"contract": Field(text), "package": Field(text), "remove": Field(flag, required=False, default=False)},
        home_package,
    ),
    "home.state": ({"contract": Field(text)}, home_state),
    "loyalty.state": ({"phone": PHONE}, loyalty_state),
    "loyalty.redeem": (
        {"phone": PHONE, "reward": Field(text), "msisdn": Field(text, required=False)},
        loyalty_redeem,
    ),
    **reminder_verbs.VERBS,  # issue 13.6: customer.register, reminders.prefs
}
