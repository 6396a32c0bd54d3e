"""The e-wallet's verbs."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from yagona.app.sandbox.scenario import text
from yagona.app.sandbox.verbs.common import Simulation, record_id, som
from yagona.identity import service as identity
from yagona.identity.schemas import CustomerCreate
from yagona.wallet import service as wallets


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
            uow, phone=f["phone"], amount=f["amount"].tiyin, source=f["source"], idempotency_key=record_id(sim)
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
            idempotency_key=record_id(sim),
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
            idempotency_key=record_id(sim),
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
            idempotency_key=record_id(sim),
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


def _receipt_view(receipt: Any) -> dict[str, Any]:
    return {"receipt": receipt.number, "status": receipt.status.value, "commission": som(receipt.commission)}


def iso_date(value: Any, *, field: str) -> date:
    try:
        return date.fromisoformat(text(value, field=field))
    except ValueError as error:
        raise ValueError(f"{field} is a date like 1990-05-17") from error


def choice(*allowed: str) -> Callable[..., str]:
    def read(value: Any, *, field: str) -> str:
        chosen = text(value, field=field)
        if chosen not in allowed:
            raise ValueError(f"{field} is one of {', '.join(allowed)}")
        return chosen

    return read
