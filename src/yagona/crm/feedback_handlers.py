"""Feedback's triggers: events after which a customer is asked a survey (issue 14.4).

- `crm.ticket_resolved` (the tickets' domain: `{ticket_id, customer_id, category?, channel?}`)
  → CSAT, by the ticket's category and the channel it came through;
- `lines.plan_switched` → CES (`plan_switch`), `wallet.paid` → CES (`wallet_payment`): a
  task done in the portal, by USSD or in the bot (the channel is the customer's contact just
  before it).

A call note (an agent's) offers CSAT from the console directly (`offer_survey`). Each event is
handled once (`consume_once`) in its own unit of work, after the timeline's consumer has
written the interaction the survey follows. The limits (30 days, quiet hours) are the service's.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from functools import partial

from yagona.crm import service
from yagona.crm.schemas import InteractionChannel, SurveyKind
from yagona.identity import service as identity
from yagona.identity.schemas import ServiceKind
from yagona.platform.bus import EventBus, EventEnvelope, consume_once
from yagona.platform.uow import UnitOfWork, UnitOfWorkFactory

CONSUMER = "crm.feedback"
TICKET_RESOLVED = "crm.ticket_resolved"  # published by the tickets (h-tickets): subscribed by name

Action = Callable[[UnitOfWork, EventEnvelope], None]


def _ticket_resolved(uow: UnitOfWork, e: EventEnvelope) -> None:
    p = e.payload
    customer_id, ticket_id = str(p.get("customer_id", "")), str(p.get("ticket_id", ""))
    if not customer_id:
        return
    interaction_id = p.get("interaction_id")
    if not interaction_id and ticket_id:
        interaction_id, _ = service.interaction_about(
            uow, customer_id=customer_id, subject_kind="ticket", subject_id=ticket_id
        )
    channel = str(p.get("channel") or "")
    service.offer_survey(
        uow,
        customer_id=customer_id,
        kind=SurveyKind.CSAT,
        trigger="ticket_resolved",
        channel=channel if channel in set(InteractionChannel) else InteractionChannel.PORTAL,
        category=str(p.get("category") or "ticket"),
        interaction_id=str(interaction_id) if interaction_id else None,
    )


def _task(category: str, kind: ServiceKind, number: str, subject: tuple[str, str]) -> Action:
    def action(uow: UnitOfWork, e: EventEnvelope) -> None:
        who = identity.service_holder(uow, kind=kind, reference=str(e.payload[number]))
        if who is None:
            return
        subject_id = str(e.payload[subject[1]])
        interaction_id, channel = service.interaction_about(
            uow, customer_id=who.id, subject_kind=subject[0], subject_id=subject_id
        )
        service.offer_survey(
            uow,
            customer_id=who.id,
            kind=SurveyKind.CES,
            trigger=category,
            channel=channel,
            category=category,
            interaction_id=interaction_id,
        )

    return action


ACTIONS: Mapping[str, Action] = {
    TICKET_RESOLVED: _ticket_resolved,
    "lines.plan_switched": _task("plan_switch", ServiceKind.MOBILE, "msisdn", ("line", "msisdn")),
    "wallet.paid": _task("wallet_payment", ServiceKind.WALLET, "phone", ("wallet_receipt", "receipt")),
}


def handle(uow_factory: UnitOfWorkFactory, envelope: EventEnvelope) -> None:
    if envelope.name not in ACTIONS:
        return
    with uow_factory() as uow:
        if not consume_once(uow.session, consumer=CONSUMER, event_id=envelope.event_id, now=uow.clock.now()):
            return
        ACTIONS[envelope.name](uow, envelope)
        uow.commit()


def subscribe(bus: EventBus, uow_factory: UnitOfWorkFactory) -> None:
    """Registered by the composition root (`app.bootstrap`), after the timeline's consumer."""
    for name in ACTIONS:
        bus.subscribe(name, CONSUMER, partial(handle, uow_factory))
