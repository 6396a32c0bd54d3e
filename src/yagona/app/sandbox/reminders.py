"""Verbs of the reminder engine (issue 13.6), additions to the scenario contract documented in
docs/sandbox.md: a One ID customer for a phone (reminders reach customers: their language,
channels and consent live there) and their reminder preferences. The reminders themselves
show in `advance`'s events (`reminder`, `reminder_held`, `reminder_skipped`)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, Protocol

from yagona.app.sandbox.scenario import Field, VerbFields, flag, text
from yagona.identity import service as identity
from yagona.identity.schemas import CustomerCreate, Language
from yagona.kernel.errors import NotFoundError
from yagona.platform.uow import UnitOfWorkFactory
from yagona.reminders import service as reminders


class Simulation(Protocol):
    @property
    def uow(self) -> UnitOfWorkFactory: ...
    @property
    def identity(self) -> identity.IdentityContext: ...


def _language(value: Any, *, field: str) -> str:
    chosen = text(value, field=field)
    if chosen not in ("uz", "ru", "en"):
        raise ValueError(f"{field} is uz, ru or en")
    return chosen


def _list(value: Any, *, field: str) -> str:
    """Names as a comma-separated text or a YAML list; empty means none."""
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return ",".join(value)
    if not isinstance(value, str):
        raise ValueError(f"{field} is a list of names")
    return value


def customer_register(sim: Simulation, f: dict[str, Any]) -> dict[str, Any]:
    """The One ID customer of the phone (its language and marketing consent), created when there
    is none; an existing one takes the language and consent given."""
    with sim.uow() as uow:
        holder = identity.find_customer_by_phone(uow, phone=f["phone"])
        if holder is None:
            holder = identity.register_customer(
                uow,
                ctx=sim.identity,
                customer=CustomerCreate(
                    phone=f["phone"],
                    name="Sandbox customer",
                    language=Language(f["language"] or "uz"),
                    accept_documents=True,
                    marketing_opt_in=bool(f["marketing"]),
                ),
            )
        else:
            if f["language"]:
                identity.set_language(uow, customer_id=holder.id, language=f["language"])
            if f["marketing"] is not None:
                identity.set_marketing_opt_in(uow, customer_id=holder.id, opt_in=f["marketing"])
            holder = identity.get_customer(uow, customer_id=holder.id)
        uow.commit()
        return {"language": holder.language.value, "marketing": holder.marketing_opt_in}


def reminders_prefs(sim: Simulation, f: dict[str, Any]) -> dict[str, Any]:
    """The customer's reminder choices: `opt_out` the rule ids switched off (a list), `channels`
    the order (`sms` or `push,sms`), `marketing` the consent."""
    with sim.uow() as uow:
        holder = identity.find_customer_by_phone(uow, phone=f["phone"])
        if holder is None:
            raise NotFoundError(f"no One ID customer with the phone {f['phone']}", phone=f["phone"])
        current = reminders.preferences(uow, customer_id=holder.id)
        prefs = reminders.set_preferences(
            uow,
            customer_id=holder.id,
            channels=_names(f["channels"]) or list(current.channels),
            off=_names(f["opt_out"]) if f["opt_out"] is not None else list(current.opted_out),
            marketing_opt_in=current.marketing_opt_in if f["marketing"] is None else f["marketing"],
        )
        uow.commit()
    return {"channels": list(prefs.channels), "opt_out": list(prefs.opted_out), "marketing": prefs.marketing_opt_in}


def _names(value: str | None) -> list[str]:
    return [name.strip() for name in (value or "").split(",") if name.strip()]


Handler = Callable[[Any, dict[str, Any]], dict[str, Any]]
VERBS: Mapping[str, tuple[VerbFields, Handler]] = {
    "customer.register": (
        {
            "phone": Field(text),
            "language": Field(_language, required=False),
            "marketing": Field(flag, required=False),
        },
        customer_register,
    ),
    "reminders.prefs": (
        {
            "phone": Field(text),
            "channels": Field(_list, required=False),
            "opt_out": Field(_list, required=False),
            "marketing": Field(flag, required=False),
        },
        reminders_prefs,
    ),
}
