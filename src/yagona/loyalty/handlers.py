"""The programme listens: the charges lines and wallet publish become accruals, a new kind
of service the ecosystem bonus. Each event is handled behind its `consume_once` mark, so an
event delivered twice (the drain after a crash, JetStream) earns once; the drain hands the
events over in outbox order, in batches (`platform.outbox.drain_deferred`).

A new earning source (home internet, IPTV) adds its event name and a function here.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping
from functools import partial

from yagona.loyalty import service
from yagona.platform import jetstream
from yagona.platform.bus import EventBus, EventEnvelope, consume_once
from yagona.platform.settings import BusSettings
from yagona.platform.uow import UnitOfWork, UnitOfWorkFactory

CONSUMER = "loyalty"

Action = Callable[[UnitOfWork, EventEnvelope], object]


def _line_charged(uow: UnitOfWork, e: EventEnvelope) -> object:
    p = e.payload
    return service.earn_line_charge(
        uow, msisdn=p["msisdn"], reason=p["reason"], amount_tiyin=p["amount_tiyin"], at=e.occurred_at, ref=e.event_id
    )


def _usage_rated(uow: UnitOfWork, e: EventEnvelope) -> object:
    p = e.payload
    return service.earn_line_charge(
        uow, msisdn=p["msisdn"], reason=f"usage.{p['kind']}", amount_tiyin=p["charged_tiyin"], at=e.occurred_at,
        ref=e.event_id,
    )  # fmt: skip


def _wallet_paid(uow: UnitOfWork, e: EventEnvelope) -> object:
    p = e.payload
    return service.earn_wallet_payment(
        uow, phone=p["phone"], provider=p["provider"], amount_tiyin=p["amount"], at=e.occurred_at, ref=e.event_id
    )


def _service(kind: str, field: str) -> Action:
    def added(uow: UnitOfWork, e: EventEnvelope) -> object:
        return service.service_added(uow, phone=e.payload[field], kind=kind, at=e.occurred_at, reference=e.event_id)

    return added


def _service_linked(uow: UnitOfWork, e: EventEnvelope) -> object:
    p = e.payload
    service.line_linked(uow, customer_id=p["customer_id"], kind=p["kind"], reference=p["reference"])
    return None


ACTIONS: Mapping[str, Action] = {
    "identity.service_linked": _service_linked,
    "lines.line_charged": _line_charged,
    "lines.usage_rated": _usage_rated,
    "lines.line_connected": _service("mobile", "msisdn"),
    "wallet.registered": _service("wallet", "phone"),
    "wallet.paid": _wallet_paid,
}


def _worth_a_transaction(envelope: EventEnvelope) -> bool:
    """Most rated uses come out of a bundle and charge nothing: no unit of work for them."""
    return not (envelope.name == "lines.usage_rated" and not envelope.payload.get("charged_tiyin"))


def wanted(envelope: EventEnvelope) -> bool:
    """An event that may earn: a stream carries a domain's every event, only the charges matter."""
    return envelope.name in ACTIONS and _worth_a_transaction(envelope)


def handle_in(uow: UnitOfWork, envelope: EventEnvelope) -> None:
    """One event inside the caller's unit of work (the drain's batch): marked, then acted on."""
    if not wanted(envelope):
        return
    if consume_once(uow.session, consumer=CONSUMER, event_id=envelope.event_id, now=uow.clock.now()):
        ACTIONS[envelope.name](uow, envelope)


def handle(uow_factory: UnitOfWorkFactory, envelope: EventEnvelope) -> None:
    """One event in its own unit of work (JetStream, or a bus that does not defer)."""
    if not wanted(envelope):
        return
    with uow_factory() as uow:
        handle_in(uow, envelope)
        uow.commit()


def consume_jetstream(
    uow_factory: UnitOfWorkFactory, settings: BusSettings, *, max_messages: int, timeout_s: float
) -> int:
    """The same handler fed from JetStream (when the outbox is relayed there): a durable
    consumer `loyalty` on each producing domain's stream. Returns the messages handled."""
    domains = sorted({name.split(".", 1)[0] for name in ACTIONS})
    return sum(
        asyncio.run(
            jetstream.consume(
                settings,
                domain=domain,
                durable=CONSUMER,
                handler=partial(handle, uow_factory),
                max_messages=max_messages,
                timeout_s=timeout_s,
            )
        )
        for domain in domains
    )


def subscribe(bus: EventBus, uow_factory: UnitOfWorkFactory) -> None:
    """Registered by the composition root (`app.bootstrap`): deferred, so a charge's request
    does not wait for its accrual — the worker's drain hands the events over from the outbox
    in batches (on a bus that does not defer, at commit as before)."""
    bus.subscribe_deferred(ACTIONS, CONSUMER, handle_in, uow_factory, wants=wanted)
